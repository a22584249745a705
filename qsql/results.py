"""What a statement gives back: rows, an INSERT's count, a status line or text.

Kept apart from ``session.py`` so the output layer (``output.py``, ``render.py``) and the
Python API read results without importing the session that produces them.
"""

from __future__ import annotations

from dataclasses import field

from .column import Column
from .executor import PredictStats
from .lazydataclass import lazy_dataclass
from .pricing import UsageTotals


@lazy_dataclass
class QueryResult:
    columns: list[Column]
    rows: list[tuple]
    elapsed: float
    predict: list[PredictStats] = field(default_factory=list)
    usage: UsageTotals | None = None  # requests, tokens and estimated cost of its ML_PREDICTs
    # True for a statement's table (SHOW / DESCRIBE / SET), which Flink's SQL client prints with no
    # width cap and NULL as an empty cell; a query's table is cut at 'table.display.max-column-width'.
    widths_from_data: bool = False


@lazy_dataclass
class InsertResult:
    table: str
    rows: int
    elapsed: float
    predict: list[PredictStats] = field(default_factory=list)
    usage: UsageTotals | None = None


@lazy_dataclass
class StatusResult:
    message: str


@lazy_dataclass
class TextResult:
    """Text shown as is (SHOW CREATE, EXPLAIN)."""

    text: str


Result = QueryResult | InsertResult | StatusResult | TextResult
