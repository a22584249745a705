"""CREATE MODEL option validation: every bad option gets its own message, at CREATE time."""

from __future__ import annotations

import pytest

from qsql.errors import CatalogError, OptionError, QsqlError, ValidationError
from qsql.models.config import CHAT, EMBEDDINGS

from .conftest import SqlRunner


def create(sql: SqlRunner, options: str, schema: str = "INPUT (input STRING) OUTPUT (content STRING)"):
    sql(f"CREATE MODEL m {schema} WITH ({options})")
    return sql.session.catalog.models()[-1].config


BASE = "'provider' = 'openai', 'endpoint' = 'https://api.openai.com/v1', 'api-key' = 'sk-x', 'model' = 'gpt-4o-mini'"
QWEN = "'provider' = 'qwen', 'api-key' = 'sk-x', 'model' = 'qwen-plus'"


def test_minimal_chat_model(sql: SqlRunner) -> None:
    config = create(sql, BASE)
    assert config.task == CHAT
    assert config.url == "https://api.openai.com/v1/chat/completions"
    assert config.system_prompt == "You are a helpful assistant."
    assert config.body_options == {}
    assert config.api_key.reveal() == "sk-x" and "sk-x" not in repr(config)
    assert config.options["api-key"] == "****"


def test_qwen_endpoint_defaults_to_dashscope(sql: SqlRunner) -> None:
    config = create(sql, "'provider' = 'qwen', 'api-key' = 'k', 'model' = 'qwen-plus'")
    assert config.url == "https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions"


def test_full_endpoint_url_is_kept_and_names_the_task(sql: SqlRunner) -> None:
    config = create(sql, BASE.replace("/v1'", "/v1/chat/completions'"))
    assert config.url == "https://api.openai.com/v1/chat/completions"


def test_embedding_model_is_recognised_by_name_path_or_output(sql: SqlRunner) -> None:
    schema = "INPUT (input STRING) OUTPUT (embedding ARRAY<FLOAT>)"
    by_name = create(
        sql, "'provider' = 'qwen', 'api-key' = 'k', 'model' = 'text-embedding-v4', 'dimension' = '64'", schema
    )
    assert by_name.task == EMBEDDINGS
    assert by_name.url.endswith("/compatible-mode/v1/embeddings")
    assert by_name.body_options == {"dimensions": 64}
    sql("CREATE MODEL e2 INPUT (i STRING) OUTPUT (v ARRAY<DOUBLE>) WITH (" + BASE + ")")
    assert sql.session.catalog.models()[-1].config.task == EMBEDDINGS


def test_sampling_options_in_both_spellings(sql: SqlRunner) -> None:
    config = create(
        sql,
        BASE + ", 'temperature' = '0.5', 'top_p' = '0.9', 'max-tokens' = '100', 'stop' = 'END, STOP',"
        " 'seed' = '7', 'presence-penalty' = '-1', 'n' = '2', 'response-format' = 'json_object', 'system-prompt' = 'Be terse.'",
    )
    assert config.body_options == {
        "temperature": 0.5,
        "top_p": 0.9,
        "max_tokens": 100,
        "stop": ["END", "STOP"],
        "seed": 7,
        "presence_penalty": -1.0,
        "n": 2,
        "response_format": {"type": "json_object"},
    }
    assert config.system_prompt == "Be terse."
    assert config.choices == 2


def test_env_var_expansion_in_any_option(sql: SqlRunner) -> None:
    sql.session.env = {"MY_KEY": "sk-from-env", "MODEL": "qwen-max"}
    config = create(sql, "'provider' = 'qwen', 'api-key' = '${MY_KEY}', 'model' = '${MODEL}'")
    assert config.api_key.reveal() == "sk-from-env" and config.model == "qwen-max"


def test_api_key_from_the_providers_environment_variable(sql: SqlRunner) -> None:
    sql.session.env = {"DASHSCOPE_API_KEY": "sk-dash"}
    config = create(sql, "'provider' = 'qwen', 'model' = 'qwen-plus'")
    assert config.api_key.reveal() == "sk-dash"


def test_stub_needs_no_key_and_does_not_expand_it(sql: SqlRunner) -> None:
    sql.session.stub_base_url = "http://127.0.0.1:9/v1"
    config = create(sql, "'provider' = 'qwen', 'model' = 'qwen-plus', 'api-key' = '${DASHSCOPE_API_KEY}'")
    assert config.url == "http://127.0.0.1:9/v1/chat/completions"


@pytest.mark.parametrize(
    "options, fragment, hint",
    [
        ("'model' = 'x', 'api-key' = 'k'", "missing required option 'provider'", "one of: deepseek, openai, qwen"),
        (
            "'provider' = 'qwenn', 'model' = 'x', 'api-key' = 'k'",
            "unknown model provider 'qwenn'",
            "did you mean 'qwen'?",
        ),
        ("'provider' = 'qwen', 'api-key' = 'k'", "missing required option 'model'", None),
        ("'provider' = 'openai', 'model' = 'x', 'api-key' = 'k'", "missing required option 'endpoint'", None),
        ("'provider' = 'openai', 'endpoint' = 'https://a/v1', 'model' = 'x'", "no API key", None),
        (
            "'provider' = 'qwen', 'model' = 'x', 'api-key' = '${NOT_SET_ANYWHERE}'",
            "environment variable NOT_SET_ANYWHERE, which is not set",
            None,
        ),
        (BASE + ", 'temprature' = '0.5'", "Unsupported option 'temprature'", "did you mean 'temperature'?"),
        (BASE + ", 'frobnicate' = '1'", "Unsupported option 'frobnicate'", "supported options: provider"),
        (BASE + ", 'temperature' = '2.5'", "option 'temperature' must be in [0, 2], got '2.5'", None),
        (QWEN + ", 'temperature' = '2'", "option 'temperature' must be in [0, 2), got '2'", None),
        (BASE + ", 'temperature' = 'hot'", "option 'temperature' must be a number", None),
        (QWEN + ", 'top-p' = '0'", "option 'top-p' must be in (0, 1], got '0'", None),
        (BASE + ", 'top_p' = '1.5'", "option 'top_p' must be in [0, 1]", None),
        (BASE + ", 'max-tokens' = '0'", "option 'max-tokens' must be > 0", None),
        (BASE + ", 'max_tokens' = 'lots'", "option 'max_tokens' must be an integer", None),
        (BASE + ", 'stop' = 'a,,b'", "option 'stop' must be a comma-separated list", None),
        (BASE + ", 'top-p' = '0.5', 'top_p' = '0.5'", "options 'top-p' and 'top_p' are the same option", None),
        (BASE + ", 'model' = 'y'", "option 'model' is given twice", None),
        (BASE + ", 'response-format' = 'xml'", "must be one of text, json_object", None),
        (BASE + ", 'retry-num' = '-1'", "option 'retry-num' must be >= 0", None),
        # Integer options in Flink's OpenAIOptions (32 bits); max-tokens, n, seed, dimension are Long.
        (BASE + ", 'retry-num' = '2147483648'", "option 'retry-num' must be at most 2147483647", None),
        (BASE + ", 'max-context-size' = '3000000000'", "option 'max-context-size' must be at most 2147483647", None),
        (
            BASE + ", 'max-tokens' = '9223372036854775808'",
            "option 'max-tokens' must be at most 9223372036854775807",
            None,
        ),
        (BASE + ", 'error-handling-strategy' = 'PANIC'", "must be one of RETRY, FAILOVER, IGNORE", None),
        (BASE + ", 'retry-fallback-strategy' = 'RETRY'", "must be one of FAILOVER, IGNORE", None),
        (BASE + ", 'context-overflow-action' = 'chop'", "must be one of truncated-tail", None),
        (BASE + ", 'batch-size' = '4'", "applies to embeddings models", None),
        (BASE.replace("https://api.openai.com/v1", "ftp://x"), "must be an http(s) URL", None),
        (BASE + ", 'dimension' = '64'", "applies to embeddings models, but m is a chat model", None),
    ],
)
def test_bad_options(sql: SqlRunner, options: str, fragment: str, hint: str | None) -> None:
    with pytest.raises(OptionError) as info:
        create(sql, options)
    assert fragment in info.value.message
    if hint is not None:
        assert info.value.hint is not None and info.value.hint.startswith(hint)
    assert not sql.session.catalog.models()


@pytest.mark.parametrize(
    "schema, fragment",
    [
        (
            "INPUT (a STRING, b STRING) OUTPUT (content STRING)",
            "exactly one input physical column, but actually has 2 physical columns: [a, b]",
        ),
        ("INPUT (a INT) OUTPUT (content STRING)", "must be STRING, not INT"),
        (
            "INPUT (a STRING) OUTPUT (content STRING, score DOUBLE)",
            "Model should have exactly one output physical column, but actually has 2 physical columns: [content, score]",
        ),
        ("INPUT (a STRING) OUTPUT (score INT)", "a chat model's output column 'score' must be STRING"),
        ("", "needs INPUT (...) and OUTPUT (...)"),
    ],
)
def test_bad_model_schemas(sql: SqlRunner, schema: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        create(sql, BASE, schema)
    assert fragment in info.value.message


def test_embeddings_dimension_validated_for_text_embedding_v4(sql: SqlRunner) -> None:
    with pytest.raises(OptionError) as info:
        create(
            sql,
            "'provider' = 'qwen', 'api-key' = 'k', 'model' = 'text-embedding-v4', 'dimension' = '100'",
            "INPUT (input STRING) OUTPUT (v ARRAY<FLOAT>)",
        )
    assert "must be one of 2048, 1536, 1024, 768, 512, 256, 128, 64" in info.value.message


def test_embeddings_output_must_be_a_float_array(sql: SqlRunner) -> None:
    with pytest.raises(ValidationError) as info:
        create(sql, "'provider' = 'qwen', 'api-key' = 'k', 'model' = 'text-embedding-v4'")
    assert "must be ARRAY<FLOAT> or ARRAY<DOUBLE>" in info.value.message


def test_duplicate_model_and_if_not_exists(sql: SqlRunner) -> None:
    create(sql, BASE)
    with pytest.raises(CatalogError) as info:
        create(sql, BASE)
    assert info.value.message == "Model default_database.m already exists in Catalog default_catalog."
    sql("CREATE MODEL IF NOT EXISTS m INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = 'nonsense')")


def test_option_error_points_at_the_option(sql: SqlRunner) -> None:
    with pytest.raises(QsqlError) as info:
        sql("CREATE MODEL m INPUT (i STRING) OUTPUT (o STRING) WITH (\n" + BASE + ",\n  'temperature' = '9')")
    assert (info.value.span.line, info.value.span.column) == (3, 19)


def test_qwen_json_object_without_json_in_the_prompt_is_warned_about(sql: SqlRunner) -> None:
    run = sql(
        "CREATE MODEL j INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = 'qwen', 'api-key' = 'k', "
        "'model' = 'qwen-plus', 'response-format' = 'json_object');"
    )
    assert "DashScope refuses 'response-format' = 'json_object' unless a message mentions JSON" in run.err
    run = sql(
        "CREATE MODEL j2 INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = 'qwen', 'api-key' = 'k', "
        "'model' = 'qwen-plus', 'response-format' = 'json_object', 'system-prompt' = 'Answer in JSON.');"
    )
    assert run.err == ""
    run = sql(f"CREATE MODEL j3 INPUT (i STRING) OUTPUT (o STRING) WITH ({BASE}, 'response-format' = 'json_object');")
    assert "OpenAI refuses 'response-format' = 'json_object' unless a message mentions JSON" in run.err


def test_deepseek_without_endpoint_hints_at_deepseek(sql: SqlRunner) -> None:
    with pytest.raises(OptionError) as caught:
        sql(
            "CREATE MODEL d INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = 'deepseek', "
            "'model' = 'deepseek-chat', 'api-key' = 'k');"
        )
    assert caught.value.hint == "e.g. 'endpoint' = 'https://api.deepseek.com/v1'"


def test_each_option_default_is_defined_once() -> None:
    from qsql.models.config import DEFAULT_OVERFLOW_ACTION, DEFAULT_SYSTEM_PROMPT, ModelConfig
    from qsql.models.options import SPECS_BY_KEY
    from qsql.models.retry import DEFAULT_RETRIES, RetryPolicy

    assert RetryPolicy().retries == DEFAULT_RETRIES
    assert f"(default {DEFAULT_RETRIES})" in SPECS_BY_KEY["retry-num"].description
    assert ModelConfig.system_prompt == DEFAULT_SYSTEM_PROMPT
    assert ModelConfig.overflow_action == DEFAULT_OVERFLOW_ACTION


@pytest.mark.parametrize(
    "options, warned",
    [
        ("'model' = 'qwen3-8b', 'batch-api' = 'true'", "qwen3-8b thinks by default, in the Batch API too"),
        ("'model' = 'qwen3.5-plus', 'batch-api' = 'true'", "set 'enable-thinking' explicitly"),
        ("'model' = 'qwen3-8b', 'batch-api' = 'true', 'enable-thinking' = 'false'", None),
        ("'model' = 'qwen3-8b'", None),
        ("'model' = 'qwen-plus', 'batch-api' = 'true'", None),
        (
            "'model' = 'qwen3-max', 'batch-api' = 'true', "
            "'endpoint' = 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1'",
            "serves only qwen-max, qwen-plus, qwen-flash, qwen-turbo, not qwen3-max",
        ),
        (
            "'model' = 'qwen-plus', 'endpoint' = 'https://batch.dashscope.aliyuncs.com/compatible-mode/v1'",
            "may answer only after up to 3600 s; raise ML_PREDICT's 'timeout'",
        ),
        (
            "'model' = 'qwen3-max', 'batch-api' = 'true', "
            "'endpoint' = 'https://ws-1.ap-southeast-1.maas.aliyuncs.com/compatible-mode/v1'",
            "in the international region serves only",
        ),
        (
            "'model' = 'qwen-flash', 'batch-api' = 'true', "
            "'endpoint' = 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1'",
            None,
        ),
    ],
)
def test_dashscope_batch_facts_are_warned_about(sql: SqlRunner, options: str, warned: str | None) -> None:
    """The reference's section 1.5: thinking models think in batches too; Singapore's Batch API
    serves four models."""
    run = sql(
        f"CREATE MODEL b INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = 'qwen', 'api-key' = 'k', {options});"
    )
    if warned is None:
        assert run.err == ""
    else:
        assert warned in run.err


def test_text_embedding_v3_dimensions_of_the_china_docs_are_warned_about_abroad(sql: SqlRunner) -> None:
    schema = "INPUT (i STRING) OUTPUT (v ARRAY<FLOAT>)"
    intl = "'endpoint' = 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1'"
    run = sql(
        f"CREATE MODEL e {schema} WITH ('provider' = 'qwen', 'api-key' = 'k', 'model' = 'text-embedding-v3', "
        f"'dimension' = '256', {intl});"
    )
    assert "documented for Beijing only" in run.err
    run = sql(
        f"CREATE MODEL e2 {schema} WITH ('provider' = 'qwen', 'api-key' = 'k', 'model' = 'text-embedding-v3', "
        f"'dimension' = '512', {intl});"
    )
    assert run.err == ""
    run = sql(
        f"CREATE MODEL e3 {schema} WITH ('provider' = 'qwen', 'api-key' = 'k', 'model' = 'text-embedding-v3', "
        "'dimension' = '256');"
    )
    assert run.err == ""


@pytest.mark.parametrize(
    "name, refused", [("o4-mini", True), ("o3", True), ("o3-2025-04-16", True), ("o3-mini", False)]
)
def test_openai_o3_and_o4_mini_take_no_stop(sql: SqlRunner, name: str, refused: bool) -> None:
    options = BASE.replace("'gpt-4o-mini'", f"'{name}'") + ", 'stop' = 'END'"
    if refused:
        with pytest.raises(OptionError, match="option 'stop' is not supported by OpenAI's"):
            create(sql, options)
    else:
        assert create(sql, options).body_options["stop"] == ["END"]
