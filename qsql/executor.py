"""Runs plan steps as lazy row iterators; sinks pull rows one at a time.

Nothing here decides types or resolves names (the planner did); this module only moves
rows, calls models through the runtime and keeps count of what was spent.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterable, Iterator
from dataclasses import field
from typing import Any, cast

from . import functions as F
from . import types as T
from . import windows as W
from .connectors.base import SinkContext
from .errors import ExecutionError, ModelError, SinkError
from .expressions import Compiled
from .lazydataclass import lazy_dataclass
from .models.accounting import PredictStats
from .models.cache import ResponseCache
from .models.config import ERROR_STRING, HTTP_HEADERS_MAP, HTTP_STATUS_CODE, METADATA_COLUMNS, REASONING_COLUMN
from .models.hooks import ModelHooks
from .models.protocol import Prediction
from .models.retry import FAILOVER, Clock
from .models.runtime import ModelRuntime
from .plan import (
    Aggregate,
    Conversion,
    Distinct,
    Filter,
    HashJoin,
    InsertPlan,
    Join,
    Limit,
    NestedLoopJoin,
    Predict,
    Project,
    SetOpStep,
    SingleRow,
    Sort,
    Step,
    TableScan,
    UnionAllStep,
    UnnestStep,
    ValuesStep,
    WindowStep,
)

Row = tuple

__all__ = ["ExecutionContext", "PredictStats", "collect", "rows", "run_insert", "known_row_count"]


@lazy_dataclass
class ExecutionContext:
    runtime: ModelRuntime
    # The reply cache is opened only when an ML_PREDICT runs (a disk cache may fail to open).
    cache_provider: Callable[[], ResponseCache] = ResponseCache
    clock: Clock = field(default_factory=Clock)
    stats: list[PredictStats] = field(default_factory=list)
    # Called after each ML_PREDICT output row (progress display); must be cheap.
    progress: Callable[[PredictStats], None] | None = None
    # Told about retries, so a long wait is never silent.
    warn: Callable[[str], None] | None = None
    # Observer and admission control around every model call (qsql/models/hooks.py).
    hooks: ModelHooks = field(default_factory=ModelHooks)
    # Told how a Batch API job is doing (status, requests done).
    note: Callable[[str], None] | None = None


def known_row_count(step: Step) -> int | None:
    """How many rows a step yields, when that is known without running it."""
    if isinstance(step, ValuesStep):
        return len(step.rows)
    if isinstance(step, SingleRow):
        return 1
    if isinstance(step, (Project, Sort)):
        return known_row_count(step.input)
    if isinstance(step, TableScan):
        return step.table.connector.known_row_count()
    if isinstance(step, Limit):
        below = known_row_count(step.input)
        return below if step.count is None or below is None else min(below, step.count)
    return None


def rows(step: Step, context: ExecutionContext) -> Iterator[Row]:
    runner = _RUNNERS.get(type(step))
    if runner is None:
        raise ExecutionError(f"cannot execute {step.describe()}")
    for subquery in step.subqueries:
        subquery.context = context
    return runner(step, context)


def _single_row(step: SingleRow, context: ExecutionContext) -> Iterator[Row]:
    yield ()


def _values(step: ValuesStep, context: ExecutionContext) -> Iterator[Row]:
    for row in step.rows:
        yield tuple(value.evaluate(()) for value in row)


def _table_scan(step: TableScan, context: ExecutionContext) -> Iterator[Row]:
    yield from step.table.connector.open_source(context.warn or (lambda message: None))


def _filter(step: Filter, context: ExecutionContext) -> Iterator[Row]:
    condition = step.condition.evaluate
    for row in rows(step.input, context):
        if condition(row) is True:
            yield row


def _project(step: Project, context: ExecutionContext) -> Iterator[Row]:
    indexes = [e.column_index for e in step.expressions if e.column_index is not None]
    if indexes and len(indexes) == len(step.expressions):
        # Only columns: one C call per row.
        if len(indexes) == 1:
            only = indexes[0]
            yield from ((row[only],) for row in rows(step.input, context))
        else:
            pick = operator.itemgetter(*indexes)
            yield from map(pick, rows(step.input, context))
        return
    evaluators = [e.evaluate for e in step.expressions]
    for row in rows(step.input, context):
        yield tuple([evaluate(row) for evaluate in evaluators])


def _predict(step: Predict, context: ExecutionContext) -> Iterator[Row]:
    """Rows to texts, outcomes back to rows; FAILOVER raises, IGNORE keeps or drops the row.

    Everything about calling the model is :func:`qsql.models.predict.predict`'s business.
    Under IGNORE a failed row is kept, with NULL outputs and the error, only when the model
    declares an error column (error-string, http-status-code, http-headers-map); otherwise it
    is dropped, as Flink 2.3's ``handleErrorsAndRespond`` does.
    """
    from .models.predict import predict  # here: asyncio and httpx load only when a model is called

    model = step.model
    config = model.config
    clock = context.clock
    stats = PredictStats(model=model.name, source=step.source_name, total=known_row_count(step.input))
    context.stats.append(stats)
    started = clock.monotonic()
    index = step.input_index
    input_fields = step.input.schema
    main_output = next(c for c in model.outputs if c.name not in METADATA_COLUMNS and c.name != REASONING_COLUMN)
    convert_output: Callable[[object], object] = (
        (lambda value: T.cast_value(value, T.array(T.DOUBLE), main_output.dtype))
        if main_output.dtype.kind == "ARRAY"
        else (lambda value: value)
    )
    # "" is the main output; other names are the error columns and the reasoning column.
    layout = ["" if c is main_output else c.name for c in model.outputs]
    keeps_failed_rows = any(name in METADATA_COLUMNS for name in layout)
    failover = config.retry.final_action() == FAILOVER

    def inputs() -> Iterator[tuple[tuple[int, Row], str | None]]:
        for row in rows(step.input, context):
            stats.rows_in += 1
            value = row[index]
            yield (stats.rows_in, row), (None if value is None else str(value))

    def describe(tag: tuple[int, Row]) -> str:
        position, row = tag
        preview = ", ".join(f"{f.name}={T.format_value(v, f.dtype)}" for f, v in list(zip(input_fields, row))[:2])
        return f"ML_PREDICT({model.name}) over {step.source_name}, row {position} ({preview})"

    outcomes = predict(
        config,
        inputs(),
        stats,
        runtime=context.runtime,
        cache=context.cache_provider(),
        hooks=context.hooks,
        clock=clock,
        concurrency=step.options.concurrency,
        ordered=step.options.ordered,
        timeout=step.options.timeout,
        warn=context.warn,
        describe=describe,
        note=context.note,
    )
    try:
        for tag, outcome in outcomes:
            row = tag[1]
            stats.rows_done += 1
            if isinstance(outcome, ModelError):
                if failover:
                    raise ModelError(f"{describe(tag)}: {outcome.message}", hint=outcome.hint) from outcome
                stats.failed_rows += 1
                if stats.first_error is None:
                    stats.first_error = f"{describe(tag)}: {outcome.message}"
                if not keeps_failed_rows:
                    stats.dropped_rows += 1
                else:
                    metadata: dict[str, object] = {
                        ERROR_STRING: outcome.message,
                        HTTP_STATUS_CODE: outcome.status,
                        HTTP_HEADERS_MAP: outcome.headers or None,
                    }
                    stats.rows_out += 1
                    yield row + tuple(metadata.get(name) for name in layout)
            elif isinstance(outcome, Prediction):
                for choice, output in enumerate(outcome.outputs):
                    stats.rows_out += 1
                    converted = convert_output(output)
                    reasoning = outcome.reasoning[choice] if choice < len(outcome.reasoning) else None
                    yield row + tuple(
                        converted if not name else reasoning if name == REASONING_COLUMN else None for name in layout
                    )
            if context.progress is not None:
                context.progress(stats)
    finally:
        outcomes.close()
        stats.elapsed = clock.monotonic() - started


def hashable(value: object) -> object:
    """A value usable as a dict key (ARRAY and MAP values are lists and dicts)."""
    if isinstance(value, list):
        return tuple(hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, hashable(v)) for k, v in value.items()))
    if isinstance(value, tuple):
        return tuple(hashable(v) for v in value)
    return value


_hashable = hashable


def _aggregate(step: Aggregate, context: ExecutionContext) -> Iterator[Row]:
    keys = [k.evaluate for k in step.keys]
    calls = step.calls
    groups: dict[object, tuple[Row, list[F.Accumulator]]] = {}

    def new_group(values: Row) -> tuple[Row, list[F.Accumulator]]:
        return values, [F.Accumulator(c.function, c.result_type, c.distinct, c.separator) for c in calls]

    arguments = [(c.argument.evaluate if c.argument is not None else None) for c in calls]
    filters = [(c.filter.evaluate if c.filter is not None else None) for c in calls]
    for row in rows(step.input, context):
        values = tuple(k(row) for k in keys)
        marker = _hashable(values)
        group = groups.get(marker)
        if group is None:
            group = groups[marker] = new_group(values)
        for accumulator, argument, condition in zip(group[1], arguments, filters):
            if condition is not None and condition(row) is not True:
                continue  # FILTER (WHERE ...): FALSE or NULL leaves the row out of this aggregate
            if argument is None:
                accumulator.add_row()
            else:
                accumulator.add(argument(row))
    if not groups and not step.grouped:
        groups[()] = new_group(())  # an aggregate over no rows still yields one row
    for values, accumulators in groups.values():
        yield values + tuple(a.result() for a in accumulators)


def _unnest(step: UnnestStep, context: ExecutionContext) -> Iterator[Row]:
    evaluate = step.expression.evaluate
    keep = step.condition.evaluate if step.condition is not None else None
    empty = (None,) * (step.width + (1 if step.ordinality else 0))
    for row in rows(step.input, context):
        value = evaluate(row)
        elements: Any = () if value is None else (cast(dict, value).items() if step.shape == "map" else value)
        found = False
        for position, element in enumerate(elements, 1):
            if step.shape == "atomic":
                cells: tuple = (element,)
            elif element is None:
                cells = (None,) * step.width  # a NULL ROW element: NULL fields
            else:
                cells = tuple(element)
            joined = row + cells + ((position,) if step.ordinality else ())
            if keep is None or keep(joined) is True:
                found = True
                yield joined
        if not found and step.left:
            yield row + empty


def _sort(step: Sort, context: ExecutionContext) -> Iterator[Row]:
    collected = list(rows(step.input, context))
    # Stable sorts from the last key to the first give the combined order.
    for sort_key in reversed(step.keys):
        index, descending = sort_key.column, sort_key.descending
        null_rank = 0 if sort_key.nulls_first != descending else 1
        value_rank = 1 - null_rank

        def key(row: Row, index: int = index, null_rank: int = null_rank, value_rank: int = value_rank) -> tuple:
            value = row[index]
            return (null_rank, 0) if value is None else (value_rank, _hashable(value))

        collected.sort(key=key, reverse=descending)
    yield from collected


def _limit(step: Limit, context: ExecutionContext) -> Iterator[Row]:
    if step.count is not None and step.count <= 0:
        return
    source = rows(step.input, context)
    end = None if step.count is None else step.offset + step.count
    try:
        yield from itertools.islice(source, step.offset, end)
    finally:
        # Stop the input early: no more model requests than the rows we keep (runners are generators).
        source.close()  # type: ignore[attr-defined]


def _distinct(step: Distinct, context: ExecutionContext) -> Iterator[Row]:
    seen: set = set()
    for row in rows(step.input, context):
        marker = _hashable(row)
        if marker not in seen:
            seen.add(marker)
            yield row


def _union_all(step: UnionAllStep, context: ExecutionContext) -> Iterator[Row]:
    for source, conversions in zip(step.inputs, step.conversions):
        if all(c is None for c in conversions):
            yield from rows(source, context)
            continue
        for row in rows(source, context):
            yield _converted(row, conversions)


def _hash_join(step: HashJoin, context: ExecutionContext) -> Iterator[Row]:
    right_rows = list(rows(step.right, context))
    right_keys = [k.evaluate for k in step.right_keys]
    table: dict[object, list[int]] = {}
    for index, row in enumerate(right_rows):
        key = tuple(hashable(k(row)) for k in right_keys)
        if None not in key:  # NULL never equals anything
            table.setdefault(key, []).append(index)
    left_keys = [k.evaluate for k in step.left_keys]

    def candidates(row: Row) -> Iterable[int]:
        key = tuple(hashable(k(row)) for k in left_keys)
        return table.get(key, ()) if None not in key else ()

    yield from _joined(step, context, right_rows, candidates, step.residual)


def _nested_loop_join(step: NestedLoopJoin, context: ExecutionContext) -> Iterator[Row]:
    right_rows = list(rows(step.right, context))
    everything = range(len(right_rows))
    yield from _joined(step, context, right_rows, lambda row: everything, step.condition)


def _joined(
    step: Join,
    context: ExecutionContext,
    right_rows: list[Row],
    candidates: Callable[[Row], Iterable[int]],
    condition: Compiled | None,
) -> Iterator[Row]:
    """Stream the left side: each left row with the right rows among its candidates for which
    ``condition`` is TRUE; outer joins add the unmatched rows of their side, padded with NULLs."""
    test = condition.evaluate if condition is not None else None
    padding = (None,) * len(step.right.schema)
    keep_left = step.kind in ("left", "full")
    matched = [False] * len(right_rows) if step.kind in ("right", "full") else None
    for row in rows(step.left, context):
        found = False
        for index in candidates(row):
            joined = row + right_rows[index]
            if test is None or test(joined) is True:
                found = True
                if matched is not None:
                    matched[index] = True
                yield joined
        if not found and keep_left:
            yield row + padding
    if matched is not None:
        left_padding = (None,) * len(step.left.schema)
        for index, was_matched in enumerate(matched):
            if not was_matched:
                yield left_padding + right_rows[index]


def _converted(row: Row, conversions: list[Conversion | None]) -> Row:
    return tuple(v if c is None else T.cast_value(v, c.source, c.target) for v, c in zip(row, conversions))


def _set_operation(step: SetOpStep, context: ExecutionContext) -> Iterator[Row]:
    """INTERSECT / EXCEPT with SQL's counting rules: ALL keeps min(m, n) or m - n copies."""
    left_conversions, right_conversions = step.conversions
    counts: dict[object, int] = {}
    for row in rows(step.right, context):
        key = hashable(_converted(row, right_conversions))
        counts[key] = counts.get(key, 0) + 1
    emitted: set = set()
    for row in rows(step.left, context):
        out = _converted(row, left_conversions)
        key = hashable(out)
        remaining = counts.get(key, 0)
        if step.op == "INTERSECT":
            if step.all:
                if remaining > 0:
                    counts[key] = remaining - 1
                    yield out
            elif remaining > 0 and key not in emitted:
                emitted.add(key)
                yield out
        else:  # EXCEPT
            if step.all:
                if remaining > 0:
                    counts[key] = remaining - 1
                else:
                    yield out
            elif remaining == 0 and key not in emitted:
                emitted.add(key)
                yield out


def _window(step: WindowStep, context: ExecutionContext) -> Iterator[Row]:
    """Each window spec in turn: partition, sort, compute its calls, append their columns.
    Rows come out grouped by partition and in the window's order, as Flink batch sorts them."""
    current = list(rows(step.input, context))
    for spec in step.specs:
        partitions: dict[tuple, list[Row]] = {}
        for row in current:
            key = tuple(hashable(p(row)) for p in spec.partition)
            partitions.setdefault(key, []).append(row)
        ordered_keys = sorted(partitions, key=_partition_sort_key)
        extended: list[Row] = []
        for key in ordered_keys:
            members = partitions[key]
            W.sort_partition(members, spec.order)
            values = W.evaluate_partition(spec, members)
            for position, row in enumerate(members):
                extended.append(row + tuple(column[position] for column in values))
        current = extended
    yield from current


def _partition_sort_key(key: tuple) -> tuple:
    return tuple((0, 0) if v is None else (1, v) for v in key)


# One runner per step class; each takes its own class (hence Any), rows() looks it up by type.
_RUNNERS: dict[type[Step], Callable[[Any, ExecutionContext], Iterator[Row]]] = {
    SingleRow: _single_row,
    ValuesStep: _values,
    TableScan: _table_scan,
    Project: _project,
    Filter: _filter,
    Aggregate: _aggregate,
    Sort: _sort,
    Limit: _limit,
    Distinct: _distinct,
    UnionAllStep: _union_all,
    HashJoin: _hash_join,
    NestedLoopJoin: _nested_loop_join,
    SetOpStep: _set_operation,
    WindowStep: _window,
    Predict: _predict,
    UnnestStep: _unnest,
}


def run_insert(plan: InsertPlan, context: ExecutionContext, sink_context: SinkContext) -> int:
    """Write every row of the plan's query to its sink; returns the number of rows written.

    The sink is told whether the statement succeeded, so a file sink can commit or discard.
    """
    columns = plan.table.columns
    converters: list[Callable[[Row], object]] = []
    for column, source_index in zip(columns, plan.mapping):
        if source_index is None:
            converters.append(lambda row: None)
        else:
            converters.append(_column_converter(source_index, plan.source_types[source_index], column.dtype))
    not_null = [i for i, c in enumerate(columns) if not c.dtype.nullable]
    sink = plan.table.connector.open_sink(sink_context, plan.overwrite)
    written = 0
    success = False
    try:
        for row in rows(plan.query, context):
            out = tuple(convert(row) for convert in converters)
            for i in not_null:
                if out[i] is None:
                    raise SinkError(
                        f"Column '{columns[i].name}' is NOT NULL, however, a null value is being written into it "
                        f"(row {written + 1} of the INSERT into {plan.table.name})"
                    )
            sink.write(out)
            written += 1
        success = True
    except BrokenPipeError:
        raise  # the reader went away (qsql ... | head): not a sink failure, the CLI stops quietly
    except OSError as error:
        raise SinkError(f"cannot write to {plan.table.name}: {error}") from error
    finally:
        try:
            sink.close(success)
        except OSError as error:
            if success:
                raise SinkError(f"cannot finish writing {plan.table.name}: {error}") from error
    return written


def _column_converter(index: int, source: T.DataType, target: T.DataType) -> Callable[[Row], object]:
    if source == target:
        return lambda row: row[index]
    return lambda row: T.cast_value(row[index], source, target)


def collect(step: Step, context: ExecutionContext) -> list[Row]:
    return list(rows(step, context))
