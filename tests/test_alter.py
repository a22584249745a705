"""ALTER TABLE / ALTER VIEW / ALTER MODEL. Every case marked (Flink 2.3) was run in Flink 2.3.0
(batch mode, default in-memory catalog) and its result or message copied."""

from __future__ import annotations

import pytest

from qsql.errors import CatalogError, QsqlError, ValidationError

from .conftest import SqlRunner

TABLE = (
    "CREATE TABLE t (a INT, b STRING COMMENT 'bee', c DOUBLE) WITH ('connector' = 'datagen', 'number-of-rows' = '2');"
)


def describe(sql: SqlRunner, name: str) -> list[tuple]:
    return [(r[0], r[1], r[2], r[-1]) for r in sql.query(f"DESCRIBE {name}")[1]]


def message(sql: SqlRunner, statement: str, error: type[QsqlError] = QsqlError) -> str:
    with pytest.raises(error) as info:
        sql(statement)
    return info.value.message


def test_rename_table(sql: SqlRunner) -> None:
    sql(TABLE + "ALTER TABLE t RENAME TO t2;")
    assert sql.query("SHOW TABLES")[1] == [("t2",)]  # (Flink 2.3)
    assert message(sql, "ALTER TABLE t RENAME TO t3", CatalogError) == (  # (Flink 2.3)
        "Table `default_catalog`.`default_database`.`t` doesn't exist or is a temporary table."
    )
    sql("ALTER TABLE IF EXISTS t RENAME TO t3")  # (Flink 2.3) no error
    sql("ALTER TABLE t2 RENAME TO default_catalog.default_database.t9")  # (Flink 2.3)
    assert len(sql.query("SELECT * FROM t9")[1]) == 2


def test_rename_onto_an_existing_name_is_refused(sql: SqlRunner) -> None:
    sql(TABLE + "CREATE TABLE t3 (a INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');")
    # (Flink 2.3) "Could not execute ALTER TABLE ..." caused by TableAlreadyExistException
    assert message(sql, "ALTER TABLE t RENAME TO t3", CatalogError) == (
        "Could not execute ALTER TABLE default_catalog.default_database.t RENAME TO "
        "default_catalog.default_database.t3: Table (or view) default_database.t3 already exists in Catalog "
        "default_catalog."
    )
    assert "Table (or view) default_database.t already exists" in message(sql, "ALTER TABLE t RENAME TO t")
    # (Flink 2.3) a temporary table may hold the new name: it then hides the renamed table
    sql(
        "CREATE TEMPORARY TABLE tmp (z INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1'); ALTER TABLE t RENAME TO tmp;"
    )
    assert sql.query("SELECT * FROM tmp LIMIT 1")[0] == ["z"]
    sql("DROP TEMPORARY TABLE tmp")
    assert sql.query("SELECT * FROM tmp LIMIT 1")[0] == ["a", "b", "c"]


def test_set_and_reset_options(sql: SqlRunner) -> None:
    sql(TABLE + "ALTER TABLE t SET ('number-of-rows' = '3', 'fields.a.min' = '1');")
    # (Flink 2.3) SHOW CREATE TABLE after SET
    assert sql("SHOW CREATE TABLE t").results[-1].text == (
        "CREATE TABLE `default_catalog`.`default_database`.`t` (\n  `a` INT,\n"
        "  `b` VARCHAR(2147483647) COMMENT 'bee',\n  `c` DOUBLE\n)\nWITH (\n  'connector' = 'datagen',\n"
        "  'fields.a.min' = '1',\n  'number-of-rows' = '3'\n)\n"
    )
    assert len(sql.query("SELECT * FROM t")[1]) == 3
    sql("ALTER TABLE t RESET ('fields.a.min'); ALTER TABLE t RESET ('nokey'); ALTER TABLE t SET ();")  # (Flink 2.3)
    assert "fields.a.min" not in sql("SHOW CREATE TABLE t").results[-1].text
    # (Flink 2.3)
    assert (
        message(sql, "ALTER TABLE t RESET ('connector')") == "ALTER TABLE RESET does not support changing 'connector'"
    )
    assert message(sql, "ALTER TABLE t RESET ()") == "ALTER TABLE RESET does not support empty key"


def test_set_checks_the_options_like_create(sql: SqlRunner) -> None:
    # Difference: Flink 2.3 stores any option at ALTER and fails when the table is next used;
    # qsql checks them now, as CREATE TABLE does, and keeps the table as it was.
    sql(TABLE)
    with pytest.raises(QsqlError):
        sql("ALTER TABLE t SET ('number-of-rows' = 'abc')")
    assert len(sql.query("SELECT * FROM t")[1]) == 2
    # (Flink 2.3 accepts this ALTER and refuses the table when it is used)
    assert message(sql, "ALTER TABLE t SET ('connector' = 'blackhole')") == (
        "Unsupported option 'number-of-rows' for connector 'blackhole'"
    )
    assert "'connector' = 'datagen'" in sql("SHOW CREATE TABLE t").results[-1].text


def test_add_columns(sql: SqlRunner) -> None:
    sql(TABLE + "ALTER TABLE t ADD d BIGINT COMMENT 'dee'; ALTER TABLE t ADD (e INT FIRST, f STRING AFTER a);")
    # (Flink 2.3) DESCRIBE t
    assert describe(sql, "t") == [
        ("e", "INT", True, ""),
        ("a", "INT", True, ""),
        ("f", "STRING", True, ""),
        ("b", "STRING", True, "bee"),
        ("c", "DOUBLE", True, ""),
        ("d", "BIGINT", True, "dee"),
    ]
    sql("ALTER TABLE t ADD h INT NOT NULL")  # (Flink 2.3) accepted
    assert describe(sql, "t")[-1] == ("h", "INT", False, "")
    assert sql.query("SELECT e, a, f, d FROM t")[0] == ["e", "a", "f", "d"]


@pytest.mark.parametrize(
    "statement, reason",
    [
        # (Flink 2.3) each "Failed to execute ALTER TABLE statement." and the reason on the next line
        ("ALTER TABLE t ADD a INT", "Column `a` already exists in the table."),
        ("ALTER TABLE t ADD g INT AFTER zz", "Referenced column `zz` by 'AFTER' does not exist in the table."),
        ("ALTER TABLE t ADD (x INT, x INT)", "Encounter duplicate column `x`."),
        ("ALTER TABLE t MODIFY zz INT", "Column `zz` does not exist in the table."),
        ("ALTER TABLE t DROP zz", "The column `zz` does not exist in the base table."),
        ("ALTER TABLE t DROP (c, c)", "Duplicate column `c`."),
        ("ALTER TABLE t RENAME zz TO yy", "The column `zz` does not exist in the base table."),
        ("ALTER TABLE t RENAME b TO a", "The column `a` already existed in table schema."),
    ],
)
def test_column_changes_refused_as_flink(sql: SqlRunner, statement: str, reason: str) -> None:
    sql(TABLE)
    assert message(sql, statement, ValidationError) == "Failed to execute ALTER TABLE statement. " + reason
    assert [r[0] for r in describe(sql, "t")] == ["a", "b", "c"]  # unchanged


def test_modify_drop_and_rename_columns(sql: SqlRunner) -> None:
    sql(TABLE + "ALTER TABLE t MODIFY b VARCHAR(10) COMMENT 'new'; ALTER TABLE t MODIFY (c FLOAT FIRST);")
    # (Flink 2.3)
    assert describe(sql, "t") == [("c", "FLOAT", True, ""), ("a", "INT", True, ""), ("b", "VARCHAR(10)", True, "new")]
    sql("ALTER TABLE t MODIFY b VARCHAR(5)")  # (Flink 2.3) MODIFY without COMMENT keeps the comment
    assert describe(sql, "t")[-1] == ("b", "VARCHAR(5)", True, "new")
    sql("ALTER TABLE t MODIFY a INT AFTER a; ALTER TABLE t MODIFY a INT NOT NULL;")  # (Flink 2.3) accepted
    assert describe(sql, "t")[1] == ("a", "INT", False, "")
    sql("ALTER TABLE t RENAME b TO bb; ALTER TABLE t DROP c;")
    # (Flink 2.3) SHOW CREATE TABLE after the changes
    assert sql("SHOW CREATE TABLE t").results[-1].text == (
        "CREATE TABLE `default_catalog`.`default_database`.`t` (\n  `a` INT NOT NULL,\n"
        "  `bb` VARCHAR(5) COMMENT 'new'\n)\nWITH (\n  'connector' = 'datagen',\n  'number-of-rows' = '2'\n)\n"
    )
    assert sql.query("SELECT * FROM t")[0] == ["a", "bb"]
    sql("ALTER TABLE t DROP (a, bb)")  # (Flink 2.3) a table may lose every column
    assert describe(sql, "t") == []


def test_temporary_tables_and_views_are_not_altered(sql: SqlRunner) -> None:
    sql(
        "CREATE TEMPORARY TABLE tt (a INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1'); CREATE TEMPORARY VIEW tv AS SELECT 1 AS x;"
    )
    for statement in (
        "ALTER TABLE tt RENAME TO tt2",
        "ALTER TABLE tt SET ('number-of-rows' = '3')",
        "ALTER TABLE tt ADD b INT",
        "ALTER TABLE tt RENAME a TO z",
    ):
        assert message(sql, statement, CatalogError) == (  # (Flink 2.3)
            "Table `default_catalog`.`default_database`.`tt` doesn't exist or is a temporary table."
        )
    for statement in ("ALTER VIEW tv RENAME TO tv2", "ALTER VIEW tv AS SELECT 2 AS y"):
        assert message(sql, statement, CatalogError) == (  # (Flink 2.3)
            "View `default_catalog`.`default_database`.`tv` doesn't exist or is a temporary view."
        )


def test_alter_view(sql: SqlRunner) -> None:
    sql(
        "CREATE TABLE t (a INT, b STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '2');"
        "CREATE VIEW v AS SELECT a FROM t; ALTER VIEW v AS SELECT a, b FROM t WHERE a > 1;"
    )
    # (Flink 2.3) SHOW CREATE VIEW after ALTER VIEW ... AS
    expected = (
        "(\n  `a`,\n  `b`\n)\nAS SELECT `t`.`a`, `t`.`b`\nFROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "WHERE `t`.`a` > 1"
    )
    assert (
        sql("SHOW CREATE VIEW v")
        .results[-1]
        .text.startswith("CREATE VIEW `default_catalog`.`default_database`.`v` " + expected)
    )
    assert [r[:2] for r in sql.query("DESCRIBE v")[1]] == [("a", "INT"), ("b", "STRING")]  # (Flink 2.3)
    sql("ALTER VIEW v RENAME TO v2")
    assert (
        sql("SHOW CREATE VIEW v2")
        .results[-1]
        .text.startswith(  # (Flink 2.3)
            "CREATE VIEW `default_catalog`.`default_database`.`v2` " + expected
        )
    )
    assert sql.query("SHOW VIEWS")[1] == [("v2",)]
    # (Flink 2.3) the new query is validated; the view is unchanged when it fails
    assert message(sql, "ALTER VIEW v2 AS SELECT zz FROM t").startswith("Column 'zz' not found")
    assert sql.query("SELECT * FROM v2 LIMIT 0")[0] == ["a", "b"]
    # (Flink 2.3)
    assert message(sql, "ALTER VIEW v2 RENAME TO t", CatalogError) == (
        "Could not execute ALTER VIEW default_catalog.default_database.v2 RENAME TO "
        "default_catalog.default_database.t: Table (or view) default_database.t already exists in Catalog "
        "default_catalog."
    )
    assert message(sql, "ALTER VIEW t RENAME TO t9", CatalogError) == "ALTER VIEW for a table is not allowed"
    assert message(sql, "ALTER VIEW nosuch RENAME TO t9", CatalogError) == (
        "View `default_catalog`.`default_database`.`nosuch` doesn't exist or is a temporary view."
    )
    assert message(sql, "ALTER TABLE v2 RENAME TO v3", CatalogError) == (
        "Table `default_catalog`.`default_database`.`v2` doesn't exist or is a temporary table."
    )


def test_a_view_over_an_altered_table_sees_the_change(sql: SqlRunner) -> None:
    sql(
        "CREATE TABLE t (a INT, b STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '2');"
        "CREATE VIEW v AS SELECT * FROM t; ALTER TABLE t DROP b;"
    )
    # the view is planned again when used: the dropped column is gone from it
    with pytest.raises(QsqlError):
        sql("SELECT b FROM v")


def test_alter_model_refusals(sql: SqlRunner) -> None:
    model = (
        "INPUT (x STRING) OUTPUT (y STRING) WITH ('provider' = 'openai', "
        "'endpoint' = 'http://localhost/v1/chat/completions', 'model' = 'gpt-4o', 'api-key' = 'k')"
    )
    sql(f"CREATE MODEL m {model}; CREATE TEMPORARY MODEL tm {model};")
    sql("ALTER MODEL m RENAME TO m2; ALTER MODEL m2 SET ('model' = 'gpt-4o-mini');")  # (Flink 2.3)
    # (Flink 2.3)
    assert message(sql, "ALTER MODEL nosuch RENAME TO z", CatalogError) == (
        "Model `default_catalog`.`default_database`.`nosuch` doesn't exist."
    )
    for statement in ("ALTER MODEL tm RENAME TO tm2", "ALTER MODEL tm SET ('model' = 'gpt-4o-mini')"):
        assert message(sql, statement, CatalogError) == (  # (Flink 2.3)
            "Model `default_catalog`.`default_database`.`tm` is a temporary model."
        )
