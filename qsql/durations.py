"""Flink's duration strings ('60s', '500 ms', '2 min', '1h'), read where a setting, an
ML_PREDICT option or a connector option takes a time span.

It sits at the bottom of the import graph (errors and spans only), so settings, the planner
and the connectors can all use it without importing one another."""

from __future__ import annotations

import re

from .errors import ValidationError
from .source import Span

_DURATION = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(ms|milli|millis|s|sec|secs|second|seconds|min|mins|minute|minutes|h|hour|hours)?\s*$",
    re.I,
)


def parse_duration(text: str, span: Span | None = None) -> float:
    """Seconds in a Flink duration string: '60s', '500 ms', '2 min', '1h'; a bare number is
    milliseconds, as in Flink."""
    match = _DURATION.match(text)
    if not match:
        raise ValidationError(f"cannot parse duration '{text}' (e.g. '60s', '500 ms', '2 min')", span)
    number, unit = float(match.group(1)), (match.group(2) or "ms").lower()
    if unit in ("ms", "milli", "millis"):
        return number / 1000
    if unit.startswith("s"):
        return number
    if unit.startswith("m"):
        return number * 60
    return number * 3600
