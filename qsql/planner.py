"""AST + catalog -> a tree of small plan steps, fully type-checked.

Planning never runs anything: it resolves every name, checks every type and every
ML_PREDICT argument, so a statement that cannot finish fails before a single model request
is paid for. Each step says what it is (``describe``), which EXPLAIN and error messages use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import ast
from . import functions as F
from . import types as T
from .catalog import Catalog, ModelEntry, TableEntry, ViewEntry, object_name
from .errors import QsqlTypeError, ValidationError
from .expressions import Compiled, Field, Scope, compile_expr, constant_value
from .source import Span
from .types import DataType

DEFAULT_MAX_CONCURRENT = 10
DEFAULT_TIMEOUT_SECONDS = 180.0
SESSION_PREDICT_PREFIX = "table.exec.async-ml-predict."
_MAX_VIEW_DEPTH = 64


# ------------------------------------------------------------------------- steps


@dataclass
class Step:
    schema: list[Field]

    def describe(self) -> str:
        raise NotImplementedError

    @property
    def children(self) -> list[Step]:
        return []


@dataclass
class SingleRow(Step):
    """The one empty row a SELECT without FROM projects from."""

    def describe(self) -> str:
        return "SingleRow"


@dataclass
class ValuesStep(Step):
    rows: list[list[Compiled]] = field(default_factory=list)

    def describe(self) -> str:
        return f"Values({len(self.rows)} rows)"


@dataclass
class TableScan(Step):
    table: TableEntry | None = None

    def describe(self) -> str:
        assert self.table is not None
        return f"TableScan({self.table.name}, connector={self.table.connector.identifier})"


@dataclass
class Project(Step):
    input: Step | None = None
    expressions: list[Compiled] = field(default_factory=list)
    spans: list[Span | None] = field(default_factory=list)

    def describe(self) -> str:
        return "Project(" + ", ".join(f.name for f in self.schema) + ")"

    @property
    def children(self) -> list[Step]:
        return [self.input] if self.input else []


@dataclass
class Filter(Step):
    """Rows for which the condition is TRUE (not FALSE, not NULL)."""

    input: Step | None = None
    condition: Compiled | None = None
    text: str = ""

    def describe(self) -> str:
        return f"Filter({self.text})"

    @property
    def children(self) -> list[Step]:
        return [self.input] if self.input else []


@dataclass
class Aggregate(Step):
    """GROUP BY keys and aggregate calls: one row per group (one row in all without GROUP BY)."""

    input: Step | None = None
    keys: list[Compiled] = field(default_factory=list)
    # (function name, argument or None for COUNT(*), result type, DISTINCT)
    calls: list[tuple[str, Compiled | None, DataType, bool]] = field(default_factory=list)
    grouped: bool = True

    def describe(self) -> str:
        calls = ", ".join(f"{name}({'DISTINCT ' if distinct else ''}{'*' if arg is None else '...'})"
                          for name, arg, _, distinct in self.calls)
        return f"Aggregate(keys={len(self.keys)}{', ' + calls if calls else ''})"

    @property
    def children(self) -> list[Step]:
        return [self.input] if self.input else []


@dataclass
class Sort(Step):
    input: Step | None = None
    # (column index, descending, nulls first)
    keys: list[tuple[int, bool, bool]] = field(default_factory=list)

    def describe(self) -> str:
        return "Sort(" + ", ".join(f"${i}{' DESC' if d else ''}" for i, d, _ in self.keys) + ")"

    @property
    def children(self) -> list[Step]:
        return [self.input] if self.input else []


@dataclass
class Limit(Step):
    input: Step | None = None
    count: int = 0

    def describe(self) -> str:
        return f"Limit({self.count})"

    @property
    def children(self) -> list[Step]:
        return [self.input] if self.input else []


@dataclass
class Distinct(Step):
    input: Step | None = None

    def describe(self) -> str:
        return "Distinct"

    @property
    def children(self) -> list[Step]:
        return [self.input] if self.input else []


@dataclass
class UnionAllStep(Step):
    inputs: list[Step] = field(default_factory=list)
    # Per input, per column: the conversion to the union's column type (None: as is).
    conversions: list[list[tuple[DataType, DataType] | None]] = field(default_factory=list)

    def describe(self) -> str:
        return "UnionAll"

    @property
    def children(self) -> list[Step]:
        return list(self.inputs)


@dataclass
class HashJoin(Step):
    """Equality join: the right side is held in a hash table, the left side streams."""

    left: Step | None = None
    right: Step | None = None
    kind: str = "inner"
    left_keys: list[Compiled] = field(default_factory=list)
    right_keys: list[Compiled] = field(default_factory=list)
    residual: Compiled | None = None

    def describe(self) -> str:
        method = "HashJoin" if self.left_keys else "NestedLoopJoin"
        return f"{method}({self.kind}, keys={len(self.left_keys)})"

    @property
    def children(self) -> list[Step]:
        return [s for s in (self.left, self.right) if s is not None]


@dataclass
class PredictOptions:
    """ML_PREDICT's runtime knobs, from its MAP config or the session (Flink's names)."""

    asynchronous: bool = True
    max_concurrent: int = DEFAULT_MAX_CONCURRENT
    ordered: bool = True
    timeout: float = DEFAULT_TIMEOUT_SECONDS

    @property
    def concurrency(self) -> int:
        return self.max_concurrent if self.asynchronous else 1


@dataclass
class Predict(Step):
    input: Step | None = None
    model: ModelEntry | None = None
    input_index: int = 0
    input_column: str = ""
    source_name: str = ""
    options: PredictOptions = field(default_factory=PredictOptions)

    def describe(self) -> str:
        assert self.model is not None
        o = self.options
        config = self.model.config
        mode = "ordered" if o.ordered else "unordered"
        retry = config.retry
        policy = f"{retry.strategy}" + (f" x{retry.retries} then {retry.fallback}" if retry.strategy == "RETRY" else "")
        batching = f", batch={config.batch_size}" if config.task == "embeddings" else ""
        return (
            f"ML_PREDICT(model={self.model.name} [{config.provider} {config.task} {config.model} -> {config.url}], "
            f"table={self.source_name}, input={self.input_column}, concurrency={o.concurrency}, {mode}{batching}, "
            f"timeout={o.timeout:g}s, errors={policy})"
        )

    @property
    def children(self) -> list[Step]:
        return [self.input] if self.input else []


@dataclass
class InsertPlan:
    """Rows of ``query`` converted to the sink's column types, into ``table``."""

    table: TableEntry
    query: Step
    # For each sink column: index into the query row (or None: NULL) and the conversion.
    mapping: list[int | None]
    source_types: list[DataType]
    overwrite: bool = False

    def describe(self) -> str:
        return f"Sink({self.table.name}, connector={self.table.connector.identifier})"


def explain(step: Step, indent: int = 0) -> str:
    lines = ["  " * indent + step.describe()]
    for child in step.children:
        lines.append(explain(child, indent + 1))
    return "\n".join(lines)


# ------------------------------------------------------------------------- planner


class Planner:
    def __init__(self, catalog: Catalog, settings: dict[str, str] | None = None) -> None:
        self.catalog = catalog
        self.settings = settings or {}
        self._view_depth = 0

    # -------------------------------------------------------------- queries
    def plan_query(self, query: ast.Query) -> Step:
        if isinstance(query, ast.Values):
            return self._plan_values(query)
        if isinstance(query, ast.Select):
            return self._plan_select(query)
        if isinstance(query, ast.UnionAll):
            return self._plan_union(query)
        if isinstance(query, ast.Ordered):
            return self._plan_ordered(query)
        raise ValidationError(f"{type(query).__name__} is not supported", query.span)

    def _plan_values(self, values: ast.Values) -> ValuesStep:
        width = len(values.rows[0])
        for row in values.rows:
            if len(row) != width:
                raise ValidationError(
                    f"Values passed to VALUES operator must have the same number of columns ({width} and {len(row)})",
                    row[0].span if row else values.span,
                )
        compiled = [[compile_expr(expr, Scope([])) for expr in row] for row in values.rows]
        schema: list[Field] = []
        for column in range(width):
            column_types = [row[column].dtype for row in compiled]
            common = T.common_type(column_types)
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
            if common.kind == "CHAR" and len({t.length for t in column_types}) > 1:
                common = T.varchar(common.length or 1).with_nullable(common.nullable)
            schema.append(Field(f"EXPR${column}", common))
        # Convert each value to the column type once, at execution (the cast is cheap and exact).
        converted = [
            [_converted(value, schema[i].dtype) for i, value in enumerate(row)] for row in compiled
        ]
        return ValuesStep(schema=schema, rows=converted)

    def _plan_select(self, select: ast.Select) -> Step:
        source = self._plan_from(select.from_) if select.from_ is not None else SingleRow(schema=[])
        scope = Scope(source.schema)
        if select.where is not None:
            _no_aggregates(select.where, "WHERE")
            condition = compile_expr(select.where, scope)
            _require_boolean(condition, select.where, "WHERE")
            source = _filter_before_model(source, select.where) or Filter(
                schema=source.schema, input=source, condition=condition, text="WHERE"
            )

        # The select list, with * expanded: (expression or column index, name, span).
        items: list[tuple[ast.Expr | int, str, Span | None]] = []
        for position, item in enumerate(select.items):
            if isinstance(item, ast.SelectStar):
                if not source.schema:
                    raise ValidationError("SELECT * needs a FROM clause", item.span)
                fields = [
                    (i, f) for i, f in enumerate(source.schema)
                    if item.qualifier is None or f.qualifier == item.qualifier.name
                ]
                if not fields:
                    raise ValidationError(f"Unknown identifier '{item.qualifier.name}'", item.span)  # type: ignore[union-attr]
                items.extend((i, f.name, item.span) for i, f in fields)
                continue
            assert isinstance(item, ast.SelectExpr)
            if item.alias is not None:
                name = item.alias.name
            elif isinstance(item.expr, ast.ColumnRef):
                name = item.expr.name
            else:
                name = f"EXPR${position}"
            items.append((item.expr, name, item.expr.span))

        order_items = list(select.order_by or ())
        aggregate_calls = _aggregate_calls(
            [e for e, _, _ in items if not isinstance(e, int)] + ([select.having] if select.having else [])
            + [o.expr for o in order_items]
        )
        if select.group_by is not None or aggregate_calls or select.having is not None:
            source, scope = self._plan_aggregate(select, source, scope, aggregate_calls, items)
            if select.having is not None:
                condition = compile_expr(select.having, scope)
                _require_boolean(condition, select.having, "HAVING")
                source = Filter(schema=source.schema, input=source, condition=condition, text="HAVING")

        expressions: list[Compiled] = []
        for expr, name, span in items:
            if isinstance(expr, int):
                if scope.substitutions is not None:
                    ref = ast.ColumnRef(parts=(ast.Identifier(name=name, span=span),), span=span)  # type: ignore[arg-type]
                    expressions.append(compile_expr(ref, scope))
                else:
                    expressions.append(Compiled(_getter(expr), source.schema[expr].dtype, column_index=expr))
                continue
            compiled = compile_expr(expr, scope)
            if compiled.dtype.kind == "NULL":
                raise QsqlTypeError("Illegal use of 'NULL'", expr.span, hint="write CAST(NULL AS <type>)")
            expressions.append(compiled)
        names = [name for _, name, _ in items]
        spans = [span for _, _, span in items]
        visible = len(expressions)

        # ORDER BY: an output column (by name or position), else an expression over the input,
        # carried as a hidden column until the rows are sorted.
        sort_keys: list[tuple[int, bool, bool]] = []
        for order in order_items:
            index = _output_column(order.expr, names, visible)
            if index is None:
                if select.distinct:
                    raise ValidationError(
                        "with SELECT DISTINCT, ORDER BY expressions must appear in the select list", order.expr.span
                    )
                expressions.append(compile_expr(order.expr, scope))
                names.append(f"$sort{len(expressions)}")
                spans.append(order.expr.span)
                index = len(expressions) - 1
            sort_keys.append(_sort_key(index, order))

        schema = [Field(name, c.dtype) for name, c in zip(names, expressions)]
        step: Step = Project(schema=schema, input=source, expressions=expressions, spans=spans)
        if select.distinct:
            step = Distinct(schema=step.schema, input=step)
        if sort_keys:
            step = Sort(schema=step.schema, input=step, keys=sort_keys)
        if len(expressions) > visible:
            step = Project(
                schema=schema[:visible], input=step,
                expressions=[Compiled(_getter(i), schema[i].dtype, column_index=i) for i in range(visible)],
                spans=spans[:visible],
            )
        if select.limit is not None:
            step = Limit(schema=step.schema, input=step, count=select.limit)
        return step

    def _plan_aggregate(
        self,
        select: ast.Select,
        source: Step,
        scope: Scope,
        calls: list[ast.FunctionCall],
        items: list[tuple[ast.Expr | int, str, Span | None]],
    ) -> tuple[Step, Scope]:
        keys = list(select.group_by or ())
        compiled_keys = []
        for key in keys:
            _no_aggregates(key, "GROUP BY")
            compiled_keys.append(compile_expr(key, scope))
        substitutions: dict[ast.Expr, tuple[int, DataType]] = {}
        grouped: dict[int, tuple[int, DataType]] = {}
        fields: list[Field] = []
        for slot, (key, compiled) in enumerate(zip(keys, compiled_keys)):
            substitutions[key] = (slot, compiled.dtype)
            if compiled.column_index is not None:
                grouped[compiled.column_index] = (slot, compiled.dtype)
            fields.append(Field(key.name if isinstance(key, ast.ColumnRef) else f"$key{slot}", compiled.dtype))
        aggregate_calls: list[tuple[str, Compiled | None, DataType, bool]] = []
        for call in calls:
            if call in substitutions:
                continue
            name = call.name.name.upper()
            if call.star:
                if name != "COUNT":
                    raise ValidationError(f"{name}(*) is not allowed; only COUNT(*)", call.span)
                argument, types = None, []
            else:
                if len(call.args) != 1 and not (name == "LISTAGG" and len(call.args) == 2):
                    raise ValidationError(f"{name} takes exactly one argument, got {len(call.args)}", call.span)
                _no_aggregates(call.args[0], f"an argument of {name}")
                argument = compile_expr(call.args[0], scope)
                types = [argument.dtype]
            result = F.aggregate_result_type(name, types, call.span)
            substitutions[call] = (len(fields), result)
            fields.append(Field(f"${name}{len(fields)}", result))
            accumulator_name = name
            if name == "LISTAGG":
                accumulator_name = F.listagg_name(_listagg_separator(call))
            aggregate_calls.append((accumulator_name, argument, result, call.distinct))
        step = Aggregate(
            schema=fields, input=source, keys=compiled_keys, calls=aggregate_calls, grouped=select.group_by is not None
        )
        return step, Scope(fields, substitutions, input_scope=scope, grouped_columns=grouped)

    def _plan_union(self, union: ast.UnionAll) -> Step:
        inputs = _flatten_union(union)
        steps = [self.plan_query(q) for q in inputs]
        width = len(steps[0].schema)
        for step, query in zip(steps[1:], inputs[1:]):
            if len(step.schema) != width:
                raise ValidationError(
                    f"Column count mismatch in UNION ALL: {width} and {len(step.schema)} columns", query.span
                )
        schema: list[Field] = []
        for column in range(width):
            types = [s.schema[column].dtype for s in steps]
            common = T.common_type(types)
            if common is None:
                raise QsqlTypeError(
                    f"Type mismatch in column {column + 1} of UNION ALL: " + ", ".join(map(str, types)), union.span
                )
            if common.kind == "CHAR" and len({t.length for t in types}) > 1:
                common = T.varchar(common.length or 1).with_nullable(common.nullable)
            schema.append(Field(steps[0].schema[column].name, common))
        conversions = [
            [None if f.dtype == target.dtype else (f.dtype, target.dtype) for f, target in zip(s.schema, schema)]
            for s in steps
        ]
        return UnionAllStep(schema=schema, inputs=steps, conversions=conversions)

    def _plan_ordered(self, ordered: ast.Ordered) -> Step:
        step = self.plan_query(ordered.query)
        names = [f.name for f in step.schema]
        if ordered.order_by:
            keys = []
            for order in ordered.order_by:
                index = _output_column(order.expr, names, len(names))
                if index is None:
                    raise ValidationError(
                        "ORDER BY of a UNION ALL or VALUES must name an output column or its position",
                        order.expr.span,
                    )
                keys.append(_sort_key(index, order))
            step = Sort(schema=step.schema, input=step, keys=keys)
        if ordered.limit is not None:
            step = Limit(schema=step.schema, input=step, count=ordered.limit)
        return step

    def _plan_from(self, item: ast.FromItem) -> Step:
        if isinstance(item, ast.TableRef):
            step = self._plan_relation(item.name)
            qualifier = item.alias.name if item.alias else object_name(item.name)
            return _requalify(step, qualifier)
        if isinstance(item, ast.MLPredict):
            step = self._plan_predict(item)
            return _requalify(step, item.alias.name if item.alias else None)
        if isinstance(item, ast.SubqueryRef):
            step = self.plan_query(item.query)
            if item.columns is not None:
                if len(item.columns) != len(step.schema):
                    raise ValidationError(
                        f"List of column aliases must have same degree as table; the query has {len(step.schema)} "
                        f"columns, whereas the alias list has {len(item.columns)} columns", item.columns[0].span,
                    )
                step = _rename(step, [c.name for c in item.columns])
            return _requalify(step, item.alias.name if item.alias else None)
        if isinstance(item, ast.Join):
            return self._plan_join(item)
        raise ValidationError(f"{type(item).__name__} is not supported in FROM", item.span)

    def _plan_join(self, join: ast.Join) -> Step:
        left = self._plan_from(join.left)
        right = self._plan_from(join.right)
        right_fields = right.schema
        if join.kind == "left":
            right_fields = [Field(f.name, f.dtype.with_nullable(True), f.qualifier) for f in right.schema]
        schema = left.schema + right_fields
        _no_aggregates(join.condition, "ON")
        combined = Scope(schema)
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
        residual_condition = None
        if residual:
            expr = residual[0]
            for more in residual[1:]:
                expr = ast.BinaryOp(op="AND", left=expr, right=more, span=more.span)
            residual_condition = compile_expr(expr, combined)
        return HashJoin(
            schema=schema, left=left, right=right, kind=join.kind,
            left_keys=left_keys, right_keys=right_keys, residual=residual_condition,
        )

    def _plan_relation(self, name: ast.QualifiedName) -> Step:
        entry = self.catalog.get_relation(name)
        if isinstance(entry, TableEntry):
            try:
                # Fails now, with Flink's message, if the connector cannot be a source.
                entry.connector.check_source()
            except ValidationError as error:
                raise error.locate(name.span, None)
            return TableScan(schema=[Field(c.name, c.dtype) for c in entry.columns], table=entry)
        return self.plan_view(entry, name.span)

    def plan_view(self, view: ViewEntry, span: Span | None = None) -> Step:
        if self._view_depth > _MAX_VIEW_DEPTH:
            raise ValidationError(f"view '{view.name}' refers to itself", span)
        self._view_depth += 1
        try:
            step = self.plan_query(view.definition.query)
        finally:
            self._view_depth -= 1
        return _rename(step, [c.name for c in view.columns])

    def _plan_predict(self, call: ast.MLPredict) -> Predict:
        source = self._plan_relation(call.table)
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
                + ", ".join(available) + ".",
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
        schema = [Field(f.name, f.dtype, None) for f in source.schema]
        taken = {f.name for f in schema}
        for output in model.outputs:
            name = _unique_name(output.name, taken)
            taken.add(name)
            schema.append(Field(name, output.dtype.with_nullable(True)))
        return Predict(
            schema=schema,
            input=source,
            model=model,
            input_index=index,
            input_column=column.name,
            source_name=object_name(call.table),
            options=self._predict_options(call.config),
        )

    def _predict_options(self, config: ast.MapConstructor | None) -> PredictOptions:
        values: dict[str, tuple[str, Span | None]] = {}
        for key in ("async", "max-concurrent-operations", "output-mode", "timeout"):
            setting = self.settings.get(SESSION_PREDICT_PREFIX + key)
            if setting is not None:
                values[key] = (setting, None)
        if config is not None:
            if len(config.items) % 2:
                raise ValidationError("MAP needs key/value pairs: an even number of entries", config.span)
            for key_expr, value_expr in zip(config.items[::2], config.items[1::2]):
                key, value = constant_value(key_expr), constant_value(value_expr)
                if not isinstance(key, str) or not isinstance(value, str):
                    raise QsqlTypeError("ML_PREDICT config keys and values must be string literals", key_expr.span)
                values[key] = (value, value_expr.span)
        options = PredictOptions()
        if "async" in values:
            text, span = values["async"]
            if text.lower() not in ("true", "false"):
                raise ValidationError(f"Unrecognized option for boolean: {text}. Expected either true or false", span)
            options.asynchronous = text.lower() == "true"
        if "max-concurrent-operations" in values:
            text, span = values["max-concurrent-operations"]
            if not text.strip().isdigit() or int(text) < 1:
                raise ValidationError(f"'max-concurrent-operations' must be a positive integer, got '{text}'", span)
            options.max_concurrent = int(text)
        if "output-mode" in values:
            text, span = values["output-mode"]
            if text.lower() not in ("ordered", "allow_unordered"):
                raise ValidationError(f"'output-mode' must be ordered or allow_unordered, got '{text}'", span)
            options.ordered = text.lower() == "ordered"
        if "timeout" in values:
            text, span = values["timeout"]
            options.timeout = parse_duration(text, span)
        return options

    # -------------------------------------------------------------- INSERT
    def plan_insert(self, insert: ast.Insert) -> InsertPlan:
        entry = self.catalog.get_relation(insert.table)
        if isinstance(entry, ViewEntry):
            raise ValidationError(f"'{entry.name}' is a view; INSERT needs a table", insert.table.span)
        try:
            entry.connector.check_sink(insert.overwrite)
        except ValidationError as error:
            raise error.locate(insert.table.span, None)
        sink_columns = entry.columns
        if insert.columns is not None:
            names = [c.name for c in sink_columns]
            targets: list[int] = []
            for ident in insert.columns:
                if ident.name not in names:
                    raise ValidationError(
                        f"Unknown target column '{ident.name}' of table '{entry.name}'", ident.span,
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
            if not T.can_cast_implicitly(query_type, column.dtype):
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
    the same rows come out, and no request is paid for a row the WHERE would drop."""
    if not isinstance(source, Predict) or source.input is None:
        return None
    input_fields = [Field(f.name, f.dtype, q.qualifier) for f, q in zip(source.input.schema, source.schema)]
    compiled = _try_compile(condition, Scope(input_fields))
    if compiled is None:
        return None
    source.input = Filter(schema=source.input.schema, input=source.input, condition=compiled, text="WHERE")
    return source


def _listagg_separator(call: ast.FunctionCall) -> str:
    if len(call.args) < 2:
        return ","
    separator = call.args[1]
    if not (isinstance(separator, ast.Literal) and isinstance(separator.value, str)):
        raise ValidationError("LISTAGG's separator must be a string literal", separator.span)
    return separator.value


def _require_boolean(compiled: Compiled, expr: ast.Expr, clause: str) -> None:
    if compiled.dtype.kind not in ("BOOLEAN", "NULL"):
        raise QsqlTypeError(f"{clause} needs a BOOLEAN condition, got {compiled.dtype}", expr.span)


def _walk(expr: ast.Expr):  # type: ignore[no-untyped-def]
    """Every expression node under ``expr``, not descending into aggregate calls."""
    yield expr
    if isinstance(expr, ast.FunctionCall) and expr.name.name.upper() in F.AGGREGATES:
        return
    for value in vars(expr).values():
        children = value if isinstance(value, tuple) else (value,)
        for child in children:
            if isinstance(child, tuple):
                for part in child:
                    if isinstance(part, ast.Expr):
                        yield from _walk(part)
            elif isinstance(child, ast.Expr):
                yield from _walk(child)


def _aggregate_calls(exprs: list[ast.Expr]) -> list[ast.FunctionCall]:
    calls: list[ast.FunctionCall] = []
    for expr in exprs:
        for node in _walk(expr):
            if isinstance(node, ast.FunctionCall) and node.name.name.upper() in F.AGGREGATES and node not in calls:
                for arg in node.args:
                    _no_aggregates(arg, f"an argument of {node.name.name.upper()}")
                calls.append(node)
    return calls


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


def _sort_key(index: int, order: ast.OrderItem) -> tuple[int, bool, bool]:
    # Flink's default: NULLs first when ascending, last when descending.
    nulls_first = order.nulls_first if order.nulls_first is not None else not order.descending
    return index, order.descending, nulls_first


def _flatten_union(query: ast.Query) -> list[ast.Query]:
    if isinstance(query, ast.UnionAll):
        return _flatten_union(query.left) + _flatten_union(query.right)
    return [query]


def _conjuncts(expr: ast.Expr) -> list[ast.Expr]:
    if isinstance(expr, ast.BinaryOp) and expr.op == "AND":
        return _conjuncts(expr.left) + _conjuncts(expr.right)
    return [expr]


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


def _getter(index: int):  # type: ignore[no-untyped-def]
    return lambda row: row[index]


def _converted(value: Compiled, target: DataType) -> Compiled:
    if value.dtype == target:
        return value
    source, inner = value.dtype, value.evaluate
    return Compiled(lambda row: T.cast_value(inner(row), source, target), target, value.constant)


def _requalify(step: Step, qualifier: str | None) -> Step:
    step.schema = [Field(f.name, f.dtype, qualifier) for f in step.schema]
    return step


def _rename(step: Step, names: list[str]) -> Step:
    step.schema = [Field(name, f.dtype, f.qualifier) for name, f in zip(names, step.schema)]
    return step


def _unique_name(name: str, taken: set[str]) -> str:
    """Flink's rule for an output column that clashes with an input column: append 0, 1, ..."""
    if name not in taken:
        return name
    index = 0
    while f"{name}{index}" in taken:
        index += 1
    return f"{name}{index}"


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|milli|millis|s|sec|secs|second|seconds|min|mins|minute|minutes|h|hour|hours)?\s*$", re.I)


def parse_duration(text: str, span: Span | None = None) -> float:
    """Flink's duration strings: '60s', '500 ms', '2 min', '1h'; a bare number is milliseconds."""
    match = _DURATION.match(text)
    if not match:
        raise ValidationError(f"cannot parse duration '{text}' (e.g. '60s', '500 ms', '2 min')", span)
    number, unit = float(match.group(1)), (match.group(2) or "ms").lower()
    if unit in ("ms", "milli", "millis"):
        return number / 1000
    if unit.startswith("s"):
        return number
    if unit.startswith("m"):
        return number * 60
    return number * 3600
