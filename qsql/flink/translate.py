"""Turn a qsql script into a Flink 2.3 script with the same meaning.

qsql accepts Flink SQL plus a few extensions (providers ``qwen``/``deepseek``, base-URL
endpoints, ``${VAR}`` values, ``csv.header``, ``qsql.*`` settings, ...). Flink's parser and
planner accept none of them, so this module rewrites exactly those parts and leaves every other
character of the script as written: statement text, comments and layout survive, only WITH
lists and settings change. Whatever has no Flink equivalent is reported as a :class:`Finding`,
never silently dropped.

The translator reads nothing but the syntax tree and the environment; it imports no PyFlink,
so ``qsql export --to flink`` works without the ``flink`` extra.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .. import ast
from ..errors import OptionError, QsqlError
from ..models.config import CHAT, METADATA_COLUMNS, REASONING_COLUMN
from ..models.flink_columns import FLINK_STRING, FLINK_VECTOR
from ..models.options import SPECS_BY_KEY, task_from_model
from ..models.providers import PROVIDERS
from ..parser import parse
from ..secrets import SECRET_OPTION_KEYS
from ..source import Source, Span

# Option keys of Flink's `openai` model provider (flink-model-openai, OpenAIOptions), 2.1-2.3.
FLINK_OPENAI_COMMON = (
    "endpoint",
    "api-key",
    "model",
    "max-context-size",
    "context-overflow-action",
    "error-handling-strategy",
    "retry-num",
    "retry-fallback-strategy",
)
FLINK_OPENAI_CHAT = (
    "system-prompt",
    "temperature",
    "top-p",
    "stop",
    "max-tokens",
    "presence-penalty",
    "n",
    "seed",
    "response-format",
)
FLINK_OPENAI_EMBEDDINGS = ("dimension",)
FLINK_OPENAI_OPTIONS = frozenset(("provider", *FLINK_OPENAI_COMMON, *FLINK_OPENAI_CHAT, *FLINK_OPENAI_EMBEDDINGS))

# qsql's filesystem options that Flink's filesystem connector / csv format do not have.
QSQL_ONLY_TABLE_OPTIONS = {
    "csv.header": "Flink's csv format has no header option: a source reads the header line as data "
    "(make it a '#' comment line and set 'csv.allow-comments' = 'true'), a sink writes no header",
}

CHAT_SUFFIX, EMBEDDINGS_SUFFIX = "chat/completions", "embeddings"

# Settings qsql reads that Flink does not have under that name (Flink takes 'async' only in
# ML_PREDICT's config MAP): Flink would accept the SET and ignore it, so the job would differ.
QSQL_ONLY_SETTINGS = {
    "table.exec.async-ml-predict.async": "Flink reads 'async' only from ML_PREDICT's config MAP "
    "(MAP['async', 'false'])",
}

# Model names Flink's openai provider can count tokens for. It counts 'max-context-size' with
# jtokkit, whose registry knows OpenAI's own models only: for any other model the job fails when it
# starts ("No proper tokenizer found for model ... Context size cannot be set").
_JTOKKIT_MODEL_PREFIXES = ("gpt-4", "gpt-3.5-turbo", "o1", "text-embedding-3-", "text-embedding-ada-002")
_JTOKKIT_MODELS = frozenset(
    ("davinci", "curie", "babbage", "ada", "text-davinci-003", "text-davinci-002", "text-davinci-001")
)


def flink_counts_tokens_of(model: str) -> bool:
    """Whether Flink's openai provider has a tokenizer for ``model`` (so 'max-context-size' works)."""
    return model in _JTOKKIT_MODELS or model.startswith(_JTOKKIT_MODEL_PREFIXES)


_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class TranslationError(QsqlError):
    """Something in the script cannot be expressed for Flink (or, under --strict, not exactly)."""


@dataclass(frozen=True)
class Finding:
    """One place where the Flink script cannot mean exactly what qsql runs."""

    message: str
    span: Span | None = None
    source: str = ""

    def render(self) -> str:
        where = f"{self.source}:{self.span.line}:{self.span.column}: " if self.span and self.source else ""
        return f"{where}{self.message}"


@dataclass(frozen=True)
class FlinkStatement:
    """One statement of the Flink script, with what qsql knew about it."""

    sql: str
    kind: str  # "ddl" | "insert" | "query" | "set" | "reset" | "begin-set" | "end-set" | "statement-set" | "ctas" | "other"
    span: Span
    source: str
    sink_tables: tuple[str, ...] = ()  # INSERT targets (for reporting where rows went)
    setting: tuple[str | None, str | None] | None = (
        None  # SET/RESET key and value: TableEnvironment has no SQL for them
    )


@dataclass
class Translation:
    statements: list[FlinkStatement] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    script: str = ""  # the whole Flink script, comments and layout kept
    print_tables: set[str] = field(default_factory=set)
    # The API keys written into the script (secrets="inline"): what runs it must never print them
    # (Flink's SHOW CREATE MODEL prints every option).
    secrets: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class TranslateOptions:
    """How secrets and endpoints are written.

    ``secrets``: ``"placeholder"`` keeps ``${VAR}`` for API keys (export's default), ``"inline"``
    writes the environment's value (export --inline-secrets, and run). ``stub_base_url``
    points every model at qsql's stub server (``--stub``).
    """

    secrets: str = "placeholder"
    strict: bool = False
    stub_base_url: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    # Resolve relative filesystem paths against this directory (run: qsql's working directory,
    # as qsql itself resolves them; Flink would resolve them in the JVM's or TaskManager's).
    base_directory: str | None = None
    # A model without 'api-key' whose variable is unset uses the key stored with 'qsql keys'.
    stored_key: Callable[[str], str | None] | None = None
    # provider -> the environment variable holding its key, when config.toml renames it
    # ([keys] in the user's config), as qsql's own engine reads it.
    key_env: Mapping[str, str] = field(default_factory=dict)


def translate(text: str, source_name: str, options: TranslateOptions) -> Translation:
    """The Flink form of one script. Raises QsqlError for what cannot be translated at all,
    and for any finding under ``strict``."""
    try:
        return _translate(text, source_name, options)
    except QsqlError as error:
        raise error.locate(None, Source(source_name, text)) from error.__cause__


def _translate(text: str, source_name: str, options: TranslateOptions) -> Translation:
    statements = parse(text, source_name)
    result = Translation()
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in the original text
    comments: list[tuple[int, str]] = []  # comment blocks to insert before a position
    sinks = {_last(s.table) for s in _inserts(statements)} | {
        _last(s.name) for s in statements if isinstance(s, ast.CreateTable) and s.query is not None
    }
    tables: dict[str, ast.CreateTable] = {}
    for statement in statements:
        if isinstance(statement, ast.CreateTable):
            tables[_last(statement.name)] = statement
    context = _Context(text, source_name, options, result, edits, comments, statements)
    created: set[tuple[str, bool, str]] = set()  # (kind, temporary, name) the script made so far
    drops_before: dict[int, str] = {}  # statement start -> the DROP that makes its OR REPLACE work
    for statement in statements:
        replaced = _replaces(statement, created)
        if replaced is not None:
            drops_before[statement.span.start_pos] = replaced
            comments.append(
                (
                    statement.span.start_pos,
                    "-- qsql's CREATE OR REPLACE replaces; Flink 2.3 refuses it for an existing object: "
                    f"dropped first\n{replaced};\n",
                )
            )
        if isinstance(statement, ast.CreateModel):
            context.model(statement)
        elif isinstance(statement, ast.AlterModel) and statement.set_options:
            context.alter_model(statement)
        elif isinstance(statement, ast.CreateTable):
            context.table(statement, is_sink=_last(statement.name) in sinks)
        elif isinstance(statement, (ast.SetOption, ast.ResetOption)):
            context.setting(statement)
    if options.strict and result.findings:
        first = result.findings[0]
        more = f" (and {len(result.findings) - 1} more)" if len(result.findings) > 1 else ""
        raise TranslationError(f"--strict: {first.message}{more}", first.span)
    result.print_tables = {
        name
        for name, table in tables.items()
        if any(o.key == "connector" and o.value == "print" for o in table.options)
    }
    new_text = _apply(text, edits, comments)
    result.script = new_text
    for statement in statements:
        if _dropped(statement, edits):
            continue
        if statement.span.start_pos in drops_before:
            drop = drops_before[statement.span.start_pos]
            result.statements.append(FlinkStatement(sql=drop, kind="ddl", span=statement.span, source=source_name))
        result.statements.append(_flink_statement(statement, text, edits, source_name))
    return result


_CREATED_KINDS: dict[type, str] = {ast.CreateModel: "MODEL", ast.CreateView: "VIEW", ast.CreateTable: "TABLE"}


def _replaces(statement: ast.Statement, created: set[tuple[str, bool, str]]) -> str | None:
    """The DROP to run before ``statement`` so that Flink replaces as qsql does, or None.

    Checked against Flink 2.3: CREATE OR REPLACE [TEMPORARY] MODEL / VIEW, and CREATE OR REPLACE
    TABLE without AS, fail when the object exists ("already exists"); they succeed when it does
    not. An object the script created before certainly exists (with a persistent catalog, one made
    outside the script may too: that is not known here). Keeps ``created`` up to date."""
    if isinstance(statement, ast.Drop):
        created.discard((statement.kind.upper(), statement.temporary, str(statement.name)))
        return None
    if not isinstance(statement, (ast.CreateModel, ast.CreateView, ast.CreateTable)):
        return None
    kind = _CREATED_KINDS[type(statement)]
    key = (kind, statement.temporary, str(statement.name))
    exists = key in created
    created.add(key)
    if not (exists and statement.or_replace):
        return None
    temporary = "TEMPORARY " if statement.temporary else ""
    return f"DROP {temporary}{kind} IF EXISTS {_identifier(statement.name)}"


def _identifier(name: ast.QualifiedName) -> str:
    return ".".join("`" + part.name.replace("`", "``") + "`" for part in name.parts)


# ---------------------------------------------------------------------------------------------


@dataclass
class _Context:
    text: str
    source: str
    options: TranslateOptions
    result: Translation
    edits: list[tuple[int, int, str]]
    comments: list[tuple[int, str]]
    statements: list[ast.Statement] = field(default_factory=list)

    def report(self, message: str, span: Span | None) -> None:
        self.result.findings.append(Finding(message, span, self.source))

    # ----------------------------------------------------------------------- models
    def model(self, statement: ast.CreateModel) -> None:
        name = _last(statement.name)
        by_key: dict[str, ast.OptionItem] = {}
        for item in statement.options:
            spec = SPECS_BY_KEY.get(item.key)
            canonical = spec.key if spec is not None else item.key
            if item.key in ("provider",) or spec is not None or item.key in FLINK_OPENAI_OPTIONS:
                by_key[canonical] = item
            else:
                raise OptionError(f"Unsupported option '{item.key}' for CREATE MODEL {name}", item.span)
        provider_item = by_key.get("provider")
        provider_name = (provider_item.value if provider_item else "").lower()
        provider = PROVIDERS.get(provider_name)
        if provider is None:
            raise OptionError(
                f"CREATE MODEL {name}: unknown or missing provider '{provider_name}'",
                provider_item.value_span if provider_item else statement.span,
            )
        model_name = self.value(by_key["model"]) if "model" in by_key else ""
        endpoint, task = self.endpoint(statement, by_key, provider.default_endpoint, model_name)

        rendered: list[tuple[str, str]] = [("provider", "openai"), ("endpoint", endpoint)]
        notes: list[str] = []
        if provider.name != "openai":
            notes.append(
                f"provider '{provider.name}' (qsql extension) is Flink's 'openai' provider with the full endpoint path"
            )
        env_var = self.options.key_env.get(provider.name, provider.api_key_env)
        rendered.append(("api-key", self.api_key(by_key.get("api-key"), env_var, notes, statement, provider.name)))
        allowed = set(FLINK_OPENAI_COMMON) | set(FLINK_OPENAI_CHAT if task == CHAT_SUFFIX else FLINK_OPENAI_EMBEDDINGS)
        for key, item in by_key.items():
            if key in ("provider", "endpoint", "api-key"):
                continue
            value = self.value(item)
            flink_key = key
            if key == "max-tokens" and task == EMBEDDINGS_SUFFIX:
                # qsql's per-row input limit of an embedding model is Flink's max-context-size.
                if "max-context-size" in by_key:
                    self.leave_out(
                        item,
                        notes,
                        f"option '{item.key}' of embedding model {name} left out: "
                        "'max-context-size' already limits the input on Flink",
                    )
                    continue
                flink_key = "max-context-size"
            if flink_key == "max-context-size" and not flink_counts_tokens_of(model_name):
                self.leave_out(
                    item,
                    notes,
                    f"option '{item.key}' of {name} left out: Flink's openai provider counts tokens only for "
                    f"OpenAI's models (jtokkit), so an input limit for '{model_name}' fails when the job starts "
                    "('No proper tokenizer found'); on Flink the input is sent uncut",
                )
                continue
            if flink_key in allowed:
                value = _flink_value(flink_key, value, notes, item.key)
                rendered.append((flink_key, value))
                if key == "max-tokens" and flink_key == "max-context-size":
                    notes.append(f"'{item.key}' (embeddings input limit) is Flink's 'max-context-size'")
                elif item.key != flink_key:
                    notes.append(f"'{item.key}' is spelled '{flink_key}' on Flink")
                continue
            self.leave_out(
                item,
                notes,
                f"model option '{item.key}' of {name} is qsql-only: Flink's openai provider has no equivalent; left out",
            )
        self.column_types(statement, name, task)
        self.extra_outputs(statement, name, notes)
        self.replace_options(statement.options, rendered, statement.span)
        if notes:
            self.comment(statement.span, notes)

    def column_types(self, statement: ast.CreateModel, name: str, task: str) -> None:
        """Flink's openai provider compares the declared types exactly (OpenAIModelCommons.
        validateSingleColumnSchema): the input and a chat answer must be STRING, nullable, an
        embedding ARRAY<FLOAT>. qsql takes any character type; say what Flink needs."""
        answers = [c for c in statement.outputs if c.name.name not in METADATA_COLUMNS + (REASONING_COLUMN,)]
        wanted = FLINK_STRING if task == CHAT_SUFFIX else FLINK_VECTOR
        checks = [(c, "input", FLINK_STRING) for c in statement.inputs] + [(c, "output", wanted) for c in answers]
        for column, side, expected in checks:
            dtype = column.dtype
            if dtype == expected:
                continue
            if (
                side == "output"
                and dtype.kind == "ARRAY"
                and dtype.element is not None
                and dtype.element.kind == "DOUBLE"
            ):
                problem = "gives only ARRAY<FLOAT>"
            else:
                problem = f"takes only {expected}" if side == "input" else f"gives only {expected}"
            self.report(
                f"{side} column '{column.name.name}' of {name} is {dtype}; Flink's openai provider {problem}: "
                f"declare {expected}",
                column.span,
            )

    def leave_out(self, item: ast.OptionItem, notes: list[str], message: str) -> None:
        """Drop a model option Flink cannot take: a warning, and a comment in the script saying so."""
        self.report(message, item.span)
        notes.append(f"qsql only, left out: {_quote(item.key)} = {_quote(item.value)}")

    def extra_outputs(self, statement: ast.CreateModel, name: str, notes: list[str]) -> None:
        """Flink's openai provider takes exactly one physical OUTPUT column (OpenAIModelCommons.
        validateSingleColumnSchema), and Flink 2.3's CREATE MODEL refuses METADATA columns. qsql's
        extra columns (the error columns under IGNORE, the reasoning column) are left out of the
        Flink OUTPUT, with a warning: a query that reads one must change, and under IGNORE a failed
        row is dropped on Flink instead of kept with its error."""
        extra = [c for c in statement.outputs if c.name.name in METADATA_COLUMNS or c.name.name == REASONING_COLUMN]
        if not extra:
            return
        for column in extra:
            what = (
                "keeps a thinking model's reasoning (Flink's openai provider reads only the answer)"
                if column.name.name == REASONING_COLUMN
                else "keeps failed rows under IGNORE (on Flink such a row is dropped)"
            )
            readers = self.readers(statement, name, column.name.name)
            where = f" (line {', '.join(readers)} reads it)" if readers else ""
            self.report(
                f"output column '{column.name.name}' of {name} is a qsql extension: it {what}; Flink's openai "
                f"provider takes exactly one output column, so it is left out: queries that read it must change"
                f"{where}",
                column.span,
            )
            notes.append(f"qsql only, left out of OUTPUT: {self.text[column.span.start_pos : column.span.end_pos]}")
        kept = [c for c in statement.outputs if c not in extra]
        first, last = statement.outputs[0].span.start_pos, statement.outputs[-1].span.end_pos
        self.edits.append((first, last, ", ".join(self.text[c.span.start_pos : c.span.end_pos] for c in kept)))

    def readers(self, model: ast.CreateModel, name: str, column: str) -> list[str]:
        """Lines of the later statements that call ML_PREDICT with this model and name the column
        (a text search: enough to point the user at what will fail on Flink)."""
        calls = re.compile(rf"\bMODEL\s+(?:`{re.escape(name)}`|{re.escape(name)}\b)", re.IGNORECASE)
        names = re.compile(rf"(?:`{re.escape(column)}`|(?<![\w`-]){re.escape(column)}(?![\w`-]))", re.IGNORECASE)
        lines = []
        for statement in self.statements:
            if statement.span.start_pos <= model.span.start_pos:
                continue
            text = self.text[statement.span.start_pos : statement.span.end_pos]
            if calls.search(text) and names.search(text):
                lines.append(str(statement.span.line))
        return lines

    def alter_model(self, statement: ast.AlterModel) -> None:
        rendered = []
        notes: list[str] = []
        for item in statement.set_options or ():
            spec = SPECS_BY_KEY.get(item.key)
            key = spec.key if spec is not None else item.key
            if key == "provider":
                self.report(
                    "ALTER MODEL ... SET ('provider' = ...) is translated as given; check it is 'openai'", item.span
                )
            if key not in FLINK_OPENAI_OPTIONS:
                self.leave_out(
                    item,
                    notes,
                    f"model option '{item.key}' is qsql-only: Flink's openai provider has no equivalent; left out",
                )
                continue
            if key in SECRET_OPTION_KEYS:
                value = self.api_key(item, "", [], statement)
            else:
                value = _flink_value(key, self.value(item), notes, item.key)
            rendered.append((key, value))
        if not rendered:
            # Every option was qsql's: Flink has no ALTER MODEL ... SET () to write.
            self.drop_statement(statement)
            return
        self.replace_options(statement.set_options or (), rendered, statement.span)
        if notes:
            self.comment(statement.span, notes)

    def endpoint(
        self, statement: ast.CreateModel, by_key: dict[str, ast.OptionItem], default: str | None, model_name: str
    ) -> tuple[str, str]:
        item = by_key.get("endpoint")
        endpoint = self.value(item) if item is not None else default
        if not endpoint:
            raise OptionError(
                f"CREATE MODEL {_last(statement.name)}: missing required option 'endpoint'", statement.span
            )
        base = endpoint.strip().rstrip("/")
        task = None
        for suffix in (CHAT_SUFFIX, EMBEDDINGS_SUFFIX):
            if base.endswith("/" + suffix):
                base, task = base[: -len(suffix) - 1], suffix
        if task is None:
            outputs = ((c.name.name, c.dtype) for c in statement.outputs)
            task = CHAT_SUFFIX if task_from_model(model_name, outputs) == CHAT else EMBEDDINGS_SUFFIX
        if self.options.stub_base_url is not None:
            base = self.options.stub_base_url.rstrip("/")
        return f"{base}/{task}", task

    def api_key(
        self,
        item: ast.OptionItem | None,
        env_var: str,
        notes: list[str],
        statement: ast.Statement,
        provider: str = "",
    ) -> str:
        if self.options.stub_base_url is not None:
            return "stub"
        written = item.value if item is not None else f"${{{env_var}}}"
        refs = _ENV_REF.findall(written)
        if self.options.secrets == "inline":
            key = self.inline_key(item, written, refs, statement, provider)
            if key:
                self.result.secrets.add(key)
            return key
        # Placeholder: a literal key is never written out; ${VAR} stays for the user to fill in.
        placeholder = written if refs else f"${{{env_var or 'API_KEY'}}}"
        var = _ENV_REF.findall(placeholder)[0]
        if item is not None and not refs:
            notes.append("the script's literal API key is not written out (use --inline-secrets to write it)")
        notes.append(
            f"'api-key': Flink has no ${{VAR}}; replace ${{{var}}} with the key before submitting, "
            f"e.g. envsubst '${{{var}}}' < this.sql > job.sql, or export with --inline-secrets"
        )
        return placeholder

    def inline_key(
        self, item: ast.OptionItem | None, written: str, refs: list[str], statement: ast.Statement, provider: str
    ) -> str:
        """The key itself: written literally, from the environment, or stored with 'qsql keys'."""
        if item is not None and not refs:
            return written
        missing = [var for var in refs if var not in self.options.env]
        stored = self.options.stored_key(provider) if item is None and missing and self.options.stored_key else None
        if stored:
            return stored
        if missing:
            raise OptionError(
                f"the API key of a model comes from environment variable {missing[0]}, which is not set",
                item.value_span if item is not None else statement.span,
            )
        return _ENV_REF.sub(lambda m: self.options.env[m.group(1)], written)

    def value(self, item: ast.OptionItem) -> str:
        """An option's value with ${VAR} expanded from the environment (Flink has no ${VAR})."""
        refs = _ENV_REF.findall(item.value)
        if not refs:
            return item.value
        missing = [var for var in refs if var not in self.options.env]
        if missing:
            if self.options.secrets == "inline":
                raise OptionError(
                    f"option '{item.key}' refers to environment variable {missing[0]}, which is not set",
                    item.value_span,
                )
            self.report(
                f"option '{item.key}' refers to ${{{missing[0]}}}, which is not set: left as written "
                "(Flink has no ${VAR})",
                item.value_span,
            )
            return item.value
        return _ENV_REF.sub(lambda m: self.options.env[m.group(1)], item.value)

    # ----------------------------------------------------------------------- tables
    def table(self, statement: ast.CreateTable, is_sink: bool) -> None:
        name = _last(statement.name)
        rendered: list[tuple[str, str]] = []
        notes: list[str] = []
        changed = False
        connector = next((o.value for o in statement.options if o.key == "connector"), "")
        for item in statement.options:
            value = self.value(item)
            changed |= value != item.value
            if item.key in QSQL_ONLY_TABLE_OPTIONS:
                self.report(
                    f"table option '{item.key}' of {name} is qsql-only: {QSQL_ONLY_TABLE_OPTIONS[item.key]}; left out",
                    item.span,
                )
                notes.append(f"qsql only, left out: {_quote(item.key)} = {_quote(item.value)}")
                changed = True
                continue
            if connector == "filesystem" and item.key == "path" and self.options.base_directory is not None:
                if "://" not in value and not value.startswith("/"):
                    value = str(PurePosixPath(self.options.base_directory) / value)
                    changed = True
            rendered.append((item.key, value))
            if connector == "filesystem" and item.key == "path" and is_sink and PurePosixPath(value).suffix:
                self.report(
                    f"sink {name} writes the single file '{value}' on qsql; Flink writes a directory "
                    f"of part files at that path",
                    item.value_span,
                )
        if changed:
            self.replace_options(statement.options, rendered, statement.span)
        if notes:
            self.comment(statement.span, notes)

    # ----------------------------------------------------------------------- settings
    def setting(self, statement: ast.SetOption | ast.ResetOption) -> None:
        key = statement.key
        if key is None:
            return
        if key.startswith("qsql."):
            self.report(f"setting '{key}' is qsql-only (Flink has no such setting); left out", statement.span)
        elif key in QSQL_ONLY_SETTINGS:
            self.report(f"setting '{key}' is qsql-only: {QSQL_ONLY_SETTINGS[key]}; left out", statement.span)
        else:
            return
        self.drop_statement(statement)

    def drop_statement(self, statement: ast.Statement) -> None:
        """Comment a whole statement out: it has nothing Flink would take."""
        start, end = statement.span.start_pos, _statement_end(self.text, statement.span.end_pos)
        original = " ".join(self.text[statement.span.start_pos : statement.span.end_pos].split())
        self.edits.append((start, end, f"-- qsql only, left out: {original};"))

    # ----------------------------------------------------------------------- text
    def replace_options(self, items: tuple[ast.OptionItem, ...], rendered: list[tuple[str, str]], span: Span) -> None:
        if not items:
            return
        start, end = items[0].span.start_pos, items[-1].value_span.end_pos
        indent = _indent_before(self.text, start)
        separator = ",\n" + indent if indent is not None else ", "
        self.edits.append((start, end, separator.join(f"{_quote(k)} = {_quote(v)}" for k, v in rendered)))

    def comment(self, span: Span, notes: list[str]) -> None:
        # A note quotes script text (an option's value, a column); a line break in it would end
        # the comment and turn the rest into SQL.
        self.comments.append((span.start_pos, "".join(f"-- {' '.join(note.splitlines())}\n" for note in notes)))


# How Flink's Configuration reads the openai provider's typed options: Long/Integer.parseLong and
# enum names as written (no trimming, no '_' digit separators), Double.parseDouble (which trims).
_WHOLE_NUMBER_OPTIONS = frozenset(("n", "seed", "max-tokens", "dimension", "retry-num", "max-context-size"))
_REAL_NUMBER_OPTIONS = frozenset(("temperature", "top-p", "presence-penalty"))
_ENUM_OPTIONS = frozenset(
    ("error-handling-strategy", "retry-fallback-strategy", "context-overflow-action", "response-format")
)


def _flink_value(key: str, value: str, notes: list[str], written_key: str) -> str:
    """The value written so that Flink reads what qsql reads.

    qsql trims numbers and choices and reads Python's number syntax ('1_000'); Flink's parsers do
    not (checked against Flink 2.3: ' 2 ' and '1_000' fail with NumberFormatException, ' ignore '
    fails the enum). qsql also trims each 'stop' string ('a, b' stops at 'b'), where Flink splits
    on ',' and keeps the space. A value qsql itself refuses is left as written."""
    flink = value
    try:
        if key in _WHOLE_NUMBER_OPTIONS and not re.fullmatch(r"[+-]?[0-9]+", value):
            flink = str(int(value.strip()))
        elif key in _REAL_NUMBER_OPTIONS and "_" in value:
            flink = repr(float(value))
        elif key in _ENUM_OPTIONS:
            flink = value.strip()
        elif key == "stop":
            flink = ",".join(part.strip() for part in value.split(","))
    except ValueError:
        return value
    if flink != value:
        notes.append(f"{_quote(written_key)} = {_quote(value)} is written {_quote(flink)}, as qsql reads it")
    return flink


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _indent_before(text: str, position: int) -> str | None:
    """The whitespace that starts the line of ``position`` when only whitespace precedes it."""
    line_start = text.rfind("\n", 0, position) + 1
    prefix = text[line_start:position]
    return prefix if prefix.strip() == "" else None


def _statement_end(text: str, end: int) -> int:
    """Just past the ``;`` that ends a statement (or ``end`` when none follows)."""
    match = re.compile(r"\s*;").match(text, end)
    return match.end() if match else end


def _apply(text: str, edits: list[tuple[int, int, str]], comments: list[tuple[int, str]]) -> str:
    pieces: list[tuple[int, int, str]] = sorted(edits) + [(pos, pos, note) for pos, note in comments]
    pieces.sort(key=lambda p: (p[0], p[1]))
    out, cursor = [], 0
    for start, end, replacement in pieces:
        out.append(text[cursor:start])
        out.append(replacement)
        cursor = max(cursor, end)
    out.append(text[cursor:])
    return "".join(out)


def _dropped(statement: ast.Statement, edits: list[tuple[int, int, str]]) -> bool:
    return any(
        start == statement.span.start_pos and replacement.startswith("-- qsql only") for start, _, replacement in edits
    )


def _flink_statement(
    statement: ast.Statement, text: str, edits: list[tuple[int, int, str]], source: str
) -> FlinkStatement:
    start, end = statement.span.start_pos, statement.span.end_pos
    inner = [(s - start, e - start, r) for s, e, r in edits if start <= s and e <= end]
    sql = _apply(text[start:end], inner, [])
    sinks: tuple[str, ...] = ()
    setting = None
    if isinstance(statement, (ast.SetOption, ast.ResetOption)):
        setting = (statement.key, getattr(statement, "value", None))
    if isinstance(statement, ast.Insert):
        kind, sinks = "insert", (_last(statement.table),)
    elif isinstance(statement, ast.CreateTable) and statement.query is not None:
        kind, sinks = "ctas", (_last(statement.name),)  # CREATE TABLE ... AS query: a job, like an INSERT
    elif isinstance(statement, ast.StatementSet):
        kind, sinks = "statement-set", tuple(_last(i.table) for i in statement.inserts)
    elif isinstance(statement, ast.QueryStatement):
        kind = "query"
    elif isinstance(statement, ast.SetOption):
        kind = "set"
    elif isinstance(statement, ast.ResetOption):
        kind = "reset"
    elif isinstance(statement, ast.BeginStatementSet):
        kind = "begin-set"
    elif isinstance(statement, ast.EndStatementSet):
        kind = "end-set"
    elif isinstance(
        statement,
        (
            ast.CreateModel,
            ast.CreateTable,
            ast.CreateView,
            ast.Drop,
            ast.AlterModel,
            ast.AlterTable,
            ast.AlterView,
            ast.Use,  # Flink's TableResult says only "OK", which qsql's engine does not print
        ),
    ):
        kind = "ddl"
    else:
        kind = "other"
    return FlinkStatement(sql=sql, kind=kind, span=statement.span, source=source, sink_tables=sinks, setting=setting)


def _inserts(statements: list[ast.Statement]) -> list[ast.Insert]:
    found: list[ast.Insert] = []
    for statement in statements:
        if isinstance(statement, ast.Insert):
            found.append(statement)
        elif isinstance(statement, ast.StatementSet):
            found.extend(statement.inserts)
        elif isinstance(statement, ast.Explain):
            found.extend(_inserts([statement.statement]))
    return found


def _last(name: ast.QualifiedName) -> str:
    return name.name
