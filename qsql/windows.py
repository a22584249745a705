"""OVER windows as Flink batch runs them: ranking, offset and value functions, and aggregates
over a frame of the partition.

The planner type-checks each call and compiles its arguments; this module only computes the
values for one partition at a time, already sorted by the window's ORDER BY.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import functions as F
from . import types as T
from .errors import QsqlTypeError, ValidationError
from .lazydataclass import lazy_dataclass
from .source import Span
from .types import DataType

Row = tuple

RANKING = frozenset({"ROW_NUMBER", "RANK", "DENSE_RANK", "PERCENT_RANK", "CUME_DIST", "NTILE"})
OFFSET = frozenset({"LAG", "LEAD"})
VALUE = frozenset({"FIRST_VALUE", "LAST_VALUE"})
WINDOW_ONLY = RANKING | OFFSET


@lazy_dataclass(frozen=True)
class Bound:
    """One end of a frame; ``offset`` is the number of rows (ROWS) or the value distance (RANGE)."""

    kind: str  # "UNBOUNDED PRECEDING" | "PRECEDING" | "CURRENT ROW" | "FOLLOWING" | "UNBOUNDED FOLLOWING"
    offset: object = None


@lazy_dataclass(frozen=True)
class Frame:
    unit: str  # "ROWS" | "RANGE"
    start: Bound
    end: Bound


@dataclass(frozen=True, eq=False)
class WindowCall:
    """One ``f(args) OVER (...)``, compiled against the window step's input."""

    name: str
    arguments: list[Callable[[Row], object]]
    result_type: DataType
    argument_type: DataType | None = None
    distinct: bool = False
    star: bool = False
    # LAG/LEAD: how far, and the default; NTILE: the bucket count.
    offset: int = 1
    default: Callable[[Row], object] | None = None
    buckets: int = 1


@lazy_dataclass(frozen=True)
class OrderKey:
    """One ORDER BY expression of an OVER window."""

    evaluate: Callable[[Row], object]
    descending: bool
    nulls_first: bool


@dataclass(frozen=True, eq=False)
class WindowSpec:
    """PARTITION BY / ORDER BY / frame shared by the calls that say the same OVER (...)."""

    partition: list[Callable[[Row], object]]
    order: list[OrderKey]
    frame: Frame | None
    calls: list[WindowCall] = field(default_factory=list)


def default_frame(has_order: bool) -> Frame:
    """Without a frame clause: the whole partition, or with ORDER BY everything up to the
    current row and its peers (RANGE UNBOUNDED PRECEDING), as in SQL and Flink."""
    if has_order:
        return Frame("RANGE", Bound("UNBOUNDED PRECEDING"), Bound("CURRENT ROW"))
    return Frame("ROWS", Bound("UNBOUNDED PRECEDING"), Bound("UNBOUNDED FOLLOWING"))


def result_type(name: str, types: list[DataType], span: Span | None) -> DataType:
    """Flink's result type of a window function (aggregates use the aggregate rules)."""
    if name in ("ROW_NUMBER", "RANK", "DENSE_RANK", "NTILE"):
        return T.BIGINT.with_nullable(False)
    if name in ("PERCENT_RANK", "CUME_DIST"):
        return T.DOUBLE.with_nullable(False)
    if name in OFFSET or name in VALUE:
        if not types:
            raise ValidationError(f"Invalid number of arguments to function '{name}'", span)
        # (Flink 2.3) LAG(x, 1, 'z') of a NOT NULL x with a NOT NULL default is NOT NULL: it never
        # gives NULL (Flink says NOT NULL even for a nullable x, which qsql does not follow)
        defaulted = name in OFFSET and len(types) > 2 and not types[2].nullable and types[2].kind != "NULL"
        return types[0].with_nullable(types[0].nullable or not defaulted)
    raise ValidationError(f"No match found for function signature {name}(...) OVER", span)


def check_arity(name: str, count: int, span: Span | None) -> None:
    allowed = {
        "ROW_NUMBER": (0,),
        "RANK": (0,),
        "DENSE_RANK": (0,),
        "PERCENT_RANK": (0,),
        "CUME_DIST": (0,),
        "NTILE": (1,),
        "LAG": (1, 2, 3),
        "LEAD": (1, 2, 3),
        "FIRST_VALUE": (1,),
        "LAST_VALUE": (1,),
    }.get(name)
    if allowed is not None and count not in allowed:
        raise ValidationError(
            f"Invalid number of arguments to function '{name}'. Was expecting {' or '.join(map(str, allowed))} "
            "arguments",
            span,
        )


def sort_partition(rows: list[Row], order: list[OrderKey]) -> None:
    """Sort in place by the window's ORDER BY (stable, so ties keep input order)."""
    for order_key in reversed(order):
        evaluate, descending = order_key.evaluate, order_key.descending
        null_rank = 0 if order_key.nulls_first != descending else 1
        value_rank = 1 - null_rank

        def key(
            row: Row,
            evaluate: Callable[[Row], object] = evaluate,
            null_rank: int = null_rank,
            value_rank: int = value_rank,
        ) -> tuple:
            value = evaluate(row)
            return (null_rank, 0) if value is None else (value_rank, value)

        rows.sort(key=key, reverse=descending)


def evaluate_partition(spec: WindowSpec, rows: list[Row]) -> list[list[object]]:
    """The values of each call for each row of one sorted partition: ``result[call][row]``."""
    order_values = [tuple(o.evaluate(row) for o in spec.order) for row in rows]
    # Peer groups: rows with equal ORDER BY values (the whole partition without ORDER BY).
    peer_start = [0] * len(rows)
    peer_end = [0] * len(rows)
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or order_values[i] != order_values[start]:
            for j in range(start, i):
                peer_start[j], peer_end[j] = start, i - 1
            start = i
    frame = spec.frame or default_frame(bool(spec.order))
    bounds = [_frame_bounds(frame, i, rows, order_values, spec, peer_start, peer_end) for i in range(len(rows))]
    return [_evaluate_call(call, rows, bounds, peer_start, peer_end) for call in spec.calls]


def _frame_bounds(
    frame: Frame,
    i: int,
    rows: list[Row],
    order_values: list[tuple],
    spec: WindowSpec,
    peer_start: list[int],
    peer_end: list[int],
) -> tuple[int, int]:
    """The first and last row index (inclusive) of row i's frame; empty when first > last."""
    n = len(rows)

    def position(bound: Bound, is_start: bool) -> int:
        if bound.kind == "UNBOUNDED PRECEDING":
            return 0
        if bound.kind == "UNBOUNDED FOLLOWING":
            return n - 1
        if frame.unit == "ROWS":
            if bound.kind == "CURRENT ROW":
                return i
            offset: Any = bound.offset  # a ROWS bound's: a row count
            step = int(offset)
            return i - step if bound.kind == "PRECEDING" else i + step
        # RANGE: by value of the (single) ORDER BY key; CURRENT ROW means the peers.
        if bound.kind == "CURRENT ROW":
            return peer_start[i] if is_start else peer_end[i]
        current = order_values[i][0] if order_values and order_values[i] else None
        descending = spec.order[0].descending if spec.order else False
        if current is None:
            return peer_start[i] if is_start else peer_end[i]
        delta = bound.offset
        ahead = bound.kind == "FOLLOWING"
        # The value range, in the sort direction: PRECEDING is smaller values ascending.
        if ahead != descending:
            target = current + delta
        else:
            target = current - delta
        if is_start:
            j = 0
            while j < n and not _within(order_values[j][0], target, ahead, descending, True):
                j += 1
            return j
        j = n - 1
        while j >= 0 and not _within(order_values[j][0], target, ahead, descending, False):
            j -= 1
        return j

    first = max(position(frame.start, True), 0)
    last = min(position(frame.end, False), n - 1)
    return first, last


def _within(value: Any, target: Any, ahead: bool, descending: bool, is_start: bool) -> bool:
    """Whether an ORDER BY value lies on the inner side of a RANGE frame's end at ``target``
    (both of the ORDER BY key's SQL type, which the planner checked is orderable)."""
    if value is None:
        return False
    # In sort order, a start bound admits values at or after target; an end bound at or before.
    if descending:
        return value <= target if is_start else value >= target
    return value >= target if is_start else value <= target


def _evaluate_call(
    call: WindowCall, rows: list[Row], bounds: list[tuple[int, int]], peer_start: list[int], peer_end: list[int]
) -> list[object]:
    n = len(rows)
    name = call.name
    if name == "ROW_NUMBER":
        return list(range(1, n + 1))
    if name == "RANK":
        return [peer_start[i] + 1 for i in range(n)]
    if name == "DENSE_RANK":
        out: list[object] = []
        rank = 0
        for i in range(n):
            if i == 0 or peer_start[i] == i:
                rank += 1
            out.append(rank)
        return out
    if name == "PERCENT_RANK":
        return [0.0 if n <= 1 else peer_start[i] / (n - 1) for i in range(n)]
    if name == "CUME_DIST":
        return [(peer_end[i] + 1) / n for i in range(n)]
    if name == "NTILE":
        buckets = call.buckets
        size, extra = divmod(n, buckets)
        out = []
        for bucket in range(buckets):
            out.extend([bucket + 1] * (size + (1 if bucket < extra else 0)))
        return out[:n]
    argument = call.arguments[0] if call.arguments else None
    if name in OFFSET:
        assert argument is not None
        step = call.offset if name == "LEAD" else -call.offset
        out = []
        for i in range(n):
            j = i + step
            if 0 <= j < n:
                out.append(argument(rows[j]))
            else:
                out.append(call.default(rows[i]) if call.default is not None else None)
        return out
    results: list[object] = []
    # Aggregates over each row's frame; FIRST_VALUE / LAST_VALUE are aggregates that skip NULLs.
    for first, last in bounds:
        accumulator = F.Accumulator(name, call.result_type, call.distinct)
        for j in range(first, last + 1):
            if argument is None:
                accumulator.add_row()
            else:
                accumulator.add(argument(rows[j]))
        results.append(accumulator.result())
    return results


def require_order(name: str, has_order: bool, span: Span | None) -> None:
    if name in WINDOW_ONLY and name != "NTILE" and not has_order and name not in OFFSET:
        raise ValidationError(f"Window function {name} requires an ORDER BY clause in its OVER window", span)


def check_frame_offset(value: object, unit: str, span: Span | None) -> object:
    if unit == "ROWS":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise QsqlTypeError("ROWS window bounds must be non-negative integer literals", span)
    elif value is None:
        raise QsqlTypeError("RANGE window bounds must be constant", span)
    return value
