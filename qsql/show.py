"""SHOW CREATE TABLE / VIEW / MODEL text, in Flink's layout, with the API key masked."""

from __future__ import annotations

from .catalog import Column, ModelEntry, TableEntry, ViewEntry
from .secrets import shown_option_value
from .types import MAX_LENGTH, DataType

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
