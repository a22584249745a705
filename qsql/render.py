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


def predict_summary(stats: PredictStats) -> str:
    parts = [f"{stats.requests} request{'s' if stats.requests != 1 else ''}"]
    if stats.prompt_tokens or stats.completion_tokens:
        parts.append(f"{stats.prompt_tokens} prompt + {stats.completion_tokens} completion tokens")
    if stats.skipped_null:
        parts.append(f"{stats.skipped_null} NULL input{'s' if stats.skipped_null != 1 else ''} skipped")
    return f"ML_PREDICT({stats.model}): " + ", ".join(parts)


def insert_summary(result: InsertResult) -> str:
    rows = f"{result.rows} row{'s' if result.rows != 1 else ''}"
    text = f"[INFO] {result.table}: {rows} written in {result.elapsed:.2f} s"
    for stats in result.predict:
        text += "; " + predict_summary(stats)
    return text
