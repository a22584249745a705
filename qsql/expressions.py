"""Type-check an expression against the columns in scope and compile it to a Python closure.

Compiling once (at plan time) and calling a closure per row keeps the per-row cost to a few
function calls; every type decision (Flink's result types, implicit widening) is made here,
before any row flows and before any model request is sent.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, DivisionByZero, InvalidOperation, localcontext
from typing import TYPE_CHECKING, Any, TypeVar

from . import ast
from . import functions as F
from . import types as T
from .column import Column
from .errors import ExecutionError, QsqlTypeError, ValidationError
from .lazydataclass import lazy_dataclass
from .suggest import did_you_mean
from .timezone import statement_instant, to_local
from .types import DataType
from .untyped_null import check_operands as check_untyped_nulls

if TYPE_CHECKING:  # the planner imports this module
    from .planner import Planner

Row = tuple
Evaluator = Callable[[Row], object]


@lazy_dataclass(frozen=True)
class Compiled:
    evaluate: Evaluator
    dtype: DataType
    constant: bool = False
    # Set when the expression is just a column of the input row (lets a projection use
    # operator.itemgetter instead of one call per column).
    column_index: int | None = None


class Scope:
    """The columns an expression can see, by (optional qualifier, name).

    After GROUP BY, ``substitutions`` maps each grouping expression and aggregate call (by
    structure) to its slot in the aggregated row; any other column reference is an error,
    as in Flink ("Expression 'x' is not being grouped").
    """

    def __init__(
        self,
        fields: list[Column],
        substitutions: dict[ast.Expr, tuple[int, DataType]] | None = None,
        input_scope: Scope | None = None,
        grouped_columns: dict[int, tuple[int, DataType]] | None = None,
        outer: OuterScope | None = None,
        planner: Planner | None = None,
        window_slots: dict[ast.Expr, tuple[int, DataType]] | None = None,
    ) -> None:
        self.fields = fields
        self.substitutions = substitutions
        # After GROUP BY: the scope before aggregation, and which of its columns are grouped
        # (so GROUP BY t.tag lets SELECT say tag).
        self.input_scope = input_scope
        self.grouped_columns = grouped_columns or {}
        # A subquery's view of the query around it (correlated columns), the planner that
        # plans subqueries, and the OVER calls a window step already computed.
        self.outer = outer
        self.planner = planner
        self.window_slots = window_slots

    def knows(self, ref: ast.ColumnRef) -> bool:
        """Whether ``ref`` names a column here (else it may be a correlated outer column)."""
        parts = [p.name for p in ref.parts]
        if len(parts) >= 2:  # t.c, or r.f with r a ROW column
            return any(f.qualifier == parts[0] or (f.name == parts[0] and not f.hidden) for f in self.fields)
        return any(f.name == parts[-1] and not f.hidden for f in self.fields)

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
            i
            for i, f in enumerate(self.fields)
            if f.name == name and (f.qualifier == qualifier if qualifier is not None else not f.hidden)
        ]
        if not matches:
            names = [f.name for f in self.fields]
            message = (
                f"Column '{name}' not found in any table"
                if self.fields
                else f"Column '{name}' not found: the query has no FROM clause"
            )
            raise ValidationError(message, ref.span, hint=did_you_mean(name, names))
        if len(matches) > 1:
            raise ValidationError(f"Column '{name}' is ambiguous", ref.span)
        return matches[0]


class OuterScope:
    """The enclosing query's scope as a correlated subquery sees it: a column of the outer
    query reads ``cell.row``, the outer row the subquery is being evaluated for."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.row: Row = ()
        self.used = False  # set when a column of the outer query is referenced (correlated)

    def reference(self, ref: ast.ColumnRef) -> Compiled:
        compiled = compile_expr(ref, self.scope)
        outer = compiled.evaluate
        self.used = True
        return Compiled(lambda row: outer(self.row), compiled.dtype)


def compile_expr(expr: ast.Expr, scope: Scope) -> Compiled:
    if scope.window_slots is not None and isinstance(expr, ast.Over):
        slot = scope.window_slots.get(expr)
        if slot is not None:
            index, dtype = slot
            return Compiled(lambda row: row[index], dtype, column_index=index)
    if scope.substitutions is not None:
        slot = scope.substitutions.get(expr)
        if slot is not None:
            index, dtype = slot
            return Compiled(lambda row: row[index], dtype, column_index=index)
        if isinstance(expr, ast.ColumnRef):
            if scope.outer is not None and scope.input_scope is not None and not scope.input_scope.knows(expr):
                return scope.outer.reference(expr)
            if scope.input_scope is not None:
                index = scope.input_scope.resolve(expr)
                if index in scope.grouped_columns:
                    grouped, dtype = scope.grouped_columns[index]
                    return Compiled(lambda row: row[grouped], dtype, column_index=grouped)
            raise ValidationError(
                f"Expression '{'.'.join(p.name for p in expr.parts)}' is not being grouped", expr.span
            )
    handler = _HANDLERS.get(type(expr))
    if handler is None:
        raise ValidationError(f"{type(expr).__name__} is not supported here", expr.span)
    check_untyped_nulls(expr)
    return handler(expr, scope)


def _literal(expr: ast.Literal, scope: Scope) -> Compiled:
    value = expr.value
    if isinstance(value, float) and math.isinf(value) and expr.text:
        # 1e999 overflows DOUBLE: Calcite refuses the literal rather than make it Infinity.
        raise ValidationError(f"Numeric literal '{_scientific(expr.text)}' out of range", expr.span)
    return Compiled(lambda row: value, expr.dtype, constant=True)


def _scientific(text: str) -> str:
    """An approximate-number literal as Calcite names it in errors: ``1.5e400`` -> ``1.5E400``."""
    sign, digits, exponent = Decimal(text).as_tuple()
    mantissa = "".join(map(str, digits))
    power = len(digits) - 1 + int(exponent)
    shown = mantissa[0] + ("." + mantissa[1:] if len(mantissa) > 1 else "")
    return ("-" if sign else "") + f"{shown}E{power}"


def _column(expr: ast.ColumnRef, scope: Scope) -> Compiled:
    if scope.outer is not None and not scope.knows(expr):
        access = _row_field_access(expr, scope)
        if access is not None:
            return access
        return scope.outer.reference(expr)
    try:
        index = scope.resolve(expr)
    except ValidationError:
        access = _row_field_access(expr, scope)
        if access is None:
            raise
        return access
    return Compiled(lambda row: row[index], scope.fields[index].dtype, column_index=index)


def _row_field_access(expr: ast.ColumnRef, scope: Scope) -> Compiled | None:
    """``r.f`` / ``t.r.f.g``: a column of type ROW followed by field names."""
    for split in (2, 1):
        if len(expr.parts) <= split:
            continue
        head = ast.ColumnRef(parts=expr.parts[:split], span=expr.span)
        try:
            base = compile_expr(head, scope)
        except ValidationError:
            continue
        getters: list[int] = []
        dtype = base.dtype
        for part in expr.parts[split:]:
            if dtype.kind != "ROW" or not dtype.fields:
                return None
            names = [f.name for f in dtype.fields]
            if part.name not in names:
                raise ValidationError(
                    f"Unknown field '{part.name}' in {dtype}", part.span, hint=did_you_mean(part.name, names)
                )
            position = names.index(part.name)
            getters.append(position)
            nullable = dtype.nullable
            dtype = dtype.fields[position].dtype
            if nullable:
                dtype = dtype.with_nullable(True)
        inner = base.evaluate

        # Defined in the loop but returned at once: the loop variables cannot change under it.
        def evaluate(row: Row) -> object:
            value: Any = inner(row)  # noqa: B023 (a ROW value: a tuple)
            for position in getters:  # noqa: B023
                if value is None:
                    return None
                value = value[position]
            return value

        return Compiled(evaluate, dtype)
    return None


def _unary(expr: ast.UnaryOp, scope: Scope) -> Compiled:
    operand = compile_expr(expr.operand, scope)
    dtype = operand.dtype
    if expr.op == "NOT":
        _require_boolean(operand, expr.operand, "NOT")
        inner = operand.evaluate
        return Compiled(
            lambda row: None if (v := inner(row)) is None else not v, T.BOOLEAN.with_nullable(dtype.nullable)
        )
    if dtype.kind in ("INTERVAL_DAY_TIME", "INTERVAL_YEAR_MONTH"):
        inner_interval: Callable[[Row], Any] = operand.evaluate  # an interval: an int or a timedelta
        if expr.op == "+":
            return operand
        return Compiled(lambda row: None if (v := inner_interval(row)) is None else -v, dtype)
    if not (dtype.is_numeric or dtype.kind == "NULL"):
        raise QsqlTypeError(
            f"Cannot apply '{expr.op}' to arguments of type '{expr.op}<{dtype.calcite_name()}>'. "
            f"Supported form(s): '{expr.op}<NUMERIC>'",
            expr.span,
        )
    if expr.op == "+":
        return operand
    inner_number: Callable[[Row], Any] = operand.evaluate  # a number (checked above)
    if dtype.is_integer:
        kind = dtype.kind
        return Compiled(lambda row: None if (v := inner_number(row)) is None else T.wrap_integer(-v, kind), dtype)
    return Compiled(lambda row: None if (v := inner_number(row)) is None else -v, dtype)


# A left-deep chain of binary operators (a OR b OR c ..., 1 + 2 + 3 ...) longer than this is
# compiled as one loop instead of nested closures, so its depth never reaches Python's limit.
_CHAIN_THRESHOLD = 16


class _Pair:
    """The (left, right) operands of one link of a flattened chain; the right operand is
    computed only when the operator asks for it, so AND/OR still short-circuit."""

    __slots__ = ("left", "right", "row")

    def __init__(self, row: Row) -> None:
        self.row = row
        self.left: object = None
        self.right: Evaluator = lambda row: None

    def __getitem__(self, index: int) -> object:
        return self.left if index == 0 else self.right(self.row)


def _binary(expr: ast.BinaryOp, scope: Scope) -> Compiled:
    spine: list[ast.BinaryOp] = []
    node: ast.Expr = expr
    while isinstance(node, ast.BinaryOp) and (not spine or scope.substitutions is None):
        spine.append(node)
        node = node.left
    if len(spine) <= _CHAIN_THRESHOLD:
        return _combine(expr, compile_expr(expr.left, scope), compile_expr(expr.right, scope))
    compiled = compile_expr(node, scope)
    first = compiled.evaluate
    links: list[tuple[Evaluator, Evaluator]] = []
    for link in reversed(spine):
        check_untyped_nulls(link)
        right = compile_expr(link.right, scope)
        step = _combine(link, Compiled(_left_operand, compiled.dtype), Compiled(_right_operand, right.dtype))
        links.append((step.evaluate, right.evaluate))
        compiled = step

    def evaluate(row: Row) -> object:
        pair = _Pair(row)
        value = first(row)
        for operate, right_of in links:
            pair.left, pair.right = value, right_of
            # The link's operand evaluators read pair[0] and pair[1]: a _Pair stands in for the row.
            value = operate(pair)  # type: ignore[arg-type]
        return value

    return Compiled(evaluate, compiled.dtype)


def _left_operand(pair: Row) -> object:
    return pair[0]


def _right_operand(pair: Row) -> object:
    return pair[1]


def _combine(expr: ast.BinaryOp, left: Compiled, right: Compiled) -> Compiled:
    """One binary operator over compiled operands: type check and evaluator."""
    if expr.op in ("AND", "OR"):
        return _logical(expr, left, right)
    if expr.op in ("=", "<>", "<", ">", "<=", ">="):
        return _comparison(expr, left, right)
    if expr.op == "||":
        return _concat(expr, left, right)
    temporal = temporal_arithmetic(expr, left, right)
    if temporal is not None:
        return temporal
    result = T.arithmetic_result_type(expr.op, left.dtype, right.dtype)
    if result is None:
        raise QsqlTypeError(
            f"Cannot apply '{expr.op}' to arguments of type '<{left.dtype.calcite_name()}> {expr.op} "
            f"<{right.dtype.calcite_name()}>'. "
            f"Supported form(s): '<{'EXACT_NUMERIC' if expr.op == '%' else 'NUMERIC'}> {expr.op} "
            f"<{'EXACT_NUMERIC' if expr.op == '%' else 'NUMERIC'}>'",
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
    """The operation on non-NULL operands, with Java's integer and Flink's decimal semantics.
    The operands are numbers of the types the planner checked (``Any``: Python cannot see it)."""
    kind = result.kind
    if kind in T.INTEGER_BITS:

        def integer(a: Any, b: Any) -> int:
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

        def decimal(a: Any, b: Any) -> Decimal | None:
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

    def approximate(a: Any, b: Any) -> object:
        a, b = float(a), float(b)
        if op == "+":
            value = a + b
        elif op == "-":
            value = a - b
        elif op == "*":
            value = a * b
        elif b == 0.0:  # "/" (% takes exact numbers only, as in Flink)
            if a == 0.0 or math.isnan(a):
                value = math.nan
            else:
                value = math.copysign(math.inf, a) * math.copysign(1.0, b)
        else:
            value = a / b
        return T.cast_value(value, T.DOUBLE, result) if kind == "FLOAT" else value

    return approximate


def _concat(expr: ast.BinaryOp, left: Compiled, right: Compiled) -> Compiled:
    for side in (left, right):
        if not (side.dtype.is_character or side.dtype.kind == "NULL"):
            raise QsqlTypeError(
                f"Cannot apply '||' to arguments of type '<{left.dtype.calcite_name()}> || <{right.dtype.calcite_name()}>'. "
                "Supported form(s): '<STRING> || <STRING>'",
                expr.span,
                hint="CAST the value to STRING first",
            )
    length = min((left.dtype.length or 0) + (right.dtype.length or 0), T.MAX_LENGTH)
    # (Flink 2.3) CHAR(1) || CHAR(1) is CHAR(2); with any VARCHAR it is VARCHAR of the summed lengths
    both_char = left.dtype.kind == "CHAR" and right.dtype.kind == "CHAR"
    dtype = (T.char(length) if both_char else T.varchar(max(length, 1))).with_nullable(
        left.dtype.nullable or right.dtype.nullable
    )
    lf: Callable[[Row], Any] = left.evaluate  # character values (checked above)
    rf = right.evaluate

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
            f"Cannot apply '{expr.op}' to arguments of type '<{lt.calcite_name()}> {expr.op} <{rt.calcite_name()}>'",
            expr.span,
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
    element = T.common_type([i.dtype for i in items])  # (Flink 2.3) ARRAY['a', 'b'] is ARRAY<CHAR(1) NOT NULL>
    if element is None or element.kind == "NULL":
        raise QsqlTypeError(
            "ARRAY elements must have one common type, got " + ", ".join(str(i.dtype) for i in items), expr.span
        )
    converters = [(i.evaluate, i.dtype) for i in items]
    if all(t.with_nullable(element.nullable) is element for _, t in converters):
        # Already of the element type (ARRAY[ARRAY[...]]): converting would walk the whole
        # nested value again at every level.
        evaluators = [f for f, _ in converters]

        def evaluate(row: Row) -> object:
            return [f(row) for f in evaluators]
    else:

        def evaluate(row: Row) -> object:
            return [T.cast_value(f(row), t, element) for f, t in converters]

    return Compiled(evaluate, T.array(element).with_nullable(False))


def _map(expr: ast.MapConstructor, scope: Scope) -> Compiled:
    """MAP[k1, v1, k2, v2 ...]: a later duplicate key wins, as in Flink."""
    if not expr.items:
        raise QsqlTypeError("Map requires at least 2 arguments", expr.span)  # Calcite's words (Flink 2.3)
    if len(expr.items) % 2:
        raise QsqlTypeError("MAP[...] needs an even number of items: key, value, key, value ...", expr.span)
    items = [compile_expr(item, scope) for item in expr.items]
    first = items[0].dtype
    typed_nulls = first.kind != "NULL" and any(i.dtype.kind == "NULL" for i in items)
    if typed_nulls:
        # A bare NULL item takes the first item's type, as Calcite infers it (untyped_null._map).
        items = [Compiled(i.evaluate, first.with_nullable(True)) if i.dtype.kind == "NULL" else i for i in items]
    key_type = T.common_type([i.dtype for i in items[0::2]])
    value_type = T.common_type([i.dtype for i in items[1::2]])
    if key_type is None or value_type is None:
        if typed_nulls:  # MAP['a', NULL, 'b', 1]: the NULL is a CHAR(1) among INT values (Flink 2.3)
            raise QsqlTypeError("Parameters must be of the same type", expr.span, hint="write CAST(NULL AS <type>)")
        raise QsqlTypeError("MAP keys and values must each have one common type", expr.span)
    keys = [(i.evaluate, i.dtype) for i in items[0::2]]
    values = [(i.evaluate, i.dtype) for i in items[1::2]]

    # Flink keeps CHAR keys as CHAR (MAP<CHAR(1) NOT NULL, INT>) when all have one length.
    def evaluate(row: Row) -> object:
        return {
            T.cast_value(kf(row), kt, key_type): T.cast_value(vf(row), vt, value_type)
            for (kf, kt), (vf, vt) in zip(keys, values)
        }

    return Compiled(
        evaluate, T.map_of(key_type, value_type).with_nullable(False), constant=all(i.constant for i in items)
    )


def _row(expr: ast.RowConstructor, scope: Scope) -> Compiled:
    items = [compile_expr(item, scope) for item in expr.items]
    fields = tuple(T.RowField(f"EXPR${i}", item.dtype) for i, item in enumerate(items))
    evaluators = [i.evaluate for i in items]
    return Compiled(
        lambda row: tuple(e(row) for e in evaluators),
        T.row(fields).with_nullable(False),
        constant=all(i.constant for i in items),
    )


def _is_distinct(expr: ast.IsDistinctFrom, scope: Scope) -> Compiled:
    left, right = compile_expr(expr.left, scope), compile_expr(expr.right, scope)
    if T.common_type([left.dtype, right.dtype]) is None:
        raise QsqlTypeError(
            f"Cannot apply 'IS DISTINCT FROM' to arguments of type '<{left.dtype.calcite_name()}> IS DISTINCT FROM "
            f"<{right.dtype.calcite_name()}>'",
            expr.span,
        )
    lf, rf, negated = left.evaluate, right.evaluate, expr.negated

    def evaluate(row: Row) -> object:
        a, b = lf(row), rf(row)
        same = (a is None and b is None) or (a is not None and b is not None and a == b)
        return same if negated else not same

    return Compiled(evaluate, T.BOOLEAN.with_nullable(False))


def _is_unknown(expr: ast.IsUnknown, scope: Scope) -> Compiled:
    operand = compile_expr(expr.operand, scope)
    _require_boolean(operand, expr.operand, "IS UNKNOWN")
    inner, negated = operand.evaluate, expr.negated
    return Compiled(lambda row: (inner(row) is None) != negated, T.BOOLEAN.with_nullable(False))


def _time_unit(expr: ast.TimeUnit, scope: Scope) -> Compiled:
    raise ValidationError(
        f"time unit {expr.unit} is only allowed as the first argument of TIMESTAMPADD/TIMESTAMPDIFF", expr.span
    )


def _function(expr: ast.FunctionCall, scope: Scope) -> Compiled:
    name = expr.name.name.upper()
    if name in F.AGGREGATES:
        raise ValidationError(
            f"aggregate {name}(...) is not allowed here",
            expr.span,
            hint="aggregates belong in the SELECT list, HAVING or ORDER BY of a query",
        )
    if expr.filter is not None:
        raise ValidationError(f"FILTER must be applied to aggregate function, not {name}", expr.span)
    if name in ("TIMESTAMPADD", "TIMESTAMPDIFF"):
        return _timestamp_add_diff(name, expr, scope)
    if name in _NOW_FUNCTIONS:
        if expr.args:
            raise QsqlTypeError(f"{name} takes no arguments, got {len(expr.args)}", expr.span)
        return _current_time(ast.CurrentTime(name=name, span=expr.span), scope)
    if len(expr.args) == 2 and isinstance(expr.args[1], ast.TimeUnit):
        return floor_ceil_to(name, compile_expr(expr.args[0], scope), expr.args[1], expr.span)
    if (
        name not in F.SCALARS
        and name not in F.TYPED_SCALARS
        and scope.substitutions is not None
        and scope.input_scope is not None
    ):
        # Not a function qsql knows: say so (with the argument types as Flink shows them)
        # instead of complaining that its argument is not grouped.
        args = [compile_expr(a, scope.input_scope) for a in expr.args]
    else:
        args = [compile_expr(a, scope) for a in expr.args]
    types = [a.dtype for a in args]
    if name == "TYPEOF" and len(types) == 1:
        text = str(types[0])  # Flink's TYPEOF: the type as Flink spells it, e.g. 'INT NOT NULL'
        # (Flink 2.3) its result type is a nullable STRING, though it never returns NULL
        return Compiled(lambda row: text, T.STRING, constant=True)
    scalar: F.Scalar | None
    if name in F.TYPED_SCALARS:
        literals = [a.evaluate(()) if a.constant else None for a in args]
        scalar = F.typed_scalar(name, types, literals, expr.span)
    else:
        scalar = F.SCALARS.get(name)
        if scalar is None:
            kinds = ", ".join(f"<{_family(t)}>" for t in types)
            raise ValidationError(
                f"No match found for function signature {expr.name.name}({kinds})",
                expr.name.span,
                hint=did_you_mean(name, F.KNOWN_FUNCTIONS) or "see docs/reference.md for the functions qsql has",
            )
    if len(args) < scalar.min_args or (scalar.max_args is not None and len(args) > scalar.max_args):
        expected = (
            str(scalar.min_args)
            if scalar.min_args == scalar.max_args
            else (
                f"{scalar.min_args} to {scalar.max_args}"
                if scalar.max_args is not None
                else f"at least {scalar.min_args}"
            )
        )
        raise ValidationError(f"{name} takes {expected} argument(s), got {len(args)}", expr.span)
    result = scalar.result_type(types, expr.span)
    evaluators = [a.evaluate for a in args]
    first_value = F.RETURNS_AN_ARGUMENT.get(name)
    if first_value is not None:
        evaluators[first_value:] = [_to_type(a, result) for a in args[first_value:]]
    implementation = scalar.implementation
    if scalar.null_propagating:

        def evaluate(row: Row) -> object:
            values = [e(row) for e in evaluators]
            if None in values:
                return None
            return implementation(*values)

    else:

        def evaluate(row: Row) -> object:
            return implementation(*[e(row) for e in evaluators])

    def located(row: Row) -> object:
        try:
            return evaluate(row)
        except ExecutionError as error:
            raise error.locate(expr.span, None) from None

    return Compiled(located, result, constant=all(a.constant for a in args))


def _family(dtype: DataType) -> str:
    if dtype.is_numeric:
        return "NUMERIC"
    if dtype.is_character:
        return "CHARACTER"
    return dtype.kind


def _is_bool(expr: ast.IsBool, scope: Scope) -> Compiled:
    operand = compile_expr(expr.operand, scope)
    _require_boolean(operand, expr.operand, "IS TRUE" if expr.value else "IS FALSE")
    inner, wanted, negated = operand.evaluate, expr.value, expr.negated
    return Compiled(lambda row: (inner(row) is wanted) != negated, T.BOOLEAN.with_nullable(False))


def like_regex(pattern: str, escape: str | None) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if escape and char == escape and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def _like(expr: ast.Like, scope: Scope) -> Compiled:
    operand = compile_expr(expr.operand, scope)
    pattern = compile_expr(expr.pattern, scope)
    operand_type, pattern_type = operand.dtype, pattern.dtype
    untyped = operand_type.kind == "NULL" or pattern_type.kind == "NULL"
    if pattern_type.kind == "NULL":
        pattern_type = operand_type  # Calcite types a bare NULL pattern from the value (for its message) ...
    if untyped or not operand_type.is_character or not pattern_type.is_character:
        # ... but LIKE's signature has no NULL: a bare NULL on either side ends here (Flink 2.3).
        name = "NOT LIKE" if expr.negated else "LIKE"
        listed = ", ".join(f"<{t.calcite_name()}>" for t in (operand_type, pattern_type))
        raise QsqlTypeError(
            f"Cannot apply '{name}' to arguments of type '{name}({listed})'. "
            f"Supported form(s): '{name}(<STRING>, <STRING>, <STRING>)'",
            expr.span,
        )
    # Character values (checked above).
    value: Callable[[Row], Any] = operand.evaluate
    negated, escape = expr.negated, expr.escape
    if pattern.constant:
        text: Any = pattern.evaluate(())
        compiled = like_regex(text, escape) if text is not None else None

        def evaluate(row: Row) -> object:
            v = value(row)
            if v is None or compiled is None:
                return None
            return (compiled.fullmatch(v) is not None) != negated

    else:
        pattern_of: Callable[[Row], Any] = pattern.evaluate

        def evaluate(row: Row) -> object:
            v, p = value(row), pattern_of(row)
            if v is None or p is None:
                return None
            return (like_regex(p, escape).fullmatch(v) is not None) != negated

    return Compiled(evaluate, T.BOOLEAN.with_nullable(operand.dtype.nullable or pattern.dtype.nullable))


def _in_list(expr: ast.InList, scope: Scope) -> Compiled:
    operand = compile_expr(expr.operand, scope)
    items = [compile_expr(i, scope) for i in expr.items]
    if T.common_type([operand.dtype, *[i.dtype for i in items]]) is None:
        raise QsqlTypeError(
            "Values passed to IN operator must have compatible types: "
            + ", ".join(str(t) for t in [operand.dtype, *[i.dtype for i in items]]),
            expr.span,
        )
    value, negated = operand.evaluate, expr.negated
    if all(i.constant for i in items):
        constants = [i.evaluate(()) for i in items]
        has_null = any(c is None for c in constants)
        members = [c for c in constants if c is not None]

        def evaluate(row: Row) -> object:
            v = value(row)
            if v is None:
                return None
            if v in members:
                return not negated
            return None if has_null else negated

    else:
        evaluators = [i.evaluate for i in items]

        def evaluate(row: Row) -> object:
            v = value(row)
            if v is None:
                return None
            values = [e(row) for e in evaluators]
            if v in [x for x in values if x is not None]:
                return not negated
            return None if None in values else negated

    # (Flink 2.3) NOT NULL when the value and every item are: nc IN ('a', 'b') is BOOLEAN NOT NULL
    nullable = operand.dtype.nullable or any(i.dtype.nullable for i in items)
    return Compiled(evaluate, T.BOOLEAN.with_nullable(nullable))


def _between(expr: ast.Between, scope: Scope) -> Compiled:
    operand, low, high = (compile_expr(e, scope) for e in (expr.operand, expr.low, expr.high))
    if T.common_type([operand.dtype, low.dtype, high.dtype]) is None:
        raise QsqlTypeError(
            f"Cannot apply 'BETWEEN' to arguments of type '<{operand.dtype.calcite_name()}> BETWEEN <{low.dtype.calcite_name()}> "
            f"AND <{high.dtype.calcite_name()}>'",
            expr.span,
        )
    # Values of one orderable type (the common type checked above).
    v_of: Callable[[Row], Any] = operand.evaluate
    lo_of, hi_of, negated = low.evaluate, high.evaluate, expr.negated

    def evaluate(row: Row) -> object:
        v, lo, hi = v_of(row), lo_of(row), hi_of(row)
        above = None if v is None or lo is None else v >= lo
        below = None if v is None or hi is None else v <= hi
        if above is False or below is False:
            result: object = False
        elif above is None or below is None:
            result = None
        else:
            result = True
        return result if result is None or not negated else not result

    nullable = operand.dtype.nullable or low.dtype.nullable or high.dtype.nullable  # (Flink 2.3)
    return Compiled(evaluate, T.BOOLEAN.with_nullable(nullable))


def _case(expr: ast.Case, scope: Scope) -> Compiled:
    if expr.operand is None and isinstance(expr.default, ast.Case) and expr.default.operand is None:
        # CASE WHEN a THEN x ELSE CASE WHEN b THEN y ... END END is one CASE with more WHENs:
        # merged here so 245 nested CASEs compile and run without deep recursion.
        whens = list(expr.whens)
        tail: ast.Expr | None = expr.default
        while isinstance(tail, ast.Case) and tail.operand is None:
            check_untyped_nulls(tail)
            whens.extend(tail.whens)
            tail = tail.default
        expr = ast.Case(operand=None, whens=tuple(whens), default=tail, span=expr.span)
    operand = compile_expr(expr.operand, scope) if expr.operand is not None else None
    conditions = [compile_expr(w, scope) for w, _ in expr.whens]
    results = [compile_expr(r, scope) for _, r in expr.whens]
    default = compile_expr(expr.default, scope) if expr.default is not None else None
    for condition, (when, _) in zip(conditions, expr.whens):
        if operand is None:
            _require_boolean(condition, when, "CASE WHEN")
        elif T.common_type([operand.dtype, condition.dtype]) is None:
            raise QsqlTypeError(f"CASE operand {operand.dtype} cannot be compared with {condition.dtype}", when.span)
    branch_types = [r.dtype for r in results] + ([default.dtype] if default else [])
    result_type = T.common_type(branch_types)
    if result_type is None or result_type.kind == "NULL":
        raise QsqlTypeError(
            "CASE branches must have one common type, got " + ", ".join(str(t) for t in branch_types), expr.span
        )
    if default is None:
        result_type = result_type.with_nullable(True)
    converters = [_to_type(r, result_type) for r in results]
    otherwise = _to_type(default, result_type) if default else (lambda row: None)
    pairs = list(zip([c.evaluate for c in conditions], converters))
    if operand is None:

        def evaluate(row: Row) -> object:
            for condition, result in pairs:
                if condition(row) is True:
                    return result(row)
            return otherwise(row)

    else:
        subject = operand.evaluate

        def evaluate(row: Row) -> object:
            value = subject(row)
            if value is not None:
                for candidate, result in pairs:
                    if candidate(row) == value:
                        return result(row)
            return otherwise(row)

    return Compiled(evaluate, result_type)


def _to_type(compiled: Compiled, target: DataType) -> Evaluator:
    if compiled.dtype == target or compiled.dtype.kind == "NULL":
        return compiled.evaluate
    source, inner = compiled.dtype, compiled.evaluate
    if source.kind == target.kind and target.kind in ("VARCHAR",):
        return inner
    return lambda row: T.cast_value(inner(row), source, target)


def _subscript(expr: ast.Subscript, scope: Scope) -> Compiled:
    base = compile_expr(expr.base, scope)
    index = compile_expr(expr.index, scope)
    kind = base.dtype.kind
    if kind == "ARRAY":
        if not (index.dtype.is_integer or index.dtype.kind == "NULL"):
            raise QsqlTypeError(f"an ARRAY index must be an integer, got {index.dtype}", expr.index.span)
        # An ARRAY value (a list) and an integer index (checked above).
        get_base: Callable[[Row], Any] = base.evaluate
        get_index: Callable[[Row], Any] = index.evaluate

        def element(row: Row) -> object:
            values, position = get_base(row), get_index(row)
            if values is None or position is None or not 1 <= position <= len(values):
                return None
            return values[position - 1]

        assert base.dtype.element is not None
        return Compiled(element, base.dtype.element.with_nullable(True))
    if kind == "MAP":
        get_map: Callable[[Row], Any] = base.evaluate  # a MAP value: a dict
        get_key = index.evaluate
        assert base.dtype.element is not None

        def value(row: Row) -> object:
            mapping = get_map(row)
            return None if mapping is None else mapping.get(get_key(row))

        return Compiled(value, base.dtype.element.with_nullable(True))
    raise QsqlTypeError(f"cannot take an element of {base.dtype} with [ ]: only ARRAY and MAP", expr.span)


_EXTRACT_UNITS = {
    "YEAR": lambda d: d.year,
    "QUARTER": lambda d: (d.month - 1) // 3 + 1,
    "MONTH": lambda d: d.month,
    "WEEK": lambda d: d.isocalendar()[1],
    "DAY": lambda d: d.day,
    "DOY": lambda d: d.timetuple().tm_yday,
    "DOW": lambda d: d.isoweekday() % 7 + 1,
    "HOUR": lambda d: getattr(d, "hour", 0),
    "MINUTE": lambda d: getattr(d, "minute", 0),
    "SECOND": lambda d: getattr(d, "second", 0),
    "MILLISECOND": lambda d: getattr(d, "second", 0) * 1000 + getattr(d, "microsecond", 0) // 1000,
    "MICROSECOND": lambda d: getattr(d, "second", 0) * 1_000_000 + getattr(d, "microsecond", 0),
}


def _extract(expr: ast.Extract, scope: Scope) -> Compiled:
    operand = compile_expr(expr.operand, scope)
    unit = _EXTRACT_UNITS.get(expr.unit)
    if unit is None:
        raise ValidationError(
            f"unknown EXTRACT unit '{expr.unit}'", expr.span, hint="one of " + ", ".join(_EXTRACT_UNITS)
        )
    if operand.dtype.kind not in ("DATE", "TIMESTAMP", "TIMESTAMP_LTZ", "TIME", "NULL"):
        raise QsqlTypeError(f"EXTRACT needs a DATE, TIME or TIMESTAMP, got {operand.dtype}", expr.span)
    if operand.dtype.kind == "TIME" and expr.unit not in ("HOUR", "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND"):
        raise QsqlTypeError(f"cannot EXTRACT {expr.unit} from a TIME", expr.span)
    if operand.dtype.kind == "DATE" and expr.unit in ("HOUR", "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND"):
        raise QsqlTypeError(f"cannot EXTRACT {expr.unit} from a DATE", expr.span)
    inner = operand.evaluate
    return Compiled(
        lambda row: None if (v := inner(row)) is None else unit(v), T.BIGINT.with_nullable(operand.dtype.nullable)
    )


# Functions of the current time written with parentheses (CURRENT_TIMESTAMP and the others without).
_NOW_FUNCTIONS = ("NOW", "CURRENT_ROW_TIMESTAMP")


def _current_time(expr: ast.CurrentTime, scope: Scope) -> Compiled:
    """Flink 2.x's types: NOW(), CURRENT_TIMESTAMP and CURRENT_ROW_TIMESTAMP() are instants,
    TIMESTAMP_LTZ(3); LOCALTIMESTAMP is TIMESTAMP(3), LOCALTIME / CURRENT_TIME TIME(0) and
    CURRENT_DATE a DATE, all three in the session time zone ('table.local-time-zone')."""
    if expr.name == "CURRENT_ROW_TIMESTAMP":  # a new value for every row

        def row_now(row: Row) -> object:
            return T.truncate_timestamp(dt.datetime.now(dt.UTC), 3)

        return Compiled(row_now, T.timestamp_ltz(3).with_nullable(False))
    # One value per statement, as in Flink's batch mode.
    instant = T.truncate_timestamp(statement_instant(), 3)
    local = to_local(instant)
    if expr.name == "CURRENT_DATE":
        today = local.date()
        return Compiled(lambda row: today, T.DATE.with_nullable(False), constant=True)
    if expr.name in ("CURRENT_TIME", "LOCALTIME"):
        clock = local.time().replace(microsecond=0)
        return Compiled(lambda row: clock, T.time(0).with_nullable(False), constant=True)
    if expr.name == "LOCALTIMESTAMP":
        return Compiled(lambda row: local, T.timestamp(3).with_nullable(False), constant=True)
    return Compiled(lambda row: instant, T.timestamp_ltz(3).with_nullable(False), constant=True)


_HANDLERS: dict[type, Callable[..., Compiled]] = {
    ast.Literal: _literal,
    ast.ColumnRef: _column,
    ast.UnaryOp: _unary,
    ast.BinaryOp: _binary,
    ast.IsNull: _is_null,
    ast.IsBool: _is_bool,
    ast.Like: _like,
    ast.InList: _in_list,
    ast.Between: _between,
    ast.Case: _case,
    ast.Subscript: _subscript,
    ast.Extract: _extract,
    ast.CurrentTime: _current_time,
    ast.Cast: _cast,
    ast.ArrayConstructor: _array,
    ast.MapConstructor: _map,
    ast.RowConstructor: _row,
    ast.IsDistinctFrom: _is_distinct,
    ast.IsUnknown: _is_unknown,
    ast.TimeUnit: _time_unit,
    ast.FunctionCall: _function,
}


from .json_compile import compile_is_json, compile_json_call  # noqa: E402
from .temporal import floor_ceil_to, temporal_arithmetic, timestamp_add_diff  # noqa: E402

_HANDLERS[ast.IsJson] = compile_is_json
_HANDLERS[ast.JsonCall] = compile_json_call


def _timestamp_add_diff(name: str, expr: ast.FunctionCall, scope: Scope) -> Compiled:
    unit = expr.args[0]
    assert isinstance(unit, ast.TimeUnit)
    first, second = compile_expr(expr.args[1], scope), compile_expr(expr.args[2], scope)
    return timestamp_add_diff(name, unit, first, second, expr.span)


_Node = TypeVar("_Node", bound=ast.Expr)


def register_handler(node_type: type[_Node], handler: Callable[[_Node, Scope], Compiled]) -> None:
    """Lets a module that needs the planner (subqueries) compile its own expression nodes."""
    _HANDLERS[node_type] = handler


def constant_value(expr: ast.Expr) -> object:
    """Evaluate an expression that needs no columns (literals in VALUES, config maps)."""
    return compile_expr(expr, Scope([])).evaluate(())
