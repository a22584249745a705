"""Issue-6 behaviour of ML_PREDICT: retries (with a fake clock), error policies, batching,
the cache, context limits and accounting. The stub runs on loopback; nothing sleeps for real."""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from pathlib import Path

import pytest

from qsql.errors import ModelError
from qsql.models.retry import RetryPolicy, parse_retry_after
from qsql.stub import StubServer

from .conftest import SqlRunner
from .simclock import RecordingClock


@pytest.fixture
def clock() -> RecordingClock:
    return RecordingClock(1000.0)


@pytest.fixture
def runner(stub: StubServer, clock: RecordingClock, tmp_path: Path):
    sql = SqlRunner(stub_base_url=stub.base_url, clock=clock, cache_path=tmp_path / "cache.sqlite3")
    yield sql
    sql.close()


def chat_model(options: str = "", outputs: str = "content STRING") -> str:
    return (
        f"CREATE MODEL m INPUT (input STRING) OUTPUT ({outputs}) "
        f"WITH ('provider' = 'qwen', 'model' = 'qwen-plus'{options});"
    )


def view(*texts: str) -> str:
    rows = ", ".join(f"({i + 1}, '{t}')" for i, t in enumerate(texts))
    return f"CREATE TEMPORARY VIEW t (id, txt) AS VALUES {rows};"


PREDICT = "SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(txt))"


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_each_retryable_status_is_retried_then_succeeds(
    runner: SqlRunner, stub: StubServer, clock: RecordingClock, status: int
) -> None:
    runner(chat_model() + view(f"x [[stub:status={status};times=2]]"))
    _, rows = runner.query(PREDICT)
    assert rows[0][2].startswith("[stub] x")
    assert stub.stats.requests == 3
    assert len(clock.sleeps) == 2


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    import random

    policy = RetryPolicy()
    rng = random.Random(1)
    delays = [policy.delay(attempt, None, rng) for attempt in range(1, 10)]
    for attempt, delay in enumerate(delays, start=1):
        base = min(0.5 * 2 ** (attempt - 1), 20.0)
        assert 0.75 * base <= delay <= base
    assert max(delays) <= 20.0


def test_retry_after_seconds_is_honoured(runner: SqlRunner, clock: RecordingClock) -> None:
    runner(chat_model() + view("x [[stub:status=429;retry-after=7;times=1]]"))
    runner.query(PREDICT)
    assert clock.sleeps == [7.0]


def test_retry_after_http_date_is_parsed() -> None:
    now = dt.datetime(2026, 11, 30, 12, 0, 0, tzinfo=dt.UTC)
    assert parse_retry_after("Mon, 30 Nov 2026 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("2.5") == 2.5
    assert parse_retry_after("garbage") is None


def test_malformed_replies_and_dropped_connections_count_as_failed_attempts(
    runner: SqlRunner, stub: StubServer
) -> None:
    runner(chat_model() + view("a [[stub:malformed;times=1]]", "b [[stub:drop;times=1]]"))
    _, rows = runner.query(PREDICT)
    assert [r[2][:8] for r in rows] == ["[stub] a", "[stub] b"]
    assert stub.stats.requests == 4


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413])
def test_non_retryable_4xx_fails_fast(runner: SqlRunner, stub: StubServer, clock: RecordingClock, status: int) -> None:
    runner(chat_model() + view(f"x [[stub:status={status}]]"))
    with pytest.raises(ModelError) as info:
        runner.query(PREDICT)
    assert f"HTTP {status}" in info.value.message
    assert stub.stats.requests == 1 and clock.sleeps == []


def test_retries_run_out_then_failover(runner: SqlRunner, stub: StubServer, clock: RecordingClock) -> None:
    runner(chat_model(", 'retry-num' = '3'") + view("x [[stub:status=503]]"))
    with pytest.raises(ModelError) as info:
        runner.query(PREDICT)
    assert "row 1 (id=1, txt=x [[stub:status=503]]): HTTP 503" in info.value.message
    assert stub.stats.requests == 4 and len(clock.sleeps) == 3


MIXED = view(
    "good one", "bad [[stub:status=400]]", "flaky [[stub:status=503;times=1]]", "dead [[stub:status=503]]", "good two"
)


def test_failover_fails_at_once_without_retrying(runner: SqlRunner, stub: StubServer) -> None:
    runner(chat_model(", 'error-handling-strategy' = 'FAILOVER'") + MIXED)
    with pytest.raises(ModelError) as info:
        runner.query(PREDICT)
    assert "row 2 (id=2, txt=bad [[stub:status=400]]): HTTP 400" in info.value.message


def test_ignore_keeps_every_row_with_metadata_columns(
    runner: SqlRunner, stub: StubServer, clock: RecordingClock
) -> None:
    outputs = (
        "content STRING, `error-string` STRING, `http-status-code` INT, `http-headers-map` MAP<STRING, ARRAY<STRING>>"
    )
    runner(chat_model(", 'error-handling-strategy' = 'IGNORE'", outputs) + MIXED)
    run = runner(PREDICT)
    result = run.results[-1]
    assert [f.name for f in result.columns] == [
        "id",
        "txt",
        "content",
        "error-string",
        "http-status-code",
        "http-headers-map",
    ]
    by_id = {row[0]: row for row in result.rows}
    assert sorted(by_id) == [1, 2, 3, 4, 5]  # every input row accounted for exactly once
    assert by_id[1][2:5] == ("[stub] good one", None, None)
    assert by_id[2][2] is None and by_id[2][4] == 400 and "HTTP 400" in by_id[2][3]
    assert by_id[2][5]["content-type"] == ["application/json"]
    assert by_id[3][2] is None and by_id[3][4] == 503  # IGNORE does not retry
    assert clock.sleeps == []
    (stats,) = result.predict
    assert (stats.rows_in, stats.rows_out, stats.failed_rows) == (5, 5, 3)
    assert "3 rows failed and were kept with NULL outputs" in run.err


def test_retry_then_ignore_fallback(runner: SqlRunner, stub: StubServer, clock: RecordingClock) -> None:
    runner(
        chat_model(", 'retry-num' = '2', 'retry-fallback-strategy' = 'IGNORE'", "content STRING, `error-string` STRING")
        + MIXED
    )
    rows = runner.query(PREDICT)[1]
    by_id = {row[0]: row for row in rows}
    assert by_id[3][2] == "[stub] flaky [[stub:status=503;times=1]]"  # retried and succeeded
    assert by_id[4][2] is None and "HTTP 503" in by_id[4][3]  # retries ran out: kept with NULL
    assert by_id[2][2] is None and "HTTP 400" in by_id[2][3]  # never retried
    assert len(rows) == 5 and len(clock.sleeps) == 3


def test_metadata_columns_need_ignore(runner: SqlRunner) -> None:
    with pytest.raises(Exception) as info:
        runner(chat_model("", "content STRING, `error-string` STRING"))
    assert "'error-string' is filled only when failed rows are kept" in str(info.value)


def embedding_model(options: str = "") -> str:
    return (
        "CREATE MODEL e INPUT (input STRING) OUTPUT (v ARRAY<FLOAT>) "
        f"WITH ('provider' = 'qwen', 'model' = 'text-embedding-v4', 'dimension' = '64'{options});"
    )


@pytest.mark.parametrize("rows, batch, requests", [(25, None, 3), (25, 4, 7), (10, None, 1), (1, None, 1)])
def test_embeddings_are_batched(
    runner: SqlRunner, stub: StubServer, rows: int, batch: int | None, requests: int
) -> None:
    option = f", 'batch-size' = '{batch}'" if batch else ""
    runner(embedding_model(option) + view(*[f"text {i}" for i in range(rows)]))
    result_rows = runner.query("SELECT id, v FROM ML_PREDICT(TABLE t, MODEL e, DESCRIPTOR(txt))")[1]
    assert stub.stats.requests == requests == math.ceil(rows / (batch or 10))
    assert [r[0] for r in result_rows] == list(range(1, rows + 1))
    assert all(len(r[1]) == 64 for r in result_rows)
    assert all(len(body["input"]) <= (batch or 10) for body in stub.stats.bodies)


def test_batch_size_above_the_provider_limit_is_rejected(runner: SqlRunner) -> None:
    with pytest.raises(Exception) as info:
        runner(embedding_model(", 'batch-size' = '11'"))
    assert "at most 10 for provider 'qwen'" in str(info.value)


def test_memory_cache_answers_a_rerun_without_requests(runner: SqlRunner, stub: StubServer) -> None:
    stub.options.latency = 0.05  # all three are in flight together
    runner(chat_model() + view("a", "b", "a"))
    first = runner(PREDICT).results[-1]
    assert stub.stats.requests == 2  # the second 'a' waited for the first one's reply
    assert first.predict[0].cache_hits == 1
    assert [r[2] for r in first.rows] == ["[stub] a", "[stub] b", "[stub] a"]
    second = runner(PREDICT).results[-1]
    assert stub.stats.requests == 2
    assert second.rows == first.rows
    assert second.predict[0].cache_hits == 3 and second.predict[0].requests == 0


def test_cache_off_sends_every_time(runner: SqlRunner, stub: StubServer) -> None:
    runner("SET 'qsql.cache' = 'off';" + chat_model() + view("a"))
    runner(PREDICT)
    runner(PREDICT)
    assert stub.stats.requests == 2


def test_disk_cache_survives_the_session_and_never_stores_the_key(
    stub: StubServer, tmp_path: Path, clock: RecordingClock
) -> None:
    path = tmp_path / "cache.sqlite3"
    script = (
        "SET 'qsql.cache' = 'disk';"
        "CREATE MODEL m INPUT (input STRING) OUTPUT (content STRING) WITH ('provider' = 'openai', "
        f"'endpoint' = '{stub.base_url}', 'api-key' = 'sk-very-secret-key', 'model' = 'gpt-x');"
        + view("a", "b", "fail [[stub:status=400]]")
        + "SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(txt))"
    )
    for _ in range(2):
        sql = SqlRunner(clock=clock, cache_path=path)
        try:
            with pytest.raises(ModelError):
                sql(script)
        finally:
            sql.close()
    # 'a' and 'b' were answered from disk the second time; the failure was never cached
    assert stub.stats.requests == 3 + 1
    raw = path.read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("cache.sqlite3-*"))
    assert b"sk-very-secret-key" not in raw
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM responses").fetchone()[0] == 2


def test_different_options_are_different_cache_entries(runner: SqlRunner, stub: StubServer) -> None:
    runner(chat_model() + view("a"))
    runner(PREDICT)
    runner(
        "CREATE MODEL m2 INPUT (input STRING) OUTPUT (content STRING) "
        "WITH ('provider' = 'qwen', 'model' = 'qwen-plus', 'temperature' = '0.1');"
    )
    runner("SELECT * FROM ML_PREDICT(TABLE t, MODEL m2, DESCRIPTOR(txt))")
    assert stub.stats.requests == 2


@pytest.mark.parametrize(
    "action, expected, skipped",
    [
        ("truncated-tail", "[stub] abcdefgh", 0),
        ("truncated-head", "[stub] mnopqrst", 0),
        ("skipped", None, 1),
    ],
)
def test_context_overflow_actions(
    runner: SqlRunner, stub: StubServer, action: str, expected: str | None, skipped: int
) -> None:
    runner(
        chat_model(f", 'max-context-size' = '8', 'context-overflow-action' = '{action}'")
        + view("abcdefghijklmnopqrst", "short")
    )
    result = runner(PREDICT).results[-1]
    contents = [r[2] for r in result.rows]
    if expected is None:
        assert contents == ["[stub] short"]
    else:
        assert contents == [expected, "[stub] short"]
    assert result.predict[0].skipped_overflow == skipped


def test_embedding_inputs_longer_than_the_model_limit_are_cut_not_sent_to_fail(
    runner: SqlRunner, stub: StubServer
) -> None:
    runner(embedding_model(", 'max-tokens' = '16'") + view("x" * 100))
    runner.query("SELECT * FROM ML_PREDICT(TABLE t, MODEL e, DESCRIPTOR(txt))")
    assert stub.stats.bodies[0]["input"] == ["x" * 16]


def test_accounting(runner: SqlRunner, stub: StubServer) -> None:
    runner(chat_model(", 'retry-num' = '1'") + view("a [[stub:status=503;times=1]]", "b", "c"))
    result = runner(PREDICT).results[-1]
    (stats,) = result.predict
    assert (stats.rows_in, stats.rows_out, stats.retries, stats.failed_rows) == (3, 3, 1, 0)
    assert stats.requests == 4
    assert stats.prompt_tokens > 0 and stats.completion_tokens > 0
    from qsql.render import predict_summary

    summary = predict_summary(stats)
    assert summary.startswith("ML_PREDICT(m): 3 in, 3 out, 4 requests, 0 cache hits, 1 retry, 0 failed, ")
    assert "rows/s" in summary


def test_set_lists_and_validates_settings(runner: SqlRunner) -> None:
    runner("SET 'qsql.cache' = 'off'; SET 'table.exec.async-ml-predict.max-concurrent-operations' = '4';")
    assert runner.query("SET")[1] == [
        ("qsql.cache", "off"),
        ("table.exec.async-ml-predict.max-concurrent-operations", "4"),
    ]
    with pytest.raises(Exception) as info:
        runner("SET 'qsql.cache' = 'sometimes'")
    assert "must be one of memory, disk, off" in str(info.value)
    runner("RESET 'qsql.cache'")
    assert runner.query("SET")[1] == [("table.exec.async-ml-predict.max-concurrent-operations", "4")]
    runner("RESET")
    assert runner.query("SET")[1] == []
