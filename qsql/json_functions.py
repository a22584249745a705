"""SQL/JSON as Flink runs it: JSON_VALUE, JSON_QUERY, JSON_EXISTS, IS JSON, JSON_OBJECT,
JSON_ARRAY and JSON_STRING.

Paths are SQL/JSON paths (``lax``/``strict`` mode, ``$.a.b``, ``$.a[0]``, ``$['k']``, ``$.a[*]``).
In lax mode a missing member gives an empty result (Flink 2.3 then returns NULL, whatever ON EMPTY
says, DEFAULT included); in strict mode it is an error handled by ON ERROR. JSON text is written
compact, as Jackson does (``{"a":1}``), non-ASCII kept as is.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from decimal import Decimal

from .errors import ExecutionError

_STEP = re.compile(r"\s*(?:\.([A-Za-z_$][\w$]*)|\.\*|\[(\d+|\*)\]|\['((?:[^'\\]|\\.)*)'\]|\[\"((?:[^\"\\]|\\.)*)\"\])")


class JsonPathError(Exception):
    """A path that fails in strict mode, or JSON that does not parse: ON ERROR decides."""


_MISSING = object()


def parse_json(text: str) -> object:
    try:
        return json.loads(text, parse_float=Decimal)
    except (json.JSONDecodeError, TypeError, ValueError) as error:
        raise JsonPathError(f"invalid JSON: {error}") from None


def evaluate_path(document: object, path: str) -> list[object]:
    """The items a path selects (an empty list when lax and nothing matches)."""
    text = path.strip()
    strict = False
    lowered = text.lower()
    if lowered.startswith("strict"):
        strict, text = True, text[6:].strip()
    elif lowered.startswith("lax"):
        text = text[3:].strip()
    if not text.startswith("$"):
        raise JsonPathError(f"Illegal jsonpath spec: {path}, format of the spec should be: '<lax|strict> $'{{expr}}")
    items = [document]
    position = 1
    while position < len(text):
        match = _STEP.match(text, position)
        if match is None:
            raise JsonPathError(f"Illegal jsonpath spec: {path}")
        key, index, quoted, double_quoted = match.groups()
        step = match.group(0).strip()
        selected: list[object] = []
        for item in items:
            if step == ".*":
                if isinstance(item, dict):
                    selected.extend(item.values())
                elif strict:
                    raise JsonPathError(f"No results for path: {path}")
            elif index is not None:
                if isinstance(item, list):
                    if index == "*":
                        selected.extend(item)
                    elif int(index) < len(item):
                        selected.append(item[int(index)])
                    elif strict:
                        raise JsonPathError(f"No results for path: {path}")
                elif strict:
                    raise JsonPathError(f"No results for path: {path}")
            else:
                name = key if key is not None else (quoted if quoted is not None else double_quoted)
                if isinstance(item, dict) and name in item:
                    selected.append(item[name])
                elif strict:
                    raise JsonPathError(f"No results for path: $['{name}']")
        items = selected
        position = match.end()
    return items


def to_json(value: object, dtype: object = None) -> object:
    """A SQL value as a JSON-ready Python value: a ROW becomes an object of its field names,
    a MAP an object, an ARRAY an array (Flink 2.3's JSON_STRING / JSON_OBJECT)."""
    fields = getattr(dtype, "fields", None)
    if isinstance(value, tuple) and fields:
        return {f.name: to_json(v, f.dtype) for f, v in zip(fields, value)}
    if isinstance(value, JsonText):
        return _RawJson(value)
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return _RawNumber(format(value, "f"))
    if isinstance(value, JsonText):
        return _RawJson(value)
    if isinstance(value, dt.datetime):
        from .types import java_local_datetime_str

        return java_local_datetime_str(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    element = getattr(dtype, "element", None)
    if isinstance(value, dict):
        return {str(k): to_json(v, element) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v, element) for v in value]
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode("ascii")
    return str(value)


class JsonText(str):
    """A string that is already JSON (the result of JSON_OBJECT / JSON_ARRAY / JSON_QUERY):
    nested in another JSON_OBJECT or JSON_ARRAY it is inserted as JSON, not quoted, as in Flink."""


class _RawNumber(str):
    pass


class _RawJson(str):
    pass


def dumps(value: object) -> str:
    """Compact JSON, as Flink's Jackson writes it, with DECIMALs and nested JSON kept verbatim."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (_RawNumber, _RawJson)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        from .types import java_double_str

        return java_double_str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(str(k), ensure_ascii=False) + ":" + dumps(v) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def scalar_text(node: object) -> str:
    """JSON_VALUE's text of a scalar: strings unquoted, numbers as written."""
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, Decimal):
        return str(node) if "E" in str(node) or "e" in str(node) else format(node, "f")
    return str(node)


def is_json(text: str, kind: str) -> bool:
    try:
        node = parse_json(text)
    except JsonPathError:
        return False
    if kind == "OBJECT":
        return isinstance(node, dict)
    if kind == "ARRAY":
        return isinstance(node, list)
    if kind == "SCALAR":
        return not isinstance(node, (dict, list))
    return True


def json_exists(text: str, path: str, on_error: str) -> bool | None:
    try:
        return bool(evaluate_path(parse_json(text), path))
    except JsonPathError as error:
        if on_error == "ERROR":
            raise ExecutionError(str(error)) from None
        return {"TRUE": True, "FALSE": False, "UNKNOWN": None}[on_error]


def json_query_items(text: str, path: str, wrapper: str) -> str | None:
    """JSON_QUERY's result, or raises JsonPathError for ON ERROR; None means empty."""
    items = evaluate_path(parse_json(text), path)
    if not items:
        return None
    if wrapper == "UNCONDITIONAL":
        return dumps(items)
    if wrapper == "CONDITIONAL":
        if len(items) == 1 and isinstance(items[0], (dict, list)):
            return dumps(items[0])
        return dumps(items)
    if len(items) != 1 or not isinstance(items[0], (dict, list)):
        raise JsonPathError(f"Strict JSON path '{path}' requires an object or array; use a WRAPPER clause")
    return dumps(items[0])
