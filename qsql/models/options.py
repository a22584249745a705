"""CREATE MODEL's WITH options: one schema, checked once, at CREATE MODEL time.

Flink's hyphenated names are canonical (``top-p``, ``max-tokens``); the seed document's
underscore spellings (``top_p``, ``max_tokens``) and Flink's deprecated keys (``systemPrompt``,
``topP``, ``maxTokens``) are accepted as aliases, never two spellings at once. Ranges are the
provider's own (Qwen's temperature is [0, 2), OpenAI's [0, 2]); what one model family accepts
or demands (thinking, streaming, Qwen-MT) comes from ``families.py``.
Any option value may say ``${VAR}`` to read an environment variable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from .. import ast
from ..catalog import unique_options
from ..column import Column
from ..errors import OptionError, ValidationError
from ..lazydataclass import lazy_dataclass
from ..secrets import MASK, SECRET_OPTION_KEYS, Secret, shown_option_value
from ..source import Span
from ..suggest import did_you_mean
from ..types import DataType
from .config import (
    CHAT,
    DEFAULT_OVERFLOW_ACTION,
    DEFAULT_SYSTEM_PROMPT,
    EMBEDDINGS,
    ERROR_STRING,
    HTTP_HEADERS_MAP,
    HTTP_STATUS_CODE,
    METADATA_COLUMNS,
    REASONING_COLUMN,
    ModelConfig,
)
from .families import ALWAYS, NEVER, OFF, ON, qwen_family, will_think
from .providers import PROVIDERS, Provider
from .retry import DEFAULT_RETRIES, FAILOVER, IGNORE, RETRY, RetryPolicy
from .tokens import BYTES, tokenizer_for

# Dimensions each embedding model accepts (DashScope: v3's 256/128/64 are in the China docs only).
EMBEDDING_DIMENSIONS = {
    "text-embedding-v4": (2048, 1536, 1024, 768, 512, 256, 128, 64),
    "text-embedding-v3": (1024, 768, 512, 256, 128, 64),
    "text-embedding-v2": (1536,),
    "text-embedding-v1": (1536,),
}
# OpenAI: the largest 'dimensions' (text-embedding-ada-002 takes none).
OPENAI_EMBEDDING_MAX_DIMENSIONS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 0,
}
# Inputs per embeddings request, where a model's limit is below its provider's.
EMBEDDING_BATCH_LIMITS = {
    "text-embedding-v4": 10,
    "text-embedding-v3": 10,
    "text-embedding-v2": 25,
    "text-embedding-v1": 25,
}
# OpenAI: at most this many tokens summed over one embeddings request.
OPENAI_EMBEDDING_REQUEST_TOKENS = 300_000
OVERFLOW_ACTIONS = (
    "truncated-tail",
    "truncated-head",
    "skipped",
    "truncated-tail-log",
    "truncated-head-log",
    "skipped-log",
)
_ENDPOINT_EXAMPLES = {
    "openai": "e.g. 'endpoint' = 'https://api.openai.com/v1'",
    "deepseek": "e.g. 'endpoint' = 'https://api.deepseek.com/v1'",
}
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@lazy_dataclass(frozen=True)
class OptionSpec:
    key: str
    description: str
    parse: Callable[[str], object] | None = None  # value -> typed value, raises ValueError(reason)
    body_field: str | None = None  # request body field it sets, if any
    aliases: tuple[str, ...] = ()
    task: str | None = None  # CHAT / EMBEDDINGS when it applies to one task only
    providers: tuple[str, ...] | None = None  # the providers it applies to, when not all


def _double_in(low: float, high: float, low_open: bool = False, high_open: bool = False) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise ValueError("must be a number") from None
        if (value < low or (low_open and value == low)) or (value > high or (high_open and value == high)):
            left, right = "(" if low_open else "[", ")" if high_open else "]"
            raise ValueError(f"must be in {left}{low:g}, {high:g}{right}")
        return value

    return parse


# Flink's option types: a Long option holds 64 bits, an Integer one (retry-num, max-context-size) 32;
# a larger value fails the job on Flink, so qsql refuses it at CREATE MODEL.
LONG_MAX = 2**63 - 1
INT_MAX = 2**31 - 1


def _long(minimum: int, maximum: int = LONG_MAX) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise ValueError("must be an integer") from None
        if value < minimum:
            raise ValueError(f"must be >= {minimum}" if minimum != 1 else "must be > 0")
        if value > maximum:
            raise ValueError(f"must be at most {maximum}")
        return value

    return parse


def _stop(text: str) -> list[str]:
    items = [part.strip() for part in text.split(",")]
    if not all(items):
        raise ValueError("must be a comma-separated list of non-empty strings")
    return items


def _int_in(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise ValueError("must be an integer") from None
        if not low <= value <= high:
            raise ValueError(f"must be in [{low}, {high}]")
        return value

    return parse


def _boolean(text: str) -> bool:
    value = text.strip().lower()
    if value in ("true", "false"):
        return value == "true"
    raise ValueError("must be 'true' or 'false'")


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        for option in allowed:
            if text.strip().lower() == option.lower():
                return option
        raise ValueError("must be one of " + ", ".join(allowed))

    return parse


def _completion_window(text: str) -> str:
    """DashScope's Batch API takes a completion window of 24h to 336h in whole hours (the
    reference's section 1.5); OpenAI's only 24h (checked per provider below)."""
    value = text.strip().lower()
    hours = value[:-1] if value.endswith("h") else ""
    if not hours.isdigit() or not 24 <= int(hours) <= 336:
        raise ValueError("must be a whole number of hours from '24h' to '336h'")
    return f"{int(hours)}h"


def _response_format(text: str) -> dict[str, str]:
    return {"type": _choice("text", "json_object")(text)}


OPTION_SPECS: tuple[OptionSpec, ...] = (
    OptionSpec("provider", "qwen, openai or deepseek"),
    OptionSpec("endpoint", "base URL (…/v1) or full …/chat/completions or …/embeddings URL"),
    OptionSpec("api-key", "API key; default from the provider's environment variable"),
    OptionSpec("model", "model name, e.g. qwen-plus, text-embedding-v4"),
    OptionSpec("system-prompt", "system message of each chat request", task=CHAT, aliases=("systemPrompt",)),
    OptionSpec(
        "temperature",
        "sampling temperature: Qwen [0, 2), OpenAI/DeepSeek [0, 2]",
        _double_in(0, 2),
        "temperature",
        task=CHAT,
    ),
    OptionSpec(
        "top-p",
        "nucleus sampling: Qwen (0, 1], OpenAI/DeepSeek [0, 1]",
        _double_in(0, 1),
        "top_p",
        ("top_p", "topP"),
        CHAT,
    ),
    OptionSpec("stop", "comma-separated stop strings", _stop, "stop", task=CHAT),
    # Chat: the reply's limit (sent as max_tokens). Embeddings: the seed's per-row input limit.
    OptionSpec(
        "max-tokens",
        "chat: most tokens to generate; embeddings: longest input",
        _long(1),
        "max_tokens",
        ("max_tokens", "maxTokens"),
    ),
    OptionSpec("presence-penalty", "in [-2, 2]", _double_in(-2, 2), "presence_penalty", task=CHAT),
    OptionSpec("seed", "sampling seed", _long(0), "seed", task=CHAT),
    OptionSpec("n", "choices per row; one output row each", _long(1), "n", task=CHAT),
    OptionSpec("response-format", "text or json_object", _response_format, "response_format", task=CHAT),
    OptionSpec(
        "enable-thinking",
        "true/false: let a hybrid Qwen model think (default: the model's own)",
        _boolean,
        aliases=("enable_thinking",),
        task=CHAT,
        providers=("qwen",),
    ),
    OptionSpec(
        "thinking-budget",
        "most tokens a Qwen model may think",
        _long(1),
        "thinking_budget",
        ("thinking_budget",),
        CHAT,
        ("qwen",),
    ),
    OptionSpec(
        "stream", "true/false: stream replies (qsql extension; on whenever the model thinks)", _boolean, task=CHAT
    ),
    OptionSpec("target-lang", "Qwen-MT: language to translate into, e.g. English", task=CHAT, providers=("qwen",)),
    OptionSpec("source-lang", "Qwen-MT: language of the input (default auto)", task=CHAT, providers=("qwen",)),
    OptionSpec("dimension", "embedding size", _long(1), "dimensions", task=EMBEDDINGS),
    OptionSpec("batch-size", "embedding inputs per request (qsql extension)", _long(1), task=EMBEDDINGS),
    OptionSpec("error-handling-strategy", "RETRY, FAILOVER or IGNORE", _choice(RETRY, FAILOVER, IGNORE)),
    OptionSpec("retry-num", f"retries per row (default {DEFAULT_RETRIES})", _long(0, INT_MAX)),
    OptionSpec("retry-fallback-strategy", "FAILOVER or IGNORE once retries run out", _choice(FAILOVER, IGNORE)),
    OptionSpec("max-context-size", "longest input, in tokens", _long(1, INT_MAX)),
    OptionSpec("context-overflow-action", "what happens to a longer input", _choice(*OVERFLOW_ACTIONS)),
    # Throughput and price (qsql extensions): see qsql/models/ratelimit.py and batch_job.py.
    OptionSpec(
        "requests-per-minute", "the provider's request quota: requests are paced under it (qsql extension)", _long(1)
    ),
    OptionSpec(
        "tokens-per-minute", "the provider's token quota: requests are paced under it (qsql extension)", _long(1)
    ),
    OptionSpec(
        "batch-api",
        "'true': send the rows through the provider's Batch File API at half price (qsql extension)",
        _boolean,
    ),
    OptionSpec(
        "batch-api-dry-run",
        "'true': first validate the batch file with DashScope's free batch-test-model (qsql extension)",
        _boolean,
    ),
    OptionSpec(
        "batch-completion-window",
        "how long a batch may take, '24h' (default) to '336h' (qsql extension)",
        _completion_window,
    ),
)

# Where a provider's range is narrower than the option's own (checked after the option's parse).
PROVIDER_RANGES: dict[str, dict[str, Callable[[str], object]]] = {
    "qwen": {
        "temperature": _double_in(0, 2, high_open=True),
        "top-p": _double_in(0, 1, low_open=True),
        "n": _int_in(1, 4),
        "seed": _int_in(0, 2**31 - 1),
    },
    "openai": {"n": _int_in(1, 128)},
}
OPENAI_STOP_ITEMS = 4

SPECS_BY_KEY: dict[str, OptionSpec] = {}
for _spec in OPTION_SPECS:
    SPECS_BY_KEY[_spec.key] = _spec
    for _alias in _spec.aliases:
        SPECS_BY_KEY[_alias] = _spec
del _spec, _alias

SUPPORTED_KEYS = tuple(spec.key for spec in OPTION_SPECS)


def expand_env(value: str, key: str, env: Mapping[str, str], span: Span | None) -> str:
    """Replace each ``${VAR}`` with the environment variable's value; unset is an error."""

    def substitute(match: re.Match[str]) -> str:
        var = match.group(1)
        if var not in env:
            raise OptionError(f"option '{key}' refers to environment variable {var}, which is not set", span)
        return env[var]

    return _ENV_REF.sub(substitute, value)


class _Options:
    """The WITH options of one CREATE MODEL by canonical key; ``${VAR}`` is expanded on reading.

    With ``--stub`` the 'api-key' option is not even expanded, so ``'${DASHSCOPE_API_KEY}'``
    works offline.
    """

    def __init__(self, statement: ast.CreateModel, name: str, env: Mapping[str, str], stub: bool) -> None:
        self.statement = statement
        self.env = env
        self.stub = stub
        self.items: dict[str, ast.OptionItem] = {}
        for item in unique_options(statement.options).values():
            spec = SPECS_BY_KEY.get(item.key)
            if spec is None:
                raise OptionError(
                    f"Unsupported option '{item.key}' for CREATE MODEL {name}",
                    item.span,
                    hint=_unknown_key_hint(item.key),
                )
            if spec.key in self.items:
                other = self.items[spec.key].key
                raise OptionError(
                    f"options '{other}' and '{item.key}' are the same option; give only '{spec.key}'", item.span
                )
            self.items[spec.key] = item

    def text(self, key: str) -> str | None:
        item = self.items.get(key)
        if item is None:
            return None
        if key in SECRET_OPTION_KEYS and self.stub:
            return item.value
        return expand_env(item.value, item.key, self.env, item.value_span)

    def value_span(self, key: str) -> Span:
        item = self.items.get(key)
        return item.value_span if item is not None else self.statement.span


def resolve_model(
    statement: ast.CreateModel,
    name: str,
    inputs: list[Column],
    outputs: list[Column],
    env: Mapping[str, str],
    stub_base_url: str | None = None,
    stored_key: Callable[[str], str | None] | None = None,
    key_env: Mapping[str, str] | None = None,
) -> ModelConfig:
    """Check every option of a CREATE MODEL and build the request configuration.

    With ``stub_base_url`` (``--stub``) every model talks to the local stub and needs no key.
    Otherwise the key comes from the 'api-key' option, else the provider's environment variable
    (``key_env`` may rename it, from the config file), else ``stored_key(provider)`` (qsql keys).
    """
    options = _Options(statement, name, env, stub_base_url is not None)
    provider = _provider(options.items.get("provider"), options.text("provider"), statement.span)
    model_name = _model_name(options, name)
    base_url, task = _endpoint_and_task(options, provider, model_name, outputs, name)
    values, body = _parse_values(options, provider, task, name)
    retry = _retry_policy(values)
    _check_schema(name, task, inputs, outputs, statement.span, retry)
    _check_model_rules(options, provider, model_name, body)
    stream = _thinking_and_streaming(options, provider, task, model_name, values, body, outputs)
    system_prompt = _system_prompt_and_translation(options, provider, task, model_name, body)
    _check_embeddings_rules(options, provider, task, model_name, body, name)
    limit = _input_limit(task, values)
    url, api_key = _url_and_key(options, provider, task, base_url, stub_base_url, name, stored_key, key_env)
    batch_api = bool(values.get("batch-api", False))
    if batch_api and not provider.batch_api:
        raise OptionError(
            f"option 'batch-api': provider '{provider.name}' has no Batch File API",
            options.items["batch-api"].value_span,
            hint="the Batch File API is offered by qwen (DashScope) and openai",
        )
    dry_run = bool(values.get("batch-api-dry-run", False))
    if dry_run:
        span = options.items["batch-api-dry-run"].value_span
        if not batch_api:
            raise OptionError("option 'batch-api-dry-run' applies only with 'batch-api' = 'true'", span)
        if provider.name != "qwen" or task != CHAT:
            raise OptionError(
                "option 'batch-api-dry-run' needs a qwen (DashScope) chat model: batch-test-model "
                "validates chat requests only",
                span,
            )
    window = str(values.get("batch-completion-window", "24h"))
    if "batch-completion-window" in values:
        span = options.items["batch-completion-window"].value_span
        if not batch_api:
            raise OptionError("option 'batch-completion-window' applies only with 'batch-api' = 'true'", span)
        if provider.name == "openai" and window != "24h":
            raise OptionError(
                f"option 'batch-completion-window': provider 'openai' takes only '24h', not '{window}'",
                span,
                hint="DashScope (provider 'qwen') takes 24h to 336h",
            )
    return ModelConfig(
        name=name,
        provider=provider.name,
        task=task,
        url=url,
        cache_identity=f"stub:{task}" if stub_base_url is not None else url,
        api_key=api_key,
        model=model_name,
        system_prompt=system_prompt,
        body_options=body,
        options={item.key: shown_option_value(item.key, item.value) for item in statement.options},
        retry=retry,
        batch_size=_batch_size(options, provider, task, model_name, values),
        batch_token_limit=OPENAI_EMBEDDING_REQUEST_TOKENS if provider.name == "openai" and task == EMBEDDINGS else None,
        max_input_tokens=limit,
        # Loaded only when there is a limit to apply (Qwen's table takes about a second to read).
        tokenizer=tokenizer_for(provider.name, model_name) if limit is not None else BYTES,
        overflow_action=str(values.get("context-overflow-action", DEFAULT_OVERFLOW_ACTION)),
        protocol=provider.protocol,
        stream=stream,
        requests_per_minute=values.get("requests-per-minute"),
        tokens_per_minute=values.get("tokens-per-minute"),
        batch_api=batch_api,
        batch_completion_window=window,
        batch_dry_run=dry_run,
    )


def _model_name(options: _Options, name: str) -> str:
    model_name = options.text("model")
    if not model_name:
        raise OptionError(
            f"CREATE MODEL {name}: missing required option 'model'",
            options.statement.span,
            hint="e.g. 'model' = 'qwen-plus'",
        )
    return model_name


def _endpoint_and_task(
    options: _Options, provider: Provider, model_name: str, outputs: list[Column], name: str
) -> tuple[str, str]:
    """The base URL and the task: from the endpoint's path (Flink's rule), else from the model."""
    endpoint = options.text("endpoint") or provider.default_endpoint
    if not endpoint:
        raise OptionError(
            f"CREATE MODEL {name}: missing required option 'endpoint' for provider '{provider.name}'",
            options.statement.span,
            hint=_ENDPOINT_EXAMPLES.get(provider.name, "e.g. 'endpoint' = 'https://api.openai.com/v1'"),
        )
    shown_endpoint = options.items["endpoint"].value if "endpoint" in options.items else endpoint
    base_url, endpoint_task = _split_endpoint(endpoint, options.value_span("endpoint"), shown_endpoint)
    return base_url, endpoint_task or task_from_model(model_name, ((c.name, c.dtype) for c in outputs))


# Each option's value as its spec's parser returns it (an int, a float, a string, a list ...).
_Values = dict[str, Any]


def _parse_values(options: _Options, provider: Provider, task: str, name: str) -> tuple[_Values, dict[str, object]]:
    """Each option's typed value, and the request body fields they set (wire spelling)."""
    values: _Values = {}
    body: dict[str, object] = {}
    for key, item in options.items.items():
        spec = SPECS_BY_KEY[key]
        if spec.task is not None and spec.task != task:
            article = "an" if task == EMBEDDINGS else "a"
            raise OptionError(
                f"option '{item.key}' applies to {spec.task} models, but {name} is {article} {task} model", item.span
            )
        if spec.providers is not None and provider.name not in spec.providers:
            raise OptionError(
                f"option '{item.key}' applies to provider {', '.join(repr(p) for p in spec.providers)} only, "
                f"not '{provider.name}'",
                item.span,
            )
        if spec.parse is None:
            continue
        text = options.text(key)
        assert text is not None
        try:
            value: Any = PROVIDER_RANGES.get(provider.name, {}).get(key, spec.parse)(text)  # the parser's type
            if key == "stop" and provider.name == "openai" and len(value) > OPENAI_STOP_ITEMS:
                raise ValueError(f"must have at most {OPENAI_STOP_ITEMS} items for provider 'openai'")
        except ValueError as error:
            # item.value is the option as written: ${VAR} stays a placeholder in the message.
            raise OptionError(f"option '{item.key}' {error}, got '{item.value}'", item.value_span) from None
        values[key] = value
        if spec.body_field is not None and not (key == "max-tokens" and task == EMBEDDINGS):
            body[spec.body_field] = value
    return values, body


def _retry_policy(values: _Values) -> RetryPolicy:
    """The options given; RetryPolicy's own defaults for the rest."""
    given = {
        field: values[key]
        for key, field in (
            ("error-handling-strategy", "strategy"),
            ("retry-num", "retries"),
            ("retry-fallback-strategy", "fallback"),
        )
        if key in values
    }
    return RetryPolicy(**given)


def refuses_stop(model_name: str) -> bool:
    """OpenAI's o3 and o4-mini take no 'stop' ("Not supported with latest reasoning models o3 and
    o4-mini", the OpenAPI spec's CreateChatCompletionRequest)."""
    name = model_name.lower()
    return name == "o3" or (name.startswith("o3-") and not name.startswith("o3-mini")) or name.startswith("o4-mini")


def _check_model_rules(options: _Options, provider: Provider, model_name: str, body: dict[str, object]) -> None:
    """What a particular model accepts beyond the option's own range."""
    if "stop" in body and provider.name == "openai" and refuses_stop(model_name):
        raise OptionError(
            f"option 'stop' is not supported by OpenAI's {model_name} (its latest reasoning models take no stop "
            "sequences)",
            options.items["stop"].span,
        )
    if "dimensions" in body and model_name in EMBEDDING_DIMENSIONS:
        allowed = EMBEDDING_DIMENSIONS[model_name]
        if body["dimensions"] not in allowed:
            raise OptionError(
                f"option 'dimension' for {model_name} must be one of " + ", ".join(map(str, allowed)),
                options.value_span("dimension"),
            )
    if "dimensions" in body and model_name in OPENAI_EMBEDDING_MAX_DIMENSIONS:
        most = OPENAI_EMBEDDING_MAX_DIMENSIONS[model_name]
        if not most:
            raise OptionError(f"{model_name} does not take option 'dimension'", options.value_span("dimension"))
        dimensions: Any = body["dimensions"]  # an int: option 'dimension' parsed it
        if dimensions > most:
            raise OptionError(
                f"option 'dimension' for {model_name} must be at most {most}", options.value_span("dimension")
            )


def _check_embeddings_rules(
    options: _Options, provider: Provider, task: str, model_name: str, body: dict[str, object], name: str
) -> None:
    if task == EMBEDDINGS and not provider.has_embeddings:
        raise OptionError(
            f"CREATE MODEL {name}: provider '{provider.name}' has no embeddings endpoint",
            options.statement.span,
            hint="use provider 'qwen' (text-embedding-v4) or 'openai' (text-embedding-3-small) for embeddings",
        )


def _system_prompt_and_translation(
    options: _Options, provider: Provider, task: str, model_name: str, body: dict[str, object]
) -> str | None:
    """The system message (None: send none) and Qwen-MT's translation_options."""
    prompt = options.text("system-prompt")
    is_mt = provider.name == "qwen" and task == CHAT and qwen_family(model_name).translation
    if not is_mt:
        for key in ("target-lang", "source-lang"):
            if key in options.items:
                raise OptionError(
                    f"option '{options.items[key].key}' applies to Qwen-MT translation models (qwen-mt-...) only",
                    options.items[key].span,
                )
        return prompt if prompt is not None else DEFAULT_SYSTEM_PROMPT
    if prompt is not None:
        raise OptionError(
            f"Qwen-MT model '{model_name}' takes no system message (DashScope refuses it: "
            "'Role must be in [user, assistant]'); remove 'system-prompt'",
            options.items["system-prompt"].span,
            hint="set 'target-lang' (and 'source-lang') instead",
        )
    target = options.text("target-lang")
    if not target or not target.strip():
        raise OptionError(
            f"Qwen-MT model '{model_name}' needs option 'target-lang', e.g. 'target-lang' = 'English'",
            options.value_span("target-lang"),
        )
    source = (options.text("source-lang") or "auto").strip() or "auto"
    body["translation_options"] = {"source_lang": source, "target_lang": target.strip()}
    return None


def _thinking_and_streaming(
    options: _Options,
    provider: Provider,
    task: str,
    model_name: str,
    values: _Values,
    body: dict[str, object],
    outputs: list[Column],
) -> bool:
    """Decide enable_thinking / thinking_budget / stream from the family's facts (families.py)
    and the user's options; returns whether to stream. Sends ``enable_thinking`` only when the
    user set it and the model can think, so no model gets a flag it refuses."""
    if task != CHAT:
        return False
    asked = values.get("enable-thinking")
    stream_option = values.get("stream")
    thinks = False
    if provider.name == "qwen":
        family = qwen_family(model_name)
        if family.thinking == NEVER and asked is True:
            raise OptionError(
                f"model '{model_name}' ({family.name}) cannot think: DashScope refuses 'enable_thinking' for it "
                "(InvalidParameter.NotSupportEnableThinking)",
                options.value_span("enable-thinking"),
            )
        if family.thinking == ALWAYS and asked is False:
            raise OptionError(
                f"model '{model_name}' ({family.name}) always thinks; 'enable-thinking' = 'false' is not possible",
                options.value_span("enable-thinking"),
                hint="use a hybrid model such as qwen-plus or qwen3-8b to answer without thinking",
            )
        if family.thinking in (OFF, ON) and isinstance(asked, bool):
            body["enable_thinking"] = asked
        thinks = will_think(family, asked if isinstance(asked, bool) else None)
        if stream_option is True and not family.incremental_stream:
            raise OptionError(
                f"model '{model_name}' does not stream incrementally (DashScope sends the whole text so far in each "
                "chunk; only qwen-mt-flash streams in increments): 'stream' = 'true' is not supported",
                options.value_span("stream"),
                hint="remove 'stream' (its replies are read whole), or use qwen-mt-flash",
            )
        n = values.get("n", 1)
        if isinstance(n, int) and n > 1 and (thinks or not family.multiple_choices):
            why = "while it thinks" if thinks else f"for {family.name} models"
            raise OptionError(
                f"option 'n' > 1 is not supported by DashScope {why} (only qwen-plus and Qwen3 without thinking)",
                options.value_span("n"),
            )
    if "thinking-budget" in values and not thinks:
        raise OptionError(
            f"option 'thinking-budget' needs a model that thinks; '{model_name}' will not"
            + (" (set 'enable-thinking' = 'true')" if asked is None else ""),
            options.value_span("thinking-budget"),
        )
    if thinks and stream_option is False:
        raise OptionError(
            f"model '{model_name}' thinks, and DashScope answers a thinking model only when streaming: "
            "'stream' cannot be 'false'",
            options.value_span("stream"),
            hint="or set 'enable-thinking' = 'false' where the model allows it",
        )
    if any(c.name == REASONING_COLUMN for c in outputs) and provider.name == "qwen" and not thinks:
        family = qwen_family(model_name)
        if family.thinking == NEVER:
            raise ValidationError(
                f"output column '{REASONING_COLUMN}' needs a model that thinks; '{model_name}' cannot",
                options.statement.span,
            )
    return thinks or stream_option is True


def _batch_size(options: _Options, provider: Provider, task: str, model_name: str, values: _Values) -> int:
    if task != EMBEDDINGS:
        return 1
    limit = (
        EMBEDDING_BATCH_LIMITS.get(model_name, provider.embedding_batch_limit)
        if provider.name == "qwen"
        else (provider.embedding_batch_limit)
    )
    batch_size = int(values.get("batch-size", limit))
    if batch_size > limit:
        raise OptionError(
            f"option 'batch-size' must be at most {limit} for provider '{provider.name}' model '{model_name}', "
            f"got {batch_size}",
            options.value_span("batch-size"),
        )
    return batch_size


def _input_limit(task: str, values: _Values) -> int | None:
    """The longest input sent as is: max-context-size, and for embeddings the seed's 'max-tokens'.

    There is no default: Flink cuts nothing unless asked, and a silently cut document would get
    a different vector. An input over the model's own limit is refused by the service, and
    only that row fails."""
    limits = [int(v) for v in (values.get("max-context-size"),) if v is not None]
    if task == EMBEDDINGS and values.get("max-tokens") is not None:
        limits.append(int(values["max-tokens"]))
    return min(limits) if limits else None


def _url_and_key(
    options: _Options,
    provider: Provider,
    task: str,
    base_url: str,
    stub_base_url: str | None,
    name: str,
    stored_key: Callable[[str], str | None] | None,
    key_env: Mapping[str, str] | None,
) -> tuple[str, Secret]:
    """The request URL and the key: option, else environment variable, else a stored key."""
    path = "chat/completions" if task == CHAT else "embeddings"
    if stub_base_url is not None:
        return f"{stub_base_url.rstrip('/')}/{path}", Secret("stub")
    env_var = (key_env or {}).get(provider.name, provider.api_key_env)
    option_key = options.text("api-key")
    if option_key == MASK:
        raise OptionError(
            f"CREATE MODEL {name}: the 'api-key' is '{MASK}', the mask qsql's history stores instead of a key",
            options.value_span("api-key"),
            hint=f"type the key again, or use '${{{env_var}}}', or store it with 'qsql keys set {provider.name}'",
        )
    key = option_key or options.env.get(env_var) or (stored_key(provider.name) if stored_key is not None else None)
    return f"{base_url}/{path}", _api_key(key, provider, name, options.statement.span, env_var)


def _unknown_key_hint(key: str) -> str:
    close = did_you_mean(key, SPECS_BY_KEY, spelled=lambda alias: SPECS_BY_KEY[alias].key)
    return close or "supported options: " + ", ".join(SUPPORTED_KEYS)


def _key_problem(key: str) -> str | None:
    if key != key.strip():
        return "has whitespace at its start or end"
    if any(ord(c) < 32 or ord(c) == 127 or c.isspace() for c in key):
        return "contains whitespace or a control character"
    if not key.isascii():
        return "contains a non-ASCII character (an HTTP header cannot carry it)"
    return None


def _provider(item: ast.OptionItem | None, value: str | None, span: Span) -> Provider:
    if item is None or not value:
        raise OptionError(
            "CREATE MODEL: missing required option 'provider'",
            item.span if item else span,
            hint="one of: " + ", ".join(sorted(PROVIDERS)),
        )
    provider = PROVIDERS.get(value.lower())
    if provider is None:
        hint = did_you_mean(value.lower(), PROVIDERS) or "supported providers: " + ", ".join(sorted(PROVIDERS))
        # The option as written: a ${VAR} shows as the placeholder, never as its value.
        raise OptionError(f"unknown model provider '{item.value}'", item.value_span, hint=hint)
    return provider


def _split_endpoint(endpoint: str, span: Span, shown: str) -> tuple[str, str | None]:
    """Base URL and the task the path names (Flink's rule), or None when it names none.
    ``shown`` is the option as written (``${VAR}`` unexpanded), for the error message."""
    parts = urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise OptionError(f"option 'endpoint' must be an http(s) URL, got '{shown}'", span)
    if parts.query or parts.fragment:
        raise OptionError("option 'endpoint' must not have a query string or fragment", span)
    path = parts.path.rstrip("/")
    base = f"{parts.scheme}://{parts.netloc}"
    if path.endswith("/chat/completions") or path == "chat/completions":
        return base + path[: -len("/chat/completions")], CHAT
    if path.endswith("/embeddings"):
        return base + path[: -len("/embeddings")], EMBEDDINGS
    return base + path, None


def task_from_model(model_name: str, outputs: Iterable[tuple[str, DataType]]) -> str:
    """The task of a model whose endpoint names none: a ``text-embedding*`` model, or a single
    vector output, means embeddings; anything else is chat.

    ``outputs`` are the OUTPUT columns as (name, type). The error columns and the reasoning
    column are left out before counting: they are not what the model answers, and Flink's
    provider checks the one remaining column against the endpoint's task (so ``qsql export``
    writes the endpoint qsql itself uses, and the Flink script, which has neither column,
    gets the same task). qsql's engine and the Flink translator both call this one rule."""
    if model_name.startswith("text-embedding"):
        return EMBEDDINGS
    answers = [dtype for name, dtype in outputs if name not in METADATA_COLUMNS and name != REASONING_COLUMN]
    if len(answers) == 1 and answers[0].kind == "ARRAY":
        element = answers[0].element
        if element is not None and element.kind in ("FLOAT", "DOUBLE"):
            return EMBEDDINGS
    return CHAT


_METADATA_TYPES = {
    ERROR_STRING: lambda t: t.is_character,
    HTTP_STATUS_CODE: lambda t: t.kind == "INT",
    HTTP_HEADERS_MAP: lambda t: (
        t.kind == "MAP"
        and t.key is not None
        and t.key.is_character
        and t.element is not None
        and t.element.kind == "ARRAY"
        and t.element.element is not None
        and t.element.element.is_character
    ),
}
_METADATA_TYPE_NAMES = {ERROR_STRING: "STRING", HTTP_STATUS_CODE: "INT", HTTP_HEADERS_MAP: "MAP<STRING, ARRAY<STRING>>"}


def _check_schema(
    name: str, task: str, inputs: list[Column], all_outputs: list[Column], span: Span, retry: RetryPolicy
) -> None:
    metadata = [c for c in all_outputs if c.name in METADATA_COLUMNS]
    reasoning = [c for c in all_outputs if c.name == REASONING_COLUMN]
    outputs = [c for c in all_outputs if c.name not in METADATA_COLUMNS and c.name != REASONING_COLUMN]
    for column in reasoning:
        if task != CHAT or not column.dtype.is_character:
            raise ValidationError(
                f"output column '{REASONING_COLUMN}' keeps a chat model's reasoning text: it must be STRING "
                "and the model a chat model",
                span,
            )
    if metadata and retry.final_action() != IGNORE:
        raise ValidationError(
            f"output column '{metadata[0].name}' is filled only when failed rows are kept: set "
            "'error-handling-strategy' = 'IGNORE' or 'retry-fallback-strategy' = 'IGNORE'",
            span,
        )
    for column in metadata:
        if not _METADATA_TYPES[column.name](column.dtype):
            raise ValidationError(
                f"output column '{column.name}' must be {_METADATA_TYPE_NAMES[column.name]}, not {column.dtype}", span
            )
    if not inputs or not outputs:
        raise ValidationError(
            f"CREATE MODEL {name} needs INPUT (...) and OUTPUT (...) columns",
            span,
            hint="e.g. INPUT (input STRING) OUTPUT (content STRING)",
        )
    if len(inputs) != 1:
        raise ValidationError(
            f"Model should have exactly one input physical column, but actually has {len(inputs)} physical columns: "
            f"[{', '.join(c.name for c in inputs)}]",
            span,
        )
    if not inputs[0].dtype.is_character:
        raise ValidationError(
            f"the {task} model's input column '{inputs[0].name}' must be STRING, not {inputs[0].dtype}", span
        )
    if len(outputs) != 1:
        raise ValidationError(
            f"Model should have exactly one output physical column, but actually has {len(outputs)} physical columns: "
            f"[{', '.join(c.name for c in outputs)}]",
            span,
        )
    output = outputs[0].dtype
    if task == CHAT and not output.is_character:
        raise ValidationError(
            f"a chat model's output column '{outputs[0].name}' must be STRING, not {output}",
            span,
            hint="ARRAY<FLOAT> outputs are for embedding models ('model' = 'text-embedding-...')",
        )
    if task == EMBEDDINGS and not (
        output.kind == "ARRAY" and output.element is not None and output.element.kind in ("FLOAT", "DOUBLE")
    ):
        raise ValidationError(
            f"an embeddings model's output column '{outputs[0].name}' must be ARRAY<FLOAT> or ARRAY<DOUBLE>, "
            f"not {output}",
            span,
        )


def _api_key(value: str | None, provider: Provider, name: str, span: Span, env_var: str) -> Secret:
    if value:
        problem = _key_problem(value)
        if problem:
            # Never show the key itself: say what is wrong with it and where it came from.
            raise OptionError(
                f"CREATE MODEL {name}: the API key {problem} (a key read from a file with a CRLF line end?); "
                "the key is not shown",
                span,
                hint=f"fix option 'api-key', the environment variable {env_var} or the stored key",
            )
        return Secret(value)
    raise OptionError(
        f"CREATE MODEL {name}: no API key: set option 'api-key', or the environment variable {env_var}, "
        f"or store one with 'qsql keys set {provider.name}'",
        span,
        hint="or run with --stub to use the offline stub server (no key, no network)",
    )
