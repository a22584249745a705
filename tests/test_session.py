"""The session (qsql/session.py): one script at a time, parsed whole, statements run in order,
the first failure stops it with the statement's position; what the session owns (catalog,
settings, output streams, environment) and that closing it is safe."""

from __future__ import annotations

import io

import pytest

from qsql.errors import QsqlError, render_error
from qsql.executor import ExecutionContext, PredictStats
from qsql.session import InsertResult, QueryResult, Session, StatusResult
from qsql.stub import StubOptions, StubServer

from .conftest import SqlRunner

VIEW = "CREATE TEMPORARY VIEW v(id, name, info) AS VALUES (1, 'mj', 'abc'), (2, 'x', CAST(NULL AS STRING));"


def error_of(sql: SqlRunner, text: str) -> QsqlError:
    with pytest.raises(QsqlError) as info:
        sql(text)
    return info.value


def test_execute_yields_one_result_per_statement_and_runs_each_only_when_asked() -> None:
    with Session(env={}) as session:
        results = session.execute("CREATE VIEW a AS SELECT 1 AS n; SELECT n FROM a; CREATE VIEW b AS SELECT 2;")
        first = next(results)
        assert isinstance(first, StatusResult)
        assert session.catalog.relation_exists("a") and not session.catalog.relation_exists("b")
        second = next(results)
        assert isinstance(second, QueryResult) and second.rows == [(1,)]
        assert not session.catalog.relation_exists("b")  # a generator: the third has not run yet
        list(results)
        assert session.catalog.relation_exists("b")


def test_output_goes_to_the_streams_the_session_was_given() -> None:
    out, err = io.StringIO(), io.StringIO()
    with Session(env={}, out=out, err=err) as session:
        (result,) = [
            r
            for r in session.execute("CREATE TABLE p (n INT) WITH ('connector' = 'print'); INSERT INTO p VALUES (7);")
            if isinstance(r, InsertResult)
        ]
    assert out.getvalue() == "+I[7]\n"
    assert result.rows == 1


def test_keys_come_from_the_environment_the_session_was_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-from-the-process")  # never read: the session has its own
    with StubServer(options=StubOptions(api_key="sk-from-the-session")) as stub:
        script = (
            "CREATE MODEL m INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = 'qwen', 'model' = 'qwen-plus', "
            f"'endpoint' = '{stub.base_url}', 'retry-num' = '0');"
            "CREATE VIEW t (i) AS VALUES ('x');"
            "SELECT o FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(i));"
        )
        with Session(env={}) as session, pytest.raises(QsqlError) as caught:
            list(session.execute(script))
        assert "DASHSCOPE_API_KEY" in caught.value.message
        with Session(env={"DASHSCOPE_API_KEY": "sk-from-the-session"}) as session:
            *_, result = session.execute(script)
        assert isinstance(result, QueryResult) and result.rows == [("[stub] x",)]


def test_set_and_reset_change_the_sessions_settings() -> None:
    with Session(env={}) as session:
        list(session.execute("SET 'qsql.output.format' = 'csv';"))
        assert session.settings["qsql.output.format"] == "csv"
        list(session.execute("RESET 'qsql.output.format';"))
        assert "qsql.output.format" not in session.settings


def test_closing_twice_is_harmless() -> None:
    session = Session(env={})
    list(session.execute("SELECT 1;"))
    session.close()
    session.close()


def test_create_twice_and_if_not_exists(sql: SqlRunner) -> None:
    sql(VIEW)
    error = error_of(sql, VIEW)
    assert "already exists" in error.message
    sql("CREATE TEMPORARY VIEW IF NOT EXISTS v AS SELECT 1")
    assert sql.query("SELECT * FROM v")[0] == ["id", "name", "info"]


def test_failed_statement_leaves_catalog_unchanged_and_stops_the_script(sql: SqlRunner) -> None:
    with pytest.raises(QsqlError):
        sql("CREATE VIEW a AS SELECT 1; CREATE VIEW b AS SELECT nope; CREATE VIEW c AS SELECT 2;")
    assert sql.session.catalog.relation_exists("a")
    assert not sql.session.catalog.relation_exists("b")
    assert not sql.session.catalog.relation_exists("c")


def test_syntax_error_anywhere_runs_nothing(sql: SqlRunner) -> None:
    with pytest.raises(QsqlError):
        sql("CREATE VIEW a AS SELECT 1; SELECT FROM;")
    assert not sql.session.catalog.relation_exists("a")


def test_errors_render_with_file_line_column_and_caret(sql: SqlRunner) -> None:
    error = error_of(sql, "SELECT 1;\nSELECT nope;")
    assert render_error(error).splitlines() == [
        "error: test.sql:2:8: Column 'nope' not found: the query has no FROM clause",
        "  SELECT nope;",
        "         ^^^^",
    ]


@pytest.mark.parametrize("failed, text", [(1, "1 row failed and was kept"), (3, "3 rows failed and were kept")])
def test_failed_rows_message_agrees_in_number(failed: int, text: str) -> None:
    err = io.StringIO()
    with Session(env={}, err=err) as session:
        context = ExecutionContext(session.runtime)
        context.stats.append(PredictStats(model="m", source="v", failed_rows=failed, first_error="boom"))
        session._report_skipped(context)
    assert text in err.getvalue()
