"""qsql.models.predict without a session: batching, de-duplication, the cache, retries, the
batch split, skips and the two hook points. HTTP goes to an in-process httpx.MockTransport."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest

from qsql.errors import ModelError
from qsql.models.accounting import PredictStats
from qsql.models.cache import MemoryCache
from qsql.models.config import CHAT, EMBEDDINGS, ModelConfig
from qsql.models.hooks import Admission, CallRecord, ModelHooks, Slot, Ticket
from qsql.models.predict import NULL, Skipped, predict
from qsql.models.providers import PROVIDERS
from qsql.models.retry import RetryPolicy
from qsql.models.runtime import ModelRuntime
from qsql.secrets import Secret

from .simclock import RecordingClock

KEY = "sk-unit-test-key"


class Server:
    """Answers like the OpenAI-compatible API; ``script`` may override the reply per request."""

    def __init__(self, script: Callable[[dict], httpx.Response | None] | None = None) -> None:
        self.bodies: list[dict] = []
        self.script = script

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        if self.script is not None:
            reply = self.script(body)
            if reply is not None:
                return reply
        if "messages" in body:
            text = body["messages"][-1]["content"]
            return httpx.Response(
                200,
                json={
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": f"re: {text}"}}],
                    "usage": {"prompt_tokens": 3, "completion_tokens": 2},
                },
            )
        data = [{"index": i, "embedding": [float(len(t)), 1.0]} for i, t in enumerate(body["input"])]
        return httpx.Response(200, json={"data": data[::-1], "usage": {"prompt_tokens": len(data)}})


def config(task: str = CHAT, **changes: object) -> ModelConfig:
    provider = PROVIDERS["qwen"]
    base = ModelConfig(
        name="m",
        provider="qwen",
        task=task,
        url="https://dashscope.example/v1/" + ("chat/completions" if task == CHAT else "embeddings"),
        cache_identity="unit",
        api_key=Secret(KEY),
        model="qwen-plus" if task == CHAT else "text-embedding-v4",
        batch_size=10 if task == EMBEDDINGS else 1,
        protocol=provider.protocol,
        retry=RetryPolicy(retries=3),
    )
    from dataclasses import replace

    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def runtime_for() -> Iterator[Callable[[Server], ModelRuntime]]:
    runtimes: list[ModelRuntime] = []

    def make(server: Server) -> ModelRuntime:
        runtime = ModelRuntime(httpx.MockTransport(server))
        runtimes.append(runtime)
        return runtime

    yield make
    for runtime in runtimes:
        runtime.close()


def run(
    cfg: ModelConfig, texts: list[str | None], runtime: ModelRuntime, **kwargs: object
) -> tuple[list, PredictStats]:
    stats = PredictStats(model="m", source="t")
    kwargs.setdefault("clock", RecordingClock())
    out = list(predict(cfg, list(enumerate(texts)), stats, runtime=runtime, **kwargs))  # type: ignore[arg-type]
    return out, stats


def test_embeddings_are_batched_and_matched_by_index(runtime_for) -> None:
    server = Server()
    out, stats = run(config(EMBEDDINGS, batch_size=4), [f"t{'x' * i}" for i in range(10)], runtime_for(server))
    assert [len(body["input"]) for body in server.bodies] == [4, 4, 2]
    assert [tag for tag, _ in out] == list(range(10))
    assert [o.outputs[0][0] for _, o in out] == [float(1 + i) for i in range(10)]  # reply order was reversed
    assert stats.requests == 3 and stats.prompt_tokens == 10


def test_batches_also_close_at_the_token_budget(runtime_for) -> None:
    server = Server()
    run(config(EMBEDDINGS, batch_size=10, batch_token_limit=10), ["aaaa", "bbbb", "cccc", "dd"], runtime_for(server))
    assert [body["input"] for body in server.bodies] == [["aaaa", "bbbb"], ["cccc", "dd"]]


def test_identical_inputs_in_flight_are_sent_once(runtime_for) -> None:
    # With caching on ('qsql.cache' off asks for a fresh answer each time).
    server = Server()
    out, stats = run(config(), ["a", "b", "a", "a"], runtime_for(server), concurrency=4, cache=MemoryCache())
    assert sorted(b["messages"][-1]["content"] for b in server.bodies) == ["a", "b"]
    assert [o.outputs for _, o in out] == [["re: a"], ["re: b"], ["re: a"], ["re: a"]]
    assert stats.cache_hits == 2 and stats.prompt_tokens == 6  # duplicates cost nothing


def test_the_cache_answers_a_second_call_and_never_holds_the_key(runtime_for) -> None:
    server = Server()
    cache = MemoryCache()
    runtime = runtime_for(server)
    run(config(), ["a", "b"], runtime, cache=cache)
    out, stats = run(config(), ["a", "b", "c"], runtime, cache=cache)
    assert len(server.bodies) == 3 and stats.cache_hits == 2 and stats.requests == 1
    assert [o.usage.prompt_tokens for _, o in out] == [0, 0, 3]
    assert KEY not in repr(cache._entries)


def test_retries_follow_the_policy_and_floor_retry_after(runtime_for) -> None:
    calls = {"n": 0}

    def script(body: dict) -> httpx.Response | None:
        calls["n"] += 1
        if calls["n"] <= 2:
            return httpx.Response(503, headers={"Retry-After": "0"}, json={"error": {"message": "busy"}})
        return None

    clock = RecordingClock()
    out, stats = run(config(), ["a"], runtime_for(Server(script)), clock=clock)
    assert out[0][1].outputs == ["re: a"]
    assert stats.requests == 3 and stats.retries == 2
    assert all(delay > 0.3 for delay in clock.sleeps)  # Retry-After: 0 does not mean "at once"


def test_retries_run_out_and_the_error_is_the_outcome(runtime_for) -> None:
    server = Server(lambda body: httpx.Response(500, json={"error": {"message": "down", "code": "InternalError"}}))
    clock = RecordingClock()
    out, stats = run(config(), ["a"], runtime_for(server), clock=clock)
    ((_, error),) = out
    assert isinstance(error, ModelError) and "HTTP 500" in error.message
    assert stats.requests == 4 and len(clock.sleeps) == 3


def test_a_refused_batch_is_split_so_only_the_bad_input_fails(runtime_for) -> None:
    def script(body: dict) -> httpx.Response | None:
        if any("bad" in t for t in body["input"]):
            return httpx.Response(400, json={"error": {"message": "inappropriate", "code": "data_inspection_failed"}})
        return None

    server = Server(script)
    out, stats = run(config(EMBEDDINGS), ["ok1", "ok2", "bad", "ok3", "ok4"], runtime_for(server))
    kinds = [type(o).__name__ for _, o in out]
    assert kinds == ["Prediction", "Prediction", "ModelError", "Prediction", "Prediction"]
    assert len(server.bodies) <= 6


def test_null_inputs_are_skipped_without_a_request(runtime_for) -> None:
    server = Server()
    out, stats = run(config(), [None, "a"], runtime_for(server))
    assert out[0][1] == Skipped(NULL) and stats.skipped_null == 1 and len(server.bodies) == 1


def test_the_observer_hears_every_attempt_without_the_key(runtime_for) -> None:
    records: list[CallRecord] = []
    calls = {"n": 0}

    def script(body: dict) -> httpx.Response | None:
        calls["n"] += 1
        if calls["n"] == 1:
            return httpx.Response(429, json={"error": {"message": f"slow down, Bearer {KEY}"}})
        return None

    cache = MemoryCache()
    runtime = runtime_for(Server(script))
    run(config(), ["a"], runtime, hooks=ModelHooks(observer=records.append), cache=cache)
    run(config(), ["a"], runtime, hooks=ModelHooks(observer=records.append), cache=cache)
    assert [(r.attempt, r.status, r.ok, r.cache_hit) for r in records] == [
        (1, 429, False, False),
        (2, 200, True, False),
        (0, None, True, True),
    ]
    assert records[1].prompt_tokens == 3 and records[1].host == "dashscope.example"
    assert all(KEY not in (r.reply_text or "") + (r.error or "") + (r.request_text or "") for r in records)


def test_admission_wraps_every_attempt_and_learns_the_outcome(runtime_for) -> None:
    seen: list[tuple[str, int | None]] = []

    class Recording(Admission):
        @asynccontextmanager
        async def attempt(self, ticket: Ticket) -> AsyncIterator[Slot]:
            slot = Slot()
            yield slot
            seen.append((ticket.host, slot.status, slot.code))

    quota = {"error": {"message": "tpm", "code": "Throttling.AllocationQuota"}}
    server = Server(lambda body: httpx.Response(429, json=quota) if len(server.bodies) == 1 else None)
    run(config(), ["a"], runtime_for(server), hooks=ModelHooks(admission=Recording()))
    assert seen == [("dashscope.example", 429, "Throttling.AllocationQuota"), ("dashscope.example", 200, None)]
