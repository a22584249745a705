"""The OpenAI-compatible Batch File API (DashScope bills it at half price): upload, create, poll,
download, cancel.

A job is a JSONL file, one request a line: ``{"custom_id", "method": "POST", "url", "body"}``.
It is uploaded with ``POST {base}/files`` (multipart, ``purpose=batch``), run with ``POST
{base}/batches`` (``input_file_id``, ``endpoint``, ``completion_window``), watched with ``GET
{base}/batches/{id}`` through ``validating -> in_progress -> finalizing -> completed`` (or
``failed``, ``expired``, ``cancelled``), and its results read from the output and error
files (``GET {base}/files/{id}/content``), each line naming its request's ``custom_id``.
A file holds at most 50,000 requests and 500 MB (a line at most 6 MB), so a larger job is
split into several files.

Nothing here knows SQL, rows or the cache: callers pass request bodies keyed by custom_id and
get replies keyed by custom_id. The clock is injectable so polling is tested without sleeping.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import ModelError

if TYPE_CHECKING:
    import httpx

    from .protocol import Verdict
    from .ratelimit import Clock

MAX_REQUESTS_PER_FILE = 50_000
MAX_FILE_BYTES = 500 * 1024 * 1024
MAX_LINE_BYTES = 6 * 1024 * 1024
DEFAULT_COMPLETION_WINDOW = "24h"
TERMINAL_STATES = frozenset({"completed", "failed", "expired", "cancelled"})
# DashScope's free dry-run model: validates a file without running (or billing) it.
TEST_MODEL = "batch-test-model"
TEST_ENDPOINT = "/v1/chat/ds-test"
DRY_RUN_MAX_LINES = 100  # the test model's limits: 100 lines, 1 MB a file
DRY_RUN_MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class BatchRequest:
    custom_id: str
    body: dict[str, Any]


@dataclass
class BatchStatus:
    id: str
    status: str
    total: int = 0
    completed: int = 0
    failed: int = 0
    input_file_id: str | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    errors: list[str] = field(default_factory=list)  # why a batch failed validation
    metadata: dict[str, str] = field(default_factory=dict)
    created_at: int | None = None

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL_STATES

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BatchStatus:
        counts = data.get("request_counts") or {}
        errors = data.get("errors") or {}
        messages = (
            [str(e.get("message") or e.get("code")) for e in (errors.get("data") or []) if isinstance(e, dict)]
            if isinstance(errors, dict)
            else []
        )
        return cls(
            id=str(data.get("id", "")),
            status=str(data.get("status", "")),
            total=int(counts.get("total") or 0),
            completed=int(counts.get("completed") or 0),
            failed=int(counts.get("failed") or 0),
            input_file_id=data.get("input_file_id"),
            output_file_id=data.get("output_file_id"),
            error_file_id=data.get("error_file_id"),
            errors=messages,
            metadata=dict(data.get("metadata") or {}),
            created_at=data.get("created_at"),
        )


@dataclass(frozen=True)
class BatchResult:
    """One request's outcome: the reply body (status 200) or the error the line carries."""

    custom_id: str
    status_code: int | None
    body: dict[str, Any] | None = None
    error_message: str | None = None
    error_code: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code == 200 and self.body is not None


def request_line(request: BatchRequest, url: str) -> bytes:
    line = json.dumps(
        {"custom_id": request.custom_id, "method": "POST", "url": url, "body": request.body},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    if len(line) > MAX_LINE_BYTES:
        raise ModelError(
            f"batch request {request.custom_id} is {len(line) / 2**20:.1f} MB; the Batch API takes at most 6 MB a line"
        )
    return line


def split_into_files(
    requests: Iterable[BatchRequest],
    url: str,
    max_requests: int = MAX_REQUESTS_PER_FILE,
    max_bytes: int = MAX_FILE_BYTES,
) -> list[tuple[list[str], bytes]]:
    """JSONL files of at most ``max_requests`` lines and ``max_bytes`` bytes: (custom_ids, content)."""
    return list(iter_files(requests, url, max_requests, max_bytes))


def iter_files(
    requests: Iterable[BatchRequest],
    url: str,
    max_requests: int = MAX_REQUESTS_PER_FILE,
    max_bytes: int = MAX_FILE_BYTES,
) -> Iterator[tuple[list[str], bytes]]:
    """:func:`split_into_files` one file at a time, so only one file's bytes are held at once."""
    ids: list[str] = []
    lines: list[bytes] = []
    size = 0
    seen: set[str] = set()
    for request in requests:
        if request.custom_id in seen:
            raise ValueError(f"custom_id {request.custom_id!r} is used twice; it must be unique in a batch")
        seen.add(request.custom_id)
        line = request_line(request, url) + b"\n"
        if lines and (len(lines) >= max_requests or size + len(line) > max_bytes):
            yield ids, b"".join(lines)
            ids, lines, size = [], [], 0
        ids.append(request.custom_id)
        lines.append(line)
        size += len(line)
    if lines:
        yield ids, b"".join(lines)


def parse_result_lines(text: str) -> dict[str, BatchResult]:
    """Output and error file lines, by custom_id. A line qsql cannot read is skipped (its
    request then counts as unanswered, which the caller reports per row)."""
    results: dict[str, BatchResult] = {}
    for raw in text.splitlines():
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if not isinstance(line, dict) or not isinstance(line.get("custom_id"), str):
            continue
        custom_id = line["custom_id"]
        answer = line.get("response")
        response = answer if isinstance(answer, dict) else {}
        error = line.get("error") if isinstance(line.get("error"), dict) else None
        status = response.get("status_code")
        body = response.get("body") if isinstance(response.get("body"), dict) else None
        if error is None and isinstance(body, dict) and isinstance(body.get("error"), dict):
            error = body["error"]
        if error is not None or status != 200:
            message = str((error or {}).get("message") or f"HTTP {status}")
            code = (error or {}).get("code")
            results[custom_id] = BatchResult(
                custom_id, status if isinstance(status, int) else None, None, message, str(code) if code else None
            )
        else:
            results[custom_id] = BatchResult(custom_id, 200, body)
    return results


class BatchClient:
    """The Batch File API of one base URL (…/compatible-mode/v1) with one key."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        headers: dict[str, str],
        timeout: float = 60.0,
        classify: Callable[[int, str | None, str | None], Verdict] | None = None,
    ) -> None:
        """``classify`` is the provider's rule for which answered errors may pass (the wire
        protocol's: a DashScope 429 that is a billing state does not); by default 408, 409, 429
        and 5xx."""
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.headers = headers
        self.timeout = timeout
        self.classify = classify

    def _scrub(self, text: str) -> str:
        """The text with the key masked: a gateway may echo the Authorization header."""
        token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return text.replace(token, "****") if len(token) >= 4 else text

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        import httpx

        url = f"{self.base_url}{path}"
        try:
            response = await self.client.request(method, url, headers=self.headers, timeout=self.timeout, **kwargs)
        except httpx.TimeoutException:
            raise ModelError(f"no reply from {url} within {self.timeout:g} s", retryable=True) from None
        except httpx.HTTPError as error:
            raise ModelError(f"cannot reach {url}: {error or type(error).__name__}", retryable=True) from None
        if response.status_code >= 400:
            said, code = _server_message(response)
            status = response.status_code
            if self.classify is not None:
                verdict = self.classify(status, code, said)
                retryable, why = verdict.retryable, verdict.reason
            else:
                retryable, why = status in (408, 409, 429) or status >= 500, None
            text = f"HTTP {status} from {method} {url}: {self._scrub(said)}" + (f" ({code})" if code else "")
            raise ModelError(text + (f" [{why}]" if why else ""), status=status, retryable=retryable, code=code)
        return response

    async def _json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = await self._call(method, path, **kwargs)
        try:
            data = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            raise ModelError(f"malformed reply from {self.base_url}{path}: not a JSON object", retryable=True)
        return data

    async def upload(self, content: bytes, filename: str = "qsql-batch.jsonl") -> str:
        data = await self._json(
            "POST", "/files", files={"file": (filename, content, "application/jsonl")}, data={"purpose": "batch"}
        )
        file_id = data.get("id")
        if not isinstance(file_id, str):
            raise ModelError(f"malformed reply from {self.base_url}/files: no file id")
        return file_id

    async def create(
        self,
        input_file_id: str,
        endpoint: str,
        completion_window: str = DEFAULT_COMPLETION_WINDOW,
        metadata: dict[str, str] | None = None,
    ) -> BatchStatus:
        body: dict[str, Any] = {
            "input_file_id": input_file_id,
            "endpoint": endpoint,
            "completion_window": completion_window,
        }
        if metadata:
            body["metadata"] = metadata
        return BatchStatus.from_json(await self._json("POST", "/batches", json=body))

    async def retrieve(self, batch_id: str) -> BatchStatus:
        return BatchStatus.from_json(await self._json("GET", f"/batches/{batch_id}"))

    async def cancel(self, batch_id: str) -> BatchStatus:
        return BatchStatus.from_json(await self._json("POST", f"/batches/{batch_id}/cancel"))

    async def list(self, limit: int = 20) -> list[BatchStatus]:
        data = await self._json("GET", "/batches", params={"limit": limit})
        return [BatchStatus.from_json(item) for item in data.get("data") or [] if isinstance(item, dict)]

    async def download(self, file_id: str) -> str:
        response = await self._call("GET", f"/files/{file_id}/content")
        return response.content.decode("utf-8", errors="replace")

    async def results(self, status: BatchStatus) -> dict[str, BatchResult]:
        """Replies and errors of a finished batch, by custom_id."""
        results: dict[str, BatchResult] = {}
        for file_id in (status.error_file_id, status.output_file_id):  # output wins over an error line
            if file_id:
                results.update(parse_result_lines(await self.download(file_id)))
        return results

    async def wait(
        self,
        batch_id: str,
        clock: Clock,
        poll_interval: float = 5.0,
        max_interval: float = 60.0,
        on_progress: Callable[[BatchStatus], None] | None = None,
        transient_errors: int = 10,
    ) -> BatchStatus:
        """Poll until the batch reaches a terminal state; the interval grows by half each poll
        up to ``max_interval``. A transient error (5xx, timeout) while polling is retried."""
        interval = poll_interval
        failures = 0
        while True:
            try:
                status = await self.retrieve(batch_id)
                failures = 0
            except ModelError as error:
                failures += 1
                if not error.retryable or failures > transient_errors:
                    raise
                await clock.sleep(interval)
                continue
            if on_progress is not None:
                on_progress(status)
            if status.finished:
                return status
            await clock.sleep(interval)
            interval = min(max_interval, interval * 1.5)


def describe(status: BatchStatus) -> str:
    done = status.completed + status.failed
    text = f"batch {status.id}: {status.status}, {done}/{status.total} done"
    if status.failed:
        text += f" ({status.failed} failed)"
    return text


def endpoint_path(url: str) -> str:
    """The ``/v1/...`` path a batch line and ``endpoint`` name, from a full request URL."""
    from urllib.parse import urlsplit

    path = urlsplit(url).path
    for suffix in ("/chat/completions", "/embeddings"):
        if path.endswith(suffix):
            return "/v1" + suffix
    return path


def _server_message(response: httpx.Response) -> tuple[str, str | None]:
    """The server's words and its error code, if it gave one."""
    try:
        payload = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        text = " ".join(response.text.split())
        return text[:200] or response.reason_phrase, None
    error = payload.get("error", payload) if isinstance(payload, dict) else payload
    if isinstance(error, dict) and error.get("message"):
        code = error.get("code") or error.get("type")
        return str(error["message"]), (str(code) if code else None)
    return " ".join(response.text.split())[:200], None
