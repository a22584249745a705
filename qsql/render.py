"""How results look on a terminal or in a pipe: Flink SQL client's tableau format, and the
one-line summary of what an INSERT wrote and spent."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from .executor import PredictStats
from .results import InsertResult, QueryResult
from .settings import TABLE_MAX_COLUMN_WIDTH
from .types import DataType, sql_string

DEFAULT_MAX_COLUMN_WIDTH = (
    TABLE_MAX_COLUMN_WIDTH.default_value
)  # the setting's default (Flink's PrintStyle's), for callers without a session
NULL_TEXT = "<NULL>"  # Flink's PrintStyle.NULL_VALUE
_CUT = "..."


def get_cwidth(text: str) -> int:
    """Columns ``text`` takes on a terminal. Printable ASCII is one column a character; only
    other text needs wcwidth's tables (via prompt_toolkit, imported then: it costs start-up)."""
    if text.isascii() and text.isprintable():
        return len(text)
    from prompt_toolkit.utils import get_cwidth as terminal_width

    return terminal_width(text)


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes (wide CJK characters count two): the box table and the
    expanded view, which are qsql's own layouts for a terminal."""
    return get_cwidth(text)


def _is_full_width(char: str) -> bool:
    """Flink's TableauStyle.isFullWidth: East Asian Width 'W' or 'F'."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def flink_width(text: str) -> int:
    """Width as Flink's tableau measures it (TableauStyle.getStringDisplayWidth): Java's
    String.length() (UTF-16 code units, so 2 for a character beyond the BMP, such as an emoji)
    plus one for each wide or full-width character. Not always the terminal's width (an emoji
    counts 3, a combining accent 1); Flink's tables are aligned by this measure, so are qsql's."""
    if text.isascii():
        return len(text)
    return sum((2 if ord(c) > 0xFFFF else 1) + _is_full_width(c) for c in text)


def _cut(text: str, width: int) -> str:
    """Flink's TableauStyle.truncateString + '...': keep UTF-16 units while they fit in
    ``width - 3`` columns, pad on the left to that width, then '...'. When the cut falls inside
    a surrogate pair Java keeps a lone high surrogate, which its UTF-8 writer prints as '?'."""
    target = width - len(_CUT)
    kept: list[str] = []
    passed = 0
    for char in text:
        if ord(char) > 0xFFFF:
            passed += 2 if _is_full_width(char) else 1  # the high surrogate: Java sees the code point
            if passed > target:
                break
            passed += 1  # the low surrogate on its own: neutral width
            if passed > target:
                kept.append("?")
                break
            kept.append(char)
            continue
        passed += 2 if _is_full_width(char) else 1
        if passed > target:
            break
        kept.append(char)
    shown = "".join(kept)
    lacking = target - flink_width(shown)
    return " " * max(lacking, 0) + shown + _CUT


def cell_text(value: object, dtype: DataType, null: str = NULL_TEXT) -> str:
    return null if value is None else sql_string(value, dtype)


def tableau(result: QueryResult, max_width: int = DEFAULT_MAX_COLUMN_WIDTH) -> str:
    """Flink SQL client's tableau layout in batch mode, checked against Flink 2.3.

    A query (CliTableauResultView.printBatchTable, PrintStyle.tableauWithDataInferredColumnWidths):
    each column as wide as its widest cell or its name, at most ``max_width``
    ('table.display.max-column-width'), name included; cells right-aligned, NULL as <NULL>,
    values as CAST(... AS STRING) shows them, a cell wider than its column cut with '...'.
    A statement's table (SHOW, DESCRIBE, SET; ``result.widths_from_data``: the SQL client's
    StatementResultPrinter): sized by the data with no cap, NULL as an empty cell.
    Then ``N rows in set``, or ``Empty set`` for no rows.

    One difference: a line break inside a value prints as a space (Flink prints it as is, which
    breaks the table's lines; model answers often have them).
    """
    if not result.rows:
        return "Empty set"
    statement = result.widths_from_data
    null = "" if statement else NULL_TEXT
    headers = [f.name for f in result.columns]
    cells = [
        [cell_text(v, f.dtype, null).replace("\n", " ") for v, f in zip(row, result.columns)] for row in result.rows
    ]
    # TableResult.print() in a Flink program sizes columns by their types (11 for an INT); the
    # SQL client does so only in streaming mode, which has no counterpart in qsql.
    widths = [max([flink_width(h)] + [flink_width(row[i]) for row in cells]) for i, h in enumerate(headers)]
    if not statement:
        widths = [min(w, max_width) for w in widths]
    border = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(values: list[str]) -> str:
        parts = []
        for value, width in zip(values, widths):
            used = flink_width(value)
            parts.append(" " * (width - used) + value if used <= width else _cut(value, width))
        return "| " + " | ".join(parts) + " |"

    lines = [border, line(headers), border, *(line(row) for row in cells), border]
    count = len(result.rows)
    lines.append(f"{count} row{'s' if count > 1 else ''} in set")
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
