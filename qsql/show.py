"""SHOW, SHOW CREATE, SHOW COLUMNS and DESCRIBE: the statements that read the catalog.

SHOW CREATE prints Flink's layout with the API key masked; the listings are tables that
Flink sizes by their content. Each handler takes the session, the statement and the
script's source, as the session's dispatch table calls it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import ast
from .catalog import DEFAULT_CATALOG, DEFAULT_DATABASE, Catalog, ModelEntry, TableEntry, ViewEntry
from .column import Column
from .errors import CatalogError
from .expressions import like_regex
from .results import QueryResult, StatusResult, TextResult
from .secrets import shown_option_value
from .source import Source
from .types import BOOLEAN, MAX_LENGTH, STRING, DataType

if TYPE_CHECKING:
    from .session import Session

PREFIX = "`default_catalog`.`default_database`"


def _quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _type(dtype: DataType) -> str:
    # Flink spells STRING out in SHOW CREATE: VARCHAR(2147483647).
    text = str(dtype)
    return text.replace("STRING", f"VARCHAR({MAX_LENGTH})")


def _column(column: Column) -> str:
    text = f"{_quote(column.name)} {_type(column.dtype)}"
    return text + (f" COMMENT {_string(column.comment)}" if column.comment else "")


def _options(options: dict[str, str]) -> list[str]:
    lines = ["WITH ("]
    items = sorted(options.items())
    for i, (key, value) in enumerate(items):
        shown = shown_option_value(key, value)
        lines.append(f"  {_string(key)} = {_string(shown)}" + ("," if i < len(items) - 1 else ""))
    lines.append(")")
    return lines


def show_create_table(table: TableEntry) -> str:
    temporary = "TEMPORARY " if table.temporary else ""
    lines = [f"CREATE {temporary}TABLE {PREFIX}.{_quote(table.name)} ("]
    lines += [f"  {_column(c)}" + ("," if i < len(table.columns) - 1 else "") for i, c in enumerate(table.columns)]
    lines.append(")")
    if table.definition.comment:
        lines.append(f"COMMENT {_string(table.definition.comment)}")
    lines += _options(table.options)
    return "\n".join(lines) + "\n"


def show_create_view(view: ViewEntry) -> str:
    temporary = "TEMPORARY " if view.temporary else ""
    lines = [f"CREATE {temporary}VIEW {PREFIX}.{_quote(view.name)} ("]
    lines += [f"  {_quote(c.name)}" + ("," if i < len(view.columns) - 1 else "") for i, c in enumerate(view.columns)]
    lines.append(")")
    if view.definition.comment:
        lines.append(f"COMMENT {_string(view.definition.comment)}")
    if view.expanded_text is not None:
        lines.append(f"AS {view.expanded_text}")
        return "\n".join(lines)
    lines.append(f"AS {view.query_text}")
    return "\n".join(lines) + "\n"


def show_create_model(model: ModelEntry) -> str:
    temporary = "TEMPORARY " if model.temporary else ""
    lines = [f"CREATE {temporary}MODEL {PREFIX}.{_quote(model.name)}"]
    lines.append("INPUT (" + ", ".join(_column(c) for c in model.inputs) + ")")
    lines.append("OUTPUT (" + ", ".join(_column(c) for c in model.outputs) + ")")
    if model.definition.comment:
        lines.append(f"COMMENT {_string(model.definition.comment)}")
    lines += _options(model.config.options)
    return "\n".join(lines) + "\n"


def show(session: Session, statement: ast.Show, source: Source | None) -> QueryResult:
    """SHOW TABLES / VIEWS / MODELS / FUNCTIONS [FROM|IN [catalog.]database] [[NOT] [I]LIKE pattern]."""
    catalog = session.catalog
    what = statement.what
    if statement.database is not None and what in ("CATALOGS", "DATABASES"):
        raise CatalogError(f"SHOW {what} takes no FROM / IN", statement.database.span)
    if statement.database is not None and what != "FUNCTIONS":
        _check_database(statement.database, what)  # Flink 2.3 lists functions for any database name
    if what == "TABLES":
        names = [r.name for r in catalog.relations()]  # Flink lists views among tables
    elif what == "VIEWS":
        names = [r.name for r in catalog.relations() if r.kind == "view"]
    elif what == "MODELS":
        names = [m.name for m in catalog.models()]
    elif what == "CATALOGS":
        names = [DEFAULT_CATALOG]
    elif what == "DATABASES":
        names = [DEFAULT_DATABASE]
    else:
        from .functions import KNOWN_FUNCTIONS

        names = [f.lower() for f in KNOWN_FUNCTIONS]
    if statement.pattern is not None:
        regex = like_regex(statement.pattern.lower() if statement.case_insensitive else statement.pattern, None)
        names = [
            n
            for n in names
            if (regex.fullmatch(n.lower() if statement.case_insensitive else n) is not None) != statement.negated
        ]
    column = {
        "TABLES": "table name",
        "VIEWS": "view name",
        "MODELS": "model name",
        "FUNCTIONS": "function name",
        "CATALOGS": "catalog name",
        "DATABASES": "database name",
    }[what]
    return QueryResult(
        [Column(column, STRING.with_nullable(False))], [(n,) for n in sorted(names)], 0.0, widths_from_data=True
    )


def show_current(session: Session, statement: ast.ShowCurrent, source: Source | None) -> QueryResult:
    """SHOW CURRENT CATALOG | DATABASE: qsql's one catalog and database, under Flink's column names."""
    name = DEFAULT_CATALOG if statement.what == "CATALOG" else DEFAULT_DATABASE
    column = Column(f"current {statement.what.lower()} name", STRING.with_nullable(False))
    return QueryResult([column], [(name,)], 0.0, widths_from_data=True)


def use(session: Session, statement: ast.Use, source: Source | None) -> StatusResult:
    """USE CATALOG c / USE [catalog.]database: accepted for the catalog and database qsql has (a
    script written for a Flink cluster often starts with them); others fail with Flink's message."""
    parts = [p.name for p in statement.name.parts]
    if statement.catalog or len(parts) == 2:
        if parts[0] != DEFAULT_CATALOG:
            raise CatalogError(
                f"A catalog with name [{parts[0]}] does not exist.",
                statement.name.span,
                hint=f"qsql has only '{DEFAULT_CATALOG}'",
            )
    if len(parts) > 2:
        raise CatalogError(f"'{statement.name}' has too many parts: use [catalog.]database", statement.name.span)
    if not statement.catalog and parts[-1] != DEFAULT_DATABASE:
        raise CatalogError(
            f"A database with name [{parts[-1]}] does not exist in the catalog: [{DEFAULT_CATALOG}].",
            statement.name.span,
            hint=f"qsql has only '{DEFAULT_DATABASE}'",
        )
    return StatusResult("Execute statement succeeded.")


def _check_database(name: ast.QualifiedName, what: str) -> None:
    """``FROM [catalog.]database`` must name the one database qsql has; the messages are Flink
    2.3's, which differ between SHOW MODELS and SHOW TABLES / VIEWS."""
    parts = [p.name for p in name.parts]
    if len(parts) > 2:
        raise CatalogError(f"'{name}' has too many parts: use [catalog.]database", name.span)
    catalog = parts[0] if len(parts) == 2 else DEFAULT_CATALOG
    if catalog != DEFAULT_CATALOG:
        raise CatalogError(f"Catalog {catalog} does not exist", name.span, hint=f"qsql has only '{DEFAULT_CATALOG}'")
    if parts[-1] != DEFAULT_DATABASE:
        message = (
            f"Database {parts[-1]} does not exist in Catalog {catalog}."
            if what == "MODELS"
            else f"Database '{catalog}'.'{parts[-1]}' doesn't exist."
        )
        raise CatalogError(message, name.span, hint=f"qsql has only '{DEFAULT_DATABASE}'")


def show_create(session: Session, statement: ast.ShowCreate, source: Source | None) -> TextResult:
    catalog = session.catalog
    if statement.kind == "model":
        return TextResult(show_create_model(catalog.get_model(statement.name)))
    entry = catalog.get_relation(statement.name)
    if entry.kind != statement.kind:
        raise CatalogError(
            f"'{entry.name}' is a {entry.kind}, not a {statement.kind}",
            statement.name.span,
            hint=f"use SHOW CREATE {entry.kind.upper()} {entry.name}",
        )
    if isinstance(entry, TableEntry):
        return TextResult(show_create_table(entry))
    return TextResult(show_create_view(entry))


def show_columns(session: Session, statement: ast.ShowColumns, source: Source | None) -> QueryResult:
    """DESCRIBE's table, filtered by the pattern on the column name."""
    described = describe(session, ast.Describe(name=statement.name, span=statement.span), source)
    rows = described.rows
    if statement.pattern is not None:
        insensitive = statement.case_insensitive
        regex = like_regex(statement.pattern.lower() if insensitive else statement.pattern, None)
        rows = [
            r for r in rows if (regex.fullmatch(r[0].lower() if insensitive else r[0]) is not None) != statement.negated
        ]
    return QueryResult(described.columns, rows, 0.0, widths_from_data=True)


def _describe_model(catalog: Catalog, name: ast.QualifiedName) -> QueryResult:
    """Flink's DescribeModelOperation: name, type, null, is input, and a comment column only
    when some column has a comment (NULL for the others)."""
    try:
        model = catalog.get_model(name)
    except CatalogError as error:
        raise CatalogError(
            f"Model with the identifier 'default_catalog.default_database.{name.name}' doesn't exist.",
            error.span,
            hint=error.hint,
        ) from None
    text = STRING.with_nullable(False)
    columns = [Column("name", text), Column("type", text), Column("null", BOOLEAN), Column("is input", BOOLEAN)]
    described = [(c, True) for c in model.inputs] + [(c, False) for c in model.outputs]
    with_comments = any(c.comment for c, _ in described)
    if with_comments:
        columns.append(Column("comment", STRING))
    rows = [
        (c.name, c.dtype.name(), c.dtype.nullable, is_input) + ((c.comment,) if with_comments else ())
        for c, is_input in described
    ]
    return QueryResult(columns, rows, 0.0, widths_from_data=True)


def describe(session: Session, statement: ast.Describe, source: Source | None) -> QueryResult:
    catalog = session.catalog
    text = STRING.with_nullable(False)
    rows: list[tuple]
    if statement.model:
        return _describe_model(catalog, statement.name)
    entry = catalog.get_relation(statement.name)
    columns = [
        Column(n, BOOLEAN if n == "null" else text) for n in ("name", "type", "null", "key", "extras", "watermark")
    ]
    # (Flink 2.3) DescribeTableOperation adds the comment column only when a column has a comment.
    if isinstance(entry, TableEntry) and any(c.comment for c in entry.columns):
        columns.append(Column("comment", text))
        rows = [(c.name, c.dtype.name(), c.dtype.nullable, "", "", "", c.comment or "") for c in entry.columns]
    else:
        rows = [(c.name, c.dtype.name(), c.dtype.nullable, "", "", "") for c in entry.columns]
    return QueryResult(columns, rows, 0.0, widths_from_data=True)
