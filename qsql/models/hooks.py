"""Two hook points around every model call, so other parts can watch and pace requests
without touching the call path.

* **Observer** (``ModelHooks.observer``): called once per HTTP attempt and once per reply
  served from the cache, with a :class:`CallRecord` (model, endpoint host, tokens, latency,
  status, cache hit, request and reply text with the API key scrubbed). A model-call log
  plugs in here. It runs on the engine's thread inside the event loop: keep it cheap and
  never raise (an exception is swallowed and the call goes on).

* **Admission** (``ModelHooks.admission``): wraps each HTTP attempt, retries included::

      async with hooks.admission.attempt(ticket) as slot:
          ...send...
          slot.status = 200 / 429 / None (no reply) ; slot.retry_after = seconds | None

  A rate limiter or adaptive-concurrency controller implements :class:`Admission`: wait in
  ``attempt`` before yielding (admit), read ``slot`` after the ``yield`` (learn from the
  outcome). The default admits at once and is not even entered (it costs nothing per
  request); any subclass is. ``ticket`` says which model/host and how many inputs and
  estimated tokens the attempt carries. Install one with ``session.model_hooks.admission = ...``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import field

from ..lazydataclass import lazy_dataclass


@lazy_dataclass(frozen=True)
class Ticket:
    """What an attempt is about to send, for an admission controller."""

    model: str  # the SQL model name
    provider: str
    host: str  # endpoint host, e.g. dashscope.aliyuncs.com
    inputs: int  # rows in this request (embedding batches carry several)
    estimated_tokens: int  # prompt tokens, estimated before sending


@lazy_dataclass
class Slot:
    """Filled in by the transport before the ``attempt`` block ends."""

    status: int | None = None  # HTTP status, None when no reply came (timeout, connection error)
    code: str | None = None  # the server's error code of a failed reply (Throttling.RateQuota ...)
    retry_after: float | None = None
    latency: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0


class Admission:
    """Admits every attempt at once. Subclass and override :meth:`attempt` to pace requests."""

    @asynccontextmanager
    async def attempt(self, ticket: Ticket) -> AsyncIterator[Slot]:
        yield Slot()


@lazy_dataclass(frozen=True)
class CallRecord:
    """One HTTP attempt, or one reply served from the cache (``cache_hit``; no HTTP then)."""

    model: str  # the SQL model name
    provider: str
    model_id: str  # the provider's model name, e.g. qwen-plus
    host: str
    url: str
    attempt: int  # 1 for the first try of a request, 2 for its first retry ...
    inputs: int
    status: int | None  # HTTP status; None when no reply came or the reply was cached
    ok: bool
    latency: float  # seconds, request sent to reply read
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    cache_hit: bool = False
    streamed: bool = False
    error: str | None = None  # the error message qsql shows (key scrubbed)
    request_text: str | None = None  # the JSON body sent (never holds the key)
    reply_text: str | None = None  # the body received (key scrubbed); for streams, the joined events


@lazy_dataclass
class ModelHooks:
    observer: Callable[[CallRecord], None] | None = None
    admission: Admission = field(default_factory=Admission)

    def observe(self, record: CallRecord) -> None:
        if self.observer is None:
            return
        try:
            self.observer(record)
        except Exception:  # an observer must never break a model call
            pass
