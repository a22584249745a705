"""JSON_ARRAYAGG, JSON_OBJECTAGG and COLLECT. Cases marked (Flink 2.3) were run in Flink 2.3.0
(batch mode) and their results copied."""

from __future__ import annotations

import pytest

from qsql.errors import QsqlError
from qsql.functions import flink_string_hash, java_hash_map_order

from .conftest import SqlRunner

SRC = (
    "CREATE TEMPORARY VIEW src AS SELECT * FROM (VALUES (1, 'x', 10), (1, 'w', 20), (2, 'y', CAST(NULL AS INT)), "
    "(2, 'z', 5)) AS s(k, s, n);"
)


def test_types_and_values_as_flink(sql: SqlRunner) -> None:
    sql(SRC)
    # (Flink 2.3) every value below
    assert sql.query(
        "SELECT TYPEOF(JSON_ARRAYAGG(s)), TYPEOF(JSON_OBJECTAGG(s VALUE n)), TYPEOF(COLLECT(s)), TYPEOF(COLLECT(n)), "
        "JSON_ARRAYAGG(n NULL ON NULL), JSON_ARRAYAGG(n), JSON_OBJECTAGG(s VALUE n), "
        "JSON_OBJECTAGG(KEY s VALUE n ABSENT ON NULL), CAST(COLLECT(s) AS STRING), CAST(COLLECT(k) AS STRING) FROM src"
    )[1] == [
        (
            "VARCHAR(2000) NOT NULL",
            "VARCHAR(2000) NOT NULL",
            "MULTISET<CHAR(1) NOT NULL> NOT NULL",
            "MULTISET<INT> NOT NULL",
            "[10,20,null,5]",
            "[10,20,5]",
            '{"w":20,"x":10,"y":null,"z":5}',
            '{"w":20,"x":10,"z":5}',
            "{x=1, z=1, w=1, y=1}",
            "{1=2, 2=2}",
        )
    ]


def test_empty_input_and_groups(sql: SqlRunner) -> None:
    sql(SRC)
    # (Flink 2.3) no rows: an empty object, array and multiset, not NULL
    assert sql.query(
        "SELECT JSON_OBJECTAGG(s VALUE n), JSON_ARRAYAGG(s), CAST(COLLECT(s) AS STRING) FROM src WHERE k = 99"
    )[1] == [("{}", "[]", "{}")]
    # (Flink 2.3) ORDER BY inside JSON_ARRAYAGG is accepted and does not order the array;
    # COLLECT's multiset prints in Java's HashMap order ({20=1, 10=1})
    assert sql.query("SELECT k, JSON_ARRAYAGG(n ORDER BY n DESC), CAST(COLLECT(n) AS STRING) FROM src GROUP BY k")[
        1
    ] == [(1, "[10,20]", "{20=1, 10=1}"), (2, "[5]", "{5=1}")]
    assert sql.query("SELECT CAST(COLLECT(DISTINCT k) AS STRING) FROM src")[1] == [("{1=1, 2=1}",)]


def test_json_values_keep_flinks_spelling(sql: SqlRunner) -> None:
    sql(SRC)
    # (Flink 2.3) a ROW is an object of its field names, a DECIMAL keeps its scale
    assert sql.query("SELECT JSON_ARRAYAGG(ROW(k, s)) FROM src WHERE k = 1")[1] == [
        ('[{"EXPR$0":1,"EXPR$1":"x"},{"EXPR$0":1,"EXPR$1":"w"}]',)
    ]
    assert sql.query("SELECT JSON_ARRAYAGG(CAST(n AS DECIMAL(5,2))) FROM src")[1] == [("[10.00,20.00,5.00]",)]


def test_collect_over_a_window_and_into_a_sink(sql: SqlRunner) -> None:
    sql(SRC)
    # (Flink 2.3) COLLECT is allowed with OVER
    assert sql.query("SELECT k, CAST(COLLECT(s) OVER (PARTITION BY k ORDER BY n) AS STRING) FROM src WHERE k = 1")[
        1
    ] == [(1, "{x=1}"), (1, "{x=1, w=1}")]
    run = sql(
        "CREATE TABLE pc (k INT, c MULTISET<STRING>) WITH ('connector' = 'print');"
        "INSERT INTO pc SELECT k, COLLECT(s) FROM src WHERE k = 1 GROUP BY k;"
    )
    assert run.out == "+I[1, {x=1, w=1}]\n"  # (Flink 2.3) the print sink shows a multiset as a map


@pytest.mark.parametrize(
    "query, message",
    [
        # (Flink 2.3)
        (
            "SELECT JSON_OBJECTAGG(k VALUE s) FROM src",
            "Cannot apply 'JSON_OBJECTAGG_NULL_ON_NULL' to arguments of type 'JSON_OBJECTAGG_NULL_ON_NULL(<INTEGER>, "
            "<CHAR(1)>)'. Supported form(s): 'JSON_OBJECTAGG_NULL_ON_NULL(<CHARACTER>, <ANY>)'",
        ),
        # (Flink 2.3) a job failure there
        (
            "SELECT JSON_OBJECTAGG(s VALUE n) FROM (SELECT 'y' AS s, n FROM src)",
            "Key 'y' is already present. Duplicate keys are not allowed in JSON_OBJECTAGG. Please ensure that keys are unique.",
        ),
        # Flink 2.3 fails with a NullPointerException
        ("SELECT JSON_OBJECTAGG(CAST(NULL AS STRING) VALUE n) FROM src", "JSON_OBJECTAGG got a NULL key"),
        (
            "SELECT JSON_ARRAYAGG(DATE '2024-01-01') FROM src",
            "Type 'DATE NOT NULL' is not scalar or cannot be converted into JSON.",
        ),
    ],
)
def test_refusals(sql: SqlRunner, query: str, message: str) -> None:
    sql(SRC)
    with pytest.raises(QsqlError) as info:
        sql(query)
    assert info.value.message == message


def test_over_is_not_allowed_for_the_json_aggregates(sql: SqlRunner) -> None:
    # (Flink 2.3) "Incorrect syntax near the keyword 'OVER'"
    with pytest.raises(QsqlError):
        sql("SELECT JSON_ARRAYAGG(x) OVER () FROM (VALUES 1) t(x)")


def test_hash_orders_are_flinks() -> None:
    # Flink's BinaryStringData hash puts 'x', 'z', 'w', 'y' in this order in a 16-bucket HashMap
    # (Flink 2.3 printed {x=1, z=1, w=1, y=1}); Integer keys hash to themselves.
    assert list(java_hash_map_order({"x": 1, "w": 1, "y": 1, "z": 1}, "VARCHAR")) == ["x", "z", "w", "y"]
    assert list(java_hash_map_order({10: 1, 20: 1}, "INT")) == [20, 10]
    assert flink_string_hash("") != flink_string_hash("a")


def test_show_create_view_spells_the_json_aggregates_as_written(sql: SqlRunner) -> None:
    sql(
        "CREATE TABLE t (x INT) WITH ('connector' = 'datagen', 'number-of-rows' = '2');"
        "CREATE VIEW v AS SELECT JSON_ARRAYAGG(x ABSENT ON NULL) AS j FROM t;"
    )
    text = sql("SHOW CREATE VIEW v").results[-1].text
    assert "JSON_ARRAYAGG(x ABSENT ON NULL)" in text and "_ON_NULL(" not in text
