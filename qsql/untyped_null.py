"""Where a bare ``NULL`` may stand: Flink's (Calcite's) rule, in one place.

A ``NULL`` literal has no type of its own. Calcite's validator gives it one only when the
operator it is an operand of infers its operands' types (an operand type inference): a
comparison types it from the other side (``a = NULL``), ``IN`` and ``BETWEEN`` from the value,
``CASE`` from the other branches, ``COALESCE``/``IFNULL`` from the other arguments, ``CAST`` from
the target. Every other operator — arithmetic, ``AND``/``OR``/``NOT``, ``||``, ``IF``, ``ROW``,
every scalar function and aggregate — has none, and the validator refuses the literal with
"Illegal use of 'NULL'" at the literal. Where an inferring operator has nothing to infer from
(every branch of a CASE is NULL, ``ARRAY[NULL]``), Calcite refuses the call with the
operator's own message instead.

:func:`check_operands` applies that rule to one expression node's direct operands; the
expression compiler calls it for every node it compiles, so the rule covers any nesting. Where
an expression stands on its own (a select item, a GROUP BY key, a VALUES cell), the planner asks
:func:`refuse` directly; a WHERE, HAVING or ON condition types a bare NULL as BOOLEAN, as in Flink.
Every case is checked against Flink 2.3 in tests/test_untyped_null.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from . import ast
from .errors import QsqlTypeError

ILLEGAL_USE = "Illegal use of 'NULL'"
HINT = "write CAST(NULL AS <type>)"

# Functions whose NULL arguments take the type of the others, as long as one argument is typed:
# Calcite's FIRST_KNOWN / LEAST_RESTRICTIVE operand type inference (checked with Flink 2.3).
_TYPED_FROM_OTHER_ARGUMENTS = frozenset({"COALESCE", "IFNULL"})

# Flink's own functions (its newer type inference rather than Calcite's) whose input strategy
# takes a NULL argument: from which argument on a bare NULL is accepted, 0 meaning every one
# (checked with Flink 2.3; e.g. ARRAY_CONTAINS(ARRAY[1], NULL) passes, ARRAY_CONTAINS(NULL, 1) not).
_NULL_ACCEPTED_FROM: dict[str, int] = {
    **dict.fromkeys(
        (
            "TYPEOF",
            "BTRIM",
            "ENDSWITH",
            "STARTSWITH",
            "PRINTF",
            "REGEXP_COUNT",
            "REGEXP_EXTRACT_ALL",
            "SPLIT",
            "URL_DECODE",
            "URL_ENCODE",
            "JSON_QUOTE",
            "JSON_UNQUOTE",
            "JSON_STRING",
        ),
        0,
    ),
    **dict.fromkeys(
        (
            "ARRAY_APPEND",
            "ARRAY_CONTAINS",
            "ARRAY_JOIN",
            "ARRAY_POSITION",
            "ARRAY_PREPEND",
            "ARRAY_REMOVE",
            "ARRAY_SLICE",
        ),
        1,
    ),
}

# Comparison operators type a NULL operand from the other side, and accept NULL = NULL.
_COMPARISONS = frozenset({"=", "<>", "!=", "<", ">", "<=", ">="})


def is_untyped_null(expr: ast.Expr | None) -> bool:
    """A bare NULL literal (``CAST(NULL AS INT)`` is typed, so is not one)."""
    return isinstance(expr, ast.Literal) and expr.dtype.kind == "NULL"


def refuse(expr: ast.Expr) -> None:
    """Refuse ``expr`` if it is a bare NULL: it stands where nothing gives it a type."""
    if is_untyped_null(expr):
        raise QsqlTypeError(ILLEGAL_USE, expr.span, hint=HINT)


def _refuse_any(operands: Sequence[ast.Expr | None]) -> None:
    """An operator without operand type inference: the first bare NULL is refused (Calcite
    reports the leftmost one)."""
    for operand in operands:
        if operand is not None:
            refuse(operand)


def check_operands(expr: ast.Expr) -> None:
    """Raise Flink's error if one of ``expr``'s direct operands is a bare NULL that its operator
    cannot type; do nothing otherwise (also for nodes without operands)."""
    rule = _RULES.get(type(expr))
    if rule is not None:
        rule(expr)


def _binary(expr: ast.Expr) -> None:
    assert isinstance(expr, ast.BinaryOp)
    if expr.op not in _COMPARISONS:  # arithmetic, ||, AND, OR
        _refuse_any((expr.left, expr.right))


def _unary(expr: ast.Expr) -> None:
    assert isinstance(expr, ast.UnaryOp)
    refuse(expr.operand)  # -NULL, +NULL, NOT NULL


def _case(expr: ast.Expr) -> None:
    """The WHEN conditions and the simple CASE's operand and values are typed by the CASE
    (BOOLEAN, or each other); the results need one typed branch."""
    assert isinstance(expr, ast.Case)
    results = [result for _, result in expr.whens] + [expr.default]
    if all(result is None or is_untyped_null(result) for result in results):
        raise QsqlTypeError("ELSE clause or at least one THEN clause must be non-NULL", expr.span, hint=HINT)


def _array(expr: ast.Expr) -> None:
    assert isinstance(expr, ast.ArrayConstructor)
    if expr.items and all(is_untyped_null(item) for item in expr.items):
        raise QsqlTypeError("Parameters must be of the same type", expr.span, hint=HINT)


def _map(expr: ast.Expr) -> None:
    """MAP[...] types every bare NULL item as its first item (Calcite's FIRST_KNOWN, to which a
    NULL first item is known too: as NULL). So with a typed first item every NULL is typed (the
    expression compiler applies it, ``expressions._map``); with a NULL first item the NULLs stay
    untyped and only keys, or values, that are all NULL are refused. Checked with Flink 2.3:
    ``MAP['a', NULL]`` and ``MAP[NULL, 'a', 1, 'b']`` pass, ``MAP[NULL, 1]`` does not."""
    assert isinstance(expr, ast.MapConstructor)
    if expr.items and is_untyped_null(expr.items[0]):
        keys, values = expr.items[0::2], expr.items[1::2]
        if all(is_untyped_null(k) for k in keys) or all(is_untyped_null(v) for v in values):
            raise QsqlTypeError("Parameters must be of the same type", expr.span, hint=HINT)


def _in_list(expr: ast.Expr) -> None:
    """IN types its operand and items from each other; all of them NULL is refused at the list."""
    assert isinstance(expr, ast.InList)
    if is_untyped_null(expr.operand) and all(is_untyped_null(item) for item in expr.items):
        first, span = expr.items[0].span, expr.span
        # The list's "(" is not kept by the parser: it stands just before the first item.
        start = first._replace(column=first.column - 1, start_pos=first.start_pos - 1)
        at = start._replace(end_line=span.end_line, end_column=span.end_column, end_pos=span.end_pos)
        raise QsqlTypeError("Values in expression list must have compatible types", at, hint=HINT)


def _function(expr: ast.Expr) -> None:
    assert isinstance(expr, ast.FunctionCall)
    name = expr.name.name.upper()
    if name in _NULL_ACCEPTED_FROM and not _trim_syntax(expr):
        _refuse_any(expr.args[: _NULL_ACCEPTED_FROM[name]])
        return
    if name in _TYPED_FROM_OTHER_ARGUMENTS:
        if expr.args and all(is_untyped_null(a) for a in expr.args):
            refuse(expr.args[0])
        return
    if name.startswith(("JSON_ARRAYAGG", "JSON_OBJECTAGG")):
        # The value (the last argument) passes Flink's validation and fails in its planner like
        # JSON_OBJECT's: "Type is not supported: ANY" (Flink 2.3); a NULL key is refused as usual.
        _refuse_any(expr.args[:-1])
        _refuse_json_value(expr.args[-1:])
        return
    if name == "NULLIF":
        # Calcite rewrites NULLIF(a, b) to CASE WHEN a = b THEN NULL ELSE a END: a bare NULL
        # first argument leaves that CASE without a typed branch; b is typed by the comparison.
        if expr.args and is_untyped_null(expr.args[0]):
            raise QsqlTypeError("ELSE clause or at least one THEN clause must be non-NULL", expr.span, hint=HINT)
        return
    _refuse_any(expr.args)


def _trim_syntax(call: ast.FunctionCall) -> bool:
    """``TRIM([BOTH ...] x)``, which the parser turns into a BTRIM call named by the whole
    expression: Calcite's TRIM refuses a NULL that Flink's BTRIM function takes (Flink 2.3)."""
    return call.name.span == call.span


def _json(expr: ast.Expr) -> None:
    """JSON_VALUE/JSON_QUERY/JSON_EXISTS refuse a NULL document in validation. JSON_OBJECT and
    JSON_ARRAY pass Flink's validation with a NULL value and then fail in its planner, "Type is not
    supported: ANY" (no position; checked with Flink 2.3): qsql refuses at the literal."""
    assert isinstance(expr, ast.JsonCall)
    if expr.name == "JSON_OBJECT":
        # Flink refuses a NULL key in validation with this message, at the call (Flink 2.3).
        if any(is_untyped_null(key) for key in expr.args[0::2]):
            raise QsqlTypeError("Argument to function 'NULL' must not be NULL", expr.span, hint=HINT)
        _refuse_json_value(expr.args[1::2])
    elif expr.name == "JSON_ARRAY":
        _refuse_json_value(expr.args)
    _refuse_any(expr.args)


def _refuse_json_value(values: Sequence[ast.Expr]) -> None:
    for value in values:
        if is_untyped_null(value):
            raise QsqlTypeError("Type is not supported: ANY", value.span, hint=HINT)


def refuse_sort_key(expr: ast.Expr) -> None:
    """ORDER BY NULL passes Flink's validation and fails in its planner, "Unsupported type 'NULL'
    to get internal serializer" (no position; checked with Flink 2.3): qsql refuses at the literal."""
    if is_untyped_null(expr):
        raise QsqlTypeError("Unsupported type 'NULL' to get internal serializer", expr.span, hint=HINT)


def _no_inference(operands: Callable[[ast.Expr], Sequence[ast.Expr | None]]) -> Callable[[ast.Expr], None]:
    return lambda expr: _refuse_any(operands(expr))


def _typed_by_operator(expr: ast.Expr) -> None:
    """IS NULL, IS DISTINCT FROM, BETWEEN, CAST: every operand may be a bare NULL. LIKE
    types a NULL pattern from its value too, but then its signature (character strings only)
    refuses the NULL type: that is the expression compiler's "Cannot apply 'LIKE'" message."""


_RULES: dict[type, Callable[[ast.Expr], None]] = {
    ast.BinaryOp: _binary,
    ast.UnaryOp: _unary,
    ast.Case: _case,
    ast.ArrayConstructor: _array,
    ast.MapConstructor: _map,
    ast.FunctionCall: _function,
    ast.Like: _typed_by_operator,
    ast.IsNull: _typed_by_operator,
    ast.IsDistinctFrom: _typed_by_operator,
    ast.InList: _in_list,
    ast.Between: _typed_by_operator,
    ast.Cast: _typed_by_operator,
    ast.IsBool: _no_inference(lambda e: (e.operand,)),  # type: ignore[attr-defined]
    ast.RowConstructor: _no_inference(lambda e: e.items),  # type: ignore[attr-defined]
    ast.Extract: _no_inference(lambda e: (e.operand,)),  # type: ignore[attr-defined]
    ast.IsUnknown: _no_inference(lambda e: (e.operand,)),  # type: ignore[attr-defined]
    ast.IsJson: _no_inference(lambda e: (e.operand,)),  # type: ignore[attr-defined]
    ast.Subscript: _no_inference(lambda e: (e.base, e.index)),  # type: ignore[attr-defined]
    ast.JsonCall: _json,
}
