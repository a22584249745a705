"""Type-check an expression against the columns in scope and compile it to a Python closure.

Compiling once (at plan time) and calling a closure per row keeps the per-row cost to a few
function calls; every type decision (Flink's result types, implicit widening) is made here,
before any row flows and before any model request is sent.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, DivisionByZero, InvalidOperation, localcontext

from . import ast
from . import types as T
from .catalog import did_you_mean
from .errors import ExecutionError, QsqlTypeError, ValidationError
from .types import DataType

Row = tuple
Evaluator = Callable[[Row], object]


@dataclass(frozen=True)
class Field:
    """A column of an intermediate result; ``qualifier`` is the table name or alias it came from."""

    name: str
    dtype: DataType
    qualifier: str | None = None


@dataclass(frozen=True)
class Compiled:
    evaluate: Evaluator
    dtype: DataType
    constant: bool = False
    # Set when the expression is just a column of the input row (lets a projection use
    # operator.itemgetter instead of one call per column).
    column_index: int | None = None


class Scope:
    """The columns an expression can see, by (optional qualifier, name)."""

    def __init__(self, fields: list[Field]) -> None:
        self.fields = fields

    def resolve(self, ref: ast.ColumnRef) -> int:
        parts = [p.name for p in ref.parts]
        if len(parts) > 2:
            raise ValidationError(f"column reference '{'.'.join(parts)}' has too many parts", ref.span)
        qualifier, name = (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])
        if qualifier is not None and not any(f.qualifier == qualifier for f in self.fields):
            qualifiers = sorted({f.qualifier for f in self.fields if f.qualifier})
            raise ValidationError(
                f"Table '{qualifier}' not found", ref.parts[0].span, hint=did_you_mean(qualifier, qualifiers)
            )
        matches = [
            i for i, f in enumerate(self.fields) if f.name == name and (qualifier is None or f.qualifier == qualifier)
        ]
        if not matches:
            names = [f.name for f in self.fields]
            message = f"Column '{name}' not found in any table" if self.fields else f"Column '{name}' not found: the query has no FROM clause"
            raise ValidationError(message, ref.span, hint=did_you_mean(name, names))
        if len(matches) > 1:
            raise ValidationError(f"Column '{name}' is ambiguous", ref.span)
        return matches[0]


def compile_expr(expr: ast.Expr, scope: Scope) -> Compiled:
    handler = _HANDLERS.get(type(expr))
    if handler is None:
        raise ValidationError(f"{type(expr).__name__} is not supported here", expr.span)
    return handler(expr, scope)


def _literal(expr: ast.Literal, scope: Scope) -> Compiled:
    value = expr.value
    return Compiled(lambda row: value, expr.dtype, constant=True)


def _column(expr: ast.ColumnRef, scope: Scope) -> Compiled:
    index = scope.resolve(expr)
    return Compiled(lambda row: row[index], scope.fields[index].dtype, column_index=index)


def _unary(expr: ast.UnaryOp, scope: Scope) -> Compiled:
    operand = compile_expr(expr.operand, scope)
    dtype = operand.dtype
    if expr.op == "NOT":
        _require_boolean(operand, expr.operand, "NOT")
        inner = operand.evaluate
        return Compiled(lambda row: None if (v := inner(row)) is None else not v, T.BOOLEAN.with_nullable(dtype.nullable))
    if not (dtype.is_numeric or dtype.kind == "NULL"):
        raise QsqlTypeError(f"Cannot apply '{expr.op}' to arguments of type '{expr.op}<{dtype.name()}>'", expr.span)
    if expr.op == "+":
        return operand
    inner = operand.evaluate
    if dtype.is_integer:
        kind = dtype.kind
        return Compiled(lambda row: None if (v := inner(row)) is None else T.wrap_integer(-v, kind), dtype)
    return Compiled(lambda row: None if (v := inner(row)) is None else -v, dtype)


def _binary(expr: ast.BinaryOp, scope: Scope) -> Compiled:
    left = compile_expr(expr.left, scope)
    right = compile_expr(expr.right, scope)
    if expr.op in ("AND", "OR"):
        return _logical(expr, left, right)
    if expr.op in ("=", "<>", "<", ">", "<=", ">="):
        return _comparison(expr, left, right)
    if expr.op == "||":
        return _concat(expr, left, right)
    result = T.arithmetic_result_type(expr.op, left.dtype, right.dtype)
    if result is None:
        raise QsqlTypeError(
            f"Cannot apply '{expr.op}' to arguments of type '<{left.dtype.name()}> {expr.op} <{right.dtype.name()}>'. "
            f"Supported form(s): '<NUMERIC> {expr.op} <NUMERIC>'",
            expr.span,
        )
    operate = _arithmetic(expr.op, result)
    lf, rf = left.evaluate, right.evaluate

    def evaluate(row: Row) -> object:
        a = lf(row)
        if a is None:
            return None
        b = rf(row)
        if b is None:
            return None
        return operate(a, b)

    return Compiled(evaluate, result)


def _arithmetic(op: str, result: DataType) -> Callable[[object, object], object]:
    """The operation on non-NULL operands, with Java's integer and Flink's decimal semantics."""
    kind = result.kind
    if kind in T.INTEGER_BITS:

        def integer(a, b):  # type: ignore[no-untyped-def]
            a, b = int(a), int(b)
            if op == "+":
                return T.wrap_integer(a + b, kind)
            if op == "-":
                return T.wrap_integer(a - b, kind)
            if op == "*":
                return T.wrap_integer(a * b, kind)
            if b == 0:
                raise ExecutionError("division by zero" if op == "/" else "modulo by zero")
            quotient = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)
            return T.wrap_integer(quotient, kind) if op == "/" else T.wrap_integer(a - b * quotient, kind)

        return integer
    if kind == "DECIMAL":

        def decimal(a, b):  # type: ignore[no-untyped-def]
            a, b = Decimal(a), Decimal(b)
            with localcontext() as context:
                context.prec = 80
                context.rounding = ROUND_HALF_UP
                try:
                    if op == "+":
                        value = a + b
                    elif op == "-":
                        value = a - b
                    elif op == "*":
                        value = a * b
                    elif op == "/":
                        value = a / b
                    else:
                        value = a % b
                except (DivisionByZero, InvalidOperation):
                    raise ExecutionError("division by zero" if op == "/" else "modulo by zero") from None
            return T.fit_decimal(value, result)

        return decimal

    def approximate(a, b):  # type: ignore[no-untyped-def]
        a, b = float(a), float(b)
        if op == "+":
            value = a + b
        elif op == "-":
            value = a - b
        elif op == "*":
            value = a * b
        elif b == 0.0:
            if op == "%" or a == 0.0 or math.isnan(a):
                value = math.nan
            else:
                value = math.copysign(math.inf, a) * math.copysign(1.0, b)
        elif op == "/":
            value = a / b
        else:
            value = math.fmod(a, b)
        return T.cast_value(value, T.DOUBLE, result) if kind == "FLOAT" else value

    return approximate


def _concat(expr: ast.BinaryOp, left: Compiled, right: Compiled) -> Compiled:
    for side in (left, right):
        if not (side.dtype.is_character or side.dtype.kind == "NULL"):
            raise QsqlTypeError(
                f"Cannot apply '||' to arguments of type '<{left.dtype.name()}> || <{right.dtype.name()}>'",
                expr.span,
                hint="CAST the value to STRING first",
            )
    length = min((left.dtype.length or 0) + (right.dtype.length or 0), T.MAX_LENGTH)
    dtype = T.varchar(max(length, 1)).with_nullable(left.dtype.nullable or right.dtype.nullable)
    lf, rf = left.evaluate, right.evaluate

    def evaluate(row: Row) -> object:
        a = lf(row)
        if a is None:
            return None
        b = rf(row)
        return None if b is None else a + b

    return Compiled(evaluate, dtype)


def _comparison(expr: ast.BinaryOp, left: Compiled, right: Compiled) -> Compiled:
    lt, rt = left.dtype, right.dtype
    if T.common_type([lt, rt]) is None:
        raise QsqlTypeError(
            f"Cannot apply '{expr.op}' to arguments of type '<{lt.name()}> {expr.op} <{rt.name()}>'", expr.span
        )
    compare = {
        "=": lambda a, b: a == b,
        "<>": lambda a, b: a != b,
        "<": lambda a, b: a < b,
        ">": lambda a, b: a > b,
        "<=": lambda a, b: a <= b,
        ">=": lambda a, b: a >= b,
    }[expr.op]
    lf, rf = left.evaluate, right.evaluate

    def evaluate(row: Row) -> object:
        a = lf(row)
        if a is None:
            return None
        b = rf(row)
        return None if b is None else compare(a, b)

    return Compiled(evaluate, T.BOOLEAN.with_nullable(lt.nullable or rt.nullable))


def _logical(expr: ast.BinaryOp, left: Compiled, right: Compiled) -> Compiled:
    """SQL's three-valued AND / OR."""
    _require_boolean(left, expr.left, expr.op)
    _require_boolean(right, expr.right, expr.op)
    lf, rf = left.evaluate, right.evaluate
    nullable = left.dtype.nullable or right.dtype.nullable
    if expr.op == "AND":

        def evaluate(row: Row) -> object:
            a = lf(row)
            if a is False:
                return False
            b = rf(row)
            if b is False:
                return False
            return None if a is None or b is None else True

    else:

        def evaluate(row: Row) -> object:
            a = lf(row)
            if a is True:
                return True
            b = rf(row)
            if b is True:
                return True
            return None if a is None or b is None else False

    return Compiled(evaluate, T.BOOLEAN.with_nullable(nullable))


def _require_boolean(compiled: Compiled, expr: ast.Expr, op: str) -> None:
    if compiled.dtype.kind not in ("BOOLEAN", "NULL"):
        raise QsqlTypeError(f"{op} needs a BOOLEAN operand, got {compiled.dtype}", expr.span)


def _is_null(expr: ast.IsNull, scope: Scope) -> Compiled:
    operand = compile_expr(expr.operand, scope).evaluate
    if expr.negated:
        return Compiled(lambda row: operand(row) is not None, T.BOOLEAN.with_nullable(False))
    return Compiled(lambda row: operand(row) is None, T.BOOLEAN.with_nullable(False))


def _cast(expr: ast.Cast, scope: Scope) -> Compiled:
    operand = compile_expr(expr.operand, scope)
    source, target = operand.dtype, expr.target
    if not T.can_cast_explicitly(source, target):
        raise QsqlTypeError(f"Cast function cannot convert value of type {source} to type {target}", expr.span)
    inner = operand.evaluate
    nullable = operand.dtype.nullable or expr.safe or target.nullable and source.kind == "NULL"
    result = target.with_nullable(nullable)
    if expr.safe:

        def evaluate(row: Row) -> object:
            try:
                return T.cast_value(inner(row), source, target)
            except ExecutionError:
                return None

    else:

        def evaluate(row: Row) -> object:
            try:
                return T.cast_value(inner(row), source, target)
            except ExecutionError as error:
                raise error.locate(expr.span, None) from None

    return Compiled(evaluate, result, constant=operand.constant)


def _array(expr: ast.ArrayConstructor, scope: Scope) -> Compiled:
    if not expr.items:
        raise QsqlTypeError("ARRAY[] needs at least one element", expr.span)
    items = [compile_expr(item, scope) for item in expr.items]
    element = T.common_type([i.dtype for i in items])
    if element is None or element.kind == "NULL":
        raise QsqlTypeError(
            "ARRAY elements must have one common type, got " + ", ".join(str(i.dtype) for i in items), expr.span
        )
    if element.kind == "CHAR":
        element = T.varchar(element.length or 1).with_nullable(element.nullable)
    converters = [(i.evaluate, i.dtype) for i in items]

    def evaluate(row: Row) -> object:
        return [T.cast_value(f(row), t, element) for f, t in converters]

    return Compiled(evaluate, T.array(element).with_nullable(False))


def _map(expr: ast.MapConstructor, scope: Scope) -> Compiled:
    raise QsqlTypeError("MAP values are supported only as ML_PREDICT's config argument", expr.span)


def _function(expr: ast.FunctionCall, scope: Scope) -> Compiled:
    raise ValidationError(
        f"No match found for function signature {expr.name.name}(...): qsql does not know this function",
        expr.name.span,
    )


_HANDLERS: dict[type, Callable[..., Compiled]] = {
    ast.Literal: _literal,
    ast.ColumnRef: _column,
    ast.UnaryOp: _unary,
    ast.BinaryOp: _binary,
    ast.IsNull: _is_null,
    ast.Cast: _cast,
    ast.ArrayConstructor: _array,
    ast.MapConstructor: _map,
    ast.FunctionCall: _function,
}


def constant_value(expr: ast.Expr) -> object:
    """Evaluate an expression that needs no columns (literals in VALUES, config maps)."""
    return compile_expr(expr, Scope([])).evaluate(())

