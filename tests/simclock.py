"""Virtual time for asyncio code that takes an injectable clock: nothing really sleeps.

``SimClock.run(coroutine)`` runs it; whenever every task is blocked on the clock, time jumps
to the earliest wake-up. So a two-minute rate-limited run takes milliseconds and its timing
is exact and repeatable.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Coroutine
from typing import Any


class SimClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.start = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self.slept = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), next(self._order), future))
        self.slept += max(0.0, seconds)
        await future

    @property
    def elapsed(self) -> float:
        return self.now - self.start

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        async def drive() -> Any:
            main = asyncio.ensure_future(coroutine)
            idle_rounds = 0
            while not main.done():
                for _ in range(8):
                    await asyncio.sleep(0)
                    if main.done():
                        break
                if main.done():
                    break
                self._sleepers = [s for s in self._sleepers if not s[2].done()]
                heapq.heapify(self._sleepers)
                if not self._sleepers:
                    idle_rounds += 1
                    if idle_rounds > 1000:
                        raise RuntimeError("deadlock: every task waits and nothing is sleeping")
                    continue
                idle_rounds = 0
                when, _, future = heapq.heappop(self._sleepers)
                self.now = max(self.now, when)
                future.set_result(None)
            return main.result()

        return asyncio.run(drive())


class RecordingClock:
    """Records every wait and returns at once; time advances by the waits. For tests of retry
    and backoff, where what matters is how long qsql would have waited, not waiting."""

    def __init__(self, start: float = 0.0) -> None:
        self.sleeps: list[float] = []
        self.now = start

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)

    def monotonic(self) -> float:
        return self.now
