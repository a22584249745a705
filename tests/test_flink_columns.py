"""ML_PREDICT refuses the model column types Flink 2.3's openai provider refuses, when Flink does.

What Flink does (apache/flink, flink-models/flink-model-openai/src/main/java/org/apache/flink/
model/openai/, AbstractOpenAIModelFunction.java at 47a02f63; the same check moved to
OpenAIModelCommons.validateSingleColumnSchema later):
- the constructor (lines 95-98) checks the INPUT schema against ``new VarCharType(MAX_LENGTH)``,
  i.e. nullable STRING; OpenAIChatModelFunction's constructor (c3bf0614, lines 59-62) checks
  the OUTPUT against the same type, OpenAIEmbeddingModelFunction's (80cdd5a8, lines 55-58)
  against ``new ArrayType(new FloatType())``, i.e. nullable ARRAY<FLOAT> of nullable FLOAT;
- validateSingleColumnSchema (lines 143-167): exactly one physical column ("Model should have
  exactly one %s physical column, but actually has %s physical columns: %s"), then
  ``expectedType.equals(logicalType)`` or "%s column %s should be %s, but is a %s.": an exact
  comparison, so VARCHAR(100), CHAR(1), STRING NOT NULL, ARRAY<DOUBLE> are refused;
- OpenAIModelProviderFactory.createModelProvider builds those functions; the planner calls it
  when it converts an ML_PREDICT of the model (a SELECT, an INSERT, a CREATE VIEW over it), not
  at CREATE MODEL, which only stores the model (checked with the Flink 2.3 oracle).
The messages below are those Flink 2.3 printed (root cause, under "Unable to create a model
provider for model ...") for each shape, running tests/flink/provider's stand-in, which repeats
validateSingleColumnSchema, in the oracle: Flink's own type names (VARCHAR(100), STRING NOT NULL,
ARRAY<FLOAT NOT NULL>, ARRAY<FLOAT> NOT NULL) are the ones qsql prints.
"""

from __future__ import annotations

import pytest

from qsql.errors import QsqlTypeError, ValidationError
from qsql.models.flink_columns import check_flink_column_types
from qsql.types import STRING, DataType

from .conftest import SqlRunner

TABLE = "CREATE TEMPORARY VIEW t AS SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, x);\n"
QWEN = "'provider' = 'qwen', 'model' = 'qwen-plus'"
EMBED = "'provider' = 'qwen', 'model' = 'text-embedding-v4'"
CALL = "SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(x))"


@pytest.mark.parametrize(
    "columns, options, message",
    [
        ("INPUT (x VARCHAR(100)) OUTPUT (y STRING)", QWEN, "input column x should be STRING, but is a VARCHAR(100)."),
        ("INPUT (x CHAR(1)) OUTPUT (y STRING)", QWEN, "input column x should be STRING, but is a CHAR(1)."),
        (
            "INPUT (x STRING NOT NULL) OUTPUT (y STRING)",
            QWEN,
            "input column x should be STRING, but is a STRING NOT NULL.",
        ),
        (
            "INPUT (x STRING) OUTPUT (y STRING NOT NULL)",
            QWEN,
            "output column y should be STRING, but is a STRING NOT NULL.",
        ),
        ("INPUT (x STRING) OUTPUT (y VARCHAR(10))", QWEN, "output column y should be STRING, but is a VARCHAR(10)."),
        (
            "INPUT (x STRING) OUTPUT (v ARRAY<DOUBLE>)",
            EMBED,
            "output column v should be ARRAY<FLOAT>, but is a ARRAY<DOUBLE>.",
        ),
        (
            "INPUT (x STRING) OUTPUT (v ARRAY<FLOAT NOT NULL>)",
            EMBED,
            "output column v should be ARRAY<FLOAT>, but is a ARRAY<FLOAT NOT NULL>.",
        ),
        (
            "INPUT (x STRING) OUTPUT (v ARRAY<FLOAT> NOT NULL)",
            EMBED,
            "output column v should be ARRAY<FLOAT>, but is a ARRAY<FLOAT> NOT NULL.",
        ),
        # Flink checks the input first (the abstract constructor runs before the task's).
        (
            "INPUT (x VARCHAR(5)) OUTPUT (y STRING NOT NULL)",
            QWEN,
            "input column x should be STRING, but is a VARCHAR(5).",
        ),
    ],
)
def test_ml_predict_refuses_what_flink_refuses(stub_sql: SqlRunner, columns: str, options: str, message: str) -> None:
    # CREATE MODEL takes the model, as Flink's does: only planning a call of it fails.
    stub_sql(TABLE + f"CREATE MODEL m {columns} WITH ({options});")
    assert stub_sql.session.catalog.models()
    with pytest.raises(ValidationError) as info:
        stub_sql(CALL)
    error = info.value
    assert error.message == message
    assert error.span is not None and (error.span.line, error.span.column) == (1, CALL.index("m,") + 1)
    assert error.hint is not None and "in the model's CREATE MODEL (test.sql:2:" in error.hint


def test_a_view_over_such_a_call_is_refused_at_create_view(stub_sql: SqlRunner) -> None:
    # Flink 2.3 builds the model provider when it converts the view's query: run through the
    # oracle with no provider jar, CREATE MODEL and DESCRIBE MODEL pass and CREATE VIEW ... AS
    # SELECT * FROM ML_PREDICT(...) fails with "Unable to create a model provider for model ...".
    stub_sql(TABLE + f"CREATE MODEL m INPUT (x VARCHAR(100)) OUTPUT (y STRING) WITH ({QWEN});")
    with pytest.raises(ValidationError, match=r"^input column x should be STRING, but is a VARCHAR\(100\)\.$"):
        stub_sql(f"CREATE TEMPORARY VIEW p AS {CALL}")
    assert not stub_sql.session.catalog.relation_exists("p")
    stub_sql("DESCRIBE MODEL m")


def test_the_descriptor_check_comes_first(stub_sql: SqlRunner) -> None:
    # Flink validates the descriptor (SqlMLPredictTableFunction) before it builds the provider.
    stub_sql(TABLE + f"CREATE MODEL m INPUT (x VARCHAR(100)) OUTPUT (y STRING) WITH ({QWEN});")
    with pytest.raises(QsqlTypeError, match="Descriptor column 'id' type INT NOT NULL cannot be assigned"):
        stub_sql("SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(id))")


def test_the_exact_types_plan_and_run(stub_sql: SqlRunner) -> None:
    stub_sql(TABLE + f"CREATE MODEL m INPUT (x STRING) OUTPUT (y STRING) WITH ({QWEN});")
    names, rows = stub_sql.query(CALL)
    assert names == ["id", "x", "y"] and len(rows) == 2
    stub_sql(f"CREATE MODEL e INPUT (x STRING) OUTPUT (v ARRAY<FLOAT>) WITH ({EMBED});")
    names, rows = stub_sql.query("SELECT * FROM ML_PREDICT(TABLE t, MODEL e, DESCRIPTOR(x))")
    assert names == ["id", "x", "v"] and all(isinstance(row[2], list) for row in rows)


def test_qsql_extension_columns_are_not_held_to_flinks_single_output(stub_sql: SqlRunner) -> None:
    # reasoning_content and the error columns are qsql's own (qsql export leaves them out of the
    # Flink OUTPUT); only the answer column must be Flink's type.
    stub_sql(
        TABLE + "CREATE MODEL m INPUT (x STRING) OUTPUT (y STRING, reasoning_content STRING, "
        "`error-string` STRING, `http-status-code` INT, `http-headers-map` MAP<STRING, ARRAY<STRING>>) "
        f"WITH ({QWEN}, 'error-handling-strategy' = 'IGNORE');"
    )
    names, rows = stub_sql.query(CALL)
    assert names == ["id", "x", "y", "reasoning_content", "error-string", "http-status-code", "http-headers-map"]
    assert len(rows) == 2 and all(row[2] is not None and row[4] is None for row in rows)


def test_the_check_itself_without_a_session() -> None:
    check_flink_column_types("openai", "chat", [("x", STRING, None)], [("y", STRING, None)], None)
    with pytest.raises(ValidationError) as info:
        check_flink_column_types(
            "deepseek", "chat", [("x", STRING, None)], [("y", DataType("VARCHAR", length=3), None)], None
        )
    assert info.value.message == "output column y should be STRING, but is a VARCHAR(3)."
    assert (
        info.value.hint
        == "declare y STRING in the model's CREATE MODEL: Flink's openai provider compares the types exactly"
    )


def test_the_hint_names_the_script_that_declared_the_model(stub_sql: SqlRunner) -> None:
    # e.g. qsql run -i init.sql script.sql: the model in one file, the call in another.
    stub_sql(f"CREATE MODEL m INPUT (x STRING) OUTPUT (y STRING NOT NULL) WITH ({QWEN});", source="init.sql")
    stub_sql(TABLE)
    with pytest.raises(ValidationError) as info:
        stub_sql(CALL, source="script.sql")
    assert info.value.hint == (
        "declare y STRING in the model's CREATE MODEL (init.sql:1:41): Flink's openai provider compares the types exactly"
    )
