"""When and how long to wait before sending a failed request again, and the loop that does it.

The rules follow openai-python and Flink's option names: retry 408, 409, 429, 5xx, timeouts,
dropped connections and malformed replies; never another 4xx, nor what the wire protocol
calls permanent (a 429 that is a billing state, a deterministic 500, a refused connection).
The wait doubles from 0.5 s up to 20 s, with jitter; a server's Retry-After (seconds or an
HTTP date) lengthens it but never shortens it below the backoff, so ``Retry-After: 0`` cannot
cause a retry storm. The clock is injectable so tests can check every wait without sleeping.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from ..errors import ModelError
from ..lazydataclass import lazy_dataclass

T = TypeVar("T")

RETRY = "RETRY"
FAILOVER = "FAILOVER"
IGNORE = "IGNORE"

RETRYABLE_STATUSES = frozenset({408, 409, 429})


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUSES or status >= 500


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            from email.utils import parsedate_to_datetime  # here: email loads only for a Retry-After date

            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        seconds = (when - (now or dt.datetime.now(dt.UTC))).total_seconds()
    return max(0.0, seconds)  # a negative value means "now", floored by the backoff later


DEFAULT_RETRIES = 100  # Flink's retry-num default


@lazy_dataclass(frozen=True)
class RetryPolicy:
    """Flink's error-handling-strategy / retry-num / retry-fallback-strategy, plus the waits."""

    strategy: str = RETRY
    retries: int = DEFAULT_RETRIES
    fallback: str = FAILOVER
    initial_delay: float = 0.5
    max_delay: float = 20.0
    max_retry_after: float = 600.0

    def may_retry(self, attempt: int, retryable: bool) -> bool:
        """``attempt`` counts the failures so far (1 after the first)."""
        return self.strategy == RETRY and retryable and attempt <= self.retries

    def final_action(self) -> str:
        """What happens to a row whose request failed for good: FAILOVER or IGNORE."""
        if self.strategy == RETRY:
            return self.fallback
        return self.strategy

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        base = min(self.initial_delay * 2 ** (attempt - 1), self.max_delay)
        backoff = base * (1 - 0.25 * rng.random())
        if retry_after is not None:
            # Floored by the backoff: 'Retry-After: 0' (or negative) must not mean "hammer me".
            return max(backoff, min(retry_after, self.max_retry_after))
        return backoff


async def run_with_retries(
    send: Callable[[int], Awaitable[T]],
    policy: RetryPolicy,
    clock: Clock,
    rng: random.Random,
    on_retry: Callable[[int, ModelError, float], None] | None = None,
) -> T:
    """Call ``send(attempt)`` (attempt 1, 2, ...) until it returns, or raise its last ModelError
    once the policy says stop. ``on_retry(attempt, error, delay)`` hears of each wait."""
    attempt = 0
    while True:
        try:
            return await send(attempt + 1)
        except ModelError as error:
            attempt += 1
            if not policy.may_retry(attempt, error.retryable):
                raise
            delay = policy.delay(attempt, error.retry_after, rng)
            if on_retry is not None:
                on_retry(attempt, error, delay)
            await clock.sleep(delay)


class Clock:
    """Real time. Tests pass a fake with the same two methods."""

    async def sleep(self, seconds: float) -> None:
        import asyncio

        await asyncio.sleep(seconds)

    def monotonic(self) -> float:
        return time.monotonic()
