"""Flink's duration strings ('60s', '500 ms', '2 min', '1h', 'PT5S'), read where a setting, an
ML_PREDICT option or a connector option takes a time span.

The rules are Flink 2.3's ``TimeUtils.parseDuration`` (checked against it): whole numbers only, a
unit label from its list (case-insensitive, space allowed), no label meaning milliseconds, and
text that does not start with a digit read as an ISO-8601 duration (Java's ``Duration.parse``).

It sits at the bottom of the import graph (errors and spans only), so settings, the planner
and the connectors can all use it without importing one another."""

from __future__ import annotations

import re

from .errors import ValidationError
from .source import Span

# Flink's TimeUtils.TimeUnit, in its order, with the labels its error message lists.
_UNITS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("DAYS", 86400.0, ("d", "day", "days")),
    ("HOURS", 3600.0, ("h", "hour", "hours")),
    ("MINUTES", 60.0, ("min", "m", "minute", "minutes")),
    ("SECONDS", 1.0, ("s", "sec", "secs", "second", "seconds")),
    ("MILLISECONDS", 1e-3, ("ms", "milli", "millis", "millisecond", "milliseconds")),
    ("MICROSECONDS", 1e-6, ("µs", "micro", "micros", "microsecond", "microseconds")),
    ("NANOSECONDS", 1e-9, ("ns", "nano", "nanos", "nanosecond", "nanoseconds")),
)
_SECONDS_PER_LABEL = {label: seconds for _, seconds, labels in _UNITS for label in labels}
_ALL_UNITS = ", ".join(f"{name}: ({' | '.join(labels)})" for name, _, labels in _UNITS)

# java.time.Duration.parse: [+-]P[nD][T[nH][nM][n[.n]S]], letters in either case.
_ISO = re.compile(
    r"([-+]?)P(?:([-+]?\d+)D)?(?:(T)(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{0,9}))?S)?)?",
    re.I,
)


def parse_duration(text: str, span: Span | None = None) -> float:
    """Seconds in a Flink duration string, or a ValidationError with Flink's reason."""
    trimmed = text.strip()
    if not trimmed:
        raise ValidationError(f"cannot parse duration '{text}': argument is an empty- or whitespace-only string", span)
    digits = len(trimmed) - len(trimmed.lstrip("0123456789"))
    if digits == 0:
        seconds = _iso_seconds(trimmed)
        if seconds is None:
            raise ValidationError(
                f"cannot parse duration '{text}': text does not start with a number, and is not a valid "
                f"ISO-8601 duration format (e.g. '60s', '500 ms', '2 min', 'PT1M')",
                span,
            )
        if seconds < 0:
            raise ValidationError(f"cannot parse duration '{text}': a time span cannot be negative", span)
        return seconds
    number = int(trimmed[:digits])
    label = trimmed[digits:].strip().lower()
    if not label:
        return number / 1000
    if label not in _SECONDS_PER_LABEL:
        raise ValidationError(
            f"cannot parse duration '{text}': Time interval unit label '{label}' does not match any of the "
            f"recognized units: {_ALL_UNITS}",
            span,
        )
    return number * _SECONDS_PER_LABEL[label]


def _iso_seconds(text: str) -> float | None:
    match = _ISO.fullmatch(text)
    if match is None:
        return None
    sign, days, t, hours, minutes, seconds, fraction = match.groups()
    if days is None and t is None:
        return None  # "P" alone
    if t is not None and hours is None and minutes is None and seconds is None:
        return None  # "PT" with nothing after it
    total: float = int(days or 0) * 86400 + int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(seconds or 0)
    if fraction:
        part = int(fraction.ljust(9, "0")) / 1e9
        total += -part if seconds is not None and seconds.startswith("-") else part
    return -total if sign == "-" else float(total)
