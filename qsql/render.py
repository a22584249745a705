"""How results look on a terminal or in a pipe: Flink SQL client's tableau format, and the
one-line summary of what an INSERT wrote and spent."""

from __future__ import annotations

from collections.abc import Callable

from .executor import PredictStats
from .results import InsertResult, QueryResult
from .types import DataType, sql_string


DEFAULT_MAX_COLUMN_WIDTH = 30  # Flink's 'sql-client.display.max-column-width'
NULL_TEXT = "<NULL>"


def get_cwidth(text: str) -> int:
    """Columns ``text`` takes on a terminal. Printable ASCII is one column a character; only
    other text needs wcwidth's tables (via prompt_toolkit, imported then: it costs start-up)."""
    if text.isascii() and text.isprintable():
        return len(text)
    from prompt_toolkit.utils import get_cwidth as terminal_width

    return terminal_width(text)


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes (wide CJK characters count two)."""
    return get_cwidth(text)


def column_width(dtype: DataType, max_width: int) -> int:
    """Flink's tableau column width, derived from the type, not the data."""
    kind = dtype.kind
    widths = {"TINYINT": 4, "SMALLINT": 6, "INT": 11, "BIGINT": 20, "BOOLEAN": 5, "DATE": 10}
    if kind in widths:
        return widths[kind]
    if kind == "DECIMAL":
        return (dtype.precision or 10) + 2
    if kind in ("TIMESTAMP", "TIMESTAMP_LTZ"):
        precision = dtype.precision if dtype.precision is not None else 6
        return 19 if precision == 0 else 23 if precision <= 3 else 26 if precision <= 6 else 29
    return max_width


def cell_text(value: object, dtype: DataType) -> str:
    return NULL_TEXT if value is None else sql_string(value, dtype)


def tableau(result: QueryResult, max_width: int = DEFAULT_MAX_COLUMN_WIDTH) -> str:
    """Flink SQL client's tableau layout (batch mode), checked against Flink 2.3: widths from
    the column types, right-aligned cells, NULL as <NULL>, values as CAST(... AS STRING)
    shows them, cells wider than the column cut with '...', then ``N rows in set``."""
    if not result.rows:
        return "Empty set"
    headers = [f.name for f in result.columns]
    cells = [[cell_text(v, f.dtype) for v, f in zip(row, result.columns)] for row in result.rows]
    if result.widths_from_data:
        widths = [
            min(max([get_cwidth(h)] + [get_cwidth(row[i]) for row in cells]), max(max_width, get_cwidth(h)))
            for i, h in enumerate(headers)
        ]
    else:
        widths = [
            max(column_width(f.dtype, max_width), len(NULL_TEXT), get_cwidth(h)) for f, h in zip(result.columns, headers)
        ]
    border = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def fit(text: str, width: int) -> str:
        if get_cwidth(text) <= width:
            return text
        kept = ""
        for char in text:
            if get_cwidth(kept + char) > width - 3:
                break
            kept += char
        return kept + "..."

    def line(values: list[str]) -> str:
        fitted = [fit(v.replace("\n", " "), w) for v, w in zip(values, widths)]
        return "|" + "|".join(" " + " " * (w - get_cwidth(v)) + v + " " for v, w in zip(fitted, widths)) + "|"

    lines = [border, line(headers), border, *(line(row) for row in cells), border]
    count = len(result.rows)
    lines.append(f"{count} row{'s' if count != 1 else ''} in set")
    return "\n".join(lines)


def _count(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def predict_summary(stats: PredictStats, cost: str = "") -> str:
    """Rows in/out, requests, cache hits, retries, failures, tokens, time and throughput."""
    parts = [
        f"{stats.rows_in} in, {stats.rows_out} out",
        _count(stats.requests, "request"),
        _count(stats.cache_hits, "cache hit"),
        _count(stats.retries, "retry", "retries"),
        f"{stats.failed_rows} failed" + (f" ({stats.dropped_rows} dropped)" if stats.dropped_rows else ""),
    ]
    skipped = stats.skipped_null + stats.skipped_empty + stats.skipped_overflow
    if skipped:
        parts.append(f"{skipped} skipped")
    tokens = f"{stats.prompt_tokens} prompt + {stats.completion_tokens} completion tokens"
    if stats.reasoning_tokens:
        tokens += f" ({stats.reasoning_tokens} reasoning)"
    parts.append(tokens + cost)
    rate = stats.rows_in / stats.elapsed if stats.elapsed > 0 else 0.0
    parts.append(f"{stats.elapsed:.2f} s, {rate:.1f} rows/s")
    return f"ML_PREDICT({stats.model}): " + ", ".join(parts) + "".join(f"; {note}" for note in stats.notes)


def insert_summary(result: InsertResult, cost_of: Callable[[PredictStats], str] = lambda stats: "") -> str:
    text = f"[INFO] {result.table}: {_count(result.rows, 'row')} written in {result.elapsed:.2f} s"
    for stats in result.predict:
        text += "; " + predict_summary(stats, cost_of(stats))
    return text
