"""The shell's special commands (``\\d``, ``\\i``, ``\\x``, ``SOURCE`` ...): one registry that
feeds the dispatcher, HELP and completion, as litecli's special commands do.

A command is recognised by its first word. Backslash and dot words are always commands, so an
unknown one is answered at once instead of opening a continuation prompt; the bare words
(HELP, QUIT, EXIT, SOURCE) are commands only when they start the input.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..settings import (
    EDITING_MODE,
    EDITING_MODES,
    OUTPUT_EXPANDED,
    OUTPUT_FORMAT,
    OUTPUT_FORMATS,
    PAGER,
    TIMING,
    Setting,
)

if TYPE_CHECKING:
    from .app import Shell


@dataclass(frozen=True)
class Command:
    names: tuple[str, ...]
    arguments: str  # as shown in HELP, e.g. "[NAME]"
    description: str
    run: Callable[[Shell, str], bool]  # (shell, argument text) -> False to leave the shell

    @property
    def name(self) -> str:
        return self.names[0]


COMMANDS: list[Command] = []
_BY_NAME: dict[str, Command] = {}


def command(*names: str, arguments: str = "", description: str) -> Callable[[Callable[[Shell, str], bool]], Callable]:
    """Register a special command under ``names`` (case-insensitive)."""

    def register(function: Callable[[Shell, str], bool]) -> Callable[[Shell, str], bool]:
        entry = Command(names, arguments, description, function)
        COMMANDS.append(entry)
        for name in names:
            _BY_NAME[name.lower()] = entry
        return function

    return register


_FIRST_WORD = re.compile(r"^\s*(\\[A-Za-z?!]*|\.[A-Za-z]+|[A-Za-z]+|\?)(?=\s|;|$)(.*)$", re.DOTALL)
_EDIT_SUFFIX = re.compile(r"\\e\s*$")


@dataclass(frozen=True)
class Invocation:
    command: Command | None  # None: an unknown backslash or dot command
    word: str
    argument: str


def parse_command(text: str) -> Invocation | None:
    """The special command ``text`` asks for, or None when it is SQL."""
    if _EDIT_SUFFIX.search(text) and not text.lstrip().startswith("\\"):
        return Invocation(_BY_NAME["\\e"], "\\e", _EDIT_SUFFIX.sub("", text))
    match = _FIRST_WORD.match(text)
    stripped = text.strip()
    if match is None:
        if stripped.startswith(("\\", ".")):
            return Invocation(None, stripped.split()[0], "")
        return None
    word, rest = match.group(1), match.group(2)
    found = _BY_NAME.get(word.lower())
    argument = rest.strip()
    if argument.endswith(";"):
        argument = argument[:-1].rstrip()
    if found is not None:
        if not word.startswith(("\\", ".", "?")) and not _bare_word_is_command(word, argument):
            return None
        return Invocation(found, word, argument)
    if word.startswith(("\\", ".")):
        return Invocation(None, word, argument)
    return None


def _bare_word_is_command(word: str, argument: str) -> bool:
    """HELP, QUIT and EXIT stand alone; SOURCE takes a file."""
    if word.lower() == "source":
        return bool(argument)
    return not argument


def names() -> list[str]:
    return [name for entry in COMMANDS for name in entry.names]


def file_argument(argument: str) -> str:
    """A file name as typed: 'quoted' (with '' for a quote), "quoted" or bare."""
    argument = argument.strip()
    if len(argument) >= 2 and argument[0] == argument[-1] and argument[0] in "'\"":
        quote = argument[0]
        return argument[1:-1].replace(quote * 2, quote)
    return argument


def help_lines() -> list[str]:
    lines = []
    for entry in COMMANDS:
        usage = ", ".join(entry.names) + (f" {entry.arguments}" if entry.arguments else "")
        lines.append(f"  {usage:<34} {entry.description}")
    return lines


# ------------------------------------------------------------------ the commands
@command("\\?", "\\h", "HELP", "?", description="this help")
def _help(shell: Shell, argument: str) -> bool:
    from .help import help_text

    shell.print_data(help_text())
    return True


@command("\\q", "QUIT", "EXIT", description="leave the shell (also Ctrl-D)")
def _quit(shell: Shell, argument: str) -> bool:
    return False


@command("\\d", arguments="[NAME]", description="list tables and views (SHOW TABLES), or describe NAME")
def _describe(shell: Shell, argument: str) -> bool:
    name = argument.strip()
    if not name:
        shell.run_sql("SHOW TABLES;", "\\d")
    elif (
        shell.session.catalog.find_relation(name.strip("`")) is None
        and shell.session.catalog.find_model(name.strip("`")) is not None
    ):
        shell.run_sql(f"DESCRIBE MODEL {_quoted(name)};", "\\d")
    else:
        shell.run_sql(f"DESCRIBE {_quoted(name)};", "\\d")
    return True


@command("\\dm", arguments="[NAME]", description="list models (SHOW MODELS), or describe model NAME")
def _models(shell: Shell, argument: str) -> bool:
    name = argument.strip()
    shell.run_sql(f"DESCRIBE MODEL {_quoted(name)};" if name else "SHOW MODELS;", "\\dm")
    return True


@command("\\dv", description="list views (SHOW VIEWS)")
def _views(shell: Shell, argument: str) -> bool:
    shell.run_sql("SHOW VIEWS;", "\\dv")
    return True


@command("\\df", arguments="[PATTERN]", description="list functions (SHOW FUNCTIONS [LIKE ...])")
def _functions(shell: Shell, argument: str) -> bool:
    pattern = argument.strip().replace("'", "''")
    shell.run_sql(f"SHOW FUNCTIONS LIKE '{pattern}';" if pattern else "SHOW FUNCTIONS;", "\\df")
    return True


@command("\\i", "SOURCE", arguments="FILE", description="run a script file in this session ('quotes' optional)")
def _source(shell: Shell, argument: str) -> bool:
    path = file_argument(argument)
    if not path:
        shell.error("error: \\i needs a file name, e.g. \\i models.sql")
        return True
    shell.run_file(path)
    return True


@command(
    "\\e", arguments="[SQL]", description="edit SQL (or the last statement) in $EDITOR; 'SELECT ... \\e' edits that"
)
def _edit(shell: Shell, argument: str) -> bool:
    shell.edit(argument)
    return True


@command(
    "\\format", ".mode", arguments="[FORMAT]", description="show or set the output format: " + ", ".join(OUTPUT_FORMATS)
)
def _format(shell: Shell, argument: str) -> bool:
    value = argument.strip().strip("'").lower()
    if not value:
        shell.info(f"output format: {shell.display.format}")
    elif value not in OUTPUT_FORMATS:
        shell.error(f"error: unknown output format '{value}'; one of {', '.join(OUTPUT_FORMATS)}")
    else:
        shell.session.settings[OUTPUT_FORMAT.key] = value
        shell.info(f"output format: {value}")
    return True


@command("\\x", arguments="[on|off]", description="expanded output: one record at a time (toggles)")
def _expanded(shell: Shell, argument: str) -> bool:
    _switch(shell, argument, OUTPUT_EXPANDED, "\\x", "expanded display")
    return True


@command("\\timing", arguments="[on|off]", description="show each statement's time (toggles)")
def _timing(shell: Shell, argument: str) -> bool:
    _switch(shell, argument, TIMING, "\\timing", "timing")
    return True


@command("\\pager", arguments="[on|off|COMMAND]", description="page long results (default $PAGER or 'less -SRXF')")
def _pager(shell: Shell, argument: str) -> bool:
    value = argument.strip()
    if value:
        shell.session.settings[PAGER.key] = value
    shell.info(f"pager: {shell.pager_description()}")
    return True


@command("\\usage", description="requests, tokens and estimated cost of this session's model calls")
def _usage(shell: Shell, argument: str) -> bool:
    total = shell.display.session_total()
    shell.info(total if total else "no model calls yet in this session")
    return True


@command("\\editing", arguments="[emacs|vi]", description="the line editor's key bindings")
def _editing(shell: Shell, argument: str) -> bool:
    value = argument.strip().lower()
    if value and value not in EDITING_MODES:
        shell.error("error: \\editing takes emacs or vi")
        return True
    if value:
        shell.session.settings[EDITING_MODE.key] = value
        shell.apply_editing_mode()
    shell.info(f"editing mode: {EDITING_MODE.read(shell.session.settings)}")
    return True


def _switch(shell: Shell, argument: str, setting: Setting[bool], name: str, what: str) -> None:
    """An on/off command (\\x, \\timing): no argument toggles the setting, on/off sets it; then
    says where it stands."""
    value = argument.strip().lower()
    if not value:
        on = not setting.read(shell.session.settings, shell=True)
    elif value in ("on", "true", "1"):
        on = True
    elif value in ("off", "false", "0"):
        on = False
    else:
        shell.error(f"error: {name} takes on or off, got '{argument.strip()}'")
        return
    shell.session.settings[setting.key] = "on" if on else "off"
    shell.info(f"{what} is {'on' if on else 'off'}")


def _quoted(name: str) -> str:
    name = name.strip()
    return name if name.startswith("`") else "`" + name.replace("`", "``") + "`"
