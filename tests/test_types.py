"""Flink's value formatting, casts and result types. Cases marked (Flink 2.3) were run in
Apache Flink 2.3.0 and the expected text copied from it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from qsql import types as T
from qsql.errors import ExecutionError


@pytest.mark.parametrize(
    "value, dtype, text",
    [
        (None, T.INT, "null"),
        (True, T.BOOLEAN, "true"),
        (False, T.BOOLEAN, "false"),
        (42, T.INT, "42"),
        (-2147483648, T.INT, "-2147483648"),
        ("a, b", T.STRING, "a, b"),  # strings print raw, commas unescaped
        ("李雷", T.STRING, "李雷"),
        (Decimal("2.50"), T.decimal(3, 2), "2.50"),  # (Flink 2.3)
        (Decimal("0.333333333333"), T.decimal(13, 12), "0.333333333333"),  # (Flink 2.3) 1.0/3
        (Decimal("-1.00"), T.decimal(3, 2), "-1.00"),
        (Decimal("1E+3"), T.decimal(4, 0), "1000"),
        (0.30000000000000004, T.DOUBLE, "0.30000000000000004"),  # (Flink 2.3) 0.1e0 + 0.2e0
        (1000.0, T.DOUBLE, "1000.0"),  # (Flink 2.3) 1e3
        (1e7, T.DOUBLE, "1.0E7"),
        (1e-4, T.DOUBLE, "1.0E-4"),
        (0.001, T.DOUBLE, "0.001"),
        (123456789.125, T.DOUBLE, "1.23456789125E8"),
        (-0.0, T.DOUBLE, "-0.0"),
        (float("inf"), T.DOUBLE, "Infinity"),
        (float("nan"), T.DOUBLE, "NaN"),
        (T.cast_value(0.12, T.DOUBLE, T.FLOAT), T.FLOAT, "0.12"),  # float32 prints shortest
        (T.cast_value(1.1, T.DOUBLE, T.FLOAT), T.FLOAT, "1.1"),
        (["a", "b", "c"], T.array(T.STRING), "[a, b, c]"),
        ([1, None], T.array(T.INT), "[1, null]"),
        ([0.12, 0.22], T.array(T.FLOAT), "[0.12, 0.22]"),
        (dt.date(2026, 11, 30), T.DATE, "2026-11-30"),
        (dt.datetime(2026, 11, 30), T.timestamp(3), "2026-11-30T00:00"),  # (Flink 2.3)
        (dt.datetime(2026, 11, 30, 10, 20), T.timestamp(3), "2026-11-30T10:20"),
        (dt.datetime(2026, 11, 30, 10, 20, 30), T.timestamp(3), "2026-11-30T10:20:30"),
        (dt.datetime(2026, 11, 30, 10, 20, 30, 500000), T.timestamp(1), "2026-11-30T10:20:30.500"),
        (dt.datetime(2026, 11, 30, 10, 20, 30, 123456), T.timestamp(6), "2026-11-30T10:20:30.123456"),
    ],
)
def test_format_value_matches_flink(value: object, dtype: T.DataType, text: str) -> None:
    assert T.format_value(value, dtype) == text


@pytest.mark.parametrize(
    "value, source, target, expected",
    [
        ("ab", T.char(2), T.char(5), "ab   "),  # (Flink 2.3) CHAR pads
        ("abcdefgh", T.char(8), T.char(5), "abcde"),  # (Flink 2.3) and truncates
        ("mj", T.varchar(2), T.varchar(1), "m"),  # (Flink 2.3) VARCHAR(n) sink truncates
        (Decimal("12345.5"), T.decimal(6, 1), T.decimal(5, 2), None),  # (Flink 2.3) overflow -> NULL
        (Decimal("1.005"), T.decimal(4, 3), T.decimal(5, 2), Decimal("1.01")),  # (Flink 2.3) half-up
        (2, T.INT, T.decimal(5, 2), Decimal("2.00")),  # (Flink 2.3)
        (Decimal("1.5"), T.decimal(3, 1), T.DOUBLE, 1.5),  # (Flink 2.3)
        (1, T.INT, T.DOUBLE, 1.0),
        (2147483648, T.BIGINT, T.INT, -2147483648),  # explicit narrowing wraps, as Java
        (Decimal("-2.7"), T.decimal(2, 1), T.INT, -2),  # truncates toward zero
        (" 42 ", T.STRING, T.INT, 42),
        ("2026-11-30", T.STRING, T.DATE, dt.date(2026, 11, 30)),
        ("2026-11-30 10:20:30.123456", T.STRING, T.timestamp(3), dt.datetime(2026, 11, 30, 10, 20, 30, 123000)),
        (dt.date(2026, 11, 30), T.DATE, T.timestamp(3), dt.datetime(2026, 11, 30)),
        (True, T.BOOLEAN, T.STRING, "TRUE"),
        (1.5, T.DOUBLE, T.STRING, "1.5"),
        ("true", T.STRING, T.BOOLEAN, True),
        ([1, 2], T.array(T.INT), T.array(T.STRING), ["1", "2"]),
        (None, T.INT, T.STRING, None),
    ],
)
def test_cast_value(value: object, source: T.DataType, target: T.DataType, expected: object) -> None:
    assert T.cast_value(value, source, target) == expected


@pytest.mark.parametrize(
    "value, source, target",
    [
        ("abc", T.STRING, T.INT),
        ("99999999999", T.STRING, T.INT),
        ("2026-02-30", T.STRING, T.DATE),
        ("x", T.STRING, T.BOOLEAN),
    ],
)
def test_cast_failure_names_value_and_types(value: object, source: T.DataType, target: T.DataType) -> None:
    with pytest.raises(ExecutionError) as info:
        T.cast_value(value, source, target)
    assert f"'{value}'" in info.value.message and target.name() in info.value.message


@pytest.mark.parametrize(
    "source, target, allowed",
    [
        (T.INT, T.BIGINT, True),  # (Flink 2.3)
        (T.BIGINT, T.INT, False),  # (Flink 2.3) rejected at validation
        (T.STRING, T.INT, False),  # (Flink 2.3)
        (T.char(10), T.DATE, False),  # (Flink 2.3)
        (T.INT, T.DOUBLE, True),  # (Flink 2.3)
        (T.INT, T.decimal(5, 2), True),  # (Flink 2.3)
        (T.decimal(3, 1), T.DOUBLE, True),  # (Flink 2.3)
        (T.varchar(2), T.varchar(1), True),  # (Flink 2.3)
        (T.DOUBLE, T.decimal(10, 2), False),
        (T.DOUBLE, T.FLOAT, False),
        (T.FLOAT, T.DOUBLE, True),
        (T.NULL, T.DATE, True),
        (T.array(T.DOUBLE), T.array(T.FLOAT), False),
        (T.array(T.FLOAT), T.array(T.DOUBLE), True),
        (T.DATE, T.timestamp(3), True),
    ],
)
def test_implicit_casts_at_a_sink(source: T.DataType, target: T.DataType, allowed: bool) -> None:
    assert T.can_cast_implicitly(source, target) is allowed


@pytest.mark.parametrize(
    "op, left, right, result",
    [
        ("/", T.INT, T.INT, T.INT),
        ("+", T.INT, T.BIGINT, T.BIGINT),
        ("/", T.decimal(2, 1), T.INT, T.decimal(13, 12)),  # (Flink 2.3) 1.0/3 = 0.333333333333
        ("+", T.decimal(10, 2), T.decimal(5, 3), T.decimal(12, 3)),
        ("*", T.decimal(10, 2), T.decimal(5, 3), T.decimal(16, 5)),
        ("+", T.INT, T.DOUBLE, T.DOUBLE),
        ("+", T.FLOAT, T.INT, T.FLOAT),
        ("+", T.decimal(38, 10), T.decimal(38, 10), T.decimal(38, 9)),
        ("+", T.STRING, T.INT, None),
    ],
)
def test_arithmetic_result_types(op: str, left: T.DataType, right: T.DataType, result: T.DataType | None) -> None:
    assert T.arithmetic_result_type(op, left, right) == result


def test_common_type_of_values_columns() -> None:
    # (Flink 2.3) VALUES ('mj'), ('x') gives VARCHAR(2), not CHAR(2)
    assert T.common_type([T.char(2), T.char(1)]) == T.varchar(2)
    assert T.common_type([T.INT, T.decimal(3, 2)]) == T.decimal(12, 2)
    assert T.common_type([T.INT, T.NULL]) == T.INT
    assert T.common_type([T.INT, T.STRING]) is None


def test_type_names_print_as_flink_does() -> None:
    assert str(T.STRING) == "STRING"
    assert str(T.varchar(52).with_nullable(False)) == "VARCHAR(52) NOT NULL"
    assert str(T.decimal(10, 2)) == "DECIMAL(10, 2)"
    assert str(T.array(T.FLOAT)) == "ARRAY<FLOAT>"
    assert str(T.timestamp(3)) == "TIMESTAMP(3)"


def test_char_widening_lives_in_the_type_system() -> None:
    a3, b3, a5 = T.char(3), T.char(3).with_nullable(False), T.char(5)
    assert T.common_type([a3, b3]) == T.char(3)  # CASE branches: CHAR(n) meets CHAR(n)
    assert T.common_type([a3, a5]) == T.varchar(5)
    assert T.common_type([b3, b3]) == T.char(3).with_nullable(False)  # COALESCE, IF, ARRAY[]: (Flink 2.3) CHAR stays
    assert T.common_type([a3, T.NULL]) == T.char(3)
    assert T.common_row_type([a3, T.NULL]) == T.varchar(3)  # VALUES ('abc'), (NULL)
    assert T.common_row_type([a3, b3]) == T.char(3)
    assert T.varying(T.INT) == T.INT
