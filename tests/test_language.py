"""The language, table-driven: (sql, expected columns, expected rows). Every case marked
(Flink 2.3) was run in Apache Flink 2.3.0 on the same view and
its rows copied here; the others follow Flink's documented semantics."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qsql.errors import QsqlError

from .conftest import SqlRunner

DATA = (
    "CREATE TEMPORARY VIEW t (id, name, score, tag) AS VALUES (1, 'Ann', 2.5, 'a'), "
    "(2, 'bob', CAST(NULL AS DECIMAL(2,1)), 'b'), (3, 'Cy', 4.0, 'a'), (4, CAST(NULL AS STRING), 1.0, 'b');"
    "CREATE TEMPORARY VIEW r (tag, label) AS VALUES ('a', 'Alpha'), ('c', 'Gamma');"
)

CASES = [
    # (Flink 2.3)
    (
        "SELECT UPPER(name), LOWER(name), CHAR_LENGTH(name), CONCAT(name, '!'), CONCAT_WS('-', name, tag), "
        "SUBSTRING(name, 2), SUBSTRING(name FROM 1 FOR 2), REPLACE(name, 'n', 'N') FROM t",
        [
            ("ANN", "ann", 3, "Ann!", "Ann-a", "nn", "An", "ANN"),
            ("BOB", "bob", 3, "bob!", "bob-b", "ob", "bo", "bob"),
            ("CY", "cy", 2, "Cy!", "Cy-a", "y", "Cy", "Cy"),
            (None, None, None, None, "b", None, None, None),
        ],
    ),
    # (Flink 2.3)
    (
        "SELECT TRIM('  x  '), LTRIM('  x'), RTRIM('x  '), TRIM(BOTH 'x' FROM 'xxaxx'), TRIM(LEADING 'x' FROM 'xxaxx'), "
        "REGEXP_REPLACE('a1b22', '[0-9]+', '#'), REGEXP_EXTRACT('key=val', 'key=(\\w+)', 1), SPLIT_INDEX('a,b,c', ',', 1)",
        [("x", "x", "x", "a", "axx", "a#b#", "val", "b")],
    ),
    # (Flink 2.3)
    (
        "SELECT COALESCE(name, 'none'), IF(score > 2, 'hi', 'lo'), NULLIF(tag, 'a'), ABS(-3), ROUND(2.345, 2), "
        "ROUND(2.5), MOD(7, 3), CARDINALITY(ARRAY[1,2,3]), ARRAY[10,20,30][2] FROM t",
        [
            ("Ann", "hi", None, 3, Decimal("2.35"), Decimal("3"), 1, 3, 20),
            ("bob", "lo", "b", 3, Decimal("2.35"), Decimal("3"), 1, 3, 20),
            ("Cy", "hi", None, 3, Decimal("2.35"), Decimal("3"), 1, 3, 20),
            ("none", "lo", "b", 3, Decimal("2.35"), Decimal("3"), 1, 3, 20),
        ],
    ),
    # (Flink 2.3)
    (
        "SELECT JSON_VALUE('{\"a\": {\"b\": 5}}', '$.a.b'), JSON_VALUE('{\"a\": [1,2]}', '$.a[1]'), JSON_VALUE('not json', '$.a')",
        [("5", "2", None)],
    ),
    # (Flink 2.3)
    (
        "SELECT id, CASE WHEN score > 3 THEN 'high' WHEN score > 2 THEN 'mid' ELSE 'low' END, "
        "CASE tag WHEN 'a' THEN 1 ELSE 0 END FROM t",
        [(1, "mid", 1), (2, "low", 0), (3, "high", 1), (4, "low", 0)],
    ),
    # (Flink 2.3) three-valued logic: a NULL name gives NULL for LIKE
    (
        "SELECT name LIKE 'A%', name NOT LIKE '_o_', id IN (1, 3), id NOT IN (1, 3), id BETWEEN 2 AND 3, score IS NULL FROM t",
        [
            (True, True, True, False, False, False),
            (False, False, False, True, True, True),
            (False, True, True, False, True, False),
            (None, None, False, True, False, False),
        ],
    ),
    # (Flink 2.3)
    (
        "SELECT tag, COUNT(*), COUNT(name), SUM(score), AVG(score), MIN(name), MAX(id), COUNT(DISTINCT tag) "
        "FROM t GROUP BY tag HAVING COUNT(*) > 1 ORDER BY tag",
        [
            ("a", 2, 2, Decimal("6.5"), Decimal("3.250000"), "Ann", 3, 1),
            ("b", 2, 1, Decimal("1.0"), Decimal("1.000000"), "bob", 4, 1),
        ],
    ),
    # (Flink 2.3) AVG of INT stays INT
    ("SELECT AVG(id), SUM(id), AVG(CAST(id AS DOUBLE)) FROM t", [(2, 10, 2.5)]),
    # (Flink 2.3)
    ("SELECT DISTINCT tag FROM t ORDER BY tag DESC", [("b",), ("a",)]),
    # (Flink 2.3)
    ("SELECT id FROM t ORDER BY score DESC NULLS LAST LIMIT 2", [(3,), (1,)]),
    # (Flink 2.3)
    ("SELECT id FROM t UNION ALL SELECT id + 10 FROM t", [(1,), (2,), (3,), (4,), (11,), (12,), (13,), (14,)]),
    # (Flink 2.3)
    (
        "SELECT 5 / 2.0, 5.0 / 2, 1 + 1.5e0, CAST(3 AS TINYINT) + CAST(4 AS SMALLINT), 10 / 4, -7 / 2, 7 % -3",
        [(Decimal("2.500000"), Decimal("2.500000000000"), 2.5, 7, 2, -3, 1)],
    ),
    # (Flink 2.3)
    ("SELECT t.id, r.label FROM t JOIN r ON t.tag = r.tag", [(1, "Alpha"), (3, "Alpha")]),
    # (Flink 2.3)
    (
        "SELECT t.id, r.label FROM t LEFT JOIN r ON t.tag = r.tag ORDER BY t.id",
        [(1, "Alpha"), (2, None), (3, "Alpha"), (4, None)],
    ),
    # (Flink 2.3)
    ("SELECT s.x FROM (SELECT id * 2 AS x FROM t) AS s WHERE s.x > 2", [(4,), (6,), (8,)]),
    # (Flink 2.3) an aggregate over no rows still gives one row
    ("SELECT SUM(score), COUNT(*) FROM t WHERE id > 100", [(None, 0)]),
    # semantics as documented by Flink
    ("SELECT id FROM t WHERE NOT (score > 2) ORDER BY id", [(4,)]),
    ("SELECT id FROM t WHERE score > 2 IS NOT TRUE ORDER BY id", [(2,), (4,)]),
    ("SELECT id, name FROM t ORDER BY name", [(4, None), (1, "Ann"), (3, "Cy"), (2, "bob")]),
    ("SELECT id FROM t ORDER BY 1 DESC LIMIT 1", [(4,)]),
    ("SELECT tag, COUNT(*) AS n FROM t GROUP BY tag ORDER BY n DESC, tag", [("a", 2), ("b", 2)]),
    ("SELECT UPPER(t.tag) AS u, SUM(id) FROM t GROUP BY t.tag ORDER BY u", [("A", 4), ("B", 6)]),
    (
        "SELECT EXTRACT(YEAR FROM DATE '2026-11-30'), EXTRACT(MONTH FROM TIMESTAMP '2026-11-30 10:20:30'), "
        "EXTRACT(HOUR FROM TIMESTAMP '2026-11-30 10:20:30'), DATE_FORMAT(TIMESTAMP '2026-11-30 10:20:30', 'yyyy/MM/dd HH:mm')",
        [(2026, 11, 10, "2026/11/30 10:20")],
    ),
    (
        "SELECT 'a_c' LIKE 'a!_c' ESCAPE '!', 'abc' LIKE 'a!_c' ESCAPE '!', 'x' IN ('y', CAST(NULL AS STRING))",
        [(True, False, None)],
    ),
    ("SELECT ARRAY[1, 2][3], CARDINALITY(ARRAY['a'])", [(None, 1)]),
    ("SELECT CAST(id AS STRING) || ':' || COALESCE(name, '?') FROM t WHERE id < 3", [("1:Ann",), ("2:bob",)]),
]


@pytest.mark.parametrize("query, rows", CASES)
def test_query_results(sql: SqlRunner, query: str, rows: list[tuple]) -> None:
    sql(DATA)
    assert sql.query(query)[1] == rows


def test_column_names(sql: SqlRunner) -> None:
    sql(DATA)
    assert sql.query("SELECT tag, COUNT(*) AS n, COUNT(*) FROM t GROUP BY tag")[0] == ["tag", "n", "EXPR$2"]
    assert sql.query("SELECT * FROM t JOIN r ON t.tag = r.tag")[0] == ["id", "name", "score", "tag", "tag", "label"]


ERRORS = [
    # (Flink 2.3)
    (
        "SELECT UPPER(123)",
        "Cannot apply 'UPPER' to arguments of type 'UPPER(<INTEGER>)'. Supported form(s): 'UPPER(<CHARACTER>)'",
    ),
    ("SELECT FOO(1)", "No match found for function signature FOO(<NUMERIC>)"),
    ("SELECT CAST('2026-01-02' AS DATE) + 0", "Cannot apply '+' to arguments of type '<DATE> + <INTEGER>'"),
    # Flink's wording where it has one
    ("SELECT name, COUNT(*) FROM t GROUP BY tag", "Expression 'name' is not being grouped"),
    ("SELECT id FROM t WHERE COUNT(*) > 1", "Aggregate COUNT is not allowed in WHERE"),
    ("SELECT SUM(name) FROM t", "Cannot apply 'SUM' to arguments of type 'SUM(<VARCHAR(2147483647)>)'"),
    ("SELECT id FROM t UNION ALL SELECT id, name FROM t", "Column count mismatch in UNION ALL"),
    ("SELECT id FROM t UNION ALL SELECT name FROM t", "Type mismatch in column 1 of UNION ALL"),
    ("SELECT id FROM t WHERE name", "WHERE needs a BOOLEAN condition"),
    ("SELECT SUBSTRING(name, 'x') FROM t", "Cannot apply 'SUBSTRING'"),
    ("SELECT LOWER() FROM t", "LOWER takes 1 argument(s), got 0"),
    ("SELECT UPPR(name) FROM t", "No match found for function signature UPPR(<CHARACTER>)"),
    ("SELECT id FROM t ORDER BY 5", "Ordinal out of range"),
    ("SELECT EXTRACT(FORTNIGHT FROM DATE '2026-01-01')", "unknown EXTRACT unit 'FORTNIGHT'"),
    ("SELECT id FROM t JOIN r ON t.tag = r.tag", None),  # not an error: id is unambiguous
    ("SELECT tag FROM t JOIN r ON t.tag = r.tag", "Column 'tag' is ambiguous"),
]


@pytest.mark.parametrize("query, message", ERRORS)
def test_errors(sql: SqlRunner, query: str, message: str | None) -> None:
    sql(DATA)
    if message is None:
        sql(query)
        return
    with pytest.raises(QsqlError) as info:
        sql(query)
    assert message in info.value.message


def test_filter_before_the_model_and_join_its_output_back(stub_sql: SqlRunner, stub) -> None:  # type: ignore[no-untyped-def]
    stub_sql(
        DATA + "CREATE MODEL m INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = 'qwen', 'model' = 'qwen-plus');"
        "CREATE TEMPORARY VIEW prompts AS SELECT id, tag, 'Name: ' || name AS prompt FROM t WHERE name IS NOT NULL AND id <> 2;"
    )
    columns, rows = stub_sql.query(
        "SELECT p.id, r.label, p.o FROM ML_PREDICT(TABLE prompts, MODEL m, DESCRIPTOR(prompt)) AS p "
        "LEFT JOIN r ON p.tag = r.tag ORDER BY p.id"
    )
    assert rows == [(1, "Alpha", "[stub] Name: Ann"), (3, "Alpha", "[stub] Name: Cy")]
    assert stub.stats.requests == 2  # rows 2 and 4 never reached the model


def test_tableau_matches_flinks_print(sql: SqlRunner) -> None:
    from qsql.render import tableau

    result = sql(
        "SELECT 42, TRUE, CAST(NULL AS INT) AS n, 'a, b' AS s, 2.50, 1e7, TIMESTAMP '2026-11-30 10:20:30.5', "
        "CAST(TIMESTAMP '2026-11-30 10:00:00' AS TIMESTAMP(3)), DATE '2026-11-30', ARRAY[1,2], '李雷' AS name, "
        "CAST(0.1 AS FLOAT)"
    ).results[-1]
    # (Flink 2.3) the SQL client's batch table (PrintStyle.tableauWithDataInferredColumnWidths), verbatim
    assert tableau(result).splitlines()[1:4] == [
        "| EXPR$0 | EXPR$1 |      n |    s | EXPR$4 | EXPR$5 |                EXPR$6 |                  EXPR$7 |"
        "     EXPR$8 | EXPR$9 | name | EXPR$11 |",
        "+--------+--------+--------+------+--------+--------+-----------------------+-------------------------+"
        "------------+--------+------+---------+",
        "|     42 |   TRUE | <NULL> | a, b |   2.50 |  1.0E7 | 2026-11-30 10:20:30.5 | 2026-11-30 10:00:00.000 |"
        " 2026-11-30 | [1, 2] | 李雷 |     0.1 |",
    ]


def test_tableau_cuts_long_cells_and_says_empty_set(sql: SqlRunner) -> None:
    from qsql.render import tableau

    result = sql("SELECT 'abcdefghijklmnopqrstuvwxyz0123456789' AS s").results[-1]
    assert tableau(result).splitlines()[3] == "| abcdefghijklmnopqrstuvwxyz0... |"
    assert tableau(result, 40).splitlines()[3].strip("| ").endswith("0123456789")
    assert tableau(sql("SELECT 1 FROM (VALUES (1)) AS t WHERE 1 > 2").results[-1]) == "Empty set"


def test_current_date_and_timestamp(sql: SqlRunner) -> None:
    import datetime as dt

    before = dt.datetime.now()
    columns, rows = sql.query("SELECT CURRENT_DATE, CURRENT_TIMESTAMP, LOCALTIMESTAMP")
    today, now, local = rows[0]
    assert today == dt.date.today() or today == before.date()
    # CURRENT_TIMESTAMP is an instant (TIMESTAMP_LTZ(3) in Flink 2.x), LOCALTIMESTAMP the same
    # moment on the session's clock
    assert now.tzinfo is not None and abs((now.astimezone().replace(tzinfo=None) - before).total_seconds()) < 5
    assert now.astimezone().replace(tzinfo=None) == local
    assert now.microsecond % 1000 == 0  # millisecond precision, as Flink's TIMESTAMP_LTZ(3)


def test_the_current_time_functions_agree_within_a_statement(sql: SqlRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """Flink's batch mode evaluates them once per query: two calls, a view and a subquery in one
    statement see the same instant, however long the statement takes to plan (here a clock that
    moves a second at every reading)."""
    import datetime as real
    import types

    from qsql import expressions, timezone

    class Ticking(real.datetime):
        ticks = 0

        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            cls.ticks += 1
            return real.datetime.now(tz) + real.timedelta(seconds=cls.ticks)

    clock = types.SimpleNamespace(**{**vars(real), "datetime": Ticking})
    monkeypatch.setattr(timezone, "dt", clock)
    monkeypatch.setattr(expressions, "dt", clock)
    sql("CREATE TEMPORARY VIEW stamps AS SELECT CURRENT_TIMESTAMP AS ts")
    columns, rows = sql.query(
        "SELECT CURRENT_TIMESTAMP, NOW(), LOCALTIMESTAMP, (SELECT ts FROM stamps), CURRENT_TIMESTAMP "
        "FROM (VALUES (1), (2), (3)) AS t(x)"
    )
    assert (
        len({row[0] for row in rows} | {row[1] for row in rows} | {row[3] for row in rows} | {row[4] for row in rows})
        == 1
    )
    assert all(row[2] == row[0].astimezone().replace(tzinfo=None) for row in rows)


def test_parsing_leaves_the_garbage_collector_as_it_was() -> None:
    import gc

    from qsql.parser import parse

    assert gc.isenabled()
    parse("SELECT 1")
    assert gc.isenabled()
    gc.disable()
    try:
        parse("SELECT 1")
        assert not gc.isenabled()
    finally:
        gc.enable()
