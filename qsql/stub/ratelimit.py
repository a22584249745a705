"""The stub's rate-limit mode: DashScope's per-minute quotas, so throttling is testable offline.

A request is admitted when, in the sliding window of the last minute, fewer than
``requests_per_minute`` requests and at most ``tokens_per_minute`` tokens (prompt plus reply,
what the reply's ``usage`` says) were admitted before it; otherwise it is answered at once
with DashScope's 429 in compatible mode's spelling: ``limit_requests`` (the error-code page's
``Throttling.RateQuota``) for requests, ``insufficient_quota`` (``Throttling.AllocationQuota``)
for tokens; an OpenAI or DeepSeek model gets OpenAI's ``rate_limit_exceeded``. Refused requests use no quota. DashScope sends no Retry-After (none is documented
or seen in public reports), so neither does the stub.

``minute`` is how many seconds a minute lasts: 60, or less for benchmarks that would otherwise
take minutes per run (say so when you use it).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

# DashScope compatible mode (the reference's error table; the requests reply as public clients
# record it, e.g. {"error": {"message": "Requests rate limit exceeded, please try again later.",
# "code": "limit_requests"}}).
REQUESTS_CODE = "limit_requests"
REQUESTS_MESSAGE = "Requests rate limit exceeded, please try again later."
TOKENS_CODE = "insufficient_quota"
TOKENS_MESSAGE = "You exceeded your current quota, please check your plan and billing details."
# OpenAI's spelling, for OpenAI and DeepSeek model names.
OPENAI_CODE = "rate_limit_exceeded"
OPENAI_MESSAGES = {REQUESTS_CODE: "Rate limit reached for requests", TOKENS_CODE: "Rate limit reached for tokens"}


@dataclass(frozen=True)
class RateLimits:
    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None
    minute: float = 60.0

    def __post_init__(self) -> None:
        for name in ("requests_per_minute", "tokens_per_minute"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be positive")
        if self.minute <= 0:
            raise ValueError("minute must be positive")


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str

    def for_vendor(self, vendor: str) -> Refusal:
        """The same refusal as the model's own service words it (``rules.vendor``)."""
        if vendor == "qwen":
            return self
        return Refusal(OPENAI_CODE, OPENAI_MESSAGES.get(self.code, self.message))


class SlidingWindowLimiter:
    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._admitted: deque[tuple[float, int]] = deque()  # (arrival, tokens)
        self._tokens = 0
        self.admitted = 0
        self.refused_requests = 0
        self.refused_tokens = 0

    def _expire(self, now: float) -> None:
        horizon = now - self.limits.minute
        while self._admitted and self._admitted[0][0] <= horizon:
            self._tokens -= self._admitted.popleft()[1]

    def admit(self, tokens: int) -> Refusal | None:
        """Count a request of ``tokens`` tokens arriving now, or say why it is refused."""
        now = self.clock()
        self._expire(now)
        rpm, tpm = self.limits.requests_per_minute, self.limits.tokens_per_minute
        if rpm is not None and len(self._admitted) >= rpm:
            self.refused_requests += 1
            return Refusal(REQUESTS_CODE, REQUESTS_MESSAGE)
        if tpm is not None and self._tokens + tokens > tpm and self._admitted:
            self.refused_tokens += 1
            return Refusal(TOKENS_CODE, TOKENS_MESSAGE)
        self._admitted.append((now, tokens))
        self._tokens += tokens
        self.admitted += 1
        return None

    @property
    def refused(self) -> int:
        return self.refused_requests + self.refused_tokens
