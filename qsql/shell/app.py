"""The interactive shell: prompt_toolkit for editing, rich for tables, the session for the rest.

Each concern lives in its own module (completer, history, help); this one wires them into a
read-run loop and decides how each kind of result looks on a terminal.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.enums import DEFAULT_BUFFER
from prompt_toolkit.filters import has_focus
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.lexers import PygmentsLexer
from prompt_toolkit.output import Output
from pygments.lexers.sql import SqlLexer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .. import __version__
from ..errors import QsqlError, render_error
from ..render import cell_text, insert_summary, predict_summary
from ..session import InsertResult, QueryResult, Result, Session, StatusResult, TextResult
from ..settings import CACHE, PREDICT_PREFIX, SHELL_MAX_ROWS
from ..splitter import is_complete
from .completer import QsqlCompleter
from .help import help_text
from .history import MaskedFileHistory, default_history_path

_QUIT = re.compile(r"^\s*(quit|exit|\\q)\s*;?\s*$", re.IGNORECASE)
_HELP = re.compile(r"^\s*(help|\\h|\?)\s*;?\s*$", re.IGNORECASE)
_SOURCE = re.compile(r"^\s*source\s+'((?:[^']|'')*)'\s*;?\s*$", re.IGNORECASE)
DEFAULT_MAX_ROWS = 200


def is_shell_command(text: str) -> bool:
    return bool(_QUIT.match(text) or _HELP.match(text) or _SOURCE.match(text))


class Shell:
    def __init__(
        self,
        session: Session,
        *,
        input: Input | None = None,
        output: Output | None = None,
        console: Console | None = None,
        history_path: Path | None = None,
        quiet: bool = False,
    ) -> None:
        self.session = session
        self.console = console or Console()
        self.quiet = quiet
        self.prompt = PromptSession(
            multiline=True,
            key_bindings=self._key_bindings(),
            lexer=PygmentsLexer(SqlLexer),
            completer=QsqlCompleter(session.catalog),
            complete_while_typing=False,
            history=MaskedFileHistory(history_path or default_history_path()),
            prompt_continuation=lambda width, line_number, wrap_count: "  ...> ".rjust(width),
            input=input,
            output=output,
        )

    # -------------------------------------------------------------- editing
    @staticmethod
    def _key_bindings() -> KeyBindings:
        bindings = KeyBindings()

        # Only in the main buffer: in Ctrl-R search, Enter must keep accepting the match.
        @bindings.add("enter", filter=has_focus(DEFAULT_BUFFER))
        def _(event) -> None:  # type: ignore[no-untyped-def]
            """Run a complete statement (or a shell command); otherwise start a new line."""
            buffer = event.current_buffer
            text = buffer.text
            if not text.strip() or is_complete(text) or is_shell_command(text):
                buffer.validate_and_handle()
            else:
                buffer.insert_text("\n")

        @bindings.add("escape", "enter", filter=has_focus(DEFAULT_BUFFER))
        def _(event) -> None:  # type: ignore[no-untyped-def]
            """Alt-Enter always inserts a newline."""
            event.current_buffer.insert_text("\n")

        return bindings

    # -------------------------------------------------------------- loop
    def banner(self) -> str:
        settings = self.session.settings
        models = (
            f"offline stub at {self.session.stub_base_url} (synthetic replies)"
            if self.session.stub_base_url else "real providers (keys from options or environment)"
        )
        concurrency = settings.get(PREDICT_PREFIX + "max-concurrent-operations", "10")
        return (
            f"qsql {__version__} — Flink SQL with LLMs on one machine\n"
            f"models: {models}; cache: {settings.get(CACHE, 'memory')}; ML_PREDICT concurrency: {concurrency}\n"
            "End statements with ';'. HELP for help, Ctrl-D or QUIT to leave.\n"
        )

    def run(self) -> int:
        self.console.print(self.banner(), highlight=False, markup=False)
        while True:
            try:
                text = self.prompt.prompt("qsql> ")
            except KeyboardInterrupt:
                continue  # Ctrl-C at the prompt clears the line
            except EOFError:
                return 0
            if not self.handle(text):
                return 0

    def handle(self, text: str) -> bool:
        """Run one input; False when the user asked to leave."""
        if not text.strip():
            return True
        if _QUIT.match(text):
            return False
        if _HELP.match(text):
            self.console.print(help_text(), highlight=False, markup=False)
            return True
        source = _SOURCE.match(text)
        if source:
            path = source.group(1).replace("''", "'")
            try:
                script = Path(path).read_text(encoding="utf-8")
            except OSError as error:
                self._error(f"error: cannot read {path}: {error.strerror}")
                return True
            except UnicodeDecodeError as error:
                self._error(f"error: cannot read {path}: not UTF-8 text ({error.reason} at byte {error.start})")
                return True
            self.run_sql(script, path)
            return True
        self.run_sql(text, "<shell>")
        return True

    def run_sql(self, text: str, name: str) -> None:
        started = time.perf_counter()
        try:
            for result in self.session.execute(text, name):
                self._stop_progress()
                self.show(result, time.perf_counter() - started)
                started = time.perf_counter()
        except QsqlError as error:
            self._stop_progress()
            self._error(render_error(error))
        except KeyboardInterrupt:
            self._stop_progress()
            self._error("interrupted: the statement was cancelled; in-flight model requests were cancelled and "
                        "no file sink was changed")
        except Exception as error:  # a bug in qsql: report it and keep the shell (and its catalog) alive
            self._stop_progress()
            self._error(f"error: internal error: {type(error).__name__}: {error} (run qsql --debug for details)")

    # -------------------------------------------------------------- output
    def show(self, result: Result, elapsed: float) -> None:
        if isinstance(result, QueryResult):
            self._show_table(result, elapsed)
        elif isinstance(result, TextResult):
            self.console.print(result.text, end="", highlight=False, markup=False, soft_wrap=True)
        elif isinstance(result, InsertResult):
            if not self.quiet:
                self._info(insert_summary(result))
        elif isinstance(result, StatusResult) and not self.quiet:
            self._info(f"[INFO] {result.message}")

    def _show_table(self, result: QueryResult, elapsed: float) -> None:
        limit = int(self.session.settings.get(SHELL_MAX_ROWS, DEFAULT_MAX_ROWS))
        table = Table(show_lines=False, header_style="bold")
        for column in result.columns:
            table.add_column(Text(column.name), justify="right" if column.dtype.is_numeric else "left", overflow="fold")
        for row in result.rows[:limit]:
            # Text, not str: a model reply like "[stub] ..." or "[bold]" must not be read as markup.
            table.add_row(*(Text(cell_text(v, f.dtype)) for v, f in zip(row, result.columns)))
        if result.rows:
            self.console.print(table)
        count = len(result.rows)
        note = f"{count} row{'s' if count != 1 else ''} in set ({elapsed:.2f} s)" if count else f"Empty set ({elapsed:.2f} s)"
        if count > limit:
            note += f"; showing the first {limit} (SET '{SHELL_MAX_ROWS}' = 'N' to see more)"
        self.console.print(note, style="dim", highlight=False, markup=False)
        for stats in result.predict:
            if not self.quiet:
                self._info(f"[INFO] {predict_summary(stats)}")

    def _info(self, text: str) -> None:
        self.console.print(text, style="dim", highlight=False, markup=False)

    def _error(self, text: str) -> None:
        self.console.print(text, style="red", highlight=False, markup=False)

    def _stop_progress(self) -> None:
        stop = getattr(self.session.progress, "stop", None)
        if stop is not None:
            stop()


def run_shell(session: Session, quiet: bool = False) -> int:
    return Shell(session, quiet=quiet).run()
