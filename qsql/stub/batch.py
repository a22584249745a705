"""The stub's Batch File API: /files, /batches and file downloads, finishing fast and the same way
every time.

A batch moves one step each time it is read (``GET /batches/{id}``): ``validating`` ->
``in_progress`` (first half of the lines answered) -> ``finalizing`` (the rest) ->
``completed`` (output and error files written). Each line is answered as the synchronous
endpoint would answer it — the same synthetic reply, and a ``[[stub:status=CODE]]`` marker in
a line's text makes that line fail into the error file. Injected at will (``BatchOptions``):
every batch ``expired`` at its second step, or ``failed`` validation; ``POST
/batches/{id}/cancel`` goes through ``cancelling`` to ``cancelled``, keeping the lines already
answered. Input files are checked like DashScope's: JSON lines with a unique ``custom_id``,
``method`` POST, the batch's ``url``, one model, at most 50,000 lines of at most 6 MB, an
upload of at most 500 MB (400 ``BadRequest.TooLarge``); each line's body is checked by the
synchronous endpoint's rules (``rules.py``, streaming rules aside) when the stub is strict.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

MAX_LINES = 50_000
MAX_FILE_BYTES = 500 * 1024 * 1024  # an upload over this is refused: 400 BadRequest.TooLarge
MAX_LINE_BYTES = 6 * 1024 * 1024
# DashScope's free dry run: model batch-test-model at /v1/chat/ds-test, 100 lines and 1 MB a file.
TEST_MODEL = "batch-test-model"
TEST_ENDPOINT = "/v1/chat/ds-test"
TEST_MAX_LINES = 100
TEST_MAX_BYTES = 1024 * 1024
ENDPOINTS = ("/v1/chat/completions", "/v1/embeddings", "/v1/chat/ds-test")
WINDOWS = tuple(f"{hours}h" for hours in range(24, 337))  # 24h ... 336h

# (url, body) -> (HTTP status, reply body); the server answers as its synchronous endpoint would.
Answer = Callable[[str, dict[str, Any]], tuple[int, dict[str, Any]]]


@dataclass
class BatchOptions:
    expire: bool = False  # every batch ends 'expired' after answering half its lines
    fail_validation: bool = False  # every batch ends 'failed' at validation


@dataclass
class _Batch:
    id: str
    input_file_id: str
    endpoint: str
    completion_window: str
    metadata: dict[str, str]
    lines: list[dict[str, Any]]
    created_at: int
    status: str = "validating"
    outputs: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    answered: int = 0
    output_file_id: str | None = None
    error_file_id: str | None = None
    validation_errors: list[dict[str, str]] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "batch",
            "endpoint": self.endpoint,
            "input_file_id": self.input_file_id,
            "completion_window": self.completion_window,
            "status": self.status,
            "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id,
            "created_at": self.created_at,
            "metadata": self.metadata,
            "errors": {"object": "list", "data": self.validation_errors} if self.validation_errors else None,
            "request_counts": {
                "total": len(self.lines),
                "completed": len(self.outputs),
                "failed": len(self.errors),
            },
        }


class BatchService:
    def __init__(self, answer: Answer, options: BatchOptions | None = None) -> None:
        self.answer = answer
        self.options = options or BatchOptions()
        self.files: dict[str, tuple[str, str, bytes]] = {}  # id -> (purpose, filename, content)
        self.batches: dict[str, _Batch] = {}
        self._next = 0

    def _id(self, prefix: str) -> str:
        self._next += 1
        return f"{prefix}-stub-{self._next:06d}"

    @staticmethod
    def handles(path: str) -> bool:
        segments = path.split("?", 1)[0].rstrip("/").split("/")
        return "files" in segments or "batches" in segments

    def respond(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any, str]:
        """(status, payload, content type); payload is JSON-able, or bytes for a file's content."""
        route = path.split("?", 1)[0].rstrip("/")
        parts = route.split("/")
        try:
            if "files" in parts:
                rest = parts[parts.index("files") + 1 :]
                if method == "POST" and not rest:
                    return self._upload(headers, body)
                if method == "GET" and len(rest) == 2 and rest[1] == "content":
                    return self._content(rest[0])
                if method == "GET" and len(rest) == 1:
                    return self._file_info(rest[0])
            else:
                rest = parts[parts.index("batches") + 1 :]
                if method == "POST" and not rest:
                    return self._create(body)
                if method == "GET" and not rest:
                    return 200, {"object": "list", "data": [b.json() for b in reversed(self.batches.values())]}, "json"
                if method == "GET" and len(rest) == 1:
                    return self._retrieve(rest[0])
                if method == "POST" and len(rest) == 2 and rest[1] == "cancel":
                    return self._cancel(rest[0])
        except _Refused as refused:
            return refused.status, _error(refused.message, refused.code), "json"
        return 404, _error(f"no such endpoint: {method} {path}", "not_found"), "json"

    # ------------------------------------------------------------------ files
    def _upload(self, headers: dict[str, str], body: bytes) -> tuple[int, Any, str]:
        fields = _form_fields(headers.get("content-type", ""), body)
        if fields.get("purpose", (None, b""))[1].decode() != "batch":
            raise _Refused(400, "purpose must be 'batch'", "InvalidParameter")
        if "file" not in fields:
            raise _Refused(400, "no file in the upload", "InvalidParameter")
        filename, content = fields["file"]
        if len(content) > MAX_FILE_BYTES:
            raise _Refused(
                400,
                f"The file is too large: at most {MAX_FILE_BYTES // 2**20} MB may be uploaded",
                "BadRequest.TooLarge",
            )
        file_id = self._id("file-batch")
        self.files[file_id] = ("batch", filename or "upload.jsonl", content)
        return 200, self._file_json(file_id), "json"

    def _file_json(self, file_id: str) -> dict[str, Any]:
        purpose, filename, content = self.files[file_id]
        return {
            "id": file_id,
            "object": "file",
            "bytes": len(content),
            "filename": filename,
            "purpose": purpose,
            "status": "processed",
            "created_at": int(time.time()),
        }

    def _file_info(self, file_id: str) -> tuple[int, Any, str]:
        if file_id not in self.files:
            raise _Refused(404, f"file {file_id} not found", "not_found")
        return 200, self._file_json(file_id), "json"

    def _content(self, file_id: str) -> tuple[int, Any, str]:
        if file_id not in self.files:
            raise _Refused(404, f"file {file_id} not found", "not_found")
        return 200, self.files[file_id][2], "application/jsonl"

    def _store(self, purpose: str, lines: list[dict[str, Any]]) -> str | None:
        if not lines:
            return None
        file_id = self._id("file-batch-output" if purpose == "batch_output" else "file-batch-error")
        content = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode("utf-8")
        self.files[file_id] = (purpose, f"{file_id}.jsonl", content)
        return file_id

    # ------------------------------------------------------------------ batches
    def _create(self, body: bytes) -> tuple[int, Any, str]:
        try:
            payload = json.loads(body or b"{}")
        except json.JSONDecodeError:
            raise _Refused(400, "request body is not JSON", "InvalidParameter") from None
        file_id = payload.get("input_file_id")
        endpoint = payload.get("endpoint")
        window = payload.get("completion_window")
        if file_id not in self.files:
            raise _Refused(404, f"file {file_id} not found", "not_found")
        if endpoint not in ENDPOINTS:
            raise _Refused(400, f"endpoint must be one of {', '.join(ENDPOINTS)}", "InvalidParameter")
        if window not in WINDOWS:
            raise _Refused(400, "completion_window must be between 24h and 336h", "InvalidParameter")
        metadata = payload.get("metadata") or {}
        if len(str(metadata.get("ds_name", ""))) > 100 or len(str(metadata.get("ds_description", ""))) > 200:
            raise _Refused(400, "metadata ds_name is at most 100 characters, ds_description 200", "InvalidParameter")
        batch = _Batch(self._id("batch"), file_id, endpoint, window, dict(metadata), [], int(time.time()))
        lines, problems = _validate(self.files[file_id][2], endpoint)
        batch.lines = lines
        if problems or self.options.fail_validation:
            batch.validation_errors = problems or [{"code": "invalid_file", "message": "injected validation failure"}]
        self.batches[batch.id] = batch
        return 200, batch.json(), "json"

    def _batch(self, batch_id: str) -> _Batch:
        if batch_id not in self.batches:
            raise _Refused(404, f"batch {batch_id} not found", "not_found")
        return self.batches[batch_id]

    def _retrieve(self, batch_id: str) -> tuple[int, Any, str]:
        batch = self._batch(batch_id)
        self._advance(batch)
        return 200, batch.json(), "json"

    def _cancel(self, batch_id: str) -> tuple[int, Any, str]:
        batch = self._batch(batch_id)
        if batch.status in ("completed", "failed", "expired", "cancelled"):
            raise _Refused(400, f"batch {batch_id} is already {batch.status}", "InvalidParameter")
        batch.status = "cancelling"
        return 200, batch.json(), "json"

    def _advance(self, batch: _Batch) -> None:
        half = (len(batch.lines) + 1) // 2
        if batch.status == "validating":
            if batch.validation_errors:
                batch.status = "failed"
                return
            batch.status = "in_progress"
            self._answer_up_to(batch, half)
        elif batch.status == "in_progress":
            if self.options.expire:
                self._finish(batch, "expired", "batch_expired", "the batch expired before this request ran")
                return
            batch.status = "finalizing"
            self._answer_up_to(batch, len(batch.lines))
        elif batch.status == "finalizing":
            self._finish(batch, "completed", "", "")
        elif batch.status == "cancelling":
            self._finish(batch, "cancelled", "batch_cancelled", "the batch was cancelled before this request ran")

    def _answer_up_to(self, batch: _Batch, count: int) -> None:
        while batch.answered < count:
            line = batch.lines[batch.answered]
            batch.answered += 1
            status, reply = self.answer(line["url"], line["body"])
            record = {
                "id": f"batch_req_{batch.id}_{batch.answered}",
                "custom_id": line["custom_id"],
                "response": {"status_code": status, "request_id": f"stub-{batch.answered}", "body": reply},
            }
            if status == 200:
                batch.outputs.append({**record, "error": None})
            else:
                error = reply.get("error", {}) if isinstance(reply, dict) else {}
                batch.errors.append({**record, "error": {"code": error.get("code"), "message": error.get("message")}})

    def _finish(self, batch: _Batch, status: str, code: str, message: str) -> None:
        for line in batch.lines[batch.answered :]:
            batch.errors.append(
                {
                    "id": None,
                    "custom_id": line["custom_id"],
                    "response": None,
                    "error": {"code": code, "message": message},
                }
            )
        batch.answered = len(batch.lines)
        batch.status = status
        batch.output_file_id = self._store("batch_output", batch.outputs)
        batch.error_file_id = self._store("batch_error", batch.errors)


class _Refused(Exception):
    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def _error(message: str, code: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error", "code": code}, "request_id": "stub-request"}


def _form_fields(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """multipart/form-data fields: name -> (filename, bytes)."""
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body)
    fields: dict[str, tuple[str | None, bytes]] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            data = part.get_payload(decode=True)  # a leaf part: its bytes, or None
            fields[str(name)] = (part.get_filename(), data if isinstance(data, bytes) else b"")
    return fields


def _validate(content: bytes, endpoint: str) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    lines: list[dict[str, Any]] = []
    problems: list[dict[str, str]] = []
    seen: set[str] = set()
    models: set[str] = set()
    for number, raw in enumerate(content.decode("utf-8", errors="replace").splitlines(), start=1):
        if not raw.strip():
            continue
        if len(raw.encode("utf-8")) > MAX_LINE_BYTES:
            problems.append({"code": "line_too_large", "message": f"line {number} is over 6 MB", "line": str(number)})
            continue
        try:
            line = json.loads(raw)
        except json.JSONDecodeError:
            problems.append({"code": "invalid_json_line", "message": f"line {number} is not JSON", "line": str(number)})
            continue
        custom_id = line.get("custom_id") if isinstance(line, dict) else None
        if not isinstance(custom_id, str) or not custom_id:
            problems.append(
                {"code": "missing_custom_id", "message": f"line {number} has no custom_id", "line": str(number)}
            )
            continue
        if custom_id in seen:
            problems.append(
                {"code": "duplicate_custom_id", "message": f"custom_id {custom_id} is repeated", "line": str(number)}
            )
        seen.add(custom_id)
        if line.get("method") != "POST" or line.get("url") != endpoint or not isinstance(line.get("body"), dict):
            problems.append(
                {
                    "code": "invalid_request",
                    "message": f"line {number}: method must be POST and url {endpoint}",
                    "line": str(number),
                }
            )
            continue
        models.add(str(line["body"].get("model")))
        lines.append(line)
    if len(models) > 1:
        problems.append({"code": "mixed_models", "message": "a batch file may use one model only"})
    if endpoint == TEST_ENDPOINT:
        if models - {TEST_MODEL}:
            problems.append({"code": "invalid_model", "message": f"{TEST_ENDPOINT} takes model {TEST_MODEL} only"})
        if len(lines) > TEST_MAX_LINES or len(content) > TEST_MAX_BYTES:
            problems.append(
                {
                    "code": "too_large",
                    "message": f"a {TEST_MODEL} file holds at most {TEST_MAX_LINES} requests and 1 MB",
                }
            )
    elif TEST_MODEL in models:
        problems.append({"code": "invalid_model", "message": f"{TEST_MODEL} runs only at {TEST_ENDPOINT}"})
    if len(lines) > MAX_LINES:
        problems.append({"code": "too_many_requests", "message": f"a batch file holds at most {MAX_LINES} requests"})
    if not lines and not problems:
        problems.append({"code": "empty_file", "message": "the file holds no requests"})
    return lines, problems
