"""Literal edge cases as Calcite (and so Flink 2.3) reads them. Cases marked (Flink 2.3) were run
in Flink 2.3.0 and their results copied."""

from __future__ import annotations

import pytest

from qsql.errors import QsqlError, QsqlSyntaxError, ValidationError

from .conftest import SqlRunner


@pytest.mark.parametrize(
    "literal, value",
    [
        # (Flink 2.3) the escape takes exactly four characters, read by Java's Integer.parseInt(s, 16),
        # which allows a sign: \+01F600 is U+001F followed by "600", \+0041 is U+0004 then "1"
        ("U&'\\+01F600'", "\x1f600"),
        ("U&'\\+0041'", "\x041"),
        ("U&'\\-041'", "\uffbf"),  # (char) -65
        ("U&'\\0041\\0042'", "AB"),
        ("U&'\\D83D\\DE00'", "\U0001f600"),  # a surrogate pair is one character
    ],
)
def test_unicode_escapes(sql: SqlRunner, literal: str, value: str) -> None:
    assert sql.query(f"SELECT {literal}")[1] == [(value,)]


def test_unicode_escape_length_and_type(sql: SqlRunner) -> None:
    # (Flink 2.3) CHAR_LENGTH 4, CHAR(4) NOT NULL
    assert sql.query("SELECT CHAR_LENGTH(U&'\\+01F600'), TYPEOF(U&'\\+01F600')")[1] == [(4, "CHAR(4) NOT NULL")]


@pytest.mark.parametrize("literal, position", [("U&'\\00'", 0), ("U&'\\zzzz'", 0), ("U&'ab\\12'", 2)])
def test_short_or_bad_escapes_are_refused(sql: SqlRunner, literal: str, position: int) -> None:
    with pytest.raises(QsqlSyntaxError) as info:
        sql(f"SELECT {literal}")
    # (Flink 2.3) "SQL parse failed. Unicode escape sequence starting at character 0 is not exactly four hex digits"
    assert info.value.message == (
        f"Unicode escape sequence starting at character {position} is not exactly four hex digits"
    )


@pytest.mark.parametrize(
    "literal, shown",
    [
        ("1e999", "1E999"),
        ("-1e999", "-1E999"),
        ("1.5e400", "1.5E400"),  # (Flink 2.3)
    ],
)
def test_a_double_literal_that_overflows_is_refused(sql: SqlRunner, literal: str, shown: str) -> None:
    with pytest.raises(ValidationError) as info:
        sql(f"SELECT {literal}")
    assert info.value.message == f"Numeric literal '{shown}' out of range"  # (Flink 2.3)


def test_underflow_and_overflowing_arithmetic_are_not_literal_errors(sql: SqlRunner) -> None:
    # (Flink 2.3) 1e-999 is 0.0; 1e308 * 10 is Infinity; 1.5e300 is a DOUBLE
    assert sql.query("SELECT 1e-999, CAST(1e308 * 10 AS STRING), TYPEOF(1.5e300)")[1] == [
        (0.0, "Infinity", "DOUBLE NOT NULL")
    ]


def test_an_overflowing_literal_in_a_view_fails_at_create(sql: SqlRunner) -> None:
    with pytest.raises(QsqlError):
        sql("CREATE VIEW v AS SELECT 1e999 AS x")
    assert sql.query("SHOW VIEWS")[1] == []
