"""CREATE TABLE / VIEW / MODEL, DROP and ALTER TABLE / VIEW / MODEL: the statements that
change the catalog (ALTER TABLE's column changes are worked out in ``alter.py``).

Each handler takes the session, the statement and the script's source (for the query text
of CREATE VIEW and ALTER VIEW ... AS) and returns the status line. A CREATE or ALTER validates
fully before it registers anything, so a failing statement leaves the catalog as it was.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from . import ast
from .alter import altered_columns
from .catalog import (
    ModelEntry,
    TableEntry,
    ViewEntry,
    declared_columns,
    object_name,
    unique_options,
)
from .column import Column
from .connectors import CONNECTORS
from .errors import CatalogError, OptionError, ValidationError
from .expand import expand_query
from .planner import Planner, check_alias_degree
from .results import Result, StatusResult
from .source import Source
from .suggest import did_you_mean

if TYPE_CHECKING:
    from .session import Session


def _existing_relation(session: Session, statement: ast.CreateTable | ast.CreateView, kind: str) -> StatusResult | None:
    """What CREATE does when the name is taken: keep it (IF NOT EXISTS), replace it (OR
    REPLACE: None, go on), or fail."""
    name = object_name(statement.name)
    # A temporary and a permanent object may share a name (the temporary one shadows).
    same = session.catalog.find_relation_of(name, statement.temporary)
    if same is None or statement.or_replace:
        return None
    if statement.if_not_exists:
        return StatusResult(f"{kind.capitalize()} '{name}' already exists; kept as it is.")
    existing = same.kind
    raise CatalogError(
        f"{'Temporary ' if statement.temporary else ''}{existing} '{name}' already exists",
        statement.name.span,
        hint=f"use CREATE {kind.upper()} IF NOT EXISTS to keep the existing one, or CREATE OR REPLACE",
    )


def create_table(session: Session, statement: ast.CreateTable, source: Source | None) -> StatusResult | list[Result]:
    if statement.query is not None:
        return _create_table_as(session, statement, statement.query, source)
    kept = _existing_relation(session, statement, "table")
    if kept is not None:
        return kept
    return _add_table(session, statement, declared_columns(statement.columns))


def _create_table_as(
    session: Session, statement: ast.CreateTable, query: ast.Query, source: Source | None
) -> list[Result]:
    """CREATE TABLE t WITH (...) AS query, as Flink 2.3 runs it: the table's columns are the
    declared ones (if any) followed by the query's, with the query's types; then the query's rows
    are inserted (the declared-only columns NULL). With IF NOT EXISTS and t already there, the
    rows go into the existing t. If the insert fails, the catalog is left as it was."""
    if statement.temporary:
        raise ValidationError(
            "CREATE TABLE AS SELECT syntax does not support to create temporary table yet.", statement.span
        )
    span = statement.span
    kept = _existing_relation(session, statement, "table")
    if kept is not None:  # (Flink 2.3) the rows still go into the existing table
        return [
            kept,
            *_as_list(
                session.execute_statement(
                    ast.Insert(table=statement.name, columns=None, query=query, span=span), source
                )
            ),
        ]
    step = Planner(session.catalog, session.settings).plan_query(query)
    declared = declared_columns(statement.columns)
    taken = {c.name for c in declared}
    for field in step.schema:
        if field.name in taken:
            raise ValidationError(
                f"Column '{field.name}' is both declared and selected: name it once (qsql does not merge them)",
                statement.columns[[c.name for c in declared].index(field.name)].span,
            )
    selected = [Column(f.name, f.dtype) for f in step.schema]
    saved = session.catalog.relations_snapshot()
    created = _add_table(session, statement, declared + selected)
    insert = ast.Insert(
        table=statement.name,
        columns=tuple(ast.Identifier(name=c.name, span=span) for c in selected) if declared else None,
        query=query,
        span=span,
    )
    try:
        return [created, *_as_list(session.execute_statement(insert, source))]
    except BaseException:
        session.catalog.restore_relations(saved)  # a CTAS that cannot finish creates nothing
        raise


def _as_list(result: Result | list[Result]) -> list[Result]:
    return result if isinstance(result, list) else [result]


def _add_table(session: Session, statement: ast.CreateTable, columns: list[Column]) -> StatusResult:
    name = object_name(statement.name)
    items = unique_options(statement.options)
    options = {key: item.value for key, item in items.items()}
    identifier = options.get("connector")
    if identifier is None:
        raise OptionError(
            "Table options do not contain an option key 'connector' for discovering a connector.",
            statement.span,
            hint="e.g. WITH ('connector' = 'print')",
        )
    connector_class = CONNECTORS.get(identifier)
    if connector_class is None:
        raise OptionError(
            f"Could not find any factory for identifier '{identifier}'",
            items["connector"].value_span,
            hint=did_you_mean(identifier, sorted(CONNECTORS))
            or "available connectors: " + ", ".join(sorted(CONNECTORS)),
        )
    connector = connector_class(name, columns, options, items)
    session.catalog.add_relation(
        TableEntry(name, columns, options, connector, statement, temporary=statement.temporary)
    )
    return StatusResult(f"Table '{name}' created.")


def create_view(session: Session, statement: ast.CreateView, source: Source | None) -> StatusResult:
    name = object_name(statement.name)
    kept = _existing_relation(session, statement, "view")
    if kept is not None:
        return kept
    step = Planner(session.catalog, session.settings).plan_query(statement.query)
    names = [f.name for f in step.schema]
    if statement.columns is not None:
        check_alias_degree(names, statement.columns)
        names = [c.name for c in statement.columns]
    seen: set[str] = set()
    for column_name in names:
        if column_name in seen:
            raise ValidationError(f"Duplicate column name '{column_name}' in view '{name}'", statement.span)
        seen.add(column_name)
    columns = [Column(n, f.dtype) for n, f in zip(names, step.schema)]
    query_text = ""
    if source is not None:
        query_text = source.text[statement.query.span.start_pos : statement.query.span.end_pos]
    session.catalog.add_relation(
        ViewEntry(
            name,
            columns,
            statement,
            temporary=statement.temporary,
            query_text=query_text,
            expanded_text=expand_query(statement.query, session.catalog),
        )
    )
    return StatusResult(f"View '{name}' created.")


def create_model(session: Session, statement: ast.CreateModel, source: Source | None) -> StatusResult:
    name = object_name(statement.name)
    if session.catalog.model_exists(name) and not statement.or_replace:
        if statement.if_not_exists:
            return StatusResult(f"Model '{name}' already exists; kept as it is.")
        raise CatalogError(
            f"Model default_database.{name} already exists in Catalog default_catalog.",
            statement.name.span,
            hint="use CREATE MODEL IF NOT EXISTS to keep the existing one",
        )
    inputs = declared_columns(statement.inputs)
    outputs = declared_columns(statement.outputs)
    from .models.options import resolve_model  # here: only CREATE/ALTER MODEL needs it

    config = resolve_model(
        statement, name, inputs, outputs, session.env, session.stub_base_url, session.stored_key, session.config.key_env
    )
    for warning in config.protocol.creation_warnings(config):
        session.warn(warning)
    session.catalog.add_model(
        ModelEntry(
            inputs,
            outputs,
            config,
            statement,
            temporary=statement.temporary,
            source_name=source.name if source is not None else None,
        )
    )
    return StatusResult(f"Model '{name}' created.")


def drop(session: Session, statement: ast.Drop, source: Source | None) -> StatusResult:
    name = object_name(statement.name)
    identifier = f"default_catalog.default_database.{name}"
    kind = statement.kind
    entry = session.catalog.find_model(name) if kind == "model" else session.catalog.find_relation(name)
    if entry is None or (kind != "model" and entry.kind != kind):
        if statement.if_exists:
            return StatusResult(f"{kind.capitalize()} '{name}' does not exist; nothing dropped.")
        hint = None
        if entry is not None:
            hint = f"'{name}' is a {entry.kind}: use DROP {'TEMPORARY ' if entry.temporary else ''}{entry.kind.upper()}"
        raise CatalogError(
            f"{kind.capitalize()} with identifier '{identifier}' does not exist.", statement.name.span, hint=hint
        )
    if entry.temporary and not statement.temporary:
        raise CatalogError(
            f"Temporary {kind} with identifier '{identifier}' exists. Drop it first before removing the "
            f"permanent {kind}.",
            statement.name.span,
            hint=f"use DROP TEMPORARY {kind.upper()} {name}",
        )
    if statement.temporary and not entry.temporary:
        raise CatalogError(
            f"Temporary {kind} with identifier '{identifier}' does not exist.",
            statement.name.span,
            hint=f"'{name}' is not temporary: use DROP {kind.upper()} {name}",
        )
    if kind == "model":
        session.catalog.drop_model(name)
    else:
        session.catalog.drop_relation(name)
    return StatusResult(f"{kind.capitalize()} '{name}' dropped.")


def alter_model(session: Session, statement: ast.AlterModel, source: Source | None) -> StatusResult:
    name = object_name(statement.name)
    model = session.catalog.find_model(name)
    if model is None:
        if statement.if_exists:
            return StatusResult(f"Model '{name}' does not exist; nothing altered.")
        raise CatalogError(f"Model {_identifier(name)} doesn't exist.", statement.name.span)
    if model.temporary:  # as in Flink 2.3
        raise CatalogError(
            f"Model {_identifier(name)} is a temporary model.",
            statement.name.span,
            hint="Flink alters only catalog (not temporary) models: drop it and create it again",
        )
    if statement.rename_to is not None:
        new_name = object_name(statement.rename_to)
        if session.catalog.model_exists(new_name):
            raise CatalogError(
                f"Model default_database.{new_name} already exists in Catalog default_catalog.",
                statement.rename_to.span,
            )
        session.catalog.drop_model(name)
        session.catalog.add_model(replace(model, config=replace(model.config, name=new_name)))
        return StatusResult(f"Model '{name}' renamed to '{new_name}'.")
    items = {item.key: item for item in model.definition.options}
    for item in statement.set_options or ():
        items[item.key] = item
    for key in statement.reset_keys or ():
        items.pop(key, None)
    definition = replace(model.definition, options=tuple(items.values()))
    # Checked exactly as CREATE MODEL would check it; the model is replaced only if it passes.
    from .models.options import resolve_model  # here: only CREATE/ALTER MODEL needs it

    config = resolve_model(
        definition,
        name,
        model.inputs,
        model.outputs,
        session.env,
        session.stub_base_url,
        session.stored_key,
        session.config.key_env,
    )
    session.catalog.add_model(replace(model, definition=definition, config=config))
    return StatusResult(f"Model '{name}' altered.")


def alter_table(session: Session, statement: ast.AlterTable, source: Source | None) -> StatusResult:
    """Flink 2.3's ALTER TABLE for catalog tables (a temporary table is refused, as in Flink).
    The changed table is checked like a new CREATE TABLE before it replaces the old one."""
    name = object_name(statement.name)
    entry = session.catalog.find_relation(name)
    if entry is None and statement.if_exists:
        return StatusResult(f"Table '{name}' does not exist; nothing altered.")
    if not isinstance(entry, TableEntry) or entry.temporary:
        raise CatalogError(
            f"Table {_identifier(name)} doesn't exist or is a temporary table.",
            statement.name.span,
            hint=_alter_hint(entry, "TABLE"),
        )
    if statement.action == "rename":
        assert statement.rename_to is not None
        new_name = _check_rename_target(session, name, statement.rename_to, "TABLE")
        session.catalog.drop_relation(name)
        session.catalog.add_relation(
            replace(entry, name=new_name, definition=replace(entry.definition, name=statement.rename_to))
        )
        return StatusResult(f"Table '{name}' renamed to '{new_name}'.")
    options = dict(entry.options)
    items = {item.key: item for item in entry.definition.options}
    columns = entry.columns
    if statement.action == "set":
        for item in statement.options:
            items[item.key] = item
    elif statement.action == "reset":
        if not statement.keys:
            raise ValidationError("ALTER TABLE RESET does not support empty key", statement.span)
        if "connector" in statement.keys:
            raise ValidationError("ALTER TABLE RESET does not support changing 'connector'", statement.span)
        for key in statement.keys:
            items.pop(key, None)
    else:
        columns = altered_columns(entry.columns, statement)
    options = {key: item.value for key, item in items.items()}
    connector_class = CONNECTORS.get(options["connector"])
    if connector_class is None:
        raise OptionError(
            f"Could not find any factory for identifier '{options['connector']}'",
            statement.span,
            hint="available connectors: " + ", ".join(sorted(CONNECTORS)),
        )
    connector = connector_class(name, columns, options, items)
    # The table's columns are `columns`; the CREATE statement keeps its options current only.
    definition = replace(entry.definition, options=tuple(items.values()))
    session.catalog.add_relation(
        replace(entry, columns=columns, options=options, connector=connector, definition=definition)
    )
    return StatusResult(f"Table '{name}' altered.")


def alter_view(session: Session, statement: ast.AlterView, source: Source | None) -> StatusResult:
    name = object_name(statement.name)
    entry = session.catalog.find_relation(name)
    if entry is None or entry.temporary:
        raise CatalogError(
            f"View {_identifier(name)} doesn't exist or is a temporary view.",
            statement.name.span,
            hint=_alter_hint(entry, "VIEW"),
        )
    if not isinstance(entry, ViewEntry):
        raise CatalogError(
            "ALTER VIEW for a table is not allowed", statement.name.span, hint=f"'{name}' is a table: use ALTER TABLE"
        )
    if statement.rename_to is not None:
        new_name = _check_rename_target(session, name, statement.rename_to, "VIEW")
        session.catalog.drop_relation(name)
        session.catalog.add_relation(
            replace(entry, name=new_name, definition=replace(entry.definition, name=statement.rename_to))
        )
        return StatusResult(f"View '{name}' renamed to '{new_name}'.")
    assert statement.query is not None
    # Planned and registered exactly as CREATE OR REPLACE VIEW would (columns from the new
    # query, the comment kept), so a query that does not plan leaves the view as it was.
    create_view(
        session,
        replace(
            entry.definition,
            query=statement.query,
            columns=None,
            or_replace=True,
            if_not_exists=False,
            span=statement.span,
        ),
        source,
    )
    return StatusResult(f"View '{name}' altered.")


def _check_rename_target(session: Session, name: str, target: ast.QualifiedName, kind: str) -> str:
    """The new name of ALTER TABLE/VIEW ... RENAME TO, refused when a table or view (not a
    temporary one, which may share the name) already has it."""
    new_name = object_name(target)
    if session.catalog.find_relation_of(new_name, temporary=False) is not None:
        raise CatalogError(
            f"Could not execute ALTER {kind} default_catalog.default_database.{name} RENAME TO "
            f"default_catalog.default_database.{new_name}: Table (or view) default_database.{new_name} "
            "already exists in Catalog default_catalog.",
            target.span,
        )
    return new_name


def _identifier(name: str) -> str:
    return f"`default_catalog`.`default_database`.`{name}`"


def _alter_hint(entry: TableEntry | ViewEntry | None, kind: str) -> str | None:
    """Why ALTER TABLE / VIEW found nothing to alter, when there is something of that name."""
    if entry is None:
        return None
    if entry.temporary:
        return f"Flink alters only catalog (not temporary) {kind.lower()}s: drop it and create it again"
    return f"'{entry.name}' is a {entry.kind}: use ALTER {entry.kind.upper()}"
