"""The stub refuses what the documented services refuse, one row per rule of the reference.

Each case posts a body straight to the stub (no qsql in between), so the stub's strictness is
tested on its own; tests/test_families_table.py checks that qsql's requests pass it."""

from __future__ import annotations

import httpx
import pytest

from qsql.stub import StubOptions, StubServer

USER = [{"role": "user", "content": "hi"}]
SYSTEM_USER = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]


def chat(model: str = "qwen-plus", **fields: object) -> dict:
    return {"model": model, "messages": fields.pop("messages", USER), **fields}


CHAT_CASES = [
    # (body, status, code, message fragment) -- status 200: accepted
    (chat(temperature=1.99), 200, None, None),
    (chat(temperature=2), 400, "invalid_parameter_error", "Range of temperature should be [0.0, 2.0)"),
    (chat("gpt-4o-mini", temperature=2), 200, None, None),
    (chat("gpt-4o-mini", temperature=2.01), 400, "invalid_value", "temperature"),
    (chat("deepseek-chat", temperature=2), 200, None, None),
    (chat(top_p=0), 400, "invalid_parameter_error", "top_p"),
    (chat("gpt-4o-mini", top_p=0), 200, None, None),
    (chat(presence_penalty=-2.5), 400, "invalid_parameter_error", "presence_penalty"),
    (chat(max_tokens=0), 400, "invalid_parameter_error", "Range of max_tokens should be [1,"),
    (chat(n=5), 400, "invalid_parameter_error", "Range of n should be [1, 4]"),
    (chat("qwen-max", n=2), 400, "invalid_parameter_error", "does not support n > 1"),
    (chat("gpt-4o-mini", n=100), 200, None, None),
    (chat(seed=-1), 400, "invalid_value", "-1 is lesser than the minimum of 0 - 'seed'"),
    (chat(seed=2**31), 400, "invalid_value", "greater than the maximum"),
    (chat(stop=["a", 1]), 400, "invalid_parameter_error", "cannot mix"),
    (chat("gpt-4o-mini", stop=["a", "b", "c", "d", "e"]), 400, "invalid_parameter_error", "at most 4"),
    (chat("o3-mini", max_tokens=10), 400, "unsupported_parameter", "Use 'max_completion_tokens' instead"),
    (chat("o4-mini", stop=["x"]), 400, "unsupported_parameter", "'stop' is not supported with this model"),
    (chat("o3", stop="x"), 400, "unsupported_parameter", "'stop'"),
    (chat("o3-mini", stop=["x"]), 200, None, None),
    (chat(response_format={"type": "json_object"}), 400, "invalid_parameter_error", "must contain the word 'json'"),
    (
        chat(response_format={"type": "json_object"}, messages=[{"role": "user", "content": "answer in JSON"}]),
        200,
        None,
        None,
    ),
    (
        chat(messages=[{"role": "user", "content": ""}]),
        400,
        "ServiceUnavailableError",
        "Content length must be greater than 0",
    ),
    (
        chat(messages=[{"role": "developer", "content": "x"}]),
        400,
        "invalid_parameter_error",
        "developer is not one of ['system', 'assistant', 'user', 'tool', 'function']",
    ),
    (
        chat(messages=[{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]),
        500,
        "InternalError.Algo",
        "list index out of range",
    ),
    # thinking and streaming
    (
        chat("qwen3-8b"),
        400,
        "invalid_parameter_error",
        "parameter.enable_thinking must be set to false for non-streaming calls",
    ),
    (chat("qwen3-8b", enable_thinking=False), 200, None, None),
    (chat("qwen3-8b", stream=True), 200, None, None),
    (chat("qwen3.5-plus"), 400, "invalid_parameter_error", "enable_thinking must be set to false"),
    (chat("qwen-plus", enable_thinking=True), 400, "invalid_parameter_error", "enable_thinking must be set to false"),
    (chat("qwq-plus"), 400, "invalid_parameter_error", "only support stream mode"),
    (chat("qwq-plus", stream=True), 200, None, None),
    (
        chat("qwen-max", enable_thinking=False),
        400,
        "InvalidParameter.NotSupportEnableThinking",
        "does not support enable_thinking",
    ),
    (
        chat("qwen3-235b-a22b-instruct-2507", enable_thinking=False),
        400,
        "InvalidParameter.NotSupportEnableThinking",
        None,
    ),
    (
        chat("qwen-plus", stream_options={"include_usage": True}),
        400,
        "invalid_parameter_error",
        "only allowed when stream",
    ),
    (chat("gpt-4o-mini", enable_thinking=False), 400, "unknown_parameter", "enable_thinking"),
    # Qwen-MT
    (
        chat("qwen-mt-plus", messages=SYSTEM_USER, translation_options={"target_lang": "English"}),
        400,
        "invalid_parameter_error",
        "Role must be in [user, assistant].",
    ),
    (chat("qwen-mt-plus"), 400, "invalid_parameter_error", "translation_options.target_lang"),
    (chat("qwen-mt-plus", translation_options={"source_lang": "auto", "target_lang": "English"}), 200, None, None),
    (
        chat("qwen-plus", translation_options={"target_lang": "English"}),
        400,
        "invalid_parameter_error",
        "does not support translation_options",
    ),
]


def embed(model: str = "text-embedding-v4", **fields: object) -> dict:
    return {"model": model, "input": fields.pop("input", ["a"]), **fields}


EMBEDDING_CASES = [
    (embed(input=["x"] * 10), 200, None, None),
    (embed(input=["x"] * 11), 400, "InvalidParameter", "should not be larger than 10"),
    (embed("text-embedding-v2", input=["x"] * 25), 200, None, None),
    (embed("text-embedding-v1", input=["x"] * 26), 400, "InvalidParameter", "should not be larger than 25"),
    (embed(input=["a", ""]), 400, "InvalidParameter", "empty"),
    (embed(dimensions=100), 400, "InvalidParameter", "dimension"),
    (embed("text-embedding-v3", dimensions=2048), 400, "InvalidParameter", "dimension"),
    (embed("text-embedding-v2", dimensions=1536), 200, None, None),
    (embed(encoding_format="base64"), 400, "InvalidParameter", "Only float"),
    (embed(input=["word " * 8193]), 400, "InvalidParameter", "Range of input length"),
    (embed("text-embedding-3-small", input=["a", ""]), 400, "invalid_parameter_error", "'$.input' is invalid"),
    (embed("text-embedding-3-small", input=["x"] * 2049), 400, "invalid_parameter_error", "at most 2048"),
    (
        embed("text-embedding-3-small", input=["word " * 150_001, "word " * 150_000]),
        400,
        "invalid_parameter_error",
        "300000 tokens",
    ),
    (embed("text-embedding-3-small", extra=1), 400, "unknown_parameter", "extra"),
    (
        embed("text-embedding-ada-002", dimensions=8),
        400,
        "invalid_parameter_error",
        "does not support specifying dimensions",
    ),
    (embed("deepseek-embed"), 404, "not_found", "no embeddings"),
    (embed("text-embedding-3-small", input=["word " * 8192]), 200, None, None),
    (embed("text-embedding-3-small", input=["a", "word " * 8193]), 400, "invalid_parameter_error", "8192 tokens"),
]


@pytest.fixture(scope="module")
def server():
    with StubServer(options=StubOptions()) as stub:
        yield stub


def post(server: StubServer, path: str, body: dict) -> httpx.Response:
    return httpx.post(server.base_url + path, json=body, timeout=30)


@pytest.mark.parametrize("body, status, code, fragment", CHAT_CASES)
def test_chat_rules(server: StubServer, body: dict, status: int, code: str | None, fragment: str | None) -> None:
    reply = post(server, "/chat/completions", body)
    assert reply.status_code == status, reply.text
    if status != 200:
        error = reply.json()["error"]
        assert error["code"] == code
        assert set(error) == {"code", "param", "message", "type"}  # DashScope's compatible-mode error body
        if fragment:
            assert fragment in error["message"]


@pytest.mark.parametrize("body, status, code, fragment", EMBEDDING_CASES)
def test_embedding_rules(server: StubServer, body: dict, status: int, code: str | None, fragment: str | None) -> None:
    reply = post(server, "/embeddings", body)
    assert reply.status_code == status, reply.text[:300]
    if status != 200:
        error = reply.json()["error"]
        assert error["code"] == code
        if fragment:
            assert fragment in error["message"]


def test_a_stream_carries_reasoning_then_answer_then_usage(server: StubServer) -> None:
    reply = post(server, "/chat/completions", chat("qwen3-8b", stream=True, stream_options={"include_usage": True}))
    assert reply.headers["content-type"].startswith("text/event-stream")
    events = [line[6:] for line in reply.text.splitlines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    import json

    chunks = [json.loads(e) for e in events[:-1]]
    kinds = [next(iter(c["choices"][0]["delta"]), None) if c["choices"] else "usage" for c in chunks]
    assert kinds.index("reasoning_content") < kinds.index("content") < kinds.index("usage")
    usage = chunks[-1]["usage"]
    assert usage["completion_tokens_details"]["reasoning_tokens"] > 0
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"]) == "[stub] hi"


def test_every_named_error_marker_answers_with_its_documented_status(server: StubServer) -> None:
    from qsql.stub.rules import NAMED_ERRORS

    for name, (status, code, message) in NAMED_ERRORS.items():
        reply = post(
            server, "/chat/completions", chat(messages=[{"role": "user", "content": f"x [[stub:error={name}]]"}])
        )
        assert reply.status_code == status and reply.json()["error"]["code"] == code, name
        assert reply.json()["error"]["message"] == message.replace("{model}", "qwen-plus")


def test_strict_checks_can_be_turned_off() -> None:
    with StubServer(options=StubOptions(strict=False)) as lenient:
        assert post(lenient, "/chat/completions", chat(temperature=5)).status_code == 200


def test_openai_takes_an_empty_message_that_dashscope_refuses(server: StubServer) -> None:
    empty = [{"role": "user", "content": ""}]
    assert post(server, "/chat/completions", chat("gpt-4o-mini", messages=empty)).status_code == 200
    assert post(server, "/chat/completions", chat("qwen-plus", messages=empty)).status_code == 400


def test_replies_have_the_documented_shape(server: StubServer) -> None:
    """DashScope's chat reply: id, object, created, model, choices (index, message, finish_reason,
    logprobs), usage with prompt_tokens_details.cached_tokens, system_fingerprint; embeddings:
    data (embedding, index, object), model, object, usage, id."""
    reply = post(server, "/chat/completions", chat()).json()
    assert set(reply) == {"id", "object", "created", "model", "choices", "usage", "system_fingerprint"}
    assert set(reply["choices"][0]) == {"index", "message", "finish_reason", "logprobs"}
    assert reply["usage"]["prompt_tokens_details"] == {"cached_tokens": 0}
    assert reply["usage"]["total_tokens"] == reply["usage"]["prompt_tokens"] + reply["usage"]["completion_tokens"]
    vectors = post(server, "/embeddings", embed(input=["a", "b"])).json()
    assert set(vectors) == {"id", "object", "model", "data", "usage"}
    assert [set(item) for item in vectors["data"]] == [{"object", "index", "embedding"}] * 2
    assert set(vectors["usage"]) == {"prompt_tokens", "total_tokens"}


def test_every_refusal_has_the_compatible_mode_error_body() -> None:
    """{"error": {code, param, message, type}, id, request_id}, for injected statuses, a wrong
    key and rate limits too, not only for the rules."""
    from qsql.stub import RateLimits

    options = StubOptions(api_key="right", rate_limits=RateLimits(requests_per_minute=1))
    with StubServer(options=options) as stub:
        answers = [
            httpx.post(stub.base_url + "/chat/completions", json=chat(), headers={"Authorization": "Bearer wrong"}),
            httpx.post(
                stub.base_url + "/chat/completions",
                json=chat(messages=[{"role": "user", "content": "x [[stub:status=503]]"}]),
                headers={"Authorization": "Bearer right"},
            ),
            httpx.post(stub.base_url + "/chat/completions", json=chat(), headers={"Authorization": "Bearer right"}),
            httpx.post(stub.base_url + "/chat/completions", json=chat(), headers={"Authorization": "Bearer right"}),
        ]
    assert [a.status_code for a in answers] == [401, 503, 200, 429]
    for answer in (answers[0], answers[1], answers[3]):
        assert set(answer.json()) == {"error", "id", "request_id"}
        assert set(answer.json()["error"]) == {"code", "param", "message", "type"}
    assert answers[0].json()["error"]["code"] == "invalid_api_key"


def test_model_errors_name_the_model(server: StubServer) -> None:
    for name, said in (("ModelNotFound", "The model qwen-foo does not exist"), ("model_not_supported", "qwen-foo")):
        body = chat("qwen-foo", messages=[{"role": "user", "content": f"x [[stub:error={name}]]"}])
        reply = post(server, "/chat/completions", body)
        assert reply.status_code == 404 and said in reply.json()["error"]["message"]
