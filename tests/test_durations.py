"""Duration strings as Flink 2.3's TimeUtils.parseDuration reads them (cases run in Flink 2.3 as
ML_PREDICT's MAP['timeout', ...] are marked)."""

from __future__ import annotations

import pytest

from qsql.durations import parse_duration
from qsql.errors import ValidationError


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("60s", 60),
        ("500 ms", 0.5),
        ("2 min", 120),
        ("5 m", 300),  # (Flink 2.3) 'm' is minutes
        ("1 d", 86400),  # (Flink 2.3)
        ("3 days", 259200),
        ("1h", 3600),
        ("10 SECS", 10),
        ("250", 0.25),  # no label: milliseconds
        (" 7 seconds ", 7),
        ("1500 micros", 0.0015),
        ("PT5S", 5),  # (Flink 2.3) ISO-8601
        ("pt1m30s", 90),
        ("P1DT2H", 93600),
        ("PT0.5S", 0.5),
    ],
)
def test_flink_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("1.5s", "Time interval unit label '.5s' does not match any of the recognized units: DAYS: (d | day | days)"),
        ("10 mins", "Time interval unit label 'mins' does not match"),  # (Flink 2.3)
        ("soon", "text does not start with a number, and is not a valid ISO-8601 duration format"),
        ("P", "not a valid ISO-8601"),
        ("PT", "not a valid ISO-8601"),
        ("  ", "argument is an empty- or whitespace-only string"),
        ("PT-5S", "cannot be negative"),
    ],
)
def test_what_flink_refuses(text: str, reason: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_duration(text)
    assert info.value.message.startswith(f"cannot parse duration '{text}': ")
    assert reason in info.value.message
