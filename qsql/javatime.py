"""Java's DateTimeFormatter patterns (what Flink's DATE_FORMAT, TO_TIMESTAMP, FROM_UNIXTIME ...
take), rendered and parsed in Python with Java's English-locale text.

Flink formats a TIMESTAMP with ``DateTimeFormatter.ofPattern(pattern)`` on a LocalDateTime, so
every letter of that class works except the time-zone ones (V z O X x Z), which fail in Flink
too ("Unable to extract ZoneId"). Text letters follow Java: 3 letters short (Mar, Thu), 4 full
(March, Thursday), 5 narrow (M, T).
"""

from __future__ import annotations

import datetime as dt
import re

from .errors import ExecutionError

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_ZONE_LETTERS = frozenset("VzOXxZv")
_LETTERS = frozenset("GuyDMLdQqYwWEecFaBhKkHmsSAnN") | _ZONE_LETTERS


def _tokens(pattern: str) -> list[tuple[str, str]]:
    """('lit', text) and ('field', 'yyyy') tokens of a pattern; '' is a quote, [ ] optional marks."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "'":
            end = i + 1
            text = []
            while end < len(pattern):
                if pattern[end] == "'":
                    if end + 1 < len(pattern) and pattern[end + 1] == "'":
                        text.append("'")
                        end += 2
                        continue
                    break
                text.append(pattern[end])
                end += 1
            if end >= len(pattern):
                raise ExecutionError(f"Pattern ends with an incomplete string literal: {pattern}")
            out.append(("lit", "".join(text) if end > i + 1 else "'"))
            i = end + 1
        elif char in "[]":
            i += 1  # optional sections: everything present in a LocalDateTime prints
        elif char.isalpha():
            if char not in _LETTERS:
                raise ExecutionError(f"Unknown pattern letter: {char}")
            end = i
            while end < len(pattern) and pattern[end] == char:
                end += 1
            out.append(("field", pattern[i:end]))
            i = end
        else:
            out.append(("lit", char))
            i += 1
    return out


def _text(full: str, count: int) -> str:
    if count <= 3:
        return full[:3]
    if count == 4:
        return full
    return full[0]


def _week_fields(moment: dt.date) -> tuple[int, int, int]:
    """(week-based-year, week-of-week-based-year, week-of-month) with the US rule that
    Java's default English locale uses: weeks start on Sunday and week 1 holds January 1st."""
    sunday_index = (moment.weekday() + 1) % 7  # Sunday 0 .. Saturday 6
    week_start = moment - dt.timedelta(days=sunday_index)
    week_end = week_start + dt.timedelta(days=6)
    year = week_end.year if week_end.year != week_start.year and week_end.month == 1 else moment.year
    jan1 = dt.date(year, 1, 1)
    first_start = jan1 - dt.timedelta(days=(jan1.weekday() + 1) % 7)
    week = (week_start - first_start).days // 7 + 1
    first_of_month = moment.replace(day=1)
    month_offset = (first_of_month.weekday() + 1) % 7
    week_of_month = (moment.day + month_offset - 1) // 7 + 1
    return year, week, week_of_month


def format_java(value: dt.datetime | dt.date, pattern: str) -> str:
    """Render ``value`` as ``DateTimeFormatter.ofPattern(pattern).format(localDateTime)``."""
    moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
    nanos = moment.microsecond * 1000 + getattr(moment, "nanos", 0)
    parts: list[str] = []
    for kind, token in _tokens(pattern):
        if kind == "lit":
            parts.append(token)
            continue
        letter, count = token[0], len(token)
        if letter in _ZONE_LETTERS:
            raise ExecutionError(f"Unable to extract ZoneId from temporal {moment.isoformat()}")
        parts.append(_field(moment, nanos, letter, count))
    return "".join(parts)


def _number(value: int, count: int) -> str:
    return f"{value:0{count}d}" if value >= 0 else "-" + f"{-value:0{count}d}"


def _field(moment: dt.datetime, nanos: int, letter: str, count: int) -> str:
    if letter == "G":
        return "AD" if count <= 3 else ("Anno Domini" if count == 4 else "A")
    if letter in "uy":
        return f"{moment.year % 100:02d}" if count == 2 else _number(moment.year, count)
    if letter == "Y":
        year = _week_fields(moment.date())[0]
        return f"{year % 100:02d}" if count == 2 else _number(year, count)
    if letter in "ML":
        if count >= 3:
            return _text(_MONTHS[moment.month - 1], count)
        return _number(moment.month, count)
    if letter in "Qq":
        quarter = (moment.month - 1) // 3 + 1
        if count == 3:
            return f"Q{quarter}"
        if count == 4:
            return ["1st quarter", "2nd quarter", "3rd quarter", "4th quarter"][quarter - 1]
        return _number(quarter, count) if count < 3 else str(quarter)
    if letter == "D":
        return _number(moment.timetuple().tm_yday, count)
    if letter == "d":
        return _number(moment.day, count)
    if letter == "w":
        return _number(_week_fields(moment.date())[1], count)
    if letter == "W":
        return _number(_week_fields(moment.date())[2], count)
    if letter == "E":
        return _text(_DAYS[moment.weekday()], max(count, 3))
    if letter in "ec":
        if count >= 3:
            return _text(_DAYS[moment.weekday()], count)
        return _number((moment.weekday() + 1) % 7 + 1, count)
    if letter == "F":
        return _number((moment.day - 1) % 7 + 1, count)
    if letter == "a":
        return "AM" if moment.hour < 12 else "PM"
    if letter == "B":
        return (
            "in the morning"
            if 6 <= moment.hour < 12
            else "in the afternoon"
            if 12 <= moment.hour < 18
            else ("in the evening" if 18 <= moment.hour < 21 else "at night")
        )
    if letter == "h":
        return _number(moment.hour % 12 or 12, count)
    if letter == "K":
        return _number(moment.hour % 12, count)
    if letter == "k":
        return _number(moment.hour or 24, count)
    if letter == "H":
        return _number(moment.hour, count)
    if letter == "m":
        return _number(moment.minute, count)
    if letter == "s":
        return _number(moment.second, count)
    if letter == "S":
        return f"{nanos:09d}"[:count] if count <= 9 else f"{nanos:09d}".ljust(count, "0")
    seconds_of_day = moment.hour * 3600 + moment.minute * 60 + moment.second
    if letter == "A":
        return _number(seconds_of_day * 1000 + nanos // 1_000_000, count)
    if letter == "n":
        return _number(nanos, count)
    if letter == "N":
        return _number(seconds_of_day * 1_000_000_000 + nanos, count)
    raise ExecutionError(f"Unknown pattern letter: {letter}")


# ----------------------------------------------------------------------------- parsing


def parse_java(text: str, pattern: str) -> dt.datetime | None:
    """Parse ``text`` with a Java pattern (numbers, month/day text, literals); None when it
    does not match, as Flink's TO_TIMESTAMP / TO_DATE / UNIX_TIMESTAMP give NULL."""
    regex: list[str] = []
    fields: list[tuple[str, int]] = []
    try:
        tokens = _tokens(pattern)
    except ExecutionError:
        return None
    for kind, token in tokens:
        if kind == "lit":
            regex.append(re.escape(token))
            continue
        letter, count = token[0], len(token)
        if letter in "ML" and count >= 3:
            regex.append("(" + "|".join(sorted({_text(m, count) for m in _MONTHS}, key=len, reverse=True)) + ")")
        elif letter in "Ee" and (letter == "E" or count >= 3):
            regex.append("(" + "|".join(sorted({_text(d, max(count, 3)) for d in _DAYS}, key=len, reverse=True)) + ")")
        elif letter == "a":
            regex.append("(AM|PM|am|pm)")
        elif letter == "S":
            regex.append(rf"(\d{{{count}}})")
        elif letter in "uyY" and count == 2:
            regex.append(r"(\d{2})")
        elif count == 1 or letter in "uyY":
            regex.append(r"(\d{1,9})" if letter in "uyY" else r"(\d{1,2})")
        else:
            regex.append(rf"(\d{{{count}}})")
        fields.append((letter, count))
    match = re.fullmatch("".join(regex), text)
    if match is None:
        return None
    values = {"year": 1970, "month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0, "micro": 0}
    pm: bool | None = None
    for (letter, count), group in zip(fields, match.groups()):
        if letter in "ML":
            values["month"] = int(group) if group.isdigit() else [_text(m, count) for m in _MONTHS].index(group) + 1
        elif letter in "uy":
            values["year"] = 2000 + int(group) if count == 2 else int(group)
        elif letter == "d":
            values["day"] = int(group)
        elif letter in "Hk":
            values["hour"] = int(group) % 24
        elif letter in "hK":
            values["hour"] = int(group) % 12
        elif letter == "a":
            pm = group.upper() == "PM"
        elif letter == "m":
            values["minute"] = int(group)
        elif letter == "s":
            values["second"] = int(group)
        elif letter == "S":
            values["micro"] = int(group.ljust(6, "0")[:6])
    if pm:
        values["hour"] += 12
    try:
        return dt.datetime(
            values["year"],
            values["month"],
            values["day"],
            values["hour"],
            values["minute"],
            values["second"],
            values["micro"],
        )
    except ValueError:
        return None
