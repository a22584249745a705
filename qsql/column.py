"""The one column record: a table's, a view's or a model's declared column, and a column of
a query's intermediate result or of a statement's result, alike.

The catalog stores these, the planner's steps carry them as their schema, expressions
resolve names against them, and results hand them to the output layer; nothing converts
between column types on the way. Nullability is part of the type (``dtype.nullable``).
"""

from __future__ import annotations

from dataclasses import KW_ONLY

from .lazydataclass import lazy_dataclass
from .types import DataType


@lazy_dataclass(frozen=True)
class Column:
    name: str
    dtype: DataType
    _: KW_ONLY
    # The COMMENT of a declared column (DESCRIBE and SHOW CREATE show it).
    comment: str | None = None
    # In a query: the table name or alias the column came from (``t.c``).
    qualifier: str | None = None
    # A column of JOIN ... USING's inputs: reachable as t.c, but neither by c alone nor by *
    # (the joined column stands for both).
    hidden: bool = False
