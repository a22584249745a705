"""The price table, cost arithmetic, and the model-call log store and `qsql logs`."""

from __future__ import annotations

import datetime as dt
import json
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from qsql.calllog import CallLog, describe_call, logs_command, scrub
from qsql.pricing import Price, UsageTotals, estimate_tokens, format_cost, load_prices, totals_of


# ------------------------------------------------------------------ prices and cost
def test_the_price_table_is_dated_sourced_and_knows_the_qwen_flagships() -> None:
    table = load_prices()
    assert table.date and table.source.startswith("https://") and table.currency == "USD"
    assert table.get("qwen-plus") == Price(0.4, 1.2, f"qsql price table ({table.date})")
    assert table.get("QWEN-MAX") is not None and table.get("qwen-turbo") is not None
    assert table.get("gpt-unknown") is None


def test_config_overrides_a_price_or_adds_a_model() -> None:
    table = load_prices({"qwen-plus": {"output": 2.0}, "my-model": {"input": 1.0, "output": 3.0}})
    assert table.get("qwen-plus") == Price(0.4, 2.0, "config.toml")
    assert table.get("my-model") == Price(1.0, 3.0, "config.toml")


def test_cost_counts_reasoning_as_output() -> None:
    price = Price(0.4, 1.2, "t")
    assert price.cost(1_000_000, 0) == pytest.approx(0.4)
    assert price.cost(1000, 500, 500) == pytest.approx((1000 * 0.4 + 1000 * 1.2) / 1e6)


def test_format_cost() -> None:
    assert format_cost(0) == "$0.0000"
    assert format_cost(0.01234) == "$0.0123"
    assert format_cost(0.0000123) == "$0.000012"
    assert format_cost(12.345) == "$12.35"
    assert format_cost(1234.5) == "$1,234"


@dataclass
class Stats:
    model: str
    requests: int
    cache_hits: int
    prompt_tokens: int
    completion_tokens: int


def test_totals_cost_what_has_a_price_and_name_what_has_none() -> None:
    stats = [Stats("m", 10, 2, 1000, 500), Stats("e", 1, 0, 300, 0)]
    totals = totals_of(stats, {"m": "qwen-plus", "e": "text-embedding-v4"}, load_prices())
    assert (totals.requests, totals.cache_hits, totals.prompt_tokens, totals.completion_tokens) == (11, 2, 1300, 500)
    assert totals.cost == pytest.approx((1000 * 0.4 + 500 * 1.2) / 1e6)
    assert totals.unpriced == {"text-embedding-v4"}
    assert (
        totals.describe()
        == "11 requests, 1300 prompt + 500 completion tokens, est. $0.0010 + unpriced text-embedding-v4"
    )
    session = UsageTotals()
    session.merge(totals)
    session.merge(totals)
    assert session.requests == 22 and session.cost == pytest.approx(2 * totals.cost)


def test_token_estimate_for_english_and_cjk() -> None:
    assert estimate_tokens("abcdefgh") == 2
    assert estimate_tokens("你好") == 2
    assert estimate_tokens("") == 0


# ------------------------------------------------------------------ the call log
@dataclass(frozen=True)
class Call:  # the fields of qsql.models.hooks.CallRecord
    model: str = "m"
    provider: str = "qwen"
    model_id: str = "qwen-plus"
    host: str = "dashscope.aliyuncs.com"
    url: str = "https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions"
    attempt: int = 1
    inputs: int = 1
    status: int | None = 200
    ok: bool = True
    latency: float = 0.25
    prompt_tokens: int = 12
    completion_tokens: int = 5
    reasoning_tokens: int = 0
    cache_hit: bool = False
    streamed: bool = False
    error: str | None = None
    request_text: str | None = '{"model":"qwen-plus","messages":[{"role":"user","content":"hi"}]}'
    reply_text: str | None = '{"choices":[{"message":{"content":"hello"}}]}'


def test_one_row_per_call_in_a_private_file(tmp_path: Path) -> None:
    log = CallLog(tmp_path / "data" / "calls.db")
    log.record(Call(), "on", now=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC))
    log.record(Call(status=429, ok=False, attempt=2, error="HTTP 429 from ...", reply_text="slow down"), "meta")
    log.record(Call(cache_hit=True, status=None, latency=0.0), "off")  # off: nothing stored
    rows = log.recent(10)
    log.close()
    assert stat.S_IMODE((tmp_path / "data" / "calls.db").stat().st_mode) == 0o600
    assert len(rows) == 2
    first, second = rows
    assert first["time"] == "2026-01-02T03:04:05.000+00:00"
    assert (first["model"], first["model_id"], first["host"], first["status"], first["ok"]) == (
        "m",
        "qwen-plus",
        "dashscope.aliyuncs.com",
        200,
        1,
    )
    assert (first["prompt_tokens"], first["completion_tokens"], first["cache_hit"]) == (12, 5, 0)
    assert "hi" in str(first["request"]) and "hello" in str(first["reply"])
    assert second["request"] is None and second["reply"] is None and second["status"] == 429  # meta: no text


def test_keys_never_reach_the_log(tmp_path: Path) -> None:
    log = CallLog(tmp_path / "calls.db")
    log.record(
        Call(
            request_text='{"api_key": "sk-abcdef123456", "h": "Bearer sk-zzzzzzzz99"}',
            error="failed with key sk-abcdef123456",
        ),
        "on",
    )
    (row,) = log.recent()
    log.close()
    text = json.dumps(row)
    assert "sk-abcdef123456" not in text and "sk-zzzzzzzz99" not in text
    assert scrub("Authorization: Bearer abc.def") == "Authorization: Bearer ****"


def test_logs_command_prints_the_last_n_as_text_or_json(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "calls.db"
    log = CallLog(path)
    for tokens in (1, 2, 3):
        log.record(Call(prompt_tokens=tokens), "on")
    log.close()
    assert logs_command(2, True, False, path) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["prompt_tokens"] for line in lines] == [2, 3]
    assert logs_command(1, False, False, path) == 0
    out = capsys.readouterr().out
    assert out.startswith("#3 ") and "qwen-plus @ dashscope.aliyuncs.com" in out and "250 ms" in out


def test_logs_command_without_a_log_says_how_to_start(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert logs_command(10, False, False, tmp_path / "none.db") == 0
    assert "SET 'qsql.log' = 'on'" in capsys.readouterr().err


def test_describe_call_shows_errors_and_attempts() -> None:
    text = describe_call(
        {
            "id": 7,
            "time": "t",
            "model": "m",
            "model_id": "x",
            "host": "h",
            "status": 503,
            "latency": 0.1,
            "attempt": 3,
            "error": "HTTP 503",
            "prompt_tokens": 0,
        }
    )
    assert "attempt 3" in text and "error: HTTP 503" in text


# ------------------------------------------------------------------ summaries with cost
def test_summaries_show_per_statement_and_session_cost(stub) -> None:  # type: ignore[no-untyped-def]
    from qsql.config import Config
    from qsql.output import Display, DisplayOptions
    from qsql.session import Session

    notes: list[str] = []
    with Session(env={}, stub_base_url=stub.base_url) as session:
        session.apply_config(Config(prices={"qwen-plus": {"input": 1_000_000.0, "output": 2_000_000.0}}))
        display = Display(session, lambda text: None, notes.append, notes.append, DisplayOptions(quiet=False))
        assert display.session_total() is None
        assert display.run(
            "SET 'qsql.cache' = 'off';"
            "CREATE MODEL m INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = 'qwen', 'model' = 'qwen-plus');"
            "CREATE VIEW v (id, i) AS VALUES (1, 'hello world'), (2, 'again');"
            "SELECT id, o FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(i));"
            "SELECT id, o FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(i)) UNION ALL "
            "SELECT id, o FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(i));",
            "t.sql",
        )
        usage = session.usage
        # $1 per prompt token, $2 per completion token: the cost is exact arithmetic
        assert usage.statements == 2 and usage.requests == 6
        assert usage.cost == pytest.approx(usage.prompt_tokens * 1.0 + usage.completion_tokens * 2.0)
        summary = notes[0]
        assert summary.startswith("[INFO] ML_PREDICT(m): 2 in, 2 out, 2 requests") and ", est. $" in summary
        assert notes[-1].startswith("[INFO] statement total: 4 requests")
        assert display.session_total() == f"[INFO] session total: {usage.describe()}"


# ------------------------------------------------------------------ EXPLAIN's dry run
def test_explain_estimates_requests_tokens_and_cost_without_sending(httpx_mock) -> None:  # type: ignore[no-untyped-def]
    from qsql.session import Session

    with Session(env={}) as session:  # a real endpoint: any request would fail the test (no mock response)
        list(
            session.execute(
                # provider openai: the byte-free estimate, whichever tokenizers are installed
                "CREATE MODEL m INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = 'openai', 'api-key' = 'k', "
                "'endpoint' = 'https://api.example.com/v1', 'model' = 'qwen-plus', 'max-tokens' = '100', "
                "'system-prompt' = 'abcd');"
                "CREATE MODEL e INPUT (i STRING) OUTPUT (v ARRAY<FLOAT>) WITH ('provider' = 'qwen', 'api-key' = 'k', "
                "'model' = 'text-embedding-v4', 'batch-size' = '2');"
                "CREATE VIEW v (id, i) AS VALUES (1, 'abcdefgh'), (2, CAST(NULL AS STRING)), (3, '你好'), (4, 'x');"
                "CREATE TABLE p (id INT, o STRING) WITH ('connector' = 'print');"
            )
        )
        text = list(
            session.execute("EXPLAIN INSERT INTO p SELECT id, o FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(i))")
        )[-1].text
        embed = list(session.execute("EXPLAIN SELECT id FROM ML_PREDICT(TABLE v, MODEL e, DESCRIPTOR(i))"))[-1].text
    assert httpx_mock.get_requests() == []
    (line,) = [x for x in text.splitlines() if x.startswith("ML_PREDICT(m) [qwen-plus]")]
    # 3 requests; tokens: texts 2 + 2 + 1, plus per request 1 (system prompt) + 8 (framing) = 32
    assert (
        "4 rows, 3 requests, ~32 input tokens (1 row skipped: NULL, empty or too long), at most 300 output tokens"
        in line
    )
    assert "est. input cost $0.000013" in line and "total at most $0.0004" in line  # 32*0.4/1e6, +300*1.2/1e6
    (line,) = [x for x in embed.splitlines() if x.startswith("ML_PREDICT(e)")]
    assert "4 rows, 2 requests, ~" in line and "no price for this model" in line


def test_explain_without_ml_predict_has_no_dry_run(sql) -> None:  # type: ignore[no-untyped-def]
    assert "Dry run" not in sql("EXPLAIN SELECT 1").results[-1].text
