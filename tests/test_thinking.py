"""Thinking and streaming-only Qwen models, SSE streaming, reasoning text, Flink's deprecated keys.

Each test drives qsql against the strict stub (it refuses what DashScope refuses, see
qsql/stub/rules.py), so a request that the live service would reject fails here too."""

from __future__ import annotations

import httpx
import pytest

from qsql.errors import OptionError, QsqlError
from qsql.render import predict_summary
from qsql.stub import StubServer

from .conftest import SqlRunner

VIEW = "CREATE TEMPORARY VIEW t (id, txt) AS VALUES (1, 'what is two plus two'), (2, 'name a colour');"
PREDICT = "SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(txt))"


def model(name: str, options: str = "", outputs: str = "content STRING", provider: str = "qwen") -> str:
    return (
        f"CREATE MODEL m INPUT (input STRING) OUTPUT ({outputs}) "
        f"WITH ('provider' = '{provider}', 'model' = '{name}'{options});"
    )


def last_bodies(stub: StubServer, count: int = 2) -> list[dict]:
    return stub.stats.bodies[-count:]


@pytest.mark.parametrize("name", ["qwen3-8b", "qwen3-235b-a22b", "qwen3-30b-a3b", "qwen3.5-plus", "qwen3.5-flash"])
def test_models_that_think_by_default_are_streamed_and_the_reasoning_stays_out(
    stub_sql: SqlRunner, stub: StubServer, name: str
) -> None:
    stub_sql(model(name) + VIEW)
    run = stub_sql(PREDICT)
    result = run.results[-1]
    assert [r[2] for r in result.rows] == ["[stub] what is two plus two", "[stub] name a colour"]
    for body in last_bodies(stub):
        assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
        assert "enable_thinking" not in body  # the model's own default, never a blind flag
    (stats,) = result.predict
    assert stats.reasoning_tokens > 0 and stats.completion_tokens > stats.reasoning_tokens


def test_the_stub_refuses_a_non_streaming_call_to_a_thinking_qwen3(stub: StubServer) -> None:
    body = {"model": "qwen3-32b", "messages": [{"role": "user", "content": "hi"}]}
    reply = httpx.post(stub.base_url + "/chat/completions", json=body)
    assert reply.status_code == 400
    assert reply.json()["error"] == {
        "code": "invalid_parameter_error",
        "param": None,
        "type": "invalid_request_error",
        "message": "parameter.enable_thinking must be set to false for non-streaming calls",
    }


def test_enable_thinking_false_answers_without_streaming(stub_sql: SqlRunner, stub: StubServer) -> None:
    stub_sql(model("qwen3-8b", ", 'enable-thinking' = 'false'") + VIEW)
    run = stub_sql(PREDICT)
    assert run.results[-1].rows[0][2] == "[stub] what is two plus two"
    for body in last_bodies(stub):
        assert body["enable_thinking"] is False and "stream" not in body
    assert run.results[-1].predict[0].reasoning_tokens == 0


def test_a_commercial_model_thinks_only_when_asked_and_then_streams(stub_sql: SqlRunner, stub: StubServer) -> None:
    stub_sql(model("qwen-plus") + VIEW)
    stub_sql(PREDICT)
    assert all("enable_thinking" not in b and "stream" not in b for b in last_bodies(stub))
    stub_sql(
        model("qwen-plus", ", 'enable_thinking' = 'true', 'thinking_budget' = '50'").replace(
            "CREATE", "CREATE OR REPLACE"
        )
    )
    rows = stub_sql(PREDICT).results[-1].rows
    assert rows[0][2] == "[stub] what is two plus two"
    for body in last_bodies(stub):
        assert body["enable_thinking"] is True and body["thinking_budget"] == 50 and body["stream"] is True


@pytest.mark.parametrize("name", ["qwq-plus", "qvq-max", "qwen3-235b-a22b-thinking-2507"])
def test_streaming_only_models_are_always_streamed(stub_sql: SqlRunner, stub: StubServer, name: str) -> None:
    stub_sql(model(name) + VIEW)
    rows = stub_sql(PREDICT).results[-1].rows
    assert rows[1][2] == "[stub] name a colour"
    assert all(b["stream"] is True and "enable_thinking" not in b for b in last_bodies(stub))


def test_a_thinking_only_model_cannot_be_told_not_to_think(stub_sql: SqlRunner) -> None:
    with pytest.raises(OptionError) as info:
        stub_sql(model("qwq-plus", ", 'enable-thinking' = 'false'"))
    assert "always thinks" in info.value.message


@pytest.mark.parametrize("name", ["qwen-max", "qwen-mt-plus", "qwen3-235b-a22b-instruct-2507"])
def test_models_that_cannot_think_refuse_enable_thinking_at_create_model(stub_sql: SqlRunner, name: str) -> None:
    with pytest.raises(OptionError) as info:
        stub_sql(model(name, ", 'enable-thinking' = 'true'"))
    assert "cannot think" in info.value.message and "NotSupportEnableThinking" in info.value.message


def test_the_stub_refuses_enable_thinking_for_a_model_that_cannot_think(stub: StubServer) -> None:
    body = {"model": "qwen-max", "messages": [{"role": "user", "content": "hi"}], "enable_thinking": False}
    reply = httpx.post(stub.base_url + "/chat/completions", json=body)
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "InvalidParameter.NotSupportEnableThinking"


def test_the_stub_refuses_a_non_streaming_call_to_a_streaming_only_model(stub: StubServer) -> None:
    body = {"model": "qwq-plus", "messages": [{"role": "user", "content": "hi"}]}
    reply = httpx.post(stub.base_url + "/chat/completions", json=body)
    assert reply.status_code == 400 and "only support stream mode" in reply.json()["error"]["message"]


def test_reasoning_content_column_keeps_the_reasoning(stub_sql: SqlRunner, stub: StubServer) -> None:
    stub_sql(model("qwen3-8b", outputs="content STRING, reasoning_content STRING") + VIEW)
    names, rows = stub_sql.query(PREDICT)
    assert names == ["id", "txt", "content", "reasoning_content"]
    assert rows[0][2:] == ("[stub] what is two plus two", "[stub reasoning] thinking about: what is two plus two")


def test_reasoning_content_column_is_null_when_the_model_did_not_think(stub_sql: SqlRunner) -> None:
    stub_sql(model("qwen-plus", outputs="content STRING, reasoning_content STRING") + VIEW)
    rows = stub_sql.query(PREDICT)[1]
    assert rows[0][2:] == ("[stub] what is two plus two", None)


def test_reasoning_content_needs_a_model_that_can_think(stub_sql: SqlRunner) -> None:
    with pytest.raises(QsqlError) as info:
        stub_sql(model("qwen-max", outputs="content STRING, reasoning_content STRING"))
    assert "needs a model that thinks" in info.value.message


def test_thinking_budget_needs_thinking(stub_sql: SqlRunner) -> None:
    with pytest.raises(OptionError) as info:
        stub_sql(model("qwen-plus", ", 'thinking-budget' = '100'"))
    assert "'thinking-budget' needs a model that thinks" in info.value.message


def test_stream_false_contradicts_a_thinking_model(stub_sql: SqlRunner) -> None:
    with pytest.raises(OptionError) as info:
        stub_sql(model("qwen3-8b", ", 'stream' = 'false'"))
    assert "only when streaming" in info.value.message


def test_stream_option_streams_any_chat_model(stub_sql: SqlRunner, stub: StubServer) -> None:
    stub_sql(
        model(
            "gpt-4o-mini", ", 'endpoint' = 'https://api.openai.com/v1', 'stream' = 'true', 'n' = '2'", provider="openai"
        )
        + VIEW
    )
    rows = stub_sql(PREDICT).results[-1].rows
    assert [r[2] for r in rows[:2]] == ["[stub] what is two plus two", "[stub #1] what is two plus two"]
    assert all(b["stream"] is True for b in last_bodies(stub))


def test_thinking_options_are_qwen_only(stub_sql: SqlRunner) -> None:
    with pytest.raises(OptionError) as info:
        stub_sql(
            model(
                "gpt-4o-mini",
                ", 'endpoint' = 'https://api.openai.com/v1', 'enable-thinking' = 'true'",
                provider="openai",
            )
        )
    assert "applies to provider 'qwen' only" in info.value.message


def test_n_above_one_is_refused_while_thinking(stub_sql: SqlRunner) -> None:
    with pytest.raises(OptionError) as info:
        stub_sql(model("qwen3-8b", ", 'n' = '2'"))
    assert "'n' > 1" in info.value.message


def test_summary_shows_reasoning_tokens(stub_sql: SqlRunner) -> None:
    stub_sql(model("qwen3-8b") + VIEW + "CREATE TABLE sink (c STRING) WITH ('connector' = 'blackhole');")
    run = stub_sql("INSERT INTO sink SELECT content FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(txt));")
    stats = run.results[-1].predict[0]
    assert f"completion tokens ({stats.reasoning_tokens} reasoning)" in predict_summary(stats)


def test_flink_deprecated_keys_are_aliases(stub_sql: SqlRunner, stub: StubServer) -> None:
    stub_sql(model("qwen-plus", ", 'systemPrompt' = 'Be brief.', 'topP' = '0.5', 'maxTokens' = '20'") + VIEW)
    stub_sql(PREDICT)
    body = last_bodies(stub, 1)[0]
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert body["top_p"] == 0.5 and body["max_tokens"] == 20
    with pytest.raises(OptionError) as info:
        stub_sql(model("qwen-plus", ", 'topP' = '0.5', 'top-p' = '0.5'").replace("CREATE", "CREATE OR REPLACE"))
    assert "are the same option" in info.value.message
