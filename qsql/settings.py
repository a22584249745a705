"""Session settings (``SET 'key' = 'value'``): which keys qsql reads and what values they take.

Flink accepts any key; so does qsql, but the keys it reads are checked when they are set, so a
typo in a value fails at the SET rather than halfway through a paid run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import timezone
from .errors import ValidationError
from .source import Span

CACHE = "qsql.cache"
MAX_COLUMN_WIDTH = "sql-client.display.max-column-width"
TABLE_MAX_COLUMN_WIDTH = "table.display.max-column-width"  # Flink's current key; the one above is its old name
SHELL_MAX_ROWS = "qsql.shell.max-rows"
CACHE_MODES = ("memory", "disk", "off")
OUTPUT_FORMAT = "qsql.output.format"
OUTPUT_EXPANDED = "qsql.output.expanded"
TIMING = "qsql.shell.timing"
PAGER = "qsql.shell.pager"
EDITING_MODE = "qsql.shell.editing-mode"
LOG = "qsql.log"
OUTPUT_FORMATS = ("tableau", "table", "csv", "tsv", "json", "jsonl", "markdown")
LOG_MODES = ("on", "meta", "off")
_ON, _OFF = ("on", "true", "1", "yes"), ("off", "false", "0", "no")


def is_on(value: str) -> bool:
    return value.strip().lower() in _ON
PREDICT_PREFIX = "table.exec.async-ml-predict."


@dataclass(frozen=True)
class Setting:
    key: str
    default: str
    description: str
    check: Callable[[str], str | None]  # returns a problem, or None when the value is fine


def _one_of(*values: str) -> Callable[[str], str | None]:
    return lambda v: None if v.lower() in values else "must be one of " + ", ".join(values)


def _positive_int(value: str) -> str | None:
    return None if value.strip().isdigit() and int(value) > 0 else "must be a positive integer"


def _duration(value: str) -> str | None:
    from .planner import parse_duration

    try:
        parse_duration(value)
    except ValidationError as error:
        return error.message
    return None


KNOWN_SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting(CACHE, "memory", "model response cache: memory (this session), disk (across runs) or off "
                "(qsql extension)", _one_of(*CACHE_MODES)),
        Setting(MAX_COLUMN_WIDTH, "30", "widest column of a query's table before cells are cut", _positive_int),
        Setting(TABLE_MAX_COLUMN_WIDTH, "30", "the same as sql-client.display.max-column-width (Flink's newer key, "
                "which wins when both are set)", _positive_int),
        Setting(SHELL_MAX_ROWS, "200", "rows of a query the shell shows before it says how many more (qsql extension)",
                _positive_int),
        Setting(OUTPUT_FORMAT, "tableau in scripts, table in the shell",
                "how query rows are shown: " + ", ".join(OUTPUT_FORMATS) + " (qsql extension)", _one_of(*OUTPUT_FORMATS)),
        Setting(OUTPUT_EXPANDED, "off", "on: one record at a time, a line per column (the shell's \\x; qsql extension)",
                _one_of(*_ON, *_OFF)),
        Setting(TIMING, "on in the shell", "show each statement's time (the shell's \\timing; qsql extension)",
                _one_of(*_ON, *_OFF)),
        Setting(PAGER, "on", "page long results through $PAGER or 'less -SRXF' on a terminal: on, off or a command "
                "(qsql extension)", lambda v: None),
        Setting(LOG, "off", "log every model call to SQLite (qsql logs): on, meta (no request/reply text) or off "
                "(qsql extension)", _one_of(*LOG_MODES)),
        Setting(EDITING_MODE, "emacs", "the shell's key bindings: emacs or vi (qsql extension)", _one_of("emacs", "vi")),
        Setting(PREDICT_PREFIX + "max-concurrent-operations", "10", "ML_PREDICT requests in flight", _positive_int),
        Setting(PREDICT_PREFIX + "output-mode", "ordered", "ordered or allow_unordered",
                _one_of("ordered", "allow_unordered")),
        Setting(PREDICT_PREFIX + "timeout", "180 s", "time limit of one model request", _duration),
        Setting(timezone.SETTING, "default", "the session time zone (a TZDB id, 'UTC' or 'GMT+08:00'; 'default' is "
                "the machine's): TIMESTAMP_LTZ values meet local time in it", lambda v: None),
    )
}


def check_setting(key: str, value: str, span: Span | None) -> None:
    if key == timezone.SETTING:
        try:
            timezone.parse_zone(value)
        except ValueError as error:  # Flink's own message
            raise ValidationError(str(error), span) from None
        return
    setting = KNOWN_SETTINGS.get(key)
    if setting is None:
        return
    problem = setting.check(value)
    if problem:
        raise ValidationError(f"setting '{key}' {problem}, got '{value}'", span)


def max_column_width(settings: dict[str, str], default: int) -> int:
    """The tableau's column width: Flink's 'table.display.max-column-width', else its deprecated
    name 'sql-client.display.max-column-width', else the default."""
    for key in (TABLE_MAX_COLUMN_WIDTH, MAX_COLUMN_WIDTH):
        if key in settings:
            return int(settings[key])
    return default
