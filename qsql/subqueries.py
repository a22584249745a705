"""Subqueries inside expressions: scalar ``(SELECT ...)``, ``x IN (SELECT ...)`` and ``EXISTS``.

A subquery is planned like any query (through the planner the scope carries) and run through
the executor when its value is first needed. An uncorrelated subquery runs once per
statement; a correlated one runs once per distinct outer row (the outer row is in the
``OuterScope`` cell while it runs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import ast
from . import types as T
from .errors import ExecutionError, QsqlTypeError, ValidationError
from .expressions import Compiled, OuterScope, Scope, compile_expr, register_handler
from .lazydataclass import lazy_dataclass
from .source import Span

if TYPE_CHECKING:  # the plan's steps and the executor import this module
    from .executor import ExecutionContext
    from .plan import Step

Row = tuple
_CACHE_LIMIT = 10_000


@lazy_dataclass(frozen=True)
class SubqueryRows:
    """What one run of a subquery returned, and its first column as IN needs it."""

    rows: list[Row]
    values: set  # the non-NULL first-column values, hashable
    has_null: bool  # whether a NULL was among them


class SubqueryHandle:
    """A planned subquery and what it returned, per outer row when it is correlated.

    ``context`` is set by the executor when the statement's plan starts running."""

    def __init__(self, step: Step, outer: OuterScope) -> None:
        self.step = step
        self.outer = outer
        self.context: ExecutionContext | None = None
        self._results: dict[object, SubqueryRows] = {}

    def results(self, outer_row: Row) -> SubqueryRows:
        """The subquery's rows for this outer row (run once per distinct outer row when correlated)."""
        from .executor import hashable, rows

        key: object = ()
        if self.outer.used:
            chain: list[object] = [hashable(outer_row)]
            enclosing = self.outer.scope.outer
            while enclosing is not None:
                chain.append(hashable(enclosing.row))
                enclosing = enclosing.scope.outer
            key = tuple(chain)
        found = self._results.get(key)
        if found is not None:
            return found
        if self.context is None:
            raise ExecutionError("a subquery was evaluated outside its statement")
        saved = self.outer.row
        self.outer.row = outer_row
        try:
            collected = list(rows(self.step, self.context))
        finally:
            self.outer.row = saved
        values = {hashable(r[0]) for r in collected if r and r[0] is not None}
        has_null = any(r and r[0] is None for r in collected)
        found = SubqueryRows(collected, values, has_null)
        if len(self._results) < _CACHE_LIMIT:
            self._results[key] = found
        return found


def _plan(query: ast.Query, scope: Scope, span: Span) -> tuple[Step, SubqueryHandle]:
    planner = scope.planner
    if planner is None:
        raise ValidationError("a subquery is not allowed here", span)
    return planner.plan_subquery(query, scope)


def _one_column(step: Step, span: Span, what: str) -> T.DataType:
    schema = step.schema
    if len(schema) != 1:
        raise ValidationError(f"{what} must return exactly one column, not {len(schema)}", span)
    return schema[0].dtype


def _scalar(expr: ast.ScalarSubquery, scope: Scope) -> Compiled:
    step, handle = _plan(expr.query, scope, expr.span)
    dtype = _one_column(step, expr.span, "A scalar subquery")

    def evaluate(row: Row) -> object:
        found = handle.results(row).rows
        if len(found) > 1:
            raise ExecutionError(
                "a scalar subquery returned more than one row (Flink: SingleValueAggFunction received more than "
                "one element.)",
                expr.span,
            )
        return found[0][0] if found else None

    return Compiled(evaluate, dtype.with_nullable(True))


def _in(expr: ast.InSubquery, scope: Scope) -> Compiled:
    from .executor import hashable

    operand = compile_expr(expr.operand, scope)
    step, handle = _plan(expr.query, scope, expr.span)
    column = _one_column(step, expr.span, "The subquery of IN")
    if T.common_type([operand.dtype, column]) is None:
        raise QsqlTypeError(
            f"Values passed to IN operator must have compatible types: {operand.dtype}, {column}", expr.span
        )
    value, negated = operand.evaluate, expr.negated

    def evaluate(row: Row) -> object:
        found = handle.results(row)
        if not found.rows:
            return negated
        v = value(row)
        if v is None:
            return None
        if hashable(v) in found.values:
            return not negated
        return None if found.has_null else negated

    return Compiled(evaluate, T.BOOLEAN.with_nullable(operand.dtype.nullable or column.nullable))


def _exists(expr: ast.Exists, scope: Scope) -> Compiled:
    _step, handle = _plan(expr.query, scope, expr.span)
    return Compiled(lambda row: bool(handle.results(row).rows), T.BOOLEAN.with_nullable(False))


register_handler(ast.ScalarSubquery, _scalar)
register_handler(ast.InSubquery, _in)
register_handler(ast.Exists, _exists)
