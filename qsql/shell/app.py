"""The interactive shell: prompt_toolkit for editing, the shared output layer for results.

Each concern lives in its own module (commands, completer, lexer, history, pager, help); this
one wires them into a read-run loop. Results are shown by :class:`qsql.output.Display`, the
same code the CLI uses, with the shell's defaults (box tables, timing, a screenful of rows).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.enums import DEFAULT_BUFFER, EditingMode
from prompt_toolkit.filters import has_focus
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.lexers import PygmentsLexer
from prompt_toolkit.output import Output
from rich.console import Console

from .. import __version__
from ..interrupts import InterruptHandler, Terminated
from ..output import Display, DisplayOptions
from ..session import Session
from ..settings import CACHE, EDITING_MODE, PAGER, PREDICT_MAX_CONCURRENT
from ..splitter import is_complete
from .commands import parse_command
from .completer import QsqlCompleter
from .history import MaskedFileHistory, default_history_path
from .lexer import qsql_lexer
from .pager import pager_command, run_pager


def is_shell_command(text: str) -> bool:
    """Whether Enter should run ``text`` now although it has no ';' (a special command)."""
    return parse_command(text) is not None


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
        terminal: bool | None = None,
    ) -> None:
        self.session = session
        self.console = console or Console()
        self.quiet = quiet
        # The command's signal handler, re-armed after an interrupted statement (None in tests).
        self.interrupts: InterruptHandler | None = None
        # Whether results may go through a pager: only when a person reads them on a terminal.
        self.terminal = self.console.is_terminal if terminal is None else terminal
        self.display = Display(
            session,
            self.print_data,
            self.info,
            self.error,
            DisplayOptions(quiet=quiet, interactive=True),
        )
        self.last_statement = ""
        self._next_default = ""
        self.prompt: PromptSession[str] = PromptSession(
            multiline=True,
            key_bindings=self._key_bindings(),
            lexer=PygmentsLexer(qsql_lexer()),
            completer=QsqlCompleter(session.catalog),
            complete_while_typing=False,
            history=MaskedFileHistory(history_path or default_history_path()),
            prompt_continuation=lambda width, line_number, wrap_count: "  ...> ".rjust(width),
            input=input,
            output=output,
        )
        self.apply_editing_mode()

    # -------------------------------------------------------------- editing
    @staticmethod
    def _key_bindings() -> KeyBindings:
        bindings = KeyBindings()

        # Only in the main buffer: in Ctrl-R search, Enter must keep accepting the match.
        @bindings.add("enter", filter=has_focus(DEFAULT_BUFFER))
        def _(event: KeyPressEvent) -> None:
            """Run a complete statement (or a shell command); otherwise start a new line."""
            buffer = event.current_buffer
            text = buffer.text
            if not text.strip() or is_complete(text) or is_shell_command(text):
                buffer.validate_and_handle()
            else:
                buffer.insert_text("\n")

        @bindings.add("escape", "enter", filter=has_focus(DEFAULT_BUFFER))
        def _(event: KeyPressEvent) -> None:
            """Alt-Enter always inserts a newline."""
            event.current_buffer.insert_text("\n")

        return bindings

    def apply_editing_mode(self) -> None:
        vi = EDITING_MODE.read(self.session.settings) == "vi"
        self.prompt.editing_mode = EditingMode.VI if vi else EditingMode.EMACS
        self.prompt.app.editing_mode = self.prompt.editing_mode

    # -------------------------------------------------------------- loop
    def banner(self) -> str:
        settings = self.session.settings
        models = (
            f"offline stub at {self.session.stub_base_url} (synthetic replies)"
            if self.session.stub_base_url
            else "real providers (keys from options, environment or 'qsql keys')"
        )
        concurrency = PREDICT_MAX_CONCURRENT.read(settings)
        return (
            f"qsql {__version__} — Flink SQL with LLMs on one machine\n"
            f"models: {models}; cache: {CACHE.read(settings)}; ML_PREDICT concurrency: {concurrency}\n"
            "End statements with ';'. HELP for help (or \\?), Ctrl-D or \\q to leave.\n"
        )

    def run(self) -> int:
        self.console.print(self.banner(), highlight=False, markup=False)
        while True:
            default, self._next_default = self._next_default, ""
            try:
                text = self.prompt.prompt("qsql> ", default=default)
            except Terminated:
                raise  # SIGTERM / SIGHUP: leave (the command reports it)
            except KeyboardInterrupt:
                continue  # Ctrl-C at the prompt clears the line
            except EOFError:
                return 0
            if self.interrupts is not None:
                self.interrupts.install()  # the prompt's own Ctrl-C handling replaced ours
            if not self.handle(text):
                return 0

    def handle(self, text: str) -> bool:
        """Run one input; False when the user asked to leave."""
        if not text.strip():
            return True
        invocation = parse_command(text)
        if invocation is None:
            self.last_statement = text
            self.run_sql(text, "<shell>")
            return True
        if invocation.command is None:
            self.error(f"error: unknown command {invocation.word}; \\? lists the shell's commands")
            return True
        return invocation.command.run(self, invocation.argument)

    def run_sql(self, text: str, name: str) -> None:
        try:
            self.display.run(text, name)
        except Terminated:
            raise  # SIGTERM / SIGHUP: the statement cleaned up; leave the shell
        except KeyboardInterrupt:
            self.error(
                "interrupted: the statement was cancelled; in-flight model requests were cancelled and "
                "no file sink was changed"
            )
            if self.interrupts is not None:
                self.interrupts.rearm()
        self.apply_editing_mode()  # a SET may have changed it

    def run_file(self, path: str) -> None:
        try:
            script = Path(path).expanduser().read_text(encoding="utf-8")
        except OSError as error:
            self.error(f"error: cannot read {path}: {error.strerror}")
            return
        except UnicodeDecodeError as error:
            self.error(f"error: cannot read {path}: not UTF-8 text ({error.reason} at byte {error.start})")
            return
        self.run_sql(script, path)

    def edit(self, text: str) -> None:
        """Open ``text`` (or the last statement) in $VISUAL / $EDITOR; the edited text waits at
        the next prompt, to be run with Enter."""
        initial = text.strip() or self.last_statement
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        descriptor, name = tempfile.mkstemp(prefix="qsql-", suffix=".sql")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(initial + ("\n" if initial else ""))
            try:
                code = subprocess.call([*shlex.split(editor), name])
            except OSError as error:
                self.error(f"error: cannot start the editor '{editor}': {error.strerror} (set $EDITOR)")
                return
            if code != 0:
                self.error(f"error: the editor '{editor}' exited with code {code}; nothing changed")
                return
            self._next_default = Path(name).read_text(encoding="utf-8").strip()
        finally:
            os.unlink(name)

    # -------------------------------------------------------------- output
    def print_data(self, text: str) -> None:
        if self.terminal and self._page(text):
            return
        self.console.print(text, highlight=False, markup=False, soft_wrap=True)

    def _page(self, text: str) -> bool:
        command = pager_command(PAGER.read(self.session.settings), os.environ)
        if command is None:
            return False
        size = self.console.size
        lines = text.split("\n")
        if len(lines) < size.height - 2 and max((len(line) for line in lines), default=0) <= size.width:
            return False  # it fits: no pager
        return run_pager(command, text + "\n")

    def pager_description(self) -> str:
        command = pager_command(PAGER.read(self.session.settings), os.environ)
        if command is None:
            return "off"
        return " ".join(command) + ("" if self.terminal else " (not used: output is not a terminal)")

    def info(self, text: str) -> None:
        self.console.print(text, style="dim", highlight=False, markup=False)

    def error(self, text: str) -> None:
        self.console.print(text, style="red", highlight=False, markup=False)


def run_shell(session: Session, quiet: bool = False, interrupts: InterruptHandler | None = None) -> int:
    shell = Shell(session, quiet=quiet)
    shell.interrupts = interrupts
    return shell.run()
