"""Runs plan steps as lazy row iterators; sinks pull rows one at a time.

Nothing here decides types or resolves names (the planner did); this module only moves
rows, calls models through the runtime and keeps count of what was spent.
"""

from __future__ import annotations

import itertools
import operator
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Union

from . import functions as F
from . import types as T
from .connectors.base import SinkContext
from .errors import ExecutionError, ModelError, SinkError
from .models import client as model_client
from .models.cache import ResponseCache, cache_key
from .models.client import Prediction, Usage
from .models.config import ERROR_STRING, HTTP_HEADERS_MAP, HTTP_STATUS_CODE, METADATA_COLUMNS
from .models.retry import FAILOVER, Clock
from .models.runtime import ModelRuntime
from .planner import (
    Aggregate,
    Distinct,
    Filter,
    HashJoin,
    InsertPlan,
    Limit,
    Predict,
    Project,
    SetOpStep,
    SingleRow,
    Sort,
    Step,
    TableScan,
    UnionAllStep,
    ValuesStep,
    WindowStep,
)
from . import windows as W

Row = tuple


@dataclass
class PredictStats:
    """What one ML_PREDICT did and cost; every input row is counted exactly once in
    ``rows_in`` and ends as an output row, a failed row, or a skipped one."""

    model: str
    source: str
    rows_in: int = 0
    skipped_null: int = 0
    skipped_overflow: int = 0
    truncated: int = 0
    requests: int = 0
    retries: int = 0
    cache_hits: int = 0
    failed_rows: int = 0
    rows_out: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    elapsed: float = 0.0
    first_error: str | None = None
    total: int | None = None  # input rows, when known before running (for progress)
    rows_done: int = 0  # input rows finished: answered, failed or skipped (rows_in counts rows read)


@dataclass
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


def known_row_count(step: Step) -> int | None:
    """How many rows a step yields, when that is known without running it."""
    if isinstance(step, ValuesStep):
        return len(step.rows)
    if isinstance(step, SingleRow):
        return 1
    if isinstance(step, (Project, Sort)) and step.input is not None:
        return known_row_count(step.input)
    if isinstance(step, TableScan) and step.table is not None:
        return step.table.connector.known_row_count()
    if isinstance(step, Limit) and step.input is not None:
        below = known_row_count(step.input)
        count = getattr(step, "count", None)
        return below if count is None or below is None else min(below, count)
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
    assert step.table is not None
    yield from step.table.connector.open_source(context.warn or (lambda message: None))


def _filter(step: Filter, context: ExecutionContext) -> Iterator[Row]:
    assert step.input is not None and step.condition is not None
    condition = step.condition.evaluate
    for row in rows(step.input, context):
        if condition(row) is True:
            yield row


def _project(step: Project, context: ExecutionContext) -> Iterator[Row]:
    assert step.input is not None
    indexes = [e.column_index for e in step.expressions]
    if indexes and all(i is not None for i in indexes):
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


@dataclass
class _Item:
    """One input row on its way to the model."""

    position: int  # 1-based, among the rows ML_PREDICT read
    row: Row
    text: str
    key: str | None  # cache key, None when caching is off
    cached: Prediction | None


Outcome = Union[Prediction, ModelError]


def fit_to_limit(text: str, limit: int | None, action: str) -> tuple[str | None, bool]:
    """Apply max-context-size: (text to send or None to skip the row, whether it was cut).

    Tokens are estimated as UTF-8 bytes, an upper bound for byte-level BPE tokenizers, so an
    input that passes is never rejected by the provider for its length.
    """
    if limit is None:
        return text, False
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text, False
    if action.startswith("skipped"):
        return None, False
    if action.startswith("truncated-head"):
        return data[-limit:].decode("utf-8", errors="ignore"), True
    return data[:limit].decode("utf-8", errors="ignore"), True


def _predict(step: Predict, context: ExecutionContext) -> Iterator[Row]:
    import asyncio  # here, not at the top: a script that calls no model starts faster without it

    assert step.input is not None and step.model is not None
    model = step.model
    config = model.config
    policy = config.retry
    cache = context.cache_provider()
    clock = context.clock
    rng = random.Random()
    stats = PredictStats(model=model.name, source=step.source_name, total=known_row_count(step.input))
    context.stats.append(stats)
    started = clock.monotonic()
    index = step.input_index
    timeout = step.options.timeout
    input_fields = step.input.schema
    main_output = next(c for c in model.outputs if c.name not in METADATA_COLUMNS)
    convert_output: Callable[[object], object] = (
        (lambda value: T.cast_value(value, T.array(T.DOUBLE), main_output.dtype))
        if main_output.dtype.kind == "ARRAY"
        else (lambda value: value)
    )
    layout = [c.name if c.name in METADATA_COLUMNS else "" for c in model.outputs]
    last_retry_warning = [-1e9]

    def report_retry(item: _Item, attempt: int, error: ModelError, delay: float) -> None:
        now = clock.monotonic()
        if context.warn is None or now - last_retry_warning[0] < 5:
            return
        last_retry_warning[0] = now
        context.warn(
            f"{describe(item)}: {error.message}; retry {attempt} of {policy.retries} in {delay:.1f} s "
            f"({stats.retries} retries so far; Ctrl-C stops)"
        )

    def units() -> Iterator[list[_Item]]:
        batch: list[_Item] = []
        for row in rows(step.input, context):  # type: ignore[arg-type]
            stats.rows_in += 1
            value = row[index]
            if value is None:
                stats.skipped_null += 1  # As in Flink: no request and no output row.
                stats.rows_done += 1
                continue
            text, cut = fit_to_limit(str(value), config.max_input_tokens, config.overflow_action)
            if text is None:
                stats.skipped_overflow += 1  # Flink's 'skipped': no request and no output row.
                stats.rows_done += 1
                continue
            stats.truncated += cut
            key = None
            cached = None
            if cache.mode != "off":
                key = cache_key(config.provider, config.cache_identity, model_client.build_request_body(config, [text]))
                cached = cache.get(key)
                if cached is not None:
                    stats.cache_hits += 1
                    cached = replace(cached, usage=Usage())  # a cached reply costs no tokens
            batch.append(_Item(stats.rows_in, row, text, key, cached))
            if len(batch) >= config.batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    # Requests in flight by cache key, so identical rows of one statement are sent once.
    in_flight: dict[str, asyncio.Future[Outcome]] = {}
    stored: set[str] = set()  # keys this statement has put in the cache

    async def send_unit(unit: list[_Item]) -> list[Outcome]:
        """One request for the rows of a unit that are neither cached nor already in flight,
        retried per the model's policy."""
        answers: dict[int, Outcome] = {}
        leaders: list[_Item] = []
        followers: dict[int, asyncio.Future[Outcome]] = {}
        for item in unit:
            if item.cached is not None:
                answers[item.position] = item.cached
            elif item.key is not None and item.key in in_flight:
                followers[item.position] = in_flight[item.key]
                stats.cache_hits += 1
            else:
                leaders.append(item)
                if item.key is not None:
                    in_flight[item.key] = asyncio.get_running_loop().create_future()
        try:
            if leaders:
                answers.update(await send_with_retries(leaders))
        finally:
            for item in leaders:
                future = in_flight.pop(item.key, None) if item.key is not None else None
                if future is not None and not future.done():
                    if item.position in answers:
                        future.set_result(answers[item.position])
                    else:
                        future.cancel()
        for position, future in followers.items():
            outcome = await asyncio.shield(future)
            # The same reply as the first such row's; its tokens were counted there.
            answers[position] = replace(outcome, usage=Usage()) if isinstance(outcome, Prediction) else outcome
        return [answers[item.position] for item in unit]

    async def send_with_retries(items: list[_Item]) -> dict[int, Outcome]:
        attempt = 0
        while True:
            stats.requests += 1
            try:
                predictions = await model_client.send(
                    context.runtime.client, config, [item.text for item in items], timeout
                )
            except ModelError as error:
                attempt += 1
                if not policy.may_retry(attempt, error.retryable):
                    return {item.position: error for item in items}
                stats.retries += 1
                delay = policy.delay(attempt, error.retry_after, rng)
                report_retry(items[0], attempt, error, delay)
                await clock.sleep(delay)
                continue
            return {item.position: p for item, p in zip(items, predictions)}

    def describe(item: _Item) -> str:
        preview = ", ".join(f"{f.name}={T.format_value(v, f.dtype)}" for f, v in list(zip(input_fields, item.row))[:2])
        return f"ML_PREDICT({model.name}) over {step.source_name}, row {item.position} ({preview})"

    try:
        for unit, outcomes in context.runtime.map(send_unit, units(), step.options.concurrency, step.options.ordered):
            for item, outcome in zip(unit, outcomes):
                if isinstance(outcome, ModelError):
                    if policy.final_action() == FAILOVER:
                        raise ModelError(f"{describe(item)}: {outcome.message}", hint=outcome.hint) from outcome
                    stats.failed_rows += 1
                    if stats.first_error is None:
                        stats.first_error = f"{describe(item)}: {outcome.message}"
                    metadata: dict[str, object] = {
                        ERROR_STRING: outcome.message,
                        HTTP_STATUS_CODE: outcome.status,
                        HTTP_HEADERS_MAP: outcome.headers or None,
                    }
                    stats.rows_out += 1
                    yield item.row + tuple(metadata.get(name) for name in layout)
                else:
                    if item.cached is None and item.key is not None and item.key not in stored:
                        cache.put(item.key, outcome)  # Only successes are ever cached.
                        stored.add(item.key)
                    stats.prompt_tokens += outcome.usage.prompt_tokens
                    stats.completion_tokens += outcome.usage.completion_tokens
                    for output in outcome.outputs:
                        stats.rows_out += 1
                        converted = convert_output(output)
                        yield item.row + tuple(None if name else converted for name in layout)
                stats.rows_done += 1
                if context.progress is not None:
                    context.progress(stats)
    finally:
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
    assert step.input is not None
    keys = [k.evaluate for k in step.keys]
    calls = step.calls
    groups: dict[object, tuple[Row, list[F.Accumulator]]] = {}

    def new_group(values: Row) -> tuple[Row, list[F.Accumulator]]:
        return values, [F.Accumulator(name, result, distinct) for name, _, result, distinct in calls]

    arguments = [(arg.evaluate if arg is not None else None) for _, arg, _, _ in calls]
    for row in rows(step.input, context):
        values = tuple(k(row) for k in keys)
        marker = _hashable(values)
        group = groups.get(marker)
        if group is None:
            group = groups[marker] = new_group(values)
        for accumulator, argument in zip(group[1], arguments):
            if argument is None:
                accumulator.add_row()
            else:
                accumulator.add(argument(row))
    if not groups and not step.grouped:
        groups[()] = new_group(())  # an aggregate over no rows still yields one row
    for values, accumulators in groups.values():
        yield values + tuple(a.result() for a in accumulators)


def _sort(step: Sort, context: ExecutionContext) -> Iterator[Row]:
    assert step.input is not None
    collected = list(rows(step.input, context))
    # Stable sorts from the last key to the first give the combined order.
    for index, descending, nulls_first in reversed(step.keys):
        null_rank = 0 if nulls_first != descending else 1
        value_rank = 1 - null_rank

        def key(row: Row, index: int = index, null_rank: int = null_rank, value_rank: int = value_rank) -> tuple:
            value = row[index]
            return (null_rank, 0) if value is None else (value_rank, _hashable(value))

        collected.sort(key=key, reverse=descending)
    yield from collected


def _limit(step: Limit, context: ExecutionContext) -> Iterator[Row]:
    assert step.input is not None
    if step.count is not None and step.count <= 0:
        return
    source = rows(step.input, context)
    end = None if step.count is None else step.offset + step.count
    try:
        yield from itertools.islice(source, step.offset, end)
    finally:
        source.close()  # stop the input early: no more model requests than the rows we keep


def _distinct(step: Distinct, context: ExecutionContext) -> Iterator[Row]:
    assert step.input is not None
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
            yield tuple(
                v if c is None else T.cast_value(v, c[0], c[1]) for v, c in zip(row, conversions)
            )


def _hash_join(step: HashJoin, context: ExecutionContext) -> Iterator[Row]:
    assert step.left is not None and step.right is not None
    right_keys = [k.evaluate for k in step.right_keys]
    left_keys = [k.evaluate for k in step.left_keys]
    residual = step.residual.evaluate if step.residual is not None else None
    padding = (None,) * len(step.right.schema)
    keep_left = step.kind in ("left", "full")
    keep_right = step.kind in ("right", "full")
    right_rows = list(rows(step.right, context))
    matched = [False] * len(right_rows) if keep_right else None
    table: dict[object, list[int]] = {}
    everything = range(len(right_rows))
    if right_keys:
        for index, row in enumerate(right_rows):
            key = tuple(hashable(k(row)) for k in right_keys)
            if None not in key:  # NULL never equals anything
                table.setdefault(key, []).append(index)
    for row in rows(step.left, context):
        if left_keys:
            key = tuple(hashable(k(row)) for k in left_keys)
            candidates = table.get(key, ()) if None not in key else ()
        else:
            candidates = everything
        found = False
        for index in candidates:
            joined = row + right_rows[index]
            if residual is None or residual(joined) is True:
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


def _set_operation(step: SetOpStep, context: ExecutionContext) -> Iterator[Row]:
    """INTERSECT / EXCEPT with SQL's counting rules: ALL keeps min(m, n) or m - n copies."""
    assert step.left is not None and step.right is not None
    left_conversions, right_conversions = step.conversions

    def converted(row: Row, conversions: list) -> Row:  # type: ignore[type-arg]
        return tuple(v if c is None else T.cast_value(v, c[0], c[1]) for v, c in zip(row, conversions))

    counts: dict[object, int] = {}
    for row in rows(step.right, context):
        key = hashable(converted(row, right_conversions))
        counts[key] = counts.get(key, 0) + 1
    emitted: set = set()
    for row in rows(step.left, context):
        out = converted(row, left_conversions)
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
    assert step.input is not None
    current = list(rows(step.input, context))
    for spec in step.specs:
        partitions: dict[object, list[Row]] = {}
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


_RUNNERS: dict[type, Callable[[Step, ExecutionContext], Iterator[Row]]] = {
    SingleRow: _single_row,  # type: ignore[dict-item]
    ValuesStep: _values,  # type: ignore[dict-item]
    TableScan: _table_scan,  # type: ignore[dict-item]
    Project: _project,  # type: ignore[dict-item]
    Filter: _filter,  # type: ignore[dict-item]
    Aggregate: _aggregate,  # type: ignore[dict-item]
    Sort: _sort,  # type: ignore[dict-item]
    Limit: _limit,  # type: ignore[dict-item]
    Distinct: _distinct,  # type: ignore[dict-item]
    UnionAllStep: _union_all,  # type: ignore[dict-item]
    HashJoin: _hash_join,  # type: ignore[dict-item]
    SetOpStep: _set_operation,  # type: ignore[dict-item]
    WindowStep: _window,  # type: ignore[dict-item]
    Predict: _predict,  # type: ignore[dict-item]
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
