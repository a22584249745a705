"""ML_PREDICT against the loopback stub server over real sockets: checks, NULLs, order, concurrency."""

from __future__ import annotations

import pytest

from qsql.errors import QsqlError, QsqlTypeError, ValidationError
from qsql.stub import StubOptions, StubServer

from .conftest import CHAT_MODEL, SqlRunner

DATA = (
    "CREATE TEMPORARY VIEW user_info (id, user_name, info, actual_label) AS VALUES "
    "(1, 'mj', 'My name is mj, ID number number: 412721199803135419.', 'positive'), "
    "(2, 'ann', CAST(NULL AS STRING), 'negative'), "
    "(3, 'bo', 'hi, there', 'positive');"
)


def test_seed_pipeline_prints_flink_lines(stub_sql: SqlRunner) -> None:
    run = stub_sql(
        CHAT_MODEL
        + DATA
        + "CREATE TEMPORARY TABLE print_sink (id BIGINT, user_name VARCHAR, predicit_label VARCHAR, actual_label VARCHAR) "
        "WITH ('connector' = 'print');"
        "INSERT INTO print_sink SELECT id, user_name, content AS predicit_label, actual_label "
        "FROM ML_PREDICT(TABLE user_info, MODEL m, DESCRIPTOR(info));"
    )
    assert run.out.splitlines() == [
        "+I[1, mj, [stub] My name is mj, ID number number: 412721199803135419., positive]",
        "+I[3, bo, [stub] hi, there, positive]",
    ]
    # As in Flink 2.3 the NULL row sends nothing and yields nothing; unlike Flink, qsql says so.
    assert "skipped 1 row whose input is NULL" in run.err
    stats = run.results[-1].predict[0]
    assert (stats.rows_in, stats.skipped_null, stats.requests, stats.rows_out) == (3, 1, 2, 2)


def test_select_over_ml_predict_has_input_then_output_columns(stub_sql: SqlRunner) -> None:
    stub_sql(CHAT_MODEL + DATA)
    columns, rows = stub_sql.query("SELECT * FROM ML_PREDICT(TABLE user_info, MODEL m, DESCRIPTOR(info))")
    assert columns == ["id", "user_name", "info", "actual_label", "content"]
    assert rows[1] == (3, "bo", "hi, there", "positive", "[stub] hi, there")


def test_output_name_clash_gets_an_index_as_in_flink(stub_sql: SqlRunner) -> None:
    stub_sql(CHAT_MODEL + "CREATE VIEW t (content) AS VALUES ('x');")
    columns, rows = stub_sql.query("SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(content))")
    assert columns == ["content", "content0"]
    assert rows == [("x", "[stub] x")]


def test_prompt_built_from_several_columns_in_a_view(stub_sql: SqlRunner) -> None:
    stub_sql(
        CHAT_MODEL
        + DATA
        + "CREATE VIEW prompts AS SELECT id, 'Label for ' || user_name || ': ' || info AS prompt FROM user_info;"
    )
    _, rows = stub_sql.query("SELECT id, content FROM ML_PREDICT(TABLE prompts, MODEL m, DESCRIPTOR(prompt)) AS p")
    assert rows[0] == (1, "[stub] Label for mj: My name is mj, ID number number: 412721199803135419.")


@pytest.mark.parametrize(
    "call",
    [  # (Flink 2.3) a parenthesized query is the input, positional or named, bare or in TABLE(...)
        "ML_PREDICT((SELECT id, 'Label: ' || info AS prompt FROM user_info WHERE id < 3), MODEL m, DESCRIPTOR(prompt))",
        "TABLE(ML_PREDICT(INPUT => (SELECT id, 'Label: ' || info AS prompt FROM user_info WHERE id < 3), "
        "MODEL => MODEL m, ARGS => DESCRIPTOR(prompt))) AS p",
    ],
)
def test_a_subquery_as_the_input(stub_sql: SqlRunner, call: str) -> None:
    stub_sql(CHAT_MODEL + DATA)
    columns, rows = stub_sql.query(f"SELECT * FROM {call}")
    assert columns == ["id", "prompt", "content"]
    # row 2's prompt is NULL: no request, no row, as for a table
    assert rows == [
        (
            1,
            "Label: My name is mj, ID number number: 412721199803135419.",
            "[stub] Label: My name is mj, ID number number: 412721199803135419.",
        )
    ]


def test_table_before_a_subquery_is_refused_as_in_flink(stub_sql: SqlRunner) -> None:
    stub_sql(CHAT_MODEL + DATA)
    with pytest.raises(QsqlError):  # (Flink 2.3) "Incorrect syntax near the keyword 'TABLE'"
        stub_sql("SELECT * FROM ML_PREDICT(TABLE (SELECT id, info FROM user_info), MODEL m, DESCRIPTOR(info))")


@pytest.mark.parametrize(
    "call, error_class, message",
    [
        # (Flink 2.3 wording)
        (
            "ML_PREDICT(TABLE user_info, MODEL m, DESCRIPTOR(x))",
            ValidationError,
            "Descriptor column 'x' not found in table columns. Available columns: id, user_name, info, actual_label.",
        ),
        (
            "ML_PREDICT(TABLE user_info, MODEL m, DESCRIPTOR(info, user_name))",
            ValidationError,
            "Number of descriptor columns (2) does not match model input size (1).",
        ),
        (
            "ML_PREDICT(TABLE user_info, MODEL m, DESCRIPTOR(id))",
            QsqlTypeError,
            "Descriptor column 'id' type INT NOT NULL cannot be assigned to model input type STRING at position 0.",
        ),
        (
            "ML_PREDICT(TABLE user_info, MODEL no_such_model, DESCRIPTOR(info))",
            ValidationError,
            "Object 'no_such_model' not found: no model of that name",
        ),
        ("ML_PREDICT(TABLE nope, MODEL m, DESCRIPTOR(info))", ValidationError, "Object 'nope' not found"),
        (
            "ML_PREDICT(TABLE user_info, MODEL m, DESCRIPTOR(info), MAP['async', 'maybe'])",
            ValidationError,
            "'async': Unrecognized option for boolean: maybe",
        ),
        (
            "ML_PREDICT(TABLE user_info, MODEL m, DESCRIPTOR(info), MAP['max-concurrent-operations', '0'])",
            ValidationError,
            "'max-concurrent-operations' must be a positive integer",
        ),
        (
            "ML_PREDICT(TABLE user_info, MODEL m, DESCRIPTOR(info), MAP['output-mode', 'random'])",
            ValidationError,
            "'output-mode' must be one of ordered, allow_unordered, got 'random'",
        ),
        (
            "ML_PREDICT(TABLE user_info, MODEL m, DESCRIPTOR(info), MAP[])",
            ValidationError,
            "Map requires at least 2 arguments",
        ),
        (
            "ML_PREDICT(TABLE user_info, MODEL m, DESCRIPTOR(info), MAP['timeout', '1.5s'])",
            ValidationError,
            "'timeout': cannot parse duration '1.5s': Time interval unit label '.5s' does not match",
        ),
        (
            "ML_PREDICT(TABLE user_info, MODEL m, DESCRIPTOR(info), MAP['timeout', 'soon'])",
            ValidationError,
            "'timeout': cannot parse duration 'soon'",
        ),
    ],
)
def test_ml_predict_argument_errors(
    stub: StubServer, stub_sql: SqlRunner, call: str, error_class: type, message: str
) -> None:
    stub_sql(CHAT_MODEL + DATA)
    with pytest.raises(error_class) as info:
        stub_sql(f"SELECT * FROM {call}")
    assert info.value.message.startswith(message)
    assert stub.stats.requests == 0  # nothing is sent for a statement that cannot run


def test_type_error_in_insert_sends_no_request(stub: StubServer, stub_sql: SqlRunner) -> None:
    stub_sql(CHAT_MODEL + DATA + "CREATE TABLE sink (id INT, n INT) WITH ('connector' = 'print');")
    with pytest.raises(QsqlTypeError):
        stub_sql("INSERT INTO sink SELECT id, content FROM ML_PREDICT(TABLE user_info, MODEL m, DESCRIPTOR(info))")
    assert stub.stats.requests == 0


def many_rows(count: int) -> str:
    rows = ", ".join(f"({i}, 'row {i}')" for i in range(count))
    return f"CREATE TEMPORARY VIEW many (id, txt) AS VALUES {rows};"


@pytest.mark.parametrize(
    "config, limit", [("", 10), (", MAP['max-concurrent-operations', '4']", 4), (", MAP['async', 'false']", 1)]
)
def test_concurrency_is_bounded_and_order_kept(config: str, limit: int) -> None:
    options = StubOptions(latency=0.02, jitter=0.03, seed=7)
    with StubServer(options=options) as server:
        runner = SqlRunner(stub_base_url=server.base_url)
        try:
            runner(CHAT_MODEL + many_rows(40))
            _, rows = runner.query(f"SELECT id, content FROM ML_PREDICT(TABLE many, MODEL m, DESCRIPTOR(txt){config})")
        finally:
            runner.close()
        assert [r[0] for r in rows] == list(range(40))
        assert all(content == f"[stub] row {i}" for i, content in rows)
        # Never more than C in flight; and really concurrent (a loaded machine may not reach C exactly).
        assert min(limit, 3) <= server.stats.max_in_flight <= limit
        assert server.stats.requests == 40


def test_session_setting_sets_concurrency(stub_sql: SqlRunner, stub: StubServer) -> None:
    stub.options.latency = 0.02
    stub_sql.session.settings["table.exec.async-ml-predict.max-concurrent-operations"] = "3"
    stub_sql(CHAT_MODEL + many_rows(12))
    stub_sql.query("SELECT * FROM ML_PREDICT(TABLE many, MODEL m, DESCRIPTOR(txt))")
    assert 2 <= stub.stats.max_in_flight <= 3


def test_unordered_output_has_every_row_once() -> None:
    with StubServer(options=StubOptions(jitter=0.05, seed=3)) as server:
        runner = SqlRunner(stub_base_url=server.base_url)
        try:
            runner(CHAT_MODEL + many_rows(30))
            _, rows = runner.query(
                "SELECT id FROM ML_PREDICT(TABLE many, MODEL m, DESCRIPTOR(txt), MAP['output-mode', 'allow_unordered'])"
            )
        finally:
            runner.close()
    assert sorted(r[0] for r in rows) == list(range(30))


def test_failure_on_one_row_names_it_and_stops(stub_sql: SqlRunner) -> None:
    stub_sql(
        CHAT_MODEL + "CREATE VIEW t (id, txt) AS VALUES (1, 'fine'), (2, 'bad [[stub:status=400]]'), (3, 'fine');"
        "CREATE TABLE sink (id INT, txt STRING, content STRING) WITH ('connector' = 'print');"
    )
    with pytest.raises(QsqlError) as info:
        stub_sql("INSERT INTO sink SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(txt))")
    assert "ML_PREDICT(m) over t, row 2 (id=2, txt=bad [[stub:status=400]]): HTTP 400" in info.value.message
    assert "injected failure (HTTP 400) (InvalidParameter)" in info.value.message
    assert stub_sql.out.getvalue() == "+I[1, fine, [stub] fine]\n"


def test_api_key_is_sent_but_never_shown() -> None:
    with StubServer(options=StubOptions(api_key="sk-right")) as server:
        model = CHAT_MODEL.replace("'sk-test'", "'sk-wrong-secret'").replace(
            "'provider' = 'qwen'", f"'provider' = 'qwen', 'endpoint' = '{server.base_url}'"
        )
        runner = SqlRunner()
        try:
            runner(model + "CREATE VIEW t (txt) AS VALUES ('x');")
            with pytest.raises(QsqlError) as info:
                runner.query("SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(txt))")
        finally:
            runner.close()
        assert "HTTP 401" in info.value.message and "Incorrect API key provided." in info.value.message
        assert "sk-wrong-secret" not in info.value.message + (info.value.hint or "")
        assert server.stats.authorizations == ["Bearer sk-wr***"]
