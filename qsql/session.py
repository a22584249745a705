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
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING

from . import ast
from .config import Config
from .catalog import Catalog, Column, ModelEntry, TableEntry, ViewEntry, did_you_mean, object_name, unique_options
from .connectors import CONNECTORS
from .connectors.base import SinkContext
from .alter import altered_columns
from .expand import expand_query
from .errors import CatalogError, OptionError, QsqlError, ValidationError
from .executor import ExecutionContext, PredictStats, collect, run_insert
from .expressions import Field, like_regex
from .models.cache import MemoryCache, ResponseCache, open_cache
from .models.options import resolve_model
from .models.hooks import CallRecord, ModelHooks
from .models.retry import Clock
from .models.admission import RateAdmission
from .models.runtime import ModelRuntime
from .parser import parse
from .pricing import Price, PriceTable, UsageTotals, load_prices
from .plan import explain
from .planner import Planner
from .results import InsertResult, QueryResult, Result, StatusResult, TextResult
from .show import show_create_model, show_create_table, show_create_view
from .settings import CACHE, LOG, check_setting
from .source import Source
from .types import BOOLEAN, STRING

if TYPE_CHECKING:  # httpx is imported only when a model is called
    from .calllog import CallLog
    import httpx


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
        self._source: Source | None = None
        # INSERTs collected between BEGIN STATEMENT SET and END (the SQL client's form).
        self._statement_set: list[ast.Insert] | None = None
        self.runtime = ModelRuntime(transport)
        # Observer and admission control around every model call (qsql/models/hooks.py):
        # a model-call log or a rate limiter sets them here.
        self.model_hooks = ModelHooks()
        # The model-call log ('qsql.log'): opened on the first call it records.
        self.model_hooks.observer = self._log_call
        self._call_log: CallLog | None = None
        self._call_log_failed = False
        self.call_log_path: Path | None = None  # None: calls.db in the user data directory
        self.clock = clock or Clock()
        self.cache_path = cache_path
        self._cache: ResponseCache = MemoryCache()
        # Called with each running ML_PREDICT's stats (the CLI's progress bar); None: quiet.
        self.progress: Callable[[PredictStats], None] | None = None
        # Paces every model's requests under its quota, declared or found (qsql/models/ratelimit.py).
        self.rate_admission: RateAdmission | None = RateAdmission(self.clock)
        self.model_hooks.admission = self.rate_admission
        # Starting values from the user's config file (see apply_config); empty until then.
        self.config = Config()
        # Where a model's key comes from after its option and environment variable (qsql keys).
        self.stored_key: Callable[[str], str | None] = _stored_key
        # Requests, tokens and estimated cost of every ML_PREDICT this session ran.
        self.usage = UsageTotals()
        self._prices: PriceTable | None = None

    @property
    def prices(self) -> PriceTable:
        """qsql's price table with the config file's overrides (loaded on first use)."""
        if self._prices is None:
            self._prices = load_prices(self.config.prices)
        return self._prices

    def price_of(self, model_name: str) -> tuple[str, Price | None]:
        """(the provider's model name, its price or None) of a SQL model."""
        model = self.catalog.find_model(model_name)
        model_id = model.config.model if model is not None else model_name
        return model_id, self.prices.get(model_id)

    def _account(self, stats: list[PredictStats]) -> UsageTotals | None:
        """A statement's usage totals, added to the session's; None when it called no model."""
        if not stats:
            return None
        totals = UsageTotals(statements=1)
        for entry in stats:
            model_id, price = self.price_of(entry.model)
            if price is not None and entry.batch_api:
                price = price.batch()  # the Batch File API bills half
            totals.add(entry.requests, entry.cache_hits, entry.prompt_tokens, entry.completion_tokens,
                       getattr(entry, "reasoning_tokens", 0), model_id, price)
        self.usage.merge(totals)
        return totals

    def apply_config(self, config: Config | None = None) -> None:
        """Take the starting settings, key variable names and prices from the config file
        (the user's ``config.toml`` unless one is given); a SET already made wins."""
        from .config import load_config

        self.config = config if config is not None else load_config()
        self._prices = None
        for key, value in self.config.settings.items():
            self.settings.setdefault(key, value)

    # -------------------------------------------------------------- entry points
    def execute(self, text: str, source_name: str = "<input>") -> Iterator[Result]:
        """Parse the whole script first (a syntax error anywhere runs nothing), then run the
        statements in order, yielding each one's result; the first failure stops the script."""
        source = Source(source_name, text)
        for statement in parse(text, source_name):
            self._source = source
            try:
                result = self.execute_statement(statement)
            except QsqlError as error:
                raise error.locate(statement.span, source) from error.__cause__
            except RecursionError as error:
                # Chains and nested CASEs are flattened; what is still deeper (functions of
                # functions ... hundreds deep) is refused cleanly rather than crashing.
                raise ValidationError(
                    "statement nested too deeply", statement.span,
                    hint="split the expression or query into views or WITH tables",
                ).locate(statement.span, source) from error
            finally:
                self._source = None
            if isinstance(result, list):
                yield from result
            else:
                yield result

    def execute_statement(self, statement: ast.Statement) -> Result | list[Result]:
        if self._statement_set is not None and not isinstance(statement, (ast.Insert, ast.EndStatementSet)):
            raise ValidationError(
                "Only INSERT statements are allowed in a statement set; use END to run it", statement.span
            )
        handler = getattr(self, "_" + type(statement).__name__, None)
        if handler is None:
            raise ValidationError(f"{type(statement).__name__} statements are not supported yet", statement.span)
        return handler(statement)

    def close(self) -> None:
        self.runtime.close()
        self._cache.close()
        if self._call_log is not None:
            self._call_log.close()
            self._call_log = None

    def _log_call(self, call: CallRecord) -> None:
        """The observer of every model call: one row in the call log when 'qsql.log' asks."""
        mode = self.settings.get(LOG, "off").lower()
        if mode == "off" or self._call_log_failed:
            return
        try:
            if self._call_log is None:
                from .calllog import CallLog

                self._call_log = CallLog(self.call_log_path)
            self._call_log.record(call, mode)
        except Exception as error:  # the log must never stop a run; say so once
            self._call_log_failed = True
            self.warn(f"the model-call log stopped: cannot write {self._call_log.path if self._call_log else 'it'}: "
                      f"{error}")

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
            self.runtime, cache_provider=lambda: self.cache, clock=self.clock, progress=self.progress, warn=self.warn,
            hooks=self.model_hooks,
            note=self.note,
        )

    def disable_rate_control(self) -> None:
        """Send at the statement's fixed concurrency whatever the provider answers (benchmarks
        compare with it); there is no SQL setting for this."""
        from .models.hooks import Admission

        self.rate_admission = None
        self.model_hooks.admission = Admission()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def note(self, message: str) -> None:
        """A progress line of a long wait (a Batch API job), on stderr."""
        above = getattr(self.progress, "print_above", None)
        if above is not None and above(f"[INFO] {message}"):
            return
        self.err.write(f"[INFO] {message}\n")
        self.err.flush()

    def warn(self, message: str) -> None:
        # While a progress bar is drawn, it prints the line above itself (no bar fragments).
        above = getattr(self.progress, "print_above", None)
        if above is not None and above(f"warning: {message}"):
            return
        self.err.write(f"warning: {message}\n")
        self.err.flush()

    # -------------------------------------------------------------- DDL
    def _existing_relation(self, statement: ast.CreateTable | ast.CreateView, kind: str) -> Result | None:
        """What CREATE does when the name is taken: keep it (IF NOT EXISTS), replace it (OR
        REPLACE: None, go on), or fail."""
        name = object_name(statement.name)
        # A temporary and a permanent object may share a name (the temporary one shadows).
        same = self.catalog.find_relation_of(name, statement.temporary)
        if same is None or statement.or_replace:
            return None
        if statement.if_not_exists:
            return StatusResult(f"{kind.capitalize()} '{name}' already exists; kept as it is.")
        existing = same.kind
        raise CatalogError(
            f"{'Temporary ' if statement.temporary else ''}{existing} '{name}' already exists", statement.name.span,
            hint=f"use CREATE {kind.upper()} IF NOT EXISTS to keep the existing one, or CREATE OR REPLACE",
        )

    def _CreateTable(self, statement: ast.CreateTable) -> Result:
        name = object_name(statement.name)
        kept = self._existing_relation(statement, "table")
        if kept is not None:
            return kept
        columns = _columns(statement.columns)
        items = unique_options(statement.options)
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
        kept = self._existing_relation(statement, "view")
        if kept is not None:
            return kept
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
        query_text = ""
        if self._source is not None:
            query_text = self._source.text[statement.query.span.start_pos : statement.query.span.end_pos]
        self.catalog.add_relation(
            ViewEntry(name, columns, statement, temporary=statement.temporary, query_text=query_text,
                      expanded_text=expand_query(statement.query, self.catalog))
        )
        return StatusResult(f"View '{name}' created.")

    def _CreateModel(self, statement: ast.CreateModel) -> Result:
        name = object_name(statement.name)
        if self.catalog.model_exists(name) and not statement.or_replace:
            if statement.if_not_exists:
                return StatusResult(f"Model '{name}' already exists; kept as it is.")
            raise CatalogError(
                f"Model default_database.{name} already exists in Catalog default_catalog.", statement.name.span,
                hint="use CREATE MODEL IF NOT EXISTS to keep the existing one",
            )
        inputs = _columns(statement.inputs)
        outputs = _columns(statement.outputs)
        config = resolve_model(statement, name, inputs, outputs, self.env, self.stub_base_url,
                               self.stored_key, self.config.key_env)
        for warning in config.protocol.creation_warnings(config):
            self.warn(warning)
        self.catalog.add_model(ModelEntry(name, inputs, outputs, config, statement, temporary=statement.temporary))
        return StatusResult(f"Model '{name}' created.")

    def _Drop(self, statement: ast.Drop) -> Result:
        name = object_name(statement.name)
        identifier = f"default_catalog.default_database.{name}"
        kind = statement.kind
        entry = self.catalog.find_model(name) if kind == "model" else self.catalog.find_relation(name)
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
                f"permanent {kind}.", statement.name.span, hint=f"use DROP TEMPORARY {kind.upper()} {name}",
            )
        if statement.temporary and not entry.temporary:
            raise CatalogError(
                f"Temporary {kind} with identifier '{identifier}' does not exist.", statement.name.span,
                hint=f"'{name}' is not temporary: use DROP {kind.upper()} {name}",
            )
        if kind == "model":
            self.catalog.drop_model(name)
        else:
            self.catalog.drop_relation(name)
        return StatusResult(f"{kind.capitalize()} '{name}' dropped.")

    def _Show(self, statement: ast.Show) -> Result:
        what = statement.what
        if what == "TABLES":
            names = [r.name for r in self.catalog.relations()]  # Flink lists views among tables
        elif what == "VIEWS":
            names = [r.name for r in self.catalog.relations() if r.kind == "view"]
        elif what == "MODELS":
            names = [m.name for m in self.catalog.models()]
        else:
            from .functions import KNOWN_FUNCTIONS

            names = [f.lower() for f in KNOWN_FUNCTIONS]
        if statement.pattern is not None:
            regex = like_regex(statement.pattern.lower() if statement.case_insensitive else statement.pattern, None)
            names = [
                n for n in names
                if (regex.fullmatch(n.lower() if statement.case_insensitive else n) is not None) != statement.negated
            ]
        column = {"TABLES": "table name", "VIEWS": "view name", "MODELS": "model name", "FUNCTIONS": "function name"}[what]
        return QueryResult(
            [Field(column, STRING.with_nullable(False))], [(n,) for n in sorted(names)], 0.0, widths_from_data=True
        )

    def _ShowCreate(self, statement: ast.ShowCreate) -> Result:
        if statement.kind == "model":
            return TextResult(show_create_model(self.catalog.get_model(statement.name)))
        entry = self.catalog.get_relation(statement.name)
        if entry.kind != statement.kind:
            raise CatalogError(
                f"'{entry.name}' is a {entry.kind}, not a {statement.kind}", statement.name.span,
                hint=f"use SHOW CREATE {entry.kind.upper()} {entry.name}",
            )
        if isinstance(entry, TableEntry):
            return TextResult(show_create_table(entry))
        return TextResult(show_create_view(entry))

    def _ShowColumns(self, statement: ast.ShowColumns) -> Result:
        described = self._Describe(ast.Describe(name=statement.name, span=statement.span))
        assert isinstance(described, QueryResult)
        rows = described.rows
        if statement.pattern is not None:
            insensitive = statement.case_insensitive
            regex = like_regex(statement.pattern.lower() if insensitive else statement.pattern, None)
            rows = [
                r for r in rows
                if (regex.fullmatch(r[0].lower() if insensitive else r[0]) is not None) != statement.negated
            ]
        return QueryResult(described.columns, rows, 0.0, widths_from_data=True)

    def _Describe(self, statement: ast.Describe) -> Result:
        text = STRING.with_nullable(False)
        if statement.model:
            model = self.catalog.get_model(statement.name)
            columns = [Field("name", text), Field("type", text), Field("null", BOOLEAN), Field("is input", BOOLEAN)]
            rows = [(c.name, c.dtype.name(), c.dtype.nullable, True) for c in model.inputs]
            rows += [(c.name, c.dtype.name(), c.dtype.nullable, False) for c in model.outputs]
            return QueryResult(columns, rows, 0.0, widths_from_data=True)
        entry = self.catalog.get_relation(statement.name)
        columns = [Field(n, BOOLEAN if n == "null" else text) for n in ("name", "type", "null", "key", "extras", "watermark")]
        if isinstance(entry, TableEntry):
            columns.append(Field("comment", text))
            rows = [(c.name, c.dtype.name(), c.dtype.nullable, "", "", "", c.comment or "") for c in entry.columns]
        else:
            rows = [(c.name, c.dtype.name(), c.dtype.nullable, "", "", "") for c in entry.columns]
        return QueryResult(columns, rows, 0.0, widths_from_data=True)

    def _AlterModel(self, statement: ast.AlterModel) -> Result:
        name = object_name(statement.name)
        model = self.catalog.find_model(name)
        if model is None:
            if statement.if_exists:
                return StatusResult(f"Model '{name}' does not exist; nothing altered.")
            raise CatalogError(f"Model {_identifier(name)} doesn't exist.", statement.name.span)
        if model.temporary:  # as in Flink 2.3
            raise CatalogError(
                f"Model {_identifier(name)} is a temporary model.", statement.name.span,
                hint="Flink alters only catalog (not temporary) models: drop it and create it again",
            )
        if statement.rename_to is not None:
            new_name = object_name(statement.rename_to)
            if self.catalog.model_exists(new_name):
                raise CatalogError(
                    f"Model default_database.{new_name} already exists in Catalog default_catalog.",
                    statement.rename_to.span,
                )
            self.catalog.drop_model(name)
            config = replace(model.config, name=new_name)
            self.catalog.add_model(replace(model, name=new_name, config=config))
            return StatusResult(f"Model '{name}' renamed to '{new_name}'.")
        items = {item.key: item for item in model.definition.options}
        for item in statement.set_options or ():
            items[item.key] = item
        for key in statement.reset_keys or ():
            items.pop(key, None)
        definition = replace(model.definition, options=tuple(items.values()))
        # Checked exactly as CREATE MODEL would check it; the model is replaced only if it passes.
        config = resolve_model(definition, name, model.inputs, model.outputs, self.env, self.stub_base_url,
                               self.stored_key, self.config.key_env)
        self.catalog.add_model(replace(model, definition=definition, config=config))
        return StatusResult(f"Model '{name}' altered.")

    def _AlterTable(self, statement: ast.AlterTable) -> Result:
        """Flink 2.3's ALTER TABLE for catalog tables (a temporary table is refused, as in Flink).
        The changed table is checked like a new CREATE TABLE before it replaces the old one."""
        name = object_name(statement.name)
        entry = self.catalog.find_relation(name)
        if entry is None and statement.if_exists:
            return StatusResult(f"Table '{name}' does not exist; nothing altered.")
        if not isinstance(entry, TableEntry) or entry.temporary:
            raise CatalogError(
                f"Table {_identifier(name)} doesn't exist or is a temporary table.", statement.name.span,
                hint=_alter_hint(entry, "TABLE"),
            )
        if statement.action == "rename":
            assert statement.rename_to is not None
            new_name = self._check_rename_target(name, statement.rename_to, "TABLE")
            self.catalog.drop_relation(name)
            self.catalog.add_relation(replace(entry, name=new_name, definition=replace(
                entry.definition, name=statement.rename_to)))
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
                f"Could not find any factory for identifier '{options['connector']}'", statement.span,
                hint="available connectors: " + ", ".join(sorted(CONNECTORS)),
            )
        connector = connector_class(name, columns, options, items)
        definition = replace(
            entry.definition, options=tuple(items.values()),
            columns=tuple(ast.ColumnDef(name=ast.Identifier(c.name, span=statement.span), dtype=c.dtype,
                                        comment=c.comment, span=statement.span) for c in columns),
        )
        self.catalog.add_relation(replace(entry, columns=columns, options=options, connector=connector,
                                          definition=definition))
        return StatusResult(f"Table '{name}' altered.")

    def _AlterView(self, statement: ast.AlterView) -> Result:
        name = object_name(statement.name)
        entry = self.catalog.find_relation(name)
        if entry is None or entry.temporary:
            raise CatalogError(
                f"View {_identifier(name)} doesn't exist or is a temporary view.", statement.name.span,
                hint=_alter_hint(entry, "VIEW"),
            )
        if not isinstance(entry, ViewEntry):
            raise CatalogError("ALTER VIEW for a table is not allowed", statement.name.span,
                               hint=f"'{name}' is a table: use ALTER TABLE")
        if statement.rename_to is not None:
            new_name = self._check_rename_target(name, statement.rename_to, "VIEW")
            self.catalog.drop_relation(name)
            self.catalog.add_relation(replace(entry, name=new_name, definition=replace(
                entry.definition, name=statement.rename_to)))
            return StatusResult(f"View '{name}' renamed to '{new_name}'.")
        assert statement.query is not None
        # Planned and registered exactly as CREATE OR REPLACE VIEW would (columns from the new
        # query, the comment kept), so a query that does not plan leaves the view as it was.
        self._CreateView(replace(entry.definition, query=statement.query, columns=None, or_replace=True,
                                 if_not_exists=False, span=statement.span))
        return StatusResult(f"View '{name}' altered.")

    def _check_rename_target(self, name: str, target: ast.QualifiedName, kind: str) -> str:
        """The new name of ALTER TABLE/VIEW ... RENAME TO, refused when a table or view (not a
        temporary one, which may share the name) already has it."""
        new_name = object_name(target)
        if self.catalog.find_relation_of(new_name, temporary=False) is not None:
            raise CatalogError(
                f"Could not execute ALTER {kind} default_catalog.default_database.{name} RENAME TO "
                f"default_catalog.default_database.{new_name}: Table (or view) default_database.{new_name} "
                "already exists in Catalog default_catalog.", target.span,
            )
        return new_name

    def _Explain(self, statement: ast.Explain) -> Result:
        planner = Planner(self.catalog, self.settings)
        inner = statement.statement
        if isinstance(inner, ast.QueryStatement):
            step = planner.plan_query(inner.query)
            return TextResult(explain(step) + self._dry_run([step]) + "\n")
        inserts = inner.inserts if isinstance(inner, ast.StatementSet) else (inner,)
        texts = []
        steps = []
        for insert in inserts:
            plan = planner.plan_insert(insert)  # type: ignore[arg-type]
            texts.append(plan.describe() + "\n" + explain(plan.query, 1))
            steps.append(plan.query)
        return TextResult("\n".join(texts) + self._dry_run(steps) + "\n")

    def _dry_run(self, steps: list) -> str:
        """What the plan's ML_PREDICTs would send and cost (reads local inputs, sends nothing)."""
        from .estimate import dry_run_text, estimate

        context = self._context()
        context.progress = None
        estimates = [e for step in steps for e in estimate(step, context, self.price_of)]
        return dry_run_text(estimates)

    def _StatementSet(self, statement: ast.StatementSet) -> list[Result]:
        return self._run_inserts(list(statement.inserts))

    def _BeginStatementSet(self, statement: ast.BeginStatementSet) -> Result:
        if self._statement_set is not None:
            raise ValidationError("a statement set is already open; END it first", statement.span)
        self._statement_set = []
        return StatusResult("Begin a statement set.")

    def _EndStatementSet(self, statement: ast.EndStatementSet) -> Result | list[Result]:
        if self._statement_set is None:
            raise ValidationError("END without BEGIN STATEMENT SET", statement.span)
        inserts, self._statement_set = self._statement_set, None
        if not inserts:
            return StatusResult("The statement set was empty; nothing ran.")
        return self._run_inserts(inserts)

    # -------------------------------------------------------------- DML
    def _Insert(self, statement: ast.Insert) -> Result:
        if self._statement_set is not None:
            Planner(self.catalog, self.settings).plan_insert(statement)  # fail now, not at END
            self._statement_set.append(statement)
            return StatusResult("Add SQL update statement to the statement set.")
        return self._run_inserts([statement])[0]

    def _run_inserts(self, statements: list[ast.Insert]) -> list[Result]:
        """Plan every INSERT first (so a set that cannot finish costs nothing), then run each."""
        planner = Planner(self.catalog, self.settings)
        plans = []
        for statement in statements:
            try:
                plans.append(planner.plan_insert(statement))
            except QsqlError as error:
                raise error.locate(statement.span, None)
        results: list[Result] = []
        for statement, plan in zip(statements, plans):
            started = time.perf_counter()
            context = self._context()
            try:
                written = run_insert(plan, context, SinkContext(self.out, self.err))
            except QsqlError as error:
                raise error.locate(statement.span, None)
            finally:
                self._report_skipped(context)
            results.append(InsertResult(plan.table.name, written, time.perf_counter() - started, context.stats,
                                        self._account(context.stats)))
        return results

    def _QueryStatement(self, statement: ast.QueryStatement) -> Result:
        started = time.perf_counter()
        step = Planner(self.catalog, self.settings).plan_query(statement.query)
        context = self._context()
        try:
            result_rows = collect(step, context)
        finally:
            self._report_skipped(context)
        return QueryResult(step.schema, result_rows, time.perf_counter() - started, context.stats,
                           self._account(context.stats))

    # -------------------------------------------------------------- session
    def _SetOption(self, statement: ast.SetOption) -> Result:
        if statement.key is None:
            rows = [(key, value) for key, value in sorted(self.settings.items())]
            return QueryResult([Field("key", STRING), Field("value", STRING)], rows, 0.0, widths_from_data=True)
        assert statement.value is not None
        check_setting(statement.key, statement.value, statement.span)
        self.settings[statement.key] = statement.value
        return StatusResult("Session property has been set.")

    def _ResetOption(self, statement: ast.ResetOption) -> Result:
        # Back to the config file's value where it gives one, else to the default.
        if statement.key is None:
            self.settings.clear()
            self.settings.update(self.config.settings)
            return StatusResult("All session properties have been set to their default values.")
        self.settings.pop(statement.key, None)
        if statement.key in self.config.settings:
            self.settings[statement.key] = self.config.settings[statement.key]
        return StatusResult("Session property has been reset.")

    def _report_skipped(self, context: ExecutionContext) -> None:
        for stats in context.stats:
            if stats.skipped_null:
                rows = "row" if stats.skipped_null == 1 else "rows"
                self.warn(
                    f"ML_PREDICT({stats.model}) over {stats.source}: skipped {stats.skipped_null} {rows} whose input "
                    "is NULL (no request sent, no output row, as in Flink)"
                )
            if stats.skipped_empty:
                rows = "row" if stats.skipped_empty == 1 else "rows"
                self.warn(
                    f"ML_PREDICT({stats.model}) over {stats.source}: skipped {stats.skipped_empty} {rows} whose input "
                    "is an empty string (treated like NULL: the service refuses empty input)"
                )
            if stats.failed_rows:
                rows = "row" if stats.failed_rows == 1 else "rows"
                were = "was" if stats.failed_rows == 1 else "were"
                fate = (
                    f"{were} dropped (error handling IGNORE, as in Flink; declare an OUTPUT column `error-string` "
                    "to keep such rows)"
                    if stats.dropped_rows
                    else f"{were} kept with NULL outputs (error handling IGNORE)"
                )
                self.warn(
                    f"ML_PREDICT({stats.model}) over {stats.source}: {stats.failed_rows} {rows} failed and {fate}; "
                    f"first: {stats.first_error}"
                )
            if stats.skipped_overflow or stats.truncated:
                parts = []
                if stats.truncated:
                    inputs = "input" if stats.truncated == 1 else "inputs"
                    parts.append(f"{stats.truncated} {inputs} {stats.cut_note or 'cut'}")
                if stats.skipped_overflow:
                    rows = "row" if stats.skipped_overflow == 1 else "rows"
                    parts.append(f"{stats.skipped_overflow} {rows} skipped (no request, no output row)")
                self.warn(
                    f"ML_PREDICT({stats.model}) over {stats.source}: " + " and ".join(parts)
                    + " for exceeding the model's input limit ('max-context-size' / 'max-tokens')"
                )


def _identifier(name: str) -> str:
    return f"`default_catalog`.`default_database`.`{name}`"


def _alter_hint(entry: TableEntry | ViewEntry | None, kind: str) -> str | None:
    """Why ALTER TABLE / VIEW found nothing to alter, when there is something of that name."""
    if entry is None:
        return None
    if entry.temporary:
        return f"Flink alters only catalog (not temporary) {kind.lower()}s: drop it and create it again"
    return f"'{entry.name}' is a {entry.kind}: use ALTER {entry.kind.upper()}"


def _stored_key(provider: str) -> str | None:
    from .keys import stored_key

    return stored_key(provider)


def _columns(definitions: tuple[ast.ColumnDef, ...]) -> list[Column]:
    columns: list[Column] = []
    seen: set[str] = set()
    for definition in definitions:
        if definition.name.name in seen:
            raise ValidationError(f"Duplicate column name '{definition.name.name}'", definition.name.span)
        seen.add(definition.name.name)
        columns.append(Column(definition.name.name, definition.dtype, definition.comment))
    return columns
