"""The session's registry of tables, views and models.

Names are case-sensitive, as in Flink (``SELECT * FROM V`` does not find view ``v``); a miss
suggests the closest name, including one that differs only in case. Tables and views share
one namespace, models have their own, as in Flink. ``default_catalog.default_database.x``
and ``default_database.x`` name the same object as ``x``.
"""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING

from . import ast
from .column import Column
from .errors import CatalogError, OptionError, ValidationError
from .lazydataclass import lazy_dataclass
from .suggest import did_you_mean

if TYPE_CHECKING:
    from .connectors.base import Connector
    from .models.config import ModelConfig

DEFAULT_CATALOG = "default_catalog"
DEFAULT_DATABASE = "default_database"


@lazy_dataclass
class TableEntry:
    """A table. ``columns`` is its schema as it is now (ALTER TABLE changes it); ``definition``
    is the CREATE TABLE statement with its options kept current, for the options' positions."""

    name: str
    columns: list[Column]
    options: dict[str, str]
    connector: Connector
    definition: ast.CreateTable
    temporary: bool = False
    kind: str = field(default="table", init=False)


@lazy_dataclass
class ViewEntry:
    name: str
    columns: list[Column]
    definition: ast.CreateView
    temporary: bool = False
    query_text: str = ""  # the query as written, for SHOW CREATE VIEW
    expanded_text: str | None = None  # Calcite's expanded query, as Flink's SHOW CREATE VIEW prints it
    kind: str = field(default="view", init=False)


@lazy_dataclass
class ModelEntry:
    inputs: list[Column]
    outputs: list[Column]
    config: ModelConfig
    definition: ast.CreateModel
    temporary: bool = False
    # The script the CREATE MODEL came from, so a later error can point at its columns there.
    source_name: str | None = None
    kind: str = field(default="model", init=False)

    @property
    def name(self) -> str:
        """The model's SQL name, kept once, in its config (the model package names it in messages
        and the call log); ALTER MODEL ... RENAME TO changes it there."""
        return self.config.name


Relation = TableEntry | ViewEntry


def object_name(name: ast.QualifiedName) -> str:
    """The object's own name, after checking that any catalog/database prefix is the default."""
    parts = [p.name for p in name.parts]
    if len(parts) > 3:
        raise CatalogError(f"'{name}' has too many parts: use [catalog.][database.]name", name.span)
    if len(parts) == 3 and parts[0] != DEFAULT_CATALOG:
        raise CatalogError(f"Catalog '{parts[0]}' does not exist (qsql has only '{DEFAULT_CATALOG}')", name.span)
    if len(parts) >= 2 and parts[-2] != DEFAULT_DATABASE:
        raise CatalogError(f"Database '{parts[-2]}' does not exist (qsql has only '{DEFAULT_DATABASE}')", name.span)
    return parts[-1]


def unique_options(items: tuple[ast.OptionItem, ...]) -> dict[str, ast.OptionItem]:
    """A WITH clause's options by key; a key given twice is an error."""
    by_key: dict[str, ast.OptionItem] = {}
    for item in items:
        if item.key in by_key:
            raise OptionError(f"option '{item.key}' is given twice", item.span)
        by_key[item.key] = item
    return by_key


def declared_column(definition: ast.ColumnDef) -> Column:
    """The one conversion from the parser's column definition (which keeps the name's position
    for error carets) to the column record the catalog stores."""
    return Column(definition.name.name, definition.dtype, comment=definition.comment)


def declared_columns(definitions: tuple[ast.ColumnDef, ...]) -> list[Column]:
    """A CREATE statement's column list as column records; a name given twice is an error."""
    columns: list[Column] = []
    seen: set[str] = set()
    for definition in definitions:
        if definition.name.name in seen:
            raise ValidationError(f"Duplicate column name '{definition.name.name}'", definition.name.span)
        seen.add(definition.name.name)
        columns.append(declared_column(definition))
    return columns


class Catalog:
    """Tables, views and models of one session."""

    def __init__(self) -> None:
        self._relations: dict[str, Relation] = {}
        # A permanent table or view hidden by a temporary one of the same name (Flink allows
        # both; the temporary one wins until it is dropped).
        self._shadowed: dict[str, Relation] = {}
        self._models: dict[str, ModelEntry] = {}

    # -------------------------------------------------------------- relations
    def relation_exists(self, name: str) -> bool:
        return name in self._relations

    def find_relation_of(self, name: str, temporary: bool) -> Relation | None:
        """The temporary (or the permanent) relation of that name, even when shadowed."""
        entry = self._relations.get(name)
        if entry is not None and entry.temporary == temporary:
            return entry
        shadowed = self._shadowed.get(name)
        return shadowed if shadowed is not None and not temporary else None

    def add_relation(self, entry: Relation) -> None:
        current = self._relations.get(entry.name)
        if current is not None and current.temporary != entry.temporary:
            if entry.temporary:
                self._shadowed[entry.name] = current
                self._relations[entry.name] = entry
            else:
                self._shadowed[entry.name] = entry  # the temporary one still shadows it
            return
        self._relations[entry.name] = entry

    def relations_snapshot(self) -> tuple[dict[str, Relation], dict[str, Relation]]:
        """The tables and views as they are now, for restore_relations (a CTAS that fails)."""
        return dict(self._relations), dict(self._shadowed)

    def restore_relations(self, snapshot: tuple[dict[str, Relation], dict[str, Relation]]) -> None:
        self._relations, self._shadowed = dict(snapshot[0]), dict(snapshot[1])

    def find_relation(self, name: str) -> Relation | None:
        return self._relations.get(name)

    def find_model(self, name: str) -> ModelEntry | None:
        return self._models.get(name)

    def get_relation(self, qualified: ast.QualifiedName) -> Relation:
        name = object_name(qualified)
        entry = self._relations.get(name)
        if entry is None:
            raise CatalogError(
                f"Object '{name}' not found: no table or view of that name",
                qualified.span,
                hint=did_you_mean(name, list(self._relations)) or self._listing("tables and views", self._relations),
            )
        return entry

    def relations(self) -> list[Relation]:
        return list(self._relations.values())

    def drop_relation(self, name: str) -> None:
        del self._relations[name]
        shadowed = self._shadowed.pop(name, None)
        if shadowed is not None:
            self._relations[name] = shadowed

    # -------------------------------------------------------------- models
    def model_exists(self, name: str) -> bool:
        return name in self._models

    def add_model(self, entry: ModelEntry) -> None:
        self._models[entry.name] = entry

    def get_model(self, qualified: ast.QualifiedName) -> ModelEntry:
        name = object_name(qualified)
        entry = self._models.get(name)
        if entry is None:
            raise CatalogError(
                f"Object '{name}' not found: no model of that name",
                qualified.span,
                hint=did_you_mean(name, list(self._models)) or self._listing("models", self._models),
            )
        return entry

    def models(self) -> list[ModelEntry]:
        return list(self._models.values())

    def drop_model(self, name: str) -> None:
        del self._models[name]

    @staticmethod
    def _listing(what: str, entries: dict) -> str:
        if not entries:
            return f"no {what} are defined yet"
        return f"defined {what}: " + ", ".join(sorted(entries))
