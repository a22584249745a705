"""The one output layer: how a query's rows look in each output format, and which stream each
kind of result goes to. The CLI (scripts, -e, stdin) and the shell both show results through
:class:`Display`; they differ only in where data and notes are written and in the defaults.

Formats (``--format``, ``\\format``, ``SET 'qsql.output.format'``; qsql extension):

* ``tableau``  — Flink SQL client's batch layout (the default in scripts): each column sized by
  its data, cut at 'table.display.max-column-width';
* ``table``    — a box table sized by the data (the default in the shell);
* ``csv`` / ``tsv`` — a header line, then one line per row, NULL as an empty field;
* ``json``     — one JSON array of objects; ``jsonl`` — one object per line (Flink's json format);
* ``markdown`` — a GitHub pipe table.

``expanded`` (``\\x``) shows table-like formats one record at a time, as psql's ``\\x`` does.
"""

from __future__ import annotations

import io
import time
import traceback
from collections.abc import Callable

from .errors import QsqlError, render_error
from .executor import PredictStats
from .lazydataclass import lazy_dataclass
from .pricing import UsageTotals, format_cost
from .render import NULL_TEXT, cell_text, display_width, insert_summary, predict_summary, tableau
from .results import InsertResult, QueryResult, Result, StatusResult, TextResult
from .session import Session
from .settings import (
    OUTPUT_EXPANDED,
    OUTPUT_FORMAT,
    OUTPUT_FORMATS,
    SHELL_MAX_ROWS,
    TABLE_MAX_COLUMN_WIDTH,
    TIMING,
    max_column_width,
)

FORMATS = OUTPUT_FORMATS
# Formats whose output is a table for people to read; the rest are for programs.
HUMAN_FORMATS = ("tableau", "table", "markdown")


def row_count(count: int) -> str:
    return f"{count} row{'s' if count != 1 else ''} in set" if count else "Empty set"


# ------------------------------------------------------------------ formatters
def format_rows(
    result: QueryResult,
    fmt: str,
    *,
    max_width: int = TABLE_MAX_COLUMN_WIDTH.default_value,
    expanded: bool = False,
    limit: int | None = None,
) -> str:
    """The rows of a query in ``fmt``, without a footer; '' when a human format has no rows.

    ``limit`` keeps only the first rows (the shell's screenful); machine formats ignore it.
    """
    rows = result.rows if limit is None or fmt not in HUMAN_FORMATS else result.rows[:limit]
    shown = QueryResult(result.columns, rows, result.elapsed, result.predict, widths_from_data=result.widths_from_data)
    if expanded and fmt in HUMAN_FORMATS:
        return _expanded(shown)
    if fmt == "tableau":
        if not rows:
            return ""
        text = tableau(shown, max_width)
        return text[: text.rfind("\n")]  # without Flink's "N rows in set": the caller says it
    return _FORMATTERS[fmt](shown)


def _names(result: QueryResult) -> list[str]:
    return [f.name for f in result.columns]


def _cells(result: QueryResult, null: str = NULL_TEXT) -> list[list[str]]:
    return [[null if v is None else cell_text(v, f.dtype) for v, f in zip(row, result.columns)] for row in result.rows]


def _box(result: QueryResult) -> str:
    """A box table sized by the data; numbers right-aligned, text left-aligned, nothing cut
    (the pager scrolls sideways)."""
    if not result.rows:
        return ""
    headers = _names(result)
    cells = [[c.replace("\n", " ") for c in row] for row in _cells(result)]
    widths = [max([display_width(h)] + [display_width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    right = [f.dtype.is_numeric for f in result.columns]

    def line(values: list[str], header: bool = False) -> str:
        parts = []
        for value, width, is_right in zip(values, widths, right):
            pad = " " * (width - display_width(value))
            parts.append(f" {pad}{value} " if is_right and not header else f" {value}{pad} ")
        return "│" + "│".join(parts) + "│"

    def rule(left: str, middle: str, end: str) -> str:
        return left + middle.join("─" * (w + 2) for w in widths) + end

    return "\n".join(
        [rule("┌", "┬", "┐"), line(headers, True), rule("├", "┼", "┤"), *(line(r) for r in cells), rule("└", "┴", "┘")]
    )


def _delimited(delimiter: str) -> Callable[[QueryResult], str]:
    def render(result: QueryResult) -> str:
        buffer = io.StringIO()
        if delimiter == "\t":
            # TSV: no quoting; tabs and line breaks inside a value become spaces.
            clean = [
                [c.replace("\t", " ").replace("\r", " ").replace("\n", " ") for c in row] for row in _cells(result, "")
            ]
            lines = ["\t".join(_names(result)), *("\t".join(row) for row in clean)]
            return "\n".join(lines)
        import csv  # here: only the csv format needs it

        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(_names(result))
        writer.writerows(_cells(result, ""))
        return buffer.getvalue().rstrip("\n")

    return render


def _json_objects(result: QueryResult) -> list[str]:
    from .connectors.formats import json_line

    names, types = _names(result), [f.dtype for f in result.columns]
    return [json_line(row, names, types).rstrip("\n") for row in result.rows]


def _json(result: QueryResult) -> str:
    objects = _json_objects(result)
    return "[\n" + ",\n".join("  " + o for o in objects) + "\n]" if objects else "[]"


def _jsonl(result: QueryResult) -> str:
    return "\n".join(_json_objects(result))


def _markdown(result: QueryResult) -> str:
    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")

    headers = [escape(n) for n in _names(result)]
    align = ["---:" if f.dtype.is_numeric else "---" for f in result.columns]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in _cells(result)]
    return "\n".join(lines)


def _expanded(result: QueryResult) -> str:
    """One record at a time, a line per column (psql's \\x)."""
    names = _names(result)
    width = max((display_width(n) for n in names), default=0)
    blocks = []
    for number, row in enumerate(_cells(result), 1):
        head = f"-[ RECORD {number} ]"
        lines = [head + "-" * max(0, width + 3 - len(head))]
        for name, value in zip(names, row):
            lines.append(f"{name}{' ' * (width - display_width(name))} | {value}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


_FORMATTERS: dict[str, Callable[[QueryResult], str]] = {
    "table": _box,
    "csv": _delimited(","),
    "tsv": _delimited("\t"),
    "json": _json,
    "jsonl": _jsonl,
    "markdown": _markdown,
}


# ------------------------------------------------------------------ dispatch
@lazy_dataclass
class DisplayOptions:
    """What differs between a script and the shell."""

    quiet: bool = False
    debug: bool = False
    # The shell: a footer with the time after each query, at most 'qsql.shell.max-rows' rows.
    interactive: bool = False


class Display:
    """Shows each result of ``session.execute``: query rows and text to ``data``, summaries to
    ``note``, errors to ``error``; stops the progress bar before anything is printed."""

    def __init__(
        self,
        session: Session,
        data: Callable[[str], None],
        note: Callable[[str], None],
        error: Callable[[str], None],
        options: DisplayOptions | None = None,
    ) -> None:
        self.session = session
        self.data = data
        self.note = note
        self.error = error
        self.options = options or DisplayOptions()

    # -------------------------------------------------------------- settings
    @property
    def format(self) -> str:
        return OUTPUT_FORMAT.read(self.session.settings, shell=self.options.interactive)

    @property
    def expanded(self) -> bool:
        return OUTPUT_EXPANDED.read(self.session.settings)

    @property
    def timing(self) -> bool:
        return TIMING.read(self.session.settings, shell=self.options.interactive)

    # -------------------------------------------------------------- running
    def run(self, text: str, name: str) -> bool:
        """Run a script, showing each result; False (after saying why) when a statement failed.
        Ctrl-C and a closed stdout are raised to the caller, after the progress bar is gone."""
        started = time.perf_counter()
        try:
            for result in self.session.execute(text, name):
                self.stop_progress()
                self.show(result, time.perf_counter() - started)
                started = time.perf_counter()
        except QsqlError as failure:
            self.stop_progress()
            self.error(render_error(failure))
            if self.options.debug:
                self.error("".join(traceback.format_exception(failure)).rstrip("\n"))
            return False
        except (KeyboardInterrupt, BrokenPipeError):
            self.stop_progress()
            raise
        except Exception as failure:  # a bug in qsql: one line unless --debug
            self.stop_progress()
            if self.options.debug:
                self.error(traceback.format_exc().rstrip("\n"))
            self.error(
                f"error: {name}: internal error: {type(failure).__name__}: {failure} "
                "(run with --debug for the traceback)"
            )
            return False
        return True

    def stop_progress(self) -> None:
        stop = getattr(self.session.progress, "stop", None)
        if stop is not None:
            stop()

    # -------------------------------------------------------------- showing
    def show(self, result: Result, elapsed: float) -> None:
        quiet = self.options.quiet
        if isinstance(result, QueryResult):
            self._show_query(result, elapsed)
        elif isinstance(result, TextResult):
            self.data(result.text.rstrip("\n"))
        elif isinstance(result, InsertResult):
            if not quiet:
                self.note(insert_summary(result, self._cost_of))
                self._statement_total(result.predict, result.usage)
        elif isinstance(result, StatusResult) and not quiet and self.options.interactive:
            self.note(f"[INFO] {result.message}")

    def _show_query(self, result: QueryResult, elapsed: float) -> None:
        fmt = self.format
        settings = self.session.settings
        width = max_column_width(settings)
        limit = SHELL_MAX_ROWS.read(settings) if self.options.interactive else None
        body = format_rows(result, fmt, max_width=width, expanded=self.expanded, limit=limit)
        count = len(result.rows)
        if self.options.interactive:
            if body:
                self.data(body)
            footer = row_count(count) + self._time(elapsed, " (", ")")
            if limit is not None and count > limit and fmt in HUMAN_FORMATS:
                footer += f"; showing the first {limit} (SET '{SHELL_MAX_ROWS.key}' = 'N' to see more)"
            self.note(footer)
        elif fmt == "tableau":
            # Flink's script output: the table and its footer on stdout.
            self.data(body + "\n" + row_count(count) if body else row_count(count))
        elif body:
            self.data(body)
        if not self.options.quiet:
            for stats in result.predict:
                self.note(f"[INFO] {predict_summary(stats, self._cost_of(stats))}")
            self._statement_total(result.predict, result.usage)

    def _cost_of(self, stats: PredictStats) -> str:
        """', est. $0.0012' for one ML_PREDICT whose model has a price; '' otherwise."""
        model_id, price = self.session.price_of(stats.model)
        if price is None:
            return ""
        batch = getattr(stats, "batch_api", False)
        if batch:
            price = price.batch()
        return (
            ", est. "
            + format_cost(
                price.cost(stats.prompt_tokens, stats.completion_tokens, getattr(stats, "reasoning_tokens", 0))
            )
            + (" at the batch price" if batch else "")
        )

    def _statement_total(self, predict: list[PredictStats], usage: UsageTotals | None) -> None:
        if usage is not None and len(predict) > 1:
            self.note(f"[INFO] statement total: {usage.describe()}")

    def session_total(self) -> str | None:
        """The session's usage line, once any model was called."""
        usage = self.session.usage
        if not (usage.requests or usage.cache_hits):
            return None
        return f"[INFO] session total: {usage.describe()}"

    def _time(self, elapsed: float, before: str, after: str = "") -> str:
        # Flink's SQL client: "3 rows in set (0.15 seconds)" ('sql-client.display.print-time-cost').
        return f"{before}{elapsed:.2f} seconds{after}" if self.timing else ""
