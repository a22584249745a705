"""The session time zone ('table.local-time-zone'), as Flink uses it.

A TIMESTAMP_LTZ value is an instant (an aware datetime); it meets local time — CAST to TIMESTAMP,
TIME or STRING, DATE_FORMAT, LOCALTIMESTAMP, UNIX_TIMESTAMP of a string — in the session's zone.
Flink's default, 'default', is the machine's zone. The Session makes the zone current for each
statement and its results' rendering (``set_zone_named``); casts and functions deep in the evaluator read it here rather than having the
zone threaded through every call, so it is a context variable, scoped to the statement that set it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SETTING = "table.local-time-zone"
INVALID = (
    "Invalid time zone. The value should be a Time Zone Database (TZDB) ID such as 'America/Los_Angeles' to "
    "include daylight saving time. Fixed offsets are supported using 'GMT-03:00' or 'GMT+03:00'. Or use 'UTC' "
    "without time zone and daylight saving time."
)

_ZONE: ContextVar[dt.tzinfo | None] = ContextVar("qsql_local_time_zone", default=None)
# The instant the running statement started: Flink's batch mode evaluates CURRENT_TIMESTAMP,
# LOCALTIMESTAMP, CURRENT_DATE ... once per query, so every one of them in a statement agrees.
_STATEMENT_START: ContextVar[dt.datetime | None] = ContextVar("qsql_statement_start", default=None)


def parse_zone(name: str) -> dt.tzinfo | None:
    """The zone a 'table.local-time-zone' value names (None: the machine's), or ValueError with
    Flink's message. Flink takes TZDB ids, 'UTC' and 'GMT+hh:mm' offsets, not '+08:00'."""
    if name.lower() == "default":
        return None
    if name.upper().startswith("GMT") and len(name) > 3:
        sign, rest = name[3], name[4:]
        hours, _, minutes = rest.partition(":")
        if sign not in "+-" or not hours.isdigit() or (minutes and not minutes.isdigit()) or len(hours) > 2:
            raise ValueError(INVALID)
        offset = dt.timedelta(hours=int(hours), minutes=int(minutes or 0))
        if offset > dt.timedelta(hours=18):
            raise ValueError(INVALID)
        return dt.timezone(-offset if sign == "-" else offset, name)
    if name in ("UTC", "GMT", "Z"):
        return dt.UTC
    if "/" not in name and name.upper() != name:  # '+08:00', 'utc', 'Shanghai' ...
        raise ValueError(INVALID)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(INVALID) from None


def set_zone_named(name: str | None) -> None:
    """Make the zone a 'table.local-time-zone' value names current (None or an invalid value: the
    machine's; SET checks the value)."""
    try:
        zone = parse_zone(name) if name else None
    except ValueError:
        zone = None
    _ZONE.set(zone)


def set_zone(zone: dt.tzinfo | None) -> None:
    _ZONE.set(zone)


@contextmanager
def using_zone(name: str | None) -> Iterator[None]:
    """The zone ``name`` names, for the block only."""
    outer = _ZONE.get()
    set_zone_named(name)
    try:
        yield
    finally:
        _ZONE.set(outer)


def local_zone() -> dt.tzinfo | None:
    """The session zone, or None for the machine's."""
    return _ZONE.get()


def to_local(instant: dt.datetime) -> dt.datetime:
    """An instant as the session's wall-clock time (naive), its nanoseconds kept."""
    from .types import carry_nanos

    return carry_nanos(instant.astimezone(_ZONE.get()).replace(tzinfo=None), instant)


def from_local(local: dt.datetime) -> dt.datetime:
    """A wall-clock time of the session's zone as an instant (UTC), its nanoseconds kept."""
    from .types import carry_nanos

    zone = _ZONE.get()
    aware = local.replace(tzinfo=zone) if zone is not None else local.astimezone()
    return carry_nanos(aware.astimezone(dt.UTC), local)


def now_local() -> dt.datetime:
    return dt.datetime.now(_ZONE.get()).replace(tzinfo=None)


def start_statement() -> None:
    """A statement begins: the current-time functions in it read this one instant."""
    _STATEMENT_START.set(dt.datetime.now(dt.UTC))


def statement_instant() -> dt.datetime:
    """The running statement's start (UTC); now, for an expression compiled outside a statement."""
    return _STATEMENT_START.get() or dt.datetime.now(dt.UTC)
