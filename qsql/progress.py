"""A live progress line for ML_PREDICT on a terminal: rows done (of how many, when known),
requests, retries and failures. Never shown when stderr is not a terminal."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .executor import PredictStats


class PredictProgress:
    def __init__(self, console: Console | None = None, interval: float = 0.1) -> None:
        self._console = console or Console(stderr=True)
        self._interval = interval
        self._progress: Progress | None = None
        self._tasks: dict[int, int] = {}
        self._last = 0.0

    def __call__(self, stats: PredictStats) -> None:
        now = time.monotonic()
        if now - self._last < self._interval:
            return
        self._last = now
        if self._progress is None:
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[detail]}"),
                TimeElapsedColumn(),
                console=self._console,
                transient=True,
            )
            self._progress.start()
        task = self._tasks.get(id(stats))
        if task is None:
            task = self._progress.add_task(f"ML_PREDICT({stats.model})", total=stats.total, detail="")
            self._tasks[id(stats)] = task
        detail = f"{stats.requests} requests, {stats.retries} retries, {stats.failed_rows} failed"
        self._progress.update(task, completed=stats.rows_in, detail=detail)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
        self._progress = None
        self._tasks.clear()
