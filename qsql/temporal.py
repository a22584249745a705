"""Date/time arithmetic as Flink does it: DATE/TIMESTAMP/TIME +- INTERVAL, interval
arithmetic, TIMESTAMPADD and TIMESTAMPDIFF.

Intervals are values of two types, as in Flink: ``INTERVAL SECOND(3)`` (a
``datetime.timedelta``; every DAY..SECOND literal has this type) and ``INTERVAL MONTH``
(an ``int`` count of months; every YEAR/MONTH literal). Adding months clamps the day to
the month's end (2024-02-29 + 1 YEAR = 2025-02-28), as java.time does.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import ast
from . import types as T
from .errors import ExecutionError, QsqlTypeError, ValidationError
from .source import Span
from .types import DataType

if TYPE_CHECKING:  # expressions imports this module
    from .expressions import Compiled

DAY_TIME = "INTERVAL_DAY_TIME"
YEAR_MONTH = "INTERVAL_YEAR_MONTH"
_INTERVALS = (DAY_TIME, YEAR_MONTH)
_DATETIMES = ("DATE", "TIMESTAMP", "TIMESTAMP_LTZ", "TIME")


def add_months(value: dt.date, months: int) -> dt.date:
    total = value.year * 12 + value.month - 1 + months
    year, month = divmod(total, 12)
    day = min(value.day, calendar.monthrange(year, month + 1)[1])
    return value.replace(year=year, month=month + 1, day=day)


def _shift(kind: str, value: Any, delta: Any, interval_kind: str, extra_nanos: int = 0) -> object:
    """``value + delta`` (+ ``extra_nanos``) for a DATE / TIMESTAMP / TIME value (of ``kind``) and
    an interval (of ``interval_kind``: the planner checked the types, Python cannot see them); a
    TIMESTAMP(9) keeps its nanoseconds."""
    if interval_kind == YEAR_MONTH:
        if kind == "TIME":
            return value
        moved = add_months(value, int(delta))
        # A DATE stays a date; a TIMESTAMP(9) keeps its nanoseconds.
        return T.carry_nanos(moved, value) if isinstance(moved, dt.datetime) else moved
    assert isinstance(delta, dt.timedelta)
    if kind == "DATE":
        days = int(delta / dt.timedelta(days=1))  # whole days, truncated toward zero as Java
        return value + dt.timedelta(days=days)
    if kind == "TIME":
        base = dt.datetime.combine(dt.date(2000, 1, 1), value)
        return (base + delta).time()
    assert isinstance(value, dt.datetime)
    carry, nanos = divmod(getattr(value, "nanos", 0) + extra_nanos, 1000)
    moved = value + delta + dt.timedelta(microseconds=carry)
    return T.with_nanos(moved, nanos)


def temporal_arithmetic(expr: ast.BinaryOp, left: Compiled, right: Compiled) -> Compiled | None:
    """The Compiled result of ``left op right`` when an operand is an interval, else None."""
    from .expressions import Compiled

    lt, rt = left.dtype, right.dtype
    if lt.kind not in _INTERVALS and rt.kind not in _INTERVALS:
        if lt.kind in _DATETIMES and rt.kind in _DATETIMES and expr.op in ("+", "-"):
            raise _cannot(expr, lt, rt)
        return None
    op = expr.op
    lf, rf = left.evaluate, right.evaluate
    nullable = lt.nullable or rt.nullable

    # operate's operands: non-NULL values of lt and rt (Any: checked here, Python cannot see it).
    def both(operate: Callable[[Any, Any], object], dtype: DataType) -> Compiled:
        def evaluate(row: tuple) -> object:
            a = lf(row)
            if a is None:
                return None
            b = rf(row)
            return None if b is None else operate(a, b)

        return Compiled(evaluate, dtype.with_nullable(nullable))

    # datetime +- interval, interval + datetime
    if lt.kind in _DATETIMES and rt.kind in _INTERVALS and op in ("+", "-"):
        kind, interval_kind = lt.kind, rt.kind
        sign = 1 if op == "+" else -1
        return both(lambda a, b: _shift(kind, a, _negate(b, sign), interval_kind), lt)
    if lt.kind in _INTERVALS and rt.kind in _DATETIMES and op == "+":
        kind, interval_kind = rt.kind, lt.kind
        return both(lambda a, b: _shift(kind, b, a, interval_kind), rt)
    # interval +- interval of the same kind
    if lt.kind == rt.kind and op in ("+", "-"):
        return both((lambda a, b: a + b) if op == "+" else (lambda a, b: a - b), lt)
    # interval * number, number * interval (Flink has no interval / number)
    if op == "*":
        interval, number = (lt, rt) if lt.kind in _INTERVALS else (rt, lt)
        if number.is_numeric and (op == "*" or lt.kind in _INTERVALS):
            swapped = lt.kind not in _INTERVALS
            kind = interval.kind

            def scale(a: object, b: object) -> object:
                value, factor = (b, a) if swapped else (a, b)
                return _scale(kind, value, factor, op)

            return both(scale, interval)
    raise _cannot(expr, lt, rt)


def _negate(value: Any, sign: int) -> object:  # an interval: an int or a timedelta
    return value if sign > 0 else -value


def _scale(kind: str, value: Any, factor: object, op: str) -> object:  # value: an interval
    number = Decimal(str(factor))
    if op == "/" and number == 0:
        raise ExecutionError("division by zero")
    if kind == YEAR_MONTH:
        result = Decimal(int(value)) * number if op == "*" else Decimal(int(value)) / number
        return int(result)
    assert isinstance(value, dt.timedelta)
    millis = Decimal(value // dt.timedelta(milliseconds=1))
    result = millis * number if op == "*" else millis / number
    return dt.timedelta(milliseconds=int(result))


def _cannot(expr: ast.BinaryOp, lt: DataType, rt: DataType) -> QsqlTypeError:
    return QsqlTypeError(
        f"Cannot apply '{expr.op}' to arguments of type '<{lt.calcite_name()}> {expr.op} <{rt.calcite_name()}>'",
        expr.span,
    )


# ----------------------------------------------------------------------- TIMESTAMPADD / TIMESTAMPDIFF

_UNIT_ALIASES = {f"SQL_TSI_{u}": u for u in ("YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND")}
_UNIT_ALIASES["SQL_TSI_FRAC_SECOND"] = "MICROSECOND"
_UNITS = (
    "YEAR",
    "QUARTER",
    "MONTH",
    "WEEK",
    "DAY",
    "HOUR",
    "MINUTE",
    "SECOND",
    "MILLISECOND",
    "MICROSECOND",
    "NANOSECOND",
)
_MONTHS_PER = {"YEAR": 12, "QUARTER": 3, "MONTH": 1}
_SECONDS_PER: dict[str, int | Decimal] = {
    "WEEK": 604800,
    "DAY": 86400,
    "HOUR": 3600,
    "MINUTE": 60,
    "SECOND": 1,
    "MILLISECOND": Decimal("0.001"),
    "MICROSECOND": Decimal("0.000001"),
    "NANOSECOND": Decimal("0.000000001"),
}


def _unit(unit: ast.TimeUnit) -> str:
    name = _UNIT_ALIASES.get(unit.unit, unit.unit)
    if name not in _UNITS:
        raise ValidationError(
            f"'{unit.unit}' is not a valid time frame", unit.span, hint="one of " + ", ".join(_UNITS[:8])
        )
    return name


def timestamp_add_diff(
    name: str, unit_node: ast.TimeUnit, first: Compiled, second: Compiled, span: Span | None
) -> Compiled:
    from .expressions import Compiled

    unit = _unit(unit_node)
    # An integer and a date/time value (TIMESTAMPADD), two date/time values (TIMESTAMPDIFF).
    ff: Callable[[tuple], Any] = first.evaluate
    sf: Callable[[tuple], Any] = second.evaluate
    nullable = first.dtype.nullable or second.dtype.nullable
    if name == "TIMESTAMPADD":
        if not (first.dtype.is_integer or first.dtype.kind == "NULL") or second.dtype.kind not in _DATETIMES + (
            "NULL",
        ):
            raise QsqlTypeError(
                f"Cannot apply 'TIMESTAMPADD' to arguments of type 'TIMESTAMPADD(<SYMBOL>, <{first.dtype.calcite_name()}>, "
                f"<{second.dtype.calcite_name()}>)'. Supported form(s): 'TIMESTAMPADD(<ANY>, <INTEGER>, <DATETIME>)'",
                span,
            )
        target = second.dtype
        kind = target.kind
        if kind == "DATE" and unit not in _MONTHS_PER and unit not in ("WEEK", "DAY"):
            target = T.timestamp(6).with_nullable(target.nullable)
            kind = "TIMESTAMP"

        def add(row: tuple) -> object:
            count, value = ff(row), sf(row)
            if count is None or value is None:
                return None
            if kind == "TIMESTAMP" and not isinstance(value, dt.datetime):
                value = dt.datetime(value.year, value.month, value.day)
            if unit in _MONTHS_PER:
                return _shift(kind, value, count * _MONTHS_PER[unit], YEAR_MONTH)
            nanos = int(Decimal(count) * Decimal(_SECONDS_PER[unit]) * 1_000_000_000)
            micros, extra = divmod(nanos, 1000)
            return _shift(kind, value, dt.timedelta(microseconds=micros), DAY_TIME, extra)

        return Compiled(add, target.with_nullable(nullable))

    for side in (first, second):
        if side.dtype.kind not in _DATETIMES + ("NULL",):
            raise QsqlTypeError(
                f"Cannot apply 'TIMESTAMPDIFF' to arguments of type 'TIMESTAMPDIFF(<SYMBOL>, <{first.dtype.calcite_name()}>, "
                f"<{second.dtype.calcite_name()}>)'. Supported form(s): 'TIMESTAMPDIFF(<ANY>, <DATETIME>, <DATETIME>)'",
                span,
            )

    def diff(row: tuple) -> object:
        start, end = ff(row), sf(row)
        if start is None or end is None:
            return None
        start, end = _as_datetime(start), _as_datetime(end)
        if unit in _MONTHS_PER:
            months = (end.year - start.year) * 12 + end.month - start.month
            # a partial month does not count (Java's ChronoUnit.MONTHS.between)
            if months > 0 and (end.day, end.time()) < (start.day, start.time()):
                months -= 1
            elif months < 0 and (end.day, end.time()) > (start.day, start.time()):
                months += 1
            return int(months / _MONTHS_PER[unit])
        nanos = (
            (end - start) // dt.timedelta(microseconds=1) * 1000 + getattr(end, "nanos", 0) - getattr(start, "nanos", 0)
        )
        per = Decimal(_SECONDS_PER[unit]) * 1_000_000_000
        value = int(Decimal(nanos) / per)
        return T.wrap_integer(value, "INT")

    return Compiled(diff, T.INT.with_nullable(nullable))


def _as_datetime(value: object) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, dt.time):
        return dt.datetime.combine(dt.date(1970, 1, 1), value)
    raise ExecutionError(f"not a date/time value: {value!r}")


_FLOOR_UNITS = ("YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND")


def _floor_datetime(value: dt.datetime, unit: str) -> dt.datetime:
    if unit == "YEAR":
        return dt.datetime(value.year, 1, 1)
    if unit == "QUARTER":
        return dt.datetime(value.year, (value.month - 1) // 3 * 3 + 1, 1)
    if unit == "MONTH":
        return dt.datetime(value.year, value.month, 1)
    if unit == "WEEK":  # weeks start on Sunday, as Calcite's
        start = value - dt.timedelta(days=(value.weekday() + 1) % 7)
        return dt.datetime(start.year, start.month, start.day)
    if unit == "DAY":
        return dt.datetime(value.year, value.month, value.day)
    if unit == "HOUR":
        return value.replace(minute=0, second=0, microsecond=0)
    if unit == "MINUTE":
        return value.replace(second=0, microsecond=0)
    if unit == "SECOND":
        return value.replace(microsecond=0)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def _ceil_datetime(value: dt.datetime, unit: str) -> dt.datetime:
    floor = _floor_datetime(value, unit)
    if floor == value:
        return floor
    if unit in ("YEAR", "QUARTER", "MONTH"):
        return dt.datetime.combine(add_months(floor.date(), {"YEAR": 12, "QUARTER": 3, "MONTH": 1}[unit]), dt.time())
    step = {
        "WEEK": dt.timedelta(weeks=1),
        "DAY": dt.timedelta(days=1),
        "HOUR": dt.timedelta(hours=1),
        "MINUTE": dt.timedelta(minutes=1),
        "SECOND": dt.timedelta(seconds=1),
        "MILLISECOND": dt.timedelta(milliseconds=1),
    }[unit]
    return floor + step


def floor_ceil_to(name: str, operand: Compiled, unit_node: ast.TimeUnit, span: Span | None) -> Compiled:
    """FLOOR(t TO unit) / CEIL(t TO unit) for a DATE or TIMESTAMP: the same type, rounded."""
    from .expressions import Compiled

    unit = unit_node.unit
    if name not in ("FLOOR", "CEIL", "CEILING"):
        raise ValidationError(f"{name} takes no time unit", unit_node.span)
    if unit not in _FLOOR_UNITS:
        raise ValidationError(f"'{unit}' is not a valid time frame", unit_node.span)
    dtype = operand.dtype
    if dtype.kind not in ("DATE", "TIMESTAMP", "NULL"):
        raise QsqlTypeError(
            f"Cannot apply '{name}' to arguments of type '{name}(<{dtype.calcite_name()}> TO <SYMBOL>)'. "
            f"Supported form(s): '{name}(<DATETIME> TO <TIME_UNIT>)'",
            span,
        )
    round_ = _floor_datetime if name == "FLOOR" else _ceil_datetime
    inner: Callable[[tuple], Any] = operand.evaluate  # a DATE or TIMESTAMP value (checked above)
    is_date = dtype.kind == "DATE"

    def evaluate(row: tuple) -> object:
        value = inner(row)
        if value is None:
            return None
        if is_date:
            return round_(dt.datetime(value.year, value.month, value.day), unit).date()
        return round_(value, unit)

    return Compiled(evaluate, dtype)
