"""A basic interactive loop: multi-line input that runs on a complete statement.

The full shell (completion, highlighting, history, meta commands) builds on this.
"""

from __future__ import annotations

from prompt_toolkit import PromptSession
from prompt_toolkit.filters import Condition
from prompt_toolkit.key_binding import KeyBindings

from .. import __version__
from ..errors import QsqlError, render_error
from ..session import Session
from ..splitter import is_complete


def run_shell(session: Session, report) -> int:  # type: ignore[no-untyped-def]
    """Read statements until EOF (Ctrl-D) or QUIT/EXIT; errors keep the shell running."""
    bindings = KeyBindings()

    @bindings.add("enter", filter=Condition(lambda: True))
    def _(event) -> None:  # type: ignore[no-untyped-def]
        buffer = event.current_buffer
        text = buffer.text
        if is_complete(text) or text.strip().rstrip(";").lower() in ("quit", "exit", ""):
            buffer.validate_and_handle()
        else:
            buffer.insert_text("\n")

    prompt = PromptSession(multiline=True, key_bindings=bindings)
    session.err.write(f"qsql {__version__} — Flink SQL with LLMs. End statements with ';'. Ctrl-D or QUIT; to leave.\n")
    while True:
        try:
            text = prompt.prompt("qsql> ", prompt_continuation="  ... ")
        except KeyboardInterrupt:
            continue
        except EOFError:
            return 0
        if text.strip().rstrip(";").strip().lower() in ("quit", "exit"):
            return 0
        if not text.strip():
            continue
        try:
            for result in session.execute(text, "<shell>"):
                report(result, interactive=True)
        except QsqlError as error:
            session.err.write(render_error(error) + "\n")
        except KeyboardInterrupt:
            session.err.write("interrupted\n")
