"""AST + catalog -> a tree of small plan steps, fully type-checked.

Planning never runs anything: it resolves every name, checks every type and every
ML_PREDICT argument, so a statement that cannot finish fails before a single model request
is paid for. Each step says what it is (``describe``), which EXPLAIN and error messages use.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from . import ast
from . import functions as F
from . import settings as S
from . import types as T
from . import windows as W
from .catalog import Catalog, TableEntry, ViewEntry, object_name
from .column import Column
from .errors import QsqlTypeError, ValidationError
from .expressions import Compiled, OuterScope, Scope, compile_expr, constant_value
from .lazydataclass import lazy_dataclass
from .models.flink_columns import check_model_for_flink
from .plan import (
    Aggregate,
    AggregateCall,
    Conversion,
    Distinct,
    Filter,
    HashJoin,
    InsertPlan,
    Limit,
    NestedLoopJoin,
    Predict,
    PredictOptions,
    Project,
    SetOpStep,
    SingleRow,
    Sort,
    SortKey,
    Step,
    TableScan,
    UnionAllStep,
    UnnestStep,
    ValuesStep,
    WindowStep,
    with_schema,
    with_subqueries,
)
from .source import Span
from .subqueries import SubqueryHandle
from .types import DataType
from .untyped_null import check_operands as check_untyped_nulls
from .untyped_null import refuse as refuse_untyped_null
from .untyped_null import refuse_sort_key as refuse_null_sort_key

V = TypeVar("V")
_MAX_VIEW_DEPTH = 64


# ------------------------------------------------------------------------- planner


@lazy_dataclass
class _CommonTableEntry:
    """A WITH table in scope: its definition, and what its own query can see (the tables
    before it and the query around the WITH)."""

    table: ast.CommonTable
    parent: _CommonTableEntry | None
    outer: OuterScope | None

    def find(self, name: str) -> _CommonTableEntry | None:
        entry: _CommonTableEntry | None = self
        while entry is not None:
            if entry.table.name.name == name:
                return entry
            entry = entry.parent
        return None


@lazy_dataclass(frozen=True)
class _OutputItem:
    """One column of a select list, with ``*`` expanded: an expression, or (from ``*``) the
    index of an input column; its output name; where it was written."""

    source: ast.Expr | int
    name: str
    span: Span


@lazy_dataclass(frozen=True)
class _UsingColumn:
    """A column of JOIN ... USING: its positions in the joined row and its output type."""

    name: str
    left_index: int
    right_index: int  # in the joined row (after the left's columns)
    dtype: DataType


def check_alias_degree(names: Sequence[str], aliases: Sequence[ast.Identifier]) -> None:
    """A column alias list names every column of what it renames, or Calcite's message (Flink 2.3,
    for a table, a subquery and UNNEST alike), located at the first alias."""
    if len(aliases) != len(names):
        listed = ", ".join(f"'{name}'" for name in names)
        raise ValidationError(
            f"List of column aliases must have same degree as table; table has {len(names)} columns "
            f"({listed}), whereas alias list has {len(aliases)} columns",
            aliases[0].span,
        )


class Planner:
    def __init__(self, catalog: Catalog, settings: dict[str, str] | None = None) -> None:
        self.catalog = catalog
        self.settings = settings or {}
        self._view_depth = 0
        self._common_tables: _CommonTableEntry | None = None
        self._outer: OuterScope | None = None  # set while planning a subquery inside an expression
        self._pending: list[SubqueryHandle] = []

    def _scope(self, fields: list[Column], **kwargs: Any) -> Scope:
        """A scope that can plan subqueries and sees the enclosing query's columns."""
        return Scope(fields, outer=self._outer, planner=self, **kwargs)

    # -------------------------------------------------------------- queries
    def plan_query(self, query: ast.Query) -> Step:
        saved, self._pending = self._pending, []
        try:
            step = with_subqueries(self._plan_query(query), self._pending)
        finally:
            self._pending = saved
        return step

    def _plan_query(self, query: ast.Query) -> Step:
        if isinstance(query, ast.Values):
            return self._plan_values(query)
        if isinstance(query, ast.Select):
            return self._plan_select(query)
        if isinstance(query, ast.SetOperation):
            return self._plan_set_operation(query)
        if isinstance(query, ast.Ordered):
            return self._plan_ordered(query)
        if isinstance(query, ast.With):
            return self._plan_with(query)
        raise ValidationError(f"{type(query).__name__} is not supported", query.span)

    def plan_subquery(self, query: ast.Query, scope: Scope) -> tuple[Step, SubqueryHandle]:
        """Plan a subquery of an expression in ``scope``; its unknown columns are the outer query's."""
        outer = OuterScope(scope)
        saved, self._outer = self._outer, outer
        try:
            step = self.plan_query(query)
        finally:
            self._outer = saved
        handle = SubqueryHandle(step, outer)
        self._pending.append(handle)
        return step, handle

    def _plan_with(self, with_: ast.With) -> Step:
        saved = self._common_tables
        seen: set[str] = set()
        try:
            for table in with_.tables:
                if table.name.name in seen:
                    raise ValidationError(f"Duplicate name '{table.name.name}' in WITH clause", table.name.span)
                seen.add(table.name.name)
                self._common_tables = _CommonTableEntry(table, self._common_tables, self._outer)
            return self.plan_query(with_.query)
        finally:
            self._common_tables = saved

    def _plan_common_table(self, entry: _CommonTableEntry, span: Span | None) -> Step:
        if self._view_depth > _MAX_VIEW_DEPTH:
            raise ValidationError(f"WITH table '{entry.table.name.name}' is nested too deeply", span)
        saved = (self._common_tables, self._outer)
        self._common_tables, self._outer = entry.parent, entry.outer
        self._view_depth += 1
        try:
            step = self.plan_query(entry.table.query)
        finally:
            self._common_tables, self._outer = saved
            self._view_depth -= 1
        columns = entry.table.columns
        if columns is not None:
            check_alias_degree([f.name for f in step.schema], columns)
            step = _rename(step, [c.name for c in columns])
        return step

    def _plan_values(self, values: ast.Values) -> ValuesStep:
        width = len(values.rows[0])
        for row in values.rows:
            if len(row) != width:
                raise ValidationError(
                    f"Values passed to VALUES operator must have the same number of columns ({width} and {len(row)})",
                    row[0].span if row else values.span,
                )
        for row in values.rows:
            for expr in row:
                # Flink refuses a bare NULL anywhere in VALUES, even where another row's value
                # would give the column its type (checked with Flink 2.3).
                refuse_untyped_null(expr)
        compiled = [[compile_expr(expr, self._scope([])) for expr in row] for row in values.rows]
        schema: list[Column] = []
        for column in range(width):
            column_types = [row[column].dtype for row in compiled]
            common = T.common_row_type(column_types)
            if common is None:
                raise QsqlTypeError(
                    f"Values passed to VALUES operator must have compatible types: column {column + 1} mixes "
                    + ", ".join(sorted({str(t) for t in column_types})),
                    values.rows[0][column].span,
                )
            if common.kind == "NULL":
                # Flink rejects an untyped NULL column even in INSERT ... VALUES.
                raise QsqlTypeError(
                    "Illegal use of 'NULL'", values.rows[0][column].span, hint="write CAST(NULL AS <type>)"
                )
            schema.append(Column(f"EXPR${column}", common))
        # Convert each value to the column type once, at execution (the cast is cheap and exact).
        converted = [[_converted(value, schema[i].dtype) for i, value in enumerate(row)] for row in compiled]
        return ValuesStep(schema=schema, rows=converted)

    def _plan_select(self, select: ast.Select) -> Step:
        if select.where is not None and isinstance(select.from_, ast.Join) and select.from_.kind == "cross":
            # FROM a, b, c WHERE a.k = b.k AND b.j = c.j: each conjunct becomes the condition of
            # the lowest comma / cross join that sees its columns (hash joins, not a cross product
            # filtered afterwards; for inner joins the rows are the same). The rest stays a WHERE.
            remaining = _conjuncts(select.where)
            source = self._plan_cross_chain(select.from_, remaining)
            rest: ast.Expr | None = None
            for conjunct in remaining:
                rest = (
                    conjunct if rest is None else ast.BinaryOp(op="AND", left=rest, right=conjunct, span=conjunct.span)
                )
            select = dataclasses.replace(select, where=rest)
        elif select.from_ is not None:
            source = self._plan_from(select.from_)
        else:
            source = SingleRow(schema=[])
        scope = self._scope(source.schema)
        if select.where is not None:
            _no_aggregates(select.where, "WHERE")
            condition = compile_expr(select.where, scope)
            _require_boolean(condition, select.where, "WHERE")
            source = _filter_before_model(source, select.where) or Filter(
                schema=source.schema, input=source, condition=condition, text="WHERE"
            )

        # The select list, with * expanded.
        items: list[_OutputItem] = []
        for position, item in enumerate(select.items):
            if isinstance(item, ast.SelectStar):
                if not source.schema:
                    raise ValidationError("SELECT * needs a FROM clause", item.span)
                fields = [
                    (i, f)
                    for i, f in enumerate(source.schema)
                    if (not f.hidden if item.qualifier is None else f.qualifier == item.qualifier.name)
                ]
                if not fields:
                    # Only a qualifier can match nothing: a FROM clause has a visible column.
                    assert item.qualifier is not None
                    raise ValidationError(f"Unknown identifier '{item.qualifier.name}'", item.span)
                items.extend(_OutputItem(i, f.name, item.span) for i, f in fields)
                continue
            assert isinstance(item, ast.SelectExpr)
            if item.alias is not None:
                name = item.alias.name
            elif isinstance(item.expr, ast.ColumnRef):
                name = item.expr.name
            else:
                name = f"EXPR${position}"
            items.append(_OutputItem(item.expr, name, item.expr.span))

        order_items = list(select.order_by or ())
        aggregate_calls = _aggregate_calls(
            [i.source for i in items if not isinstance(i.source, int)]
            + ([select.having] if select.having else [])
            + [o.expr for o in order_items]
        )
        if select.group_by is not None or aggregate_calls or select.having is not None:
            source, scope = self._plan_aggregate(select, source, scope, aggregate_calls)
            if select.having is not None:
                with _alias_hint(select, "HAVING"):
                    condition = compile_expr(select.having, scope)
                _require_boolean(condition, select.having, "HAVING")
                source = Filter(schema=source.schema, input=source, condition=condition, text="HAVING")
        over_calls = _over_calls(
            [i.source for i in items if not isinstance(i.source, int)] + [o.expr for o in order_items]
        )
        if over_calls:
            source, scope = self._plan_windows(over_calls, source, scope, select.windows)

        expressions: list[Compiled] = []
        for output in items:
            expr = output.source
            if isinstance(expr, int):
                if scope.substitutions is not None:
                    name, span = output.name, output.span
                    ref = ast.ColumnRef(parts=(ast.Identifier(name=name, span=span),), span=span)
                    expressions.append(compile_expr(ref, scope))
                else:
                    expressions.append(Compiled(_getter(expr), source.schema[expr].dtype, column_index=expr))
                continue
            refuse_untyped_null(expr)  # a select item of its own has nothing to type a NULL from
            expressions.append(compile_expr(expr, scope))
        names = [i.name for i in items]
        spans: list[Span | None] = [i.span for i in items]
        visible = len(expressions)

        # ORDER BY: an output column (by name or position), else an expression over the input,
        # carried as a hidden column until the rows are sorted.
        sort_keys: list[SortKey] = []
        for order in order_items:
            index = _output_column(order.expr, names, visible)
            if index is None:
                refuse_null_sort_key(order.expr)
                if select.distinct:
                    raise ValidationError(
                        "with SELECT DISTINCT, ORDER BY expressions must appear in the select list", order.expr.span
                    )
                expressions.append(compile_expr(order.expr, scope))
                names.append(f"$sort{len(expressions)}")
                spans.append(order.expr.span)
                index = len(expressions) - 1
            sort_keys.append(_sort_key(index, order))

        schema = [Column(name, c.dtype) for name, c in zip(names, expressions)]
        step: Step = Project(schema=schema, input=source, expressions=expressions, spans=spans)
        if select.distinct:
            step = Distinct(schema=step.schema, input=step)
        if sort_keys:
            step = Sort(schema=step.schema, input=step, keys=sort_keys)
        if len(expressions) > visible:
            step = Project(
                schema=schema[:visible],
                input=step,
                expressions=[Compiled(_getter(i), schema[i].dtype, column_index=i) for i in range(visible)],
                spans=spans[:visible],
            )
        return _limited(step, select.limit, select.offset, select.span, bool(sort_keys))

    def _plan_windows(self, calls: list[ast.Over], source: Step, scope: Scope, named: tuple = ()) -> tuple[Step, Scope]:
        """One WindowStep computing every OVER call; the calls then read its extra columns."""
        windows: dict[str, tuple] = {}
        for name, partition, order, frame in named:
            if name.name in windows:
                raise ValidationError(f"Duplicate window names are not allowed: '{name.name}'", name.span)
            windows[name.name] = (partition, order, frame)
        resolved: list[ast.Over] = []
        for over in calls:
            if over.window_name is not None:
                definition = windows.get(over.window_name.name)
                if definition is None:
                    raise ValidationError(f"Window '{over.window_name.name}' not found", over.window_name.span)
                partition, order, frame = definition
                over = dataclasses.replace(over, partition_by=partition, order_by=order, frame=frame, window_name=None)
            resolved.append(over)
        originals = calls
        calls = resolved
        # The calls that say the same OVER (...) share one spec: (partition, order, frame), then
        # each call with the node the select list holds.
        windows_used: dict[tuple, tuple[tuple, list[tuple[W.WindowCall, ast.Over]]]] = {}
        for position, over in enumerate(calls):
            name = over.call.name.name.upper()
            for part in (*over.partition_by, *(o.expr for o in over.order_by)):
                if any(isinstance(n, ast.Over) for n in _walk(part)):
                    raise ValidationError("OVER windows cannot be nested", part.span)
            key = (over.partition_by, over.order_by, over.frame)
            if key not in windows_used:
                for part in (*over.partition_by, *(o.expr for o in over.order_by)):
                    refuse_untyped_null(part)  # OVER (PARTITION BY NULL) / (ORDER BY NULL) as in Flink
                partition = [compile_expr(e, scope).evaluate for e in over.partition_by]
                order = []
                for item in over.order_by:
                    compiled = compile_expr(item.expr, scope)
                    sort_key = _sort_key(0, item)
                    order.append(W.OrderKey(compiled.evaluate, sort_key.descending, sort_key.nulls_first))
                windows_used[key] = ((partition, order, self._window_frame(over, scope)), [])
            windows_used[key][1].append((self._window_call(over, name, scope), originals[position]))
        specs: list[W.WindowSpec] = []
        slots: dict[ast.Expr, tuple[int, DataType]] = {}
        fields = list(source.schema)
        # Columns follow the order of the specs' calls (the step appends spec by spec).
        for (partition, order, frame), owned in windows_used.values():
            specs.append(W.WindowSpec(partition=partition, order=order, frame=frame, calls=[c for c, _ in owned]))
            for call, owner in owned:
                slots[owner] = (len(fields), call.result_type)
                fields.append(Column(f"$over{len(fields)}", call.result_type))
        step = WindowStep(schema=fields, input=source, specs=specs)
        new_scope = Scope(
            fields,
            scope.substitutions,
            input_scope=scope.input_scope,
            grouped_columns=scope.grouped_columns,
            outer=scope.outer,
            planner=self,
            window_slots=slots,
        )
        return step, new_scope

    def _window_frame(self, over: ast.Over, scope: Scope) -> W.Frame | None:
        frame = over.frame
        name = over.call.name.name.upper()
        if frame is None:
            return None
        if name in W.RANKING or name in W.OFFSET:
            raise ValidationError(f"ROW/RANGE not allowed with {name} function", frame.span)
        if not over.order_by and frame.unit == "RANGE" and any(b.offset is not None for b in (frame.start, frame.end)):
            raise ValidationError("Window specification must contain an ORDER BY clause", frame.span)
        if (
            frame.unit == "RANGE"
            and len(over.order_by) != 1
            and any(b.offset is not None for b in (frame.start, frame.end))
        ):
            raise ValidationError("RANGE with an offset needs exactly one ORDER BY expression", frame.span)

        def bound(b: ast.FrameBound) -> W.Bound:
            if b.offset is None:
                return W.Bound(b.kind)
            try:
                value = constant_value(b.offset)
            except ValidationError:
                raise ValidationError("Window frame bounds must be constants", b.offset.span) from None
            return W.Bound(b.kind, W.check_frame_offset(value, frame.unit, b.offset.span))

        start, end = bound(frame.start), bound(frame.end)
        if start.kind == "UNBOUNDED FOLLOWING" or end.kind == "UNBOUNDED PRECEDING":
            raise ValidationError(
                "Window frame cannot start at UNBOUNDED FOLLOWING or end at UNBOUNDED PRECEDING", frame.span
            )
        return W.Frame(frame.unit, start, end)

    def _window_call(self, over: ast.Over, name: str, scope: Scope) -> W.WindowCall:
        call = over.call
        W.check_arity(name, len(call.args), call.span)
        check_untyped_nulls(call)  # window calls are compiled here, not by compile_expr
        if name in W.RANKING and name != "NTILE" and not over.order_by:
            raise ValidationError(f"Window function {name} requires an ORDER BY clause in its OVER window", over.span)
        if name in F.AGGREGATES:  # FIRST_VALUE / LAST_VALUE too: they skip NULLs over the frame, as in Flink
            for arg in call.args:
                _no_aggregates(arg, f"an argument of {name}")
            if call.star:
                if name != "COUNT":
                    raise ValidationError(f"{name}(*) is not allowed; only COUNT(*)", call.span)
                return W.WindowCall(name, [], F.aggregate_result_type(name, [], call.span), star=True)
            if len(call.args) != 1:
                raise ValidationError(f"{name} takes exactly one argument, got {len(call.args)}", call.span)
            argument = compile_expr(call.args[0], scope)
            result = F.aggregate_result_type(name, [argument.dtype], call.span)
            if _always_non_empty(over.frame) and name != "COUNT":
                # As Calcite: a frame that always holds the current row is never empty, so the
                # aggregate is NULL only when its argument can be (SUM(id) OVER (...) is INT NOT NULL).
                result = result.with_nullable(argument.dtype.nullable)
            return W.WindowCall(name, [argument.evaluate], result, argument.dtype, distinct=call.distinct)
        if name not in W.RANKING and name not in W.OFFSET and name not in W.VALUE:
            raise ValidationError(
                f"OVER must be applied to an aggregate or window function; {name} is neither", call.name.span
            )
        arguments = [compile_expr(a, scope) for a in call.args]
        result = W.result_type(name, [a.dtype for a in arguments], call.span)
        evaluators = [a.evaluate for a in arguments[:1]]
        extras: dict[str, Any] = {}  # WindowCall's offset, default or buckets, by name
        if name in W.OFFSET:
            if len(arguments) > 1:
                extras["offset"] = _constant_int(call.args[1], f"the offset of {name}")
            if len(arguments) > 2:
                default = arguments[2]
                common = T.common_type([arguments[0].dtype, default.dtype])
                if common is None:
                    raise QsqlTypeError(
                        f"The default value of {name} must have the type of its value, not {default.dtype}",
                        call.args[2].span,
                    )
                extras["default"] = default.evaluate
        if name == "NTILE":
            buckets = _constant_int(call.args[0], "the argument of NTILE")
            if buckets < 1:
                raise ValidationError("NTILE needs a positive number of buckets", call.args[0].span)
            extras["buckets"] = buckets
            evaluators = []  # the bucket count is a constant, not a per-row argument
        return W.WindowCall(name, evaluators, result, arguments[0].dtype if arguments else None, **extras)

    def _plan_aggregate(
        self,
        select: ast.Select,
        source: Step,
        scope: Scope,
        calls: list[ast.FunctionCall],
    ) -> tuple[Step, Scope]:
        keys = list(select.group_by or ())
        compiled_keys = []
        for key in keys:
            _no_aggregates(key, "GROUP BY")
            refuse_untyped_null(key)
            with _alias_hint(select, "GROUP BY"):
                compiled_keys.append(compile_expr(key, scope))
        substitutions: dict[ast.Expr, tuple[int, DataType]] = {}
        grouped: dict[int, tuple[int, DataType]] = {}
        fields: list[Column] = []
        for slot, (key, compiled) in enumerate(zip(keys, compiled_keys)):
            substitutions[key] = (slot, compiled.dtype)
            if compiled.column_index is not None:
                grouped[compiled.column_index] = (slot, compiled.dtype)
            fields.append(Column(key.name if isinstance(key, ast.ColumnRef) else f"$key{slot}", compiled.dtype))
        aggregate_calls: list[AggregateCall] = []
        for call in calls:
            if call in substitutions:
                continue
            check_untyped_nulls(call)  # aggregates are compiled here, not by compile_expr
            name = call.name.name.upper()
            types: list[DataType]
            if call.star:
                if name != "COUNT":
                    raise ValidationError(f"{name}(*) is not allowed; only COUNT(*)", call.span)
                argument, types = None, []
            elif name.startswith("JSON_"):
                argument, types = _json_aggregate_argument(name, call, scope)
            else:
                if len(call.args) != 1 and not (name == "LISTAGG" and len(call.args) == 2):
                    raise ValidationError(f"{name} takes exactly one argument, got {len(call.args)}", call.span)
                _no_aggregates(call.args[0], f"an argument of {name}")
                argument = compile_expr(call.args[0], scope)
                types = [argument.dtype]
            result = F.aggregate_result_type(name, types, call.span)
            substitutions[call] = (len(fields), result)
            fields.append(Column(f"${name}{len(fields)}", result))
            separator = _listagg_separator(call) if name == "LISTAGG" else ","
            aggregate_calls.append(
                AggregateCall(name, argument, result, call.distinct, separator, self._aggregate_filter(call, scope))
            )
        step = Aggregate(
            schema=fields, input=source, keys=compiled_keys, calls=aggregate_calls, grouped=select.group_by is not None
        )
        return step, self._scope(fields, substitutions=substitutions, input_scope=scope, grouped_columns=grouped)

    @staticmethod
    def _aggregate_filter(call: ast.FunctionCall, scope: Scope) -> Compiled | None:
        """``agg(...) FILTER (WHERE c)``: a BOOLEAN condition on the input row, without aggregates."""
        if call.filter is None:
            return None
        _no_aggregates(call.filter, "FILTER")
        condition = compile_expr(call.filter, scope)
        if condition.dtype.kind != "BOOLEAN":
            raise QsqlTypeError(f"FILTER clause must be a condition (it is {condition.dtype.name()})", call.filter.span)
        return condition

    def _plan_set_operation(self, operation: ast.SetOperation) -> Step:
        label = operation.op + (" ALL" if operation.all else "")
        if operation.op == "UNION":
            inputs = _flatten_set_operation(operation)
        else:
            inputs = [operation.left, operation.right]
        steps = [self.plan_query(q) for q in inputs]
        width = len(steps[0].schema)
        for step, query in zip(steps[1:], inputs[1:]):
            if len(step.schema) != width:
                raise ValidationError(
                    f"Column count mismatch in {label}: {width} and {len(step.schema)} columns", query.span
                )
        schema: list[Column] = []
        for column in range(width):
            types = [s.schema[column].dtype for s in steps]
            common = T.common_row_type(types)
            if common is None:
                raise QsqlTypeError(
                    f"Type mismatch in column {column + 1} of {label}: " + ", ".join(map(str, types)), operation.span
                )
            schema.append(Column(steps[0].schema[column].name, common))
        conversions = [
            [
                None if f.dtype == target.dtype else Conversion(f.dtype, target.dtype)
                for f, target in zip(s.schema, schema)
            ]
            for s in steps
        ]
        if operation.op == "UNION":
            union = UnionAllStep(schema=schema, inputs=steps, conversions=conversions)
            return union if operation.all else Distinct(schema=schema, input=union)
        return SetOpStep(
            schema=schema, op=operation.op, all=operation.all, left=steps[0], right=steps[1], conversions=conversions
        )

    def _plan_ordered(self, ordered: ast.Ordered) -> Step:
        step = self.plan_query(ordered.query)
        names = [f.name for f in step.schema]
        if ordered.order_by:
            keys = []
            for order in ordered.order_by:
                index = _output_column(order.expr, names, len(names))
                if index is None:
                    # An expression (ORDER BY a + 1): as Calcite does, order a SELECT * over the
                    # operation as a subquery named EXPR$0.
                    span = ordered.span
                    wrapped = ast.Select(
                        items=(ast.SelectStar(span=span),),
                        from_=ast.SubqueryRef(
                            query=ordered.query, alias=ast.Identifier("EXPR$0", span=span), span=span
                        ),
                        order_by=ordered.order_by,
                        limit=ordered.limit,
                        offset=ordered.offset,
                        span=span,
                    )
                    return self.plan_query(wrapped)
                keys.append(_sort_key(index, order))
            step = Sort(schema=step.schema, input=step, keys=keys)
        return _limited(step, ordered.limit, ordered.offset, ordered.span, bool(ordered.order_by))

    def _plan_from(self, item: ast.FromItem) -> Step:
        if isinstance(item, ast.TableRef):
            step = self._plan_hinted_table(item) if item.options is not None else self._plan_relation(item.name)
            qualifier = item.alias.name if item.alias else object_name(item.name)
            if item.columns is not None:
                check_alias_degree([f.name for f in step.schema], item.columns)
                step = _rename(step, [c.name for c in item.columns])
            return _requalify(step, qualifier)
        if isinstance(item, ast.MLPredict):
            step = self._plan_predict(item)
            return _requalify(step, item.alias.name if item.alias else None)
        if isinstance(item, ast.SubqueryRef):
            step = self.plan_query(item.query)
            if item.columns is not None:
                check_alias_degree([f.name for f in step.schema], item.columns)
                step = _rename(step, [c.name for c in item.columns])
            return _requalify(step, item.alias.name if item.alias else None)
        if isinstance(item, ast.Join):
            return self._plan_join(item)
        if isinstance(item, ast.Unnest):
            return self._plan_unnest(SingleRow(schema=[]), item, left=False)
        raise ValidationError(f"{type(item).__name__} is not supported in FROM", item.span)

    def _plan_cross_chain(self, item: ast.FromItem, remaining: list[ast.Expr]) -> Step:
        """Plan a chain of comma / CROSS joins, taking from ``remaining`` the WHERE conjuncts
        each join can evaluate (plain ones: no subqueries, no aggregates, no outer columns)."""
        if not (isinstance(item, ast.Join) and item.kind == "cross"):
            return self._plan_from(item)
        left = self._plan_cross_chain(item.left, remaining)
        if isinstance(item.right, ast.Unnest):  # FROM t, UNNEST(t.arr): per row of the left side
            return self._plan_unnest(left, item.right, left=False)
        right = self._plan_from(item.right)
        plain = Scope(left.schema + right.schema)
        mine = [c for c in remaining if not _has_aggregate(c) and _try_compile(c, plain) is not None]
        for conjunct in mine:
            remaining.remove(conjunct)
        condition: ast.Expr | None = None
        for conjunct in mine:
            condition = (
                conjunct
                if condition is None
                else ast.BinaryOp(op="AND", left=condition, right=conjunct, span=conjunct.span)
            )
        kind = "cross" if condition is None else "inner"
        return self._join_steps(
            ast.Join(left=item.left, right=item.right, kind=kind, condition=condition, span=item.span), left, right
        )

    def _plan_join(self, join: ast.Join) -> Step:
        if isinstance(join.right, ast.Unnest):
            return self._plan_unnest_join(join)
        return self._join_steps(join, self._plan_from(join.left), self._plan_from(join.right))

    def _plan_unnest_join(self, join: ast.Join) -> Step:
        """``t CROSS JOIN UNNEST(...)``, ``t [INNER] JOIN UNNEST(...) ON c`` and ``t LEFT JOIN
        UNNEST(...) ON c``: the array comes from each left row, so the join is lateral; the ON
        condition picks elements (LEFT keeps a row with NULLs when none is picked), as in Flink."""
        assert isinstance(join.right, ast.Unnest)
        if join.kind in ("right", "full") or join.using is not None:
            raise ValidationError(
                "UNNEST can only be joined with CROSS JOIN, a comma, [INNER] JOIN ... ON or LEFT JOIN ... ON",
                join.right.span,
            )
        step = self._plan_unnest(self._plan_from(join.left), join.right, left=join.kind == "left")
        if join.condition is None:
            return step
        _no_aggregates(join.condition, "ON")
        condition = compile_expr(join.condition, self._scope(step.schema))
        _require_boolean(condition, join.condition, "ON")
        return dataclasses.replace(step, condition=condition)

    def _plan_unnest(self, source: Step, item: ast.Unnest, left: bool) -> UnnestStep:
        """Flink's UNNEST: an ARRAY's elements as one column (``EXPR$0``), or as the fields of
        its ROW elements; a MAP's entries as ``KEY`` and ``VALUE``; WITH ORDINALITY adds the
        1-based position (``ORDINALITY``). ``AS t (c, ...)`` renames them."""
        if len(item.exprs) != 1:
            raise ValidationError("qsql unnests one array or map at a time: UNNEST(a) CROSS JOIN UNNEST(b)", item.span)
        expression = compile_expr(item.exprs[0], self._scope(source.schema))
        dtype = expression.dtype
        if dtype.kind == "ARRAY" and dtype.element is not None:
            element = dtype.element
            if element.kind == "ROW" and element.fields is not None:
                shape, columns = "row", [(f.name, f.dtype) for f in element.fields]
            else:
                shape, columns = "atomic", [("EXPR$0", element)]
        elif dtype.kind == "MAP" and dtype.key is not None and dtype.element is not None:
            shape, columns = "map", [("KEY", dtype.key), ("VALUE", dtype.element)]
        else:
            raise QsqlTypeError(f"UNNEST needs an ARRAY or a MAP, not {dtype.name()}", item.exprs[0].span)
        width = len(columns)
        if item.ordinality:
            columns.append(("ORDINALITY", T.INT.with_nullable(False)))
        if item.columns is not None:
            check_alias_degree([name for name, _ in columns], item.columns)
            columns = [(alias.name, t) for alias, (_, t) in zip(item.columns, columns)]
        elif shape == "atomic" and item.alias is not None:
            columns[0] = (item.alias.name, columns[0][1])  # (Flink 2.3) UNNEST(arr) AS u: the column is u
        qualifier = item.alias.name if item.alias is not None else None
        fields = [Column(name, t.with_nullable(True) if left else t, qualifier=qualifier) for name, t in columns]
        return UnnestStep(
            schema=source.schema + fields,
            input=source,
            expression=expression,
            shape=shape,
            width=width,
            ordinality=item.ordinality,
            left=left,
        )

    def _join_steps(self, join: ast.Join, left: Step, right: Step) -> Step:
        kind = join.kind
        left_fields, right_fields = left.schema, right.schema
        if kind in ("left", "full"):
            right_fields = [_nullable_field(f) for f in right.schema]
        if kind in ("right", "full"):
            left_fields = [_nullable_field(f) for f in left.schema]
        schema = left_fields + right_fields
        step_kind = "inner" if kind == "cross" else kind
        if join.using is not None:
            return self._plan_using_join(join, left, right, schema, step_kind)
        if join.condition is None:
            return NestedLoopJoin(schema=schema, left=left, right=right, kind=step_kind)
        _no_aggregates(join.condition, "ON")
        combined = self._scope(schema)
        condition = compile_expr(join.condition, combined)
        _require_boolean(condition, join.condition, "ON")
        left_keys: list[Compiled] = []
        right_keys: list[Compiled] = []
        residual: list[ast.Expr] = []
        for conjunct in _conjuncts(join.condition):
            pair = _equi_pair(conjunct, Scope(left.schema), Scope(right.schema))
            if pair is None:
                residual.append(conjunct)
            else:
                left_keys.append(pair[0])
                right_keys.append(pair[1])
        if not left_keys:
            # No equality between the two sides: every pair is tested.
            return NestedLoopJoin(schema=schema, left=left, right=right, kind=step_kind, condition=condition)
        residual_condition = None
        if residual:
            expr = residual[0]
            for more in residual[1:]:
                expr = ast.BinaryOp(op="AND", left=expr, right=more, span=more.span)
            residual_condition = compile_expr(expr, combined)
        return HashJoin(
            schema=schema,
            left=left,
            right=right,
            kind=step_kind,
            left_keys=left_keys,
            right_keys=right_keys,
            residual=residual_condition,
        )

    def _plan_using_join(self, join: ast.Join, left: Step, right: Step, schema: list[Column], kind: str) -> Step:
        """JOIN ... USING (c, ...): equality on each c; the output starts with one c per name
        (the left's, the right's for RIGHT JOIN, COALESCE of both for FULL JOIN), then the
        other columns; t.c still names either side's column."""
        assert join.using is not None
        width = len(left.schema)
        left_keys: list[Compiled] = []
        right_keys: list[Compiled] = []
        joined: list[_UsingColumn] = []
        for ident in join.using:
            positions = []
            for side, side_fields in (("left", left.schema), ("right", right.schema)):
                found = [i for i, f in enumerate(side_fields) if f.name == ident.name and not f.hidden]
                if not found:
                    raise ValidationError(f"Column '{ident.name}' not found in {side} table", ident.span)
                if len(found) > 1:
                    raise ValidationError(
                        f"Column name '{ident.name}' in USING clause is not unique on one side of join", ident.span
                    )
                positions.append(found[0])
            li, ri = positions
            lt, rt = left.schema[li].dtype, right.schema[ri].dtype
            common = T.common_type([lt, rt])
            if common is None:
                raise QsqlTypeError(
                    f"Column '{ident.name}' matched using NATURAL keyword or USING clause has "
                    f"incompatible types: cannot compare '{lt}' to '{rt}'",
                    ident.span,
                )
            left_keys.append(Compiled(_getter(li), lt, column_index=li))
            right_keys.append(Compiled(_getter(ri), rt, column_index=ri))
            if kind == "full":
                dtype = common.with_nullable(True)  # as Calcite types COALESCE of two outer sides
            elif kind == "right":
                dtype = rt
            else:
                dtype = lt
            joined.append(_UsingColumn(ident.name, li, width + ri, dtype))
        step = HashJoin(schema=schema, left=left, right=right, kind=kind, left_keys=left_keys, right_keys=right_keys)
        expressions: list[Compiled] = []
        fields: list[Column] = []
        for column in joined:
            li, ri, dtype = column.left_index, column.right_index, column.dtype
            if kind == "full":
                source_l, source_r = schema[li].dtype, schema[ri].dtype
                expressions.append(_coalesce_columns(li, ri, source_l, source_r, dtype))
            else:
                index = ri if kind == "right" else li
                expressions.append(_converted(Compiled(_getter(index), schema[index].dtype, column_index=index), dtype))
            fields.append(Column(column.name, dtype))
        hidden = {c.left_index for c in joined} | {c.right_index for c in joined}
        for index, f in enumerate(schema):
            expressions.append(Compiled(_getter(index), f.dtype, column_index=index))
            fields.append(dataclasses.replace(f, hidden=f.hidden or index in hidden))
        return Project(schema=fields, input=step, expressions=expressions, spans=[None] * len(fields))

    def _plan_hinted_table(self, item: ast.TableRef) -> Step:
        """``t /*+ OPTIONS('k' = 'v') */``: Flink's dynamic table options, over the table's own
        for this scan only; a view (or WITH table) cannot take them, as in Flink."""
        assert item.options is not None
        name = object_name(item.name)
        is_common = (
            len(item.name.parts) == 1 and self._common_tables is not None and self._common_tables.find(name) is not None
        )
        entry = None if is_common else self.catalog.get_relation(item.name)
        if not isinstance(entry, TableEntry):
            raise ValidationError(
                f"View '`default_catalog`.`default_database`.`{name}`' cannot be enriched with new options. "
                "Hints can only be applied to tables.",
                item.span,
            )
        items = {option.key: option for option in entry.definition.options}
        items.update({option.key: option for option in item.options})
        options = {key: option.value for key, option in items.items()}
        connector = type(entry.connector)(entry.name, entry.columns, options, items)
        hinted = dataclasses.replace(entry, options=options, connector=connector)
        try:
            connector.check_source()
        except ValidationError as error:
            raise error.locate(item.name.span, None) from error.__cause__
        return TableScan(schema=list(hinted.columns), table=hinted)

    def _plan_relation(self, name: ast.QualifiedName) -> Step:
        if len(name.parts) == 1 and self._common_tables is not None:
            common = self._common_tables.find(name.parts[0].name)
            if common is not None:
                return self._plan_common_table(common, name.span)
        entry = self.catalog.get_relation(name)
        if isinstance(entry, TableEntry):
            try:
                # Fails now, with Flink's message, if the connector cannot be a source.
                entry.connector.check_source()
            except ValidationError as error:
                raise error.locate(name.span, None) from error.__cause__
            return TableScan(schema=list(entry.columns), table=entry)
        return self.plan_view(entry, name.span)

    def plan_view(self, view: ViewEntry, span: Span | None = None) -> Step:
        if self._view_depth > _MAX_VIEW_DEPTH:
            raise ValidationError(f"view '{view.name}' refers to itself", span)
        self._view_depth += 1
        # A view sees neither the WITH tables nor the columns of the query that uses it.
        saved = (self._common_tables, self._outer)
        self._common_tables, self._outer = None, None
        try:
            step = self.plan_query(view.definition.query)
        finally:
            self._view_depth -= 1
            self._common_tables, self._outer = saved
        return _rename(step, [c.name for c in view.columns])

    def _plan_predict(self, call: ast.MLPredict) -> Predict:
        if isinstance(call.table, ast.QualifiedName):
            source, source_name = self._plan_relation(call.table), object_name(call.table)
        else:
            source, source_name = self.plan_query(call.table), "(subquery)"
        model = self.catalog.get_model(call.model)
        available = [f.name for f in source.schema]
        if len(call.descriptor) != len(model.inputs):
            raise ValidationError(
                f"Number of descriptor columns ({len(call.descriptor)}) does not match model input size "
                f"({len(model.inputs)}).",
                call.descriptor[0].span if call.descriptor else call.span,
            )
        column = call.descriptor[0]
        if column.name not in available:
            raise ValidationError(
                f"Descriptor column '{column.name}' not found in table columns. Available columns: "
                + ", ".join(available)
                + ".",
                column.span,
            )
        index = available.index(column.name)
        column_type = source.schema[index].dtype
        model_type = model.inputs[0].dtype
        if not T.can_cast_implicitly(column_type, model_type):
            raise QsqlTypeError(
                f"Descriptor column '{column.name}' type {column_type} cannot be assigned to model input type "
                f"{model_type} at position 0.",
                column.span,
                hint="build a STRING column in a view, e.g. CAST(x AS STRING)",
            )
        check_model_for_flink(model, call.model.span)
        schema = [dataclasses.replace(f, qualifier=None, hidden=False) for f in source.schema]
        taken = {f.name for f in schema}
        for output in model.outputs:
            name = _unique_name(output.name, taken)
            taken.add(name)
            schema.append(Column(name, output.dtype.with_nullable(True)))
        return Predict(
            schema=schema,
            input=source,
            model=model,
            input_index=index,
            input_column=column.name,
            source_name=source_name,
            options=self._predict_options(call.config),
        )

    def _predict_options(self, config: ast.MapConstructor | None) -> PredictOptions:
        """ML_PREDICT's runtime options: the MAP config's value, else the session's, else the
        default; each checked by its setting's parser (settings.py)."""
        given: dict[str, tuple[str, Span | None]] = {}
        if config is not None:
            if not config.items:
                raise ValidationError("Map requires at least 2 arguments", config.span)  # Calcite's words
            if len(config.items) % 2:
                raise ValidationError("MAP needs key/value pairs: an even number of entries", config.span)
            for key_expr, value_expr in zip(config.items[::2], config.items[1::2]):
                key, value = constant_value(key_expr), constant_value(value_expr)
                if not isinstance(key, str) or not isinstance(value, str):
                    raise QsqlTypeError("ML_PREDICT config keys and values must be string literals", key_expr.span)
                given[key] = (value, value_expr.span)

        def option(setting: S.Setting[V]) -> V:
            name = S.predict_option_name(setting)
            if name in given:
                text, span = given[name]
                return setting.check(text, f"'{name}'", span)
            return setting.read(self.settings)

        return PredictOptions(
            asynchronous=option(S.PREDICT_ASYNC),
            max_concurrent=option(S.PREDICT_MAX_CONCURRENT),
            ordered=option(S.PREDICT_OUTPUT_MODE) == "ordered",
            timeout=option(S.PREDICT_TIMEOUT),
        )

    # -------------------------------------------------------------- INSERT
    def plan_insert(self, insert: ast.Insert) -> InsertPlan:
        entry = self.catalog.get_relation(insert.table)
        if isinstance(entry, ViewEntry):
            raise ValidationError(f"'{entry.name}' is a view; INSERT needs a table", insert.table.span)
        try:
            entry.connector.check_sink(insert.overwrite)
        except ValidationError as error:
            raise error.locate(insert.table.span, None) from error.__cause__
        sink_columns = entry.columns
        if insert.columns is not None:
            names = [c.name for c in sink_columns]
            targets: list[int] = []
            for ident in insert.columns:
                if ident.name not in names:
                    raise ValidationError(
                        f"Unknown target column '{ident.name}' of table '{entry.name}'",
                        ident.span,
                        hint="columns: " + ", ".join(names),
                    )
                if names.index(ident.name) in targets:
                    raise ValidationError(f"Target column '{ident.name}' is assigned more than once", ident.span)
                targets.append(names.index(ident.name))
            for i, column in enumerate(sink_columns):
                if i not in targets and not column.dtype.nullable:
                    raise ValidationError(
                        f"Column '{column.name}' has no default value and does not allow NULLs", insert.table.span
                    )
        else:
            targets = list(range(len(sink_columns)))
        query = self.plan_query(insert.query)
        query_types = [f.dtype for f in query.schema]
        sink_schema = "[" + ", ".join(f"{c.name}: {c.dtype}" for c in sink_columns) + "]"
        query_schema = "[" + ", ".join(f"{f.name}: {f.dtype}" for f in query.schema) + "]"
        mismatch = f"Column types of query result and sink for '{entry.name}' do not match"
        if len(query_types) != len(targets):
            raise QsqlTypeError(
                f"{mismatch}: different number of columns (query has {len(query_types)}, sink expects {len(targets)})",
                insert.query.span,
                hint=f"Query schema: {query_schema}  Sink schema: {sink_schema}",
            )
        for position, (target, query_type) in enumerate(zip(targets, query_types)):
            column = sink_columns[target]
            # Flink refuses VARCHAR into a CHAR(n) sink column (a CHAR of any length is padded or cut).
            varchar_into_char = column.dtype.kind == "CHAR" and query_type.kind == "VARCHAR"
            if varchar_into_char or not T.can_cast_implicitly(query_type, column.dtype):
                span = None
                if isinstance(query, Project) and position < len(query.spans):
                    span = query.spans[position]
                raise QsqlTypeError(
                    f"{mismatch}: incompatible types for sink column '{column.name}' at position {position + 1} "
                    f"({query_type} cannot be written to {column.dtype})",
                    span or insert.query.span,
                    hint=f"Query schema: {query_schema}  Sink schema: {sink_schema}",
                )
        mapping: list[int | None] = [None] * len(sink_columns)
        for position, target in enumerate(targets):
            mapping[target] = position
        return InsertPlan(
            table=entry, query=query, mapping=mapping, source_types=query_types, overwrite=insert.overwrite
        )


# ------------------------------------------------------------------------- helpers


def _filter_before_model(source: Step, condition: ast.Expr) -> Step | None:
    """A WHERE over ML_PREDICT that reads only the input table's columns runs before the model:
    the same rows come out, and no request is paid for a row the WHERE would drop. Returns a new
    ML_PREDICT step over the filtered input (None: the WHERE must stay above the model)."""
    if not isinstance(source, Predict):
        return None
    input_fields = [
        dataclasses.replace(f, qualifier=q.qualifier, hidden=False) for f, q in zip(source.input.schema, source.schema)
    ]
    compiled = _try_compile(condition, Scope(input_fields))  # no subqueries: they stay after the model
    if compiled is None:
        return None
    filtered = Filter(schema=source.input.schema, input=source.input, condition=compiled, text="WHERE")
    return dataclasses.replace(source, input=filtered)


def _listagg_separator(call: ast.FunctionCall) -> str:
    if len(call.args) < 2:
        return ","
    separator = call.args[1]
    if not (isinstance(separator, ast.Literal) and isinstance(separator.value, str)):
        raise ValidationError("LISTAGG's separator must be a string literal", separator.span)
    return separator.value


@contextlib.contextmanager
def _alias_hint(select: ast.Select, clause: str) -> Iterator[None]:
    """A GROUP BY or HAVING that names a SELECT alias fails in Flink (Calcite's default
    conformance) with "Column 'x' not found"; qsql fails the same way and says why."""
    try:
        yield
    except ValidationError as error:
        aliases = [item.alias.name for item in select.items if isinstance(item, ast.SelectExpr) and item.alias]
        for name in aliases:
            if error.hint is None and error.message.startswith(f"Column '{name}' not found"):
                error.hint = (
                    f"'{name}' is a SELECT alias, which Flink does not allow in {clause}: "
                    f"repeat the expression there (or select from a subquery that names it)"
                )
        raise


def _require_boolean(compiled: Compiled, expr: ast.Expr, clause: str) -> None:
    if compiled.dtype.kind not in ("BOOLEAN", "NULL"):
        raise QsqlTypeError(f"{clause} needs a BOOLEAN condition, got {compiled.dtype}", expr.span)


def _walk(expr: ast.Expr) -> Iterator[ast.Expr]:
    """Every expression node under ``expr``, not descending into aggregate calls (nor into an
    OVER call itself, only its arguments and window), nor into subqueries. Iterative: the depth
    follows the user's input."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.FunctionCall) and node.name.name.upper() in F.AGGREGATES:
            continue
        if isinstance(node, ast.Over):
            stack.extend(reversed([*node.call.args, *node.partition_by, *(o.expr for o in node.order_by)]))
            continue
        children: list[ast.Expr] = []
        for value in vars(node).values():
            if isinstance(value, ast.Expr):
                children.append(value)
            elif isinstance(value, tuple):
                for part in value:
                    if isinstance(part, ast.Expr):
                        children.append(part)
                    elif isinstance(part, tuple):
                        children.extend(p for p in part if isinstance(p, ast.Expr))
        stack.extend(reversed(children))


def _over_calls(exprs: list[ast.Expr]) -> list[ast.Over]:
    calls: list[ast.Over] = []
    for expr in exprs:
        for node in _walk(expr):
            if isinstance(node, ast.Over) and node not in calls:
                calls.append(node)
    return calls


def _always_non_empty(frame: ast.WindowFrame | None) -> bool:
    if frame is None:
        return True
    return frame.start.kind in ("UNBOUNDED PRECEDING", "PRECEDING", "CURRENT ROW") and frame.end.kind in (
        "CURRENT ROW",
        "FOLLOWING",
        "UNBOUNDED FOLLOWING",
    )


def _constant_int(expr: ast.Expr, what: str) -> int:
    try:
        value = constant_value(expr)
    except ValidationError:
        value = None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(f"{what} must be an integer literal", expr.span)
    return value


def _limited(step: Step, limit: int | None, offset: int | None, span: Span | None, ordered: bool) -> Step:
    if offset is not None and limit is None and ordered:
        # Flink batch refuses ORDER BY ... OFFSET n without a LIMIT / FETCH (this message).
        raise ValidationError(
            "Not support limitEnd is max value now!", span, hint="add LIMIT n or FETCH FIRST n ROWS ONLY"
        )
    if limit is None and not offset:
        return step
    return Limit(schema=step.schema, input=step, count=limit, offset=offset or 0)


def _nullable_field(f: Column) -> Column:
    return dataclasses.replace(f, dtype=f.dtype.with_nullable(True))


def _coalesce_columns(left: int, right: int, left_type: DataType, right_type: DataType, target: DataType) -> Compiled:
    def evaluate(row: tuple) -> object:
        value = row[left]
        if value is not None:
            return T.cast_value(value, left_type, target) if left_type != target else value
        value = row[right]
        return T.cast_value(value, right_type, target) if value is not None and right_type != target else value

    return Compiled(evaluate, target)


def _aggregate_calls(exprs: list[ast.Expr]) -> list[ast.FunctionCall]:
    calls: list[ast.FunctionCall] = []
    for expr in exprs:
        for node in _walk(expr):
            if isinstance(node, ast.FunctionCall) and node.name.name.upper() in F.AGGREGATES and node not in calls:
                for arg in node.args:
                    _no_aggregates(arg, f"an argument of {node.name.name.upper()}")
                calls.append(node)
    return calls


def _has_aggregate(expr: ast.Expr) -> bool:
    return any(isinstance(n, ast.FunctionCall) and n.name.name.upper() in F.AGGREGATES for n in _walk(expr))


def _no_aggregates(expr: ast.Expr, where: str) -> None:
    for node in _walk(expr):
        if isinstance(node, ast.FunctionCall) and node.name.name.upper() in F.AGGREGATES:
            raise ValidationError(f"Aggregate {node.name.name.upper()} is not allowed in {where}", node.span)


def _output_column(expr: ast.Expr, names: list[str], visible: int) -> int | None:
    """ORDER BY 2, or ORDER BY a name of the select list."""
    if isinstance(expr, ast.Literal) and isinstance(expr.value, int) and not isinstance(expr.value, bool):
        if not 1 <= expr.value <= visible:
            raise ValidationError(f"Ordinal out of range: ORDER BY {expr.value} with {visible} columns", expr.span)
        return expr.value - 1
    if isinstance(expr, ast.ColumnRef) and len(expr.parts) == 1:
        matches = [i for i, name in enumerate(names[:visible]) if name == expr.name]
        if len(matches) == 1:
            return matches[0]
    return None


def _sort_key(index: int, order: ast.OrderItem) -> SortKey:
    # Flink's default: NULLs first when ascending, last when descending.
    nulls_first = order.nulls_first if order.nulls_first is not None else not order.descending
    return SortKey(index, order.descending, nulls_first)


def _flatten_set_operation(query: ast.SetOperation) -> list[ast.Query]:
    """The inputs of a left-deep chain of the same UNION [ALL], iteratively (490 branches)."""
    inputs: list[ast.Query] = []
    node: ast.Query = query
    while isinstance(node, ast.SetOperation) and node.op == query.op and node.all == query.all:
        inputs.append(node.right)
        node = node.left
    inputs.append(node)
    inputs.reverse()
    return inputs


def _conjuncts(expr: ast.Expr) -> list[ast.Expr]:
    found: list[ast.Expr] = []
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.BinaryOp) and node.op == "AND":
            stack.append(node.right)
            stack.append(node.left)
        else:
            found.append(node)
    return found


def _equi_pair(expr: ast.Expr, left: Scope, right: Scope) -> tuple[Compiled, Compiled] | None:
    """``l = r`` with one side over the left input only and the other over the right only."""
    if not (isinstance(expr, ast.BinaryOp) and expr.op == "="):
        return None
    for a, b in ((expr.left, expr.right), (expr.right, expr.left)):
        left_side, right_side = _try_compile(a, left), _try_compile(b, right)
        if left_side is not None and right_side is not None:
            if T.common_type([left_side.dtype, right_side.dtype]) is None:
                return None
            return left_side, right_side
    return None


def _try_compile(expr: ast.Expr, scope: Scope) -> Compiled | None:
    try:
        return compile_expr(expr, scope)
    except ValidationError:
        return None


def _getter(index: int) -> Callable[[tuple], object]:
    return lambda row: row[index]


def _converted(value: Compiled, target: DataType) -> Compiled:
    if value.dtype == target:
        return value
    source, inner = value.dtype, value.evaluate
    return Compiled(lambda row: T.cast_value(inner(row), source, target), target, value.constant)


def _requalify(step: Step, qualifier: str | None) -> Step:
    return with_schema(step, [dataclasses.replace(f, qualifier=qualifier, hidden=False) for f in step.schema])


def _rename(step: Step, names: list[str]) -> Step:
    return with_schema(step, [dataclasses.replace(f, name=name, hidden=False) for name, f in zip(names, step.schema)])


def _unique_name(name: str, taken: set[str]) -> str:
    """Flink's rule for an output column that clashes with an input column: append 0, 1, ..."""
    if name not in taken:
        return name
    index = 0
    while f"{name}{index}" in taken:
        index += 1
    return f"{name}{index}"


def _json_aggregate_argument(name: str, call: ast.FunctionCall, scope: Scope) -> tuple[Compiled, list[DataType]]:
    """JSON_ARRAYAGG's value, or JSON_OBJECTAGG's (key, value) pair, made JSON-ready per row
    (a ROW becomes an object of its field names, a DECIMAL keeps its scale), and the types."""
    from .json_functions import to_json

    for arg in call.args:
        _no_aggregates(arg, f"an argument of {name}")
    compiled = [compile_expr(arg, scope) for arg in call.args]
    value = compiled[-1]
    value_of, value_type = value.evaluate, value.dtype
    if name.startswith("JSON_OBJECTAGG"):
        key_of = compiled[0].evaluate
        return (
            Compiled(lambda row: (key_of(row), to_json(value_of(row), value_type)), value_type),
            [compiled[0].dtype, value_type],
        )
    return Compiled(lambda row: to_json(value_of(row), value_type), value_type), [value_type]
