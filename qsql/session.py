"""The one stateful object: a catalog, settings, a model runtime, and ``execute(text)``.

A statement either completes or leaves the catalog as it was: every CREATE validates fully
before it registers anything, and INSERT/SELECT are planned (names, types, models) before
any row flows.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from . import ast
from .catalog import Catalog, Column, ModelEntry, TableEntry, ViewEntry, did_you_mean, object_name
from .connectors import CONNECTORS
from .connectors.base import SinkContext
from .errors import CatalogError, OptionError, QsqlError, ValidationError
from .executor import ExecutionContext, PredictStats, collect, run_insert
from .expressions import Field
from .models.cache import MemoryCache, ResponseCache, open_cache
from .models.options import resolve_model
from .models.retry import Clock
from .models.runtime import ModelRuntime
from .parser import parse
from .planner import Planner
from .settings import CACHE, check_setting
from .source import Source
from .types import STRING


@dataclass
class QueryResult:
    columns: list[Field]
    rows: list[tuple]
    elapsed: float
    predict: list[PredictStats] = field(default_factory=list)


@dataclass
class InsertResult:
    table: str
    rows: int
    elapsed: float
    predict: list[PredictStats] = field(default_factory=list)


@dataclass
class StatusResult:
    message: str


Result = QueryResult | InsertResult | StatusResult


class Session:
    def __init__(
        self,
        *,
        out: IO[str] | None = None,
        err: IO[str] | None = None,
        env: Mapping[str, str] | None = None,
        stub_base_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        cache_path: Path | None = None,
    ) -> None:
        self.out = out if out is not None else sys.stdout
        self.err = err if err is not None else sys.stderr
        self.env = env if env is not None else os.environ
        self.stub_base_url = stub_base_url
        self.catalog = Catalog()
        self.settings: dict[str, str] = {}
        self.runtime = ModelRuntime(transport)
        self.clock = clock or Clock()
        self.cache_path = cache_path
        self._cache: ResponseCache = MemoryCache()
        # Called with each running ML_PREDICT's stats (the CLI's progress bar); None: quiet.
        self.progress: Callable[[PredictStats], None] | None = None

    # -------------------------------------------------------------- entry points
    def execute(self, text: str, source_name: str = "<input>") -> Iterator[Result]:
        """Parse the whole script first (a syntax error anywhere runs nothing), then run the
        statements in order, yielding each one's result; the first failure stops the script."""
        source = Source(source_name, text)
        for statement in parse(text, source_name):
            try:
                yield self.execute_statement(statement)
            except QsqlError as error:
                raise error.locate(statement.span, source) from error.__cause__

    def execute_statement(self, statement: ast.Statement) -> Result:
        handler = getattr(self, "_" + type(statement).__name__, None)
        if handler is None:
            raise ValidationError(f"{type(statement).__name__} statements are not supported yet", statement.span)
        return handler(statement)

    def close(self) -> None:
        self.runtime.close()
        self._cache.close()

    @property
    def cache(self) -> ResponseCache:
        """The response cache the 'qsql.cache' setting asks for, opened on first use."""
        mode = self.settings.get(CACHE, "memory").lower()
        if self._cache.mode != mode:
            self._cache.close()
            self._cache = open_cache(mode, self.cache_path)
        return self._cache

    def _context(self) -> ExecutionContext:
        return ExecutionContext(
            self.runtime, cache=self.cache, clock=self.clock, progress=self.progress, warn=self.warn
        )

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def warn(self, message: str) -> None:
        self.err.write(f"warning: {message}\n")
        self.err.flush()

    # -------------------------------------------------------------- DDL
    def _CreateTable(self, statement: ast.CreateTable) -> Result:
        name = object_name(statement.name)
        if self.catalog.relation_exists(name):
            if statement.if_not_exists:
                return StatusResult(f"Table '{name}' already exists; kept as it is.")
            kind = self.catalog.get_relation(statement.name).kind
            raise CatalogError(
                f"{'Temporary ' if statement.temporary else ''}{kind} '{name}' already exists", statement.name.span,
                hint="use CREATE TABLE IF NOT EXISTS to keep the existing one",
            )
        columns = _columns(statement.columns)
        items = {}
        for item in statement.options:
            if item.key in items:
                raise OptionError(f"option '{item.key}' is given twice", item.span)
            items[item.key] = item
        options = {key: item.value for key, item in items.items()}
        identifier = options.get("connector")
        if identifier is None:
            raise OptionError(
                "Table options do not contain an option key 'connector' for discovering a connector.",
                statement.span, hint="e.g. WITH ('connector' = 'print')",
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
        self.catalog.add_relation(
            TableEntry(name, columns, options, connector, statement, temporary=statement.temporary)
        )
        return StatusResult(f"Table '{name}' created.")

    def _CreateView(self, statement: ast.CreateView) -> Result:
        name = object_name(statement.name)
        if self.catalog.relation_exists(name):
            if statement.if_not_exists:
                return StatusResult(f"View '{name}' already exists; kept as it is.")
            kind = self.catalog.get_relation(statement.name).kind
            raise CatalogError(
                f"{'Temporary ' if statement.temporary else ''}{kind} '{name}' already exists", statement.name.span,
                hint="use CREATE VIEW IF NOT EXISTS to keep the existing one",
            )
        step = Planner(self.catalog, self.settings).plan_query(statement.query)
        names = [f.name for f in step.schema]
        if statement.columns is not None:
            if len(statement.columns) != len(names):
                raise ValidationError(
                    f"List of column aliases must have same degree as table; the query has {len(names)} columns "
                    f"({', '.join(names)}), whereas the alias list has {len(statement.columns)} columns",
                    statement.columns[0].span,
                )
            names = [c.name for c in statement.columns]
        seen: set[str] = set()
        for column_name in names:
            if column_name in seen:
                raise ValidationError(f"Duplicate column name '{column_name}' in view '{name}'", statement.span)
            seen.add(column_name)
        columns = [Column(n, f.dtype) for n, f in zip(names, step.schema)]
        self.catalog.add_relation(ViewEntry(name, columns, statement, temporary=statement.temporary))
        return StatusResult(f"View '{name}' created.")

    def _CreateModel(self, statement: ast.CreateModel) -> Result:
        name = object_name(statement.name)
        if self.catalog.model_exists(name):
            if statement.if_not_exists:
                return StatusResult(f"Model '{name}' already exists; kept as it is.")
            raise CatalogError(
                f"Model default_database.{name} already exists in Catalog default_catalog.", statement.name.span,
                hint="use CREATE MODEL IF NOT EXISTS to keep the existing one",
            )
        inputs = _columns(statement.inputs)
        outputs = _columns(statement.outputs)
        config = resolve_model(statement, name, inputs, outputs, self.env, self.stub_base_url)
        self.catalog.add_model(ModelEntry(name, inputs, outputs, config, statement, temporary=statement.temporary))
        return StatusResult(f"Model '{name}' created.")

    # -------------------------------------------------------------- DML
    def _Insert(self, statement: ast.Insert) -> Result:
        started = time.perf_counter()
        plan = Planner(self.catalog, self.settings).plan_insert(statement)
        context = self._context()
        try:
            written = run_insert(plan, context, SinkContext(self.out, self.err))
        finally:
            self._report_skipped(context)
        return InsertResult(plan.table.name, written, time.perf_counter() - started, context.stats)

    def _QueryStatement(self, statement: ast.QueryStatement) -> Result:
        started = time.perf_counter()
        step = Planner(self.catalog, self.settings).plan_query(statement.query)
        context = self._context()
        try:
            result_rows = collect(step, context)
        finally:
            self._report_skipped(context)
        return QueryResult(step.schema, result_rows, time.perf_counter() - started, context.stats)

    # -------------------------------------------------------------- session
    def _SetOption(self, statement: ast.SetOption) -> Result:
        if statement.key is None:
            rows = [(key, value) for key, value in sorted(self.settings.items())]
            return QueryResult([Field("key", STRING), Field("value", STRING)], rows, 0.0)
        assert statement.value is not None
        check_setting(statement.key, statement.value, statement.span)
        self.settings[statement.key] = statement.value
        return StatusResult("Session property has been set.")

    def _ResetOption(self, statement: ast.ResetOption) -> Result:
        if statement.key is None:
            self.settings.clear()
            return StatusResult("All session properties have been set to their default values.")
        self.settings.pop(statement.key, None)
        return StatusResult("Session property has been reset.")

    def _report_skipped(self, context: ExecutionContext) -> None:
        for stats in context.stats:
            if stats.skipped_null:
                rows = "row" if stats.skipped_null == 1 else "rows"
                self.warn(
                    f"ML_PREDICT({stats.model}) over {stats.source}: skipped {stats.skipped_null} {rows} whose input "
                    "is NULL (no request sent, no output row, as in Flink)"
                )
            if stats.failed_rows:
                rows = "row" if stats.failed_rows == 1 else "rows"
                self.warn(
                    f"ML_PREDICT({stats.model}) over {stats.source}: {stats.failed_rows} {rows} failed and were kept "
                    f"with NULL outputs (error handling IGNORE); first: {stats.first_error}"
                )
            if stats.skipped_overflow or stats.truncated:
                self.warn(
                    f"ML_PREDICT({stats.model}) over {stats.source}: {stats.truncated} input(s) truncated and "
                    f"{stats.skipped_overflow} skipped for exceeding the model's input limit"
                )


def _columns(definitions: tuple[ast.ColumnDef, ...]) -> list[Column]:
    columns: list[Column] = []
    seen: set[str] = set()
    for definition in definitions:
        if definition.name.name in seen:
            raise ValidationError(f"Duplicate column name '{definition.name.name}'", definition.name.span)
        seen.add(definition.name.name)
        columns.append(Column(definition.name.name, definition.dtype, definition.comment))
    return columns
