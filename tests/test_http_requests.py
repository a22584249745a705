"""What goes over the wire and how replies and failures are read (pytest-httpx, no sockets)."""

from __future__ import annotations

import json

import httpx
import pytest
from pytest_httpx import HTTPXMock

from qsql.errors import ModelError, QsqlError, render_error

from .conftest import SqlRunner

URL = "https://api.example.com/v1/chat/completions"
MODEL = (
    "CREATE MODEL m INPUT (input STRING) OUTPUT (content STRING) WITH ("
    "'provider' = 'openai', 'endpoint' = 'https://api.example.com/v1', 'api-key' = 'sk-secret-123', "
    "'model' = 'gpt-test'{extra});"
)
DATA = "CREATE TEMPORARY VIEW t (id, txt) AS VALUES (1, 'hello'), (2, 'world');"
SINK = "CREATE TEMPORARY TABLE sink (id INT, txt STRING, content STRING) WITH ('connector' = 'print');"
INSERT = "INSERT INTO sink SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(txt));"


def chat_reply(content: str, prompt: int = 3, completion: int = 2) -> dict:
    return {
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
    }


def test_chat_request_body_and_headers(sql: SqlRunner, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=URL, method="POST", json=chat_reply("ok"), is_reusable=True)
    run = sql(
        MODEL.format(extra=", 'system-prompt' = 'Mask IDs.', 'temperature' = '0.2', 'top_p' = '0.8'")
        + DATA
        + SINK
        + INSERT
    )
    assert run.out == "+I[1, hello, ok]\n+I[2, world, ok]\n"
    requests = httpx_mock.get_requests()
    assert len(requests) == 2
    bodies = sorted((json.loads(r.content) for r in requests), key=lambda b: b["messages"][1]["content"])
    assert bodies[0] == {
        "model": "gpt-test",
        "messages": [{"role": "system", "content": "Mask IDs."}, {"role": "user", "content": "hello"}],
        "temperature": 0.2,
        "top_p": 0.8,
    }
    assert requests[0].headers["authorization"] == "Bearer sk-secret-123"
    assert requests[0].headers["content-type"] == "application/json"


def test_only_options_the_user_set_are_sent(sql: SqlRunner, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=URL, json=chat_reply("ok"), is_reusable=True)
    sql(MODEL.format(extra="") + DATA + SINK + INSERT)
    body = json.loads(httpx_mock.get_requests()[0].content)
    assert set(body) == {"model", "messages"}
    assert body["messages"][0] == {"role": "system", "content": "You are a helpful assistant."}


def test_usage_is_accounted(sql: SqlRunner, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=URL, json=chat_reply("ok", prompt=10, completion=4), is_reusable=True)
    result = sql(MODEL.format(extra="") + DATA + SINK + INSERT).results[-1]
    (stats,) = result.predict
    assert (stats.requests, stats.rows_in, stats.rows_out, stats.prompt_tokens, stats.completion_tokens) == (
        2,
        2,
        2,
        20,
        8,
    )


def test_n_choices_give_one_row_each(sql: SqlRunner, httpx_mock: HTTPXMock) -> None:
    reply = chat_reply("a")
    reply["choices"].append({"index": 1, "message": {"role": "assistant", "content": "b"}})
    httpx_mock.add_response(url=URL, json=reply, is_reusable=True)
    run = sql(MODEL.format(extra=", 'n' = '2'") + DATA + SINK + INSERT)
    assert run.out.splitlines() == ["+I[1, hello, a]", "+I[1, hello, b]", "+I[2, world, a]", "+I[2, world, b]"]
    assert json.loads(httpx_mock.get_requests()[0].content)["n"] == 2


def test_embeddings_request_and_vector(sql: SqlRunner, httpx_mock: HTTPXMock) -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        texts = json.loads(request.content)["input"]
        vectors = {"hello": [0.12, 0.22, 0.32, 0.42], "world": [0.5, 0.5, 0.5, 0.5]}
        data = [{"index": i, "embedding": vectors[t]} for i, t in enumerate(texts)]
        return httpx.Response(200, json={"data": data[::-1], "usage": {"prompt_tokens": 2}})  # shuffled order

    httpx_mock.add_callback(reply, url="https://api.example.com/v1/embeddings", is_reusable=True)
    run = sql(
        "CREATE MODEL e INPUT (input STRING) OUTPUT (embedding ARRAY<FLOAT>) WITH ('provider' = 'openai', "
        "'endpoint' = 'https://api.example.com/v1', 'api-key' = 'k', 'model' = 'text-embedding-3-small', 'dimension' = '4');"
        + DATA
        + "CREATE TEMPORARY TABLE vec (id INT, embedding ARRAY<FLOAT>) WITH ('connector' = 'print');"
        "INSERT INTO vec SELECT id, embedding FROM ML_PREDICT(TABLE t, MODEL e, DESCRIPTOR(txt));"
    )
    # (Flink 2.3) +I[1, [0.12, 0.22, 0.32, 0.42]]; vectors matched by index, not position
    assert run.out.splitlines() == ["+I[1, [0.12, 0.22, 0.32, 0.42]]", "+I[2, [0.5, 0.5, 0.5, 0.5]]"]
    (request,) = httpx_mock.get_requests()  # both rows in one batch
    body = json.loads(request.content)
    assert body == {
        "model": "text-embedding-3-small",
        "input": ["hello", "world"],
        "encoding_format": "float",
        "dimensions": 4,
    }


def model_error(sql: SqlRunner) -> ModelError:
    with pytest.raises(ModelError) as info:
        sql(MODEL.format(extra=", 'error-handling-strategy' = 'FAILOVER'") + DATA + SINK + INSERT)
    return info.value


@pytest.mark.parametrize(
    "status, body, fragment, hint",
    [
        (
            401,
            {
                "error": {
                    "message": "Incorrect API key provided.",
                    "type": "invalid_request_error",
                    "code": "invalid_api_key",
                }
            },
            "HTTP 401 from https://api.example.com/v1/chat/completions: Incorrect API key provided. (invalid_api_key)",
            "check the API key",
        ),
        (
            404,
            {"error": {"message": "The model `gpt-test` does not exist", "code": "model_not_found"}},
            "HTTP 404",
            "check the options 'endpoint' and 'model'",
        ),
        (
            500,
            {"code": "InternalError", "message": "An internal error has occured", "request_id": "x"},
            "HTTP 500 from https://api.example.com/v1/chat/completions: An internal error has occured (InternalError)",
            None,
        ),
    ],
)
def test_http_errors_are_clear(
    sql: SqlRunner, httpx_mock: HTTPXMock, status: int, body: dict, fragment: str, hint: str | None
) -> None:
    httpx_mock.add_response(url=URL, status_code=status, json=body, is_reusable=True)
    error = model_error(sql)
    assert fragment in error.message
    assert "ML_PREDICT(m) over t, row 1 (id=1, txt=hello)" in error.message
    if hint:
        assert hint in (error.hint or "")
    assert "sk-secret-123" not in render_error(error)


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"<html>Bad gateway</html>", "malformed reply from https://api.example.com/v1/chat/completions: not JSON"),
        (b'{"id": "x"}', "no 'choices'"),
        (b'{"choices": [{"message": {}}]}', "a choice has no message content"),
    ],
)
def test_malformed_replies(sql: SqlRunner, httpx_mock: HTTPXMock, content: bytes, fragment: str) -> None:
    httpx_mock.add_response(url=URL, content=content, is_reusable=True)
    assert fragment in model_error(sql).message


def test_unreachable_server(sql: SqlRunner, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_exception(httpx.ConnectError("Connection refused"), is_reusable=True)
    assert "cannot reach https://api.example.com/v1/chat/completions: Connection refused" in model_error(sql).message


def test_timeout(sql: SqlRunner, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_exception(httpx.ReadTimeout("slow"), is_reusable=True)
    sql(MODEL.format(extra=", 'error-handling-strategy' = 'FAILOVER'") + DATA + SINK)
    with pytest.raises(QsqlError) as info:
        sql("INSERT INTO sink SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(txt), MAP['timeout', '2s']);")
    assert "no reply from https://api.example.com/v1/chat/completions within 2 s" in info.value.message


def test_dashscope_batch_chat_is_priced_and_explained_at_the_batch_price(sql: SqlRunner, httpx_mock: HTTPXMock) -> None:
    """The Batch Chat endpoint (batch.dashscope.aliyuncs.com) takes the synchronous request and
    bills half (the reference's section 1.5); qsql warns about its long queueing at CREATE MODEL."""
    url = "https://batch.dashscope.aliyuncs.com/compatible-mode/v1/chat/completions"
    httpx_mock.add_response(url=url, json=chat_reply("ok", 1000, 1000), is_reusable=True)
    run = sql(
        "CREATE MODEL m INPUT (input STRING) OUTPUT (content STRING) WITH ('provider' = 'qwen', "
        "'endpoint' = 'https://batch.dashscope.aliyuncs.com/compatible-mode/v1', 'api-key' = 'k', "
        "'model' = 'qwen-plus');" + DATA
    )
    assert "may answer only after up to 3600 s" in run.err
    (plan,) = sql("EXPLAIN SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(txt))").results
    assert "DashScope Batch Chat: batch price applies" in plan.text
    (result,) = sql("SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(txt))").results
    stats = result.predict[0]
    assert stats.batch_api and stats.requests == 2
    _, price = sql.session.price_of("m")
    assert price is not None  # qwen-plus is in qsql's price table
    assert sql.session.usage.cost == pytest.approx(price.batch().cost(2000, 2000))
