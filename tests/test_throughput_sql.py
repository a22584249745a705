"""Rate limits and the Batch File API through SQL, against the stub on loopback. Time is a fake
clock shared by qsql and the stub's quota, advanced only by qsql's waits: nothing sleeps."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from qsql.errors import ModelError
from qsql.models.batch_store import BatchStore
from qsql.stub import BatchOptions, RateLimits, StubOptions, StubServer
from qsql.stub.ratelimit import SlidingWindowLimiter

from .conftest import SqlRunner


class FakeClock:
    """Virtual time: when every task is asleep on this clock, time jumps to the earliest wake-up
    and that sleeper wakes (looked at every 2 ms of real time). Waits of many minutes take
    milliseconds, concurrent sleepers wake in order, and no time passes while a request is on
    the wire, so the stub's quota, which reads the same clock, sees what real time would show."""

    def __init__(self, interrupt_after_sleeps: int | None = None) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self.interrupt_after = interrupt_after_sleeps
        self._sleepers: list = []
        self._order = itertools.count()
        self._ticking = False
        self._last_look: object = None
        self.busy: Callable[[], bool] | None = None  # requests on the wire, when known

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.interrupt_after is not None and len(self.sleeps) > self.interrupt_after:
            raise KeyboardInterrupt
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), next(self._order), future))
        if not self._ticking:
            self._ticking = True
            loop.call_later(0.002, self._tick, loop)
        await future

    def _tick(self, loop: asyncio.AbstractEventLoop) -> None:
        # Time stands still while any task is doing something else (a request on the wire):
        # only when every task but the runtime's waiter sleeps on this clock does it jump.
        # And only when that was already so at the previous look with the same tasks, since a
        # request that just finished leaves a moment before the runtime starts the next one.
        # With a rate controller, "something else" is exactly its requests in flight (tasks may
        # also wait their turn behind a sleeper, not on the clock).
        sleeping = sum(1 for _, _, future in self._sleepers if not future.done())
        tasks = asyncio.all_tasks(loop)
        busy = self.busy() if self.busy is not None else sleeping < len(tasks) - 1
        snapshot = (sleeping, frozenset(id(task) for task in tasks), busy)
        settled, self._last_look = snapshot == self._last_look, snapshot
        if busy or not settled:
            loop.call_later(0.002, self._tick, loop)
            return
        while self._sleepers:
            wake, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                self.now = max(self.now, wake)
                future.set_result(None)
                break
        if self._sleepers:
            loop.call_later(0.002, self._tick, loop)
        else:
            self._ticking = False

    def monotonic(self) -> float:
        return self.now


def paced_runner(server: StubServer, clock: FakeClock) -> SqlRunner:
    runner = SqlRunner(stub_base_url=server.base_url, clock=clock)
    admission = runner.session.rate_admission
    clock.busy = (lambda: admission.in_flight() > 0) if admission is not None else None
    return runner


def limited_stub(limits: RateLimits, clock: FakeClock) -> StubServer:
    server = StubServer(options=StubOptions(rate_limits=limits))
    server.rate_limiter = SlidingWindowLimiter(limits, clock=clock.monotonic)
    return server


def model(options: str = "", outputs: str = "content STRING") -> str:
    return (
        f"CREATE MODEL m INPUT (input STRING) OUTPUT ({outputs}) "
        f"WITH ('provider' = 'qwen', 'model' = 'qwen-plus'{options});"
    )


def rows_view(count: int) -> str:
    return "CREATE TEMPORARY VIEW t (id, txt) AS VALUES " + ", ".join(f"({i}, 'row {i}')" for i in range(count)) + ";"


def predict(concurrency: int = 10) -> str:
    return (
        f"SELECT id, content FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(txt), "
        f"MAP['max-concurrent-operations', '{concurrency}'])"
    )


# ------------------------------------------------------------------ rate limits


def test_a_declared_request_quota_is_never_exceeded() -> None:
    clock = FakeClock()
    with limited_stub(RateLimits(requests_per_minute=6), clock) as server:
        runner = paced_runner(server, clock)
        try:
            runner(model(", 'requests-per-minute' = '6'") + rows_view(20))
            run = runner(predict())
        finally:
            runner.close()
        assert server.rate_limiter.refused == 0
    (result,) = run.results
    assert sorted(result.rows) == [(i, f"[stub] row {i}") for i in range(20)]
    # 20 requests at 6 a minute less the 3% margin: at least 19 gaps of 60/5.82 s.
    assert clock.now - 1000.0 >= 19 * 60 / 5.82 - 1e-6
    assert "paced to 6 requests/minute" in result.predict[0].notes[0]


def test_a_declared_token_quota_is_never_exceeded() -> None:
    clock = FakeClock()
    # Each row costs 5 (system) + 2 (row i) + 3 ([stub] row i) = 10 tokens.
    with limited_stub(RateLimits(tokens_per_minute=60), clock) as server:
        runner = paced_runner(server, clock)
        try:
            runner(model(", 'tokens-per-minute' = '60'") + rows_view(15))
            (result,) = runner(predict()).results
        finally:
            runner.close()
        assert server.rate_limiter.refused == 0
    assert len(result.rows) == 15


def test_an_undeclared_quota_is_found_and_reported() -> None:
    clock = FakeClock()
    with limited_stub(RateLimits(requests_per_minute=10), clock) as server:
        runner = paced_runner(server, clock)
        try:
            runner(model() + rows_view(40))
            (result,) = runner(predict(concurrency=8)).results
        finally:
            runner.close()
        refused, admitted = server.rate_limiter.refused, server.rate_limiter.admitted
    assert len(result.rows) == 40 and result.predict[0].failed_rows == 0
    assert admitted == 40
    # Without the controller every row past the tenth would be refused again and again (see
    # test_fixed_concurrency_without_the_controller); with it, few are.
    assert refused <= 10
    note = result.predict[0].notes[0]
    assert note.startswith("provider rate limit found: settled at ~") and "requests/s" in note


def test_fixed_concurrency_without_the_controller_is_refused_much_more() -> None:
    clock = FakeClock()
    with limited_stub(RateLimits(requests_per_minute=10), clock) as server:
        runner = SqlRunner(stub_base_url=server.base_url, clock=clock)
        runner.session.disable_rate_control()
        try:
            runner(model() + rows_view(40))
            (result,) = runner(predict(concurrency=8)).results
        finally:
            runner.close()
        refused = server.rate_limiter.refused
    assert len(result.rows) == 40 and refused > 30
    assert result.predict[0].notes == []


def test_the_summary_line_says_what_limit_was_found(tmp_path: Path) -> None:
    from qsql.render import predict_summary

    clock = FakeClock()
    with limited_stub(RateLimits(requests_per_minute=10), clock) as server:
        runner = paced_runner(server, clock)
        try:
            runner(model() + rows_view(30))
            (result,) = runner(predict(concurrency=8)).results
        finally:
            runner.close()
    assert "; provider rate limit found: settled at ~" in predict_summary(result.predict[0])


def test_explain_says_how_requests_are_paced(sql: SqlRunner) -> None:
    sql(model(", 'api-key' = 'k', 'requests-per-minute' = '600'") + rows_view(1))
    (plan,) = sql("EXPLAIN " + predict()).results
    assert "paced to 600 requests/min" in plan.text
    sql("DROP MODEL m;" + model(", 'api-key' = 'k'"))
    assert "adaptive to the provider's rate limit" in sql("EXPLAIN " + predict()).results[0].text


# ------------------------------------------------------------------ the Batch File API


@pytest.fixture
def batch_stub():
    with StubServer() as server:
        yield server


def batch_runner(server: StubServer, clock: FakeClock | None = None) -> SqlRunner:
    return SqlRunner(stub_base_url=server.base_url, clock=clock or FakeClock())


def test_batch_api_answers_every_row_through_one_batch(batch_stub: StubServer) -> None:
    runner = batch_runner(batch_stub)
    try:
        run = runner(model(", 'batch-api' = 'true'") + rows_view(5) + predict())
    finally:
        runner.close()
    result = run.results[-1]
    assert sorted(result.rows) == [(i, f"[stub] row {i}") for i in range(5)]
    assert len(batch_stub.batches.batches) == 1
    assert batch_stub.stats.by_path.get("/v1/chat/completions", 0) == 0  # nothing went the real-time way
    stats = result.predict[0]
    assert stats.requests == 5 and stats.prompt_tokens > 0
    assert stats.notes == [
        "Batch File API: the batch price applies (50% of the real-time price): 5 requests in 1 batch"
    ]
    assert "[INFO] Batch API: 1 batch completed, 5/5 requests done" in run.err


def test_batch_failures_follow_the_error_policy(batch_stub: StubServer) -> None:
    runner = batch_runner(batch_stub)
    try:
        runner(
            model(
                ", 'batch-api' = 'true', 'error-handling-strategy' = 'IGNORE'",
                outputs="content STRING, `error-string` STRING, `http-status-code` INT",
            )
            + "CREATE TEMPORARY VIEW t (id, txt) AS VALUES (1, 'fine'), (2, 'bad [[stub:status=400]]');"
        )
        (result,) = runner(
            "SELECT id, content, `error-string`, `http-status-code` FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(txt))"
        ).results
        assert sorted(result.rows, key=lambda r: r[0])[0] == (1, "[stub] fine", None, None)
        failed = sorted(result.rows, key=lambda r: r[0])[1]
        assert failed[1] is None and failed[3] == 400 and "injected failure" in failed[2]
        runner("DROP MODEL m;" + model(", 'batch-api' = 'true'"))
        with pytest.raises(ModelError, match=r"row 2 .*batch request HTTP 400"):
            runner("SELECT id, content FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(txt))")
    finally:
        runner.close()


def test_an_interrupted_batch_run_resumes_instead_of_paying_twice(batch_stub: StubServer) -> None:
    script = model(", 'batch-api' = 'true'") + rows_view(4)
    first = batch_runner(batch_stub, FakeClock(interrupt_after_sleeps=1))
    try:
        first(script)
        with pytest.raises(KeyboardInterrupt):
            first(predict())
    finally:
        first.close()
    assert len(batch_stub.batches.batches) == 1
    (record,) = BatchStore().all()
    assert not record.collected
    second = batch_runner(batch_stub)
    try:
        second(script)
        run = second(predict())
    finally:
        second.close()
    assert len(batch_stub.batches.batches) == 1  # resumed, not submitted again
    assert sorted(run.results[-1].rows) == [(i, f"[stub] row {i}") for i in range(4)]
    assert "1 resumed from an earlier run" in run.results[-1].predict[0].notes[0]
    # A third run pays nothing at all: every reply was kept.
    third = batch_runner(batch_stub)
    try:
        third(script)
        run = third(predict())
    finally:
        third.close()
    assert len(batch_stub.batches.batches) == 1
    assert run.results[-1].predict[0].requests == 0


def test_lines_failing_for_a_passing_reason_go_out_again_in_a_follow_up_batch(batch_stub: StubServer) -> None:
    """A 503 twice and a 429 once are retried in follow-up batches of just those lines; a 400
    is not (it would fail again) and goes to the error policy."""
    runner = batch_runner(batch_stub)
    try:
        runner(
            model(
                ", 'batch-api' = 'true', 'error-handling-strategy' = 'RETRY', 'retry-fallback-strategy' = 'IGNORE'",
                outputs="content STRING, `http-status-code` INT",
            )
            + "CREATE TEMPORARY VIEW t (id, txt) AS VALUES (1, 'fine'), (2, 'busy [[stub:status=503;times=2]]'), "
            "(3, 'slow down [[stub:status=429;times=1]]'), (4, 'bad [[stub:status=400]]');"
        )
        (result,) = runner(
            "SELECT id, content, `http-status-code` FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(txt))"
        ).results
    finally:
        runner.close()
    rows = sorted(result.rows, key=lambda r: r[0])
    assert rows[0] == (1, "[stub] fine", None)
    assert rows[1] == (2, "[stub] busy [[stub:status=503;times=2]]", None)
    assert rows[2] == (3, "[stub] slow down [[stub:status=429;times=1]]", None)
    assert rows[3] == (4, None, 400)
    batches = list(batch_stub.batches.batches.values())
    assert [len(b.lines) for b in batches] == [4, 2, 1]  # the job, then only the lines that may pass
    assert "(3 sent again in follow-up batches after a passing failure)" in result.predict[0].notes[0]
    assert result.predict[0].requests == 7


def test_follow_up_batches_are_bounded_and_follow_the_strategy(batch_stub: StubServer) -> None:
    runner = batch_runner(batch_stub)
    try:
        runner(
            model(", 'batch-api' = 'true', 'retry-num' = '1', 'retry-fallback-strategy' = 'IGNORE'")
            + "CREATE TEMPORARY VIEW t (id, txt) AS VALUES (1, 'down [[stub:status=503]]');"
        )
        (result,) = runner("SELECT id, content FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(txt))").results
        assert result.rows == [] and len(batch_stub.batches.batches) == 2  # one follow-up: 'retry-num' = 1
        runner(
            "DROP MODEL m;"
            + model(", 'batch-api' = 'true', 'error-handling-strategy' = 'IGNORE'")
            + "CREATE TEMPORARY VIEW u (id, txt) AS VALUES (1, 'still down [[stub:status=503]]');"
        )
        runner("SELECT id, content FROM ML_PREDICT(TABLE u, MODEL m, DESCRIPTOR(txt))")
        assert len(batch_stub.batches.batches) == 3  # IGNORE: no follow-up batch
        runner(
            "DROP MODEL m;"
            + model(", 'batch-api' = 'true', 'retry-fallback-strategy' = 'IGNORE'")
            + "CREATE TEMPORARY VIEW v (id, txt) AS VALUES (1, 'down for good [[stub:status=500]]');"
        )
        runner("SELECT id, content FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(txt))")
        assert len(batch_stub.batches.batches) == 3 + 1 + 3  # the default retry-num (100) is capped at 3 rounds
    finally:
        runner.close()


def test_a_dry_run_validates_the_first_file_with_the_free_test_model(batch_stub: StubServer) -> None:
    runner = batch_runner(batch_stub)
    try:
        run = runner(model(", 'batch-api' = 'true', 'batch-api-dry-run' = 'true'") + rows_view(3) + predict())
    finally:
        runner.close()
    trial, real = batch_stub.batches.batches.values()
    assert (trial.endpoint, {line["body"]["model"] for line in trial.lines}) == (
        "/v1/chat/ds-test",
        {"batch-test-model"},
    )
    assert (real.endpoint, {line["body"]["model"] for line in real.lines}) == ("/v1/chat/completions", {"qwen-plus"})
    assert sorted(run.results[-1].rows) == [(i, f"[stub] row {i}") for i in range(3)]
    assert "the first 3 passed a dry run with batch-test-model" in run.results[-1].predict[0].notes[0]
    assert [record.id for record in BatchStore().all()] == [real.id]  # the free trial is not a job to resume


def test_a_refused_dry_run_submits_nothing(batch_stub: StubServer) -> None:
    runner = batch_runner(batch_stub)
    try:
        runner(
            model(", 'batch-api' = 'true', 'batch-api-dry-run' = 'true'")
            + "CREATE TEMPORARY VIEW t (id, txt) AS VALUES (1, 'fine'), (2, 'bad [[stub:status=400]]');"
        )
        with pytest.raises(ModelError, match=r"dry run \(batch-test-model\) refused 1 of 2 lines"):
            runner(predict())
    finally:
        runner.close()
    (trial,) = batch_stub.batches.batches.values()
    assert trial.endpoint == "/v1/chat/ds-test"
    assert BatchStore().all() == []


def test_the_stub_holds_the_test_model_to_its_limits(batch_stub: StubServer) -> None:
    import httpx

    from qsql.models.batch_api import BatchClient, BatchRequest, split_into_files

    async def create(model_name: str, endpoint: str, count: int = 1) -> list[str]:
        async with httpx.AsyncClient(trust_env=False) as http:
            client = BatchClient(http, batch_stub.base_url, {})
            requests = [BatchRequest(f"k{i}", {"model": model_name, "messages": []}) for i in range(count)]
            ((_, content),) = split_into_files(requests, endpoint)
            status = await client.create(await client.upload(content), endpoint)
            return (await client.retrieve(status.id)).errors

    assert asyncio.run(create("batch-test-model", "/v1/chat/ds-test")) == []
    assert "takes model batch-test-model only" in asyncio.run(create("qwen-plus", "/v1/chat/ds-test"))[0]
    assert "at most 100 requests" in asyncio.run(create("batch-test-model", "/v1/chat/ds-test", 101))[0]
    assert "runs only at /v1/chat/ds-test" in asyncio.run(create("batch-test-model", "/v1/chat/completions"))[0]


def test_a_large_input_is_read_and_submitted_a_chunk_at_a_time(batch_stub: StubServer, monkeypatch) -> None:
    """Each chunk (one batch file's worth of distinct requests; 2 here) is submitted and answered
    before the next is read, so memory holds one chunk however large the input."""
    from qsql.models import throughput

    monkeypatch.setattr(throughput, "CHUNK_REQUESTS", 2)
    runner = batch_runner(batch_stub)
    try:
        run = runner(model(", 'batch-api' = 'true'") + rows_view(5) + predict())
    finally:
        runner.close()
    assert sorted(run.results[-1].rows) == [(i, f"[stub] row {i}") for i in range(5)]
    assert [len(b.lines) for b in batch_stub.batches.batches.values()] == [2, 2, 1]
    assert run.results[-1].predict[0].notes[0].endswith(": 5 requests in 3 batches")
    assert run.results[-1].predict[0].requests == 5


def test_chunks_are_answered_before_the_next_is_read(monkeypatch) -> None:
    from qsql.models import throughput

    read: list[int] = []
    submitted: list[tuple[int, int]] = []  # (requests in the job, units read when it was submitted)

    def units():
        for number in range(7):
            read.append(number)
            yield [f"text {number}"]

    def fake_run_batch(config, bodies, **kwargs):
        submitted.append((len(bodies), len(read)))
        return {key: f"answer to {key}" for key in bodies}, throughput.JobReport()

    monkeypatch.setattr(throughput, "run_batch", fake_run_batch)

    class Config:
        batch_dry_run = False

    out = throughput.batch_groups(
        Config(),
        units(),
        pending=lambda item: True,
        key_of=lambda item: item,
        body_of=lambda item: {"text": item},
        answer_of=lambda item: None,
        parse=None,
        run=None,
        http_client=None,
        clock=None,
        notes=[],
        count_requests=lambda n: None,
        chunk_requests=3,
    )
    first = next(out)
    assert first == (["text 0"], ["answer to text 0"]) and len(read) == 3  # nothing past the first chunk read
    rest = list(out)
    assert [answers for _, answers in rest][-1] == ["answer to text 6"]
    assert submitted == [(3, 3), (3, 6), (1, 7)]


def test_the_completion_window_is_sent(batch_stub: StubServer) -> None:
    runner = batch_runner(batch_stub)
    try:
        runner(model(", 'batch-api' = 'true', 'batch-completion-window' = '72h'") + rows_view(2) + predict())
    finally:
        runner.close()
    (batch,) = batch_stub.batches.batches.values()
    assert batch.completion_window == "72h"


def test_an_expired_batch_fails_the_rows_it_did_not_run() -> None:
    with StubServer(options=StubOptions(batch=BatchOptions(expire=True))) as server:
        runner = batch_runner(server)
        try:
            runner(model(", 'batch-api' = 'true', 'error-handling-strategy' = 'IGNORE'") + rows_view(4))
            (result,) = runner(predict()).results
        finally:
            runner.close()
    answered = sorted(row for row in result.rows if row[1] is not None)
    assert answered == [(0, "[stub] row 0"), (1, "[stub] row 1")]
    assert result.predict[0].failed_rows == 2
    assert "batch_expired" in result.predict[0].first_error


def test_explain_and_the_summary_say_the_batch_price_applies(sql: SqlRunner) -> None:

    sql(model(", 'api-key' = 'k', 'batch-api' = 'true'") + rows_view(1))
    (plan,) = sql("EXPLAIN " + predict()).results
    assert "Batch File API: batch price applies (50% of real-time)" in plan.text


def test_cached_rows_are_not_sent_to_the_batch(batch_stub: StubServer) -> None:
    runner = batch_runner(batch_stub)
    try:
        runner(model(", 'batch-api' = 'true'") + rows_view(3))
        runner(predict())
        runner("CREATE TEMPORARY VIEW t2 (id, txt) AS VALUES (0, 'row 0'), (9, 'row 9');")
        (result,) = runner("SELECT id, content FROM ML_PREDICT(TABLE t2, MODEL m, DESCRIPTOR(txt))").results
    finally:
        runner.close()
    assert sorted(result.rows) == [(0, "[stub] row 0"), (9, "[stub] row 9")]
    assert result.predict[0].cache_hits == 1 and result.predict[0].requests == 1


def test_the_estimated_cost_is_the_batch_price() -> None:
    from qsql.pricing import Price

    price = Price(0.8, 2.0, "test")
    assert price.batch().cost(1_000_000, 1_000_000) == pytest.approx(price.cost(1_000_000, 1_000_000) / 2)
    with StubServer() as server:
        runner = batch_runner(server)
        try:
            runner(model(", 'batch-api' = 'true'") + rows_view(2))
            (result,) = runner(predict()).results
            model_id, real_time = runner.session.price_of("m")
        finally:
            runner.close()
    stats = result.predict[0]
    assert stats.batch_api
    if real_time is not None:  # qwen-plus is in qsql's price table
        assert runner.session.usage.cost == pytest.approx(
            real_time.batch().cost(stats.prompt_tokens, stats.completion_tokens)
        )
