"""``qsql batches list|cancel``, in-process against the stub and the batch record in a temp cache dir."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from qsql.cli import main
from qsql.models.batch_api import BatchClient, BatchRequest, split_into_files
from qsql.models.batch_store import BatchStore
from qsql.stub import StubServer


def start_batch(server: StubServer) -> str:
    async def go() -> str:
        async with httpx.AsyncClient(trust_env=False) as http:
            client = BatchClient(http, server.base_url, {})
            ((ids, content),) = split_into_files(
                [BatchRequest("k1", {"model": "qwen-plus", "messages": []})], "/v1/chat/completions"
            )
            status = await client.create(await client.upload(content), "/v1/chat/completions")
            store = BatchStore()
            store.record(status.id, server.base_url, "qwen", "qwen-plus", status.status, ids)
            store.close()
            return status.id

    return asyncio.run(go())


def test_list_when_there_are_none(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batches"]) == 0
    assert capsys.readouterr().out == "no batches\n"


def test_list_and_cancel(capsys: pytest.CaptureFixture[str]) -> None:
    with StubServer() as server:
        batch_id = start_batch(server)
        assert main(["batches", "list"]) == 0
        out = capsys.readouterr().out
        assert batch_id in out and "validating" in out and "qwen-plus" in out and "pending" in out
        assert main(["batches", "cancel", batch_id]) == 0
        assert capsys.readouterr().out == f"{batch_id}: cancelling\n"
        assert main(["batches", "cancel", batch_id]) == 0  # still cancelling: the stub accepts it again
        capsys.readouterr()
    store = BatchStore()
    assert store.get(batch_id).status == "cancelling"
    store.close()


def test_cancel_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batches", "cancel", "batch-unknown"]) == 1
    assert "no batch 'batch-unknown'" in capsys.readouterr().err
    assert main(["batches", "cancel"]) == 2
    capsys.readouterr()
    with StubServer() as server:
        batch_id = start_batch(server)
    # The server is gone now: the error says so in one line.
    assert main(["batches", "cancel", batch_id]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot cancel" in err


def test_cache_clear_keeps_unfinished_batches_unless_forced(capsys: pytest.CaptureFixture[str]) -> None:
    """A cleared cache must not make the next run pay twice for a batch still running."""
    with StubServer() as server:
        running = start_batch(server)
    store = BatchStore()
    store.record("batch-done", "http://x/v1", "qwen", "qwen-plus", "completed", ["k-done"])
    store.collected("batch-done", "completed")
    store.put_results({"k-done": {"choices": []}})
    store.close()

    assert main(["cache", "clear"]) == 0
    out = capsys.readouterr().out
    assert "kept the record of 1 unfinished Batch API batch (1 requests)" in out and "--force" in out
    store = BatchStore()
    assert [b.id for b in store.all()] == [running]  # the collected one is gone, the running one kept
    assert store.pending(["k1"], store.get(running).base_url) == {"k1": running}
    assert store.results(["k-done"]) == {}
    store.close()

    assert main(["cache", "clear", "--force"]) == 0
    captured = capsys.readouterr()
    assert f"forgot 1 unfinished Batch API batch ({running})" in captured.err
    store = BatchStore()
    assert store.all() == []
    store.close()
    assert main(["cache", "clear"]) == 0  # nothing left: no word about batches
    assert "batch" not in capsys.readouterr().out


def test_list_asks_the_provider_when_a_key_is_at_hand(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with StubServer() as server:
        batch_id = start_batch(server)
        monkeypatch.delenv("DASHSCOPE_API_KEY", raising=False)
        assert main(["batches"]) == 0  # no key: the record, and a line saying so
        out = capsys.readouterr().out
        assert "validating" in out and f"({batch_id}: status as last recorded; no API key for provider 'qwen'" in out
        monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-test")
        assert main(["batches", "list"]) == 0  # the stub moves a batch one step per look-up
        out = capsys.readouterr().out
        assert "in_progress" in out and "  1/1  " in out and "status as last recorded" not in out
        assert server.stats.authorizations[-1].startswith("Bearer sk-")
        store = BatchStore()
        assert store.get(batch_id).status == "in_progress"  # recorded
        store.close()
        assert main(["batches", "--offline"]) == 0
        out = capsys.readouterr().out
        assert "in_progress" in out and "(statuses as last recorded (--offline))" in out
        assert main(["batches"]) == 0
        assert "finalizing" in capsys.readouterr().out
    # The provider is unreachable: the recorded status, and why in one line.
    assert main(["batches"]) == 0
    out = capsys.readouterr().out
    assert "finalizing" in out and f"({batch_id}: status as last recorded; cannot reach" in out
