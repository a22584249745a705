"""The planner's choices and EXPLAIN's plan trees.

EXPLAIN prints the step tree the executor runs, so these cases pin both: a refactor of the
steps (qsql/plan.py) must leave every tree below as it is.
"""

from __future__ import annotations

import pytest

from .conftest import SqlRunner

SETUP = (
    "CREATE TEMPORARY VIEW a (id, name, grp) AS VALUES (1, 'x', 10), (2, 'y', 20), (3, CAST(NULL AS STRING), 10);"
    "CREATE TEMPORARY VIEW b (id, score) AS VALUES (1, 1.5), (3, 2.5), (4, 3.5);"
    "CREATE MODEL m INPUT (t STRING) OUTPUT (o STRING) WITH ('provider' = 'openai', 'api-key' = 'k', "
    "'endpoint' = 'https://api.example.com/v1', 'model' = 'qwen-plus');"
    "CREATE TABLE out (id INT, o STRING) WITH ('connector' = 'print');"
)
PREDICT = (
    "ML_PREDICT(model=m [openai chat qwen-plus -> https://api.example.com/v1/chat/completions], table=a, input=name, "
)
RETRY_AND_PACE = ", errors=RETRY x100 then FAILOVER, adaptive to the provider's rate limit)"


@pytest.fixture
def planned(sql: SqlRunner) -> SqlRunner:
    sql(SETUP)
    return sql


def explain_tree(runner: SqlRunner, statement: str) -> list[str]:
    """EXPLAIN's plan tree, without the dry run's estimate after it."""
    text = runner("EXPLAIN " + statement).results[-1].text  # type: ignore[union-attr]
    return text.split("== Dry run")[0].rstrip("\n").splitlines()


EXPLAINED = [
    ('SELECT 1', [
        'Project(EXPR$0)',
        '  SingleRow',
    ]),
    ('SELECT * FROM a', [
        'Project(id, name, grp)',
        '  Values(3 rows)',
    ]),
    ('SELECT id FROM a WHERE grp > 10', [
        'Project(id)',
        '  Filter(WHERE)',
        '    Values(3 rows)',
    ]),
    ('SELECT DISTINCT grp FROM a', [
        'Distinct',
        '  Project(grp)',
        '    Values(3 rows)',
    ]),
    # the aggregate calls; LISTAGG's separator once showed here, after a NUL byte
    ("SELECT grp, COUNT(*), SUM(DISTINCT id), LISTAGG(name, ';') FROM a GROUP BY grp HAVING COUNT(*) > 0", [
        'Project(grp, EXPR$1, EXPR$2, EXPR$3)',
        '  Filter(HAVING)',
        '    Aggregate(keys=1, COUNT(*), SUM(DISTINCT ...), LISTAGG(...))',
        '      Values(3 rows)',
    ]),
    ('SELECT COUNT(*) FROM a', [
        'Project(EXPR$0)',
        '  Aggregate(keys=0, COUNT(*))',
        '    Values(3 rows)',
    ]),
    ('SELECT id, name FROM a ORDER BY grp DESC, id LIMIT 2 OFFSET 1', [
        'Limit(2, offset=1)',
        '  Project(id, name)',
        '    Sort($2 DESC, $0)',
        '      Project(id, name, $sort3)',
        '        Values(3 rows)',
    ]),
    # NULLS FIRST / LAST shows where it is not the direction's default (it once did not show)
    ('SELECT id FROM a ORDER BY 1 NULLS LAST', [
        'Sort($0 NULLS LAST)',
        '  Project(id)',
        '    Values(3 rows)',
    ]),
    ('SELECT a.id, b.score FROM a JOIN b ON a.id = b.id', [
        'Project(id, score)',
        '  HashJoin(inner, keys=1)',
        '    Values(3 rows)',
        '    Values(3 rows)',
    ]),
    ('SELECT a.id, b.score FROM a LEFT JOIN b ON a.id = b.id AND b.score > a.grp', [
        'Project(id, score)',
        '  HashJoin(left, keys=1)',
        '    Values(3 rows)',
        '    Values(3 rows)',
    ]),
    ('SELECT a.id, b.score FROM a JOIN b ON a.id < b.id', [
        'Project(id, score)',
        '  NestedLoopJoin(inner, keys=0)',
        '    Values(3 rows)',
        '    Values(3 rows)',
    ]),
    ('SELECT a.id, b.score FROM a CROSS JOIN b', [
        'Project(id, score)',
        '  NestedLoopJoin(inner, keys=0)',
        '    Values(3 rows)',
        '    Values(3 rows)',
    ]),
    ('SELECT a.id, b.score FROM a, b WHERE a.id = b.id AND a.grp > 1', [
        'Project(id, score)',
        '  HashJoin(inner, keys=1)',
        '    Values(3 rows)',
        '    Values(3 rows)',
    ]),
    ('SELECT * FROM a FULL JOIN b USING (id)', [
        'Project(id, name, grp, score)',
        '  Project(id, id, name, grp, id, score)',
        '    HashJoin(full, keys=1)',
        '      Values(3 rows)',
        '      Values(3 rows)',
    ]),
    ('SELECT id FROM a UNION SELECT id FROM b', [
        'Distinct',
        '  UnionAll',
        '    Project(id)',
        '      Values(3 rows)',
        '    Project(id)',
        '      Values(3 rows)',
    ]),
    ('SELECT id FROM a UNION ALL SELECT id FROM b', [
        'UnionAll',
        '  Project(id)',
        '    Values(3 rows)',
        '  Project(id)',
        '    Values(3 rows)',
    ]),
    ('SELECT id FROM a INTERSECT ALL SELECT id FROM b', [
        'IntersectAll',
        '  Project(id)',
        '    Values(3 rows)',
        '  Project(id)',
        '    Values(3 rows)',
    ]),
    ('SELECT id FROM a EXCEPT SELECT id FROM b', [
        'Except',
        '  Project(id)',
        '    Values(3 rows)',
        '  Project(id)',
        '    Values(3 rows)',
    ]),
    ('(SELECT id FROM a UNION ALL SELECT id FROM b) ORDER BY 1 DESC LIMIT 3', [
        'Limit(3)',
        '  Sort($0 DESC)',
        '    UnionAll',
        '      Project(id)',
        '        Values(3 rows)',
        '      Project(id)',
        '        Values(3 rows)',
    ]),
    ('SELECT id, ROW_NUMBER() OVER (PARTITION BY grp ORDER BY id DESC), SUM(id) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM a', [
        'Project(id, EXPR$1, EXPR$2)',
        '  Window(ROW_NUMBER, SUM)',
        '    Values(3 rows)',
    ]),
    ('SELECT id, (SELECT MAX(score) FROM b WHERE b.id = a.id) FROM a WHERE id IN (SELECT id FROM b)', [
        'Project(id, EXPR$1)',
        '  Filter(WHERE)',
        '    Values(3 rows)',
    ]),
    ('WITH t (x) AS (SELECT id FROM a) SELECT x FROM t', [
        'Project(x)',
        '  Project(x)',
        '    Values(3 rows)',
    ]),
    ("VALUES (1, 'a'), (2, 'bb')", [
        'Values(2 rows)',
    ]),
    ('SELECT id, o FROM ML_PREDICT(TABLE a, MODEL m, DESCRIPTOR(name)) WHERE grp = 10', [
        'Project(id, o)',
        "  " + PREDICT + "concurrency=10, ordered, timeout=180s" + RETRY_AND_PACE,
        '    Filter(WHERE)',
        '      Values(3 rows)',
    ]),
    ("SELECT id, o FROM ML_PREDICT(TABLE a, MODEL m, DESCRIPTOR(name), MAP['async', 'false', 'output-mode', 'allow_unordered', 'timeout', '2 min'])", [
        'Project(id, o)',
        "  " + PREDICT + "concurrency=1, unordered, timeout=120s" + RETRY_AND_PACE,
        '    Values(3 rows)',
    ]),
    ("INSERT INTO out SELECT id, o FROM ML_PREDICT(TABLE a, MODEL m, DESCRIPTOR(name)) WHERE o <> 'x'", [
        'Sink(out, connector=print)',
        '  Project(id, o)',
        '    Filter(WHERE)',
        "      " + PREDICT + "concurrency=10, ordered, timeout=180s" + RETRY_AND_PACE,
        '        Values(3 rows)',
    ]),
    ('SELECT id FROM a ORDER BY id DESC NULLS FIRST, grp DESC NULLS LAST, name NULLS FIRST', [
        'Project(id)',
        '  Sort($0 DESC NULLS FIRST, $1 DESC, $2)',
        '    Project(id, $sort2, $sort3)',
        '      Values(3 rows)',
    ]),
    ('SELECT id FROM a LIMIT 0', [
        'Limit(0)',
        '  Project(id)',
        '    Values(3 rows)',
    ]),
    ('SELECT id FROM a OFFSET 1 ROWS', [
        'Limit(all, offset=1)',
        '  Project(id)',
        '    Values(3 rows)',
    ]),
]


@pytest.mark.parametrize("statement, tree", EXPLAINED, ids=[case[0] for case in EXPLAINED])
def test_explain_prints_the_step_tree(planned: SqlRunner, statement: str, tree: list[str]) -> None:
    assert explain_tree(planned, statement) == tree
