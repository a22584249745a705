"""The model options 'requests-per-minute', 'tokens-per-minute' and 'batch-api' (qsql extensions),
checked at CREATE MODEL."""

from __future__ import annotations

import pytest

from qsql.errors import OptionError

from .conftest import SqlRunner


def test_options_are_parsed(sql: SqlRunner) -> None:
    sql(
        "CREATE MODEL m INPUT (input STRING) OUTPUT (content STRING) WITH ('provider' = 'qwen', 'model' = 'qwen-plus', "
        "'api-key' = 'sk', 'requests-per-minute' = '600', 'tokens-per-minute' = '100000', 'batch-api' = 'TRUE');"
    )
    config = _config(sql, "m")
    assert (config.requests_per_minute, config.tokens_per_minute, config.batch_api) == (600, 100_000, True)


def test_defaults(sql: SqlRunner) -> None:
    sql(
        "CREATE MODEL m INPUT (input STRING) OUTPUT (content STRING) WITH ('provider' = 'qwen', 'model' = 'qwen-plus', "
        "'api-key' = 'sk');"
    )
    config = _config(sql, "m")
    assert (config.requests_per_minute, config.tokens_per_minute, config.batch_api) == (None, None, False)


@pytest.mark.parametrize(
    "option, message",
    [
        ("'requests-per-minute' = '0'", "option 'requests-per-minute' must be > 0, got '0'"),
        ("'tokens-per-minute' = 'many'", "option 'tokens-per-minute' must be an integer, got 'many'"),
        ("'batch-api' = 'yes'", "option 'batch-api' must be 'true' or 'false', got 'yes'"),
        (
            "'batch-api' = 'true', 'batch-completion-window' = '12h'",
            "option 'batch-completion-window' must be a whole number of hours from '24h' to '336h', got '12h'",
        ),
        (
            "'batch-api' = 'true', 'batch-completion-window' = '337h'",
            "option 'batch-completion-window' must be a whole number of hours from '24h' to '336h', got '337h'",
        ),
        (
            "'batch-api' = 'true', 'batch-completion-window' = '2d'",
            "option 'batch-completion-window' must be a whole number of hours from '24h' to '336h', got '2d'",
        ),
        ("'batch-api-dry-run' = 'true'", "option 'batch-api-dry-run' applies only with 'batch-api' = 'true'"),
        (
            "'batch-completion-window' = '48h'",
            "option 'batch-completion-window' applies only with 'batch-api' = 'true'",
        ),
    ],
)
def test_bad_values_name_the_option(sql: SqlRunner, option: str, message: str) -> None:
    with pytest.raises(OptionError) as error:
        sql(
            "CREATE MODEL m INPUT (input STRING) OUTPUT (content STRING) WITH ('provider' = 'qwen', "
            f"'model' = 'qwen-plus', 'api-key' = 'sk', {option});"
        )
    assert error.value.message == message


def test_batch_api_needs_a_provider_that_has_one(sql: SqlRunner) -> None:
    with pytest.raises(OptionError, match="provider 'deepseek' has no Batch File API"):
        sql(
            "CREATE MODEL m INPUT (input STRING) OUTPUT (content STRING) WITH ('provider' = 'deepseek', "
            "'endpoint' = 'https://api.deepseek.com/v1', 'model' = 'deepseek-chat', 'api-key' = 'sk', 'batch-api' = 'true');"
        )


def test_misspelt_option_suggests_the_right_one(sql: SqlRunner) -> None:
    with pytest.raises(OptionError) as error:
        sql(
            "CREATE MODEL m INPUT (input STRING) OUTPUT (content STRING) WITH ('provider' = 'qwen', "
            "'model' = 'qwen-plus', 'api-key' = 'sk', 'request-per-minute' = '5');"
        )
    assert error.value.hint == "did you mean 'requests-per-minute'?"


def _config(sql: SqlRunner, name: str):
    return sql.session.catalog.find_model(name).config


def test_batch_completion_window(sql: SqlRunner) -> None:
    sql(
        "CREATE MODEL m INPUT (input STRING) OUTPUT (content STRING) WITH ('provider' = 'qwen', 'model' = 'qwen-plus', "
        "'api-key' = 'sk', 'batch-api' = 'true', 'batch-completion-window' = '336H');"
    )
    assert _config(sql, "m").batch_completion_window == "336h"
    sql(
        "CREATE MODEL d INPUT (input STRING) OUTPUT (content STRING) WITH ('provider' = 'qwen', 'model' = 'qwen-plus', "
        "'api-key' = 'sk', 'batch-api' = 'true');"
    )
    assert _config(sql, "d").batch_completion_window == "24h"
    with pytest.raises(OptionError, match="provider 'openai' takes only '24h', not '48h'"):
        sql(
            "CREATE MODEL o INPUT (input STRING) OUTPUT (content STRING) WITH ('provider' = 'openai', "
            "'endpoint' = 'https://api.openai.com/v1', 'model' = 'gpt-4o-mini', 'api-key' = 'sk', 'batch-api' = 'true', "
            "'batch-completion-window' = '48h');"
        )


def test_batch_dry_run_needs_a_dashscope_chat_model(sql: SqlRunner) -> None:
    sql(
        "CREATE MODEL m INPUT (input STRING) OUTPUT (content STRING) WITH ('provider' = 'qwen', 'model' = 'qwen-plus', "
        "'api-key' = 'sk', 'batch-api' = 'true', 'batch-api-dry-run' = 'true');"
    )
    assert _config(sql, "m").batch_dry_run is True
    with pytest.raises(OptionError, match="'batch-api-dry-run' needs a qwen \\(DashScope\\) chat model"):
        sql(
            "CREATE MODEL o INPUT (input STRING) OUTPUT (content STRING) WITH ('provider' = 'openai', "
            "'endpoint' = 'https://api.openai.com/v1', 'model' = 'gpt-4o-mini', 'api-key' = 'sk', 'batch-api' = 'true', "
            "'batch-api-dry-run' = 'true');"
        )
