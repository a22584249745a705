"""Catalog and session statements: DROP, SHOW, DESCRIBE, SHOW CREATE, ALTER MODEL, CREATE OR
REPLACE, EXPLAIN, statement sets. Layouts marked (Flink 2.3) were copied from Flink 2.3.0."""

from __future__ import annotations

import pytest

from qsql.errors import CatalogError, OptionError, QsqlError, ValidationError
from qsql.render import tableau

from .conftest import SqlRunner

SETUP = (
    "CREATE TEMPORARY TABLE p (id INT NOT NULL, name STRING COMMENT 'who', score DECIMAL(5,2)) COMMENT 'people' "
    "WITH ('connector'='print');"
    "CREATE TEMPORARY VIEW v (a, b) AS VALUES (1, 'x'), (2, 'y');"
    "CREATE TABLE q (id INT) WITH ('connector'='blackhole');"
    "CREATE MODEL m INPUT (input STRING) OUTPUT (content STRING) COMMENT 'a model' WITH ('provider'='openai', "
    "'endpoint'='https://x/v1/chat/completions', 'api-key'='sk-1', 'model'='gpt');"
)


@pytest.fixture
def cat(sql: SqlRunner) -> SqlRunner:
    sql(SETUP)
    return sql


@pytest.mark.parametrize(
    "statement, rows",
    [
        ("SHOW TABLES", [("p",), ("q",), ("v",)]),  # (Flink 2.3) views are listed among tables
        ("SHOW VIEWS", [("v",)]),  # (Flink 2.3)
        ("SHOW TABLES LIKE 'p%'", [("p",)]),  # (Flink 2.3)
        ("SHOW TABLES NOT LIKE 'v%'", [("p",), ("q",)]),  # (Flink 2.3)
        ("SHOW FUNCTIONS ILIKE 'UPPER'", [("upper",)]),  # (Flink 2.3) ILIKE only here
        ("SHOW MODELS", [("m",)]),  # (Flink 2.3)
        ("SHOW MODELS FROM default_database", [("m",)]),  # (Flink 2.3)
        ("SHOW MODELS IN default_catalog.default_database LIKE 'm%'", [("m",)]),
        ("SHOW TABLES FROM default_database NOT LIKE 'v%'", [("p",), ("q",)]),
        ("SHOW VIEWS IN default_database", [("v",)]),
        ("SHOW FUNCTIONS FROM default_database LIKE 'upper'", [("upper",)]),
        ("SHOW CATALOGS", [("default_catalog",)]),  # (Flink 2.3)
        ("SHOW DATABASES LIKE 'def%'", [("default_database",)]),  # (Flink 2.3)
    ],
)
def test_show(cat: SqlRunner, statement: str, rows: list[tuple]) -> None:
    assert cat.query(statement)[1] == rows


@pytest.mark.parametrize(
    "statement, message",
    [
        # (Flink 2.3) each
        ("SHOW MODELS FROM nodb", "Database nodb does not exist in Catalog default_catalog."),
        ("SHOW TABLES FROM nodb", "Database 'default_catalog'.'nodb' doesn't exist."),
        ("SHOW VIEWS FROM nodb", "Database 'default_catalog'.'nodb' doesn't exist."),
        ("SHOW TABLES IN other.default_database", "Catalog other does not exist"),
        ("SHOW MODELS IN other.default_database", "Catalog other does not exist"),
        ("SHOW VIEWS FROM a.b.c", "'a.b.c' has too many parts"),
    ],
)
def test_show_from_an_unknown_database(cat: SqlRunner, statement: str, message: str) -> None:
    with pytest.raises(CatalogError) as info:
        cat(statement)
    assert info.value.message.startswith(message) and info.value.span is not None


@pytest.mark.parametrize("what", ["TABLES", "VIEWS", "MODELS", "COLUMNS FROM p"])
def test_ilike_is_only_for_show_functions_as_in_flink(cat: SqlRunner, what: str) -> None:
    with pytest.raises(QsqlError) as info:  # (Flink 2.3) Encountered "ILIKE"
        cat(f"SHOW {what} ILIKE 'x%'")
    assert "not ILIKE" in info.value.message and info.value.span is not None


def test_show_functions_from_any_database_lists_them_as_flink_does(cat: SqlRunner) -> None:
    assert cat.query("SHOW FUNCTIONS FROM nodb LIKE 'upper'")[1] == [("upper",)]  # (Flink 2.3)


def test_use_and_show_current_as_flink(cat: SqlRunner) -> None:
    # (Flink 2.3) a script for a cluster often starts with these
    cat("USE CATALOG default_catalog; USE default_database; USE default_catalog.default_database;")
    assert cat.query("SHOW CURRENT CATALOG") == (["current catalog name"], [("default_catalog",)])
    assert cat.query("SHOW CURRENT DATABASE") == (["current database name"], [("default_database",)])


@pytest.mark.parametrize(
    "statement, message",
    [  # (Flink 2.3)
        ("USE CATALOG nocat", "A catalog with name [nocat] does not exist."),
        ("USE nodb", "A database with name [nodb] does not exist in the catalog: [default_catalog]."),
        ("USE nocat.default_database", "A catalog with name [nocat] does not exist."),
    ],
)
def test_use_of_another_catalog_or_database(cat: SqlRunner, statement: str, message: str) -> None:
    with pytest.raises(CatalogError) as info:
        cat(statement)
    assert info.value.message == message and info.value.span is not None


def test_describe_table_as_flink_prints_it(cat: SqlRunner) -> None:
    result = cat("DESCRIBE p").results[-1]
    # (Flink 2.3) TableResult.print() of DESCRIBE p
    assert tableau(result) == (
        "+-------+---------------+-------+-----+--------+-----------+---------+\n"
        "|  name |          type |  null | key | extras | watermark | comment |\n"
        "+-------+---------------+-------+-----+--------+-----------+---------+\n"
        "|    id |           INT | FALSE |     |        |           |         |\n"
        "|  name |        STRING |  TRUE |     |        |           |     who |\n"
        "| score | DECIMAL(5, 2) |  TRUE |     |        |           |         |\n"
        "+-------+---------------+-------+-----+--------+-----------+---------+\n"
        "3 rows in set"
    )


def test_describe_view_and_model(cat: SqlRunner) -> None:
    # (Flink 2.3) a view has no comment column; VALUES of equal-length strings give CHAR(1)
    assert cat.query("DESC v") == (
        ["name", "type", "null", "key", "extras", "watermark"],
        [("a", "INT", False, "", "", ""), ("b", "CHAR(1)", False, "", "", "")],
    )
    # (Flink 2.3)
    assert cat.query("DESCRIBE MODEL m") == (
        ["name", "type", "null", "is input"],
        [("input", "STRING", True, True), ("content", "STRING", True, False)],
    )


def test_describe_model_shows_comments_as_flink_does(cat: SqlRunner) -> None:
    cat(
        "CREATE MODEL c INPUT (q STRING COMMENT 'the question') OUTPUT (a STRING) WITH ('provider'='openai', "
        "'endpoint'='https://x/v1/chat/completions', 'api-key'='sk-1', 'model'='gpt');"
    )
    # (Flink 2.3) DescribeModelOperation adds a comment column when any column has a comment
    assert cat.query("DESCRIBE MODEL c") == (
        ["name", "type", "null", "is input", "comment"],
        [("q", "STRING", True, True, "the question"), ("a", "STRING", True, False, None)],
    )
    with pytest.raises(CatalogError) as info:
        cat("DESCRIBE MODEL nope")
    assert info.value.message == "Model with the identifier 'default_catalog.default_database.nope' doesn't exist."


def test_show_create_table_and_model_mask_the_key(cat: SqlRunner) -> None:
    # (Flink 2.3) layout of SHOW CREATE TABLE
    assert cat("SHOW CREATE TABLE p").results[-1].text == (
        "CREATE TEMPORARY TABLE `default_catalog`.`default_database`.`p` (\n"
        "  `id` INT NOT NULL,\n"
        "  `name` VARCHAR(2147483647) COMMENT 'who',\n"
        "  `score` DECIMAL(5, 2)\n"
        ")\n"
        "COMMENT 'people'\n"
        "WITH (\n"
        "  'connector' = 'print'\n"
        ")\n"
    )
    # (Flink 2.3) layout of SHOW CREATE MODEL; Flink shows the key, qsql never does
    assert cat("SHOW CREATE MODEL m").results[-1].text == (
        "CREATE MODEL `default_catalog`.`default_database`.`m`\n"
        "INPUT (`input` VARCHAR(2147483647))\n"
        "OUTPUT (`content` VARCHAR(2147483647))\n"
        "COMMENT 'a model'\n"
        "WITH (\n"
        "  'api-key' = '****',\n"
        "  'endpoint' = 'https://x/v1/chat/completions',\n"
        "  'model' = 'gpt',\n"
        "  'provider' = 'openai'\n"
        ")\n"
    )


def test_show_create_view_keeps_the_query_text(cat: SqlRunner) -> None:
    text = cat("SHOW CREATE VIEW v").results[-1].text
    assert text.startswith(
        "CREATE TEMPORARY VIEW `default_catalog`.`default_database`.`v` (\n  `a`,\n  `b`\n)\nAS VALUES"
    )
    with pytest.raises(CatalogError) as info:
        cat("SHOW CREATE TABLE v")
    assert "is a view" in info.value.message


def test_drop_rules_follow_flink(cat: SqlRunner) -> None:
    with pytest.raises(CatalogError) as info:
        cat("DROP VIEW v")  # (Flink 2.3) a temporary view needs DROP TEMPORARY VIEW
    assert info.value.message == (
        "Temporary view with identifier 'default_catalog.default_database.v' exists. "
        "Drop it first before removing the permanent view."
    )
    cat("DROP TEMPORARY VIEW v")
    cat("DROP VIEW IF EXISTS v")  # (Flink 2.3)
    with pytest.raises(CatalogError) as info:
        cat("DROP TABLE nope")
    # (Flink 2.3)
    assert info.value.message == "Table with identifier 'default_catalog.default_database.nope' does not exist."
    cat("DROP TEMPORARY TABLE p; DROP TABLE q; DROP MODEL m; DROP MODEL IF EXISTS m;")
    assert cat.query("SHOW TABLES")[1] == [] and cat.query("SHOW MODELS")[1] == []
    with pytest.raises(CatalogError) as info:
        cat("DROP MODEL m")
    # (Flink 2.3)
    assert info.value.message == "Model with identifier 'default_catalog.default_database.m' does not exist."


def test_drop_names_the_right_kind(cat: SqlRunner) -> None:
    with pytest.raises(CatalogError) as info:
        cat("DROP TABLE v")
    assert info.value.hint == "'v' is a view: use DROP TEMPORARY VIEW"


def test_alter_model_set_reset_and_rename(cat: SqlRunner) -> None:
    cat("ALTER MODEL m SET ('model' = 'gpt2', 'temperature' = '0.5')")
    config = cat.session.catalog.find_model("m").config
    assert config.model == "gpt2" and config.body_options == {"temperature": 0.5}
    assert config.api_key.reveal() == "sk-1"  # the key survives an ALTER
    cat("ALTER MODEL m RESET ('temperature')")
    assert cat.session.catalog.find_model("m").config.body_options == {}
    cat("ALTER MODEL m RENAME TO m2")
    assert cat.query("SHOW MODELS")[1] == [("m2",)]
    renamed = cat.session.catalog.find_model("m2")
    assert renamed.name == renamed.config.name == "m2"  # the name is kept once, in the config
    cat("ALTER MODEL IF EXISTS nope SET ('a' = 'b')")  # (Flink 2.3) no error


def test_alter_model_is_validated_like_create(cat: SqlRunner) -> None:
    with pytest.raises(OptionError) as info:
        cat("ALTER MODEL m SET ('temperature' = '5')")
    assert "must be in [0, 2]" in info.value.message  # OpenAI's range; Qwen's is [0, 2)
    assert cat.session.catalog.find_model("m").config.body_options == {}  # unchanged


def test_create_or_replace(cat: SqlRunner) -> None:
    # (Flink 2.3) accepted for tables, models and views
    cat("CREATE OR REPLACE TABLE q (id BIGINT, x STRING) WITH ('connector'='blackhole')")
    assert [c.name for c in cat.session.catalog.find_relation("q").columns] == ["id", "x"]
    cat("CREATE OR REPLACE VIEW w AS SELECT 1 AS a; CREATE OR REPLACE VIEW w AS SELECT 2 AS b;")
    assert cat.query("SELECT * FROM w") == (["b"], [(2,)])
    cat(
        "CREATE OR REPLACE MODEL m INPUT (input STRING) OUTPUT (content STRING) WITH ('provider'='qwen', 'api-key'='k', 'model'='qwen-max')"
    )
    assert cat.session.catalog.find_model("m").config.model == "qwen-max"


def test_explain_shows_models_concurrency_batching_and_pushed_filters(cat: SqlRunner) -> None:
    cat(
        "CREATE MODEL e INPUT (input STRING) OUTPUT (v ARRAY<FLOAT>) WITH ('provider'='qwen', 'api-key'='k', "
        "'model'='text-embedding-v4', 'batch-size'='5');"
        "CREATE TABLE sink (a INT, b STRING, v ARRAY<FLOAT>) WITH ('connector'='print');"
    )
    text = (
        cat(
            "EXPLAIN INSERT INTO sink SELECT * FROM ML_PREDICT(TABLE v, MODEL e, DESCRIPTOR(b), "
            "MAP['max-concurrent-operations', '3']) WHERE a > 1"
        )
        .results[-1]
        .text
    )
    lines = text.splitlines()
    assert lines[0] == "Sink(sink, connector=print)"
    assert "ML_PREDICT(model=e [qwen embeddings text-embedding-v4" in lines[2]
    assert "concurrency=3, ordered, batch=5" in lines[2]
    assert lines[3].strip() == "Filter(WHERE)"  # the WHERE runs before the model: no request for dropped rows
    assert "sk-1" not in text and "'k'" not in text


def test_statement_sets(cat: SqlRunner) -> None:
    run = cat("EXECUTE STATEMENT SET BEGIN INSERT INTO p SELECT a, b, 1.5 FROM v; INSERT INTO q SELECT a FROM v; END;")
    assert [r.table for r in run.results[-2:]] == ["p", "q"]
    assert run.out == "+I[1, x, 1.50]\n+I[2, y, 1.50]\n"
    run = cat("BEGIN STATEMENT SET; INSERT INTO p SELECT a, b, 2.5 FROM v; INSERT INTO q SELECT a FROM v; END;")
    assert run.out == "+I[1, x, 2.50]\n+I[2, y, 2.50]\n"


def test_a_statement_set_that_cannot_finish_runs_nothing(cat: SqlRunner) -> None:
    with pytest.raises(QsqlError):
        cat("EXECUTE STATEMENT SET BEGIN INSERT INTO p SELECT a, b, 1 FROM v; INSERT INTO q SELECT b FROM v; END;")
    assert cat.out.getvalue() == ""


def test_only_inserts_inside_begin_statement_set(cat: SqlRunner) -> None:
    with pytest.raises(ValidationError) as info:
        cat("BEGIN STATEMENT SET; SELECT 1;")
    assert "Only INSERT statements are allowed in a statement set" in info.value.message


def test_cached_replies_cost_no_tokens(stub_sql: SqlRunner) -> None:
    stub_sql(
        "CREATE MODEL m INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = 'qwen', 'model' = 'qwen-plus');"
        "CREATE VIEW t (x) AS VALUES ('same'), ('same');"
    )
    first = stub_sql("SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(x))").results[-1].predict[0]
    second = stub_sql("SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(x))").results[-1].predict[0]
    assert first.requests == 1 and first.prompt_tokens > 0
    one_row = first.prompt_tokens
    assert second.requests == 0 and second.prompt_tokens == 0 and second.cache_hits == 2
    assert one_row == 6  # counted once though two rows got the reply


def test_create_table_as_select_as_flink(sql: SqlRunner) -> None:
    # (Flink 2.3) rows, columns and types of each
    run = sql("CREATE TABLE c1 WITH ('connector' = 'print') AS SELECT 1 AS a, 'x' AS b;")
    assert run.out == "+I[1, x]\n"
    assert sql.query("DESCRIBE c1") == (
        ["name", "type", "null", "key", "extras", "watermark"],
        [("a", "INT", False, "", "", ""), ("b", "CHAR(1)", False, "", "", "")],
    )
    run = sql("CREATE TABLE IF NOT EXISTS c1 WITH ('connector' = 'print') AS SELECT 2 AS a, 'y' AS b;")
    assert run.out == "+I[2, y]\n"  # the rows still go into the existing table
    run = sql("CREATE TABLE c3 (c STRING) WITH ('connector' = 'print') AS SELECT 1 AS a, 'x' AS b;")
    assert run.out == "+I[null, 1, x]\n"
    assert [r[0] for r in sql.query("DESCRIBE c3")[1]] == ["c", "a", "b"]


def test_create_table_as_select_refusals_leave_the_catalog_as_it_was(sql: SqlRunner) -> None:
    with pytest.raises(ValidationError) as info:  # (Flink 2.3)
        sql("CREATE TEMPORARY TABLE t WITH ('connector' = 'print') AS SELECT 1 AS a")
    assert info.value.message == "CREATE TABLE AS SELECT syntax does not support to create temporary table yet."
    with pytest.raises(QsqlError):
        sql("CREATE TABLE bad WITH ('connector' = 'print') AS SELECT CAST(s AS INT) AS n FROM (VALUES ('x')) AS v (s)")
    assert sql.query("SHOW TABLES")[1] == []  # the failed insert took its table with it
    with pytest.raises(QsqlError) as syntax:
        sql("CREATE TABLE t WITH ('connector' = 'print')")
    assert "CREATE TABLE needs its columns" in syntax.value.message
