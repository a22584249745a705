"""Flink's data types: names, the Python value of each, casts, and Flink's print format.

Values flow through qsql as plain Python objects, one representation per type:

=================  ===========================
STRING/VARCHAR/CHAR ``str``
BOOLEAN            ``bool``
TINYINT..BIGINT    ``int`` (wrapped to the type's width, as Java does)
FLOAT, DOUBLE      ``float`` (FLOAT rounded to 32 bits)
DECIMAL(p, s)      ``decimal.Decimal`` with exactly ``s`` digits after the point
DATE               ``datetime.date``
TIMESTAMP(p)       ``datetime.datetime`` (naive; microsecond resolution)
ARRAY<T>           ``list``
NULL               ``None``
=================  ===========================

The rules here (implicit casts at a sink, result types of arithmetic, CHAR padding, decimal
overflow to NULL) were checked against Flink 2.3; see tests/test_types.py for the cases.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import struct
from dataclasses import replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from .errors import ExecutionError, QsqlTypeError, shorten
from .lazydataclass import lazy_dataclass
from .source import Span
from .suggest import did_you_mean
from .timezone import from_local, to_local

MAX_LENGTH = 2147483647
MAX_DECIMAL_PRECISION = 38

CHARACTER_KINDS = frozenset({"CHAR", "VARCHAR"})
BINARY_KINDS = frozenset({"BINARY", "VARBINARY"})
INTEGER_KINDS = ("TINYINT", "SMALLINT", "INT", "BIGINT")
APPROXIMATE_KINDS = ("FLOAT", "DOUBLE")
NUMERIC_KINDS = frozenset(INTEGER_KINDS + APPROXIMATE_KINDS + ("DECIMAL",))
INTEGER_BITS = {"TINYINT": 8, "SMALLINT": 16, "INT": 32, "BIGINT": 64}
# A value of a numeric SQL type, as a row holds it.
Number = int | float | Decimal
# The DECIMAL an integer type is widened to when it meets a DECIMAL (Flink's rule).
INTEGER_AS_DECIMAL_PRECISION = {"TINYINT": 3, "SMALLINT": 5, "INT": 10, "BIGINT": 19}


@lazy_dataclass(frozen=True)
class DataType:
    """One Flink logical type. ``length`` is for CHAR/VARCHAR, ``precision``/``scale`` for
    DECIMAL and TIMESTAMP, ``element`` for ARRAY."""

    kind: str
    nullable: bool = True
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    element: DataType | None = None  # ARRAY's element, MAP's value
    key: DataType | None = None  # MAP's key
    fields: tuple[RowField, ...] | None = None  # ROW's fields

    def __hash__(self) -> int:
        # Computed once: a nested type (ARRAY[ARRAY[...]] hundreds deep) would otherwise be
        # hashed all the way down at every level, making type checks quadratic in the depth.
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(
                (self.kind, self.nullable, self.length, self.precision, self.scale, self.element, self.key, self.fields)
            )
            object.__setattr__(self, "_hash", cached)
        return cached

    def __getstate__(self) -> dict:
        # A str's hash differs between processes: never carry a cached one across.
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}

    def __str__(self) -> str:
        suffix = "" if self.nullable else " NOT NULL"
        return self.name() + suffix

    def name(self) -> str:
        k = self.kind
        if k == "VARCHAR":
            return "STRING" if self.length == MAX_LENGTH else f"VARCHAR({self.length})"
        if k == "CHAR":
            return f"CHAR({self.length})"
        if k == "DECIMAL":
            return f"DECIMAL({self.precision}, {self.scale})"
        if k == "TIMESTAMP":
            return f"TIMESTAMP({self.precision})"
        if k == "TIMESTAMP_LTZ":
            return f"TIMESTAMP_LTZ({self.precision})"
        if k == "TIME":
            return f"TIME({self.precision})"
        if k == "VARBINARY":
            return "BYTES" if self.length == MAX_LENGTH else f"VARBINARY({self.length})"
        if k == "BINARY":
            return f"BINARY({self.length})"
        if k == "ROW":
            return "ROW<" + ", ".join(str(f) for f in self.fields or ()) + ">"
        if k == "INTERVAL_DAY_TIME":
            return "INTERVAL SECOND(3)"  # Flink types every DAY..SECOND literal so
        if k == "INTERVAL_YEAR_MONTH":
            return "INTERVAL MONTH"  # and every YEAR/MONTH one so
        if k == "ARRAY":
            return f"ARRAY<{self.element}>"
        if k == "MAP":
            return f"MAP<{self.key}, {self.element}>"
        if k == "MULTISET":
            return f"MULTISET<{self.element}>"
        return k

    def calcite_name(self) -> str:
        """The type as Calcite spells it in Flink's validation messages ("Cannot apply '+' to
        arguments of type '<INTEGER> + <BOOLEAN>'"), checked against Flink 2.3: no nullability,
        INTEGER, VARCHAR(2147483647) for STRING, 'INTEGER ARRAY', '(CHAR(1), INTEGER) MAP'."""
        k = self.kind
        if k == "INT":
            return "INTEGER"
        if k in ("VARCHAR", "VARBINARY"):
            return f"{k}({self.length})"
        if k == "TIMESTAMP_LTZ":
            return f"TIMESTAMP_WITH_LOCAL_TIME_ZONE({self.precision})"
        if k in ("ARRAY", "MULTISET") and self.element is not None:
            return f"{self.element.calcite_name()} {k}"
        if k == "MAP" and self.key is not None and self.element is not None:
            return f"({self.key.calcite_name()}, {self.element.calcite_name()}) MAP"
        return self.name()

    def with_nullable(self, nullable: bool) -> DataType:
        return self if self.nullable == nullable else _with_nullable(self, nullable)

    @property
    def is_character(self) -> bool:
        return self.kind in CHARACTER_KINDS

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    @property
    def is_integer(self) -> bool:
        return self.kind in INTEGER_BITS


@lazy_dataclass(frozen=True)
class RowField:
    """One field of a ROW type: ``name type [COMMENT '...']``."""

    name: str
    dtype: DataType
    comment: str | None = None

    def __str__(self) -> str:
        text = f"`{self.name}` {self.dtype}"
        return text + (f" '{self.comment}'" if self.comment else "")


@lru_cache(maxsize=4096)
def _with_nullable(dtype: DataType, nullable: bool) -> DataType:
    # Types are immutable values; literals ask for the same few NOT NULL variants again and again.
    return replace(dtype, nullable=nullable)


STRING = DataType("VARCHAR", length=MAX_LENGTH)
BOOLEAN = DataType("BOOLEAN")
TINYINT = DataType("TINYINT")
SMALLINT = DataType("SMALLINT")
INT = DataType("INT")
BIGINT = DataType("BIGINT")
FLOAT = DataType("FLOAT")
DOUBLE = DataType("DOUBLE")
DATE = DataType("DATE")
NULL = DataType("NULL")


def varchar(length: int) -> DataType:
    return DataType("VARCHAR", length=length)


def char(length: int) -> DataType:
    return DataType("CHAR", length=length)


def decimal(precision: int, scale: int) -> DataType:
    return DataType("DECIMAL", precision=precision, scale=scale)


def timestamp(precision: int = 6) -> DataType:
    return DataType("TIMESTAMP", precision=precision)


def time(precision: int = 0) -> DataType:
    return DataType("TIME", precision=precision)


def timestamp_ltz(precision: int = 6) -> DataType:
    return DataType("TIMESTAMP_LTZ", precision=precision)


def binary(length: int) -> DataType:
    return DataType("BINARY", length=length)


def varbinary(length: int) -> DataType:
    return DataType("VARBINARY", length=length)


BYTES = DataType("VARBINARY", length=MAX_LENGTH)


def row(fields: tuple[RowField, ...]) -> DataType:
    return DataType("ROW", fields=fields)


def interval_day_time(precision: int = 2, seconds_only: bool = False) -> DataType:
    """INTERVAL DAY(p) TO SECOND(3); ``scale`` 1 marks INTERVAL SECOND(3) (what TIMESTAMPDIFF-free
    literals like INTERVAL '10' SECOND have in Flink)."""
    return DataType("INTERVAL_DAY_TIME", precision=precision, scale=1 if seconds_only else 0)


def interval_year_month(precision: int = 2, months_only: bool = False) -> DataType:
    return DataType("INTERVAL_YEAR_MONTH", precision=precision, scale=1 if months_only else 0)


def array(element: DataType) -> DataType:
    return DataType("ARRAY", element=element)


def map_of(key: DataType, value: DataType) -> DataType:
    return DataType("MAP", key=key, element=value)


def multiset(element: DataType) -> DataType:
    """MULTISET<T> (COLLECT's result): held as a dict of element -> count, printed as Java's map."""
    return DataType("MULTISET", element=element)


def _entry_types(dtype: DataType | None) -> tuple[DataType | None, DataType | None]:
    """The key and value types of a MAP's or MULTISET's entries (a MULTISET counts with INT)."""
    if dtype is not None and dtype.kind == "MAP":
        return dtype.key, dtype.element
    if dtype is not None and dtype.kind == "MULTISET":
        return dtype.element, INT.with_nullable(False)
    return None, None


# ---------------------------------------------------------------------------------------
# Type names as written in DDL and CAST
# ---------------------------------------------------------------------------------------

_SIMPLE_TYPES = {
    "STRING": STRING,
    "BOOLEAN": BOOLEAN,
    "TINYINT": TINYINT,
    "SMALLINT": SMALLINT,
    "INT": INT,
    "INTEGER": INT,
    "BIGINT": BIGINT,
    "FLOAT": FLOAT,
    "REAL": FLOAT,
    "DOUBLE": DOUBLE,
    "DATE": DATE,
}
_SIMPLE_TYPES["BYTES"] = BYTES
_PARAMETERISED = (
    "VARCHAR",
    "CHAR",
    "DECIMAL",
    "DEC",
    "NUMERIC",
    "TIMESTAMP",
    "TIMESTAMP_LTZ",
    "TIME",
    "BINARY",
    "VARBINARY",
)
KNOWN_TYPE_NAMES = sorted(set(_SIMPLE_TYPES) | set(_PARAMETERISED) | {"ARRAY", "MAP", "ROW"})


def type_from_name(name: str, params: list[int], span: Span | None = None) -> DataType:
    """Resolve ``VARCHAR(10)``, ``DECIMAL(10, 2)``, ``TIMESTAMP(3)`` ... as Flink does,
    including its defaults (CHAR = CHAR(1), DECIMAL = DECIMAL(10, 0), TIMESTAMP = TIMESTAMP(6),
    and VARCHAR without a length = STRING)."""
    upper = name.upper()
    if upper in _SIMPLE_TYPES:
        if params:
            raise QsqlTypeError(f"type {upper} takes no parameters", span)
        return _SIMPLE_TYPES[upper]
    if upper == "VARCHAR":
        _expect_params(upper, params, 0, 1, span)
        length = params[0] if params else MAX_LENGTH
        _check_range(upper, "length", length, 1, MAX_LENGTH, span)
        return varchar(length)
    if upper == "CHAR":
        _expect_params(upper, params, 0, 1, span)
        length = params[0] if params else 1
        _check_range(upper, "length", length, 1, MAX_LENGTH, span)
        return char(length)
    if upper in ("DECIMAL", "DEC", "NUMERIC"):
        _expect_params(upper, params, 0, 2, span)
        precision = params[0] if params else 10
        scale = params[1] if len(params) > 1 else 0
        _check_range(upper, "precision", precision, 1, MAX_DECIMAL_PRECISION, span)
        _check_range(upper, "scale", scale, 0, precision, span)
        return decimal(precision, scale)
    if upper in ("TIMESTAMP", "TIMESTAMP_LTZ"):
        _expect_params(upper, params, 0, 1, span)
        precision = params[0] if params else 6
        _check_range(upper, "precision", precision, 0, 9, span)
        return timestamp(precision) if upper == "TIMESTAMP" else timestamp_ltz(precision)
    if upper == "TIME":
        _expect_params(upper, params, 0, 1, span)
        precision = params[0] if params else 0
        _check_range(upper, "precision", precision, 0, 9, span)
        return time(precision)
    if upper in ("BINARY", "VARBINARY"):
        _expect_params(upper, params, 0, 1, span)
        length = params[0] if params else (1 if upper == "BINARY" else MAX_LENGTH)
        _check_range(upper, "length", length, 1, MAX_LENGTH, span)
        return binary(length) if upper == "BINARY" else varbinary(length)
    raise QsqlTypeError(f"unknown data type '{name}'", span, hint=did_you_mean(upper, KNOWN_TYPE_NAMES))


def _expect_params(name: str, params: list[int], low: int, high: int, span: Span | None) -> None:
    if not low <= len(params) <= high:
        raise QsqlTypeError(f"type {name} takes at most {high} parameter(s), got {len(params)}", span)


def _check_range(name: str, what: str, value: int, low: int, high: int, span: Span | None) -> None:
    if not low <= value <= high:
        raise QsqlTypeError(f"{name} {what} must be between {low} and {high}, got {shorten(str(value))}", span)


# ---------------------------------------------------------------------------------------
# Flink's print format (Row.toString of the external values)
# ---------------------------------------------------------------------------------------


def format_value(value: object, dtype: DataType | None = None) -> str:
    """Render one value exactly as Flink's print connector and SQL client do."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    kind = dtype.kind if dtype is not None else None
    if kind == "ROW" or (kind is None and isinstance(value, tuple)):
        fields = dtype.fields if dtype is not None and dtype.fields else ()
        items: Any = value  # a ROW's value: a tuple
        types: list[DataType | None] = [f.dtype for f in fields] or [None] * len(items)
        return "+I[" + ", ".join(format_value(v, t) for v, t in zip(items, types)) + "]"
    if isinstance(value, (bytes, bytearray)):
        data = value.ljust(dtype.length or 0, b"\0") if kind == "BINARY" and dtype is not None else value
        return "[" + ", ".join(str(b - 256 if b > 127 else b) for b in data) + "]"  # Java's signed bytes
    if kind in ("INTERVAL_DAY_TIME", "INTERVAL_YEAR_MONTH"):
        return interval_str(value, kind)
    if isinstance(value, dt.time):
        return time_str(value, dtype.precision if dtype is not None and dtype.precision is not None else 0, pad=True)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return java_instant_str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if dtype is not None and dtype.kind == "FLOAT":
            return java_float_str(value)
        return java_double_str(value)
    if isinstance(value, Decimal):
        # A DECIMAL that rounded to zero prints without a sign (-0.00 -> 0.00), as Java's BigDecimal.
        return format(abs(value) if value.is_zero() else value, "f")
    if isinstance(value, dt.datetime):
        return java_local_datetime_str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        element = dtype.element if dtype is not None and dtype.kind == "ARRAY" else None
        return "[" + ", ".join(format_value(v, element) for v in value) + "]"
    if isinstance(value, dict):
        # Java's Map.toString: {k=v, k2=v2}
        key_type, value_type = _entry_types(dtype)
        return (
            "{"
            + ", ".join(f"{format_value(k, key_type)}={format_value(v, value_type)}" for k, v in value.items())
            + "}"
        )
    return str(value)


def java_double_str(x: float) -> str:
    """Java's ``Double.toString``: shortest round-trip digits, plain between 1e-3 and 1e7,
    otherwise ``d.dddE±n``."""
    return _java_floating_str(x, repr(x))


def java_float_str(x: float) -> str:
    """Java's ``Float.toString`` for a value already rounded to 32 bits."""
    if math.isnan(x) or math.isinf(x) or x == 0:
        return _java_floating_str(x, repr(x))
    for digits in range(1, 10):
        text = f"{x:.{digits}g}"
        if _round_to_float32(float(text)) == x:
            return _java_floating_str(x, text)
    return _java_floating_str(x, repr(x))


def _java_floating_str(x: float, shortest: str) -> str:
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    sign, digits, exponent = Decimal(shortest).normalize().as_tuple()
    text_digits = "".join(map(str, digits))
    # Position of the decimal point relative to the first digit.
    point = len(text_digits) + int(exponent)
    prefix = "-" if sign else ""
    if 1e-3 <= abs(x) < 1e7:
        if point <= 0:
            return f"{prefix}0.{'0' * -point}{text_digits}"
        if point >= len(text_digits):
            return f"{prefix}{text_digits}{'0' * (point - len(text_digits))}.0"
        return f"{prefix}{text_digits[:point]}.{text_digits[point:]}"
    mantissa = text_digits[0] + "." + (text_digits[1:] or "0")
    return f"{prefix}{mantissa}E{point - 1}"


def java_local_datetime_str(value: dt.datetime) -> str:
    """Java's ``LocalDateTime.toString``: seconds omitted when zero, fractions in groups of 3."""
    text = f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value.hour:02d}:{value.minute:02d}"
    nanos = nanos_of(value)
    if value.second or nanos:
        text += f":{value.second:02d}" + _java_fraction(nanos)
    return text


def _java_fraction(nanos: int) -> str:
    if not nanos:
        return ""
    if nanos % 1_000_000 == 0:
        return f".{nanos // 1_000_000:03d}"
    if nanos % 1000 == 0:
        return f".{nanos // 1000:06d}"
    return f".{nanos:09d}"


def java_instant_str(value: dt.datetime) -> str:
    """Java's ``Instant.toString`` (how Flink prints a TIMESTAMP_LTZ): UTC, seconds always, 'Z'."""
    utc = value.astimezone(dt.UTC)
    text = f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}"
    return text + _java_fraction(nanos_of(value)) + "Z"


def time_str(value: dt.time, precision: int, pad: bool) -> str:
    """TIME as Flink prints it: ``pad`` keeps ``precision`` fraction digits (the print sink),
    otherwise trailing zeros go but one digit stays (CAST to STRING: ``10:20:00.0`` for TIME(3))."""
    text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    if precision:
        fraction = f"{value.microsecond:06d}".ljust(9, "0")[:precision]
        if not pad:
            fraction = fraction.rstrip("0") or "0"
        if fraction:
            text += "." + fraction
    return text


def interval_str(value: object, kind: str) -> str:
    """Flink's interval text: ``+1 02:03:04.500`` (day-time) and ``+1-02`` (year-month)."""
    if kind == "INTERVAL_YEAR_MONTH":
        count: Any = value  # an int of months
        months = int(count)
        sign = "-" if months < 0 else "+"
        years, rest = divmod(abs(months), 12)
        return f"{sign}{years}-{rest:02d}"
    assert isinstance(value, dt.timedelta)
    millis = value // dt.timedelta(milliseconds=1)
    sign = "-" if millis < 0 else "+"
    millis = abs(millis)
    days, millis = divmod(millis, 86_400_000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    seconds, millis = divmod(millis, 1000)
    return f"{sign}{days} {hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _round_to_float32(x: float) -> float:
    try:
        return struct.unpack("f", struct.pack("f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


# ---------------------------------------------------------------------------------------
# Casts
# ---------------------------------------------------------------------------------------


def can_cast_implicitly(source: DataType, target: DataType) -> bool:
    """Whether a value of ``source`` may be written to a column of ``target`` without CAST
    (Flink's rule for INSERT: same family, or a widening within numbers)."""
    s, t = source.kind, target.kind
    if s == "NULL":
        return True
    if s == t and s not in ("ARRAY",):
        if s in INTEGER_BITS or s in APPROXIMATE_KINDS or s in ("BOOLEAN", "DATE", "DECIMAL", "TIMESTAMP"):
            return True
    if source.is_character and target.is_character:
        return True
    if s in INTEGER_BITS and t in INTEGER_BITS:
        return INTEGER_BITS[s] <= INTEGER_BITS[t]
    if s in INTEGER_BITS and t in ("DECIMAL", "FLOAT", "DOUBLE"):
        return True
    if s == "DECIMAL" and t in ("FLOAT", "DOUBLE"):
        return True
    if s == "FLOAT" and t == "DOUBLE":
        return True
    if s == "DATE" and t == "TIMESTAMP":
        return True
    if s in ("TIME", "TIMESTAMP_LTZ", "INTERVAL_DAY_TIME", "INTERVAL_YEAR_MONTH") and s == t:
        return True
    if {s, t} == {"TIMESTAMP", "TIMESTAMP_LTZ"}:  # Flink converts in the session time zone
        return True
    if s in BINARY_KINDS and t in BINARY_KINDS:
        return True
    if s == "ROW" and t == "ROW":
        return len(source.fields or ()) == len(target.fields or ()) and all(
            can_cast_implicitly(a.dtype, b.dtype) for a, b in zip(source.fields or (), target.fields or ())
        )
    if s == "ARRAY" and t == "ARRAY":
        assert source.element is not None and target.element is not None
        return can_cast_implicitly(source.element, target.element)
    if s == "MAP" and t == "MAP":
        assert source.key and source.element and target.key and target.element
        return can_cast_implicitly(source.key, target.key) and can_cast_implicitly(source.element, target.element)
    if s == "MULTISET" and t == "MULTISET":
        assert source.element is not None and target.element is not None
        return can_cast_implicitly(source.element, target.element)
    return False


def can_cast_explicitly(source: DataType, target: DataType) -> bool:
    """Whether ``CAST(x AS target)`` is allowed for an ``x`` of ``source`` (Flink's table)."""
    if can_cast_implicitly(source, target):
        return True
    s, t = source.kind, target.kind
    if source.is_character or target.is_character:
        return s != "ARRAY" or target.is_character
    if source.is_numeric and target.is_numeric:
        return True
    if (s == "BOOLEAN" and target.is_numeric) or (source.is_numeric and t == "BOOLEAN"):
        return True
    if s in ("TIMESTAMP", "TIMESTAMP_LTZ") and t in ("DATE", "TIME", "TIMESTAMP", "TIMESTAMP_LTZ"):
        return True
    if s == "DATE" and t == "TIMESTAMP_LTZ":
        return True
    if s == "ROW" and t == "ROW":
        return len(source.fields or ()) == len(target.fields or ()) and all(
            can_cast_explicitly(a.dtype, b.dtype) for a, b in zip(source.fields or (), target.fields or ())
        )
    if s == "ARRAY" and t == "ARRAY":
        assert source.element is not None and target.element is not None  # an ARRAY type has its element's
        return can_cast_explicitly(source.element, target.element)
    return False


def cast_value(value: object, source: DataType, target: DataType) -> object:
    """Convert one value; raises :class:`ExecutionError` when the value cannot be converted
    (Flink fails the job then; TRY_CAST would give NULL)."""
    if value is None:
        return None
    t = target.kind
    if t in CHARACTER_KINDS:
        text = value if isinstance(value, str) else _cast_to_string(value, source)
        return fit_string(text, target)
    if t in INTEGER_BITS:
        return _cast_to_integer(value, source, target)
    if t in APPROXIMATE_KINDS:
        result = _cast_to_double(value, source, target)
        return _round_to_float32(result) if t == "FLOAT" else result
    if t == "DECIMAL":
        return fit_decimal(_cast_to_decimal(value, source, target), target)
    if t == "BOOLEAN":
        return _cast_to_boolean(value, source, target)
    if t == "DATE":
        return _cast_to_date(value, source, target)
    if t == "TIMESTAMP":
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = to_local(value)  # the session time zone
        return _cast_to_timestamp(value, source, target)
    if t == "TIMESTAMP_LTZ":
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return truncate_timestamp(value, target.precision if target.precision is not None else 6)
        local = _cast_to_timestamp(value, source, timestamp(target.precision if target.precision is not None else 6))
        return from_local(local)
    if t == "TIME":
        return _cast_to_time(value, source, target)
    if t in BINARY_KINDS:
        data = value.encode("utf-8") if isinstance(value, str) else value
        if not isinstance(data, (bytes, bytearray)):
            raise _cast_error(value, source, target)
        length = target.length or MAX_LENGTH
        data = bytes(data[:length])
        return data.ljust(length, b"\0") if t == "BINARY" else data
    if t == "ROW":
        if not isinstance(value, tuple) or source.kind != "ROW":
            raise _cast_error(value, source, target)
        return tuple(
            cast_value(v, a.dtype, b.dtype) for v, a, b in zip(value, source.fields or (), target.fields or ())
        )
    if t in ("INTERVAL_DAY_TIME", "INTERVAL_YEAR_MONTH") and source.kind == t:
        return value
    if t == "ARRAY":
        if not isinstance(value, list):
            raise _cast_error(value, source, target)
        element_source = source.element if source.kind == "ARRAY" and source.element else NULL
        assert target.element is not None
        return [cast_value(v, element_source, target.element) for v in value]
    if t == "MAP":
        if not isinstance(value, dict) or source.kind != "MAP":
            raise _cast_error(value, source, target)
        assert source.key and source.element and target.key and target.element
        return {
            cast_value(k, source.key, target.key): cast_value(v, source.element, target.element)
            for k, v in value.items()
        }
    if t == "MULTISET":
        if not isinstance(value, dict) or source.kind != "MULTISET":
            raise _cast_error(value, source, target)
        assert source.element and target.element
        return {cast_value(k, source.element, target.element): n for k, n in value.items()}
    if t == "NULL":
        return None
    raise _cast_error(value, source, target)


def fit_string(text: str, target: DataType) -> str:
    """CHAR(n) pads with spaces and truncates, VARCHAR(n) truncates (Flink's sink behaviour)."""
    length = target.length if target.length is not None else MAX_LENGTH
    if len(text) > length:
        text = text[:length]
    if target.kind == "CHAR" and len(text) < length:
        text = text.ljust(length)
    return text


def fit_decimal(value: Decimal | None, target: DataType) -> Decimal | None:
    """Round half-up to the target scale; a value too large for the precision becomes NULL,
    as Flink does."""
    if value is None:
        return None
    assert target.precision is not None and target.scale is not None
    quantum = Decimal(1).scaleb(-target.scale)
    try:
        rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None
    if len(rounded.as_tuple().digits) > target.precision and rounded != 0:
        digits_before_point = len(rounded.as_tuple().digits) + int(rounded.as_tuple().exponent)
        if digits_before_point > target.precision - target.scale:
            return None
    return rounded


def wrap_integer(value: int, kind: str) -> int:
    """Two's-complement wrap, as Java integer arithmetic overflows."""
    bits = INTEGER_BITS[kind]
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >= 1 << (bits - 1) else value


def _cast_to_string(value: object, source: DataType) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    kind = source.kind
    if kind in ("INTERVAL_DAY_TIME", "INTERVAL_YEAR_MONTH"):
        return interval_str(value, kind)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, dt.time):
        return time_str(value, source.precision or 0, pad=False)
    if isinstance(value, tuple):
        types = [f.dtype for f in source.fields] if source.kind == "ROW" and source.fields else [NULL] * len(value)
        return "(" + ", ".join("NULL" if v is None else _cast_to_string(v, t) for v, t in zip(value, types)) + ")"
    if isinstance(value, dict):
        key_type, value_type = _entry_types(source)
        key_type, value_type = key_type or NULL, value_type or NULL
        return (
            "{"
            + ", ".join(
                ("NULL" if k is None else _cast_to_string(k, key_type))
                + "="
                + ("NULL" if v is None else _cast_to_string(v, value_type))
                for k, v in value.items()
            )
            + "}"
        )
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return _sql_timestamp_str(to_local(value), source.precision)
    if isinstance(value, dt.datetime):
        return _sql_timestamp_str(value, source.precision if source.kind == "TIMESTAMP" else None)
    if isinstance(value, list):
        element = source.element if source.kind == "ARRAY" and source.element is not None else NULL
        return "[" + ", ".join("NULL" if v is None else _cast_to_string(v, element) for v in value) + "]"
    return format_value(value, source)


def sql_string(value: object, dtype: DataType) -> str:
    """``CAST(value AS STRING)``: how Flink's SQL client shows a non-NULL value in a table.
    Printing differs from CAST in one place, as in Flink's BinaryToStringCastRule: bytes show
    as ``x'6869'``, not as their UTF-8 text."""
    if isinstance(value, (bytes, bytearray)):
        return "x'" + bytes(value).hex() + "'"
    return value if isinstance(value, str) else _cast_to_string(value, dtype)


def _sql_timestamp_str(value: dt.datetime, precision: int | None) -> str:
    text = value.strftime("%Y-%m-%d %H:%M:%S")
    digits = precision if precision is not None else (6 if value.microsecond else 0)
    if digits:
        text += "." + f"{nanos_of(value):09d}"[:digits]
    return text


_INTEGER_RE = re.compile(r"^[+-]?\d+$")
_DECIMAL_TEXT_RE = re.compile(r"^[+-]?(?:\d+\.\d*|\.\d+)$")


def _cast_to_integer(value: object, source: DataType, target: DataType) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return wrap_integer(value, target.kind)
    if isinstance(value, float):
        if math.isnan(value):
            return 0
        # Java's (int)/(long) cast of a double saturates at the bounds; TINYINT and SMALLINT
        # go through int and then wrap, as Flink's generated code does.
        bits = 64 if target.kind == "BIGINT" else 32
        low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        number = high if value >= high else low if value <= low else int(value)
        return wrap_integer(number, target.kind)
    if isinstance(value, Decimal):
        return wrap_integer(int(value.to_integral_value(rounding=ROUND_DOWN)), target.kind)
    if isinstance(value, str):
        text = value.strip()
        # An integer type holds at most 19 digits; longer text cannot fit (and Python refuses to
        # convert more than 4,300 digits at all). '3.9' -> 3: Flink parses a decimal and truncates.
        if (_INTEGER_RE.match(text) or _DECIMAL_TEXT_RE.match(text)) and len(text.split(".")[0].lstrip("+-0")) <= 20:
            number = int(Decimal(text).to_integral_value(rounding=ROUND_DOWN))
            if number == wrap_integer(number, target.kind):
                return number
        raise _cast_error(value, source, target)
    raise _cast_error(value, source, target)


def _cast_to_double(value: object, source: DataType, target: DataType) -> float:
    if isinstance(value, (bool, int, float, Decimal)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            raise _cast_error(value, source, target) from None
    raise _cast_error(value, source, target)


def _cast_to_decimal(value: object, source: DataType, target: DataType) -> Decimal:
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise _cast_error(value, source, target)
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            raise _cast_error(value, source, target) from None
    raise _cast_error(value, source, target)


def _cast_to_boolean(value: object, source: DataType, target: DataType) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return value != 0
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "t", "yes", "y", "1"):
            return True
        if text in ("false", "f", "no", "n", "0"):
            return False
    raise _cast_error(value, source, target)


def _cast_to_date(value: object, source: DataType, target: DataType) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        parsed = parse_date(value)
        if parsed is not None:
            return parsed
    raise _cast_error(value, source, target)


def _cast_to_timestamp(value: object, source: DataType, target: DataType) -> dt.datetime:
    if isinstance(value, dt.datetime):
        result = value
    elif isinstance(value, dt.date):
        result = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        parsed = parse_timestamp(value)
        if parsed is None:
            raise _cast_error(value, source, target)
        result = parsed
    else:
        raise _cast_error(value, source, target)
    return truncate_timestamp(result, target.precision if target.precision is not None else 6)


def _cast_to_time(value: object, source: DataType, target: DataType) -> dt.time:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = to_local(value)
        result = value.time()
    elif isinstance(value, dt.time):
        result = value
    elif isinstance(value, str):
        parsed = parse_time(value)
        if parsed is None:
            raise _cast_error(value, source, target)
        result = parsed
    else:
        raise _cast_error(value, source, target)
    precision = min(target.precision or 0, 6)
    step = 10 ** (6 - precision)
    return result.replace(microsecond=result.microsecond // step * step)


def truncate_timestamp(value: dt.datetime, precision: int) -> dt.datetime:
    nanos = getattr(value, "nanos", 0)
    if precision >= 6:
        if not nanos or precision >= 9:
            return value
        step = 10 ** (9 - precision)
        return _nano_datetime(
            dt.datetime(*value.timetuple()[:6], value.microsecond, value.tzinfo), nanos // step * step
        )
    if nanos:
        value = dt.datetime(*value.timetuple()[:6], value.microsecond, value.tzinfo)
    step = 10 ** (6 - precision)
    return value.replace(microsecond=value.microsecond // step * step)


_DATE_RE = re.compile(r"^\s*(\d{1,4})-(\d{1,2})-(\d{1,2})\s*$")
_TIMESTAMP_RE = re.compile(
    r"^\s*(\d{1,4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?\s*$"
)


def parse_date(text: str) -> dt.date | None:
    match = _DATE_RE.match(text)
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def parse_timestamp(text: str) -> dt.datetime | None:
    match = _TIMESTAMP_RE.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction = match.groups()
    micros = int((fraction or "").ljust(6, "0")[:6]) if fraction else 0
    try:
        value = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micros)
    except ValueError:
        return None
    return with_fraction(value, fraction) if fraction and len(fraction) > 6 else value


class NanoDatetime(dt.datetime):
    """A TIMESTAMP(7..9) value: a datetime plus the nanoseconds below its microsecond.

    Python's datetime stops at microseconds; Flink keeps nine digits, so the extra three ride
    along here and print. Arithmetic (and ``replace``) gives microsecond resolution."""

    nanos: int = 0

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and getattr(other, "nanos", 0) == self.nanos

    def __hash__(self) -> int:
        return super().__hash__()

    def __reduce__(self) -> tuple[object, tuple[dt.datetime, int]]:
        return (_nano_datetime, (dt.datetime(*self.timetuple()[:6], self.microsecond, self.tzinfo), self.nanos))


def _nano_datetime(base: dt.datetime, nanos: int) -> dt.datetime:
    if not nanos:
        return base
    value = NanoDatetime(
        base.year, base.month, base.day, base.hour, base.minute, base.second, base.microsecond, base.tzinfo
    )
    value.nanos = nanos
    return value


def carry_nanos(result: dt.datetime, source: object) -> dt.datetime:
    """``result`` — ``source`` moved by whole microseconds (a zone change, an interval of seconds)
    — with ``source``'s nanoseconds below the microsecond, which Python's arithmetic drops."""
    nanos = getattr(source, "nanos", 0)
    return with_nanos(result, nanos) if nanos else result


def with_nanos(value: dt.datetime, nanos: int) -> dt.datetime:
    """``value`` (to the microsecond) with ``nanos`` (0..999) below its microsecond."""
    return _nano_datetime(dt.datetime(*value.timetuple()[:6], value.microsecond, value.tzinfo), nanos)


def nanos_of(value: dt.datetime | dt.time) -> int:
    """Nanoseconds of the second (0..999999999), including NanoDatetime's extra digits."""
    return value.microsecond * 1000 + getattr(value, "nanos", 0)


def with_fraction(value: dt.datetime, fraction: str) -> dt.datetime:
    """Set the fraction of a second from its digits as written (up to 9)."""
    digits = fraction.ljust(9, "0")[:9]
    base = value.replace(microsecond=int(digits[:6]))
    return _nano_datetime(base, int(digits[6:]))


_TIME_RE = re.compile(r"^\s*(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?\s*$")


def parse_time(text: str) -> dt.time | None:
    match = _TIME_RE.match(text)
    if not match:
        return None
    hour, minute, second, fraction = match.groups()
    try:
        return dt.time(int(hour), int(minute), int(second or 0), int((fraction or "0").ljust(6, "0")[:6]))
    except ValueError:
        return None


_INTERVAL_UNITS = ("YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND")
_DAY_TIME_SECONDS = {"DAY": 86400, "HOUR": 3600, "MINUTE": 60, "SECOND": 1}


def parse_interval(
    text: str, start: str, end: str | None, precisions: list[int]
) -> tuple[int | dt.timedelta, DataType]:
    """INTERVAL '<text>' <start> [TO <end>] -> (value, type): months (int) for YEAR/MONTH
    intervals, a timedelta for DAY..SECOND ones. Raises ValueError with Flink's complaint."""
    if start not in _INTERVAL_UNITS or (end is not None and end not in _INTERVAL_UNITS):
        raise ValueError(f"unknown interval unit in INTERVAL '{text}' {start}{' TO ' + end if end else ''}")
    body = text.strip()
    sign = 1
    if body[:1] in "+-" and body:
        sign, body = (-1 if body[0] == "-" else 1), body[1:].strip()
    qualifier = start + (f" TO {end}" if end else "")
    if start in ("YEAR", "MONTH"):
        if end not in (None, "MONTH") or (start == "MONTH" and end):
            raise ValueError(f"Illegal interval qualifier {qualifier}")
        match = re.fullmatch(r"(\d+)-(\d+)", body) if end else re.fullmatch(r"\d+", body)
        if match is None:
            raise ValueError(f"Illegal interval literal format '{text}' for INTERVAL {qualifier}")
        if end:
            years, months = int(match.group(1)), int(match.group(2))
            if months > 11:
                raise ValueError(f"Illegal interval literal '{text}' for INTERVAL {qualifier}: month out of range")
            total = years * 12 + months
        else:
            total = int(body) * (12 if start == "YEAR" else 1)
        return sign * total, interval_year_month(months_only=start == "MONTH" and end is None)
    units = list(_DAY_TIME_SECONDS)
    if end is not None and (end not in units or units.index(end) <= units.index(start)):
        raise ValueError(f"Illegal interval qualifier {qualifier}")
    wanted = units[units.index(start) : units.index(end) + 1] if end else [start]
    pattern = {"DAY": r"(\d+)", "HOUR": r"(\d+)", "MINUTE": r"(\d+)", "SECOND": r"(\d+(?:\.\d*)?)"}
    separators = {"HOUR": " ", "MINUTE": ":", "SECOND": ":"}
    regex = "".join((separators[u] if i else "") + pattern[u] for i, u in enumerate(wanted))
    match = re.fullmatch(regex, body)
    if match is None:
        raise ValueError(f"Illegal interval literal format '{text}' for INTERVAL {qualifier}")
    seconds = Decimal(0)
    for unit, value in zip(wanted, match.groups()):
        seconds += Decimal(value) * _DAY_TIME_SECONDS[unit]
    delta = dt.timedelta(seconds=float(seconds.quantize(Decimal("0.001"), rounding=ROUND_DOWN)))
    return sign * delta, interval_day_time(seconds_only=start == "SECOND" and end is None)


def timestamp_literal_precision(text: str) -> int:
    """TIMESTAMP '... 10:20:30.5' has precision 1: the number of fraction digits written."""
    match = _TIMESTAMP_RE.match(text)
    fraction = match.group(7) if match else None
    return len(fraction) if fraction else 0


def _cast_error(value: object, source: DataType, target: DataType) -> ExecutionError:
    shown = value if isinstance(value, str) else format_value(value, source)
    if isinstance(value, str):
        shown = "'" + shown.replace("'", "''") + "'"
    shown = shorten(shown)
    return ExecutionError(f"cannot cast {shown} of type {source.name()} to {target.name()}")


# ---------------------------------------------------------------------------------------
# Result types
# ---------------------------------------------------------------------------------------


def adjust_decimal(precision: int, scale: int) -> DataType:
    """Flink's rule for a DECIMAL result wider than 38 digits: keep the integer digits and at
    least min(scale, 6) fraction digits."""
    if precision <= MAX_DECIMAL_PRECISION:
        return decimal(precision, scale)
    integer_digits = precision - scale
    min_scale = min(scale, 6)
    scale = max(MAX_DECIMAL_PRECISION - integer_digits, min_scale)
    return decimal(MAX_DECIMAL_PRECISION, scale)


def as_decimal(dtype: DataType) -> DataType:
    if dtype.kind == "DECIMAL":
        return dtype
    return decimal(INTEGER_AS_DECIMAL_PRECISION[dtype.kind], 0)


def arithmetic_result_type(op: str, left: DataType, right: DataType) -> DataType | None:
    """The type of ``left op right`` for + - * / %, or None when the operands are not numeric."""
    if not (left.is_numeric or left.kind == "NULL") or not (right.is_numeric or right.kind == "NULL"):
        return None
    if op == "%" and {left.kind, right.kind} & {"FLOAT", "DOUBLE"}:
        return None  # (Flink 2.3) '<DOUBLE> % <INTEGER>' is refused: % and MOD take exact numbers only
    nullable = left.nullable or right.nullable
    if left.kind == "NULL" and right.kind == "NULL":
        return INT
    if left.kind == "NULL":
        return right.with_nullable(True)
    if right.kind == "NULL":
        return left.with_nullable(True)
    kinds = {left.kind, right.kind}
    if kinds == {"FLOAT", "DOUBLE"}:
        result = DataType(left.kind)  # (Flink 2.3) f + d is FLOAT, d + f is DOUBLE: the first wins
    elif "DOUBLE" in kinds or ("FLOAT" in kinds and "DECIMAL" in kinds):
        result = DOUBLE
    elif "FLOAT" in kinds:
        result = FLOAT
    elif "DECIMAL" in kinds:
        ld, rd = as_decimal(left), as_decimal(right)
        p1, s1, p2, s2 = ld.precision, ld.scale, rd.precision, rd.scale
        assert p1 is not None and s1 is not None and p2 is not None and s2 is not None
        if op in ("+", "-"):
            scale = max(s1, s2)
            result = adjust_decimal(max(p1 - s1, p2 - s2) + scale + 1, scale)
        elif op == "*":
            result = adjust_decimal(p1 + p2 + 1, s1 + s2)
        elif op == "/":
            scale = max(6, s1 + p2 + 1)
            result = adjust_decimal(p1 - s1 + s2 + scale, scale)
        else:
            scale = max(s1, s2)
            result = adjust_decimal(min(p1 - s1, p2 - s2) + scale, scale)
    else:
        result = max((left, right), key=lambda t: INTEGER_BITS[t.kind]).with_nullable(True)
        result = DataType(result.kind)
    # Division and modulo can fail (NULL on division by zero is not Flink's; it raises), but
    # the type stays as nullable as its operands.
    return result.with_nullable(nullable)


def common_type(types: list[DataType]) -> DataType | None:
    """The least restrictive type of several (CASE branches, IF, ARRAY[] elements, set operations,
    VALUES rows), as Flink's planner (Calcite) derives it; None when they do not mix. One rule for
    all of them, as Flink 2.3's DESCRIBE shows: character types meet as VARCHAR of the longest, and
    CHAR(n) stays only when every typed input is CHAR(n) (IF(c, 'a', 'b') is CHAR(1)); between FLOAT
    and DOUBLE the first one wins (CASE ... THEN f ELSE d END is FLOAT, with d first it is DOUBLE);
    DATE and TIMESTAMP do not mix (ts = DATE '...' is refused). ``merged_type`` differs in those two."""
    return _common_type(types, flink_merging=False)


def merged_type(types: list[DataType]) -> DataType | None:
    """The common type as Flink's own type inference merges it, for the functions it defines itself
    (COALESCE, IFNULL, GREATEST, LEAST): ``common_type``, except that FLOAT and DOUBLE meet as DOUBLE
    whatever their order (Flink 2.3: COALESCE(f, d) is DOUBLE, CASE of f then d is FLOAT) and DATE
    and TIMESTAMP meet as DATE (COALESCE(ts, d) is DATE: the time of day is dropped)."""
    return _common_type(types, flink_merging=True)


def common_row_type(types: list[DataType]) -> DataType | None:
    """The type of a column of VALUES rows or of set-operation inputs: the common type, where
    CHAR(n) stays only when every input is CHAR(n) (an untyped NULL among them makes it
    VARCHAR(n), as in Flink)."""
    common = _common_type(types)
    if common is not None and any(t.kind == "NULL" for t in types):
        return varying(common)
    return common


def varying(dtype: DataType) -> DataType:
    """CHAR(n) as VARCHAR(n), same nullability; any other type as it is."""
    if dtype.kind != "CHAR":
        return dtype
    return varchar(dtype.length or 1).with_nullable(dtype.nullable)


def _common_type(types: list[DataType], *, flink_merging: bool = False) -> DataType | None:
    concrete = [t for t in types if t.kind != "NULL"]
    nullable = any(t.nullable for t in types)
    if not concrete:
        return NULL
    first = concrete[0]
    if all(t is first for t in concrete):  # one type (ARRAY[ARRAY[...]]): no need to look inside it
        return first.with_nullable(nullable)
    if all(t.is_character for t in concrete):
        lengths = [t.length or 0 for t in concrete]
        if all(t.kind == "CHAR" for t in concrete) and len(set(lengths)) == 1:
            return char(lengths[0]).with_nullable(nullable)
        return varchar(max(lengths)).with_nullable(nullable)
    if all(t.is_numeric for t in concrete):
        result = concrete[0]
        for other in concrete[1:]:
            result = _common_numeric(result, other, flink_merging)
        return result.with_nullable(nullable)
    if all(t.kind == first.kind for t in concrete):
        if first.kind == "TIMESTAMP":
            return timestamp(max(t.precision or 0 for t in concrete)).with_nullable(nullable)
        if first.kind == "ARRAY":
            elements = [t.element for t in concrete if t.element is not None]
            element = _common_type(elements, flink_merging=flink_merging)
            return None if element is None else array(element).with_nullable(nullable)
        return first.with_nullable(nullable)
    if {t.kind for t in concrete} == {"DATE", "TIMESTAMP"} and flink_merging:
        return DATE.with_nullable(nullable)  # (Flink 2.3) COALESCE(ts, d) is DATE; CASE, =, IN refuse the mix
    return None


def _common_numeric(a: DataType, b: DataType, flink_merging: bool = False) -> DataType:
    kinds = {a.kind, b.kind}
    if kinds == {"FLOAT", "DOUBLE"} and not flink_merging:
        return DataType(a.kind)  # Calcite: two approximate types of one precision, the first wins
    if "DOUBLE" in kinds or ("FLOAT" in kinds and "DECIMAL" in kinds):
        return DOUBLE
    if "FLOAT" in kinds:
        return FLOAT
    if "DECIMAL" in kinds:
        da, db = as_decimal(a), as_decimal(b)
        assert da.scale is not None and db.scale is not None and da.precision is not None and db.precision is not None
        scale = max(da.scale, db.scale)
        integer_digits = max(da.precision - da.scale, db.precision - db.scale)
        return adjust_decimal(integer_digits + scale, scale)
    return a if INTEGER_BITS[a.kind] >= INTEGER_BITS[b.kind] else b


# ---------------------------------------------------------------------------------------
# Java HashMap order (Flink keeps MAP and MULTISET values in HashMaps)
# ---------------------------------------------------------------------------------------

_M32 = 0xFFFFFFFF


def _murmur_mix(h: int, k: int) -> int:
    k = (k * 0xCC9E2D51) & _M32
    k = ((k << 15) | (k >> 17)) & _M32
    h ^= (k * 0x1B873593) & _M32
    h = ((h << 13) | (h >> 19)) & _M32
    return (h * 5 + 0xE6546B64) & _M32


def flink_string_hash(text: str) -> int:
    """Flink's BinaryStringData.hashCode (MurmurHashUtil.hashBytes, seed 42, over UTF-8), unsigned."""
    data = text.encode("utf-8")
    h, aligned = 42, len(data) - len(data) % 4
    for i in range(0, aligned, 4):
        h = _murmur_mix(h, int.from_bytes(data[i : i + 4], "little"))
    for byte in data[aligned:]:  # each trailing byte mixed as a whole (signed) word, as Flink does
        h = _murmur_mix(h, (byte - 256 if byte > 127 else byte) & _M32)
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _M32
    return h ^ (h >> 16)


def java_hash_map_order(counts: dict, kind: str) -> dict:
    """The entries in the order Java's HashMap iterates them: Flink's COLLECT keeps its multiset
    in one, so it prints {20=1, 10=1} and {x=1, z=1, w=1, y=1}. Integer and string keys hash as
    Flink's do (Integer / Long.hashCode, BinaryStringData's murmur hash); other keys keep their
    first-seen order."""
    if kind not in ("TINYINT", "SMALLINT", "INT", "BIGINT", "CHAR", "VARCHAR") or not counts:
        return counts
    capacity = 16
    while len(counts) > capacity * 3 // 4:
        capacity *= 2

    def bucket(key: str | int) -> int:  # the kinds checked above
        if isinstance(key, str):
            h = flink_string_hash(key)
        elif kind == "BIGINT":
            h = (key ^ (key >> 32)) & _M32
        else:
            h = key & _M32
        return (h ^ (h >> 16)) & (capacity - 1)

    return {k: counts[k] for k in sorted(counts, key=bucket)}  # sorted() is stable: a bucket keeps insertion order
