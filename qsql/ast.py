"""The syntax tree: frozen dataclasses, one per construct, each with the span it came from.

Nothing here knows about Lark (the transformer builds these) or about execution (the
planner reads them); that keeps the parser replaceable and the planner testable.
"""

from __future__ import annotations

from dataclasses import field

from .lazydataclass import lazy_dataclass
from .source import Span
from .types import DataType


@lazy_dataclass(frozen=True)
class Node:
    span: Span = field(kw_only=True, compare=False, repr=False)


@lazy_dataclass(frozen=True)
class Identifier(Node):
    """A name as written; ``quoted`` when it was backquoted. Flink names are case-sensitive."""

    name: str
    quoted: bool = False


@lazy_dataclass(frozen=True)
class QualifiedName(Node):
    parts: tuple[Identifier, ...]

    @property
    def name(self) -> str:
        return self.parts[-1].name

    def __str__(self) -> str:
        return ".".join(p.name for p in self.parts)


# ------------------------------------------------------------------------- expressions


@lazy_dataclass(frozen=True)
class Expr(Node):
    pass


@lazy_dataclass(frozen=True)
class Literal(Expr):
    """A constant; ``text`` is the literal as written, ``dtype`` its Flink type."""

    value: object
    dtype: DataType
    text: str


@lazy_dataclass(frozen=True)
class ColumnRef(Expr):
    parts: tuple[Identifier, ...]

    @property
    def name(self) -> str:
        return self.parts[-1].name


@lazy_dataclass(frozen=True)
class UnaryOp(Expr):
    op: str
    operand: Expr


@lazy_dataclass(frozen=True)
class BinaryOp(Expr):
    op: str
    left: Expr
    right: Expr


@lazy_dataclass(frozen=True)
class IsNull(Expr):
    operand: Expr
    negated: bool = False


@lazy_dataclass(frozen=True)
class Cast(Expr):
    operand: Expr
    target: DataType
    safe: bool = False  # TRY_CAST


@lazy_dataclass(frozen=True)
class ArrayConstructor(Expr):
    items: tuple[Expr, ...]


@lazy_dataclass(frozen=True)
class MapConstructor(Expr):
    items: tuple[Expr, ...]


@lazy_dataclass(frozen=True)
class FunctionCall(Expr):
    name: Identifier
    args: tuple[Expr, ...]
    distinct: bool = False  # COUNT(DISTINCT x)
    star: bool = False  # COUNT(*)
    filter: Expr | None = None  # an aggregate's FILTER (WHERE condition)


@lazy_dataclass(frozen=True)
class IsBool(Expr):
    """``x IS [NOT] TRUE`` / ``x IS [NOT] FALSE``."""

    operand: Expr
    value: bool
    negated: bool = False


@lazy_dataclass(frozen=True)
class Like(Expr):
    operand: Expr
    pattern: Expr
    escape: str | None = None
    negated: bool = False


@lazy_dataclass(frozen=True)
class InList(Expr):
    operand: Expr
    items: tuple[Expr, ...]
    negated: bool = False


@lazy_dataclass(frozen=True)
class Between(Expr):
    operand: Expr
    low: Expr
    high: Expr
    negated: bool = False


@lazy_dataclass(frozen=True)
class Case(Expr):
    """``CASE [operand] WHEN a THEN b ... [ELSE c] END``."""

    operand: Expr | None
    whens: tuple[tuple[Expr, Expr], ...]
    default: Expr | None = None


@lazy_dataclass(frozen=True)
class Subscript(Expr):
    """``array[i]``, 1-based as in Flink; ``map[key]``."""

    base: Expr
    index: Expr


@lazy_dataclass(frozen=True)
class Extract(Expr):
    unit: str
    operand: Expr


@lazy_dataclass(frozen=True)
class ScalarSubquery(Expr):
    """``(SELECT ...)`` as a value: one column, at most one row (NULL when none)."""

    query: Query


@lazy_dataclass(frozen=True)
class InSubquery(Expr):
    """``x [NOT] IN (SELECT ...)``."""

    operand: Expr
    query: Query
    negated: bool = False


@lazy_dataclass(frozen=True)
class Exists(Expr):
    query: Query


@lazy_dataclass(frozen=True)
class FrameBound(Node):
    """One end of a window frame: UNBOUNDED PRECEDING, n PRECEDING, CURRENT ROW, n FOLLOWING ..."""

    kind: str  # "UNBOUNDED PRECEDING" | "PRECEDING" | "CURRENT ROW" | "FOLLOWING" | "UNBOUNDED FOLLOWING"
    offset: Expr | None = None


@lazy_dataclass(frozen=True)
class WindowFrame(Node):
    unit: str  # "ROWS" | "RANGE"
    start: FrameBound
    end: FrameBound


@lazy_dataclass(frozen=True)
class Over(Expr):
    """``f(...) OVER (PARTITION BY ... ORDER BY ... [ROWS|RANGE ...])``."""

    call: FunctionCall
    partition_by: tuple[Expr, ...] = ()
    order_by: tuple[OrderItem, ...] = ()
    frame: WindowFrame | None = None
    window_name: Identifier | None = None  # OVER w: the SELECT's WINDOW clause defines w


@lazy_dataclass(frozen=True)
class CurrentTime(Expr):
    """CURRENT_DATE, CURRENT_TIMESTAMP, LOCALTIMESTAMP ... (no parentheses)."""

    name: str


@lazy_dataclass(frozen=True)
class IsDistinctFrom(Expr):
    """``a IS [NOT] DISTINCT FROM b``: equality where two NULLs are the same value."""

    left: Expr
    right: Expr
    negated: bool = False


@lazy_dataclass(frozen=True)
class IsUnknown(Expr):
    """``x IS [NOT] UNKNOWN`` on a BOOLEAN (Flink's name for IS NULL on a truth value)."""

    operand: Expr
    negated: bool = False


@lazy_dataclass(frozen=True)
class IsJson(Expr):
    """``s IS [NOT] JSON [VALUE | SCALAR | ARRAY | OBJECT]``."""

    operand: Expr
    kind: str = "VALUE"
    negated: bool = False


@lazy_dataclass(frozen=True)
class TimeUnit(Expr):
    """A time unit keyword standing as an argument: ``TIMESTAMPADD(DAY, 1, t)``. Only the
    grammar makes one, so a column can never be mistaken for a unit (nor a unit for a column)."""

    unit: str


@lazy_dataclass(frozen=True)
class RowConstructor(Expr):
    """``ROW(a, b, ...)``: a value of type ROW<EXPR$0 ..., EXPR$1 ...>."""

    items: tuple[Expr, ...]


@lazy_dataclass(frozen=True)
class JsonBehavior(Node):
    """One ``<response> ON EMPTY|ERROR`` clause of JSON_VALUE / JSON_QUERY / JSON_EXISTS;
    ``response`` is NULL, ERROR, TRUE, FALSE, UNKNOWN, EMPTY ARRAY, EMPTY OBJECT or DEFAULT."""

    response: str
    condition: str  # EMPTY | ERROR
    default: Expr | None = None


@lazy_dataclass(frozen=True)
class JsonCall(Expr):
    """JSON_VALUE, JSON_QUERY, JSON_EXISTS, JSON_OBJECT and JSON_ARRAY with their SQL/JSON clauses.

    For JSON_OBJECT ``args`` alternate key, value; ``on_null`` is NULL or ABSENT."""

    name: str
    args: tuple[Expr, ...]
    returning: DataType | None = None
    behaviors: tuple[JsonBehavior, ...] = ()
    wrapper: str | None = None  # JSON_QUERY: WITHOUT | CONDITIONAL | UNCONDITIONAL
    on_null: str | None = None


# ------------------------------------------------------------------------- queries


@lazy_dataclass(frozen=True)
class SelectItem(Node):
    pass


@lazy_dataclass(frozen=True)
class SelectExpr(SelectItem):
    expr: Expr
    alias: Identifier | None = None


@lazy_dataclass(frozen=True)
class SelectStar(SelectItem):
    qualifier: Identifier | None = None


@lazy_dataclass(frozen=True)
class FromItem(Node):
    pass


@lazy_dataclass(frozen=True)
class TableRef(FromItem):
    name: QualifiedName
    alias: Identifier | None = None
    columns: tuple[Identifier, ...] | None = None  # FROM t AS x (a, b)
    options: tuple[OptionItem, ...] | None = None  # FROM t /*+ OPTIONS('k' = 'v') */


@lazy_dataclass(frozen=True)
class MLPredict(FromItem):
    """``ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(c, ...)[, MAP[...]])``; the input may also be a
    parenthesized query, ``ML_PREDICT((SELECT ...), MODEL m, ...)``, as Flink accepts it."""

    table: QualifiedName | Query
    model: QualifiedName
    descriptor: tuple[Identifier, ...]
    config: MapConstructor | None = None
    alias: Identifier | None = None
    named: bool = False  # written with INPUT =>, MODEL =>, ARGS => (SHOW CREATE VIEW keeps the form)


@lazy_dataclass(frozen=True)
class Join(FromItem):
    left: FromItem
    right: FromItem
    kind: str  # "inner" | "left" | "right" | "full" | "cross"
    condition: Expr | None = None  # None: CROSS JOIN, a comma join or USING
    using: tuple[Identifier, ...] | None = None


@lazy_dataclass(frozen=True)
class SubqueryRef(FromItem):
    query: Query
    alias: Identifier | None = None
    columns: tuple[Identifier, ...] | None = None  # FROM (...) AS t (a, b)


@lazy_dataclass(frozen=True)
class Unnest(FromItem):
    """``UNNEST(array_or_map) [WITH ORDINALITY] [AS t (c, ...)]``: one row per element, joined
    (CROSS JOIN, a comma, or LEFT JOIN ... ON TRUE) to the rows on its left it refers to."""

    exprs: tuple[Expr, ...]
    ordinality: bool = False
    alias: Identifier | None = None
    columns: tuple[Identifier, ...] | None = None


@lazy_dataclass(frozen=True)
class OrderItem(Node):
    expr: Expr
    descending: bool = False
    nulls_first: bool | None = None  # None: Flink's default (NULLs first ascending, last descending)


@lazy_dataclass(frozen=True)
class Query(Node):
    pass


@lazy_dataclass(frozen=True)
class Select(Query):
    items: tuple[SelectItem, ...]
    from_: FromItem | None = None
    where: Expr | None = None
    distinct: bool = False
    group_by: tuple[Expr, ...] | None = None
    having: Expr | None = None
    order_by: tuple[OrderItem, ...] | None = None
    limit: int | None = None
    offset: int | None = None
    hints: tuple[str, ...] = ()  # SELECT /*+ BROADCAST(t) */: the hint names
    # WINDOW w AS (...): name -> (PARTITION BY, ORDER BY, frame)
    windows: tuple[tuple[Identifier, tuple, tuple, WindowFrame | None], ...] = ()


@lazy_dataclass(frozen=True)
class SetOperation(Query):
    """``UNION`` / ``INTERSECT`` / ``EXCEPT``, ``all`` keeping duplicates."""

    op: str  # "UNION" | "INTERSECT" | "EXCEPT"
    left: Query
    right: Query
    all: bool = False


@lazy_dataclass(frozen=True)
class Ordered(Query):
    """ORDER BY / OFFSET / LIMIT around a query that is not a plain SELECT (a set operation, VALUES)."""

    query: Query
    order_by: tuple[OrderItem, ...] | None = None
    limit: int | None = None
    offset: int | None = None


@lazy_dataclass(frozen=True)
class CommonTable(Node):
    """One ``name [(columns)] AS (query)`` of a WITH clause."""

    name: Identifier
    columns: tuple[Identifier, ...] | None
    query: Query


@lazy_dataclass(frozen=True)
class With(Query):
    """``WITH a AS (...), b AS (...) query``: each table sees the ones before it."""

    tables: tuple[CommonTable, ...]
    query: Query


@lazy_dataclass(frozen=True)
class Values(Query):
    rows: tuple[tuple[Expr, ...], ...]


# ------------------------------------------------------------------------- statements


@lazy_dataclass(frozen=True)
class Statement(Node):
    pass


@lazy_dataclass(frozen=True)
class ColumnDef(Node):
    name: Identifier
    dtype: DataType
    comment: str | None = None


@lazy_dataclass(frozen=True)
class OptionItem(Node):
    """One ``'key' = 'value'`` of a WITH clause; the span is the key's, for error carets."""

    key: str
    value: str
    value_span: Span = field(compare=False, repr=False)


@lazy_dataclass(frozen=True)
class CreateModel(Statement):
    name: QualifiedName
    inputs: tuple[ColumnDef, ...]
    outputs: tuple[ColumnDef, ...]
    options: tuple[OptionItem, ...]
    comment: str | None = None
    temporary: bool = False
    if_not_exists: bool = False
    or_replace: bool = False


@lazy_dataclass(frozen=True)
class CreateView(Statement):
    name: QualifiedName
    columns: tuple[Identifier, ...] | None
    query: Query
    comment: str | None = None
    temporary: bool = False
    if_not_exists: bool = False
    or_replace: bool = False


@lazy_dataclass(frozen=True)
class CreateTable(Statement):
    name: QualifiedName
    columns: tuple[ColumnDef, ...]
    options: tuple[OptionItem, ...]
    comment: str | None = None
    temporary: bool = False
    if_not_exists: bool = False
    or_replace: bool = False
    query: Query | None = None  # CREATE TABLE ... AS query: the columns come from it, then its rows


@lazy_dataclass(frozen=True)
class Insert(Statement):
    table: QualifiedName
    columns: tuple[Identifier, ...] | None
    query: Query
    overwrite: bool = False


@lazy_dataclass(frozen=True)
class QueryStatement(Statement):
    query: Query


@lazy_dataclass(frozen=True)
class SetOption(Statement):
    """``SET 'key' = 'value'``; ``SET`` alone lists the session's settings."""

    key: str | None
    value: str | None


@lazy_dataclass(frozen=True)
class ResetOption(Statement):
    """``RESET 'key'``; ``RESET`` alone resets every setting."""

    key: str | None


@lazy_dataclass(frozen=True)
class Drop(Statement):
    kind: str  # "table" | "view" | "model"
    name: QualifiedName
    temporary: bool = False
    if_exists: bool = False


@lazy_dataclass(frozen=True)
class ShowCurrent(Statement):
    """``SHOW CURRENT CATALOG | DATABASE``."""

    what: str  # "CATALOG" | "DATABASE"


@lazy_dataclass(frozen=True)
class Use(Statement):
    """``USE CATALOG c`` / ``USE [catalog.]database``: qsql has one of each, so only those."""

    name: QualifiedName
    catalog: bool = False


@lazy_dataclass(frozen=True)
class Show(Statement):
    what: str  # "TABLES" | "VIEWS" | "MODELS" | "FUNCTIONS" | "CATALOGS" | "DATABASES"
    database: QualifiedName | None = None  # FROM|IN [catalog.]database
    pattern: str | None = None
    negated: bool = False
    case_insensitive: bool = False


@lazy_dataclass(frozen=True)
class ShowCreate(Statement):
    kind: str
    name: QualifiedName


@lazy_dataclass(frozen=True)
class ShowColumns(Statement):
    """``SHOW COLUMNS FROM|IN t [NOT] [I]LIKE 'pattern'``: DESCRIBE's rows, filtered by name."""

    name: QualifiedName
    pattern: str | None = None
    negated: bool = False
    case_insensitive: bool = False


@lazy_dataclass(frozen=True)
class Describe(Statement):
    name: QualifiedName
    model: bool = False


@lazy_dataclass(frozen=True)
class AlterModel(Statement):
    name: QualifiedName
    if_exists: bool = False
    set_options: tuple[OptionItem, ...] | None = None
    reset_keys: tuple[str, ...] | None = None
    rename_to: QualifiedName | None = None


@lazy_dataclass(frozen=True)
class AlterColumn(Node):
    """One column of ALTER TABLE ADD / MODIFY, with its optional position (FIRST or AFTER c)."""

    definition: ColumnDef
    first: bool = False
    after: Identifier | None = None


@lazy_dataclass(frozen=True)
class AlterTable(Statement):
    """``ALTER TABLE [IF EXISTS] t`` and one action: ``rename`` (``rename_to``), ``set``
    (``options``), ``reset`` (``keys``), ``add`` / ``modify`` (``columns``), ``drop``
    (``dropped``) or ``rename_column`` (``old_column`` TO ``new_column``)."""

    name: QualifiedName
    action: str
    if_exists: bool = False
    rename_to: QualifiedName | None = None
    options: tuple[OptionItem, ...] = ()
    keys: tuple[str, ...] = ()
    columns: tuple[AlterColumn, ...] = ()
    dropped: tuple[Identifier, ...] = ()
    old_column: Identifier | None = None
    new_column: Identifier | None = None


@lazy_dataclass(frozen=True)
class AlterView(Statement):
    """``ALTER VIEW v RENAME TO w`` or ``ALTER VIEW v AS query`` (Flink has no IF EXISTS here)."""

    name: QualifiedName
    rename_to: QualifiedName | None = None
    query: Query | None = None


@lazy_dataclass(frozen=True)
class Explain(Statement):
    statement: QueryStatement | Insert | StatementSet  # what the grammar lets EXPLAIN take


@lazy_dataclass(frozen=True)
class StatementSet(Statement):
    """``EXECUTE STATEMENT SET BEGIN INSERT ...; INSERT ...; END``: planned together, then run."""

    inserts: tuple[Insert, ...]


@lazy_dataclass(frozen=True)
class BeginStatementSet(Statement):
    """The SQL client's ``BEGIN STATEMENT SET;``: the INSERTs up to ``END;`` form one set."""


@lazy_dataclass(frozen=True)
class EndStatementSet(Statement):
    pass
