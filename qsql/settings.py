"""Session settings (``SET 'key' = 'value'``): every key qsql reads, in one typed table.

Each ``Setting`` holds its key, its default (as SET would write it), a description (HELP and the
docs) and a parser from text to the typed value. Every reader — the planner (ML_PREDICT), the
session (cache, log), the output layer, the shell — goes through ``Setting.read(settings)``, so a
default is written once, here, and a value is checked by the same parser with the same message
wherever it comes from (SET, config.toml, ML_PREDICT's MAP).

Flink accepts any key; so does qsql, but the keys it reads are checked when they are set, so a
typo in a value fails at the SET rather than halfway through a paid run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Generic, TypeVar

from . import timezone
from .durations import parse_duration
from .errors import ValidationError
from .lazydataclass import lazy_dataclass
from .source import Span

V = TypeVar("V")

CACHE_MODES = ("memory", "disk", "off")
OUTPUT_FORMATS = ("tableau", "table", "csv", "tsv", "json", "jsonl", "markdown")
LOG_MODES = ("on", "meta", "off")
EDITING_MODES = ("emacs", "vi")
PREDICT_OUTPUT_MODES = ("ordered", "allow_unordered")
RUNTIME_MODES = ("batch", "streaming", "automatic")  # Flink's RuntimeExecutionMode
RESULT_MODES = ("tableau", "table", "changelog")  # the SQL client's ResultMode
_ON, _OFF = ("on", "true", "1", "yes"), ("off", "false", "0", "no")


class BadValue(ValueError):
    """A value a setting's parser refuses. ``problem`` is a phrase to follow the option's name
    ("must be a positive integer"), or, with ``sentence``, a whole sentence of its own (Flink's
    wording for a bad boolean, the duration parser's); with ``flinks_message`` it is the whole
    message, word for word what Flink says for that key (it names neither key nor value)."""

    def __init__(self, problem: str, *, sentence: bool = False, flinks_message: bool = False) -> None:
        super().__init__(problem)
        self.problem = problem
        self.sentence = sentence
        self.flinks_message = flinks_message

    def message(self, label: str, value: str) -> str:
        """The one wording of a bad value, whichever way it was given: ``label`` names the option
        ("setting 'qsql.cache'" for SET, "'timeout'" for ML_PREDICT's MAP)."""
        if self.flinks_message:
            return self.problem
        if self.sentence:
            return f"{label}: {self.problem}"
        return f"{label} {self.problem}, got '{value}'"


@lazy_dataclass(frozen=True)
class Setting(Generic[V]):
    key: str
    default: str  # as SET would write it
    description: str
    parse: Callable[[str], V]  # text -> value; raises BadValue
    # Where the shell starts from another value than a script (the output format, timing).
    shell_default: str | None = None

    def read(self, settings: Mapping[str, str], *, shell: bool = False) -> V:
        """The value in force: the session's (SET or config.toml), else the default."""
        text = settings.get(self.key)
        if text is None:
            text = self.shell_default if shell and self.shell_default is not None else self.default
        return self.check(text, f"setting '{self.key}'")

    def check(self, text: str, label: str, span: Span | None = None) -> V:
        """``text`` parsed, or a ValidationError naming ``label`` and the value."""
        try:
            return self.parse(text)
        except BadValue as error:
            raise ValidationError(error.message(label, text), span) from None

    @property
    def default_value(self) -> V:
        return self.parse(self.default)

    @property
    def shown_default(self) -> str:
        """The default as HELP words it."""
        if self.shell_default is None:
            return self.default
        return f"{self.default} in scripts, {self.shell_default} in the shell"


# ------------------------------------------------------------------ parsers


def _one_of(*values: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text.lower() not in values:
            raise BadValue("must be one of " + ", ".join(values))
        return text.lower()

    return parse


def _switch(text: str) -> bool:
    """qsql's on/off settings: on, true, 1, yes or off, false, 0, no."""
    return _one_of(*_ON, *_OFF)(text) in _ON


def _flink_boolean(text: str) -> bool:
    """A Flink boolean option: true or false, in Flink's words when it is neither."""
    if text.lower() not in ("true", "false"):
        raise BadValue(f"Unrecognized option for boolean: {text}. Expected either true or false", sentence=True)
    return text.lower() == "true"


def _positive_int(text: str) -> int:
    if not (text.strip().isdigit() and int(text) > 0):
        raise BadValue("must be a positive integer")
    return int(text)


def _duration_seconds(text: str) -> float:
    try:
        return parse_duration(text)
    except ValidationError as error:
        raise BadValue(error.message, sentence=True) from None


def _text(text: str) -> str:
    return text


def _time_zone(text: str) -> str:
    """A zone name Flink takes (checked here; the session makes it current per statement)."""
    try:
        timezone.parse_zone(text)
    except ValueError as error:
        raise BadValue(str(error), flinks_message=True) from None
    return text


# ------------------------------------------------------------------ the table

CACHE: Setting[str] = Setting(
    "qsql.cache",
    "memory",
    "model response cache: memory (this session), disk (across runs) or off (qsql extension)",
    _one_of(*CACHE_MODES),
)
MAX_COLUMN_WIDTH: Setting[int] = Setting(
    "sql-client.display.max-column-width",
    "30",
    "widest column of a query's table before cells are cut",
    _positive_int,
)
# Flink's current key; MAX_COLUMN_WIDTH's is its old name, and this one wins when both are set.
TABLE_MAX_COLUMN_WIDTH: Setting[int] = Setting(
    "table.display.max-column-width",
    "30",
    "the same as sql-client.display.max-column-width (Flink's newer key, which wins when both are set)",
    _positive_int,
)
SHELL_MAX_ROWS: Setting[int] = Setting(
    "qsql.shell.max-rows",
    "200",
    "rows of a query the shell shows before it says how many more (qsql extension)",
    _positive_int,
)
OUTPUT_FORMAT: Setting[str] = Setting(
    "qsql.output.format",
    "tableau",
    "how query rows are shown: " + ", ".join(OUTPUT_FORMATS) + " (qsql extension)",
    _one_of(*OUTPUT_FORMATS),
    shell_default="table",
)
OUTPUT_EXPANDED: Setting[bool] = Setting(
    "qsql.output.expanded",
    "off",
    "on: one record at a time, a line per column (the shell's \\x; qsql extension)",
    _switch,
)
TIMING: Setting[bool] = Setting(
    "qsql.shell.timing",
    "off",
    "show each statement's time (the shell's \\timing; qsql extension)",
    _switch,
    shell_default="on",
)
PAGER: Setting[str] = Setting(
    "qsql.shell.pager",
    "on",
    "page long results through $PAGER or 'less -SRXF' on a terminal: on, off or a command (qsql extension)",
    _text,
)
LOG: Setting[str] = Setting(
    "qsql.log",
    "off",
    "log every model call to SQLite (qsql logs): on, meta (no request/reply text) or off (qsql extension)",
    _one_of(*LOG_MODES),
)
EDITING_MODE: Setting[str] = Setting(
    "qsql.shell.editing-mode",
    "emacs",
    "the shell's key bindings: emacs or vi (qsql extension)",
    _one_of(*EDITING_MODES),
)

# Flink's keys a prototyping script sets: checked as Flink's enums (case-insensitive); qsql runs
# every statement the way Flink's batch mode does and prints query results as the tableau.
RUNTIME_MODE: Setting[str] = Setting(
    "execution.runtime-mode",
    "batch",
    "batch, streaming or automatic; qsql always runs as Flink's batch mode does (a warning says so for streaming)",
    _one_of(*RUNTIME_MODES),
)
RESULT_MODE: Setting[str] = Setting(
    "sql-client.execution.result-mode",
    "tableau",
    "tableau, table or changelog; qsql prints query results as the tableau in scripts",
    _one_of(*RESULT_MODES),
)

LOCAL_TIME_ZONE: Setting[str] = Setting(
    timezone.SETTING,
    "default",
    "the session time zone (a TZDB id, 'UTC' or 'GMT+08:00'; 'default' is the "
    "machine's): TIMESTAMP_LTZ values meet local time in it",
    _time_zone,
)

# ML_PREDICT's runtime options: session keys under this prefix, or the same names (without it)
# in ML_PREDICT's MAP config, which wins.
PREDICT_PREFIX = "table.exec.async-ml-predict."
PREDICT_ASYNC: Setting[bool] = Setting(
    PREDICT_PREFIX + "async",
    "true",
    "false: one ML_PREDICT request at a time (qsql extension as a session key; Flink takes it in ML_PREDICT's MAP)",
    _flink_boolean,
)
PREDICT_MAX_CONCURRENT: Setting[int] = Setting(
    PREDICT_PREFIX + "max-concurrent-operations",
    "10",
    "ML_PREDICT requests in flight",
    _positive_int,
)
PREDICT_OUTPUT_MODE: Setting[str] = Setting(
    PREDICT_PREFIX + "output-mode",
    "ordered",
    "ordered or allow_unordered",
    _one_of(*PREDICT_OUTPUT_MODES),
)
PREDICT_TIMEOUT: Setting[float] = Setting(
    PREDICT_PREFIX + "timeout",
    "180 s",
    "time limit of one model request",
    _duration_seconds,
)
# In the order the shell offers them in ML_PREDICT's MAP (the most used first).
PREDICT_SETTINGS: tuple[Setting, ...] = (PREDICT_MAX_CONCURRENT, PREDICT_ASYNC, PREDICT_OUTPUT_MODE, PREDICT_TIMEOUT)


def predict_option_name(setting: Setting) -> str:
    """The name an ML_PREDICT setting has in ML_PREDICT's MAP config ('timeout')."""
    return setting.key.removeprefix(PREDICT_PREFIX)


_ALL_SETTINGS: tuple[Setting, ...] = (
    CACHE,
    MAX_COLUMN_WIDTH,
    TABLE_MAX_COLUMN_WIDTH,
    SHELL_MAX_ROWS,
    OUTPUT_FORMAT,
    OUTPUT_EXPANDED,
    TIMING,
    PAGER,
    LOG,
    EDITING_MODE,
    *PREDICT_SETTINGS,
    LOCAL_TIME_ZONE,
    RUNTIME_MODE,
    RESULT_MODE,
)
KNOWN_SETTINGS: dict[str, Setting] = {s.key: s for s in _ALL_SETTINGS}


def check_setting(key: str, value: str, span: Span | None) -> None:
    """A SET (or config.toml) value checked by its key's parser; keys qsql does not read are
    accepted as they are, as Flink accepts them."""
    setting = KNOWN_SETTINGS.get(key)
    if setting is not None:
        setting.check(value, f"setting '{key}'", span)


def max_column_width(settings: Mapping[str, str]) -> int:
    """The tableau's column width: Flink's 'table.display.max-column-width', else its deprecated
    name 'sql-client.display.max-column-width', else the default."""
    if TABLE_MAX_COLUMN_WIDTH.key in settings:
        return TABLE_MAX_COLUMN_WIDTH.read(settings)
    return MAX_COLUMN_WIDTH.read(settings)
