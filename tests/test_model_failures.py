"""Errors, retries and batches against the strict stub: permanent failures fail fast, one bad
row never fails its batch-mates, empty inputs are skipped, IGNORE as Flink 2.3, the API key is
checked and never shown, the timeout bounds a whole attempt, proxies from the environment."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import httpx
import pytest

from qsql.errors import ModelError, OptionError, render_error
from qsql.models.runtime import ModelRuntime
from qsql.models.transport import _connection_error
from qsql.stub import StubServer

from .conftest import SqlRunner
from .simclock import RecordingClock


@pytest.fixture
def clock() -> RecordingClock:
    return RecordingClock()


@pytest.fixture
def runner(stub: StubServer, clock: RecordingClock, tmp_path: Path):
    sql = SqlRunner(stub_base_url=stub.base_url, clock=clock, cache_path=tmp_path / "cache.sqlite3")
    yield sql
    sql.close()


def chat(options: str = "", outputs: str = "content STRING", name: str = "qwen-plus") -> str:
    return (
        f"CREATE MODEL m INPUT (input STRING) OUTPUT ({outputs}) "
        f"WITH ('provider' = 'qwen', 'model' = '{name}'{options});"
    )


def embeddings(options: str = "", outputs: str = "v ARRAY<FLOAT>") -> str:
    return (
        f"CREATE MODEL m INPUT (input STRING) OUTPUT ({outputs}) "
        f"WITH ('provider' = 'qwen', 'model' = 'text-embedding-v4', 'dimension' = '64'{options});"
    )


def view(*texts: str) -> str:
    rows = ", ".join(f"({i + 1}, '{t}')" for i, t in enumerate(texts))
    return f"CREATE TEMPORARY VIEW t (id, txt) AS VALUES {rows};"


PREDICT = "SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(txt))"


# ---------------------------------------------------------------------------- batches
def test_a_moderated_row_fails_alone_and_its_batch_mates_succeed(runner: SqlRunner, stub: StubServer) -> None:
    texts = [f"fine {i}" for i in range(9)]
    texts[4] = "nasty [[stub:inspect]]"
    runner(embeddings(", 'error-handling-strategy' = 'IGNORE'", "v ARRAY<FLOAT>, `error-string` STRING") + view(*texts))
    result = runner(PREDICT).results[-1]
    by_id = {row[0]: row for row in result.rows}
    assert sorted(by_id) == list(range(1, 10))
    assert by_id[5][2] is None and "data_inspection_failed" in by_id[5][3]
    assert all(len(by_id[i][2]) == 64 and by_id[i][3] is None for i in by_id if i != 5)
    assert result.predict[0].failed_rows == 1


def test_an_input_over_the_models_token_limit_fails_alone_and_says_how_to_cut(
    runner: SqlRunner, stub: StubServer
) -> None:
    """text-embedding-v4 takes 8,192 tokens a row; the service refuses the whole batch, qsql
    splits it so only the long row fails, and the hint names the options that would cut it."""
    long_text = "word " * 8193
    runner(embeddings(", 'error-handling-strategy' = 'IGNORE'", "v ARRAY<FLOAT>, `error-string` STRING"))
    runner(view("short", long_text, "also short"))
    result = runner(PREDICT).results[-1]
    by_id = {row[0]: row for row in result.rows}
    assert by_id[2][2] is None and "Range of input length should be [1, 8192]" in by_id[2][3]
    assert by_id[1][3] is None and by_id[3][3] is None
    runner("DROP TEMPORARY VIEW t; DROP MODEL m;" + embeddings() + view(long_text))
    with pytest.raises(ModelError) as info:
        runner.query(PREDICT)
    assert "'max-context-size'" in (info.value.hint or "")


def test_empty_strings_are_skipped_like_null_and_never_sent(runner: SqlRunner, stub: StubServer) -> None:
    runner(embeddings() + view("a", "", "b"))
    run = runner(PREDICT)
    assert [row[0] for row in run.results[-1].rows] == [1, 3]
    assert all("" not in body["input"] for body in stub.stats.bodies)
    assert run.results[-1].predict[0].skipped_empty == 1
    assert "skipped 1 row whose input is an empty string" in run.err


def test_empty_chat_input_is_skipped_for_qwen(runner: SqlRunner, stub: StubServer) -> None:
    runner(chat() + view("", "x"))
    rows = runner.query(PREDICT)[1]
    assert [row[0] for row in rows] == [2] and stub.stats.requests == 1


# ---------------------------------------------------------------------------- permanent failures
@pytest.mark.parametrize(
    "error, status, said",
    [
        ("PrepaidBillOverdue", 429, "not a rate limit"),
        ("PostpaidBillOverdue", 429, "not a rate limit"),
        ("CommodityNotPurchased", 429, "not a rate limit"),
        ("FreeQuotaExceeded", 429, "not a rate limit"),
        ("InternalError.Algo", 500, "refuses this request itself"),
        ("Arrearage", 400, "Access denied"),
        ("AllocationQuota.FreeTierOnly", 403, "free tier"),
        ("AccessDenied.Unpurchased", 403, "Access to model denied"),
        ("Model.AccessDenied", 403, "Model access denied"),
        ("ModelNotFound", 404, "The model qwen-plus does not exist"),
        ("model_not_supported", 404, "Unsupported model qwen-plus for OpenAI compatibility mode"),
        ("InvalidApiKey", 401, "Incorrect API key provided"),
        ("DataInspectionFailed", 400, "inappropriate content"),
    ],
)
def test_permanent_failures_are_not_retried(
    runner: SqlRunner, stub: StubServer, clock: RecordingClock, error: str, status: int, said: str
) -> None:
    runner(chat() + view(f"x [[stub:error={error}]]"))
    with pytest.raises(ModelError) as info:
        runner.query(PREDICT)
    assert f"HTTP {status}" in info.value.message and said in info.value.message
    assert stub.stats.requests == 1 and clock.sleeps == []


@pytest.mark.parametrize(
    "error",
    [
        "Throttling",
        "Throttling.RateQuota",
        "Throttling.BurstRate",
        "Throttling.AllocationQuota",
        "InternalError",
        "RequestTimeOut",
        "ModelServingError",
        "ModelUnavailable",
    ],
)
def test_rate_limits_and_outages_are_ridden_out(
    runner: SqlRunner, stub: StubServer, clock: RecordingClock, error: str
) -> None:
    runner(chat() + view(f"x [[stub:error={error};times=2]]"))
    assert runner.query(PREDICT)[1][0][2].startswith("[stub] x")
    assert stub.stats.requests == 3 and len(clock.sleeps) == 2


@pytest.mark.parametrize(
    "error, options, hint",
    [
        ("RequestTimeOut", ", 'error-handling-strategy' = 'FAILOVER'", "set 'stream' = 'true'"),
        ("AllocationQuota.FreeTierOnly", "", "'free tier only' is on"),
        ("model_not_supported", "", "does not offer 'qwen-plus' in OpenAI-compatible mode"),
        ("Arrearage", "", "overdue payment"),
        ("DataInspectionFailed", "", "content moderation refused this row"),
        ("InvalidApiKey", "", "region"),
    ],
)
def test_dashscope_errors_say_what_to_do(runner: SqlRunner, error: str, options: str, hint: str) -> None:
    """One line naming the model and the service's words, and a hint the words do not give."""
    runner(chat(options) + view(f"x [[stub:error={error}]]"))
    with pytest.raises(ModelError) as info:
        runner.query(PREDICT)
    assert info.value.hint is not None and hint in info.value.hint
    first = render_error(info.value).splitlines()[0]  # then the statement's excerpt and the hint
    assert "ML_PREDICT(m)" in first and "HTTP " in first and "Traceback" not in first


def test_a_refused_request_field_names_the_option_that_set_it(runner: SqlRunner) -> None:
    """qsql cannot know each model's output limit; the service's 400 names max_tokens, and the
    hint names the WITH option that sent it."""
    runner(chat(", 'max-tokens' = '40000'") + view("x"))
    with pytest.raises(ModelError) as info:
        runner.query(PREDICT)
    assert "Range of max_tokens should be [1, 32768]" in info.value.message
    assert info.value.hint == "the service refused option 'max-tokens' of model m; check its value"


def test_the_option_is_found_by_the_errors_param_too() -> None:
    from qsql.models.options import OPTION_SPECS
    from qsql.models.transport import _refused_option

    class Config:
        name = "m"
        body_options = {"top_p": 0.5, "translation_options": {"target_lang": "x"}}

    by_param = {"error": {"param": "top_p", "message": "bad value"}}
    assert "option 'top-p'" in (_refused_option(Config(), by_param, "bad value") or "")  # type: ignore[arg-type]
    by_text = {"error": {"message": "translation_options.target_lang is required"}}
    said = _refused_option(Config(), by_text, by_text["error"]["message"])  # type: ignore[arg-type]
    assert said is not None and "option 'target-lang'" in said
    assert _refused_option(Config(), {"error": {"param": "seed"}}, "seed") is None  # type: ignore[arg-type]

    class Reasoning:
        name = "o"
        body_options = {"max_tokens": 10}  # sent to o3-mini as max_completion_tokens

    said = _refused_option(Reasoning(), {}, "Invalid 'max_completion_tokens': too large")  # type: ignore[arg-type]
    assert said is not None and "option 'max-tokens'" in said
    assert OPTION_SPECS  # the table the hint reads


def test_openai_insufficient_quota_is_not_retried(stub: StubServer, clock: RecordingClock) -> None:
    sql = SqlRunner(stub_base_url=stub.base_url, clock=clock)
    try:
        sql(
            "CREATE MODEL m INPUT (input STRING) OUTPUT (content STRING) WITH ('provider' = 'openai', "
            "'endpoint' = 'https://api.openai.com/v1', 'model' = 'gpt-4o-mini');"
            + view("x [[stub:error=openai.insufficient_quota]]")
        )
        with pytest.raises(ModelError) as info:
            sql.query(PREDICT)
        assert "no quota or credit left" in info.value.message and stub.stats.requests == 1
    finally:
        sql.close()


def test_retry_after_zero_is_floored_by_the_backoff(runner: SqlRunner, clock: RecordingClock) -> None:
    runner(chat() + view("x [[stub:status=503;retry-after=0;times=3]]", "y [[stub:status=429;retry-after=-5;times=1]]"))
    runner.query(PREDICT)
    assert len(clock.sleeps) == 4 and all(delay >= 0.375 for delay in clock.sleeps)


def test_a_refused_connection_fails_fast(clock: RecordingClock) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again before the request: nothing listens
    sql = SqlRunner(clock=clock, env={"DASHSCOPE_API_KEY": "sk-test"})
    try:
        sql(chat(f", 'endpoint' = 'http://127.0.0.1:{port}/v1'") + view("x"))
        with pytest.raises(ModelError) as info:
            sql.query(PREDICT)
        assert "connection refused: not retried" in info.value.message and clock.sleeps == []
    finally:
        sql.close()


@pytest.mark.parametrize(
    "cause, what",
    [
        (socket.gaierror(-2, "Name or service not known"), "unknown host"),
        (ssl.SSLCertVerificationError(1, "certificate verify failed"), "TLS/certificate"),
        (ConnectionRefusedError(111, "Connection refused"), "connection refused"),
    ],
)
def test_connection_failures_that_cannot_heal_are_permanent(cause: Exception, what: str) -> None:
    try:
        try:
            raise cause
        except Exception as inner:
            raise httpx.ConnectError(str(inner)) from inner
    except httpx.ConnectError as failure:
        error = _connection_error("https://x.example/v1/chat/completions", failure)
    assert not error.retryable and what in error.message


def test_a_dropped_connection_is_still_retried() -> None:
    error = _connection_error("https://x.example/v1", httpx.RemoteProtocolError("Server disconnected"))
    assert error.retryable


# ---------------------------------------------------------------------------- timeout
def test_the_timeout_bounds_the_whole_attempt(runner: SqlRunner, stub: StubServer) -> None:
    runner(chat(", 'error-handling-strategy' = 'FAILOVER'") + view("slow [[stub:trickle=100]]"))
    with pytest.raises(ModelError) as info:
        runner.query("SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(txt), MAP['timeout', '500 ms'])")
    assert "no reply from" in info.value.message and "within 0.5 s" in info.value.message


# ---------------------------------------------------------------------------- IGNORE
def test_ignore_drops_failed_rows_without_an_error_column(runner: SqlRunner) -> None:
    runner(chat(", 'error-handling-strategy' = 'IGNORE'") + view("good", "bad [[stub:status=400]]", "fine"))
    run = runner(PREDICT)
    result = run.results[-1]
    assert [row[0] for row in result.rows] == [1, 3]
    stats = result.predict[0]
    assert (stats.rows_in, stats.rows_out, stats.failed_rows, stats.dropped_rows) == (3, 2, 1, 1)
    assert "1 row failed and was dropped" in run.err


def test_ignore_keeps_failed_rows_with_an_error_column(runner: SqlRunner) -> None:
    runner(
        chat(", 'error-handling-strategy' = 'IGNORE'", "content STRING, `http-status-code` INT")
        + view("good", "bad [[stub:status=400]]")
    )
    rows = runner.query(PREDICT)[1]
    assert rows[1][2:] == (None, 400)


# ---------------------------------------------------------------------------- the API key
@pytest.mark.parametrize(
    "key, problem",
    [("sk-abc\r", "whitespace at its start or end"), (" sk-abc", "whitespace"), ("sk-a\x00bc", "control character")],
)
def test_a_damaged_key_is_refused_at_create_model_without_showing_it(key: str, problem: str) -> None:
    sql = SqlRunner(env={"DASHSCOPE_API_KEY": key})
    try:
        with pytest.raises(OptionError) as info:
            sql(chat())
        assert problem in info.value.message and "sk-a" not in render_error(info.value)
    finally:
        sql.close()


def test_the_key_is_scrubbed_from_what_a_server_echoes(stub: StubServer, clock: RecordingClock) -> None:
    stub.options.api_key = None
    sql = SqlRunner(clock=clock, env={"DASHSCOPE_API_KEY": "sk-very-secret-key"})
    try:
        sql(
            chat(
                f", 'endpoint' = '{stub.base_url}', 'error-handling-strategy' = 'IGNORE'",
                "content STRING, `error-string` STRING",
            )
            + view("x [[stub:echo-auth]]")
        )
        rows = sql.query(PREDICT)[1]
        assert "Bearer ****" in rows[0][3] and "sk-very-secret-key" not in rows[0][3]
    finally:
        sql.close()


# ---------------------------------------------------------------------------- proxies
def test_proxies_come_from_the_environment_but_never_for_loopback(
    monkeypatch: pytest.MonkeyPatch, stub: StubServer
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    runtime = ModelRuntime()
    try:
        client = runtime.client
        remote = client._transport_for_url(httpx.URL("https://dashscope.aliyuncs.com/compatible-mode/v1"))
        assert type(remote).__name__ == "AsyncHTTPTransport" and remote._pool.__class__.__name__ == "AsyncHTTPProxy"
        sql = SqlRunner(stub_base_url=stub.base_url)
        try:
            sql(chat() + view("through no proxy"))
            assert sql.query(PREDICT)[1][0][2] == "[stub] through no proxy"
        finally:
            sql.close()
    finally:
        runtime.close()


def test_requests_ca_bundle_is_honoured_and_a_bad_one_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import certifi

    from qsql.errors import ExecutionError

    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    runtime = ModelRuntime()
    try:
        assert runtime.client is not None
    finally:
        runtime.close()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/ca.pem")
    runtime = ModelRuntime()
    try:
        with pytest.raises(ExecutionError) as info:
            _ = runtime.client  # the property builds the client, and fails
        assert "REQUESTS_CA_BUNDLE names /nonexistent/ca.pem" in info.value.message
    finally:
        runtime.close()
