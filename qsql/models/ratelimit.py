"""Sending as fast as the provider allows, and no faster.

DashScope limits requests and tokens per minute per model and answers ``429
Throttling.RateQuota`` (requests) or ``429 Throttling.AllocationQuota`` (tokens) beyond them.
Two ways to stay under the limit, used together:

* **Declared limits** (model options 'requests-per-minute', 'tokens-per-minute'): a token
  bucket per limit. It refills at the limit less a 3% margin and holds only 1% of a minute in
  reserve (enough to catch up after the client was held up), so requests go out evenly and no minute — however the provider counts it, a
  sliding window or fixed ones — sees more than the limit. Tokens are estimated when a
  request's turn comes (its prompt estimate times the ratio of total to prompt tokens seen so
  far; estimated on arrival, the requests queued before the first reply were charged up to 6x
  their cost) and the bucket is corrected by the reply's ``usage`` afterwards; a refund lets
  the next requests in line go at once.

* **Adaptive control** (always on): the number of requests in flight starts at
  'max-concurrent-operations', halves on a throttling 429 and grows by one per round of
  clean replies, never above the maximum. Halving alone cannot stop the 429s of a per-minute
  quota that was spent in the first seconds (every request answers 429 until the minute has
  passed, however few are in flight), so on a throttling 429 the controller also takes what
  the provider accepted in the last minute as the quota it found, and from then on keeps at
  most that many requests (or tokens, for a token quota) in any minute, counting a request
  from its reply so that clock differences never let one more in. The quota creeps up by 1%
  per minute of clean replies and is lowered again on the next throttling 429.

Nothing here sends a request: :meth:`RateController.attempt` wraps one HTTP attempt
(``async with controller.attempt(estimated_tokens) as slot``, then ``slot.status`` etc.
filled in by the caller). The clock is injectable, so every wait is tested without sleeping.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..lazydataclass import lazy_dataclass
from .hooks import Slot  # one slot class for the transport and the rate controller

MINUTE = 60.0
MARGIN = 0.03  # declared limits are run at 97%: slack for clock skew and stalls between client and server

# Codes of 429 replies that mean "slow down" (DashScope's error-code page); other 429s
# (arrears, purchases, free quota used up) are not throttling and teach the controller nothing.
REQUEST_QUOTA_CODES = frozenset({"throttling.ratequota", "limitrequests", "limit_requests", "rate_limit_exceeded"})
TOKEN_THROTTLING_CODES = frozenset({"throttling.allocationquota", "insufficient_quota", "limit_tokens"})
NOT_THROTTLING_CODES = frozenset(
    {"commoditynotpurchased", "prepaidbilloverdue", "postpaidbilloverdue", "allocationquota.freetieronly"}
)

REQUESTS = "requests"  # over the requests-per-minute quota
TOKENS = "tokens"  # over the tokens-per-minute quota
BURST = "burst"  # throttled for a burst, or without saying which quota


class Clock(Protocol):
    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


def throttling_kind(status: int | None, code: str | None) -> str | None:
    """REQUESTS, TOKENS or BURST when a reply says the caller is sending too much, else None."""
    if status != 429:
        return None
    normalized = (code or "").strip().lower()
    if normalized in NOT_THROTTLING_CODES or "free allocated quota" in normalized:
        return None
    if normalized in TOKEN_THROTTLING_CODES:
        return TOKENS
    if normalized in REQUEST_QUOTA_CODES:
        return REQUESTS
    return BURST  # Throttling.BurstRate, plain Throttling, or a 429 that names no code


@dataclass(eq=False)
class _InLine:
    """A caller waiting in a corrected bucket's line."""

    granted: Any  # asyncio.Future, resolved with the tokens taken
    cost: Callable[[], float]
    amount: float | None = None  # the cost, evaluated when the caller reached the head


class TokenBucket:
    """A bucket of ``per_minute`` tokens a minute (less the margin) holding at most ``capacity``.

    A request of cost c waits until the bucket holds min(c, capacity), then takes c — the
    level may go below zero, so a request larger than the capacity still goes, and the next
    ones wait for the debt to be refilled. Over any interval of t seconds at most
    capacity + c_max + rate * t is spent. Each caller reserves its tokens when it arrives, so
    waiting callers go in arrival order, each exactly as long as it must.
    """

    def __init__(
        self,
        per_minute: float,
        clock: Clock,
        capacity: float = 1.0,
        margin: float = MARGIN,
        corrected: bool = False,
    ) -> None:
        if per_minute <= 0:
            raise ValueError("a rate limit must be positive")
        self.per_minute = per_minute
        self.rate = per_minute * (1 - margin) / MINUTE  # per second
        self.capacity = max(capacity, 1e-9)
        self.clock = clock
        self.level = self.capacity
        self._updated = clock.monotonic()
        # Costs corrected after the fact (tokens): a caller looks again when its wait is over
        # instead of holding a reservation, so a refund is used by whoever comes next.
        self.corrected = corrected
        self._line: deque[_InLine] = deque()  # callers waiting their turn (corrected costs only)
        self._timer: Any = None  # the task that wakes the line when the head's tokens are due
        self._timer_due = 0.0

    def _refill(self) -> None:
        now = self.clock.monotonic()
        self.level = min(self.capacity, self.level + (now - self._updated) * self.rate)
        self._updated = now

    def wait_time(self, cost: float) -> float:
        self._refill()
        need = min(cost, self.capacity)
        # (The tolerance keeps float rounding from asking for a wait too short to pass.)
        return 0.0 if self.level >= need - 1e-9 else (need - self.level) / self.rate

    def reserve(self, cost: float) -> float:
        """Take ``cost`` tokens now; returns how long to wait before using them."""
        self._refill()
        need = min(cost, self.capacity)
        delay = 0.0 if self.level >= need - 1e-9 else (need - self.level) / self.rate
        self.level -= cost
        return delay

    async def acquire(self, cost: float | Callable[[], float]) -> float:
        """Wait for ``cost`` tokens; returns the tokens taken. Cancelled while waiting: refunded.

        A corrected bucket takes ``cost`` as a function, evaluated when the caller's turn comes:
        an estimate made on arrival would miss everything learned while it waited in line."""
        if self.corrected:
            return await self._acquire_in_turn(cost if callable(cost) else (lambda: cost))
        amount = cost() if callable(cost) else cost
        delay = self.reserve(amount)
        if delay > 0:
            try:
                await self.clock.sleep(delay)
            except BaseException:
                self.correct(amount, 0)
                raise
        return amount

    async def _acquire_in_turn(self, cost: Callable[[], float]) -> float:
        """First come first served. Callers wait on a future; :meth:`_dispatch` grants every
        caller at the head of the line whose tokens are there, all in one pass, and a single
        timer wakes it for the next. So a line of callers is not released one per event-loop
        iteration, and a refund (:meth:`correct`) is used at once rather than after a sleep
        computed before it came."""
        import asyncio

        entry = _InLine(asyncio.get_running_loop().create_future(), cost)
        self._line.append(entry)
        self._dispatch()
        try:
            return await entry.granted
        except BaseException:
            if entry.granted.done() and not entry.granted.cancelled():
                self.correct(entry.granted.result(), 0)  # granted, then cancelled before it ran
            elif entry in self._line:
                self._line.remove(entry)
                self._dispatch()
            raise

    def _dispatch(self) -> None:
        """Grant the head of the line while the bucket holds its tokens; else set the timer."""
        self._refill()
        while self._line:
            entry = self._line[0]
            if entry.amount is None:
                entry.amount = max(0.0, float(entry.cost()))
            need = min(entry.amount, self.capacity)
            if self.level < need - 1e-9:
                self._arm((need - self.level) / self.rate)
                return
            self._line.popleft()
            self.level -= entry.amount
            if not entry.granted.done():
                entry.granted.set_result(entry.amount)
            else:
                self.level += entry.amount  # cancelled meanwhile: nothing taken
        self._disarm()

    def _arm(self, delay: float) -> None:
        import asyncio

        due = self.clock.monotonic() + delay
        if self._timer is not None and not self._timer.done():
            if self._timer_due <= due + 1e-9:
                return  # an earlier wake-up is already set; it will look again
            self._timer.cancel()
        self._timer_due = due
        self._timer = asyncio.get_running_loop().create_task(self._wake_after(delay))

    def _disarm(self) -> None:
        if self._timer is not None and not self._timer.done():
            self._timer.cancel()
        self._timer = None

    async def _wake_after(self, delay: float) -> None:
        await self.clock.sleep(delay)
        self._timer = None
        self._dispatch()

    def correct(self, estimated: float, actual: float) -> None:
        """The reply said it cost ``actual``, not the ``estimated`` taken: settle the difference."""
        self._refill()
        self.level = min(self.capacity, self.level - (actual - estimated))
        if self._line:
            self._dispatch()  # a refund may let the next callers go now


class MinuteWindow:
    """At most ``quota`` units in any trailing minute, counted from each reply (conservative:
    the server saw the request before the reply left it). Units of requests still in flight
    count as sent now."""

    def __init__(self, quota: float, clock: Clock) -> None:
        self.quota = quota
        self.clock = clock
        self._done: deque[tuple[float, float]] = deque()  # (reply time, units)
        self._done_units = 0.0
        self.in_flight_units = 0.0

    def _expire(self) -> None:
        horizon = self.clock.monotonic() - MINUTE
        while self._done and self._done[0][0] <= horizon:
            self._done_units -= self._done.popleft()[1]

    def used(self) -> float:
        self._expire()
        return self._done_units + self.in_flight_units

    def wait_time(self, units: float) -> float:
        """0 when ``units`` more fit now, else how long until the oldest entry leaves the minute."""
        used = self.used()
        if used + units <= self.quota or used == 0:
            return 0.0
        if not self._done:
            return 1.0  # everything counted is still in flight: look again shortly
        return max(self._done[0][0] + MINUTE - self.clock.monotonic(), 1e-3)

    def record(self, units: float) -> None:
        self.record_at(self.clock.monotonic(), units)

    def record_at(self, when: float, units: float) -> None:
        self._done.append((when, units))
        self._done_units += units


@lazy_dataclass
class RateReport:
    """What the controller saw, for the summary line."""

    throttled: int = 0  # attempts answered with a throttling 429
    attempts: int = 0
    settled_rps: float | None = None  # requests/s it settled at, when it was throttled
    settled_tpm: float | None = None  # tokens/minute it settled at, when a token quota throttled it
    concurrency: int = 0  # requests in flight it settled at
    declared: list[str] = field(default_factory=list)

    def describe(self) -> str | None:
        if self.throttled and self.settled_rps is not None:
            share = 100 * self.throttled / max(self.attempts, 1)
            tokens = f" and ~{self.settled_tpm:,.0f} tokens/minute" if self.settled_tpm else ""
            return (
                f"provider rate limit found: settled at ~{self.settled_rps:.3g} requests/s{tokens}, "
                f"{self.concurrency} in flight ({self.throttled} of {self.attempts} requests throttled, {share:.1f}%)"
            )
        if self.declared:
            return "paced to " + " and ".join(self.declared)
        return None


class RateController:
    """Admission for one model's HTTP attempts: declared limits, adaptive concurrency, learned quotas."""

    def __init__(
        self,
        clock: Clock,
        max_concurrency: int,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        decrease: float = 0.5,
    ) -> None:
        self.clock = clock
        self.max_concurrency = max(1, max_concurrency)
        self.concurrency = float(self.max_concurrency)
        self.decrease = decrease
        # Both buckets hold 1% of their minute (at least one request): enough to catch up after a
        # stall of the client, far less than the margin, so no minute ever sees more than the limit.
        self.request_bucket = (
            TokenBucket(requests_per_minute, clock, capacity=max(1.0, requests_per_minute * 0.01))
            if requests_per_minute
            else None
        )
        self.token_bucket = (
            TokenBucket(tokens_per_minute, clock, capacity=max(1.0, tokens_per_minute * 0.01), corrected=True)
            if tokens_per_minute
            else None
        )
        self.request_quota: MinuteWindow | None = None  # learned from throttling 429s
        self.token_quota: MinuteWindow | None = None
        # The declared quotas also as trailing-minute counts, from each reply, with requests in
        # flight counted as sent now: the bucket paces, these make sure that no stall of the
        # client or the server (requests admitted evenly but arriving in a bunch) ever puts
        # more than the quota in any minute the server counts. They bind only after a stall.
        self.declared_requests = MinuteWindow(requests_per_minute, clock) if requests_per_minute else None
        self.declared_tokens = MinuteWindow(tokens_per_minute, clock) if tokens_per_minute else None
        self.in_flight = 0
        self._waiters: deque = deque()  # futures of attempts waiting for a free place in flight
        self._round = 0  # attempts started so far
        self._last_decrease_round = -1
        self._accepted: deque[tuple[float, int]] = deque()  # (reply time, total tokens) within the last minute
        self._tokens_per_prompt_token = 2.0  # learned from usage: total tokens per estimated prompt token
        self._learned = False
        self._first_reply: float | None = None
        self.report = RateReport()
        if requests_per_minute:
            self.report.declared.append(f"{requests_per_minute:g} requests/minute")
        if tokens_per_minute:
            self.report.declared.append(f"{tokens_per_minute:g} tokens/minute")

    # ---------------------------------------------------------------- estimates
    def estimate_tokens(self, prompt_estimate: int) -> float:
        """Total tokens (prompt and reply) a request is expected to cost."""
        return max(1.0, prompt_estimate * self._tokens_per_prompt_token)

    def _learn_ratio(self, prompt_estimate: int, actual_total: int) -> None:
        if prompt_estimate <= 0 or actual_total <= 0:
            return
        ratio = actual_total / prompt_estimate
        if not self._learned:
            self._tokens_per_prompt_token, self._learned = ratio, True
        else:
            # Leaning to the larger ratio: an under-estimate risks a 429, an over-estimate a little speed.
            weight = 0.3 if ratio > self._tokens_per_prompt_token else 0.05
            self._tokens_per_prompt_token += weight * (ratio - self._tokens_per_prompt_token)

    # ---------------------------------------------------------------- admission
    async def _admit(self, prompt_estimate: int) -> float:
        """Wait until the attempt may go; returns the tokens it is estimated (and charged) to cost."""
        if self.request_bucket is not None:
            await self.request_bucket.acquire(1)
        if self.token_bucket is not None:
            # Estimated when its turn comes, with what the replies so far have taught.
            tokens = await self.token_bucket.acquire(lambda: self.estimate_tokens(prompt_estimate))
        else:
            tokens = self.estimate_tokens(prompt_estimate)
        while True:
            if self.in_flight >= int(self.concurrency):
                import asyncio

                waiter = asyncio.get_running_loop().create_future()
                self._waiters.append(waiter)
                try:
                    await waiter
                finally:
                    if waiter in self._waiters:
                        self._waiters.remove(waiter)
                continue
            delay = 0.0
            for window, units in self._windows(tokens):
                delay = max(delay, window.wait_time(units))
            if delay <= 0:
                return tokens
            await self.clock.sleep(delay)

    def _windows(self, tokens: float) -> list[tuple[MinuteWindow, float]]:
        """The trailing-minute counts an attempt of ``tokens`` tokens must fit in."""
        pairs = (
            (self.request_quota, 1.0),
            (self.token_quota, tokens),
            (self.declared_requests, 1.0),
            (self.declared_tokens, tokens),
        )
        return [(window, units) for window, units in pairs if window is not None]

    def set_max_concurrency(self, maximum: int) -> None:
        """A new statement's 'max-concurrent-operations': the ceiling; what was learned stays below it."""
        self.max_concurrency = max(1, maximum)
        if self.report.throttled == 0 and self._last_decrease_round < 0:
            self.concurrency = float(self.max_concurrency)
        else:
            self.concurrency = min(self.concurrency, float(self.max_concurrency))

    def new_report(self) -> RateReport:
        """Start counting for a new statement; learned limits carry over."""
        declared = self.report.declared
        self.report = RateReport(declared=declared)
        return self.report

    def _wake(self) -> None:
        free = int(self.concurrency) - self.in_flight
        while free > 0 and self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                free -= 1

    @asynccontextmanager
    async def attempt(self, prompt_estimate: int = 0) -> AsyncIterator[Slot]:
        """Wrap one HTTP attempt: wait for admission, then learn from what the caller puts in the slot."""
        tokens = await self._admit(prompt_estimate)
        self.in_flight += 1
        self._round += 1
        started_round = self._round
        counted = self._windows(tokens)
        for window, units in counted:
            window.in_flight_units += units
        slot = Slot()
        try:
            yield slot
        finally:
            self.in_flight -= 1
            for window, units in counted:
                window.in_flight_units = max(0.0, window.in_flight_units - units)
            self._settle(slot, prompt_estimate, tokens, started_round)
            self._wake()

    def _settle(self, slot: Slot, prompt_estimate: int, estimated: float, started_round: int) -> None:
        self.report.attempts += 1
        kind = throttling_kind(slot.status, slot.code)
        accepted = slot.status is not None and slot.status < 400
        actual = slot.prompt_tokens + slot.completion_tokens
        if self.token_bucket is not None:
            # A refused request cost nothing; an answered one what its usage says (else the estimate).
            self.token_bucket.correct(estimated, (actual or estimated) if accepted else 0)
        if self.declared_requests is not None:
            self.declared_requests.record(1.0)  # whatever the reply: the server may have counted it
        if self.declared_tokens is not None:
            # A throttled request cost no tokens; one that got no reply may have cost its estimate.
            self.declared_tokens.record(float(actual or estimated) if accepted else 0.0 if kind else estimated)
        if accepted:
            now = self.clock.monotonic()
            if self._first_reply is None:
                self._first_reply = now
            self._accepted.append((now, actual or int(estimated)))
            self._trim(now)
            self._learn_ratio(prompt_estimate, actual)
            if self.request_quota is not None:
                self.request_quota.record(1.0)
            if self.token_quota is not None:
                self.token_quota.record(float(actual or estimated))
            self._grow()
        elif kind is not None:
            self.report.throttled += 1
            self._throttled(kind, started_round)

    def _trim(self, now: float) -> None:
        while self._accepted and self._accepted[0][0] <= now - MINUTE:
            self._accepted.popleft()

    def _grow(self) -> None:
        """Additive increase: one more in flight per round of clean replies; a learned quota
        +1% per minute's worth of clean replies."""
        if self.concurrency < self.max_concurrency:
            self.concurrency = min(float(self.max_concurrency), self.concurrency + 1 / self.concurrency)
        replies_per_minute = max(1, len(self._accepted))
        for window in (self.request_quota, self.token_quota):
            if window is not None:
                window.quota += window.quota * 0.01 / replies_per_minute

    def _throttled(self, kind: str, started_round: int) -> None:
        """Multiplicative decrease, once per round: the 429s of attempts that were already
        under way when the controller last backed off tell it nothing new."""
        if started_round <= self._last_decrease_round:
            return
        self._last_decrease_round = self._round
        self.concurrency = max(1.0, self.concurrency * self.decrease)
        self._trim(self.clock.monotonic())
        if kind == BURST or not self._accepted:
            # A burst limit, or nothing accepted yet to measure a quota by: fewer in flight
            # (and the retry's backoff) is all there is to go on.
            return
        tokens = kind == TOKENS
        accepted = float(sum(t for _, t in self._accepted)) if tokens else float(len(self._accepted))
        found = max(1.0, accepted * (1 - MARGIN))
        window = self.token_quota if tokens else self.request_quota
        if window is None:
            # What the provider took in the last minute is the quota found; the new window
            # starts holding those replies, so it waits for them to age out.
            window = MinuteWindow(found, self.clock)
            for when, total in self._accepted:
                window.record_at(when, float(total) if tokens else 1.0)
            if tokens:
                self.token_quota = window
            else:
                self.request_quota = window
        else:
            window.quota = max(1.0, window.quota * 0.9)

    # ---------------------------------------------------------------- reporting
    def summary(self) -> RateReport:
        report = self.report
        report.concurrency = int(self.concurrency)
        if report.throttled:
            now = self.clock.monotonic()
            self._trim(now)
            span = min(MINUTE, now - (self._first_reply if self._first_reply is not None else now)) or MINUTE
            measured = len(self._accepted) / span
            report.settled_rps = self.request_quota.quota / MINUTE if self.request_quota is not None else measured
            if self.token_quota is not None:
                report.settled_tpm = self.token_quota.quota
        return report
