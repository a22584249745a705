"""Client-side rate limits and adaptive concurrency, in virtual time against the stub's limiter.

The "server" here is the stub's own sliding-window quota (qsql/stub/ratelimit.py) driven by the
same simulated clock, so a 2,000-request run at 600 requests/minute takes milliseconds and is
exactly repeatable.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from qsql.models.ratelimit import (
    BURST,
    REQUESTS,
    TOKENS,
    MinuteWindow,
    RateController,
    TokenBucket,
    throttling_kind,
)
from qsql.stub.ratelimit import RateLimits, SlidingWindowLimiter

from .simclock import SimClock


@dataclass
class Outcome:
    wall: float
    attempts: int
    throttled: int
    failed: int
    controller: RateController
    server: SlidingWindowLimiter


def simulate(
    rows: int,
    limits: RateLimits,
    controller_factory,
    latency: float = 0.2,
    tokens_per_row: int = 30,
    prompt_estimate: int = 15,
    concurrency: int = 50,
    retries: int = 100,
    server_delay=None,
) -> Outcome:
    """``rows`` requests through the controller to a simulated rate-limited server: each row is
    retried after a 429 (with openai-python's backoff) until it succeeds or retries run out."""
    clock = SimClock()
    server = SlidingWindowLimiter(limits, clock=clock.monotonic)
    controller = controller_factory(clock)
    counts = {"attempts": 0, "throttled": 0, "failed": 0}

    async def one_row() -> None:
        for attempt in range(1, retries + 2):
            async with controller.attempt(prompt_estimate) as slot:
                counts["attempts"] += 1
                if server_delay is not None:  # the request reaches the server late (a stall)
                    await clock.sleep(server_delay(clock.now))
                refusal = server.admit(tokens_per_row)
                if refusal is None:
                    await clock.sleep(latency)
                    slot.status, slot.prompt_tokens, slot.completion_tokens = (
                        200,
                        tokens_per_row // 2,
                        tokens_per_row - tokens_per_row // 2,
                    )
                    return
                await clock.sleep(0.01)
                slot.status, slot.code = 429, refusal.code
                counts["throttled"] += 1
            await clock.sleep(min(0.5 * 2 ** (attempt - 1), 20.0))
        counts["failed"] += 1

    async def run_all() -> None:
        # Like the runtime: at most `concurrency` rows under way at once.
        gate = asyncio.Semaphore(concurrency)

        async def guarded() -> None:
            async with gate:
                await one_row()

        await asyncio.gather(*(guarded() for _ in range(rows)))

    clock.run(run_all())
    return Outcome(clock.elapsed, counts["attempts"], counts["throttled"], counts["failed"], controller, server)


# ------------------------------------------------------------------ units


def test_throttling_kinds() -> None:
    assert throttling_kind(429, "Throttling.RateQuota") == REQUESTS
    assert throttling_kind(429, "Throttling.BurstRate") == BURST
    assert throttling_kind(429, None) == BURST
    assert throttling_kind(429, "Throttling.AllocationQuota") == TOKENS
    assert throttling_kind(429, "insufficient_quota") == TOKENS
    assert throttling_kind(429, "PrepaidBillOverdue") is None
    assert throttling_kind(503, "Throttling") is None
    assert throttling_kind(None, None) is None


def test_token_bucket_paces_evenly_at_the_limit_less_the_margin() -> None:
    clock = SimClock()
    bucket = TokenBucket(600, clock)  # 600/minute at 97%: one every 1/9.7 s
    sent: list[float] = []

    async def go() -> None:
        async def one() -> None:
            await bucket.acquire(1)
            sent.append(clock.now)

        await asyncio.gather(*(one() for _ in range(100)))

    clock.run(go())
    gaps = [b - a for a, b in zip(sent, sent[1:])]
    assert sent[0] == clock.start
    assert min(gaps) == pytest.approx(1 / 9.7)
    assert max(gaps) == pytest.approx(1 / 9.7)


def test_token_bucket_lets_a_large_request_through_and_makes_the_next_wait() -> None:
    clock = SimClock()
    bucket = TokenBucket(6000, clock, capacity=60)  # 97 tokens/s
    assert bucket.reserve(500) == 0  # more than the capacity: goes when the bucket is full ...
    assert bucket.reserve(10) == pytest.approx(450 / 97)  # ... and the next waits for the debt


def test_token_bucket_corrections_refund_and_charge() -> None:
    clock = SimClock()
    bucket = TokenBucket(6000, clock, capacity=60)
    bucket.reserve(40)
    bucket.correct(40, 10)  # the reply cost less: 30 back
    assert bucket.level == pytest.approx(50)
    bucket.correct(10, 110)  # far more: the bucket owes 100
    assert bucket.level == pytest.approx(-50)
    assert bucket.wait_time(1) == pytest.approx(51 / 97)
    assert bucket.reserve(1) == pytest.approx(51 / 97)


def test_a_cancelled_wait_gives_its_tokens_back() -> None:
    clock = SimClock()
    bucket = TokenBucket(60, clock)  # 0.97/s

    async def go() -> None:
        await bucket.acquire(1)
        waiting = asyncio.ensure_future(bucket.acquire(1))
        await asyncio.sleep(0)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting

    clock.run(go())
    assert bucket.level == pytest.approx(0, abs=1e-9)


def test_minute_window_waits_for_the_oldest_reply_to_age_out() -> None:
    clock = SimClock()
    window = MinuteWindow(3, clock)
    for _ in range(3):
        window.record(1)
        clock.now += 10
    assert window.wait_time(1) == pytest.approx(30)  # the first reply left the minute at +60
    clock.now += 30
    assert window.wait_time(1) == 0


def test_controller_never_exceeds_max_concurrency_and_reports_nothing_when_unthrottled() -> None:
    clock = SimClock()
    controller = RateController(clock, max_concurrency=4)
    peak = {"now": 0, "max": 0}

    async def one() -> None:
        async with controller.attempt(10) as slot:
            peak["now"] += 1
            peak["max"] = max(peak["max"], peak["now"])
            await clock.sleep(1)
            peak["now"] -= 1
            slot.status = 200

    async def go() -> None:
        await asyncio.gather(*(one() for _ in range(20)))

    clock.run(go())
    assert peak["max"] == 4
    assert clock.elapsed == pytest.approx(5)
    assert controller.summary().describe() is None


def test_multiplicative_decrease_once_per_round_and_additive_growth() -> None:
    clock = SimClock()
    controller = RateController(clock, max_concurrency=32)

    async def go() -> None:
        # 8 attempts under way together all come back 429: one decrease, not eight.
        async def throttled() -> None:
            async with controller.attempt(1) as slot:
                await clock.sleep(0.1)
                slot.status, slot.code = 429, "Throttling.RateQuota"

        await asyncio.gather(*(throttled() for _ in range(8)))
        assert controller.concurrency == 16
        await throttled()  # started after the decrease: a new round
        assert controller.concurrency == 8
        for _ in range(8):  # a round of clean replies: one more in flight
            async with controller.attempt(1) as slot:
                slot.status = 200
        assert controller.concurrency == pytest.approx(9, abs=0.1)

    clock.run(go())


def test_tokens_estimate_learns_from_usage() -> None:
    clock = SimClock()
    controller = RateController(clock, max_concurrency=1, tokens_per_minute=10_000)
    assert controller.estimate_tokens(10) == 20  # before any reply: twice the prompt estimate

    async def go() -> None:
        async with controller.attempt(10) as slot:
            slot.status, slot.prompt_tokens, slot.completion_tokens = 200, 20, 20

    clock.run(go())
    assert controller.estimate_tokens(10) == 40


# ------------------------------------------------------------------ against the stub's quota


def test_declared_rpm_sends_no_429_and_runs_at_the_limit() -> None:
    limits = RateLimits(requests_per_minute=600)
    outcome = simulate(2000, limits, lambda clock: RateController(clock, 50, requests_per_minute=600))
    ideal = 2000 / 600 * 60
    assert outcome.throttled == 0 and outcome.failed == 0
    assert outcome.wall <= 1.10 * ideal
    assert outcome.controller.summary().describe() == "paced to 600 requests/minute"


def test_declared_tpm_sends_no_429_and_runs_at_the_limit() -> None:
    limits = RateLimits(tokens_per_minute=12_000)  # 30 tokens a row: 400 rows a minute
    outcome = simulate(2000, limits, lambda clock: RateController(clock, 50, tokens_per_minute=12_000))
    ideal = 2000 * 30 / 12_000 * 60
    assert outcome.throttled == 0 and outcome.failed == 0
    assert outcome.wall <= 1.10 * ideal


def test_undeclared_rpm_finds_the_limit_with_few_429s() -> None:
    limits = RateLimits(requests_per_minute=600)
    outcome = simulate(2000, limits, lambda clock: RateController(clock, 50))
    ideal = 2000 / 600 * 60
    assert outcome.failed == 0
    assert outcome.throttled < 0.05 * outcome.attempts
    assert outcome.wall <= 1.30 * ideal
    report = outcome.controller.summary()
    assert report.settled_rps == pytest.approx(10, rel=0.1)
    assert "settled at ~" in report.describe()
    assert "tokens/minute" not in report.describe()


def test_undeclared_tpm_finds_the_limit_with_few_429s() -> None:
    limits = RateLimits(tokens_per_minute=12_000)
    outcome = simulate(2000, limits, lambda clock: RateController(clock, 50))
    ideal = 2000 * 30 / 12_000 * 60
    assert outcome.failed == 0
    assert outcome.throttled < 0.05 * outcome.attempts
    assert outcome.wall <= 1.30 * ideal


def test_a_fixed_concurrency_client_hammers_the_quota() -> None:
    """Today's behaviour, for contrast: without the controller most attempts are refused."""
    limits = RateLimits(requests_per_minute=600)

    class Fixed:
        def __init__(self, clock: SimClock) -> None:
            self.clock = clock

        def attempt(self, prompt_estimate: int = 0):
            from contextlib import asynccontextmanager

            from qsql.models.ratelimit import Slot

            @asynccontextmanager
            async def cm():
                yield Slot()

            return cm()

    outcome = simulate(2000, limits, Fixed)
    assert outcome.throttled > 0.3 * outcome.attempts


def test_a_token_quota_found_is_reported_in_tokens_per_minute() -> None:
    outcome = simulate(600, RateLimits(tokens_per_minute=6_000), lambda clock: RateController(clock, 50))
    report = outcome.controller.summary()
    assert report.settled_tpm == pytest.approx(6_000, rel=0.15)
    assert "tokens/minute" in report.describe()


def test_a_429_before_any_success_or_for_a_burst_only_lowers_concurrency() -> None:
    clock = SimClock()
    controller = RateController(clock, max_concurrency=8)

    async def go() -> None:
        async with controller.attempt(1) as slot:
            slot.status, slot.code = 429, "Throttling.RateQuota"
        async with controller.attempt(1) as slot:
            slot.status = 200
        async with controller.attempt(1) as slot:
            slot.status, slot.code = 429, "Throttling.BurstRate"

    clock.run(go())
    assert controller.request_quota is None and controller.token_quota is None
    assert controller.concurrency < 8


def test_a_429_that_is_not_throttling_teaches_nothing() -> None:
    clock = SimClock()
    controller = RateController(clock, max_concurrency=8)

    async def go() -> None:
        async with controller.attempt(1) as slot:
            slot.status, slot.code = 429, "PrepaidBillOverdue"

    clock.run(go())
    assert controller.concurrency == 8 and controller.summary().throttled == 0


def test_declared_tpm_keeps_pace_when_the_first_estimate_is_far_off() -> None:
    """The prompt estimate here is 5x the real cost (as qsql's character-based estimate is for the
    stub's word-counted usage). Callers that queued before the first reply came back must be
    charged with what that reply taught, not with the estimate made when they arrived: charged
    on arrival, the first 50 rows cost 5x their tokens and the run was 1.15x the ideal."""
    limits = RateLimits(tokens_per_minute=12_000)
    outcome = simulate(
        2000, limits, lambda clock: RateController(clock, 50, tokens_per_minute=12_000), prompt_estimate=75
    )
    ideal = 2000 * 30 / 12_000 * 60
    assert outcome.throttled == 0 and outcome.failed == 0
    assert outcome.wall <= 1.05 * ideal


def test_a_refund_releases_every_waiting_caller_it_pays_for_at_once() -> None:
    """One pass grants all the callers at the head of the line whose tokens are there: a line
    of callers is not released one per event-loop iteration."""
    clock = SimClock()
    bucket = TokenBucket(6000, clock, capacity=60, corrected=True)

    async def go() -> None:
        first = await bucket.acquire(60)  # empties the bucket
        waiting = [asyncio.ensure_future(bucket.acquire(10)) for _ in range(5)]
        await asyncio.sleep(0)
        assert not any(task.done() for task in waiting)
        bucket.correct(first, 10)  # the reply cost 10, not 60: 50 back
        await asyncio.sleep(0)  # one iteration: each granted caller resumes
        assert [task.done() for task in waiting] == [True] * 5
        assert bucket.level == pytest.approx(0, abs=1e-6)

    clock.run(go())
    assert clock.elapsed == 0


def stalls(period: float, length: float):
    """A server that stops for ``length`` seconds every ``period``: what arrives meanwhile is
    counted when it resumes, all at once (as a descheduled stub process does)."""

    def delay(now: float) -> float:
        into = (now - 1000.0) % period
        return period - into if into > period - length else 0.0

    return delay


@pytest.mark.parametrize("declare", ["requests", "tokens"])
def test_declared_limits_send_no_429_when_the_server_stalls(declare: str) -> None:
    """Requests paced evenly but counted by the server in bunches after its stalls: the pacing
    alone let a minute see more than the quota; the declared quota, kept also as a count of
    the trailing minute from each reply, does not."""
    if declare == "requests":
        limits = RateLimits(requests_per_minute=600)
        factory = lambda clock: RateController(clock, 50, requests_per_minute=600)  # noqa: E731
        ideal = 2000 / 600 * 60
    else:
        limits = RateLimits(tokens_per_minute=12_000)
        factory = lambda clock: RateController(clock, 50, tokens_per_minute=12_000)  # noqa: E731
        ideal = 2000 * 30 / 12_000 * 60
    outcome = simulate(2000, limits, factory, server_delay=stalls(period=17.0, length=2.5))
    assert outcome.throttled == 0 and outcome.failed == 0
    assert outcome.wall <= 1.15 * ideal
