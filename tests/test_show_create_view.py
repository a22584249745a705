"""SHOW CREATE VIEW prints a view's query as Flink expands it (qsql/expand.py): set operations,
ORDER BY / OFFSET / FETCH after them, subqueries in FROM / IN / EXISTS / as values, WITH, VALUES.

Every expected text is what Apache Flink 2.3.0 printed for the same two tables and view (in batch
mode), copied verbatim: (Flink 2.3) throughout."""

from __future__ import annotations

import pytest

from .conftest import SqlRunner

TABLES = (
    "CREATE TABLE t (a INT, b STRING, c DOUBLE) WITH ('connector' = 'datagen', 'number-of-rows' = '1');"
    "CREATE TABLE u (a INT, b STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1');"
)

# (Flink 2.3) each (CREATE VIEW, SHOW CREATE VIEW's text)
CASES = [
    (
        "CREATE VIEW v1 AS SELECT a, b FROM t UNION ALL SELECT a, b FROM u",
        "CREATE VIEW `default_catalog`.`default_database`.`v1` (\n"
        "  `a`,\n"
        "  `b`\n"
        ")\n"
        "AS SELECT `t`.`a`, `t`.`b`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "UNION ALL\n"
        "SELECT `u`.`a`, `u`.`b`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`\n",
    ),
    (
        "CREATE VIEW v2 AS SELECT a FROM t UNION SELECT a FROM u WHERE a > 1",
        "CREATE VIEW `default_catalog`.`default_database`.`v2` (\n"
        "  `a`\n"
        ")\n"
        "AS SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "UNION\n"
        "SELECT `u`.`a`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`\n"
        "WHERE `u`.`a` > 1\n",
    ),
    (
        "CREATE VIEW v3 AS SELECT a FROM t INTERSECT SELECT a FROM u",
        "CREATE VIEW `default_catalog`.`default_database`.`v3` (\n"
        "  `a`\n"
        ")\n"
        "AS SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "INTERSECT\n"
        "SELECT `u`.`a`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`\n",
    ),
    (
        "CREATE VIEW v4 AS SELECT a FROM t EXCEPT ALL SELECT a FROM u",
        "CREATE VIEW `default_catalog`.`default_database`.`v4` (\n"
        "  `a`\n"
        ")\n"
        "AS SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "EXCEPT ALL\n"
        "SELECT `u`.`a`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`\n",
    ),
    (
        "CREATE VIEW v5 AS (SELECT a FROM t UNION SELECT a FROM u) EXCEPT SELECT a FROM t WHERE b = 'x'",
        "CREATE VIEW `default_catalog`.`default_database`.`v5` (\n"
        "  `a`\n"
        ")\n"
        "AS SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "UNION\n"
        "SELECT `u`.`a`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`\n"
        "EXCEPT\n"
        "SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "WHERE `t`.`b` = 'x'\n",
    ),
    (
        "CREATE VIEW v6 AS SELECT a FROM t UNION ALL SELECT a FROM u UNION ALL SELECT 3",
        "CREATE VIEW `default_catalog`.`default_database`.`v6` (\n"
        "  `a`\n"
        ")\n"
        "AS SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "UNION ALL\n"
        "SELECT `u`.`a`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`\n"
        "UNION ALL\n"
        "SELECT 3\n",
    ),
    (
        "CREATE VIEW v7 AS SELECT a FROM t UNION ALL SELECT a FROM u ORDER BY a LIMIT 5",
        "CREATE VIEW `default_catalog`.`default_database`.`v7` (\n"
        "  `a`\n"
        ")\n"
        "AS SELECT `EXPR$0`.`a`\n"
        "FROM (SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "UNION ALL\n"
        "SELECT `u`.`a`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`) AS `EXPR$0`\n"
        "ORDER BY `a`\n"
        "FETCH NEXT 5 ROWS ONLY\n",
    ),
    (
        "CREATE VIEW v8 AS SELECT s.a, s.x FROM (SELECT a, b AS x FROM t WHERE c > 1) AS s",
        "CREATE VIEW `default_catalog`.`default_database`.`v8` (\n"
        "  `a`,\n"
        "  `x`\n"
        ")\n"
        "AS SELECT `s`.`a`, `s`.`x`\n"
        "FROM (SELECT `t`.`a`, `t`.`b` AS `x`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "WHERE `t`.`c` > 1) AS `s`\n",
    ),
    (
        "CREATE VIEW v9 AS SELECT * FROM (SELECT a, b FROM t) s WHERE s.a > 1",
        "CREATE VIEW `default_catalog`.`default_database`.`v9` (\n"
        "  `a`,\n"
        "  `b`\n"
        ")\n"
        "AS SELECT `s`.`a`, `s`.`b`\n"
        "FROM (SELECT `t`.`a`, `t`.`b`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`) AS `s`\n"
        "WHERE `s`.`a` > 1\n",
    ),
    (
        "CREATE VIEW v10 AS SELECT a, b FROM t WHERE a IN (SELECT a FROM u)",
        "CREATE VIEW `default_catalog`.`default_database`.`v10` (\n"
        "  `a`,\n"
        "  `b`\n"
        ")\n"
        "AS SELECT `t`.`a`, `t`.`b`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "WHERE `t`.`a` IN (SELECT `u`.`a`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`)\n",
    ),
    (
        "CREATE VIEW v11 AS SELECT a FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.a = t.a)",
        "CREATE VIEW `default_catalog`.`default_database`.`v11` (\n"
        "  `a`\n"
        ")\n"
        "AS SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "WHERE EXISTS (SELECT 1\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`\n"
        "WHERE `u`.`a` = `t`.`a`)\n",
    ),
    (
        "CREATE VIEW v12 AS SELECT a, (SELECT MAX(a) FROM u) AS m FROM t",
        "CREATE VIEW `default_catalog`.`default_database`.`v12` (\n"
        "  `a`,\n"
        "  `m`\n"
        ")\n"
        "AS SELECT `t`.`a`, (((SELECT MAX(`u`.`a`)\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`))) AS `m`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n",
    ),
    (
        "CREATE VIEW v13 AS WITH w AS (SELECT a FROM t) SELECT a FROM w",
        "CREATE VIEW `default_catalog`.`default_database`.`v13` (\n"
        "  `a`\n"
        ")\n"
        "AS WITH `w` AS (SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`) SELECT `w`.`a`\n"
        "FROM `w` AS `w`\n",
    ),
    (
        "CREATE VIEW v14 AS VALUES (1, 'x'), (2, 'y')",
        "CREATE VIEW `default_catalog`.`default_database`.`v14` (\n"
        "  `EXPR$0`,\n"
        "  `EXPR$1`\n"
        ")\n"
        "AS VALUES ROW(1, 'x'),\n"
        "ROW(2, 'y')\n",
    ),
    (
        "CREATE VIEW v15 AS SELECT * FROM (VALUES (1, 'x')) AS T(id, s)",
        "CREATE VIEW `default_catalog`.`default_database`.`v15` (\n"
        "  `id`,\n"
        "  `s`\n"
        ")\n"
        "AS SELECT `T`.`id`, `T`.`s`\n"
        "FROM (VALUES ROW(1, 'x')) AS `T` (`id`, `s`)\n",
    ),
    (
        "CREATE VIEW v16 AS SELECT a FROM t WHERE a NOT IN (SELECT a FROM u WHERE b <> 'z') AND c > 0",
        "CREATE VIEW `default_catalog`.`default_database`.`v16` (\n"
        "  `a`\n"
        ")\n"
        "AS SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "WHERE `t`.`a` NOT IN (SELECT `u`.`a`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`\n"
        "WHERE `u`.`b` <> 'z') AND `t`.`c` > 0\n",
    ),
    (
        "CREATE VIEW v17 AS SELECT x.a FROM (SELECT a FROM t UNION ALL SELECT a FROM u) AS x",
        "CREATE VIEW `default_catalog`.`default_database`.`v17` (\n"
        "  `a`\n"
        ")\n"
        "AS SELECT `x`.`a`\n"
        "FROM (SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "UNION ALL\n"
        "SELECT `u`.`a`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`) AS `x`\n",
    ),
    (
        "CREATE VIEW v18 AS SELECT * FROM (SELECT a, b FROM t) AS s (p, q)",
        "CREATE VIEW `default_catalog`.`default_database`.`v18` (\n"
        "  `p`,\n"
        "  `q`\n"
        ")\n"
        "AS SELECT `s`.`p`, `s`.`q`\n"
        "FROM (SELECT `t`.`a`, `t`.`b`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`) AS `s` (`p`, `q`)\n",
    ),
    (
        "CREATE VIEW v19 AS SELECT a FROM t WHERE NOT EXISTS (SELECT * FROM u)",
        "CREATE VIEW `default_catalog`.`default_database`.`v19` (\n"
        "  `a`\n"
        ")\n"
        "AS SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "WHERE NOT EXISTS (SELECT `u`.`a`, `u`.`b`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`)\n",
    ),
    (
        "CREATE VIEW v20 AS SELECT a, b FROM t UNION ALL SELECT a, b FROM u ORDER BY b DESC",
        "CREATE VIEW `default_catalog`.`default_database`.`v20` (\n"
        "  `a`,\n"
        "  `b`\n"
        ")\n"
        "AS SELECT `EXPR$0`.`a`, `EXPR$0`.`b`\n"
        "FROM (SELECT `t`.`a`, `t`.`b`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "UNION ALL\n"
        "SELECT `u`.`a`, `u`.`b`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`) AS `EXPR$0`\n"
        "ORDER BY `b` DESC\n",
    ),
    (
        "CREATE VIEW v21 AS SELECT a FROM t INTERSECT ALL SELECT a FROM u UNION SELECT a FROM t",
        "CREATE VIEW `default_catalog`.`default_database`.`v21` (\n"
        "  `a`\n"
        ")\n"
        "AS SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "INTERSECT ALL\n"
        "SELECT `u`.`a`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`\n"
        "UNION\n"
        "SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n",
    ),
    (
        "CREATE VIEW v22 AS SELECT a FROM t UNION ALL (SELECT a FROM u UNION SELECT a FROM t)",
        "CREATE VIEW `default_catalog`.`default_database`.`v22` (\n"
        "  `a`\n"
        ")\n"
        "AS SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "UNION ALL\n"
        "(SELECT `u`.`a`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`\n"
        "UNION\n"
        "SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`)\n",
    ),
    (
        "CREATE VIEW v23 AS SELECT COUNT(*) AS n FROM (SELECT a FROM t) AS s",
        "CREATE VIEW `default_catalog`.`default_database`.`v23` (\n"
        "  `n`\n"
        ")\n"
        "AS SELECT COUNT(*) AS `n`\n"
        "FROM (SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`) AS `s`\n",
    ),
    (
        "CREATE VIEW v24 AS SELECT a FROM t WHERE a > (SELECT MIN(a) FROM u)",
        "CREATE VIEW `default_catalog`.`default_database`.`v24` (\n"
        "  `a`\n"
        ")\n"
        "AS SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "WHERE `t`.`a` > (((SELECT MIN(`u`.`a`)\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`)))\n",
    ),
    (
        "CREATE VIEW w1 AS WITH x AS (SELECT a FROM t), y (k) AS (SELECT a FROM u) SELECT x.a, y.k FROM x JOIN y ON x.a = y.k",
        "CREATE VIEW `default_catalog`.`default_database`.`w1` (\n"
        "  `a`,\n"
        "  `k`\n"
        ")\n"
        "AS WITH `x` AS (SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`), `y` (`k`) AS (SELECT `u`.`a`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`) SELECT `x`.`a`, `y`.`k`\n"
        "FROM `x` AS `x`\n"
        "INNER JOIN `y` AS `y` ON `x`.`a` = `y`.`k`\n",
    ),
    (
        "CREATE VIEW w3 AS SELECT a FROM t UNION ALL SELECT a FROM u ORDER BY a OFFSET 2 ROWS FETCH FIRST 3 ROWS ONLY",
        "CREATE VIEW `default_catalog`.`default_database`.`w3` (\n"
        "  `a`\n"
        ")\n"
        "AS SELECT `EXPR$0`.`a`\n"
        "FROM (SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "UNION ALL\n"
        "SELECT `u`.`a`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`) AS `EXPR$0`\n"
        "ORDER BY `a`\n"
        "OFFSET 2 ROWS\n"
        "FETCH NEXT 3 ROWS ONLY\n",
    ),
    (
        "CREATE VIEW w4 AS SELECT * FROM (SELECT a FROM t)",
        "CREATE VIEW `default_catalog`.`default_database`.`w4` (\n"
        "  `a`\n"
        ")\n"
        "AS SELECT `EXPR$0`.`a`\n"
        "FROM (SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`) AS `EXPR$0`\n",
    ),
    (
        "CREATE VIEW w5 AS SELECT a FROM t WHERE b IN (SELECT b FROM u WHERE u.a = a)",
        "CREATE VIEW `default_catalog`.`default_database`.`w5` (\n"
        "  `a`\n"
        ")\n"
        "AS SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "WHERE `t`.`b` IN (SELECT `u`.`b`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`\n"
        "WHERE `u`.`a` = `u`.`a`)\n",
    ),
    (
        "CREATE VIEW w6 AS (SELECT a FROM t UNION SELECT a FROM u) INTERSECT SELECT a FROM t",
        "CREATE VIEW `default_catalog`.`default_database`.`w6` (\n"
        "  `a`\n"
        ")\n"
        "AS (SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "UNION\n"
        "SELECT `u`.`a`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`)\n"
        "INTERSECT\n"
        "SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n",
    ),
    (
        "CREATE VIEW w7 AS SELECT a FROM t UNION (SELECT a FROM u INTERSECT SELECT a FROM t)",
        "CREATE VIEW `default_catalog`.`default_database`.`w7` (\n"
        "  `a`\n"
        ")\n"
        "AS SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "UNION\n"
        "SELECT `u`.`a`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`\n"
        "INTERSECT\n"
        "SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n",
    ),
    (
        "CREATE VIEW w8 AS SELECT a AS x FROM t UNION SELECT a FROM u",
        "CREATE VIEW `default_catalog`.`default_database`.`w8` (\n"
        "  `x`\n"
        ")\n"
        "AS SELECT `t`.`a` AS `x`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "UNION\n"
        "SELECT `u`.`a`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`\n",
    ),
    (
        "CREATE VIEW w10 AS SELECT * FROM t WHERE a IN (SELECT a FROM u UNION SELECT a FROM t)",
        "CREATE VIEW `default_catalog`.`default_database`.`w10` (\n"
        "  `a`,\n"
        "  `b`,\n"
        "  `c`\n"
        ")\n"
        "AS SELECT `t`.`a`, `t`.`b`, `t`.`c`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "WHERE `t`.`a` IN (SELECT `u`.`a`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`\n"
        "UNION\n"
        "SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`)\n",
    ),
    (
        "CREATE VIEW w11 AS SELECT s.a FROM (SELECT a FROM t ORDER BY a LIMIT 2) AS s",
        "CREATE VIEW `default_catalog`.`default_database`.`w11` (\n"
        "  `a`\n"
        ")\n"
        "AS SELECT `s`.`a`\n"
        "FROM (SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "ORDER BY `a`\n"
        "FETCH NEXT 2 ROWS ONLY) AS `s`\n",
    ),
    (
        "CREATE VIEW w12 AS SELECT a, a IN (SELECT a FROM u) AS f FROM t",
        "CREATE VIEW `default_catalog`.`default_database`.`w12` (\n"
        "  `a`,\n"
        "  `f`\n"
        ")\n"
        "AS SELECT `t`.`a`, `t`.`a` IN (SELECT `u`.`a`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`) AS `f`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n",
    ),
    (
        "CREATE VIEW w13 AS SELECT a + 1, b FROM t UNION ALL SELECT a, b FROM u",
        "CREATE VIEW `default_catalog`.`default_database`.`w13` (\n"
        "  `EXPR$0`,\n"
        "  `b`\n"
        ")\n"
        "AS SELECT `t`.`a` + 1, `t`.`b`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "UNION ALL\n"
        "SELECT `u`.`a`, `u`.`b`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`\n",
    ),
    (
        "CREATE VIEW w15 AS SELECT a FROM t UNION ALL SELECT a FROM u ORDER BY a + 1",
        "CREATE VIEW `default_catalog`.`default_database`.`w15` (\n"
        "  `a`\n"
        ")\n"
        "AS SELECT `EXPR$0`.`a`\n"
        "FROM (SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "UNION ALL\n"
        "SELECT `u`.`a`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`) AS `EXPR$0`\n"
        "ORDER BY `a` + 1\n",
    ),
    (
        "CREATE VIEW w16 AS SELECT DISTINCT a FROM t EXCEPT SELECT a FROM u WHERE a IS NOT NULL",
        "CREATE VIEW `default_catalog`.`default_database`.`w16` (\n"
        "  `a`\n"
        ")\n"
        "AS SELECT DISTINCT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "EXCEPT\n"
        "SELECT `u`.`a`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`\n"
        "WHERE `u`.`a` IS NOT NULL\n",
    ),
    (
        "CREATE VIEW w17 AS WITH x AS (SELECT a FROM t UNION ALL SELECT a FROM u) SELECT * FROM x",
        "CREATE VIEW `default_catalog`.`default_database`.`w17` (\n"
        "  `a`\n"
        ")\n"
        "AS WITH `x` AS (SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "UNION ALL\n"
        "SELECT `u`.`a`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`) SELECT `x`.`a`\n"
        "FROM `x` AS `x`\n",
    ),
    (
        "CREATE VIEW w18 AS SELECT a FROM t WHERE (SELECT COUNT(*) FROM u) > 0 OR a = 1",
        "CREATE VIEW `default_catalog`.`default_database`.`w18` (\n"
        "  `a`\n"
        ")\n"
        "AS SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "WHERE (((SELECT COUNT(*)\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`))) > 0 OR `t`.`a` = 1\n",
    ),
    (
        "CREATE VIEW w20 AS SELECT a FROM t UNION ALL SELECT a FROM u LIMIT 3",
        "CREATE VIEW `default_catalog`.`default_database`.`w20` (\n"
        "  `a`\n"
        ")\n"
        "AS SELECT `EXPR$0`.`a`\n"
        "FROM (SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "UNION ALL\n"
        "SELECT `u`.`a`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`) AS `EXPR$0`\n"
        "FETCH NEXT 3 ROWS ONLY\n",
    ),
    (
        "CREATE VIEW w21 AS VALUES (1), (2) UNION ALL SELECT a FROM t",
        "CREATE VIEW `default_catalog`.`default_database`.`w21` (\n"
        "  `EXPR$0`\n"
        ")\n"
        "AS (VALUES ROW(1),\n"
        "ROW(2))\n"
        "UNION ALL\n"
        "SELECT `t`.`a`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n",
    ),
    (
        "CREATE VIEW w22 AS SELECT * FROM (SELECT a, b FROM t UNION SELECT a, b FROM u)",
        "CREATE VIEW `default_catalog`.`default_database`.`w22` (\n"
        "  `a`,\n"
        "  `b`\n"
        ")\n"
        "AS SELECT `EXPR$0`.`a`, `EXPR$0`.`b`\n"
        "FROM (SELECT `t`.`a`, `t`.`b`\n"
        "FROM `default_catalog`.`default_database`.`t` AS `t`\n"
        "UNION\n"
        "SELECT `u`.`a`, `u`.`b`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`) AS `EXPR$0`\n",
    ),
]


@pytest.mark.parametrize(("create", "expected"), CASES, ids=[c.split(" AS ", 1)[0][12:] for c, _ in CASES])
def test_show_create_view_as_flink_expands_it(sql: SqlRunner, create: str, expected: str) -> None:
    sql(TABLES)
    sql(create)
    name = create.split()[2]
    assert sql(f"SHOW CREATE VIEW {name}").results[-1].text == expected


def test_what_is_not_checked_against_flink_stays_as_written(sql: SqlRunner) -> None:
    """Two subqueries without an alias would need Calcite's second generated name, which was
    not checked: the view prints its query as written rather than a guess."""
    sql(TABLES)
    query = "SELECT * FROM (SELECT a FROM t), (SELECT b FROM u)"
    sql(f"CREATE VIEW w AS {query}")
    assert sql("SHOW CREATE VIEW w").results[-1].text.endswith(f"AS {query}\n")


MODEL = (
    "CREATE MODEL m INPUT (prompt STRING) OUTPUT (content STRING) WITH ('provider' = 'openai', "
    "'endpoint' = 'https://x/v1/chat/completions', 'api-key' = 'sk-1', 'model' = 'gpt');"
)


def test_a_view_over_ml_predict_as_flink_expands_it(sql: SqlRunner) -> None:
    sql(TABLES + MODEL + "CREATE VIEW p AS SELECT * FROM ML_PREDICT(TABLE u, MODEL m, DESCRIPTOR(b))")
    # (Flink 2.3) the table becomes a subquery of its columns, the call TABLE(...) AS `EXPR$0`
    assert sql("SHOW CREATE VIEW p").results[-1].text == (
        "CREATE VIEW `default_catalog`.`default_database`.`p` (\n"
        "  `a`,\n"
        "  `b`,\n"
        "  `content`\n"
        ")\n"
        "AS SELECT `EXPR$0`.`a`, `EXPR$0`.`b`, `EXPR$0`.`content`\n"
        "FROM TABLE(`ML_PREDICT`((SELECT `u`.`a`, `u`.`b`\n"
        "FROM `default_catalog`.`default_database`.`u` AS `u`), MODEL `m`, DESCRIPTOR(`b`))) AS `EXPR$0`\n"
    )


HEAD = "CREATE VIEW `default_catalog`.`default_database`.`p` (\n  `a`,\n  `b`,\n  `content`\n)\n"
U = "(SELECT `u`.`a`, `u`.`b`\nFROM `default_catalog`.`default_database`.`u` AS `u`"


@pytest.mark.parametrize(
    "query, expanded",
    [  # (Flink 2.3) each
        (
            "SELECT * FROM ML_PREDICT(TABLE u, MODEL m, DESCRIPTOR(b), MAP['async', 'false'])",
            "AS SELECT `EXPR$0`.`a`, `EXPR$0`.`b`, `EXPR$0`.`content`\n"
            f"FROM TABLE(`ML_PREDICT`({U}), MODEL `m`, DESCRIPTOR(`b`), MAP['async', 'false'])) AS `EXPR$0`\n",
        ),
        (
            "SELECT * FROM ML_PREDICT(TABLE u, MODEL default_database.m, DESCRIPTOR(b))",
            "AS SELECT `EXPR$0`.`a`, `EXPR$0`.`b`, `EXPR$0`.`content`\n"
            f"FROM TABLE(`ML_PREDICT`({U}), MODEL `default_database`.`m`, DESCRIPTOR(`b`))) AS `EXPR$0`\n",
        ),
        (
            "SELECT * FROM ML_PREDICT((SELECT a, b FROM u WHERE a > 0), MODEL m, DESCRIPTOR(b))",
            "AS SELECT `EXPR$0`.`a`, `EXPR$0`.`b`, `EXPR$0`.`content`\n"
            f"FROM TABLE(`ML_PREDICT`({U}\nWHERE `u`.`a` > 0), MODEL `m`, DESCRIPTOR(`b`))) AS `EXPR$0`\n",
        ),
        (
            "SELECT * FROM TABLE(ML_PREDICT(INPUT => TABLE u, MODEL => MODEL m, ARGS => DESCRIPTOR(b))) AS t",
            "AS SELECT `t`.`a`, `t`.`b`, `t`.`content`\n"
            f"FROM TABLE(`ML_PREDICT`(`INPUT` => {U}), `MODEL` => (MODEL `m`), `ARGS` => DESCRIPTOR(`b`))) AS `t`\n",
        ),
    ],
)
def test_the_forms_of_ml_predict_in_a_view(sql: SqlRunner, query: str, expanded: str) -> None:
    sql(TABLES + MODEL + f"CREATE VIEW p AS {query}")
    assert sql("SHOW CREATE VIEW p").results[-1].text == HEAD + expanded


def test_an_aliased_ml_predict_in_a_view(sql: SqlRunner) -> None:
    sql(TABLES + MODEL)
    sql(
        "CREATE VIEW p AS SELECT x.a, UPPER(content) AS c FROM ML_PREDICT(TABLE u, MODEL m, DESCRIPTOR(b)) AS x WHERE x.a > 0"
    )
    # (Flink 2.3)
    assert sql("SHOW CREATE VIEW p").results[-1].text == (
        "CREATE VIEW `default_catalog`.`default_database`.`p` (\n  `a`,\n  `c`\n)\n"
        "AS SELECT `x`.`a`, UPPER(`x`.`content`) AS `c`\n"
        f"FROM TABLE(`ML_PREDICT`({U}), MODEL `m`, DESCRIPTOR(`b`))) AS `x`\n"
        "WHERE `x`.`a` > 0\n"
    )


def test_named_ml_predict_with_a_config_stays_as_written(sql: SqlRunner) -> None:
    query = "SELECT * FROM ML_PREDICT(INPUT => TABLE u, MODEL => MODEL m, ARGS => DESCRIPTOR(b), CONFIG => MAP['async', 'false'])"
    sql(TABLES + MODEL + f"CREATE VIEW p AS {query}")
    assert sql("SHOW CREATE VIEW p").results[-1].text.endswith(f"AS {query}\n")
