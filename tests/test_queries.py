"""Query breadth: WITH, set operations, subqueries, outer/cross/comma joins,
USING, OFFSET/FETCH, VALUES as a table, OVER windows, and deep expressions.

Every case marked (Flink 2.3) was run in Apache Flink 2.3.0 on the
same views, batch mode, and its rows copied here. Flink batch gives no row order without ORDER
BY, so such cases compare sorted rows (``SORTED``)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qsql.errors import QsqlError

from .conftest import CHAT_MODEL, SqlRunner

DATA = (
    "CREATE TEMPORARY VIEW t (id, name, score, tag) AS VALUES (1, 'Ann', 2.5, 'a'), "
    "(2, 'bob', CAST(NULL AS DECIMAL(2,1)), 'b'), (3, 'Cy', 4.0, 'a'), (4, CAST(NULL AS STRING), 1.0, 'b');"
    "CREATE TEMPORARY VIEW r (tag, label) AS VALUES ('a', 'Alpha'), ('c', 'Gamma');"
)

SORTED = "sorted"

CASES = [
    # (Flink 2.3) two CTEs, the second reading the first
    (
        "WITH a AS (SELECT id, tag FROM t WHERE id > 1), b AS (SELECT tag, COUNT(*) AS n FROM a GROUP BY tag) "
        "SELECT * FROM b ORDER BY tag",
        [("a", 1), ("b", 2)],
    ),
    # (Flink 2.3)
    ("SELECT tag FROM t UNION SELECT tag FROM r", SORTED, [("a",), ("b",), ("c",)]),
    # (Flink 2.3)
    ("SELECT tag FROM t UNION ALL SELECT tag FROM r", SORTED, [("a",), ("a",), ("a",), ("b",), ("b",), ("c",)]),
    # (Flink 2.3)
    ("SELECT tag FROM t INTERSECT SELECT tag FROM r", [("a",)]),
    # (Flink 2.3)
    ("SELECT tag FROM t INTERSECT ALL SELECT tag FROM t", SORTED, [("a",), ("a",), ("b",), ("b",)]),
    # (Flink 2.3)
    ("SELECT tag FROM t EXCEPT SELECT tag FROM r", [("b",)]),
    # (Flink 2.3)
    ("SELECT tag FROM t EXCEPT ALL SELECT tag FROM r", SORTED, [("a",), ("b",), ("b",)]),
    # (Flink 2.3)
    ("SELECT id FROM t EXCEPT ALL SELECT id FROM t WHERE id > 2 ORDER BY id", [(1,), (2,)]),
    # (Flink 2.3)
    ("SELECT id FROM t UNION SELECT id FROM t ORDER BY id LIMIT 2", [(1,), (2,)]),
    # (Flink 2.3)
    ("SELECT id FROM t WHERE tag IN (SELECT tag FROM r)", SORTED, [(1,), (3,)]),
    # (Flink 2.3)
    ("SELECT id FROM t WHERE tag NOT IN (SELECT tag FROM r)", SORTED, [(2,), (4,)]),
    # (Flink 2.3)
    ("SELECT id, (SELECT MAX(id) FROM t) AS mx FROM t", SORTED, [(1, 4), (2, 4), (3, 4), (4, 4)]),
    # (Flink 2.3) a correlated scalar subquery
    (
        "SELECT id, (SELECT label FROM r WHERE r.tag = t.tag) AS lbl FROM t",
        SORTED,
        [(1, "Alpha"), (2, None), (3, "Alpha"), (4, None)],
    ),
    # (Flink 2.3)
    ("SELECT * FROM (VALUES (1), (2)) AS v(x) WHERE x IN (VALUES 1, 3)", [(1,)]),
    # Correlated EXISTS: Flink 2.3 fails on these VALUES views with "unexpected correlate variable"
    # (its decorrelation of Values); qsql runs them with SQL's meaning.
    ("SELECT id FROM t WHERE EXISTS (SELECT 1 FROM r WHERE r.tag = t.tag)", SORTED, [(1,), (3,)]),
    ("SELECT id FROM t WHERE NOT EXISTS (SELECT 1 FROM r WHERE r.tag = t.tag)", SORTED, [(2,), (4,)]),
    ("SELECT id FROM t WHERE score > (SELECT AVG(score) FROM t u WHERE u.tag = t.tag)", [(3,)]),
    # (Flink 2.3)
    (
        "SELECT t.id, r.label FROM t RIGHT JOIN r ON t.tag = r.tag",
        SORTED,
        [(1, "Alpha"), (3, "Alpha"), (None, "Gamma")],
    ),
    # (Flink 2.3)
    (
        "SELECT t.id, r.label FROM t FULL OUTER JOIN r ON t.tag = r.tag",
        SORTED,
        [(1, "Alpha"), (2, None), (3, "Alpha"), (4, None), (None, "Gamma")],
    ),
    # (Flink 2.3)
    (
        "SELECT t.id, r.label FROM t CROSS JOIN r",
        SORTED,
        [
            (1, "Alpha"),
            (1, "Gamma"),
            (2, "Alpha"),
            (2, "Gamma"),
            (3, "Alpha"),
            (3, "Gamma"),
            (4, "Alpha"),
            (4, "Gamma"),
        ],
    ),
    # (Flink 2.3)
    ("SELECT t.id, r.label FROM t, r WHERE t.tag = r.tag", SORTED, [(1, "Alpha"), (3, "Alpha")]),
    # (Flink 2.3) USING: the joined column first, then the others
    (
        "SELECT * FROM t JOIN r USING (tag)",
        SORTED,
        [("a", 1, "Ann", Decimal("2.5"), "Alpha"), ("a", 3, "Cy", Decimal("4.0"), "Alpha")],
    ),
    # (Flink 2.3)
    (
        "SELECT * FROM t LEFT JOIN r USING (tag)",
        SORTED,
        [
            ("a", 1, "Ann", Decimal("2.5"), "Alpha"),
            ("a", 3, "Cy", Decimal("4.0"), "Alpha"),
            ("b", 2, "bob", None, None),
            ("b", 4, None, Decimal("1.0"), None),
        ],
    ),
    # (Flink 2.3) FULL JOIN USING: the joined column is COALESCE of both sides
    (
        "SELECT * FROM t FULL JOIN r USING (tag)",
        SORTED,
        [
            ("a", 1, "Ann", Decimal("2.5"), "Alpha"),
            ("a", 3, "Cy", Decimal("4.0"), "Alpha"),
            ("b", 2, "bob", None, None),
            ("b", 4, None, Decimal("1.0"), None),
            ("c", None, None, None, "Gamma"),
        ],
    ),
    # (Flink 2.3)
    ("SELECT id FROM t ORDER BY id OFFSET 1 ROWS FETCH FIRST 2 ROWS ONLY", [(2,), (3,)]),
    # (Flink 2.3)
    ("SELECT id FROM t ORDER BY id LIMIT 2 OFFSET 1", [(2,), (3,)]),
    # (Flink 2.3) OFFSET alone, without ORDER BY
    ("SELECT id FROM t OFFSET 1", [(2,), (3,), (4,)]),
    # (Flink 2.3)
    ("SELECT * FROM (VALUES (1, 'x'), (2, 'y')) AS v (a, b)", [(1, "x"), (2, "y")]),
    # (Flink 2.3)
    (
        "SELECT * FROM t JOIN (VALUES ('a', 10)) AS v (tag, w) ON t.tag = v.tag",
        SORTED,
        [(1, "Ann", Decimal("2.5"), "a", "a", 10), (3, "Cy", Decimal("4.0"), "a", "a", 10)],
    ),
    # (Flink 2.3)
    (
        "SELECT id, tag, ROW_NUMBER() OVER (PARTITION BY tag ORDER BY id DESC) AS rn, RANK() OVER (ORDER BY tag) AS rk, "
        "DENSE_RANK() OVER (ORDER BY tag) AS dr FROM t",
        SORTED,
        [(1, "a", 2, 1, 1), (2, "b", 2, 3, 2), (3, "a", 1, 1, 1), (4, "b", 1, 3, 2)],
    ),
    # (Flink 2.3) frames: ROWS n PRECEDING, RANGE up to the current row, RANGE with value offsets
    (
        "SELECT id, SUM(id) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s, "
        "COUNT(*) OVER (PARTITION BY tag) AS c, AVG(score) OVER (PARTITION BY tag ORDER BY id "
        "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS a, "
        "MAX(id) OVER (ORDER BY id RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS m FROM t",
        SORTED,
        [
            (1, 1, 2, Decimal("2.500000"), 2),
            (2, 3, 2, None, 3),
            (3, 5, 2, Decimal("3.250000"), 4),
            (4, 7, 2, Decimal("1.000000"), 4),
        ],
    ),
    # (Flink 2.3)
    (
        "SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS rn, LAG(id) OVER (ORDER BY id) AS lg, "
        "FIRST_VALUE(name) OVER (ORDER BY id) AS fv, SUM(id) OVER (ORDER BY id) AS s, COUNT(name) OVER (ORDER BY id) AS c, "
        "AVG(score) OVER () AS a, PERCENT_RANK() OVER (ORDER BY id) AS pr, CUME_DIST() OVER (ORDER BY id) AS cd, "
        "NTILE(3) OVER (ORDER BY id) AS nt FROM t",
        [
            (1, 1, None, "Ann", 1, 1, Decimal("2.500000"), 0.0, 0.25, 1),
            (2, 2, 1, "Ann", 3, 2, Decimal("2.500000"), 1 / 3, 0.5, 1),
            (3, 3, 2, "Ann", 6, 3, Decimal("2.500000"), 2 / 3, 0.75, 2),
            (4, 4, 3, "Ann", 10, 3, Decimal("2.500000"), 1.0, 1.0, 3),
        ],
    ),
    # (Flink 2.3) LISTAGG over a window joins with ',' as the aggregate does (qsql once joined with '')
    ("SELECT id, LISTAGG(tag) OVER (ORDER BY id) FROM t", [(1, "a"), (2, "a,b"), (3, "a,b,a"), (4, "a,b,a,b")]),
    # (Flink 2.3) ROW_NUMBER de-duplication: the latest row per key
    (
        "SELECT id, tag FROM (SELECT id, tag, ROW_NUMBER() OVER (PARTITION BY tag ORDER BY id DESC) AS rn FROM t) "
        "WHERE rn = 1",
        SORTED,
        [(3, "a"), (4, "b")],
    ),
    # (Flink 2.3) Top-N per group
    (
        "SELECT * FROM (SELECT tag, id, ROW_NUMBER() OVER (PARTITION BY tag ORDER BY score DESC NULLS LAST) AS rn "
        "FROM t) WHERE rn <= 1",
        SORTED,
        [("a", 3, 1), ("b", 4, 1)],
    ),
    # (Flink 2.3) a window over an aggregate
    (
        "SELECT tag, COUNT(*) AS n, RANK() OVER (ORDER BY COUNT(*) DESC) AS r FROM t GROUP BY tag",
        SORTED,
        [("a", 2, 1), ("b", 2, 1)],
    ),
    # semantics as SQL defines them
    (
        "SELECT id, LEAD(id, 2, -1) OVER (ORDER BY id) AS nx, LAST_VALUE(id) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW "
        "AND UNBOUNDED FOLLOWING) AS lv FROM t",
        [(1, 3, 4), (2, 4, 4), (3, -1, 4), (4, -1, 4)],
    ),
    (
        "WITH x (n) AS (VALUES (1), (2)), y AS (SELECT n * 10 AS m FROM x) SELECT x.n, y.m FROM x, y WHERE y.m = x.n * 10",
        SORTED,
        [(1, 10), (2, 20)],
    ),
    (
        "SELECT a FROM (VALUES (1), (2), (2)) AS v (a) INTERSECT ALL SELECT a FROM (VALUES (2), (2), (2)) AS w (a)",
        [(2,), (2,)],
    ),
    (
        "SELECT a FROM (VALUES (1), (2), (2)) AS v (a) EXCEPT ALL SELECT a FROM (VALUES (2)) AS w (a)",
        SORTED,
        [(1,), (2,)],
    ),
    ("SELECT id FROM t WHERE id NOT IN (SELECT CAST(NULL AS INT) FROM r)", []),
    ("SELECT id FROM t WHERE id NOT IN (SELECT id FROM t WHERE id > 100)", SORTED, [(1,), (2,), (3,), (4,)]),
    (
        "SELECT id, EXISTS (SELECT 1 FROM r WHERE r.tag = t.tag) FROM t ORDER BY id",
        [(1, True), (2, False), (3, True), (4, False)],
    ),
    ("SELECT tag FROM t GROUP BY tag HAVING COUNT(*) > (SELECT COUNT(*) FROM r) - 1 ORDER BY tag", [("a",), ("b",)]),
    ("SELECT a.id, b.id FROM t a JOIN t b ON a.id + 1 = b.id AND b.tag <> 'x' ORDER BY a.id", [(1, 2), (2, 3), (3, 4)]),
    ("SELECT x.id FROM (t AS x JOIN r ON x.tag = r.tag) ORDER BY x.id", [(1,), (3,)]),
    # (Flink 2.3) FIRST_VALUE / LAST_VALUE skip NULLs within the frame
    (
        "SELECT id, FIRST_VALUE(name) OVER (PARTITION BY tag ORDER BY id) AS fv, LAST_VALUE(name) OVER (PARTITION BY tag "
        "ORDER BY id) AS lv, LAST_VALUE(name) OVER (PARTITION BY tag ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND "
        "UNBOUNDED FOLLOWING) AS lv2 FROM (VALUES (1, CAST(NULL AS STRING), 'a'), (2, 'bob', 'a'), "
        "(3, CAST(NULL AS STRING), 'a'), (4, 'dan', 'b')) AS v (id, name, tag) ORDER BY id",
        [(1, None, None, "bob"), (2, "bob", "bob", "bob"), (3, "bob", "bob", "bob"), (4, "dan", "dan", "dan")],
    ),
    (
        "SELECT id, SUM(id) OVER w AS s, ROW_NUMBER() OVER w AS rn FROM t WINDOW w AS (PARTITION BY tag ORDER BY id) "
        "ORDER BY id",
        [(1, 1, 1), (2, 2, 1), (3, 4, 2), (4, 6, 2)],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0][:60] for c in CASES])
def test_query_results(sql: SqlRunner, case: tuple) -> None:
    sql(DATA)
    if len(case) == 3:
        query, _, rows = case
        assert sorted(sql.query(query)[1], key=repr) == sorted(rows, key=repr)
    else:
        query, rows = case
        assert sql.query(query)[1] == rows


def test_using_columns_and_names(sql: SqlRunner) -> None:
    sql(DATA)
    # (Flink 2.3) the DESCRIBE of a FULL JOIN USING view: the joined column is nullable
    sql("CREATE TEMPORARY VIEW v4 AS SELECT * FROM t FULL JOIN r USING (tag)")
    described = sql.query("DESCRIBE v4")[1]
    assert [(name, dtype, null) for name, dtype, null, *_ in described] == [
        ("tag", "CHAR(1)", True),
        ("id", "INT", True),
        ("name", "STRING", True),
        ("score", "DECIMAL(2, 1)", True),
        ("label", "CHAR(5)", True),
    ]
    # t.tag and r.tag still name each side
    assert sql.query("SELECT tag, t.tag, r.tag FROM t LEFT JOIN r USING (tag) WHERE id = 2")[1] == [("b", "b", None)]


def test_window_and_subquery_types(sql: SqlRunner) -> None:
    sql(DATA)
    # (Flink 2.3) DESCRIBE of a view over window functions and subqueries
    sql(
        "CREATE TEMPORARY VIEW v3 AS SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS rn, LAG(id) OVER (ORDER BY id) AS lg, "
        "FIRST_VALUE(name) OVER (ORDER BY id) AS fv, SUM(id) OVER (ORDER BY id) AS s, COUNT(name) OVER (ORDER BY id) "
        "AS c, AVG(score) OVER () AS a, PERCENT_RANK() OVER (ORDER BY id) AS pr, CUME_DIST() OVER (ORDER BY id) AS cd, "
        "NTILE(3) OVER (ORDER BY id) AS nt FROM t"
    )
    assert [(n, ty, null) for n, ty, null, *_ in sql.query("DESCRIBE v3")[1]] == [
        ("id", "INT", False),
        ("rn", "BIGINT", False),
        ("lg", "INT", True),
        ("fv", "STRING", True),
        ("s", "INT", False),
        ("c", "BIGINT", False),
        ("a", "DECIMAL(38, 6)", True),
        ("pr", "DOUBLE", False),
        ("cd", "DOUBLE", False),
        ("nt", "BIGINT", False),
    ]
    # (Flink 2.3)
    sql(
        "CREATE TEMPORARY VIEW v5 AS SELECT id, (SELECT MAX(id) FROM t) AS mx, id IN (SELECT id FROM t) AS i, "
        "EXISTS (SELECT 1 FROM r) AS e FROM t"
    )
    assert [(n, ty, null) for n, ty, null, *_ in sql.query("DESCRIBE v5")[1]] == [
        ("id", "INT", False),
        ("mx", "INT", True),
        ("i", "BOOLEAN", False),
        ("e", "BOOLEAN", False),
    ]
    # (Flink 2.3)
    sql("CREATE TEMPORARY VIEW v2 AS SELECT t.id, r.label FROM t LEFT JOIN r ON t.tag = r.tag")
    assert [(n, ty, null) for n, ty, null, *_ in sql.query("DESCRIBE v2")[1]] == [
        ("id", "INT", False),
        ("label", "CHAR(5)", True),
    ]


ERRORS = [
    # (Flink 2.3) SingleValueAggFunction received more than one element.
    ("SELECT id, (SELECT tag FROM r) FROM t", "scalar subquery returned more than one row"),
    # (Flink 2.3)
    ("SELECT id FROM t ORDER BY id OFFSET 3", "Not support limitEnd is max value now!"),
    # (Flink 2.3) Over Agg: The window rank function requires order by clause
    ("SELECT id, ROW_NUMBER() OVER () FROM t", "requires an ORDER BY clause"),
    ("SELECT id FROM t UNION SELECT id, tag FROM t", "Column count mismatch in UNION"),
    ("SELECT id FROM t INTERSECT SELECT tag FROM t", "Type mismatch in column 1 of INTERSECT"),
    ("SELECT id FROM t WHERE id IN (SELECT id, tag FROM t)", "must return exactly one column"),
    ("SELECT (SELECT id, tag FROM t) FROM t", "must return exactly one column"),
    ("SELECT * FROM t JOIN r USING (nope)", "Column 'nope' not found in left table"),
    ("WITH a AS (SELECT 1 AS x), a AS (SELECT 2 AS x) SELECT * FROM a", "Duplicate name 'a' in WITH clause"),
    ("WITH a AS (SELECT * FROM b), b AS (SELECT 1 AS x) SELECT * FROM a", "Object 'b' not found"),
    ("WITH a (x, y) AS (SELECT 1) SELECT * FROM a", "List of column aliases must have same degree"),
    ("SELECT UPPER(name) OVER (ORDER BY id) FROM t", "OVER must be applied to an aggregate or window function"),
    ("SELECT ROW_NUMBER() OVER (ORDER BY id ROWS 1 PRECEDING) FROM t", "ROW/RANGE not allowed with ROW_NUMBER"),
    ("SELECT SUM(id) OVER (ORDER BY id ROWS BETWEEN id PRECEDING AND CURRENT ROW) FROM t", "must be constants"),
    ("SELECT LAG(id, name) OVER (ORDER BY id) FROM t", "must be an integer literal"),
    # (Flink 2.3) Window 'w' not found
    ("SELECT id, SUM(id) OVER w FROM t", "Window 'w' not found"),
]


@pytest.mark.parametrize("query, message", [e for e in ERRORS if e[1] is not None])
def test_errors(sql: SqlRunner, query: str, message: str) -> None:
    sql(DATA)
    with pytest.raises(QsqlError) as caught:
        sql.query(query)
    assert message in caught.value.message


def test_ml_predict_inside_queries(stub_sql: SqlRunner) -> None:
    """ML_PREDICT as users write it: a CTE stages its input, a window ranks its output, a join
    enriches it, a subquery filters it."""
    stub_sql(
        "CREATE TEMPORARY VIEW reviews (id, body, tag) AS VALUES (1, 'good', 'a'), (2, 'bad', 'b'), (3, 'fine', 'a');"
        "CREATE TEMPORARY VIEW tags (tag, label) AS VALUES ('a', 'Alpha'), ('b', 'Beta');" + CHAT_MODEL
    )
    cols, rows = stub_sql.query(
        "WITH staged AS (SELECT id, UPPER(body) AS body, tag FROM reviews WHERE tag IN (SELECT tag FROM tags)), "
        "scored AS (SELECT * FROM ML_PREDICT(TABLE staged, MODEL m, DESCRIPTOR(body))) "
        "SELECT s.id, g.label, ROW_NUMBER() OVER (PARTITION BY s.tag ORDER BY s.id DESC) AS rn, s.content IS NOT NULL "
        "FROM scored s LEFT JOIN tags g ON s.tag = g.tag ORDER BY s.id"
    )
    assert cols == ["id", "label", "rn", "EXPR$3"]
    assert rows == [(1, "Alpha", 2, True), (2, "Beta", 1, True), (3, "Alpha", 1, True)]


def test_hints_as_flink(sql: SqlRunner) -> None:
    sql(
        "CREATE TABLE orders (`user` BIGINT NOT NULL, product VARCHAR(32), amount INT) "
        "WITH ('connector' = 'datagen', 'number-of-rows' = '3'); create temporary view v1 as select * from orders"
    )
    # (Flink 2.3) OPTIONS applies to that scan; a join hint is accepted
    assert sql.query("select count(*) from orders /*+ OPTIONS('number-of-rows' = '1') */")[1] == [(1,)]
    assert sql.query("select /*+ BROADCAST(orders) */ count(*) from orders")[1] == [(3,)]
    assert sql.query("select count(*) /* a comment */ from orders")[1] == [(3,)]
    refused = [
        # (Flink 2.3)
        (
            "select * from v1 /*+ OPTIONS('number-of-rows' = '1') */",
            "View '`default_catalog`.`default_database`.`v1`' cannot be enriched with new options. Hints can only be "
            "applied to tables.",
        ),
        # (Flink 2.3) Unsupported options found for 'datagen'.
        ("select count(*) from orders /*+ OPTIONS('no-such-option' = '1') */", "no-such-option"),
        # (Flink 2.3)
        (
            "select /*+ NO_SUCH_HINT(orders) */ count(*) from orders",
            "Hint: NO_SUCH_HINT should be registered in the HintStrategyTable",
        ),
    ]
    for query, message in refused:
        with pytest.raises(QsqlError) as caught:
            sql(query)
        assert message in caught.value.message


def test_show_create_view_prints_flinks_expanded_query(sql: SqlRunner) -> None:
    sql(DATA)
    sql(
        "CREATE TABLE orders (`user` BIGINT NOT NULL, product VARCHAR(32), amount INT, ts TIMESTAMP(3)) "
        "WITH ('connector' = 'datagen', 'number-of-rows' = '3');"
        "create temporary view v1 as select * from orders;"
        "create view v3 as select o.`user`, SUM(amount) AS total from orders o where amount > 10 AND product LIKE 'a%' "
        "group by o.`user` having COUNT(*) > 1 order by total desc limit 5;"
        "CREATE TEMPORARY VIEW v9 AS SELECT t.id, r.label FROM t LEFT JOIN r ON t.tag = r.tag;"
    )
    # (Flink 2.3)
    assert sql("SHOW CREATE VIEW v1").results[-1].text == (
        "CREATE TEMPORARY VIEW `default_catalog`.`default_database`.`v1` (\n  `user`,\n  `product`,\n  `amount`,\n"
        "  `ts`\n)\nAS SELECT `orders`.`user`, `orders`.`product`, `orders`.`amount`, `orders`.`ts`\n"
        "FROM `default_catalog`.`default_database`.`orders` AS `orders`\n"
    )
    # (Flink 2.3)
    assert sql("SHOW CREATE VIEW v3").results[-1].text == (
        "CREATE VIEW `default_catalog`.`default_database`.`v3` (\n  `user`,\n  `total`\n)\n"
        "AS SELECT `o`.`user`, SUM(`o`.`amount`) AS `total`\n"
        "FROM `default_catalog`.`default_database`.`orders` AS `o`\n"
        "WHERE `o`.`amount` > 10 AND `o`.`product` LIKE 'a%'\n"
        "GROUP BY `o`.`user`\nHAVING COUNT(*) > 1\nORDER BY `total` DESC\nFETCH NEXT 5 ROWS ONLY\n"
    )
    # (Flink 2.3)
    assert sql("SHOW CREATE VIEW v9").results[-1].text == (
        "CREATE TEMPORARY VIEW `default_catalog`.`default_database`.`v9` (\n  `id`,\n  `label`\n)\n"
        "AS SELECT `t`.`id`, `r`.`label`\nFROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "LEFT JOIN `default_catalog`.`default_database`.`r` AS `r` ON `t`.`tag` = `r`.`tag`\n"
    )
    # What the expander does not print as Calcite would stays as written.
    sql("CREATE VIEW w AS SELECT CAST(id AS STRING) AS s FROM t")
    assert sql("SHOW CREATE VIEW w").results[-1].text.endswith("AS SELECT CAST(id AS STRING) AS s FROM t\n")


def test_aggregate_filter_clause(sql: SqlRunner) -> None:
    """``agg(...) FILTER (WHERE c)``: only rows where c is TRUE feed that aggregate (Flink 2.3)."""
    sql(DATA)
    assert sql.query(
        "SELECT tag, COUNT(*) FILTER (WHERE score > 2) AS hi, SUM(score) FILTER (WHERE name IS NOT NULL) AS s, "
        "COUNT(name) FILTER (WHERE id > 1) AS c FROM t GROUP BY tag ORDER BY tag"
    )[1] == [("a", 2, Decimal("6.5"), 1), ("b", 0, None, 1)]
    assert sql.query("SELECT COUNT(*) FILTER (WHERE id > 10) AS n FROM t")[1] == [(0,)]


@pytest.mark.parametrize(
    "select, message",
    [
        # (Flink 2.3) Calcite's messages
        ("COUNT(*) FILTER (WHERE id)", "FILTER clause must be a condition"),
        ("COUNT(*) FILTER (WHERE SUM(id) > 1)", "Aggregate SUM is not allowed in FILTER"),
        ("UPPER(name) FILTER (WHERE id > 1)", "FILTER must be applied to aggregate function"),
    ],
)
def test_aggregate_filter_errors(sql: SqlRunner, select: str, message: str) -> None:
    sql(DATA)
    with pytest.raises(QsqlError) as info:
        sql(f"SELECT {select} FROM t")
    assert info.value.message.startswith(message) and info.value.span is not None


UNNEST_DATA = (
    "CREATE TEMPORARY VIEW arrays (id, arr) AS VALUES (1, ARRAY['a', 'b']), (2, ARRAY_REMOVE(ARRAY['z'], 'z')), "
    "(3, CAST(NULL AS ARRAY<STRING>));"
)


@pytest.mark.parametrize(
    "query, columns, rows",
    [  # (Flink 2.3) each
        (
            "SELECT * FROM arrays CROSS JOIN UNNEST(arr)",
            ["id", "arr", "EXPR$0"],
            [(1, ["a", "b"], "a"), (1, ["a", "b"], "b")],
        ),
        ("SELECT arrays.id, x FROM arrays CROSS JOIN UNNEST(arrays.arr) AS u (x)", ["id", "x"], [(1, "a"), (1, "b")]),
        ("SELECT id, x FROM arrays, UNNEST(arrays.arr) AS u (x)", ["id", "x"], [(1, "a"), (1, "b")]),
        (
            "SELECT id, x FROM arrays LEFT JOIN UNNEST(arr) AS u (x) ON TRUE",
            ["id", "x"],
            [(1, "a"), (1, "b"), (2, None), (3, None)],
        ),
        (
            "SELECT id, x, pos FROM arrays CROSS JOIN UNNEST(arr) WITH ORDINALITY AS u (x, pos)",
            ["id", "x", "pos"],
            [(1, "a", 1), (1, "b", 2)],
        ),
        (
            "SELECT * FROM (VALUES (1, MAP['k1', 10, 'k2', 20])) AS m (id, mp) CROSS JOIN UNNEST(mp)",
            ["id", "mp", "KEY", "VALUE"],
            [(1, {"k1": 10, "k2": 20}, "k1", 10), (1, {"k1": 10, "k2": 20}, "k2", 20)],
        ),
        (
            "SELECT id, EXPR$0, EXPR$1 FROM (VALUES (1, ARRAY[ROW(1, 'x'), ROW(2, 'y')])) AS r (id, rs) "
            "CROSS JOIN UNNEST(rs)",
            ["id", "EXPR$0", "EXPR$1"],
            [(1, 1, "x"), (1, 2, "y")],
        ),
        ("SELECT * FROM UNNEST(ARRAY[1, 2]) AS u (x)", ["x"], [(1,), (2,)]),
        ("SELECT id, x FROM arrays JOIN UNNEST(arr) AS u (x) ON TRUE", ["id", "x"], [(1, "a"), (1, "b")]),
        ("SELECT id, x FROM arrays JOIN UNNEST(arr) AS u (x) ON x = 'a'", ["id", "x"], [(1, "a")]),
        (
            "SELECT id, x FROM arrays LEFT JOIN UNNEST(arr) AS u (x) ON x = 'a'",
            ["id", "x"],
            [(1, "a"), (2, None), (3, None)],
        ),
        ("SELECT u.* FROM arrays CROSS JOIN UNNEST(arrays.arr) AS u", ["u"], [("a",), ("b",)]),
    ],
)
def test_unnest(sql: SqlRunner, query: str, columns: list[str], rows: list[tuple]) -> None:
    sql(UNNEST_DATA)
    assert sql.query(query) == (columns, rows)


def test_unnest_types_as_flink_describes_them(sql: SqlRunner) -> None:
    sql(UNNEST_DATA + "CREATE TEMPORARY VIEW u AS SELECT id, x FROM arrays LEFT JOIN UNNEST(arr) AS u (x) ON TRUE;")
    # (Flink 2.3)
    assert [(r[0], r[1], r[2]) for r in sql.query("DESCRIBE u")[1]] == [("id", "INT", False), ("x", "STRING", True)]


@pytest.mark.parametrize(
    "query, message",
    [
        ("SELECT * FROM arrays RIGHT JOIN UNNEST(arr) AS u (x) ON TRUE", "UNNEST can only be joined with"),
        ("SELECT * FROM arrays JOIN UNNEST(arr) AS u (x) ON x", "ON needs a BOOLEAN condition"),
        ("SELECT * FROM arrays CROSS JOIN UNNEST(id)", "UNNEST needs an ARRAY or a MAP, not INT"),
        ("SELECT * FROM arrays CROSS JOIN UNNEST(arr) AS u (x, y)", "List of column aliases must have same degree"),
    ],
)
def test_unnest_errors(sql: SqlRunner, query: str, message: str) -> None:
    sql(UNNEST_DATA)
    with pytest.raises(QsqlError) as info:
        sql(query)
    assert info.value.message.startswith(message) and info.value.span is not None


@pytest.mark.parametrize(
    "query, clause",
    [  # (Flink 2.3) both fail with "Column '...' not found in any table"
        ("SELECT UPPER(name) AS who, COUNT(*) AS n FROM t GROUP BY who", "GROUP BY"),
        ("SELECT tag, COUNT(*) AS n FROM t GROUP BY tag HAVING n > 1", "HAVING"),
    ],
)
def test_a_select_alias_in_group_by_or_having_is_refused_with_a_hint(sql: SqlRunner, query: str, clause: str) -> None:
    sql(DATA)
    with pytest.raises(QsqlError) as info:
        sql(query)
    assert "not found in any table" in info.value.message
    assert info.value.hint is not None and f"which Flink does not allow in {clause}" in info.value.hint


@pytest.mark.parametrize(
    ("statement", "message", "column"),
    [
        # Flink 2.3's text and column (the first alias) for each kind of alias list, checked with the oracle.
        (
            "SELECT * FROM t AS u (x, y, z)",
            "List of column aliases must have same degree as table; table has 2 columns ('a', 'b'), "
            "whereas alias list has 3 columns",
            23,
        ),
        (
            "SELECT * FROM (SELECT 1, 2) AS u (x, y, z)",
            "List of column aliases must have same degree as table; table has 2 columns ('EXPR$0', 'EXPR$1'), "
            "whereas alias list has 3 columns",
            35,
        ),
        (
            "SELECT * FROM t CROSS JOIN UNNEST(ARRAY[1]) AS u (x, y)",
            "List of column aliases must have same degree as table; table has 1 columns ('EXPR$0'), "
            "whereas alias list has 2 columns",
            51,
        ),
    ],
)
def test_an_alias_list_of_the_wrong_length_gives_calcites_message(
    sql: SqlRunner, statement: str, message: str, column: int
) -> None:
    sql("CREATE TEMPORARY VIEW t AS SELECT 1 AS a, 2 AS b;")
    with pytest.raises(QsqlError) as info:
        sql(statement)
    assert info.value.message == message
    assert info.value.span is not None and (info.value.span.line, info.value.span.column) == (1, column)
