"""How results look on a terminal or in a pipe: Flink SQL client's tableau format, and the
one-line summary of what an INSERT wrote and spent."""

from __future__ import annotations

from prompt_toolkit.utils import get_cwidth

from .executor import PredictStats
from .session import InsertResult, QueryResult
from .types import format_value


def tableau(result: QueryResult) -> str:
    """Flink's tableau layout (batch mode): right-aligned cells, ``N rows in set``."""
    headers = [f.name for f in result.columns]
    cells = [[format_value(v, f.dtype) for v, f in zip(row, result.columns)] for row in result.rows]
    if not result.rows:
        return "Empty set"
    widths = [get_cwidth(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], get_cwidth(cell))
    border = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(values: list[str]) -> str:
        return "|" + "|".join(" " + " " * (w - get_cwidth(v)) + v + " " for v, w in zip(values, widths)) + "|"

    lines = [border, line(headers), border, *(line(row) for row in cells), border]
    count = len(result.rows)
    lines.append(f"{count} row{'s' if count != 1 else ''} in set")
    return "\n".join(lines)


def _count(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def predict_summary(stats: PredictStats) -> str:
    """Rows in/out, requests, cache hits, retries, failures, tokens, time and throughput."""
    parts = [
        f"{stats.rows_in} in, {stats.rows_out} out",
        _count(stats.requests, "request"),
        _count(stats.cache_hits, "cache hit"),
        _count(stats.retries, "retry", "retries"),
        f"{stats.failed_rows} failed",
    ]
    skipped = stats.skipped_null + stats.skipped_overflow
    if skipped:
        parts.append(f"{skipped} skipped")
    parts.append(f"{stats.prompt_tokens} prompt + {stats.completion_tokens} completion tokens")
    rate = stats.rows_in / stats.elapsed if stats.elapsed > 0 else 0.0
    parts.append(f"{stats.elapsed:.2f} s, {rate:.1f} rows/s")
    return f"ML_PREDICT({stats.model}): " + ", ".join(parts)


def insert_summary(result: InsertResult) -> str:
    text = f"[INFO] {result.table}: {_count(result.rows, 'row')} written in {result.elapsed:.2f} s"
    for stats in result.predict:
        text += "; " + predict_summary(stats)
    return text
