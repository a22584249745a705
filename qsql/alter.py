"""ALTER TABLE's column changes (ADD, MODIFY, DROP, RENAME c TO d) with Flink 2.3's rules and messages.

Flink checks each change against the table's schema as it evolves within the statement, and
refuses the statement as a whole ("Failed to execute ALTER TABLE statement." and the reason), so
a failed ALTER leaves the table as it was. Checked case by case in Flink 2.3.
"""

from __future__ import annotations

import dataclasses

from . import ast
from .catalog import declared_column
from .column import Column
from .errors import ValidationError
from .source import Span

FAILED = "Failed to execute ALTER TABLE statement. "


def _fail(reason: str, span: Span | None) -> ValidationError:
    return ValidationError(FAILED + reason, span)


def _index(columns: list[Column], name: str) -> int:
    return next((i for i, c in enumerate(columns) if c.name == name), -1)


def _insert_at(columns: list[Column], column: Column, change: ast.AlterColumn) -> None:
    if change.first:
        columns.insert(0, column)
        return
    if change.after is None:
        columns.append(column)
        return
    at = _index(columns, change.after.name)
    if at < 0:
        raise _fail(
            f"Referenced column `{change.after.name}` by 'AFTER' does not exist in the table.", change.after.span
        )
    columns.insert(at + 1, column)


def _add(columns: list[Column], changes: tuple[ast.AlterColumn, ...]) -> list[Column]:
    seen: set[str] = set()
    for change in changes:
        name = change.definition.name
        if name.name in seen:
            raise _fail(f"Encounter duplicate column `{name.name}`.", name.span)
        seen.add(name.name)
    result = list(columns)
    for change in changes:
        name = change.definition.name
        if _index(result, name.name) >= 0:
            raise _fail(f"Column `{name.name}` already exists in the table.", name.span)
        _insert_at(result, declared_column(change.definition), change)
    return result


def _modify(columns: list[Column], changes: tuple[ast.AlterColumn, ...]) -> list[Column]:
    result = list(columns)
    for change in changes:
        name = change.definition.name
        at = _index(result, name.name)
        if at < 0:
            raise _fail(f"Column `{name.name}` does not exist in the table.", name.span)
        old = result[at]
        # A MODIFY without COMMENT keeps the column's comment, as in Flink.
        new = declared_column(change.definition)
        new = dataclasses.replace(new, comment=new.comment or old.comment)
        if change.after is not None and change.after.name == name.name:
            result[at] = new  # AFTER itself: stays where it is
            continue
        if not change.first and change.after is None:
            result[at] = new
            continue
        del result[at]
        _insert_at(result, new, change)
    return result


def _drop(columns: list[Column], dropped: tuple[ast.Identifier, ...]) -> list[Column]:
    seen: set[str] = set()
    for name in dropped:
        if name.name in seen:
            raise _fail(f"Duplicate column `{name.name}`.", name.span)
        seen.add(name.name)
        if _index(columns, name.name) < 0:
            raise _fail(f"The column `{name.name}` does not exist in the base table.", name.span)
    # Flink lets a table lose every column (DESCRIBE then shows none).
    return [c for c in columns if c.name not in seen]


def _rename(columns: list[Column], old: ast.Identifier, new: ast.Identifier) -> list[Column]:
    at = _index(columns, old.name)
    if at < 0:
        raise _fail(f"The column `{old.name}` does not exist in the base table.", old.span)
    if _index(columns, new.name) >= 0:
        raise _fail(f"The column `{new.name}` already existed in table schema.", new.span)
    result = list(columns)
    result[at] = dataclasses.replace(columns[at], name=new.name)
    return result


def altered_columns(columns: list[Column], statement: ast.AlterTable) -> list[Column]:
    """The table's columns after the statement's column change (the input list is not touched)."""
    if statement.action == "add":
        return _add(columns, statement.columns)
    if statement.action == "modify":
        return _modify(columns, statement.columns)
    if statement.action == "drop":
        return _drop(columns, statement.dropped)
    assert statement.action == "rename_column" and statement.old_column and statement.new_column
    return _rename(columns, statement.old_column, statement.new_column)
