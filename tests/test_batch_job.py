"""A Batch API job end to end against the stub: submit, resume after an interruption, never pay twice."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from qsql.models.batch_api import BatchClient
from qsql.models.batch_job import JobReport, run_job
from qsql.models.batch_store import BatchStore
from qsql.stub import StubServer


class Clock:
    def __init__(self, interrupt_after: int | None = None) -> None:
        self.sleeps = 0
        self.interrupt_after = interrupt_after

    def monotonic(self) -> float:
        return float(self.sleeps)

    async def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        if self.interrupt_after is not None and self.sleeps > self.interrupt_after:
            raise KeyboardInterrupt


def bodies(*texts: str) -> dict[str, dict]:
    return {f"key-{t}": {"model": "qwen-plus", "messages": [{"role": "user", "content": t}]} for t in texts}


def job(
    server: StubServer, store: BatchStore, requests: dict[str, dict], clock: Clock, report: JobReport | None = None
):
    async def go():
        async with httpx.AsyncClient(trust_env=False) as http:
            client = BatchClient(http, server.base_url, {"Authorization": "Bearer k"})
            return await run_job(
                client,
                store,
                clock,
                requests=requests,
                endpoint="/v1/chat/completions",
                provider="qwen",
                model="qwen-plus",
                report=report,
                poll_interval=1,
            )

    return asyncio.run(go())


@pytest.fixture
def store(tmp_path: Path):
    opened = BatchStore(tmp_path / "cache.sqlite3")
    yield opened
    opened.close()


def creations(server: StubServer) -> int:
    return len(server.batches.batches)


def test_a_job_answers_every_request_and_keeps_the_paid_replies(store: BatchStore) -> None:
    with StubServer() as server:
        report = JobReport()
        results = job(server, store, bodies("a", "b"), Clock(), report)
        assert {k: r.body["choices"][0]["message"]["content"] for k, r in results.items()} == {
            "key-a": "[stub] a",
            "key-b": "[stub] b",
        }
        assert len(report.submitted) == 1 and report.resumed == []
        assert "1 batch completed, 2/2 requests done" in report.progress_line()
        # The same requests again: answered from what was paid for, no new batch.
        again = JobReport()
        assert set(job(server, store, bodies("a", "b"), Clock(), again)) == {"key-a", "key-b"}
        assert again.already_paid == 2 and again.submitted == [] and creations(server) == 1
    (record,) = store.all()
    assert record.status == "completed" and record.collected and record.requests == 2


def test_an_interrupted_run_resumes_the_same_batch(store: BatchStore) -> None:
    with StubServer() as server:
        with pytest.raises(KeyboardInterrupt):
            job(server, store, bodies("a", "b", "c"), Clock(interrupt_after=1))
        assert creations(server) == 1
        (record,) = store.all()
        assert not record.collected and record.status in ("validating", "in_progress", "finalizing")
        report = JobReport()
        results = job(server, store, bodies("a", "b", "c"), Clock(), report)
        assert creations(server) == 1  # resumed, not submitted again
        assert report.resumed == [record.id] and report.submitted == []
        assert all(r.ok for r in results.values()) and len(results) == 3


def test_new_requests_beside_a_resumed_batch_get_their_own(store: BatchStore) -> None:
    with StubServer() as server:
        with pytest.raises(KeyboardInterrupt):
            job(server, store, bodies("a"), Clock(interrupt_after=0))
        report = JobReport()
        results = job(server, store, bodies("a", "z"), Clock(), report)
        assert len(report.resumed) == 1 and len(report.submitted) == 1
        assert set(results) == {"key-a", "key-z"}


def test_a_batch_the_service_forgot_is_submitted_again(store: BatchStore) -> None:
    with StubServer() as server:
        with pytest.raises(KeyboardInterrupt):
            job(server, store, bodies("a"), Clock(interrupt_after=0))
    with StubServer() as fresh:  # another stub: it never heard of that batch (404)
        report = JobReport()
        results = job(fresh, store, bodies("a"), Clock(), report)
        # The first stub's batch was at another base URL, so it is not even resumed there.
        assert results["key-a"].ok


def test_a_lost_batch_at_the_same_url_is_resubmitted(store: BatchStore) -> None:
    with StubServer() as server:
        with pytest.raises(KeyboardInterrupt):
            job(server, store, bodies("a"), Clock(interrupt_after=0))
        server.batches.batches.clear()  # the service forgot it
        report = JobReport()
        results = job(server, store, bodies("a"), Clock(), report)
        assert results["key-a"].ok and len(report.submitted) == 1
    assert any(r.status == "lost" for r in store.all())


def test_failed_lines_are_not_kept_and_go_out_again(store: BatchStore) -> None:
    with StubServer() as server:
        requests = bodies("ok", "bad [[stub:status=500]]")
        first = job(server, store, requests, Clock())
        assert first["key-ok"].ok and not first["key-bad [[stub:status=500]]"].ok
        report = JobReport()
        job(server, store, requests, Clock(), report)
        assert report.already_paid == 1 and len(report.submitted) == 1
