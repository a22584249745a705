"""The one stateful object: a catalog, settings, a model runtime, and ``execute(text)``.

``execute`` parses a script and runs each statement through ``HANDLERS`` (statement class ->
handler); the catalog's statements are handled in ``ddl.py`` and ``show.py``, queries, INSERT,
EXPLAIN, statement sets and SET/RESET here. A statement either completes or leaves the catalog as it was: every CREATE validates fully
before it registers anything, and INSERT/SELECT are planned (names, types, models) before
any row flows.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from . import ast, ddl, show, timezone
from .catalog import Catalog
from .column import Column
from .config import Config
from .connectors.base import SinkContext
from .errors import QsqlError, ValidationError
from .executor import ExecutionContext, PredictStats, collect, run_insert
from .models.admission import RateAdmission
from .models.cache import MemoryCache, ResponseCache, open_cache
from .models.hooks import CallRecord, ModelHooks
from .models.retry import Clock
from .models.runtime import ModelRuntime
from .parser import parse
from .plan import explain
from .planner import Planner
from .pricing import Price, PriceTable, UsageTotals, load_prices
from .results import InsertResult, QueryResult, Result, StatusResult, TextResult
from .settings import CACHE, LOCAL_TIME_ZONE, LOG, RUNTIME_MODE, check_setting
from .source import Source
from .types import STRING

if TYPE_CHECKING:  # httpx is imported only when a model is called
    import httpx

    from .calllog import CallLog


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
            totals.add(
                entry.requests,
                entry.cache_hits,
                entry.prompt_tokens,
                entry.completion_tokens,
                getattr(entry, "reasoning_tokens", 0),
                model_id,
                price,
            )
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
        statements = parse(text, source_name)
        outer_zone = timezone.local_zone()
        try:
            yield from self._execute_statements(statements, source)
        finally:
            timezone.set_zone(outer_zone)

    def _execute_statements(self, statements: list[ast.Statement], source: Source) -> Iterator[Result]:
        for statement in statements:
            # The session time zone applies to the statement and to the rendering of its results.
            timezone.set_zone_named(LOCAL_TIME_ZONE.read(self.settings))
            try:
                result = self.execute_statement(statement, source)
            except QsqlError as error:
                raise error.locate(statement.span, source) from error.__cause__
            except RecursionError as error:
                # Chains and nested CASEs are flattened; what is still deeper (functions of
                # functions ... hundreds deep) is refused cleanly rather than crashing.
                raise ValidationError(
                    "statement nested too deeply",
                    statement.span,
                    hint="split the expression or query into views or WITH tables",
                ).locate(statement.span, source) from error
            if isinstance(result, list):
                yield from result
            else:
                yield result

    def execute_statement(self, statement: ast.Statement, source: Source | None = None) -> Result | list[Result]:
        """Run one parsed statement; ``source`` is the script it came from (CREATE VIEW keeps
        its query's text for SHOW CREATE VIEW)."""
        if self._statement_set is not None and not isinstance(statement, (ast.Insert, ast.EndStatementSet)):
            raise ValidationError(
                "Only INSERT statements are allowed in a statement set; use END to run it", statement.span
            )
        timezone.start_statement()  # CURRENT_TIMESTAMP and the others: one instant per statement
        handler = HANDLERS.get(type(statement))
        if handler is None:
            raise ValidationError(f"{type(statement).__name__} statements are not supported yet", statement.span)
        return handler(self, statement, source)

    def close(self) -> None:
        self.runtime.close()
        self._cache.close()
        if self._call_log is not None:
            self._call_log.close()
            self._call_log = None

    def _log_call(self, call: CallRecord) -> None:
        """The observer of every model call: one row in the call log when 'qsql.log' asks."""
        mode = LOG.read(self.settings)
        if mode == "off" or self._call_log_failed:
            return
        try:
            if self._call_log is None:
                from .calllog import CallLog

                self._call_log = CallLog(self.call_log_path)
            self._call_log.record(call, mode)
        except Exception as error:  # the log must never stop a run; say so once
            self._call_log_failed = True
            self.warn(
                f"the model-call log stopped: cannot write {self._call_log.path if self._call_log else 'it'}: {error}"
            )

    @property
    def cache(self) -> ResponseCache:
        """The response cache the 'qsql.cache' setting asks for, opened on first use."""
        mode = CACHE.read(self.settings)
        if self._cache.mode != mode:
            self._cache.close()
            self._cache = open_cache(mode, self.cache_path)
        return self._cache

    def _context(self) -> ExecutionContext:
        return ExecutionContext(
            self.runtime,
            cache_provider=lambda: self.cache,
            clock=self.clock,
            progress=self.progress,
            warn=self.warn,
            hooks=self.model_hooks,
            note=self.note,
        )

    def disable_rate_control(self) -> None:
        """Send at the statement's fixed concurrency whatever the provider answers (benchmarks
        compare with it); there is no SQL setting for this."""
        from .models.hooks import Admission

        self.rate_admission = None
        self.model_hooks.admission = Admission()

    def __enter__(self) -> Session:
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

    # -------------------------------------------------------------- queries and statement sets
    def _explain(self, statement: ast.Explain, source: Source | None) -> Result:
        planner = Planner(self.catalog, self.settings)
        inner = statement.statement
        if isinstance(inner, ast.QueryStatement):
            step = planner.plan_query(inner.query)
            return TextResult(explain(step) + self._dry_run([step]) + "\n")
        inserts = inner.inserts if isinstance(inner, ast.StatementSet) else (inner,)
        texts = []
        steps = []
        for insert in inserts:
            plan = planner.plan_insert(insert)
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

    def _run_statement_set(self, statement: ast.StatementSet, source: Source | None) -> list[Result]:
        return self._run_inserts(list(statement.inserts))

    def _begin_statement_set(self, statement: ast.BeginStatementSet, source: Source | None) -> Result:
        if self._statement_set is not None:
            raise ValidationError("a statement set is already open; END it first", statement.span)
        self._statement_set = []
        return StatusResult("Begin a statement set.")

    def _end_statement_set(self, statement: ast.EndStatementSet, source: Source | None) -> Result | list[Result]:
        if self._statement_set is None:
            raise ValidationError("END without BEGIN STATEMENT SET", statement.span)
        inserts, self._statement_set = self._statement_set, None
        if not inserts:
            return StatusResult("The statement set was empty; nothing ran.")
        return self._run_inserts(inserts)

    def _insert(self, statement: ast.Insert, source: Source | None) -> Result:
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
                raise error.locate(statement.span, None) from error.__cause__
        results: list[Result] = []
        for statement, plan in zip(statements, plans):
            started = time.perf_counter()
            context = self._context()
            try:
                written = run_insert(plan, context, SinkContext(self.out, self.err))
            except QsqlError as error:
                raise error.locate(statement.span, None) from error.__cause__
            finally:
                self._report_skipped(context)
            results.append(
                InsertResult(
                    plan.table.name, written, time.perf_counter() - started, context.stats, self._account(context.stats)
                )
            )
        return results

    def _query(self, statement: ast.QueryStatement, source: Source | None) -> Result:
        started = time.perf_counter()
        step = Planner(self.catalog, self.settings).plan_query(statement.query)
        context = self._context()
        try:
            result_rows = collect(step, context)
        finally:
            self._report_skipped(context)
        return QueryResult(
            step.schema, result_rows, time.perf_counter() - started, context.stats, self._account(context.stats)
        )

    # -------------------------------------------------------------- session
    def _set_option(self, statement: ast.SetOption, source: Source | None) -> Result:
        if statement.key is None:
            rows = [(key, value) for key, value in sorted(self.settings.items())]
            return QueryResult([Column("key", STRING), Column("value", STRING)], rows, 0.0, widths_from_data=True)
        assert statement.value is not None
        check_setting(statement.key, statement.value, statement.span)
        self.settings[statement.key] = statement.value
        if statement.key == RUNTIME_MODE.key and statement.value.lower() == "streaming":
            self.warn(
                "qsql runs every statement as Flink's batch mode does: a GROUP BY prints its final "
                "rows once (+I), not the changelog (-U/+U) Flink's streaming mode prints"
            )
        return StatusResult("Session property has been set.")

    def _reset_option(self, statement: ast.ResetOption, source: Source | None) -> Result:
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
                    f"ML_PREDICT({stats.model}) over {stats.source}: "
                    + " and ".join(parts)
                    + " for exceeding the model's input limit ('max-context-size' / 'max-tokens')"
                )


def _stored_key(provider: str) -> str | None:
    from .keys import stored_key

    return stored_key(provider)


# What runs each kind of statement: the catalog's statements in ddl.py and show.py, the rest
# here. Every statement class in ast.py has an entry (tests/test_session_dispatch.py).
Handler = Callable[[Session, Any, "Source | None"], "Result | list[Result]"]
HANDLERS: dict[type[ast.Statement], Handler] = {
    ast.CreateTable: ddl.create_table,
    ast.CreateView: ddl.create_view,
    ast.CreateModel: ddl.create_model,
    ast.Drop: ddl.drop,
    ast.AlterModel: ddl.alter_model,
    ast.AlterTable: ddl.alter_table,
    ast.AlterView: ddl.alter_view,
    ast.Show: show.show,
    ast.ShowCreate: show.show_create,
    ast.ShowColumns: show.show_columns,
    ast.ShowCurrent: show.show_current,
    ast.Use: show.use,
    ast.Describe: show.describe,
    ast.QueryStatement: Session._query,
    ast.Insert: Session._insert,
    ast.Explain: Session._explain,
    ast.StatementSet: Session._run_statement_set,
    ast.BeginStatementSet: Session._begin_statement_set,
    ast.EndStatementSet: Session._end_statement_set,
    ast.SetOption: Session._set_option,
    ast.ResetOption: Session._reset_option,
}
