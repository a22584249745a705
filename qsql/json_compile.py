"""Type-check and compile the SQL/JSON expressions (see json_functions for the semantics)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import ast
from . import types as T
from .errors import ExecutionError, QsqlTypeError
from .functions import check_json_convertible
from .json_functions import (
    JsonPathError,
    JsonText,
    dumps,
    evaluate_path,
    is_json,
    json_exists,
    json_query_items,
    parse_json,
    scalar_text,
    to_json,
)

if TYPE_CHECKING:  # expressions imports this module
    from .expressions import Compiled, Scope

_RETURNING_KINDS = ("VARCHAR", "CHAR", "BOOLEAN", "TINYINT", "SMALLINT", "INT", "BIGINT", "FLOAT", "DOUBLE")


def compile_is_json(expr: ast.IsJson, scope: Scope) -> Compiled:
    from .expressions import Compiled, compile_expr

    operand = compile_expr(expr.operand, scope)
    if not (operand.dtype.is_character or operand.dtype.kind == "NULL"):
        raise QsqlTypeError(
            f"Cannot apply 'IS JSON {expr.kind}' to arguments of type '<{operand.dtype.calcite_name()}>'", expr.span
        )
    inner: Callable[[tuple], Any] = operand.evaluate  # a character value (checked above)
    kind, negated = expr.kind, expr.negated

    def evaluate(row: tuple) -> object:
        value = inner(row)
        if value is None:
            return negated  # Flink: NULL IS JSON is FALSE
        return is_json(value, kind) != negated

    return Compiled(evaluate, T.BOOLEAN.with_nullable(False))


def _behavior(expr: ast.JsonCall, condition: str) -> ast.JsonBehavior | None:
    return next((b for b in expr.behaviors if b.condition == condition), None)


def compile_json_call(expr: ast.JsonCall, scope: Scope) -> Compiled:
    from .expressions import Compiled, compile_expr

    args = [compile_expr(a, scope) for a in expr.args]
    name = expr.name
    if name in ("JSON_OBJECT", "JSON_ARRAY"):
        for arg in args:
            check_json_convertible(arg.dtype, expr.span)
        evaluators = [a.evaluate for a in args]
        value_types = [a.dtype for a in args]
        absent = (expr.on_null or ("NULL" if name == "JSON_OBJECT" else "ABSENT")) == "ABSENT"
        if name == "JSON_OBJECT":
            for key in args[0::2]:
                if not (key.dtype.is_character):
                    raise QsqlTypeError(f"JSON_OBJECT keys must be strings, got {key.dtype}", expr.span)

            def build_object(row: tuple) -> object:
                members: dict[str, object] = {}
                for key_of, value_of, value_type in zip(evaluators[0::2], evaluators[1::2], value_types[1::2]):
                    key: Any = key_of(row)  # a character value (checked above)
                    value = value_of(row)
                    if key is None:
                        raise ExecutionError("JSON_OBJECT key must not be NULL")
                    if value is None and absent:
                        continue
                    members[key] = to_json(value, value_type)
                # Flink 2.3 writes JSON_OBJECT's members in key order
                return JsonText(dumps(dict(sorted(members.items()))))

            return Compiled(build_object, T.STRING.with_nullable(False))

        def build_array(row: tuple) -> object:
            values = [e(row) for e in evaluators]
            return JsonText(dumps([to_json(v, t) for v, t in zip(values, value_types) if not (v is None and absent)]))

        return Compiled(build_array, T.STRING.with_nullable(False))

    document, path = args[0], args[1]
    for arg in (document, path):
        if not (arg.dtype.is_character or arg.dtype.kind == "NULL"):
            raise QsqlTypeError(
                f"Cannot apply '{name}' to arguments of type '{name}(<{document.dtype.calcite_name()}>, <{path.dtype.calcite_name()}>)'",
                expr.span,
            )
    # Character values (checked above).
    doc_of: Callable[[tuple], Any] = document.evaluate
    path_of: Callable[[tuple], Any] = path.evaluate
    on_error = _behavior(expr, "ERROR")
    # ON EMPTY is parsed and checked but never applies: Flink 2.3 returns NULL for an empty
    # result whatever it says (checked in Flink 2.3.0), and so does qsql.

    if name == "JSON_EXISTS":
        response = on_error.response if on_error else "FALSE"

        def exists(row: tuple) -> object:
            text, where = doc_of(row), path_of(row)
            if text is None or where is None:
                return None
            return json_exists(text, where, response)

        return Compiled(exists, T.BOOLEAN.with_nullable(True))

    defaults = {b.condition: compile_expr(b.default, scope) for b in expr.behaviors if b.default is not None}

    def respond(behavior: ast.JsonBehavior | None, row: tuple, error: str | None, target: T.DataType) -> object:
        if behavior is None or behavior.response == "NULL":
            return None
        if behavior.response == "ERROR" and error is not None:
            raise ExecutionError(error)
        if behavior.response == "DEFAULT":
            compiled = defaults[behavior.condition]
            return T.cast_value(compiled.evaluate(row), compiled.dtype, target)
        if behavior.response == "EMPTY ARRAY":
            return "[]"
        if behavior.response == "EMPTY OBJECT":
            return "{}"
        return None

    if name == "JSON_QUERY":
        returning = expr.returning or T.STRING
        wrapper = expr.wrapper or "WITHOUT"

        def query(row: tuple) -> object:
            text, where = doc_of(row), path_of(row)
            if text is None or where is None:
                return None
            try:
                result = json_query_items(text, where, wrapper)
            except JsonPathError as error:
                return _returned(respond(on_error, row, str(error), T.STRING), returning)
            if result is None:
                return None  # Flink 2.3: a lax path that selects nothing is NULL whatever ON EMPTY says
            return _returned(result, returning)

        return Compiled(query, returning.with_nullable(True))

    returning = expr.returning or T.STRING
    if returning.kind not in _RETURNING_KINDS and returning.kind not in ("DATE", "TIMESTAMP", "TIME"):
        raise QsqlTypeError(f"Unsupported type '{returning}' for RETURNING in JSON_VALUE().", expr.span)
    for condition, compiled in defaults.items():
        if not T.can_cast_explicitly(compiled.dtype, returning):
            raise QsqlTypeError(
                f"DEFAULT ON {condition} of type {compiled.dtype} does not fit RETURNING {returning}", expr.span
            )

    def value(row: tuple) -> object:
        text, where = doc_of(row), path_of(row)
        if text is None or where is None:
            return None
        try:
            items = evaluate_path(parse_json(text), where)
            if not items or items[0] is None:
                return None  # Flink 2.3: an empty result is NULL whatever ON EMPTY says (even DEFAULT)
            if len(items) > 1 or isinstance(items[0], (dict, list)):
                raise JsonPathError(f"JSON path '{where}' selects no scalar value")
            node = items[0]
            result = scalar_text(node)
            if returning.is_character:
                return result
            try:
                return T.cast_value(result, T.STRING, returning)
            except ExecutionError as error:
                raise JsonPathError(str(error)) from None
        except JsonPathError as error:
            return respond(on_error, row, str(error), returning)

    return Compiled(value, returning.with_nullable(True))


def _returned(text: object, returning: T.DataType) -> object:
    if text is None or returning.kind != "ARRAY":
        return text
    node = parse_json(str(text))
    if not isinstance(node, list):
        return None
    element = returning.element or T.STRING
    return [
        None
        if v is None
        else T.cast_value(dumps(v) if isinstance(v, (dict, list)) else scalar_text(v), T.STRING, element)
        for v in node
    ]
