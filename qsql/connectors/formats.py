"""Flink's csv and json formats: text <-> typed values, exactly as Flink writes them.

Checked against Flink 2.3's filesystem connector (tests/test_filesystem.py cites the cases):

* csv: fields are quoted only when they contain a character below '-' (space, '!', '"', '#',
  ',' ...), the quote or the delimiter (Jackson's minimal quoting); NULL is an empty field
  (or 'csv.null-literal'); DECIMAL without trailing zeros (1.50 -> 1.5); DOUBLE as Java
  prints it (1.0E7); TIMESTAMP as '2026-11-30 10:20:30.5'; ARRAY elements joined by ';'.
* json: one compact object per line, keys in column order, non-ASCII kept, DECIMAL and DOUBLE
  as numbers (1.5, 1.0E7), DATE/TIMESTAMP as strings, ARRAY as a list, MAP as an object.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from .. import types as T
from ..types import DataType

Parser = Callable[[str], object]


class UnreadableField(ValueError):
    """A field that does not parse as its column's type; the message says why."""


# ----------------------------------------------------------------------- text of a value


def timestamp_text(value: dt.datetime) -> str:
    """Flink's SQL timestamp format: fraction only as long as needed ('10:20:30.5')."""
    text = value.strftime("%Y-%m-%d %H:%M:%S")
    if value.microsecond:
        text += "." + f"{value.microsecond:06d}".rstrip("0")
    return text


def decimal_text(value: Decimal) -> str:
    """Java's ``BigDecimal.stripTrailingZeros().toString()``, as Flink's csv and json formats
    write a DECIMAL: 1.50 -> 1.5, -10.00 -> -1E+1, 100 -> 1E+2, 0.0000001 -> 1E-7, 0.00 -> 0.
    Python's ``Decimal.normalize()`` and ``str`` follow the same specification."""
    if value.is_zero():
        return "0"
    return str(value.normalize())


def scalar_text(value: object, dtype: DataType) -> str:
    """A non-NULL scalar as csv text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, float):
        return T.java_float_str(value) if dtype.kind == "FLOAT" else T.java_double_str(value)
    if isinstance(value, dt.datetime):
        return timestamp_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        import base64

        return base64.b64encode(value).decode("ascii")  # Jackson writes byte[] as base64
    if isinstance(value, dt.time):
        return T.time_str(value, dtype.precision or 0, pad=False)
    return str(value)


# ----------------------------------------------------------------------- csv


class CsvDialect:
    def __init__(
        self,
        delimiter: str = ",",
        quote: str | None = '"',
        null_literal: str | None = None,
        array_delimiter: str = ";",
    ) -> None:
        self.delimiter = delimiter
        self.quote = quote
        self.null_literal = null_literal
        self.array_delimiter = array_delimiter
        # Jackson's minimal quoting: any character below '-', the quote or the delimiter.
        specials = "\\x00-\\x2c" + re.escape(delimiter) + (re.escape(quote) if quote else "")
        self._needs_quotes = re.compile(f"[{specials}]").search

    # -------------------------------------------------------------- writing
    def field_text(self, value: object, dtype: DataType) -> str:
        if type(value) is int:
            return str(value)
        if type(value) is str:
            return self.quoted(value)
        if value is None:
            return self.null_literal if self.null_literal is not None else ""
        if isinstance(value, Decimal):
            return decimal_text(value)  # a number: never quoted, even '-1E+1'
        if isinstance(value, list):
            assert dtype.element is not None
            text = self.array_delimiter.join("" if v is None else scalar_text(v, dtype.element) for v in value)
        elif isinstance(value, tuple) and dtype.fields is not None:
            # A ROW's fields joined as an array's elements are (Flink 2.3: ROW(1, 'x,y') -> "1;x,y")
            text = self.array_delimiter.join(
                "" if v is None else scalar_text(v, f.dtype) for v, f in zip(value, dtype.fields)
            )
        elif isinstance(value, dict):
            text = json_text(value, dtype)
        else:
            text = scalar_text(value, dtype)
        return self.quoted(text)

    def quoted(self, text: str) -> str:
        if self.quote is None or not self._needs_quotes(text):
            return text
        return self.quote + text.replace(self.quote, self.quote * 2) + self.quote

    def line(self, row: tuple, types: list[DataType]) -> str:
        return self.delimiter.join(self.field_text(v, t) for v, t in zip(row, types)) + "\n"

    # -------------------------------------------------------------- reading
    def parser(self, dtype: DataType) -> Parser:
        """text -> value for one column; raises UnreadableField with a reason."""
        null_literal = self.null_literal
        if dtype.kind == "ARRAY":
            element_type = dtype.element
            assert element_type is not None
            element = scalar_parser(element_type)
            delimiter = self.array_delimiter

            def parse_array(text: str) -> object:
                if null_literal is not None and text == null_literal:
                    return None
                if text == "":  # an empty array, as Flink 2.3 reads '' for ARRAY<INT>
                    return [] if not element_type.is_character else [""]
                return [
                    element(part) if part != "" or element_type.is_character else None for part in text.split(delimiter)
                ]

            return parse_array
        if dtype.kind == "ROW":
            assert dtype.fields is not None
            fields = [(scalar_parser(f.dtype), f.dtype.is_character) for f in dtype.fields]
            row_delimiter = self.array_delimiter

            def parse_row(text: str) -> object:
                if (null_literal is not None and text == null_literal) or text == "":
                    return None
                parts = text.split(row_delimiter)
                if len(parts) != len(fields):  # Flink 2.3's message
                    raise UnreadableField(f"Row length mismatch. {len(fields)} fields expected but was {len(parts)}.")
                return tuple(
                    None if part == "" and not character else parse(part)
                    for part, (parse, character) in zip(parts, fields)
                )

            return parse_row
        scalar = scalar_parser(dtype)
        character = dtype.is_character

        def parse(text: str) -> object:
            if null_literal is not None and text == null_literal:
                return None
            if text == "" and not character:
                return None
            return scalar(text)

        return parse


def scalar_parser(dtype: DataType) -> Parser:
    """text -> value of a scalar type (csv fields, and json strings of DATE/TIMESTAMP)."""
    kind = dtype.kind
    if dtype.is_character:
        return lambda text: T.fit_string(text, dtype)
    if kind in T.INTEGER_BITS:
        bits = T.INTEGER_BITS[kind]
        low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1

        def parse_integer(text: str) -> int:
            try:
                number = int(text.strip())
            except ValueError:
                raise UnreadableField(f"'{text}' is not {kind}") from None
            if not low <= number <= high:
                raise UnreadableField(f"{text.strip()} is out of range for {kind}")
            return number

        return parse_integer
    if kind in ("FLOAT", "DOUBLE"):

        def parse_float(text: str) -> object:  # a float (FLOAT's rounded by cast_value)
            try:
                value = float(text.strip())
            except ValueError:
                raise UnreadableField(f"'{text}' is not {kind}") from None
            return T.cast_value(value, T.DOUBLE, dtype)

        return parse_float
    if kind == "DECIMAL":

        def parse_decimal(text: str) -> Decimal | None:
            try:
                value = Decimal(text.strip())
            except InvalidOperation:
                raise UnreadableField(f"'{text}' is not {dtype.name()}") from None
            if not value.is_finite():
                raise UnreadableField(f"'{text}' is not {dtype.name()}")
            return T.fit_decimal(value, dtype)

        return parse_decimal
    if kind == "BOOLEAN":

        def parse_boolean(text: str) -> bool:
            lowered = text.strip().lower()
            if lowered in ("true", "false"):
                return lowered == "true"
            raise UnreadableField(f"'{text}' is not BOOLEAN (true or false)")

        return parse_boolean
    if kind == "DATE":

        def parse_date(text: str) -> dt.date:
            value = T.parse_date(text)
            if value is None:
                raise UnreadableField(f"'{text}' is not a DATE (YYYY-MM-DD)")
            return value

        return parse_date
    if kind == "TIMESTAMP":
        precision = dtype.precision if dtype.precision is not None else 6

        def parse_timestamp(text: str) -> dt.datetime:
            value = T.parse_timestamp(text)
            if value is None:
                raise UnreadableField(f"'{text}' is not a TIMESTAMP (YYYY-MM-DD HH:MM:SS[.fff])")
            return T.truncate_timestamp(value, precision)

        return parse_timestamp
    if kind in ("TIME", "TIMESTAMP_LTZ") or kind in T.BINARY_KINDS:
        return _parser_of_new_types(dtype)
    raise UnreadableField(f"cannot read {dtype.name()} from text")


def _parser_of_new_types(dtype: DataType) -> Parser:
    """TIME ('10:20:30[.5]'), TIMESTAMP_LTZ (a local date-time, read in the session's time zone)
    and BINARY/VARBINARY/BYTES (base64, as Flink's formats write bytes)."""
    kind = dtype.kind

    def parse(text: str) -> object:
        if kind in T.BINARY_KINDS:
            import base64
            import binascii

            try:
                data = base64.b64decode(text.strip(), validate=True)
            except (binascii.Error, ValueError):
                raise UnreadableField(f"'{text}' is not base64 for {dtype.name()}") from None
            return T.cast_value(data, T.BYTES, dtype)
        source = T.STRING
        try:
            return T.cast_value(text.strip(), source, dtype)
        except Exception:  # noqa: BLE001 - any failure is "not a TIME/TIMESTAMP_LTZ"
            raise UnreadableField(f"'{text}' is not a {dtype.name()}") from None

    return parse


def check_csv_type(name: str, dtype: DataType) -> str | None:
    """Why Flink's csv format refuses a column's type (its message), or None: MAP and MULTISET
    are unsupported, and an ARRAY's elements or a ROW's fields must be simple types."""
    if dtype.kind in ("MAP", "MULTISET"):
        return f"Unsupported type '{dtype.name()}' for field '{name}'."
    nested = (
        [dtype.element]
        if dtype.kind == "ARRAY"
        else [f.dtype for f in dtype.fields or ()]
        if dtype.kind == "ROW"
        else []
    )
    for inner in nested:
        if inner is not None and inner.kind in ("ARRAY", "ROW", "MAP", "MULTISET"):
            return f"Only simple types are supported in the second level nesting of fields '{name}' but was: {inner}"
    return None


# ----------------------------------------------------------------------- json


_NON_BMP = re.compile("[\U00010000-\U0010ffff]")


def json_string(text: str) -> str:
    """A JSON string as Jackson writes it: non-ASCII kept, except characters outside the Basic
    Multilingual Plane, which become their UTF-16 surrogate escapes (😀 -> \\uD83D\\uDE00)."""
    quoted = json.dumps(text, ensure_ascii=False)
    if not _NON_BMP.search(quoted):
        return quoted

    def escape(match: re.Match[str]) -> str:
        code = ord(match.group(0)) - 0x10000
        return f"\\u{0xD800 + (code >> 10):04X}\\u{0xDC00 + (code & 0x3FF):04X}"

    return _NON_BMP.sub(escape, quoted)


def json_text(value: object, dtype: DataType | None) -> str:
    """One value as JSON text, spelled as Flink's json format spells it (1.5, 1.0E7, "a")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json_string(value)
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return json.dumps(T.java_double_str(value))
        if dtype is not None and dtype.kind == "FLOAT":
            return T.java_float_str(value)
        return T.java_double_str(value)
    if isinstance(value, dt.datetime):
        return json.dumps(timestamp_text(value))
    if isinstance(value, dt.date):
        return json.dumps(value.isoformat())
    if isinstance(value, (bytes, bytearray, dt.time)):
        return json.dumps(scalar_text(value, dtype or T.BYTES))
    element = dtype.element if dtype is not None else None
    if isinstance(value, tuple) and dtype is not None and dtype.fields is not None:
        # A ROW is an object of its field names, NULL fields included (Flink 2.3)
        return (
            "{" + ",".join(f"{json_string(f.name)}:{json_text(v, f.dtype)}" for v, f in zip(value, dtype.fields)) + "}"
        )
    if isinstance(value, list):
        return "[" + ",".join(json_text(v, element) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json_string(str(k))}:{json_text(v, element)}" for k, v in value.items()) + "}"
    return json.dumps(str(value), ensure_ascii=False)


def json_line(row: tuple, names: list[str], types: list[DataType]) -> str:
    keys = [json_string(name) for name in names]
    return "{" + ",".join(f"{k}:{json_text(v, t)}" for k, v, t in zip(keys, row, types)) + "}\n"


def json_converter(dtype: DataType) -> Callable[[object], object]:
    """JSON value -> column value; raises UnreadableField with a reason."""
    kind = dtype.kind
    if dtype.is_character:

        def to_string(value: object) -> str:
            if isinstance(value, str):
                return T.fit_string(value, dtype)
            if isinstance(value, (dict, list)):
                return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            if isinstance(value, bool):
                return "true" if value else "false"
            return str(value)

        return to_string
    if kind in T.INTEGER_BITS or kind in ("FLOAT", "DOUBLE", "DECIMAL"):
        text_parser = scalar_parser(dtype)

        def to_number(value: object) -> object:
            if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
                raise UnreadableField(f"{json.dumps(value)} is not {dtype.name()}")
            if isinstance(value, float) and kind in T.INTEGER_BITS and not value.is_integer():
                raise UnreadableField(f"{value} is not {kind}")
            text = str(int(value)) if isinstance(value, float) and kind in T.INTEGER_BITS else str(value)
            return text_parser(text)

        return to_number
    if kind == "BOOLEAN":

        def to_boolean(value: object) -> bool:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            raise UnreadableField(f"{json.dumps(value)} is not BOOLEAN")

        return to_boolean
    if kind in ("DATE", "TIMESTAMP"):
        text_parser = scalar_parser(dtype)

        def to_time(value: object) -> object:
            if not isinstance(value, str):
                raise UnreadableField(f"{json.dumps(value)} is not a {kind} string")
            return text_parser(value)

        return to_time
    if kind == "ARRAY":
        assert dtype.element is not None
        element = json_converter(dtype.element)

        def to_array(value: object) -> list:
            if not isinstance(value, list):
                raise UnreadableField(f"{json.dumps(value)[:40]} is not an array")
            return [None if v is None else element(v) for v in value]

        return to_array
    if kind == "MAP":
        assert dtype.key is not None and dtype.element is not None
        key, item = json_converter(dtype.key), json_converter(dtype.element)
        key_kind = dtype.key.kind

        def to_map(value: object) -> dict:
            if not isinstance(value, dict):
                raise UnreadableField(f"{json.dumps(value)[:40]} is not an object")
            entries = {key(k): None if v is None else item(v) for k, v in value.items()}
            return T.java_hash_map_order(entries, key_kind)  # Flink's HashMap

        return to_map
    if kind == "ROW":
        assert dtype.fields is not None
        fields = [(f.name, json_converter(f.dtype)) for f in dtype.fields]

        def to_row(value: object) -> tuple:
            if not isinstance(value, dict):
                raise UnreadableField(f"{json.dumps(value)[:40]} is not an object for {dtype.name()}")
            # Fields by name; a missing one is NULL, others are ignored (Flink 2.3)
            return tuple(None if value.get(name) is None else convert(value[name]) for name, convert in fields)

        return to_row
    raise UnreadableField(f"cannot read {dtype.name()} from JSON")
