"""The model runtime: bounded concurrency, lazy input, ordering, cancellation."""

from __future__ import annotations

import asyncio
import io

import pytest
from rich.console import Console

from qsql.executor import PredictStats
from qsql.models.runtime import ModelRuntime
from qsql.progress import PredictProgress


@pytest.fixture
def runtime():
    rt = ModelRuntime()
    yield rt
    rt.close()


def test_input_is_pulled_lazily_and_results_stream(runtime: ModelRuntime) -> None:
    pulled: list[int] = []
    running = [0]
    peak = [0]

    def source():
        for i in range(100):
            pulled.append(i)
            yield i

    async def work(i: int) -> int:
        running[0] += 1
        peak[0] = max(peak[0], running[0])
        await asyncio.sleep(0.001 * (i % 3))
        running[0] -= 1
        return i * 2

    results = runtime.map(work, source(), limit=5)
    first = next(results)
    assert first == (0, 0)
    assert len(pulled) <= 5 + 64 + 4 * 5  # bounded by the window, not the table
    rest = list(results)
    assert [r[1] for r in rest] == [2 * i for i in range(1, 100)]
    assert peak[0] <= 5


def test_unordered_returns_each_item_once(runtime: ModelRuntime) -> None:
    async def work(i: int) -> int:
        await asyncio.sleep(0.001 * ((7 * i) % 5))
        return i

    out = [item for item, _ in runtime.map(work, range(50), limit=8, ordered=False)]
    assert sorted(out) == list(range(50)) and out != list(range(50))


def test_closing_early_cancels_what_is_in_flight(runtime: ModelRuntime) -> None:
    cancelled: list[int] = []

    async def work(i: int) -> int:
        try:
            await asyncio.sleep(0 if i == 0 else 10)
        except asyncio.CancelledError:
            cancelled.append(i)
            raise
        return i

    results = runtime.map(work, range(20), limit=4)
    assert next(results) == (0, 0)
    results.close()  # what Ctrl-C or a failing sink does to the generator
    assert sorted(cancelled) == [1, 2, 3]
    loop = runtime._event_loop()
    assert not [t for t in asyncio.all_tasks(loop) if not t.done()]


def test_first_failure_is_raised_and_the_rest_cancelled(runtime: ModelRuntime) -> None:
    async def work(i: int) -> int:
        if i == 2:
            raise ValueError("boom")
        await asyncio.sleep(0.01)
        return i

    results = runtime.map(work, range(10), limit=4)
    assert [next(results)[0], next(results)[0]] == [0, 1]
    with pytest.raises(ValueError):
        next(results)


def test_progress_line_on_a_terminal() -> None:
    buffer = io.StringIO()
    progress = PredictProgress(Console(file=buffer, force_terminal=True, width=100), interval=0)
    stats = PredictStats(model="m", source="t", total=10)
    for i in range(10):
        stats.rows_in = stats.rows_out = i + 1
        progress(stats)
    progress.stop()
    assert "ML_PREDICT(m)" in buffer.getvalue()
