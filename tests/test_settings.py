"""The settings table (qsql/settings.py): one parser, one default and one message per key,
whichever way a value arrives (SET, config.toml, ML_PREDICT's MAP)."""

from __future__ import annotations

import pytest

from qsql import settings as S
from qsql.errors import ValidationError
from qsql.plan import PredictOptions
from qsql.planner import Planner
from qsql.session import Session
from qsql.shell.help import help_text

from .conftest import SqlRunner


def set_error(key: str, value: str) -> str:
    with Session(env={}) as session, pytest.raises(ValidationError) as info:
        list(session.execute(f"SET '{key}' = '{value}';"))
    return info.value.message


def test_every_known_key_is_checked_when_set_with_one_wording() -> None:
    assert set_error("qsql.cache", "cloud") == "setting 'qsql.cache' must be one of memory, disk, off, got 'cloud'"
    assert set_error("table.exec.async-ml-predict.max-concurrent-operations", "0") == (
        "setting 'table.exec.async-ml-predict.max-concurrent-operations' must be a positive integer, got '0'"
    )


def test_async_is_a_known_key_checked_at_the_set() -> None:
    assert set_error("table.exec.async-ml-predict.async", "maybe") == (
        "setting 'table.exec.async-ml-predict.async': Unrecognized option for boolean: maybe. "
        "Expected either true or false"
    )
    assert "table.exec.async-ml-predict.async" in S.KNOWN_SETTINGS


def test_unknown_keys_are_accepted_as_flink_accepts_them() -> None:
    with Session(env={}) as session:
        list(session.execute("SET 'pipeline.name' = 'anything at all';"))
        assert session.settings["pipeline.name"] == "anything at all"


def test_the_map_and_the_session_share_a_parser_and_the_map_wins() -> None:
    problem = "must be a positive integer"
    assert S.PREDICT_MAX_CONCURRENT.read({}) == 10
    with pytest.raises(ValidationError, match=f"^'max-concurrent-operations' {problem}, got 'x'$"):
        S.PREDICT_MAX_CONCURRENT.check("x", "'max-concurrent-operations'")
    with pytest.raises(ValidationError, match=f"^setting '{S.PREDICT_MAX_CONCURRENT.key}' {problem}, got 'x'$"):
        S.PREDICT_MAX_CONCURRENT.read({S.PREDICT_MAX_CONCURRENT.key: "x"})


def test_plan_defaults_are_the_tables() -> None:
    options = PredictOptions()
    assert options.max_concurrent == S.PREDICT_MAX_CONCURRENT.read({}) == 10
    assert options.timeout == S.PREDICT_TIMEOUT.read({}) == 180.0
    assert options.asynchronous is S.PREDICT_ASYNC.read({}) is True
    assert options.ordered is True


def test_session_values_reach_ml_predict_through_the_table() -> None:
    with Session(env={}) as session:
        list(
            session.execute(
                "SET 'table.exec.async-ml-predict.async' = 'false';SET 'table.exec.async-ml-predict.timeout' = '2 min';"
            )
        )
        options = Planner(session.catalog, session.settings)._predict_options(None)
    assert options.asynchronous is False and options.concurrency == 1
    assert options.timeout == 120.0


def test_shell_defaults_differ_only_where_the_table_says() -> None:
    assert S.OUTPUT_FORMAT.read({}) == "tableau" and S.OUTPUT_FORMAT.read({}, shell=True) == "table"
    assert S.TIMING.read({}) is False and S.TIMING.read({}, shell=True) is True
    assert S.CACHE.read({}, shell=True) == "memory"
    assert S.max_column_width({}) == 30
    assert S.max_column_width({S.MAX_COLUMN_WIDTH.key: "12"}) == 12
    assert S.max_column_width({S.MAX_COLUMN_WIDTH.key: "12", S.TABLE_MAX_COLUMN_WIDTH.key: "7"}) == 7


def test_help_lists_every_setting_with_its_default() -> None:
    text = help_text()
    for setting in S.KNOWN_SETTINGS.values():
        assert setting.key in text
        assert f"(default {setting.shown_default})" in text
        assert setting.default_value is not None  # every default parses


def test_runtime_and_result_modes_are_flinks_values() -> None:
    assert set_error("execution.runtime-mode", "bogus") == (
        "setting 'execution.runtime-mode' must be one of batch, streaming, automatic, got 'bogus'"
    )
    assert set_error("sql-client.execution.result-mode", "grid") == (
        "setting 'sql-client.execution.result-mode' must be one of tableau, table, changelog, got 'grid'"
    )


def test_streaming_mode_is_accepted_with_a_warning(sql: SqlRunner) -> None:
    run = sql("SET 'execution.runtime-mode' = 'BATCH'; SET 'sql-client.execution.result-mode' = 'tableau';")
    assert run.err == ""
    run = sql("SET 'execution.runtime-mode' = 'streaming';")
    assert "warning: qsql runs every statement as Flink's batch mode does" in run.err
    assert sql.session.settings["execution.runtime-mode"] == "streaming"
