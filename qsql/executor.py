"""Runs plan steps as lazy row iterators; sinks pull rows one at a time.

Nothing here decides types or resolves names (the planner did); this module only moves
rows, calls models through the runtime and keeps count of what was spent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from . import types as T
from .connectors.base import SinkContext
from .errors import ExecutionError, ModelError, SinkError
from .models import client as model_client
from .models.runtime import ModelRuntime
from .planner import InsertPlan, Predict, Project, SingleRow, Step, TableScan, ValuesStep

Row = tuple


@dataclass
class PredictStats:
    """What one ML_PREDICT cost: rows, requests and tokens."""

    model: str
    source: str
    rows_in: int = 0
    skipped_null: int = 0
    requests: int = 0
    rows_out: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass
class ExecutionContext:
    runtime: ModelRuntime
    stats: list[PredictStats] = field(default_factory=list)


def rows(step: Step, context: ExecutionContext) -> Iterator[Row]:
    runner = _RUNNERS.get(type(step))
    if runner is None:
        raise ExecutionError(f"cannot execute {step.describe()}")
    return runner(step, context)


def _single_row(step: SingleRow, context: ExecutionContext) -> Iterator[Row]:
    yield ()


def _values(step: ValuesStep, context: ExecutionContext) -> Iterator[Row]:
    for row in step.rows:
        yield tuple(value.evaluate(()) for value in row)


def _table_scan(step: TableScan, context: ExecutionContext) -> Iterator[Row]:
    assert step.table is not None
    yield from step.table.connector.open_source()


def _project(step: Project, context: ExecutionContext) -> Iterator[Row]:
    assert step.input is not None
    evaluators = [e.evaluate for e in step.expressions]
    for row in rows(step.input, context):
        yield tuple(evaluate(row) for evaluate in evaluators)


def _predict(step: Predict, context: ExecutionContext) -> Iterator[Row]:
    assert step.input is not None and step.model is not None
    config = step.model.config
    stats = PredictStats(model=step.model.name, source=step.source_name)
    context.stats.append(stats)
    index = step.input_index
    timeout = step.options.timeout
    input_fields = step.input.schema
    output_type = step.schema[-1].dtype
    convert_output: Callable[[object], object] = (
        (lambda value: T.cast_value(value, T.array(T.DOUBLE), output_type))
        if output_type.kind == "ARRAY"
        else (lambda value: value)
    )

    def requests() -> Iterator[tuple[int, Row]]:
        for row in rows(step.input, context):  # type: ignore[arg-type]
            stats.rows_in += 1
            if row[index] is None:
                stats.skipped_null += 1  # As in Flink: no request and no output row.
                continue
            yield stats.rows_in, row

    async def call(item: tuple[int, Row]) -> model_client.Prediction:
        position, row = item
        try:
            return await model_client.predict(context.runtime.client, config, str(row[index]), timeout)
        except ModelError as error:
            preview = ", ".join(
                f"{f.name}={T.format_value(v, f.dtype)}" for f, v in list(zip(input_fields, row))[:2]
            )
            raise ModelError(
                f"ML_PREDICT({step.model.name}) over {step.source_name}, row {position} ({preview}): {error.message}",  # type: ignore[union-attr]
                hint=error.hint,
            ) from error

    for (_, row), prediction in context.runtime.map(
        call, requests(), step.options.concurrency, step.options.ordered
    ):
        stats.requests += 1
        stats.prompt_tokens += prediction.usage.prompt_tokens
        stats.completion_tokens += prediction.usage.completion_tokens
        for output in prediction.outputs:
            stats.rows_out += 1
            yield row + (convert_output(output),)


_RUNNERS: dict[type, Callable[[Step, ExecutionContext], Iterator[Row]]] = {
    SingleRow: _single_row,  # type: ignore[dict-item]
    ValuesStep: _values,  # type: ignore[dict-item]
    TableScan: _table_scan,  # type: ignore[dict-item]
    Project: _project,  # type: ignore[dict-item]
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
