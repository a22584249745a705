"""Scalar and aggregate functions: Flink's names, argument checks, result types and NULL rules.

Every scalar function is a :class:`Scalar`: a type rule, run once at plan time on the argument
types (it raises Calcite's "Cannot apply ..." message when they do not fit), and an
implementation called per row. Unless a function says otherwise, a NULL argument gives a NULL
result without calling it — NULL handling lives here, in one place.

Results checked against Flink 2.3 are in tests/test_language.py.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from . import types as T
from .errors import ExecutionError, QsqlTypeError
from .json_functions import JsonText, dumps
from .lazydataclass import lazy_dataclass
from .source import Span
from .timezone import to_local
from .types import DataType, flink_string_hash, java_hash_map_order  # noqa: F401 (re-exported)

TypeRule = Callable[[list[DataType], Span | None], DataType]


@lazy_dataclass(frozen=True)
class Scalar:
    name: str
    min_args: int
    max_args: int | None
    result_type: TypeRule
    implementation: Callable[..., object]
    null_propagating: bool = True  # False: the implementation sees NULLs itself


def cannot_apply(name: str, types: list[DataType], form: str, span: Span | None) -> QsqlTypeError:
    listed = ", ".join(f"<{t.calcite_name()}>" for t in types)
    return QsqlTypeError(
        f"Cannot apply '{name}' to arguments of type '{name}({listed})'. Supported form(s): '{form}'", span
    )


def _nullable(types: list[DataType]) -> bool:
    return any(t.nullable for t in types)


def _string_result(types: list[DataType], length: int | None = None) -> DataType:
    base = T.varchar(length) if length else T.STRING
    return base.with_nullable(_nullable(types))


def _require(
    name: str, form: str, check: Callable[[list[DataType]], bool]
) -> Callable[[list[DataType], Span | None], None]:
    def verify(types: list[DataType], span: Span | None) -> None:
        if not check(types):
            raise cannot_apply(name, types, form, span)

    return verify


def _is_char(t: DataType) -> bool:
    return t.is_character or t.kind == "NULL"


def _is_num(t: DataType) -> bool:
    return t.is_numeric or t.kind == "NULL"


def _is_int(t: DataType) -> bool:
    return t.is_integer or t.kind == "NULL"


# ----------------------------------------------------------------------- implementations


def _substring(text: str, start: int, length: int | None = None) -> str:
    if length is not None and length < 0:
        raise ExecutionError(f"SUBSTRING length must not be negative, got {length}")
    first = start - 1 if start > 0 else (0 if start == 0 else max(len(text) + start, 0))
    if start == 0 and length is not None:
        length -= 1  # SQL: position 0 is just before the first character
    end = len(text) if length is None else max(first + max(length, 0), first)
    return text[first:end]


def _java_replacement(replacement: str) -> str:
    """Java's $1 group references in a replacement string -> Python's \\g<1>."""
    out = re.sub(r"\\(.)", lambda m: m.group(1).replace("\\", "\\\\"), replacement.replace("\\\\", "\0"))
    out = re.sub(r"\$(\d+)", r"\\g<\1>", out)
    return out.replace("\0", "\\\\")


def _regexp_replace(text: str, pattern: str, replacement: str) -> str:
    try:
        return re.sub(pattern, _java_replacement(replacement), text)
    except re.error as error:
        raise ExecutionError(f"invalid regular expression '{pattern}': {error}") from None


def _regexp_extract(text: str, pattern: str, index: int = 1) -> str | None:
    try:
        match = re.search(pattern, text)
    except re.error as error:
        raise ExecutionError(f"invalid regular expression '{pattern}': {error}") from None
    if match is None or not 0 <= index <= match.re.groups:
        return None
    return match.group(index)


def _split_index(text: str, delimiter: str, index: int) -> str | None:
    if not text:
        return None  # Flink: SPLIT_INDEX of an empty string is NULL
    parts = text.split(delimiter) if delimiter else [text]
    return parts[index] if 0 <= index < len(parts) else None


def _trim(side: str) -> Callable[..., str]:
    def trim(text: str, chars: str = " ") -> str:
        if side == "both":
            return text.strip(chars)
        return text.lstrip(chars) if side == "left" else text.rstrip(chars)

    return trim


def _round(result: DataType) -> Callable[..., object]:
    def round_(value: object, digits: int = 0) -> object:
        if isinstance(value, Decimal):
            quantum = Decimal(1).scaleb(-digits)
            rounded = (
                value.quantize(quantum, rounding=ROUND_HALF_UP)
                if digits >= 0
                else (
                    (value / Decimal(10) ** -digits).quantize(Decimal(1), rounding=ROUND_HALF_UP)
                    * Decimal(10) ** -digits
                )
            )
            return T.fit_decimal(rounded, result) if result.kind == "DECIMAL" else rounded
        if isinstance(value, float):
            if math.isnan(value) or math.isinf(value):
                return value
            nearest = (
                float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))
                if digits >= 0
                else float(round(value, digits))
            )
            return T.cast_value(nearest, T.DOUBLE, result) if result.kind == "FLOAT" else nearest
        assert isinstance(value, int)
        if digits >= 0:
            return value
        step = 10**-digits
        return int((Decimal(value) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * step

    return round_


def _round_type(types: list[DataType], span: Span | None) -> DataType:
    value = types[0]
    if not _is_num(value) or (len(types) > 1 and not _is_int(types[1])):
        raise cannot_apply("ROUND", types, "ROUND(<NUMERIC>, <INTEGER>)", span)
    return value.with_nullable(_nullable(types))


def _round_decimal_type(types: list[DataType], digits: int | None) -> DataType:
    value = types[0]
    if value.kind != "DECIMAL":
        return value.with_nullable(_nullable(types))
    assert value.precision is not None and value.scale is not None
    scale = min(value.scale, max(digits or 0, 0))
    precision = min(value.precision - value.scale + scale + 1, T.MAX_DECIMAL_PRECISION)
    return T.decimal(precision, scale).with_nullable(_nullable(types))


def date_format(value: dt.datetime | dt.date, pattern: str) -> str:
    """Java DateTimeFormatter patterns, as Flink's DATE_FORMAT (see qsql/javatime.py)."""
    from .javatime import format_java

    return format_java(value, pattern)


def _date_format(value: object, pattern: str) -> str | None:
    if isinstance(value, str):
        parsed = T.parse_timestamp(value)
        if parsed is None:
            return None
        value = parsed
    assert isinstance(value, (dt.date, dt.datetime))
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = to_local(value)  # a TIMESTAMP_LTZ is shown in the session time zone
    return date_format(value, pattern)


def _coalesce(*values: object) -> object:
    return next((v for v in values if v is not None), None)


def _concat_ws(separator: object, *values: object) -> object:
    if separator is None:
        return None
    return str(separator).join(str(v) for v in values if v is not None)


def _if(condition: object, then: object, otherwise: object) -> object:
    return then if condition is True else otherwise


def _nullif(a: object, b: object) -> object:
    return None if a is not None and b is not None and a == b else a


def _mod(result: DataType) -> Callable[[object, object], object]:
    def mod(a: Any, b: Any) -> object:  # numbers of the types the planner checked
        if b == 0:
            raise ExecutionError("modulo by zero")
        if isinstance(a, int) and isinstance(b, int):
            quotient = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)
            return a - b * quotient
        return T.fit_decimal(Decimal(a) % Decimal(b), result)

    return mod


def _cardinality(value: list | dict) -> int:  # an ARRAY or a MAP
    return len(value)


# ----------------------------------------------------------------------- type rules


def _same_as_char(name: str) -> TypeRule:
    check = _require(name, f"{name}(<CHARACTER>)", lambda ts: len(ts) == 1 and _is_char(ts[0]))

    def rule(types: list[DataType], span: Span | None) -> DataType:
        check(types, span)
        if types[0].kind == "NULL":
            return T.STRING
        return types[0]  # (Flink 2.3) a change of case keeps the type: UPPER(CHAR(3)) is CHAR(3)

    return rule


def _chars(name: str, form: str, result: DataType | None = None) -> TypeRule:
    check = _require(name, form, lambda ts: all(_is_char(t) for t in ts))

    def rule(types: list[DataType], span: Span | None) -> DataType:
        check(types, span)
        return (result or T.STRING).with_nullable(_nullable(types))

    return rule


def _substring_type(types: list[DataType], span: Span | None) -> DataType:
    if not _is_char(types[0]) or not all(_is_int(t) for t in types[1:]):
        raise cannot_apply("SUBSTRING", types, "SUBSTRING(<CHARACTER> FROM <INTEGER> [FOR <INTEGER>])", span)
    # (Flink 2.3) VARCHAR of the input's length, nullable even when every argument is NOT NULL
    return _string_result(types, types[0].length if types[0].kind != "NULL" else None).with_nullable(True)


def _regexp_extract_type(types: list[DataType], span: Span | None) -> DataType:
    if not all(_is_char(t) for t in types[:2]) or (len(types) > 2 and not _is_int(types[2])):
        raise cannot_apply("REGEXP_EXTRACT", types, "REGEXP_EXTRACT(<CHARACTER>, <CHARACTER>[, <INTEGER>])", span)
    return T.STRING


def _split_index_type(types: list[DataType], span: Span | None) -> DataType:
    if not (_is_char(types[0]) and _is_char(types[1]) and _is_int(types[2])):
        raise cannot_apply("SPLIT_INDEX", types, "SPLIT_INDEX(<CHARACTER>, <CHARACTER>, <INTEGER>)", span)
    return T.STRING


def _common(name: str) -> TypeRule:
    def rule(types: list[DataType], span: Span | None) -> DataType:
        common = T.common_type(types)
        if common is None:
            raise QsqlTypeError(f"{name} arguments must have one common type, got " + ", ".join(map(str, types)), span)
        return common

    return rule


def _coalesce_type(types: list[DataType], span: Span | None) -> DataType:
    common = T.merged_type(types)  # Flink's own function: COALESCE(f, d) is DOUBLE
    if common is None:
        raise QsqlTypeError("COALESCE arguments must have one common type, got " + ", ".join(map(str, types)), span)
    return common.with_nullable(all(t.nullable for t in types))


_IF_VALUE_KINDS = frozenset({"BOOLEAN", "DATE", "TIME", "TIMESTAMP", "TIMESTAMP_LTZ", "BINARY", "VARBINARY", "NULL"})


def _if_type(types: list[DataType], span: Span | None) -> DataType:
    if types[0].kind not in ("BOOLEAN", "NULL"):
        raise cannot_apply("IF", types, "IF(<BOOLEAN>, <ANY>, <ANY>)", span)
    if not all(t.is_numeric or t.is_character or t.kind in _IF_VALUE_KINDS for t in types[1:]):
        # (Flink 2.3) an ARRAY, MAP, ROW or interval is refused: IF is Calcite's, for scalar values
        raise cannot_apply("IF", types, "IF(<ANY_TYPE>, <NUMERIC_TYPE>, <NUMERIC_TYPE>)", span)
    # (Flink 2.3) nullable when the condition is: IF(n > 0, 1, 2) is INT when n is nullable
    return _common("IF")(types[1:], span).with_nullable(_nullable(types))


def _nullif_type(types: list[DataType], span: Span | None) -> DataType:
    if T.common_type(types) is None:
        raise cannot_apply("NULLIF", types, "NULLIF(<T>, <T>)", span)
    return types[0].with_nullable(True)


def _abs_type(types: list[DataType], span: Span | None) -> DataType:
    if not _is_num(types[0]):
        raise cannot_apply("ABS", types, "ABS(<NUMERIC>)", span)
    return types[0]


def _mod_type(types: list[DataType], span: Span | None) -> DataType:
    result = T.arithmetic_result_type("%", types[0], types[1])
    if result is None:
        raise cannot_apply("MOD", types, "MOD(<EXACT_NUMERIC>, <EXACT_NUMERIC>)", span)
    return result


def _cardinality_type(types: list[DataType], span: Span | None) -> DataType:
    if types[0].kind not in ("ARRAY", "MAP"):
        raise cannot_apply("CARDINALITY", types, "CARDINALITY(<MULTISET>)", span)
    return T.INT.with_nullable(types[0].nullable)


def _date_format_type(types: list[DataType], span: Span | None) -> DataType:
    if (
        types[0].kind not in ("TIMESTAMP", "TIMESTAMP_LTZ", "NULL")
        and not types[0].is_character
        or not _is_char(types[1])
    ):
        raise cannot_apply("DATE_FORMAT", types, "DATE_FORMAT(<TIMESTAMP>, <CHARACTER>)", span)
    return T.STRING


def _char_length_type(name: str) -> TypeRule:
    check = _require(name, f"{name}(<CHARACTER>)", lambda ts: _is_char(ts[0]))

    def rule(types: list[DataType], span: Span | None) -> DataType:
        check(types, span)
        return T.INT.with_nullable(types[0].nullable)

    return rule


def _trim_type(name: str) -> TypeRule:
    check = _require(name, f"{name}(<CHARACTER>[, <CHARACTER>])", lambda ts: all(_is_char(t) for t in ts))

    def rule(types: list[DataType], span: Span | None) -> DataType:
        check(types, span)
        # (Flink 2.3) what may only get shorter is VARCHAR of the input's length: TRIM(CHAR(3)) is VARCHAR(3)
        return _string_result(types, types[0].length if types[0].kind != "NULL" else None)

    return rule


_SCALARS: list[Scalar] = [
    Scalar("UPPER", 1, 1, _same_as_char("UPPER"), str.upper),
    Scalar("LOWER", 1, 1, _same_as_char("LOWER"), str.lower),
    Scalar("INITCAP", 1, 1, _same_as_char("INITCAP"), lambda s: re.sub(r"\w+", lambda m: m.group(0).capitalize(), s)),
    Scalar("BTRIM", 1, 2, _trim_type("TRIM"), _trim("both")),
    Scalar("LTRIM", 1, 2, _trim_type("LTRIM"), _trim("left")),
    Scalar("RTRIM", 1, 2, _trim_type("RTRIM"), _trim("right")),
    Scalar("CHAR_LENGTH", 1, 1, _char_length_type("CHAR_LENGTH"), len),
    Scalar("CHARACTER_LENGTH", 1, 1, _char_length_type("CHARACTER_LENGTH"), len),
    Scalar("CONCAT", 1, None, _chars("CONCAT", "CONCAT(<CHARACTER>, ...)"), lambda *a: "".join(a)),
    Scalar(
        "CONCAT_WS",
        2,
        None,
        _chars("CONCAT_WS", "CONCAT_WS(<CHARACTER>, <CHARACTER>, ...)"),
        _concat_ws,
        null_propagating=False,
    ),
    Scalar("SUBSTRING", 2, 3, _substring_type, _substring),
    Scalar("SUBSTR", 2, 3, _substring_type, _substring),
    Scalar(
        "REPLACE",
        3,
        3,
        _chars("REPLACE", "REPLACE(<CHARACTER>, <CHARACTER>, <CHARACTER>)"),
        lambda s, a, b: s.replace(a, b),
    ),
    Scalar(
        "REGEXP_REPLACE",
        3,
        3,
        _chars("REGEXP_REPLACE", "REGEXP_REPLACE(<CHARACTER>, <CHARACTER>, <CHARACTER>)"),
        _regexp_replace,
    ),
    Scalar("REGEXP_EXTRACT", 2, 3, _regexp_extract_type, _regexp_extract),
    Scalar("SPLIT_INDEX", 3, 3, _split_index_type, _split_index),
    Scalar("COALESCE", 1, None, _coalesce_type, _coalesce, null_propagating=False),
    Scalar("IF", 3, 3, _if_type, _if, null_propagating=False),
    Scalar("NULLIF", 2, 2, _nullif_type, _nullif, null_propagating=False),
    Scalar("ABS", 1, 1, _abs_type, abs),
    Scalar("CARDINALITY", 1, 1, _cardinality_type, _cardinality),
    Scalar("DATE_FORMAT", 2, 2, _date_format_type, _date_format),
]
# The rest of Flink's library lives in function_library (it imports this module's helpers).
from .function_library import EXTRA_SCALARS, json_string_scalar, random_scalar, typed_truncate  # noqa: E402

SCALARS: dict[str, Scalar] = {s.name: s for s in _SCALARS + EXTRA_SCALARS}

# Functions whose implementation depends on the result type or holds state (built per call site).
# Functions whose value is one of their arguments, by the index of the first such argument: that
# value takes the result type (Flink 2.3: COALESCE(i, 2.5) of an INT i = 1 is 1.0, a DECIMAL(11, 1)).
RETURNS_AN_ARGUMENT = {"COALESCE": 0, "IFNULL": 0, "GREATEST": 0, "LEAST": 0, "IF": 1, "ELT": 1}

TYPED_SCALARS = {"ROUND", "MOD", "TRUNCATE", "RAND", "RAND_INTEGER", "JSON_STRING"}
AGGREGATES = frozenset(
    {
        "COUNT",
        "SUM",
        "AVG",
        "MIN",
        "MAX",
        "STDDEV_POP",
        "STDDEV_SAMP",
        "STDDEV",
        "VAR_POP",
        "VAR_SAMP",
        "VARIANCE",
        "LISTAGG",
        "FIRST_VALUE",
        "LAST_VALUE",
        "ARRAY_AGG",
        "COLLECT",
    }
)
# JSON_ARRAYAGG(... ABSENT ON NULL) and the like become these (Calcite's names, which Flink's
# messages show); users write JSON_ARRAYAGG / JSON_OBJECTAGG, listed with the syntax functions.
INTERNAL_AGGREGATES = frozenset(
    f"{f}_{n}_ON_NULL" for f in ("JSON_ARRAYAGG", "JSON_OBJECTAGG") for n in ("NULL", "ABSENT")
)
AGGREGATES = AGGREGATES | INTERNAL_AGGREGATES
# Functions with their own syntax (the grammar handles them) are known too, for did-you-mean and completion.
SYNTAX_FUNCTIONS = {
    "TRIM",
    "JSON_VALUE",
    "JSON_QUERY",
    "JSON_EXISTS",
    "JSON_OBJECT",
    "JSON_ARRAY",
    "TIMESTAMPADD",
    "TIMESTAMPDIFF",
    "EXTRACT",
    "SUBSTRING",
    "JSON_ARRAYAGG",
    "JSON_OBJECTAGG",
    "NOW",
    "CURRENT_ROW_TIMESTAMP",
}
KNOWN_FUNCTIONS = sorted(set(SCALARS) | TYPED_SCALARS | (AGGREGATES - INTERNAL_AGGREGATES) | SYNTAX_FUNCTIONS)
# JSON_ARRAYAGG / JSON_OBJECTAGG return at most this many characters' type, as in Flink 2.3.
JSON_AGG_TYPE = T.varchar(2000).with_nullable(False)


def typed_scalar(name: str, types: list[DataType], literal_args: list[object], span: Span | None) -> Scalar:
    """ROUND, MOD, TRUNCATE: the implementation needs the result type; RAND, RAND_INTEGER: each
    call site has its own generator. So they are made per call."""
    if name == "TRUNCATE":
        return typed_truncate(types, literal_args, span)
    if name == "JSON_STRING":
        if len(types) != 1:
            raise QsqlTypeError(f"JSON_STRING takes 1 argument(s), got {len(types)}", span)
        return json_string_scalar(types, span)
    if name in ("RAND", "RAND_INTEGER"):
        return random_scalar(name, types, literal_args, span)
    if name == "ROUND":
        _round_type(types, span)
        digits = literal_args[1] if len(literal_args) > 1 and isinstance(literal_args[1], int) else 0
        result = _round_decimal_type(types, digits)
        return Scalar("ROUND", 1, 2, lambda ts, sp: result, _round(result))
    result = _mod_type(types, span)
    return Scalar("MOD", 2, 2, lambda ts, sp: result, _mod(result))


# ----------------------------------------------------------------------- aggregates


_VARIANCE = {"STDDEV_POP", "STDDEV_SAMP", "STDDEV", "VAR_POP", "VAR_SAMP", "VARIANCE"}


def aggregate_result_type(name: str, types: list[DataType], span: Span | None) -> DataType:
    if name == "COUNT":
        return T.BIGINT.with_nullable(False)
    if name.startswith("JSON_OBJECTAGG"):
        key, value = types
        if not _is_char(key):
            raise cannot_apply(name, types, f"{name}(<CHARACTER>, <ANY>)", span)
        check_json_convertible(value, span)
        return JSON_AGG_TYPE
    (arg,) = types
    if name.startswith("JSON_ARRAYAGG"):
        check_json_convertible(arg, span)
        return JSON_AGG_TYPE
    if name == "COLLECT":
        return T.multiset(arg).with_nullable(False)
    if name in ("FIRST_VALUE", "LAST_VALUE"):
        return arg.with_nullable(True)
    if name == "ARRAY_AGG":
        # (Flink 2.3) nullable as its argument is; over no rows it is NULL even for a NOT NULL
        # argument (where Flink fails writing that NULL into its NOT NULL column)
        return T.array(arg).with_nullable(arg.nullable)
    if name == "LISTAGG":
        if not _is_char(arg):
            raise cannot_apply(name, types, "LISTAGG(<CHARACTER>[, <CHARACTER>])", span)
        # (Flink 2.3) the argument's type, length and nullability: LISTAGG(<VARCHAR(10)>) is
        # VARCHAR(10) though its values may be longer (Flink never cuts them), as DESCRIBE shows
        return arg if arg.kind != "NULL" else T.STRING
    if name in _VARIANCE:
        if not arg.is_numeric:
            raise cannot_apply(name, types, f"{name}(<NUMERIC>)", span)
        if arg.kind == "DECIMAL":
            return T.decimal(T.MAX_DECIMAL_PRECISION, 6)
        return arg.with_nullable(True)
    if name in ("MIN", "MAX"):
        if arg.kind in ("ARRAY", "MAP"):
            raise cannot_apply(name, types, f"{name}(<COMPARABLE_TYPE>)", span)
        return arg.with_nullable(True)
    if not arg.is_numeric:
        raise cannot_apply(name, types, f"{name}(<NUMERIC>)", span)
    if arg.kind == "DECIMAL":
        assert arg.scale is not None
        scale = arg.scale if name == "SUM" else max(6, arg.scale)
        return T.decimal(T.MAX_DECIMAL_PRECISION, scale)
    return arg.with_nullable(True)


def check_json_convertible(dtype: DataType, span: Span | None) -> None:
    """Flink's refusal of values JSON cannot hold (JSON_STRING, JSON_OBJECT, JSON_ARRAY)."""
    if dtype.kind in (
        "DATE",
        "TIME",
        "TIMESTAMP_LTZ",
        "BINARY",
        "VARBINARY",
        "INTERVAL_DAY_TIME",
        "INTERVAL_YEAR_MONTH",
    ):
        raise QsqlTypeError(f"Type '{dtype}' is not scalar or cannot be converted into JSON.", span)


def _variance_of(kind: str, total: Any, squares: Any, count: int, sample: bool) -> int | float | Decimal | None:
    """Calcite's reduction: (SUM(x*x) - SUM(x)*SUM(x)/COUNT) / (COUNT [- 1]) in x's type, so an
    INT column gives an INT variance (integer division), as Flink prints it."""
    divisor = count - 1 if sample else count
    if divisor <= 0:
        return None
    if kind in T.INTEGER_BITS:

        def div(a: int, b: int) -> int:
            quotient = abs(a) // abs(b)
            return quotient if (a >= 0) == (b >= 0) else -quotient

        return div(squares - div(total * total, count), divisor)
    if kind == "DECIMAL":
        return (Decimal(squares) - Decimal(total) * Decimal(total) / count) / divisor
    return (float(squares) - float(total) * float(total) / count) / divisor


class Accumulator:
    """One aggregate for one group; ``add`` per row, ``result`` at the end."""

    def __init__(self, name: str, result_type: DataType, distinct: bool, separator: str = ",") -> None:
        self.name = name
        self.separator = separator  # LISTAGG's; Flink's default is ','
        self.result_type = result_type
        self.seen: set | None = set() if distinct else None
        self.count = 0
        # The running value, of the argument's SQL type (the planner checked it): a number for
        # SUM/AVG/variance, any orderable value for MIN/MAX, any value for FIRST/LAST_VALUE.
        self.total: Any = None
        self.squares: Any = None  # variance: the sum of squares beside the sum
        self.parts: list[Any] = []  # LISTAGG's strings, ARRAY_AGG's values

    def add(self, value: object) -> None:
        if self.name == "ARRAY_AGG":  # keeps NULLs, as Flink's ARRAY_AGG
            self.parts.append(value)
            return
        if self.name.startswith("JSON_"):
            self._add_json(value)
            return
        if value is None:
            return
        if self.seen is not None:
            key = tuple(value) if isinstance(value, list) else value
            if key in self.seen:
                return
            self.seen.add(key)
        self.count += 1
        name = self.name
        if name == "COUNT":
            return
        if name == "LISTAGG":
            self.parts.append(value)
            return
        if name == "COLLECT":
            counts = self.total if isinstance(self.total, dict) else {}
            key = tuple(value) if isinstance(value, list) else value
            counts[key] = counts.get(key, 0) + 1
            self.total = counts
            return
        if name in ("FIRST_VALUE", "LAST_VALUE"):  # NULLs are skipped, as in Flink
            if self.total is None or name == "LAST_VALUE":
                self.total = value
            return
        if name in _VARIANCE:
            number: Any = Decimal(value) if isinstance(value, Decimal) else value
            self.total = number if self.total is None else self.total + number
            square = number * number
            self.squares = square if self.squares is None else self.squares + square
            return
        if self.total is None:
            self.total = value
        elif name in ("SUM", "AVG"):
            self.total = self.total + value
        elif name == "MIN":
            if value < self.total:
                self.total = value
        elif value > self.total:
            self.total = value

    def _add_json(self, value: Any) -> None:
        """JSON_ARRAYAGG / JSON_OBJECTAGG: the planner hands over JSON-ready values (and for
        JSON_OBJECTAGG a (key, value) pair)."""
        absent = "_ABSENT_ON_NULL" in self.name
        if self.name.startswith("JSON_ARRAYAGG"):
            if value is None and absent:
                return
            self.parts.append(value)
            return
        key, member = value
        if key is None:  # Flink 2.3 fails the job with a NullPointerException here
            raise ExecutionError("JSON_OBJECTAGG got a NULL key")
        if member is None and absent:
            return
        members = self.total if isinstance(self.total, dict) else {}
        if key in members:
            raise ExecutionError(
                f"Key '{key}' is already present. Duplicate keys are not allowed in JSON_OBJECTAGG. "
                "Please ensure that keys are unique."
            )
        members[key] = member
        self.total = members

    def _variance(self) -> object:
        if self.total is None:
            return None
        kind = self.result_type.kind
        sample = self.name in ("STDDEV_SAMP", "STDDEV", "VAR_SAMP", "VARIANCE")
        variance = _variance_of(kind, self.total, self.squares, self.count, sample)
        if variance is None:
            return None
        if self.name.startswith("STDDEV"):
            root = math.sqrt(max(float(variance), 0.0))
            if kind in T.INTEGER_BITS:
                return int(root)
            if kind == "DECIMAL":
                return T.fit_decimal(Decimal(repr(root)), self.result_type)
            return T.cast_value(root, T.DOUBLE, self.result_type) if kind == "FLOAT" else root
        if kind == "DECIMAL":
            return T.fit_decimal(cast(Decimal, variance), self.result_type)
        if kind == "FLOAT":
            return T.cast_value(variance, T.DOUBLE, self.result_type)
        return variance

    def add_row(self) -> None:
        """COUNT(*): every row counts, NULLs included."""
        self.count += 1

    def result(self) -> object:
        if self.name == "COUNT":
            return self.count
        if self.name == "LISTAGG":
            if self.parts:
                return self.separator.join(self.parts)
            # (Flink 2.3) no rows: NULL, or '' when the argument is NOT NULL (its type is then NOT NULL)
            return None if self.result_type.nullable else ""
        if self.name == "ARRAY_AGG":
            return list(self.parts) if self.parts else None
        if self.name.startswith("JSON_ARRAYAGG"):
            return JsonText(dumps(self.parts))
        if self.name.startswith("JSON_OBJECTAGG"):
            members = self.total if isinstance(self.total, dict) else {}
            return JsonText(dumps(dict(sorted(members.items()))))  # key order, as Flink 2.3 writes it
        if self.name == "COLLECT":  # an empty group gives an empty multiset, not NULL
            counts = self.total if isinstance(self.total, dict) else {}
            assert self.result_type.element is not None
            return java_hash_map_order(counts, self.result_type.element.kind)
        if self.name in _VARIANCE:
            return self._variance()
        if self.total is None:
            return None
        kind = self.result_type.kind
        if self.name == "AVG":
            if kind in T.INTEGER_BITS:
                quotient = abs(self.total) // self.count
                return quotient if self.total >= 0 else -quotient
            if kind == "DECIMAL":
                return T.fit_decimal(Decimal(self.total) / self.count, self.result_type)
            return float(self.total) / self.count
        if self.name == "SUM":
            if kind in T.INTEGER_BITS:
                return T.wrap_integer(self.total, kind)
            if kind == "DECIMAL":
                return T.fit_decimal(Decimal(self.total), self.result_type)
            if kind == "FLOAT":
                return T.cast_value(self.total, T.DOUBLE, self.result_type)
        return self.total
