"""The rest of Flink's built-in scalar functions that fit batch mode: math, strings, time
conversion and JSON_STRING, with Flink's names, result types and NULL rules.

Each entry is a :class:`~qsql.functions.Scalar`; functions.py merges them into its table.
Results and types were checked against Flink 2.3 (tests/test_functions.py says which).
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import time
import urllib.parse
from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, Decimal
from typing import cast

from . import types as T
from .errors import ExecutionError
from .functions import Scalar, TypeRule, _is_char, _is_int, _is_num, _nullable, cannot_apply
from .javatime import format_java, parse_java
from .source import Span
from .timezone import from_local, to_local
from .types import DataType

# ----------------------------------------------------------------------- type rules


def _double(name: str, arity: int | tuple[int, ...] = 1) -> TypeRule:
    counts = (arity,) if isinstance(arity, int) else arity
    form = f"{name}(" + ", ".join(["<NUMERIC>"] * counts[0]) + ")"

    def rule(types: list[DataType], span: Span | None) -> DataType:
        if len(types) not in counts or not all(_is_num(t) for t in types):
            raise cannot_apply(name, types, form, span)
        return T.DOUBLE.with_nullable(_nullable(types))

    return rule


def _same_numeric(name: str) -> TypeRule:
    def rule(types: list[DataType], span: Span | None) -> DataType:
        if not _is_num(types[0]):
            raise cannot_apply(name, types, f"{name}(<NUMERIC>)", span)
        return types[0] if types[0].kind != "NULL" else T.INT

    return rule


def _floor_ceil_type(name: str) -> TypeRule:
    def rule(types: list[DataType], span: Span | None) -> DataType:
        (arg,) = types
        if arg.kind in ("DATE", "TIMESTAMP", "TIMESTAMP_LTZ", "TIME"):
            return arg
        if not _is_num(arg):
            raise cannot_apply(name, types, f"{name}(<NUMERIC>)", span)
        if arg.kind == "DECIMAL":
            assert arg.precision is not None
            return T.decimal(arg.precision, 0).with_nullable(arg.nullable)
        return arg if arg.kind != "NULL" else T.INT

    return rule


def _fixed(
    result: DataType, name: str, check: Callable[[list[DataType]], bool], form: str, nullable: bool | None = None
) -> TypeRule:
    """A fixed result type; nullable when an argument is (or as ``nullable`` says)."""

    def rule(types: list[DataType], span: Span | None) -> DataType:
        if not check(types):
            raise cannot_apply(name, types, form, span)
        return result.with_nullable(_nullable(types) if nullable is None else nullable)

    return rule


def _overlay_type(types: list[DataType], span: Span | None) -> DataType:
    if not _chars_ints("c", "c", "i", "i")(types):
        form = "OVERLAY(<CHARACTER> PLACING <CHARACTER> FROM <INTEGER> [FOR <INTEGER>])"
        raise cannot_apply("OVERLAY", types, form, span)
    # (Flink 2.3) VARCHAR of both lengths: OVERLAY(<VARCHAR(10)> PLACING 'xy' ...) is VARCHAR(12)
    lengths = [t.length or T.MAX_LENGTH if t.is_character else T.MAX_LENGTH for t in types[:2]]
    return T.varchar(min(sum(lengths), T.MAX_LENGTH)).with_nullable(_nullable(types))


def _greatest_type(name: str) -> TypeRule:
    def rule(types: list[DataType], span: Span | None) -> DataType:
        common = T.merged_type(types)  # Flink's own function: GREATEST(f, d) is DOUBLE
        if common is None:
            raise cannot_apply(name, types, f"{name}(<COMPARABLE_TYPE>, <COMPARABLE_TYPE>, ...)", span)
        return common.with_nullable(_nullable(types))

    return rule


def _left_right_type(name: str) -> TypeRule:
    def rule(types: list[DataType], span: Span | None) -> DataType:
        if not (_is_char(types[0]) and _is_int(types[1])):
            raise cannot_apply(name, types, f"{name}(<CHARACTER>, <INTEGER>)", span)
        length = types[0].length if types[0].is_character else T.MAX_LENGTH
        return T.varchar(length or 1)  # Flink: VARCHAR(n) of the input, always nullable

    return rule


def _chars_ints(*families: str) -> Callable[[list[DataType]], bool]:
    def check(types: list[DataType]) -> bool:
        return all((_is_char(t) if f == "c" else _is_int(t)) for t, f in zip(types, families))

    return check


def _temporal_or_string(t: DataType) -> bool:
    return t.kind in ("TIMESTAMP", "TIMESTAMP_LTZ", "NULL") or t.is_character


# ----------------------------------------------------------------------- implementations


def _java_log(value: float) -> float:
    if value < 0 or math.isnan(value):
        return math.nan
    if value == 0:
        return -math.inf
    return math.log(value)


def _log(*args: T.Number) -> float:
    if len(args) == 1:
        return _java_log(float(args[0]))
    base, value = float(args[0]), float(args[1])
    return _java_log(value) / _java_log(base)


def _sqrt(value: T.Number) -> float:
    number = float(value)
    return math.nan if number < 0 else math.sqrt(number)


def _power(base: T.Number, exponent: T.Number) -> float:
    try:
        return math.pow(float(base), float(exponent))
    except (ValueError, ZeroDivisionError):
        return math.nan if float(base) < 0 else math.inf
    except OverflowError:
        return math.inf


def _exp(value: T.Number) -> float:
    try:
        return math.exp(float(value))
    except OverflowError:
        return math.inf


def _sign(value: T.Number) -> T.Number:
    if isinstance(value, Decimal):
        exponent = cast(int, value.as_tuple().exponent)  # an int: a SQL DECIMAL is finite
        return Decimal(0 if value == 0 else (1 if value > 0 else -1)).quantize(Decimal(1).scaleb(exponent))
    if isinstance(value, float):
        return value if value == 0 or math.isnan(value) else math.copysign(1.0, value)
    return (value > 0) - (value < 0)


def _rounding(mode: str) -> Callable[[object], object]:
    decimal_mode = ROUND_FLOOR if mode == "floor" else ROUND_CEILING
    python = math.floor if mode == "floor" else math.ceil

    def apply(value: object) -> object:
        if isinstance(value, Decimal):
            return value.to_integral_value(rounding=decimal_mode)
        if isinstance(value, float):
            return value if math.isnan(value) or math.isinf(value) else float(python(value))
        return value

    return apply


def _truncate(result: DataType) -> Callable[..., object]:
    def truncate(value: object, digits: int = 0) -> object:
        if isinstance(value, Decimal):
            truncated = (
                value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_DOWN)
                if digits >= 0
                else (value.scaleb(digits).to_integral_value(rounding=ROUND_DOWN)).scaleb(-digits)
            )
            return T.fit_decimal(truncated, result) if result.kind == "DECIMAL" else truncated
        if isinstance(value, float):
            if math.isnan(value) or math.isinf(value):
                return value
            factor = 10.0**digits
            return math.trunc(value * factor) / factor
        assert isinstance(value, int)
        if digits >= 0:
            return value
        step = 10**-digits
        return int(value / step) * step if value >= 0 else -(-value // step) * step

    return truncate


def truncate_type(types: list[DataType], span: Span | None, digits: int) -> DataType:
    value = types[0]
    if not _is_num(value) or (len(types) > 1 and not _is_int(types[1])):
        raise cannot_apply("TRUNCATE", types, "TRUNCATE(<NUMERIC>, <INTEGER>)", span)
    if value.kind != "DECIMAL":
        return value.with_nullable(_nullable(types))
    assert value.precision is not None and value.scale is not None
    scale = min(value.scale, max(digits, 0))
    precision = min(value.precision - value.scale + scale + 1, T.MAX_DECIMAL_PRECISION)
    return T.decimal(precision, scale).with_nullable(_nullable(types))


def typed_truncate(types: list[DataType], literal_args: list[object], span: Span | None) -> Scalar:
    digits = literal_args[1] if len(literal_args) > 1 and isinstance(literal_args[1], int) else 0
    result = truncate_type(types, span, digits)
    return Scalar("TRUNCATE", 1, 2, lambda ts, sp: result, _truncate(result))


class JavaRandom:
    """java.util.Random, so RAND(42) gives Flink's numbers (0.7275636800328681 first)."""

    _MULTIPLIER = 0x5DEECE66D
    _MASK = (1 << 48) - 1

    def __init__(self, seed: int | None = None) -> None:
        if seed is None:
            seed = time.time_ns()
        self.seed = (seed ^ self._MULTIPLIER) & self._MASK

    def _next(self, bits: int) -> int:
        self.seed = (self.seed * self._MULTIPLIER + 0xB) & self._MASK
        value = self.seed >> (48 - bits)
        return value - (1 << 32) if value >= 1 << 31 else value  # Java's (int) cast

    def next_double(self) -> float:
        return ((self._next(26) << 27) + self._next(27)) * (1.0 / (1 << 53))

    def next_int(self, bound: int) -> int:
        if bound <= 0:
            raise ExecutionError(f"bound must be positive, got {bound}")
        if bound & -bound == bound:
            return (bound * (self._next(31) & 0x7FFFFFFF)) >> 31
        while True:
            bits = self._next(31) & 0x7FFFFFFF
            value = bits % bound
            if bits - value + (bound - 1) < 1 << 31:
                return value


def random_scalar(name: str, types: list[DataType], literal_args: list[object], span: Span | None) -> Scalar:
    """RAND([seed]) and RAND_INTEGER([seed,] bound): one generator per call site, seeded once,
    as Flink does, so RAND(42) repeats Flink's sequence row by row."""
    if name == "RAND":
        if len(types) > 1 or not all(_is_int(t) for t in types):
            raise cannot_apply(name, types, "RAND([<INTEGER>])", span)
        generator = JavaRandom(literal_args[0] if types and isinstance(literal_args[0], int) else None)
        return Scalar(
            name,
            0,
            1,
            lambda ts, sp: T.DOUBLE.with_nullable(False),
            lambda *args: generator.next_double(),
            null_propagating=False,
        )
    if not 1 <= len(types) <= 2 or not all(_is_int(t) for t in types):
        raise cannot_apply(name, types, "RAND_INTEGER([<INTEGER>,] <INTEGER>)", span)
    seeded = len(types) == 2
    generator = JavaRandom(literal_args[0] if seeded and isinstance(literal_args[0], int) else None)
    return Scalar(
        name,
        1,
        2,
        lambda ts, sp: T.INT.with_nullable(False),
        lambda *args: generator.next_int(args[-1]),
        null_propagating=True,
    )


def _greatest(pick: Callable) -> Callable[..., object]:
    def choose(*values: object) -> object:
        return pick(values)

    return choose


def _pad(left: bool) -> Callable[[str, int, str], str | None]:
    def pad(text: str, length: int, filler: str) -> str | None:
        if length < 0 or (not filler and len(text) < length):
            return None if length < 0 or not filler else text
        if len(text) >= length:
            return text[:length]
        needed = length - len(text)
        padding = (filler * (needed // len(filler) + 1))[:needed]
        return padding + text if left else text + padding

    return pad


def _locate(needle: str, haystack: str, start: int = 1) -> int:
    if start < 1:
        return 0
    return haystack.find(needle, start - 1) + 1


def _position(needle: str, haystack: str) -> int:
    return haystack.find(needle) + 1


def _repeat(text: str, times: int) -> str:
    return text * max(times, 0)


def _left(text: str, count: int) -> str:
    return text[: max(count, 0)]


def _right(text: str, count: int) -> str:
    return text[len(text) - count :] if 0 < count < len(text) else (text if count >= len(text) else "")


def _to_date(text: str, pattern: str | None = None) -> dt.date | None:
    if pattern is None:
        return T.parse_date(text)
    parsed = parse_java(text, pattern)
    return parsed.date() if parsed else None


def _to_timestamp(text: str, pattern: str | None = None) -> dt.datetime | None:
    parsed = T.parse_timestamp(text) if pattern is None else parse_java(text, pattern)
    return T.truncate_timestamp(parsed, 3) if parsed is not None else None


def _unix_timestamp(*args: object) -> int | None:
    if not args:
        return int(time.time())
    text = str(args[0])
    parsed = T.parse_timestamp(text) if len(args) == 1 else parse_java(text, str(args[1]))
    if parsed is None:
        return None
    return int(from_local(parsed).timestamp())  # the session time zone, as in Flink


def _from_unixtime(seconds: int, pattern: str = "yyyy-MM-dd HH:mm:ss") -> str:
    return format_java(to_local(dt.datetime.fromtimestamp(seconds, dt.UTC)), pattern)


def _to_timestamp_ltz_type(types: list[DataType], span: Span | None) -> DataType:
    if not (_is_num(types[0]) and (len(types) < 2 or _is_int(types[1]))):
        raise cannot_apply("TO_TIMESTAMP_LTZ", types, "TO_TIMESTAMP_LTZ(<NUMERIC>, <INTEGER>)", span)
    return T.timestamp_ltz(3).with_nullable(_nullable(types))


def _to_timestamp_ltz(epoch: object, precision: int = 3) -> dt.datetime:
    """Epoch seconds (precision 0) or milliseconds (precision 3) -> an instant."""
    if precision not in (0, 3):
        raise ExecutionError(f"TO_TIMESTAMP_LTZ precision must be 0 or 3, got {precision}")
    millis = Decimal(str(epoch)) * (1000 if precision == 0 else 1)
    base = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return base + dt.timedelta(milliseconds=int(millis))


def json_string_scalar(types: list[DataType], span: Span | None) -> Scalar:
    """JSON_STRING(v): the value as JSON text (a ROW as an object of its field names)."""
    from .json_functions import dumps, to_json

    (dtype,) = types
    return Scalar(
        "JSON_STRING",
        1,
        1,
        lambda ts, sp: T.STRING.with_nullable(dtype.nullable),
        lambda value: dumps(to_json(value, dtype)),
    )


def _ascii(text: str) -> int | None:
    return ord(text[0]) if text else 0


def _chr(code: int) -> str | None:
    return chr(code % 256) if code >= 0 else None


def _hex(value: str | bytes | int) -> str:
    if isinstance(value, str):
        return value.encode("utf-8").hex().upper()
    if isinstance(value, bytes):
        return value.hex().upper()
    return format(int(value) & 0xFFFFFFFFFFFFFFFF, "X")


def _bin(value: int) -> str:
    return format(value & 0xFFFFFFFFFFFFFFFF, "b")


def _from_base64(text: str) -> str | None:
    try:
        return base64.b64decode(text).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def _hash(algorithm: str) -> Callable[[str], str]:
    def digest(text: str) -> str:
        import hashlib  # imported on first use: most statements hash nothing (start-up)

        return hashlib.new(algorithm, text.encode("utf-8")).hexdigest()

    return digest


def _overlay(text: str, placing: str, start: int, length: int | None = None) -> str:
    count = len(placing) if length is None else length
    return text[: start - 1] + placing + text[start - 1 + count :]


def _translate(text: str, source: str, target: str) -> str:
    table = {ord(c): (target[i] if i < len(target) else None) for i, c in enumerate(source)}
    return text.translate(table)


def _str_to_map(text: str, pair_sep: str = ",", kv_sep: str = "=") -> dict:
    result: dict[str, str | None] = {}
    for pair in text.split(pair_sep):
        key, sep, value = pair.partition(kv_sep)
        result[key] = value if sep else None
    return result


def _ifnull_type(types: list[DataType], span: Span | None) -> DataType:
    common = T.merged_type(types)  # Flink's own function: IFNULL(f, d) is DOUBLE
    if common is None:
        raise cannot_apply("IFNULL", types, "IFNULL(<T>, <T>)", span)
    return common.with_nullable(types[0].nullable and types[1].nullable)


def _char_nullable_string(name: str, form: str, check: Callable[[list[DataType]], bool]) -> TypeRule:
    return _fixed(T.STRING, name, check, form)


_STRING_2 = _chars_ints("c", "c")


_NULL_FROM_ANY_ARGUMENT = frozenset({"ARRAY_CONCAT", "ARRAY_POSITION", "ARRAY_SLICE", "ARRAY_JOIN"})


def _array_arg(name: str, form: str, result: Callable[[DataType, list[DataType]], DataType]) -> TypeRule:
    def rule(types: list[DataType], span: Span | None) -> DataType:
        if types[0].kind != "ARRAY":
            raise cannot_apply(name, types, form, span)
        # ARRAY_CONTAINS, ARRAY_REMOVE ... are NULL only for a NULL array (a NULL element is
        # looked for); the others for any NULL argument (Flink 2.3's types).
        return result(types[0], types).with_nullable(
            _nullable(types) if name in _NULL_FROM_ANY_ARGUMENT else _nullable(types[:1])
        )

    return rule


def _element_or_null(array: DataType, types: list[DataType]) -> DataType:
    assert array.element is not None
    return array.element.with_nullable(True)


def _map_part(which: str) -> TypeRule:
    def rule(types: list[DataType], span: Span | None) -> DataType:
        if types[0].kind != "MAP":
            raise cannot_apply(f"MAP_{which}", types, f"MAP_{which}(<MAP>)", span)
        part = types[0].key if which == "KEYS" else types[0].element
        assert part is not None
        return T.array(part).with_nullable(types[0].nullable)

    return rule


def _array_slice(values: list, start: int, end: int | None = None) -> list:
    size = len(values)
    first = start + size + 1 if start < 0 else max(start, 1)
    last = size if end is None else (end + size + 1 if end < 0 else min(end, size))
    return values[first - 1 : last] if first <= last else []


def _distinct(values: list) -> list:
    seen: list[object] = []
    for v in values:
        if v not in seen:
            seen.append(v)
    return seen


def _array_join(values: list, separator: str, null_text: str | None = None) -> str:
    return separator.join(
        str(v) if v is not None else str(null_text) for v in values if v is not None or null_text is not None
    )


def _extreme(pick: Callable) -> Callable[[list], object]:
    def choose(values: list) -> object:
        present = [v for v in values if v is not None]
        return pick(present) if present else None

    return choose


def _datetime_part(name: str, part: Callable[[dt.date], int]) -> Scalar:
    def rule(types: list[DataType], span: Span | None) -> DataType:
        if types[0].kind not in ("DATE", "TIMESTAMP", "TIMESTAMP_LTZ", "NULL"):
            raise cannot_apply(name, types, f"{name}(<DATETIME>)", span)
        return T.BIGINT.with_nullable(types[0].nullable)

    return Scalar(name, 1, 1, rule, part)


def _same_array(name: str, count: int) -> TypeRule:
    form = f"{name}(" + ", ".join(["<ARRAY>"] * count) + ")"

    def rule(types: list[DataType], span: Span | None) -> DataType:
        if any(t.kind != "ARRAY" for t in types):
            raise cannot_apply(name, types, form, span)
        common = T.common_type(types)
        if common is None:
            raise cannot_apply(name, types, form, span)
        return common.with_nullable(_nullable(types))

    return rule


def _array_sort(values: list, ascending: bool = True, nulls_first: bool | None = None) -> list:
    present = sorted((v for v in values if v is not None), reverse=not ascending)
    nulls = [None] * (len(values) - len(present))
    first = ascending if nulls_first is None else nulls_first
    return nulls + present if first else present + nulls


def _map_entries_type(types: list[DataType], span: Span | None) -> DataType:
    if types[0].kind != "MAP":
        raise cannot_apply("MAP_ENTRIES", types, "MAP_ENTRIES(<MAP>)", span)
    key, value = types[0].key, types[0].element
    assert key is not None and value is not None
    fields = (T.RowField("key", key), T.RowField("value", value))
    return T.array(T.row(fields)).with_nullable(types[0].nullable)


def _map_from_arrays_type(types: list[DataType], span: Span | None) -> DataType:
    if len(types) != 2 or any(t.kind != "ARRAY" for t in types):
        raise cannot_apply("MAP_FROM_ARRAYS", types, "MAP_FROM_ARRAYS(<ARRAY>, <ARRAY>)", span)
    assert types[0].element is not None and types[1].element is not None
    return T.map_of(types[0].element, types[1].element).with_nullable(_nullable(types))


def _map_from_arrays(keys: list, values: list) -> dict:
    if len(keys) != len(values):
        raise ExecutionError("MAP_FROM_ARRAYS needs two arrays of the same length")
    return dict(zip(keys, values))


def _map_union_type(types: list[DataType], span: Span | None) -> DataType:
    if any(t.kind != "MAP" for t in types):
        raise cannot_apply("MAP_UNION", types, "MAP_UNION(<MAP>, <MAP>, ...)", span)
    common = T.common_type(types) if all(t == types[0] for t in types) else types[0]
    return (common or types[0]).with_nullable(_nullable(types))


def _is_decimal(text: str | None) -> bool:
    import re as _re

    return text is not None and _re.fullmatch(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*", text) is not None


def _regexp_count(text: str, pattern: str) -> int:
    import re as _re

    try:
        return len(_re.findall(pattern, text))
    except _re.error as error:
        raise ExecutionError(f"invalid regular expression '{pattern}': {error}") from None


def _regexp_extract_all(text: str, pattern: str, group: int = 1) -> list[str] | None:
    """Flink's default group is 1; a pattern without that group gives NULL."""
    import re as _re

    try:
        compiled = _re.compile(pattern)
    except _re.error as error:
        raise ExecutionError(f"invalid regular expression '{pattern}': {error}") from None
    if not 0 <= group <= compiled.groups:
        return None
    return [m.group(group) for m in compiled.finditer(text)]


def _elt(index: int, *values: object) -> object:
    return values[index - 1] if 1 <= index <= len(values) else None


def _elt_type(types: list[DataType], span: Span | None) -> DataType:
    if len(types) < 2 or not _is_int(types[0]):
        raise cannot_apply("ELT", types, "ELT(<INTEGER>, <ANY>, ...)", span)
    common = T.common_type(types[1:])
    if common is None:
        raise cannot_apply("ELT", types, "ELT(<INTEGER>, <ANY>, ...)", span)
    return common.with_nullable(True)


def _sha2(text: str, bits: int) -> str | None:
    names = {224: "sha224", 256: "sha256", 384: "sha384", 512: "sha512"}
    if bits not in names:
        return None
    import hashlib

    return hashlib.new(names[bits], text.encode("utf-8")).hexdigest()


def _encode(text: str, charset: str) -> bytes:
    try:
        return text.encode(charset)
    except LookupError:
        raise ExecutionError(f"unsupported charset '{charset}'") from None


def _decode(data: bytes, charset: str) -> str:
    try:
        return bytes(data).decode(charset)
    except LookupError:
        raise ExecutionError(f"unsupported charset '{charset}'") from None
    except UnicodeDecodeError as error:
        raise ExecutionError(f"bytes are not {charset}: {error}") from None


def _parse_url(url: str, part: str, key: str | None = None) -> str | None:
    """Java's java.net.URL parts, as Flink's PARSE_URL: HOST, PATH, QUERY [key], REF, PROTOCOL,
    FILE, AUTHORITY, USERINFO; NULL for an unknown part or a missing one."""
    parsed = urllib.parse.urlsplit(url)
    if not parsed.scheme:
        return None
    query = parsed.query or None
    if part == "QUERY" and key is not None:
        values = urllib.parse.parse_qs(parsed.query, keep_blank_values=True).get(key)
        return values[0] if values else None
    parts = {
        "HOST": parsed.hostname,
        "PATH": parsed.path,
        "QUERY": query,
        "REF": parsed.fragment or None,
        "PROTOCOL": parsed.scheme,
        "FILE": parsed.path + ("?" + parsed.query if parsed.query else ""),
        "AUTHORITY": parsed.netloc or None,
        "USERINFO": parsed.netloc.rpartition("@")[0] if "@" in parsed.netloc else None,
    }
    return parts.get(part.upper())


def _printf(pattern: str | None, *values: object) -> str | None:
    """Java's String.format for the common conversions (%s %d %f %x %e %% with flags/width)."""
    import re as _re

    if pattern is None:
        return None
    position = iter(values)

    def convert(match: _re.Match[str]) -> str:
        spec, conversion = match.group(1), match.group(2)
        if conversion == "%":
            return "%"
        if conversion == "n":
            return "\n"
        try:
            value = next(position)
        except StopIteration:
            raise ExecutionError(f"PRINTF: no argument for '%{spec}{conversion}'") from None
        if conversion in "sS":
            text = "null" if value is None else T.format_value(value)
            text = ("%" + spec + "s") % text
            return text.upper() if conversion == "S" else text
        if value is None:
            return "null"
        try:
            # Any value: one that is not a number is the TypeError reported below.
            return ("%" + spec + conversion) % (float(value) if conversion in "feEgG" else int(value))  # type: ignore[arg-type, call-overload]
        except (TypeError, ValueError):
            raise ExecutionError(f"PRINTF: '%{spec}{conversion}' cannot format {value!r}") from None

    return _re.sub(r"%([-#+ 0,(]*\d*(?:\.\d+)?)([sSdfeExXgGo%n])", convert, pattern)


def _convert_tz(text: str, source: str, target: str) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    parsed = T.parse_timestamp(text)
    if parsed is None:
        return None
    try:
        moved = parsed.replace(tzinfo=ZoneInfo(source)).astimezone(ZoneInfo(target))
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ExecutionError(f"unknown time zone: {error}") from None
    return moved.strftime("%Y-%m-%d %H:%M:%S")


EXTRA_SCALARS: list[Scalar] = [
    # math
    Scalar("FLOOR", 1, 1, _floor_ceil_type("FLOOR"), _rounding("floor")),
    Scalar("CEIL", 1, 1, _floor_ceil_type("CEIL"), _rounding("ceil")),
    Scalar("CEILING", 1, 1, _floor_ceil_type("CEILING"), _rounding("ceil")),
    Scalar("POWER", 2, 2, _double("POWER", 2), _power),
    Scalar("POW", 2, 2, _double("POW", 2), _power),
    Scalar("SQRT", 1, 1, _double("SQRT"), _sqrt),
    Scalar("EXP", 1, 1, _double("EXP"), _exp),
    Scalar("LN", 1, 1, _double("LN"), lambda v: _java_log(float(v))),
    Scalar("LOG", 1, 2, _double("LOG", (1, 2)), _log),
    Scalar("LOG10", 1, 1, _double("LOG10"), lambda v: math.log10(float(v)) if float(v) > 0 else _java_log(float(v))),
    Scalar("LOG2", 1, 1, _double("LOG2"), lambda v: _java_log(float(v)) / math.log(2)),
    Scalar("SIN", 1, 1, _double("SIN"), lambda v: math.sin(float(v))),
    Scalar("COS", 1, 1, _double("COS"), lambda v: math.cos(float(v))),
    Scalar("TAN", 1, 1, _double("TAN"), lambda v: math.tan(float(v))),
    Scalar("ASIN", 1, 1, _double("ASIN"), lambda v: math.asin(float(v)) if -1 <= float(v) <= 1 else math.nan),
    Scalar("ACOS", 1, 1, _double("ACOS"), lambda v: math.acos(float(v)) if -1 <= float(v) <= 1 else math.nan),
    Scalar("ATAN", 1, 1, _double("ATAN"), lambda v: math.atan(float(v))),
    Scalar("ATAN2", 2, 2, _double("ATAN2", 2), lambda a, b: math.atan2(float(a), float(b))),
    Scalar("DEGREES", 1, 1, _double("DEGREES"), lambda v: math.degrees(float(v))),
    Scalar("RADIANS", 1, 1, _double("RADIANS"), lambda v: math.radians(float(v))),
    Scalar("SIGN", 1, 1, _same_numeric("SIGN"), _sign),
    Scalar("PI", 0, 0, _fixed(T.DOUBLE, "PI", lambda ts: not ts, "PI()", nullable=False), lambda: math.pi),
    Scalar("E", 0, 0, _fixed(T.DOUBLE, "E", lambda ts: not ts, "E()", nullable=False), lambda: math.e),
    Scalar("GREATEST", 1, None, _greatest_type("GREATEST"), _greatest(max)),
    Scalar("LEAST", 1, None, _greatest_type("LEAST"), _greatest(min)),
    Scalar("BIN", 1, 1, _fixed(T.STRING, "BIN", lambda ts: _is_int(ts[0]), "BIN(<INTEGER>)"), _bin),
    Scalar("HEX", 1, 1, _fixed(T.STRING, "HEX", lambda ts: _is_int(ts[0]) or _is_char(ts[0]), "HEX(<INTEGER>)"), _hex),
    # strings
    Scalar(
        "LPAD",
        3,
        3,
        _char_nullable_string("LPAD", "LPAD(<CHARACTER>, <INTEGER>, <CHARACTER>)", _chars_ints("c", "i", "c")),
        _pad(True),
    ),
    Scalar(
        "RPAD",
        3,
        3,
        _char_nullable_string("RPAD", "RPAD(<CHARACTER>, <INTEGER>, <CHARACTER>)", _chars_ints("c", "i", "c")),
        _pad(False),
    ),
    Scalar(
        "LOCATE",
        2,
        3,
        _fixed(T.INT, "LOCATE", _chars_ints("c", "c", "i"), "LOCATE(<CHARACTER>, <CHARACTER>[, <INTEGER>])"),
        _locate,
    ),
    Scalar("POSITION", 2, 2, _fixed(T.INT, "POSITION", _STRING_2, "POSITION(<CHARACTER> IN <CHARACTER>)"), _position),
    Scalar(
        "INSTR",
        2,
        2,
        _fixed(T.INT, "INSTR", _STRING_2, "INSTR(<CHARACTER>, <CHARACTER>)"),
        lambda s, sub: s.find(sub) + 1,
    ),
    Scalar(
        "REPEAT",
        2,
        2,
        _char_nullable_string("REPEAT", "REPEAT(<CHARACTER>, <INTEGER>)", _chars_ints("c", "i")),
        _repeat,
    ),
    Scalar(
        "REVERSE",
        1,
        1,
        _fixed(T.STRING, "REVERSE", _chars_ints("c"), "REVERSE(<CHARACTER>)", nullable=True),  # (Flink 2.3)
        lambda s: s[::-1],
    ),
    Scalar("LEFT", 2, 2, _left_right_type("LEFT"), _left),
    Scalar("RIGHT", 2, 2, _left_right_type("RIGHT"), _right),
    Scalar("ASCII", 1, 1, _fixed(T.INT, "ASCII", _chars_ints("c"), "ASCII(<CHARACTER>)"), _ascii),
    Scalar("CHR", 1, 1, _fixed(T.STRING, "CHR", _chars_ints("i"), "CHR(<INTEGER>)", nullable=True), _chr),
    # (Flink 2.3) the hashes are CHAR of their hex length: MD5 is CHAR(32), SHA256 CHAR(64)
    Scalar("MD5", 1, 1, _fixed(T.char(32), "MD5", _chars_ints("c"), "MD5(<CHARACTER>)"), _hash("md5")),
    Scalar("SHA1", 1, 1, _fixed(T.char(40), "SHA1", _chars_ints("c"), "SHA1(<CHARACTER>)"), _hash("sha1")),
    Scalar("SHA256", 1, 1, _fixed(T.char(64), "SHA256", _chars_ints("c"), "SHA256(<CHARACTER>)"), _hash("sha256")),
    Scalar("SHA512", 1, 1, _fixed(T.char(128), "SHA512", _chars_ints("c"), "SHA512(<CHARACTER>)"), _hash("sha512")),
    Scalar(
        "TO_BASE64",
        1,
        1,
        _fixed(T.STRING, "TO_BASE64", _chars_ints("c"), "TO_BASE64(<CHARACTER>)"),
        lambda s: base64.b64encode(s.encode("utf-8")).decode("ascii"),
    ),
    Scalar(
        "FROM_BASE64", 1, 1, _fixed(T.STRING, "FROM_BASE64", _chars_ints("c"), "FROM_BASE64(<CHARACTER>)"), _from_base64
    ),
    Scalar(
        "OVERLAY",
        3,
        4,
        _overlay_type,
        _overlay,
    ),
    Scalar(
        "TRANSLATE",
        3,
        3,
        _fixed(T.STRING, "TRANSLATE", _chars_ints("c", "c", "c"), "TRANSLATE(<CHARACTER>, <CHARACTER>, <CHARACTER>)"),
        _translate,
    ),
    Scalar(
        "URL_ENCODE",
        1,
        1,
        _fixed(T.STRING, "URL_ENCODE", _chars_ints("c"), "URL_ENCODE(<CHARACTER>)", nullable=True),  # (Flink 2.3)
        lambda s: urllib.parse.quote_plus(s, safe="*"),
    ),
    Scalar(
        "URL_DECODE",
        1,
        1,
        _fixed(T.STRING, "URL_DECODE", _chars_ints("c"), "URL_DECODE(<CHARACTER>)"),
        urllib.parse.unquote_plus,
    ),
    Scalar(
        "STR_TO_MAP",
        1,
        3,
        _fixed(
            T.map_of(T.STRING, T.STRING),
            "STR_TO_MAP",
            _chars_ints("c", "c", "c"),
            "STR_TO_MAP(<CHARACTER>[, <CHARACTER>, <CHARACTER>])",
            nullable=True,  # (Flink 2.3)
        ),
        _str_to_map,
    ),
    # time conversion
    Scalar(
        "TO_DATE",
        1,
        2,
        _fixed(T.DATE, "TO_DATE", _STRING_2, "TO_DATE(<CHARACTER>[, <CHARACTER>])", nullable=True),
        _to_date,
    ),
    Scalar(
        "TO_TIMESTAMP",
        1,
        2,
        _fixed(T.timestamp(3), "TO_TIMESTAMP", _STRING_2, "TO_TIMESTAMP(<CHARACTER>[, <CHARACTER>])", nullable=True),
        _to_timestamp,
    ),
    Scalar(
        "UNIX_TIMESTAMP",
        0,
        2,
        _fixed(T.BIGINT, "UNIX_TIMESTAMP", _STRING_2, "UNIX_TIMESTAMP([<CHARACTER>[, <CHARACTER>]])"),
        _unix_timestamp,
    ),
    Scalar(
        "FROM_UNIXTIME",
        1,
        2,
        _fixed(
            T.STRING, "FROM_UNIXTIME", _chars_ints("i", "c"), "FROM_UNIXTIME(<INTEGER>[, <CHARACTER>])", nullable=True
        ),
        _from_unixtime,
    ),
    Scalar("TO_TIMESTAMP_LTZ", 1, 2, _to_timestamp_ltz_type, _to_timestamp_ltz),
    Scalar(
        "IFNULL",
        2,
        2,
        lambda ts, sp: _ifnull_type(ts, sp),
        lambda a, b: a if a is not None else b,
        null_propagating=False,
    ),
    Scalar(
        "UUID",
        0,
        0,
        _fixed(T.char(36), "UUID", lambda ts: not ts, "UUID()", nullable=False),
        lambda: __import__("uuid").uuid4().__str__(),
    ),
    Scalar("TYPEOF", 1, 1, lambda ts, sp: T.STRING, lambda v: None, null_propagating=False),
    Scalar(
        "REGEXP",
        2,
        2,
        _fixed(T.BOOLEAN, "REGEXP", _STRING_2, "REGEXP(<CHARACTER>, <CHARACTER>)"),
        lambda s, p: __import__("re").search(p, s) is not None,
    ),
    Scalar(
        "STARTSWITH",
        2,
        2,
        _fixed(T.BOOLEAN, "STARTSWITH", _STRING_2, "STARTSWITH(<CHARACTER>, <CHARACTER>)"),
        lambda s, p: s.startswith(p),
    ),
    Scalar(
        "ENDSWITH",
        2,
        2,
        _fixed(T.BOOLEAN, "ENDSWITH", _STRING_2, "ENDSWITH(<CHARACTER>, <CHARACTER>)"),
        lambda s, p: s.endswith(p),
    ),
    Scalar(
        "IS_DIGIT",
        1,
        1,
        _fixed(T.BOOLEAN, "IS_DIGIT", _chars_ints("c"), "IS_DIGIT(<CHARACTER>)", nullable=False),
        lambda s: s is not None and s != "" and s.isdigit() and s.isascii(),
        null_propagating=False,
    ),
    Scalar(
        "IS_ALPHA",
        1,
        1,
        _fixed(T.BOOLEAN, "IS_ALPHA", _chars_ints("c"), "IS_ALPHA(<CHARACTER>)", nullable=False),
        lambda s: s is not None and s != "" and s.isalpha(),
        null_propagating=False,
    ),
    Scalar(
        "SPLIT",
        2,
        2,
        _fixed(T.array(T.STRING), "SPLIT", _STRING_2, "SPLIT(<CHARACTER>, <CHARACTER>)"),
        lambda s, d: s.split(d) if d else list(s),
    ),
    Scalar(
        "ARRAY_CONTAINS",
        2,
        2,
        _array_arg("ARRAY_CONTAINS", "ARRAY_CONTAINS(<ARRAY>, <ELEMENT>)", lambda a, ts: T.BOOLEAN),
        lambda a, v: None if a is None else v in a,  # a NULL element is looked for (Flink 2.3)
        null_propagating=False,
    ),
    Scalar(
        "ARRAY_POSITION",
        2,
        2,
        _array_arg("ARRAY_POSITION", "ARRAY_POSITION(<ARRAY>, <ELEMENT>)", lambda a, ts: T.INT),
        lambda a, v: a.index(v) + 1 if v in a else 0,
    ),
    Scalar("ARRAY_DISTINCT", 1, 1, _array_arg("ARRAY_DISTINCT", "ARRAY_DISTINCT(<ARRAY>)", lambda a, ts: a), _distinct),
    Scalar(
        "ARRAY_REMOVE",
        2,
        2,
        _array_arg("ARRAY_REMOVE", "ARRAY_REMOVE(<ARRAY>, <ELEMENT>)", lambda a, ts: a),
        lambda a, v: None if a is None else [x for x in a if x != v],  # v may be NULL (Flink 2.3)
        null_propagating=False,
    ),
    Scalar(
        "ARRAY_REVERSE", 1, 1, _array_arg("ARRAY_REVERSE", "ARRAY_REVERSE(<ARRAY>)", lambda a, ts: a), lambda a: a[::-1]
    ),
    Scalar(
        "ARRAY_SLICE",
        2,
        3,
        _array_arg("ARRAY_SLICE", "ARRAY_SLICE(<ARRAY>, <INTEGER>[, <INTEGER>])", lambda a, ts: a),
        _array_slice,
    ),
    Scalar(
        "ARRAY_CONCAT",
        1,
        None,
        _array_arg("ARRAY_CONCAT", "ARRAY_CONCAT(<ARRAY>, ...)", lambda a, ts: a),
        lambda *arrays: [v for a in arrays for v in a],
    ),
    Scalar(
        "ARRAY_JOIN",
        2,
        3,
        _array_arg("ARRAY_JOIN", "ARRAY_JOIN(<ARRAY>, <CHARACTER>[, <CHARACTER>])", lambda a, ts: T.STRING),
        _array_join,
    ),
    Scalar("ARRAY_MAX", 1, 1, _array_arg("ARRAY_MAX", "ARRAY_MAX(<ARRAY>)", _element_or_null), _extreme(max)),
    Scalar("ARRAY_MIN", 1, 1, _array_arg("ARRAY_MIN", "ARRAY_MIN(<ARRAY>)", _element_or_null), _extreme(min)),
    Scalar("MAP_KEYS", 1, 1, _map_part("KEYS"), lambda m: list(m.keys())),
    Scalar("MAP_VALUES", 1, 1, _map_part("VALUES"), lambda m: list(m.values())),
    _datetime_part("YEAR", lambda d: d.year),
    _datetime_part("QUARTER", lambda d: (d.month - 1) // 3 + 1),
    _datetime_part("MONTH", lambda d: d.month),
    _datetime_part("WEEK", lambda d: d.isocalendar()[1]),
    _datetime_part("DAYOFYEAR", lambda d: d.timetuple().tm_yday),
    _datetime_part("DAYOFMONTH", lambda d: d.day),
    _datetime_part("DAYOFWEEK", lambda d: d.isoweekday() % 7 + 1),
    _datetime_part("HOUR", lambda d: getattr(d, "hour", 0)),
    _datetime_part("MINUTE", lambda d: getattr(d, "minute", 0)),
    _datetime_part("SECOND", lambda d: getattr(d, "second", 0)),
    Scalar(
        "ARRAY_SORT",
        1,
        3,
        _array_arg("ARRAY_SORT", "ARRAY_SORT(<ARRAY>[, <BOOLEAN>[, <BOOLEAN>]])", lambda a, ts: a),
        _array_sort,
    ),
    Scalar("ARRAY_UNION", 2, 2, _same_array("ARRAY_UNION", 2), lambda a, b: _distinct(a + b)),
    Scalar(
        "ARRAY_INTERSECT", 2, 2, _same_array("ARRAY_INTERSECT", 2), lambda a, b: _distinct([v for v in a if v in b])
    ),
    Scalar("ARRAY_EXCEPT", 2, 2, _same_array("ARRAY_EXCEPT", 2), lambda a, b: _distinct([v for v in a if v not in b])),
    Scalar("MAP_ENTRIES", 1, 1, _map_entries_type, lambda m: [(k, v) for k, v in m.items()]),
    Scalar("MAP_FROM_ARRAYS", 2, 2, _map_from_arrays_type, _map_from_arrays),
    Scalar("MAP_UNION", 1, None, _map_union_type, lambda *maps: {k: v for m in maps for k, v in m.items()}),
    Scalar(
        "IS_DECIMAL",
        1,
        1,
        _fixed(T.BOOLEAN, "IS_DECIMAL", _chars_ints("c"), "IS_DECIMAL(<CHARACTER>)", nullable=False),
        _is_decimal,
        null_propagating=False,
    ),
    Scalar(
        "REGEXP_COUNT",
        2,
        2,
        _fixed(T.INT, "REGEXP_COUNT", _STRING_2, "REGEXP_COUNT(<CHARACTER>, <CHARACTER>)", nullable=True),
        _regexp_count,
    ),
    Scalar(
        "REGEXP_EXTRACT_ALL",
        2,
        3,
        _fixed(
            T.array(T.STRING),
            "REGEXP_EXTRACT_ALL",
            _chars_ints("c", "c", "i"),
            "REGEXP_EXTRACT_ALL(<CHARACTER>, <CHARACTER>[, <INTEGER>])",
            nullable=True,
        ),
        _regexp_extract_all,
    ),
    Scalar("ELT", 2, None, _elt_type, _elt, null_propagating=False),
    Scalar("SHA224", 1, 1, _fixed(T.char(56), "SHA224", _chars_ints("c"), "SHA224(<CHARACTER>)"), _hash("sha224")),
    Scalar("SHA384", 1, 1, _fixed(T.char(96), "SHA384", _chars_ints("c"), "SHA384(<CHARACTER>)"), _hash("sha384")),
    Scalar("SHA2", 2, 2, _fixed(T.varchar(128), "SHA2", _chars_ints("c", "i"), "SHA2(<CHARACTER>, <INTEGER>)"), _sha2),
    Scalar("COT", 1, 1, _double("COT"), lambda v: 1 / math.tan(float(v)) if math.tan(float(v)) else math.inf),
    Scalar("SINH", 1, 1, _double("SINH"), lambda v: math.sinh(float(v))),
    Scalar("COSH", 1, 1, _double("COSH"), lambda v: math.cosh(float(v))),
    Scalar("TANH", 1, 1, _double("TANH"), lambda v: math.tanh(float(v))),
    Scalar("ENCODE", 2, 2, _fixed(T.BYTES, "ENCODE", _STRING_2, "ENCODE(<CHARACTER>, <CHARACTER>)"), _encode),
    Scalar(
        "DECODE",
        2,
        2,
        _fixed(
            T.STRING,
            "DECODE",
            lambda ts: ts[0].kind in T.BINARY_KINDS | {"NULL"} and _is_char(ts[1]),
            "DECODE(<BINARY>, <CHARACTER>)",
        ),
        _decode,
    ),
    Scalar(
        "PARSE_URL",
        2,
        3,
        _fixed(
            T.STRING,
            "PARSE_URL",
            _chars_ints("c", "c", "c"),
            "PARSE_URL(<CHARACTER>, <CHARACTER>[, <CHARACTER>])",
            nullable=True,
        ),
        _parse_url,
    ),
    Scalar("PRINTF", 1, None, lambda ts, sp: T.STRING.with_nullable(_nullable(ts)), _printf, null_propagating=False),
    Scalar(
        "CONVERT_TZ",
        3,
        3,
        _fixed(T.STRING, "CONVERT_TZ", _chars_ints("c", "c", "c"), "CONVERT_TZ(<CHARACTER>, <CHARACTER>, <CHARACTER>)"),
        _convert_tz,
    ),
]
