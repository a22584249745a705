"""The ML_PREDICT progress line: rows done of a known total, req/s and ETA, and warnings
printed above it (no fragments of the bar)."""

from __future__ import annotations

import io
import re

from rich.console import Console

from qsql.executor import PredictStats
from qsql.progress import PredictProgress, rate_text
from qsql.session import Session


def terminal() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=True, width=160, color_system=None), buffer


def test_counts_rows_done_of_the_known_total_with_rate_and_eta() -> None:
    console, buffer = terminal()
    progress = PredictProgress(console, interval=0)
    stats = PredictStats(model="m", source="v", total=10, rows_in=6, rows_done=3, requests=3)
    progress(stats)
    assert progress._progress is not None
    (task,) = progress._progress.tasks
    assert (task.completed, task.total) == (3, 10)  # done, not merely read (6)
    progress._progress.refresh()
    progress.stop()
    screen = buffer.getvalue()
    assert "3/10" in screen and "req/s" in screen and "ETA" in screen


def test_rate_text() -> None:
    stats = PredictStats(model="m", source="v", requests=20, retries=2, failed_rows=1, cache_hits=4)
    assert rate_text(stats, 4.0) == "20 req, 5.0 req/s, 2 retries, 1 failed, 4 cached"


def test_warnings_go_above_the_bar_and_plain_when_no_bar() -> None:
    console, buffer = terminal()
    progress = PredictProgress(console, interval=0)
    err = io.StringIO()
    with Session(env={}, err=err) as session:
        session.progress = progress
        session.warn("before any bar")  # no bar drawn: plain stderr
        progress(PredictStats(model="m", source="v", total=None, rows_done=1))
        session.warn("retrying row 17")
        progress.stop()
    assert err.getvalue() == "warning: before any bar\n"
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buffer.getvalue())
    lines = screen.replace("\r", "\n").splitlines()
    assert any(line.strip() == "warning: retrying row 17" for line in lines)  # a line of its own
