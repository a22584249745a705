"""The stub server itself, over real loopback sockets."""

from __future__ import annotations

import math

import httpx
import pytest

from qsql.stub import Fault, StubOptions, StubServer, embedding_vector


def chat(client: httpx.Client, server: StubServer, text: str, **extra: object) -> httpx.Response:
    body = {"model": "m", "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": text}], **extra}
    return client.post(f"{server.base_url}/chat/completions", json=body, headers={"Authorization": "Bearer k"})


@pytest.fixture
def client() -> httpx.Client:
    with httpx.Client(timeout=5, trust_env=False) as c:
        yield c


def test_chat_reply_is_marked_and_deterministic(stub: StubServer, client: httpx.Client) -> None:
    reply = chat(client, stub, "hello world", n=2).json()
    assert [c["message"]["content"] for c in reply["choices"]] == ["[stub] hello world", "[stub #1] hello world"]
    assert reply["usage"] == {
        "prompt_tokens": 3,
        "completion_tokens": 7,
        "total_tokens": 10,
        "prompt_tokens_details": {"cached_tokens": 0},
    }
    assert stub.base_url.startswith("http://127.0.0.1:")


def test_embeddings_are_deterministic_unit_vectors(stub: StubServer, client: httpx.Client) -> None:
    reply = client.post(
        f"{stub.base_url}/embeddings", json={"model": "e", "input": ["a", "b"], "dimensions": 16}
    ).json()
    vectors = [d["embedding"] for d in reply["data"]]
    assert [d["index"] for d in reply["data"]] == [0, 1]
    assert vectors[0] == embedding_vector("a", 16) and vectors[0] != vectors[1]
    assert len(vectors[0]) == 16 and math.isclose(sum(v * v for v in vectors[0]), 1.0, abs_tol=1e-4)


def test_markers_inject_status_and_retry_after(stub: StubServer, client: httpx.Client) -> None:
    response = chat(client, stub, "x [[stub:status=429;retry-after=3]]")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "3"
    assert response.json()["error"]["code"] == "limit_requests"


def test_times_fails_first_attempts_then_succeeds(stub: StubServer, client: httpx.Client) -> None:
    text = "y [[stub:status=503;times=2]]"
    assert [chat(client, stub, text).status_code for _ in range(3)] == [503, 503, 200]


def test_malformed_and_dropped_replies(stub: StubServer, client: httpx.Client) -> None:
    response = chat(client, stub, "[[stub:malformed]]")
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()
    with pytest.raises(httpx.RemoteProtocolError):
        chat(client, stub, "[[stub:drop]]")


def test_global_failures_every_nth_request(client: httpx.Client) -> None:
    options = StubOptions(fail_every=2, global_fault=Fault(status=500))
    with StubServer(options=options) as server:
        assert [chat(client, server, "z").status_code for _ in range(4)] == [200, 500, 200, 500]


def test_required_api_key(client: httpx.Client) -> None:
    with StubServer(options=StubOptions(api_key="good")) as server:
        assert chat(client, server, "x").status_code == 401


def test_unknown_path_and_method(stub: StubServer, client: httpx.Client) -> None:
    assert client.post(f"{stub.base_url}/completions", json={}).status_code == 404
    assert client.get(f"{stub.base_url}/models").json()["data"][0]["id"] == "stub"
    assert client.delete(f"{stub.base_url}/chat/completions").status_code == 405


def test_stop_closes_the_port() -> None:
    server = StubServer().start_in_thread()
    url = server.base_url
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.post(f"{url}/chat/completions", json={}, timeout=2)
