"""An OpenAI-compatible model server for offline demos and integration tests.

Replies are deterministic and clearly synthetic:

* chat: ``[stub] <the user message>`` (choice ``i`` > 0 of ``n``: ``[stub #i] ...``), with
  ``usage`` counting whitespace-separated words of the prompt and the reply;
* embeddings: a unit vector derived from SHA-256 of the input text, of the requested
  ``dimensions`` (default 8), so equal texts get equal vectors.

Failures can be injected, globally (every request, or every N-th) or per row by writing a
marker into the input text, e.g. ``'please fail [[stub:status=503;times=2]]'``:

``status=CODE``      answer with that HTTP status and an OpenAI-style error body
``retry-after=S``    add a Retry-After header (seconds) to the failure
``times=N``          fail only the first N requests carrying this text, then succeed
``malformed``        answer 200 with a body that is not JSON
``drop``             close the connection without answering
``delay=MS``         wait that long before answering this row
``error=CODE``       answer with a documented DashScope/OpenAI error, e.g. ``error=Arrearage``,
                     ``error=PrepaidBillOverdue``, ``error=InternalError.Algo`` (see rules.NAMED_ERRORS)
``inspect``          refuse the whole request as content moderation does (400 data_inspection_failed)
``trickle=MS``       send the reply in 20 pieces, MS apart (a server trickling its body)
``echo-auth``        fail with 400 and echo the Authorization header in the message (a bad gateway)

Requests are checked against the documented rules of the model they name (``rules.py``:
ranges, thinking and streaming per family, Qwen-MT roles and translation_options, embedding
batch/dimension/empty-input limits, json_object) and refused with the service's error body,
unless ``StubOptions.strict`` is off. ``"stream": true`` gets server-sent events: reasoning
deltas first when the model thinks, then the answer, then a usage chunk when
``stream_options.include_usage`` is set.

It is asyncio on one thread: one ``write`` per response, HTTP/1.1 keep-alive, a listen
backlog of 4096, so it keeps up with hundreds of concurrent requests on a small machine.
Only loopback addresses are served by default.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import random
import re
import struct
import threading
from collections import Counter
from dataclasses import dataclass, field

from ..models.families import qwen_family
from . import rules
from .batch import BatchOptions, BatchService
from .ratelimit import RateLimits, Refusal, SlidingWindowLimiter

DEFAULT_EMBEDDING_DIMENSION = 8
# The replies' 'created' (Unix seconds): fixed, so that replies stay deterministic.
CREATED = 1_764_547_200
_MARKER = re.compile(r"\[\[stub:([^\]]*)\]\]")
_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    409: "Conflict",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_ERROR_CODES = {
    400: "InvalidParameter",
    401: "invalid_api_key",
    403: "AccessDenied",
    404: "model_not_found",
    408: "RequestTimeOut",
    429: "limit_requests",
    500: "InternalError",
}


@dataclass
class Fault:
    """What to do instead of a normal reply; parsed from a marker or from global options."""

    status: int | None = None
    retry_after: str | None = None
    times: int | None = None
    malformed: bool = False
    drop: bool = False
    delay: float = 0.0
    error: str | None = None  # a documented error by name (rules.NAMED_ERRORS)
    inspect: bool = False
    trickle: float = 0.0
    echo_auth: bool = False

    @classmethod
    def parse(cls, text: str) -> Fault:
        fault = cls()
        for part in filter(None, (p.strip() for p in text.split(";"))):
            key, _, value = part.partition("=")
            key = key.strip().lower()
            if key == "status":
                fault.status = int(value)
            elif key == "retry-after":
                fault.retry_after = value.strip()
            elif key == "times":
                fault.times = int(value)
            elif key == "malformed":
                fault.malformed = True
            elif key == "drop":
                fault.drop = True
            elif key == "delay":
                fault.delay = float(value) / 1000
            elif key == "error":
                if value.strip() not in rules.NAMED_ERRORS:
                    raise ValueError(f"unknown stub error '{value}'")
                fault.error = value.strip()
            elif key == "inspect":
                fault.inspect = True
            elif key == "trickle":
                fault.trickle = float(value) / 1000
            elif key == "echo-auth":
                fault.echo_auth = True
            else:
                raise ValueError(f"unknown stub marker '{key}'")
        return fault


@dataclass
class StubOptions:
    latency: float = 0.0  # seconds added to every reply
    jitter: float = 0.0  # up to this many seconds more, from a seeded generator
    seed: int = 0
    api_key: str | None = None  # when set, other keys get 401
    fail_every: int = 0  # every N-th request gets `global_fault` (0: never)
    global_fault: Fault = field(default_factory=Fault)
    embedding_dimension: int = DEFAULT_EMBEDDING_DIMENSION
    # Per-minute quotas like DashScope's (qsql/stub/ratelimit.py); None: unlimited.
    rate_limits: RateLimits | None = None
    # The Batch File API's injectable outcomes (qsql/stub/batch.py).
    batch: BatchOptions = field(default_factory=BatchOptions)
    strict: bool = True  # refuse what the documented service refuses (rules.py)


@dataclass
class StubStats:
    requests: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    by_path: Counter = field(default_factory=Counter)
    bodies: list = field(default_factory=list)  # the last requests' JSON bodies, for tests
    authorizations: list = field(default_factory=list)  # masked


class StubServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, options: StubOptions | None = None) -> None:
        self.host = host
        self.port = port
        self.options = options or StubOptions()
        self.stats = StubStats()
        self._random = random.Random(self.options.seed)
        self._seen: Counter = Counter()
        self._server: asyncio.base_events.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task] = set()
        self.rate_limiter = SlidingWindowLimiter(self.options.rate_limits) if self.options.rate_limits else None
        self.batches = BatchService(self._answer_batch_line, self.options.batch)
        self._batch_seen: Counter[str] = Counter()  # batch lines seen per marked text

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    # -------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.host, self.port, backlog=4096)
        self.port = self._server.sockets[0].getsockname()[1]

    async def serve_forever(self) -> None:
        await self.start()
        assert self._server is not None
        async with self._server:
            await self._server.serve_forever()

    def start_in_thread(self) -> StubServer:
        """Serve from a daemon thread; returns once the port is bound."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self.start())
            except BaseException as error:  # reported to the caller below
                failure.append(error)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._shutdown())
            loop.close()

        self._thread = threading.Thread(target=run, name="qsql-stub", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        return self

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._connections):
            writer.close()
        # Clients that keep connections alive (e.g. a JVM's HttpClient) leave handlers waiting
        # for a next request: end them here, or asyncio reports them destroyed while pending.
        handlers = [task for task in self._handlers if not task.done()]
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = None

    def __enter__(self) -> StubServer:
        return self.start_in_thread()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -------------------------------------------------------------- HTTP
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections.add(writer)
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    return
                method, path, _ = (request_line.decode("latin-1").strip().split(" ") + ["", ""])[:3]
                headers: dict[str, str] = {}
                while True:
                    line = await reader.readline()
                    if line in (b"\r\n", b"\n", b""):
                        break
                    key, _, value = line.decode("latin-1").partition(":")
                    headers[key.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                body = await reader.readexactly(length) if length else b""
                keep_open = await self._respond(method, path, headers, body, writer)
                if not keep_open or headers.get("connection", "").lower() == "close":
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        except asyncio.CancelledError:
            # Ended by _shutdown; finishing normally keeps asyncio's stream callback quiet.
            return
        finally:
            self._connections.discard(writer)
            writer.close()

    async def _respond(
        self, method: str, path: str, headers: dict[str, str], body: bytes, writer: asyncio.StreamWriter
    ) -> bool:
        stats = self.stats
        stats.requests += 1
        stats.by_path[path] += 1
        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        number = stats.requests
        try:
            auth = headers.get("authorization", "")
            stats.authorizations.append(auth[:12] + "***" if len(auth) > 12 else "***")
            if self.options.api_key is not None and auth != f"Bearer {self.options.api_key}":
                self._write_json(writer, 401, _error_body(401, "Incorrect API key provided.", "invalid_api_key"))
                return True
            if self.batches.handles(path):  # the Batch File API: qsql/stub/batch.py
                status, reply, kind = self.batches.respond(method, path, headers, body)
                if kind == "json":
                    self._write_json(writer, status, reply)
                else:
                    self._write(writer, status, reply, kind)
                return True
            if method != "POST":
                if method == "GET" and path.rstrip("/").endswith("/models"):
                    self._write_json(writer, 200, {"object": "list", "data": [{"id": "stub", "object": "model"}]})
                else:
                    self._write_json(writer, 405, _error_body(405, f"{method} is not supported", "method_not_allowed"))
                return True
            try:
                payload = json.loads(body or b"{}")
            except json.JSONDecodeError:
                self._write_json(writer, 400, _error_body(400, "request body is not JSON", "InvalidParameter"))
                return True
            if len(stats.bodies) >= 10000:
                del stats.bodies[:5000]
            stats.bodies.append(payload)
            texts = _input_texts(path, payload)
            fault = self._fault_for(texts, number)
            refusal = self._rate_refusal(path, payload) if fault == Fault() else None
            if refusal is not None:  # throttled requests are answered at once, without latency
                self._write_json(writer, 429, _error_body(429, refusal.message, refusal.code))
                return True
            delay = self.options.latency + fault.delay
            if self.options.jitter:
                delay += self._random.uniform(0, self.options.jitter)
            if delay:
                await asyncio.sleep(delay)
            if fault.drop:
                return False
            if fault.malformed:
                self._write(writer, 200, b'{"choices": [ this is not json', "application/json")
                return True
            if fault.error is not None:
                status, code, message = rules.NAMED_ERRORS[fault.error]
                message = message.replace("{model}", str(payload.get("model", "")) if isinstance(payload, dict) else "")
                self._write_json(writer, status, rules.Refusal(status, code, message).body())
                return True
            if fault.echo_auth:
                message = f"gateway refused: Authorization: {headers.get('authorization', '')}"
                self._write_json(writer, 400, rules.Refusal(400, "BadGateway", message).body())
                return True
            if fault.trickle:
                data = json.dumps(_chat_reply(payload)).encode()
                head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
                writer.write(head.encode("latin-1"))
                step = max(1, len(data) // 20)
                for start in range(0, len(data), step):
                    await asyncio.sleep(fault.trickle)
                    writer.write(data[start : start + step])
                    await writer.drain()
                return True
            if fault.inspect:
                status, code, message = rules.NAMED_ERRORS["DataInspectionFailed"]
                self._write_json(writer, status, rules.Refusal(status, code, message).body())
                return True
            if fault.status is not None:
                extra = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                message = f"injected failure (HTTP {fault.status})"
                self._write_json(writer, fault.status, _error_body(fault.status, message, None), extra)
                return True
            route = path.rstrip("/")
            if route.endswith("/chat/completions") or route.endswith("/embeddings"):
                chat = route.endswith("/chat/completions")
                if self.options.strict and isinstance(payload, dict):
                    broken = rules.check_chat(payload) if chat else rules.check_embeddings(payload)
                    if broken is not None:
                        self._write_json(writer, broken.status, broken.body())
                        return True
                if not chat:
                    self._write_json(writer, 200, _embeddings_reply(payload, self.options.embedding_dimension))
                elif payload.get("stream") is True:
                    self._write(writer, 200, _chat_stream(payload), "text/event-stream")
                else:
                    self._write_json(writer, 200, _chat_reply(payload))
            else:
                self._write_json(writer, 404, _error_body(404, f"no such endpoint: {path}", "not_found"))
            return True
        finally:
            stats.in_flight -= 1

    def _answer_batch_line(self, url: str, body: dict) -> tuple[int, dict]:
        """A batch line answered as its synchronous endpoint would be; a status marker fails it."""
        for text in _input_texts(url, body):
            match = _MARKER.search(text)
            if match:
                try:
                    fault = Fault.parse(match.group(1))
                except ValueError:
                    fault = Fault(status=400)
                # times=N: only the first N batch lines carrying this text fail (a transient error).
                self._batch_seen[text] += 1
                if fault.times is not None and self._batch_seen[text] > fault.times:
                    break
                if fault.status is not None:
                    return fault.status, _error_body(fault.status, f"injected failure (HTTP {fault.status})", None)
        embeddings = url.rstrip("/").endswith("/embeddings")
        if self.options.strict:  # a line is refused as its synchronous request would be
            broken = rules.check_embeddings(body) if embeddings else rules.check_chat(body, batch=True)
            if broken is not None:
                return broken.status, broken.body()
        if embeddings:
            return 200, _embeddings_reply(body, self.options.embedding_dimension)
        return 200, _chat_reply(body)

    def _rate_refusal(self, path: str, payload: object) -> Refusal | None:
        if self.rate_limiter is None or not isinstance(payload, dict):
            return None
        if path.rstrip("/").endswith("/chat/completions"):
            usage = _chat_reply(payload)["usage"]
        elif path.rstrip("/").endswith("/embeddings"):
            usage = _embeddings_reply(payload, self.options.embedding_dimension)["usage"]
        else:
            return None
        refusal = self.rate_limiter.admit(int(usage.get("total_tokens", 0)))
        model = payload.get("model")
        return refusal.for_vendor(rules.vendor(model)) if refusal and isinstance(model, str) else refusal

    def _fault_for(self, texts: list[str], number: int) -> Fault:
        for text in texts:
            match = _MARKER.search(text)
            if match:
                try:
                    fault = Fault.parse(match.group(1))
                except ValueError:
                    return Fault(status=400)
                self._seen[text] += 1
                if fault.times is not None and self._seen[text] > fault.times:
                    return Fault(delay=fault.delay)
                return fault
        if self.options.fail_every and number % self.options.fail_every == 0:
            return self.options.global_fault
        return Fault()

    def _write_json(
        self, writer: asyncio.StreamWriter, status: int, payload: object, headers: dict[str, str] | None = None
    ) -> None:
        self._write(writer, status, json.dumps(payload, ensure_ascii=False).encode(), "application/json", headers)

    @staticmethod
    def _write(
        writer: asyncio.StreamWriter, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        head = [
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}",
            f"Content-Type: {content_type}",
            f"Content-Length: {len(data)}",
        ]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + data)


def _input_texts(path: str, payload: object) -> list[str]:
    if not isinstance(payload, dict):
        return []
    if "messages" in payload and isinstance(payload["messages"], list):
        return [m.get("content", "") for m in payload["messages"] if isinstance(m, dict) and m.get("role") == "user"]
    raw = payload.get("input")
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list):
        return [t for t in raw if isinstance(t, str)]
    return []


def _error_body(status: int, message: str, code: str | None) -> dict:
    """DashScope's compatible-mode error body, as every refusal of the stub has it."""
    return rules.Refusal(status, code or _ERROR_CODES.get(status, f"http_{status}"), message).body()


def _words(text: str) -> int:
    return len(text.split())


def _thinks(payload: dict) -> bool:
    model = payload.get("model")
    if not isinstance(model, str) or rules.vendor(model) != "qwen":
        return False
    return rules._thinks(payload)


def _answers(payload: dict) -> tuple[list[tuple[str, str | None]], int, int, int]:
    """Each choice's (content, reasoning) and the usage: prompt, completion, reasoning tokens."""
    listed = payload.get("messages")
    messages = listed if isinstance(listed, list) else []
    user = next(
        (m.get("content", "") for m in reversed(messages) if isinstance(m, dict) and m.get("role") == "user"), ""
    )
    system = next((m.get("content", "") for m in messages if isinstance(m, dict) and m.get("role") == "system"), "")
    n = payload.get("n", 1) if isinstance(payload.get("n", 1), int) else 1
    named = payload.get("model")
    model = named if isinstance(named, str) else "stub"
    translation = payload.get("translation_options")
    thinks = _thinks(payload)
    answers = []
    for index in range(max(1, n)):
        prefix = "[stub]" if index == 0 else f"[stub #{index}]"
        if isinstance(translation, dict) and qwen_family(model).translation:
            prefix += f" [{translation.get('source_lang', 'auto')}->{translation.get('target_lang')}]"
        reasoning = f"[stub reasoning] thinking about: {user}" if thinks else None
        answers.append((f"{prefix} {user}", reasoning))
    reasoning_tokens = sum(_words(r) for _, r in answers if r)
    completion = sum(_words(c) for c, _ in answers) + reasoning_tokens
    prompt = _words(system) + _words(str(user))
    return answers, prompt, completion, reasoning_tokens


def _usage(prompt: int, completion: int, reasoning: int) -> dict:
    usage: dict = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0},
    }
    if reasoning:
        usage["completion_tokens_details"] = {"reasoning_tokens": reasoning}
    return usage


def _chat_reply(payload: dict) -> dict:
    answers, prompt, completion, reasoning = _answers(payload)
    choices = []
    for index, (content, thought) in enumerate(answers):
        message: dict = {"role": "assistant", "content": content}
        if thought is not None:
            message["reasoning_content"] = thought
        choices.append({"index": index, "message": message, "finish_reason": "stop", "logprobs": None})
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": CREATED,
        "model": payload.get("model", "stub"),
        "choices": choices,
        "usage": _usage(prompt, completion, reasoning),
        "system_fingerprint": None,
    }


def _chat_stream(payload: dict) -> bytes:
    """The reply as server-sent events: reasoning deltas, then content deltas (two words a chunk),
    a finish chunk per choice, a usage chunk when asked for, and [DONE]."""
    answers, prompt, completion, reasoning = _answers(payload)
    model = payload.get("model", "stub")
    events: list[dict] = []

    def chunk(choices: list, usage: dict | None = None) -> None:
        events.append(
            {
                "id": "chatcmpl-stub",
                "object": "chat.completion.chunk",
                "created": CREATED,
                "model": model,
                "choices": choices,
                "usage": usage,
            }
        )

    # Qwen-MT other than qwen-mt-flash streams non-incrementally: each chunk has the text so far.
    cumulative = isinstance(model, str) and not qwen_family(model).incremental_stream
    for index, (content, thought) in enumerate(answers):
        chunk([{"index": index, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
        for field_name, text in (("reasoning_content", thought), ("content", content)):
            if not text:
                continue
            words = text.split(" ")
            for start in range(0, len(words), 2):
                piece = " ".join(words[start : start + 2]) + (" " if start + 2 < len(words) else "")
                if cumulative:
                    piece = " ".join(words[: start + 2])
                chunk([{"index": index, "delta": {field_name: piece}, "finish_reason": None}])
        chunk([{"index": index, "delta": {}, "finish_reason": "stop"}])
    options = payload.get("stream_options")
    if isinstance(options, dict) and options.get("include_usage") is True:
        chunk([], _usage(prompt, completion, reasoning))
    lines = [f"data: {json.dumps(event, ensure_ascii=False)}\n\n" for event in events] + ["data: [DONE]\n\n"]
    return "".join(lines).encode()


def embedding_vector(text: str, dimension: int) -> list[float]:
    """A deterministic unit vector for ``text``."""
    values: list[float] = []
    counter = 0
    while len(values) < dimension:
        digest = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        for (number,) in struct.iter_unpack(">I", digest):
            values.append(number / 2**31 - 1.0)
        counter += 1
    values = values[:dimension]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [round(v / norm, 6) for v in values]


def _embeddings_reply(payload: dict, default_dimension: int) -> dict:
    raw = payload.get("input")
    texts = [raw] if isinstance(raw, str) else [t for t in raw if isinstance(t, str)] if isinstance(raw, list) else []
    asked = payload.get("dimensions")
    dimension = asked if isinstance(asked, int) else default_dimension
    data = [
        {"object": "embedding", "index": i, "embedding": embedding_vector(t, dimension)} for i, t in enumerate(texts)
    ]
    tokens = sum(_words(t) for t in texts)
    return {
        "id": "stub-embedding",
        "object": "list",
        "model": payload.get("model", "stub"),
        "data": data,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
