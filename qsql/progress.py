"""A live progress line for ML_PREDICT on a terminal: rows done (of how many, when the source
knows), requests per second, retries, failures and the time left. Never shown when stderr is
not a terminal. Warnings printed while it is drawn go above it (``print_above``), so they
leave no fragments of the bar behind."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from .executor import PredictStats


def rate_text(stats: PredictStats, elapsed: float) -> str:
    """'12.5 req/s, 3 retries, 1 failed' — the detail after the bar."""
    rate = stats.requests / elapsed if elapsed > 0 else 0.0
    parts = [f"{stats.requests} req, {rate:.1f} req/s"]
    if stats.retries:
        parts.append(f"{stats.retries} retries")
    if stats.failed_rows:
        parts.append(f"{stats.failed_rows} failed")
    if stats.cache_hits:
        parts.append(f"{stats.cache_hits} cached")
    return ", ".join(parts)


class PredictProgress:
    def __init__(self, console: Console | None = None, interval: float = 0.1) -> None:
        self._console = console or Console(stderr=True)
        self._interval = interval
        self._progress: Progress | None = None
        self._tasks: dict[int, tuple[TaskID, float]] = {}
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
                TextColumn("rows"),
                TextColumn("{task.fields[detail]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=self._console,
                transient=True,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._progress.start()
        entry = self._tasks.get(id(stats))
        if entry is None:
            task = self._progress.add_task(f"ML_PREDICT({stats.model})", total=stats.total, detail="")
            entry = (task, now)
            self._tasks[id(stats)] = entry
        task, started = entry
        total = stats.total if stats.total is None else max(stats.total, stats.rows_done)
        self._progress.update(task, completed=stats.rows_done, total=total, detail=rate_text(stats, now - started))

    def print_above(self, text: str) -> bool:
        """Print ``text`` above the bar; False when no bar is drawn (the caller prints it)."""
        if self._progress is None:
            return False
        self._progress.console.print(text, markup=False, highlight=False, soft_wrap=True)
        return True

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
        self._progress = None
        self._tasks.clear()
