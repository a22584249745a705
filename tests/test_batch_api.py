"""The Batch File API client against the stub's /files and /batches, over real sockets.
Polling uses a fake clock; nothing sleeps."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from qsql.errors import ModelError
from qsql.models.batch_api import (
    BatchClient,
    BatchRequest,
    BatchStatus,
    describe,
    endpoint_path,
    parse_result_lines,
    split_into_files,
)
from qsql.stub import BatchOptions, StubOptions, StubServer


class InstantClock:
    def __init__(self) -> None:
        self.slept: list[float] = []
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def chat_body(text: str) -> dict:
    return {"model": "qwen-plus", "messages": [{"role": "user", "content": text}]}


def requests(*texts: str) -> list[BatchRequest]:
    return [BatchRequest(f"r{i}", chat_body(t)) for i, t in enumerate(texts)]


def run_job(server: StubServer, reqs: list[BatchRequest], cancel_after_create: bool = False):
    async def go():
        async with httpx.AsyncClient(trust_env=False) as http:
            client = BatchClient(http, server.base_url, {"Authorization": "Bearer k"})
            ((ids, content),) = split_into_files(reqs, "/v1/chat/completions")
            file_id = await client.upload(content)
            created = await client.create(file_id, "/v1/chat/completions", metadata={"ds_name": "qsql test"})
            if cancel_after_create:
                await client.retrieve(created.id)  # half answered
                await client.cancel(created.id)
            progress: list[str] = []
            clock = InstantClock()
            final = await client.wait(
                created.id, clock, poll_interval=2, on_progress=lambda s: progress.append(s.status)
            )
            return created, final, await client.results(final), progress, clock

    return asyncio.run(go())


def test_a_job_runs_to_completion_and_results_match_by_custom_id() -> None:
    with StubServer() as server:
        created, final, results, progress, clock = run_job(server, requests("one", "two", "three"))
    assert created.status == "validating" and created.total == 3
    assert progress == ["in_progress", "finalizing", "completed"]
    assert clock.slept == [2, 3]  # the poll interval grows by half
    assert final.completed == 3 and final.failed == 0 and final.error_file_id is None
    assert {k: v.body["choices"][0]["message"]["content"] for k, v in results.items()} == {
        "r0": "[stub] one",
        "r1": "[stub] two",
        "r2": "[stub] three",
    }
    assert all(r.ok for r in results.values())
    assert describe(final) == f"batch {final.id}: completed, 3/3 done"


def test_failed_lines_go_to_the_error_file() -> None:
    with StubServer() as server:
        _, final, results, _, _ = run_job(server, requests("fine", "bad [[stub:status=400]]"))
    assert final.status == "completed" and final.completed == 1 and final.failed == 1
    assert results["r0"].ok
    assert not results["r1"].ok and results["r1"].status_code == 400
    assert "injected failure" in results["r1"].error_message


def test_expiry_answers_half_and_marks_the_rest() -> None:
    with StubServer(options=StubOptions(batch=BatchOptions(expire=True))) as server:
        _, final, results, progress, _ = run_job(server, requests("a", "b", "c", "d"))
    assert progress[-1] == "expired"
    assert [results[f"r{i}"].ok for i in range(4)] == [True, True, False, False]
    assert results["r3"].error_code == "batch_expired"


def test_cancellation_keeps_what_was_answered() -> None:
    with StubServer() as server:
        _, final, results, progress, _ = run_job(server, requests("a", "b", "c", "d"), cancel_after_create=True)
    assert progress == ["cancelled"]
    assert sum(r.ok for r in results.values()) == 2
    assert results["r3"].error_code == "batch_cancelled"


def test_validation_failure_and_errors_name_the_cause() -> None:
    async def go(server: StubServer) -> BatchStatus:
        async with httpx.AsyncClient(trust_env=False) as http:
            client = BatchClient(http, server.base_url, {})
            bad = b'{"custom_id": "a", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "x"}}\n' * 2
            file_id = await client.upload(bad)
            created = await client.create(file_id, "/v1/chat/completions")
            with pytest.raises(ModelError, match="completion_window"):
                await client.create(file_id, "/v1/chat/completions", completion_window="1h")
            with pytest.raises(ModelError, match="HTTP 404"):
                await client.retrieve("batch-nope")
            return await client.wait(created.id, InstantClock())

    with StubServer() as server:
        final = asyncio.run(go(server))
    assert final.status == "failed"
    assert any("repeated" in e for e in final.errors)


def test_list_and_cancel_a_finished_batch() -> None:
    async def go(server: StubServer) -> None:
        async with httpx.AsyncClient(trust_env=False) as http:
            client = BatchClient(http, server.base_url, {})
            ((_, content),) = split_into_files(requests("x"), "/v1/chat/completions")
            created = await client.create(await client.upload(content), "/v1/chat/completions")
            listed = await client.list()
            assert [b.id for b in listed] == [created.id]
            await client.wait(created.id, InstantClock())
            with pytest.raises(ModelError, match="already completed"):
                await client.cancel(created.id)

    with StubServer() as server:
        asyncio.run(go(server))


def test_transient_poll_errors_are_retried() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] < 3:
            return httpx.Response(503, json={"error": {"message": "busy"}})
        return httpx.Response(
            200, json={"id": "b1", "status": "completed", "request_counts": {"total": 1, "completed": 1}}
        )

    async def go() -> BatchStatus:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            return await BatchClient(http, "http://x/v1", {}).wait("b1", InstantClock())

    assert asyncio.run(go()).status == "completed"
    assert calls["n"] == 3


def test_jobs_over_the_file_limit_are_split() -> None:
    reqs = [BatchRequest(f"id{i}", {"model": "m", "input": "x"}) for i in range(7)]
    files = split_into_files(reqs, "/v1/embeddings", max_requests=3)
    assert [ids for ids, _ in files] == [["id0", "id1", "id2"], ["id3", "id4", "id5"], ["id6"]]
    line = json.loads(files[0][1].splitlines()[0])
    assert line == {"custom_id": "id0", "method": "POST", "url": "/v1/embeddings", "body": {"model": "m", "input": "x"}}
    by_bytes = split_into_files(reqs, "/v1/embeddings", max_bytes=len(files[0][1]) // 2)
    assert len(by_bytes) > 3
    with pytest.raises(ValueError, match="unique"):
        split_into_files([reqs[0], reqs[0]], "/v1/embeddings")


def test_default_split_is_fifty_thousand() -> None:
    reqs = (BatchRequest(str(i), {"m": 1}) for i in range(50_001))
    assert [len(ids) for ids, _ in split_into_files(reqs, "/v1/chat/completions")] == [50_000, 1]


def test_result_lines_are_read_defensively() -> None:
    text = "\n".join(
        [
            json.dumps({"custom_id": "a", "response": {"status_code": 200, "body": {"choices": []}}}),
            "not json",
            json.dumps(
                {
                    "custom_id": "b",
                    "response": {"status_code": 500, "body": {"error": {"message": "boom", "code": "InternalError"}}},
                }
            ),
            json.dumps({"custom_id": "c", "response": None, "error": {"code": "batch_expired", "message": "late"}}),
            json.dumps({"no": "id"}),
        ]
    )
    results = parse_result_lines(text)
    assert sorted(results) == ["a", "b", "c"]
    assert results["a"].ok
    assert (results["b"].status_code, results["b"].error_code) == (500, "InternalError")
    assert (results["c"].status_code, results["c"].error_message) == (None, "late")


def test_endpoint_path() -> None:
    assert endpoint_path("https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions") == "/v1/chat/completions"
    assert endpoint_path("http://127.0.0.1:5/v1/embeddings") == "/v1/embeddings"


def test_batch_lines_are_held_to_the_synchronous_rules_but_not_to_streaming() -> None:
    """A batch line the real-time endpoint would refuse fails into the error file with the same
    error; the streaming-only rules do not apply (batches are answered whole, qwq-plus included)."""
    reqs = [BatchRequest("hot", {**chat_body("x"), "temperature": 2}), BatchRequest("fine", chat_body("z"))]
    qwq = [BatchRequest("qwq", {"model": "qwq-plus", "messages": [{"role": "user", "content": "y"}]})]
    with StubServer() as server:
        _, final, results, _, _ = run_job(server, reqs)
        _, thought, thinking, _, _ = run_job(server, qwq)
    assert final.status == "completed" and final.completed == 1 and final.failed == 1
    assert results["hot"].status_code == 400 and results["hot"].error_code == "invalid_parameter_error"
    assert "Range of temperature" in results["hot"].error_message
    assert thought.completed == 1 and thinking["qwq"].body["choices"][0]["message"]["reasoning_content"]


def test_an_upload_over_the_file_limit_is_refused_as_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    from qsql.stub import batch as stub_batch

    monkeypatch.setattr(stub_batch, "MAX_FILE_BYTES", 1000)  # stands for 500 MB

    async def go(server: StubServer) -> None:
        async with httpx.AsyncClient(trust_env=False) as http:
            client = BatchClient(http, server.base_url, {})
            with pytest.raises(ModelError, match=r"HTTP 400.*BadRequest.TooLarge"):
                await client.upload(b"x" * 1001)

    with StubServer() as server:
        asyncio.run(go(server))


def test_a_line_over_six_megabytes_fails_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    from qsql.stub import batch as stub_batch

    monkeypatch.setattr(stub_batch, "MAX_LINE_BYTES", 200)  # stands for 6 MB

    async def go(server: StubServer) -> BatchStatus:
        async with httpx.AsyncClient(trust_env=False) as http:
            client = BatchClient(http, server.base_url, {})
            ((_, content),) = split_into_files(requests("short", "long " * 100), "/v1/chat/completions")
            created = await client.create(await client.upload(content), "/v1/chat/completions")
            return await client.wait(created.id, InstantClock())

    with StubServer() as server:
        final = asyncio.run(go(server))
    assert final.status == "failed" and any("over 6 MB" in e for e in final.errors)


def test_the_batch_client_fails_fast_on_account_states_and_never_shows_the_key(httpx_mock) -> None:
    """A DashScope 429 that is a billing state is not a rate limit: the provider's own rule
    (DashScope.classify) says so for the Batch File API as for chat; a key echoed back is masked."""
    from qsql.models.qwen import DashScope

    httpx_mock.add_response(
        url="https://dashscope.example/v1/files",
        status_code=429,
        json={"error": {"code": "PrepaidBillOverdue", "message": "The prepaid bill is overdue. key=sk-secret-123"}},
    )
    httpx_mock.add_response(
        url="https://dashscope.example/v1/batches/b1",
        status_code=429,
        json={"error": {"code": "limit_requests", "message": "Requests rate limit exceeded"}},
    )

    async def go() -> tuple[ModelError, ModelError]:
        async with httpx.AsyncClient() as http:
            headers = {"Authorization": "Bearer sk-secret-123"}
            client = BatchClient(http, "https://dashscope.example/v1", headers, classify=DashScope().classify)
            with pytest.raises(ModelError) as billing:
                await client.upload(b"{}")
            with pytest.raises(ModelError) as throttled:
                await client.retrieve("b1")
            return billing.value, throttled.value

    billing, throttled = asyncio.run(go())
    assert not billing.retryable and "not a rate limit" in billing.message and billing.code == "PrepaidBillOverdue"
    assert "sk-secret-123" not in billing.message and "****" in billing.message
    assert throttled.retryable and throttled.code == "limit_requests"
