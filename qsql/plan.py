"""The plan: a tree of small steps the planner builds and the executor runs.

Each step is a frozen dataclass built once with everything it needs: a step that reads rows
has its input(s) as required fields, a leaf step (VALUES, a table scan, the single row of
SELECT without FROM) has none. The planner never edits a step after building it; to put a
filter under an ML_PREDICT or rename a step's columns it builds a new step
(``dataclasses.replace``). Steps compare by identity (``eq=False``): two equal-looking steps
are still two places in the tree.

Each step says what it is (``describe``), which EXPLAIN prints, one line per step, children
indented below (``explain``). Nothing here plans or runs anything: planner.py builds these,
executor.py runs them, estimate.py reads the ML_PREDICT steps for the dry run.
"""

from __future__ import annotations

import dataclasses
from dataclasses import field

from . import settings as S
from . import windows as W
from .catalog import ModelEntry, TableEntry
from .column import Column
from .expressions import Compiled
from .lazydataclass import lazy_dataclass
from .source import Span
from .subqueries import SubqueryHandle
from .types import DataType

# ------------------------------------------------------------------------- records steps hold


@lazy_dataclass(frozen=True)
class AggregateCall:
    """One aggregate of an Aggregate step, e.g. ``SUM(DISTINCT x)``."""

    function: str  # upper case: COUNT, SUM, LISTAGG, ...
    argument: Compiled | None  # None: COUNT(*)
    result_type: DataType
    distinct: bool = False
    separator: str = ","  # LISTAGG's
    filter: Compiled | None = None  # FILTER (WHERE ...): only rows where it is TRUE count

    def describe(self) -> str:
        return f"{self.function}({'DISTINCT ' if self.distinct else ''}{'*' if self.argument is None else '...'})"


@lazy_dataclass(frozen=True)
class SortKey:
    """One ORDER BY key of a Sort step: a column of its input's rows."""

    column: int
    descending: bool = False
    nulls_first: bool = True  # Flink's default: NULLs first ascending, last descending

    def describe(self) -> str:
        # NULLS FIRST / LAST only where it is not the default for the direction.
        nulls = "" if self.nulls_first != self.descending else " NULLS FIRST" if self.nulls_first else " NULLS LAST"
        return f"${self.column}{' DESC' if self.descending else ''}{nulls}"


@lazy_dataclass(frozen=True)
class Conversion:
    """A column's values cast from one type to another (a set operation's common type)."""

    source: DataType
    target: DataType


# ------------------------------------------------------------------------- the base


@lazy_dataclass(frozen=True, eq=False)
class Step:
    schema: list[Column]
    # Subqueries in this step's expressions (and its inputs' in the same query): the executor
    # hands them the statement's context when this step starts.
    subqueries: list[SubqueryHandle] = field(default_factory=list, kw_only=True, repr=False)

    def describe(self) -> str:
        raise NotImplementedError

    @property
    def children(self) -> list[Step]:
        return []


@lazy_dataclass(frozen=True, eq=False)
class Unary(Step):
    """A step over exactly one input."""

    input: Step

    @property
    def children(self) -> list[Step]:
        return [self.input]


def with_schema(step: Step, schema: list[Column]) -> Step:
    """The same step with other column names or qualifiers (a view's column list, an alias)."""
    return dataclasses.replace(step, schema=schema)


def with_subqueries(step: Step, subqueries: list[SubqueryHandle]) -> Step:
    """The same step, also starting ``subqueries`` (those of its query's expressions) when it runs."""
    if not subqueries:
        return step
    return dataclasses.replace(step, subqueries=subqueries + step.subqueries)


# ------------------------------------------------------------------------- leaves


@lazy_dataclass(frozen=True, eq=False)
class SingleRow(Step):
    """The one empty row a SELECT without FROM projects from."""

    def describe(self) -> str:
        return "SingleRow"


@lazy_dataclass(frozen=True, eq=False)
class ValuesStep(Step):
    rows: list[list[Compiled]]

    def describe(self) -> str:
        return f"Values({len(self.rows)} rows)"


@lazy_dataclass(frozen=True, eq=False)
class TableScan(Step):
    table: TableEntry

    def describe(self) -> str:
        return f"TableScan({self.table.name}, connector={self.table.connector.identifier})"


# ------------------------------------------------------------------------- one input


@lazy_dataclass(frozen=True, eq=False)
class Project(Unary):
    expressions: list[Compiled]
    # Where each output column was written (for error messages about it), None when generated.
    spans: list[Span | None]

    def describe(self) -> str:
        return "Project(" + ", ".join(f.name for f in self.schema) + ")"


@lazy_dataclass(frozen=True, eq=False)
class Filter(Unary):
    """Rows for which the condition is TRUE (not FALSE, not NULL)."""

    condition: Compiled
    text: str  # the clause it came from (WHERE, HAVING), for EXPLAIN

    def describe(self) -> str:
        return f"Filter({self.text})"


@lazy_dataclass(frozen=True, eq=False)
class Aggregate(Unary):
    """GROUP BY keys and aggregate calls: one row per group (one row in all without GROUP BY)."""

    keys: list[Compiled]
    calls: list[AggregateCall]
    grouped: bool  # False: no GROUP BY, so no rows in still make one row out

    def describe(self) -> str:
        calls = ", ".join(call.describe() for call in self.calls)
        return f"Aggregate(keys={len(self.keys)}{', ' + calls if calls else ''})"


@lazy_dataclass(frozen=True, eq=False)
class Sort(Unary):
    keys: list[SortKey]

    def describe(self) -> str:
        return "Sort(" + ", ".join(key.describe() for key in self.keys) + ")"


@lazy_dataclass(frozen=True, eq=False)
class Limit(Unary):
    count: int | None  # None: no limit (OFFSET alone)
    offset: int

    def describe(self) -> str:
        offset = f", offset={self.offset}" if self.offset else ""
        return f"Limit({'all' if self.count is None else self.count}{offset})"


@lazy_dataclass(frozen=True, eq=False)
class Distinct(Unary):
    def describe(self) -> str:
        return "Distinct"


@lazy_dataclass(frozen=True, eq=False)
class WindowStep(Unary):
    """OVER windows: one extra column per window call, computed per sorted partition."""

    specs: list[W.WindowSpec]

    def describe(self) -> str:
        calls = ", ".join(c.name for spec in self.specs for c in spec.calls)
        return f"Window({calls})"


@lazy_dataclass(frozen=True)
class PredictOptions:
    """ML_PREDICT's runtime knobs, from its MAP config or the session (Flink's names)."""

    asynchronous: bool = S.PREDICT_ASYNC.default_value
    max_concurrent: int = S.PREDICT_MAX_CONCURRENT.default_value
    ordered: bool = S.PREDICT_OUTPUT_MODE.default_value == "ordered"
    timeout: float = S.PREDICT_TIMEOUT.default_value

    @property
    def concurrency(self) -> int:
        return self.max_concurrent if self.asynchronous else 1


def _throughput(config: object) -> str:
    """How requests are paced or batched, for EXPLAIN (qsql extensions)."""
    if getattr(config, "batch_api", False):
        return ", Batch File API: batch price applies (50% of real-time)"
    if getattr(config, "provider", None) == "qwen":
        from .models.qwen import is_batch_chat

        if is_batch_chat(str(getattr(config, "url", ""))):
            return ", DashScope Batch Chat: batch price applies (50% of real-time)"
    limits = [
        f"{value} {unit}/min"
        for value, unit in (
            (getattr(config, "requests_per_minute", None), "requests"),
            (getattr(config, "tokens_per_minute", None), "tokens"),
        )
        if value
    ]
    return ", paced to " + " and ".join(limits) if limits else ", adaptive to the provider's rate limit"


@lazy_dataclass(frozen=True, eq=False)
class Predict(Unary):
    """ML_PREDICT over its input table: the input's columns, then the model's outputs."""

    model: ModelEntry
    input_index: int  # the DESCRIPTOR column, in the input's row
    input_column: str
    source_name: str
    options: PredictOptions

    def describe(self) -> str:
        o = self.options
        config = self.model.config
        mode = "ordered" if o.ordered else "unordered"
        retry = config.retry
        policy = f"{retry.strategy}" + (f" x{retry.retries} then {retry.fallback}" if retry.strategy == "RETRY" else "")
        batching = f", batch={config.batch_size}" if config.task == "embeddings" else ""
        return (
            f"ML_PREDICT(model={self.model.name} [{config.provider} {config.task} {config.model} -> {config.url}], "
            f"table={self.source_name}, input={self.input_column}, concurrency={o.concurrency}, {mode}{batching}, "
            f"timeout={o.timeout:g}s, errors={policy}{_throughput(config)})"
        )


# ------------------------------------------------------------------------- two or more inputs


@lazy_dataclass(frozen=True, eq=False)
class UnionAllStep(Step):
    inputs: list[Step]
    # Per input, per column: the conversion to the union's column type (None: as is).
    conversions: list[list[Conversion | None]]

    def describe(self) -> str:
        return "UnionAll"

    @property
    def children(self) -> list[Step]:
        return list(self.inputs)


@lazy_dataclass(frozen=True, eq=False)
class SetOpStep(Step):
    """INTERSECT / EXCEPT [ALL] of two inputs, compared after converting to the common types."""

    op: str  # "INTERSECT" | "EXCEPT"
    all: bool
    left: Step
    right: Step
    # Per side (left, right), per column: the conversion to the common type (None: as is).
    conversions: list[list[Conversion | None]]

    def describe(self) -> str:
        return f"{self.op.title()}{'All' if self.all else ''}"

    @property
    def children(self) -> list[Step]:
        return [self.left, self.right]


@lazy_dataclass(frozen=True, eq=False)
class Join(Step):
    """Rows of ``left`` joined with rows of ``right``; outer kinds pad the side without a match
    with NULLs. The planner picks the strategy: a HashJoin when the ON condition has an equality
    between the two sides, a NestedLoopJoin otherwise."""

    left: Step
    right: Step
    kind: str  # "inner" (also CROSS JOIN and comma joins) | "left" | "right" | "full"

    @property
    def children(self) -> list[Step]:
        return [self.left, self.right]


@lazy_dataclass(frozen=True, eq=False)
class HashJoin(Join):
    """Equality join: the right side is held in a hash table keyed by ``right_keys``, the left
    side streams and looks up ``left_keys``; ``residual`` is the rest of the ON condition."""

    left_keys: list[Compiled]
    right_keys: list[Compiled]
    residual: Compiled | None = None

    def describe(self) -> str:
        return f"HashJoin({self.kind}, keys={len(self.left_keys)})"


@lazy_dataclass(frozen=True, eq=False)
class NestedLoopJoin(Join):
    """Every left row against every right row (held in memory): CROSS JOIN, comma joins without
    a usable equality, and ON conditions with no equality between the sides."""

    condition: Compiled | None = None  # None: every pair

    def describe(self) -> str:
        return f"NestedLoopJoin({self.kind}, keys=0)"


@lazy_dataclass(frozen=True, eq=False)
class UnnestStep(Unary):
    """Each input row followed by one row per element of an array (or entry of a map) computed
    from it: ``t CROSS JOIN UNNEST(t.arr)``; ``left`` keeps a row whose array is empty or NULL,
    with NULLs (LEFT JOIN UNNEST ... ON TRUE)."""

    expression: Compiled
    shape: str  # "atomic": one column | "row": the ROW's fields | "map": KEY, VALUE
    width: int  # columns per element (without the ordinal)
    ordinality: bool = False
    left: bool = False
    condition: Compiled | None = None  # JOIN UNNEST(...) ON c: the elements it keeps

    def describe(self) -> str:
        return f"Unnest({'left, ' if self.left else ''}{self.shape}{', ordinality' if self.ordinality else ''})"


# ------------------------------------------------------------------------- INSERT


@lazy_dataclass(frozen=True, eq=False)
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
