"""When and how long to wait before sending a failed request again.

The rules follow openai-python and Flink's option names: retry 408, 409, 429, 5xx, timeouts,
dropped connections and malformed replies; never another 4xx. The wait doubles from 0.5 s up
to 20 s, with jitter, unless the server says how long (Retry-After, seconds or an HTTP date).
The clock is injectable so tests can check every wait without sleeping.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

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
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        seconds = (when - (now or dt.datetime.now(dt.timezone.utc))).total_seconds()
    return max(0.0, seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """Flink's error-handling-strategy / retry-num / retry-fallback-strategy, plus the waits."""

    strategy: str = RETRY
    retries: int = 100
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
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        base = min(self.initial_delay * 2 ** (attempt - 1), self.max_delay)
        return base * (1 - 0.25 * rng.random())


class Clock:
    """Real time. Tests pass a fake with the same two methods."""

    async def sleep(self, seconds: float) -> None:
        import asyncio

        await asyncio.sleep(seconds)

    def monotonic(self) -> float:
        return time.monotonic()
