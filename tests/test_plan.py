"""The planner's choices and EXPLAIN's plan trees.

EXPLAIN prints the step tree the executor runs, so these cases pin both: a refactor of the
steps (qsql/plan.py) must leave every tree below as it is.
"""

from __future__ import annotations

import dataclasses

import pytest

from qsql import types as T
from qsql.column import Column
from qsql.executor import ExecutionContext, collect
from qsql.expressions import Compiled
from qsql.models.runtime import ModelRuntime
from qsql.parser import parse
from qsql.plan import (
    Aggregate,
    Distinct,
    Filter,
    HashJoin,
    NestedLoopJoin,
    Predict,
    Project,
    SetOpStep,
    Sort,
    SortKey,
    Step,
    UnionAllStep,
    ValuesStep,
    explain,
)
from qsql.planner import Planner

from .conftest import SqlRunner

SETUP = (
    "CREATE TEMPORARY VIEW a (id, name, grp) AS VALUES (1, 'x', 10), (2, 'y', 20), (3, CAST(NULL AS STRING), 10);"
    "CREATE TEMPORARY VIEW b (id, score) AS VALUES (1, 1.5), (3, 2.5), (4, 3.5);"
    "CREATE MODEL m INPUT (t STRING) OUTPUT (o STRING) WITH ('provider' = 'openai', 'api-key' = 'k', "
    "'endpoint' = 'https://api.example.com/v1', 'model' = 'qwen-plus');"
    "CREATE TABLE sink (id INT, o STRING) WITH ('connector' = 'print');"
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
    (
        "SELECT 1",
        [
            "Project(EXPR$0)",
            "  SingleRow",
        ],
    ),
    (
        "SELECT * FROM a",
        [
            "Project(id, name, grp)",
            "  Values(3 rows)",
        ],
    ),
    (
        "SELECT id FROM a WHERE grp > 10",
        [
            "Project(id)",
            "  Filter(WHERE)",
            "    Values(3 rows)",
        ],
    ),
    (
        "SELECT DISTINCT grp FROM a",
        [
            "Distinct",
            "  Project(grp)",
            "    Values(3 rows)",
        ],
    ),
    # the aggregate calls; LISTAGG's separator once showed here, after a NUL byte
    (
        "SELECT grp, COUNT(*), SUM(DISTINCT id), LISTAGG(name, ';') FROM a GROUP BY grp HAVING COUNT(*) > 0",
        [
            "Project(grp, EXPR$1, EXPR$2, EXPR$3)",
            "  Filter(HAVING)",
            "    Aggregate(keys=1, COUNT(*), SUM(DISTINCT ...), LISTAGG(...))",
            "      Values(3 rows)",
        ],
    ),
    (
        "SELECT COUNT(*) FROM a",
        [
            "Project(EXPR$0)",
            "  Aggregate(keys=0, COUNT(*))",
            "    Values(3 rows)",
        ],
    ),
    (
        "SELECT id, name FROM a ORDER BY grp DESC, id LIMIT 2 OFFSET 1",
        [
            "Limit(2, offset=1)",
            "  Project(id, name)",
            "    Sort($2 DESC, $0)",
            "      Project(id, name, $sort3)",
            "        Values(3 rows)",
        ],
    ),
    # NULLS FIRST / LAST shows where it is not the direction's default (it once did not show)
    (
        "SELECT id FROM a ORDER BY 1 NULLS LAST",
        [
            "Sort($0 NULLS LAST)",
            "  Project(id)",
            "    Values(3 rows)",
        ],
    ),
    (
        "SELECT a.id, b.score FROM a JOIN b ON a.id = b.id",
        [
            "Project(id, score)",
            "  HashJoin(inner, keys=1)",
            "    Values(3 rows)",
            "    Values(3 rows)",
        ],
    ),
    (
        "SELECT a.id, b.score FROM a LEFT JOIN b ON a.id = b.id AND b.score > a.grp",
        [
            "Project(id, score)",
            "  HashJoin(left, keys=1)",
            "    Values(3 rows)",
            "    Values(3 rows)",
        ],
    ),
    (
        "SELECT a.id, b.score FROM a JOIN b ON a.id < b.id",
        [
            "Project(id, score)",
            "  NestedLoopJoin(inner, keys=0)",
            "    Values(3 rows)",
            "    Values(3 rows)",
        ],
    ),
    (
        "SELECT a.id, b.score FROM a CROSS JOIN b",
        [
            "Project(id, score)",
            "  NestedLoopJoin(inner, keys=0)",
            "    Values(3 rows)",
            "    Values(3 rows)",
        ],
    ),
    (
        "SELECT a.id, b.score FROM a, b WHERE a.id = b.id AND a.grp > 1",
        [
            "Project(id, score)",
            "  HashJoin(inner, keys=1)",
            "    Values(3 rows)",
            "    Values(3 rows)",
        ],
    ),
    (
        "SELECT * FROM a FULL JOIN b USING (id)",
        [
            "Project(id, name, grp, score)",
            "  Project(id, id, name, grp, id, score)",
            "    HashJoin(full, keys=1)",
            "      Values(3 rows)",
            "      Values(3 rows)",
        ],
    ),
    (
        "SELECT id FROM a UNION SELECT id FROM b",
        [
            "Distinct",
            "  UnionAll",
            "    Project(id)",
            "      Values(3 rows)",
            "    Project(id)",
            "      Values(3 rows)",
        ],
    ),
    (
        "SELECT id FROM a UNION ALL SELECT id FROM b",
        [
            "UnionAll",
            "  Project(id)",
            "    Values(3 rows)",
            "  Project(id)",
            "    Values(3 rows)",
        ],
    ),
    (
        "SELECT id FROM a INTERSECT ALL SELECT id FROM b",
        [
            "IntersectAll",
            "  Project(id)",
            "    Values(3 rows)",
            "  Project(id)",
            "    Values(3 rows)",
        ],
    ),
    (
        "SELECT id FROM a EXCEPT SELECT id FROM b",
        [
            "Except",
            "  Project(id)",
            "    Values(3 rows)",
            "  Project(id)",
            "    Values(3 rows)",
        ],
    ),
    (
        "(SELECT id FROM a UNION ALL SELECT id FROM b) ORDER BY 1 DESC LIMIT 3",
        [
            "Limit(3)",
            "  Sort($0 DESC)",
            "    UnionAll",
            "      Project(id)",
            "        Values(3 rows)",
            "      Project(id)",
            "        Values(3 rows)",
        ],
    ),
    (
        "SELECT id, ROW_NUMBER() OVER (PARTITION BY grp ORDER BY id DESC), SUM(id) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM a",
        [
            "Project(id, EXPR$1, EXPR$2)",
            "  Window(ROW_NUMBER, SUM)",
            "    Values(3 rows)",
        ],
    ),
    (
        "SELECT id, (SELECT MAX(score) FROM b WHERE b.id = a.id) FROM a WHERE id IN (SELECT id FROM b)",
        [
            "Project(id, EXPR$1)",
            "  Filter(WHERE)",
            "    Values(3 rows)",
        ],
    ),
    (
        "WITH t (x) AS (SELECT id FROM a) SELECT x FROM t",
        [
            "Project(x)",
            "  Project(x)",
            "    Values(3 rows)",
        ],
    ),
    (
        "VALUES (1, 'a'), (2, 'bb')",
        [
            "Values(2 rows)",
        ],
    ),
    (
        "SELECT id, o FROM ML_PREDICT(TABLE a, MODEL m, DESCRIPTOR(name)) WHERE grp = 10",
        [
            "Project(id, o)",
            "  " + PREDICT + "concurrency=10, ordered, timeout=180s" + RETRY_AND_PACE,
            "    Filter(WHERE)",
            "      Values(3 rows)",
        ],
    ),
    (
        "SELECT id, o FROM ML_PREDICT(TABLE a, MODEL m, DESCRIPTOR(name), MAP['async', 'false', 'output-mode', 'allow_unordered', 'timeout', '2 min'])",
        [
            "Project(id, o)",
            "  " + PREDICT + "concurrency=1, unordered, timeout=120s" + RETRY_AND_PACE,
            "    Values(3 rows)",
        ],
    ),
    (
        "INSERT INTO sink SELECT id, o FROM ML_PREDICT(TABLE a, MODEL m, DESCRIPTOR(name)) WHERE o <> 'x'",
        [
            "Sink(sink, connector=print)",
            "  Project(id, o)",
            "    Filter(WHERE)",
            "      " + PREDICT + "concurrency=10, ordered, timeout=180s" + RETRY_AND_PACE,
            "        Values(3 rows)",
        ],
    ),
    (
        "SELECT id FROM a ORDER BY id DESC NULLS FIRST, grp DESC NULLS LAST, name NULLS FIRST",
        [
            "Project(id)",
            "  Sort($0 DESC NULLS FIRST, $1 DESC, $2)",
            "    Project(id, $sort2, $sort3)",
            "      Values(3 rows)",
        ],
    ),
    (
        "SELECT id FROM a LIMIT 0",
        [
            "Limit(0)",
            "  Project(id)",
            "    Values(3 rows)",
        ],
    ),
    (
        "SELECT id FROM a OFFSET 1 ROWS",
        [
            "Limit(all, offset=1)",
            "  Project(id)",
            "    Values(3 rows)",
        ],
    ),
]


@pytest.mark.parametrize("statement, tree", EXPLAINED, ids=[case[0] for case in EXPLAINED])
def test_explain_prints_the_step_tree(planned: SqlRunner, statement: str, tree: list[str]) -> None:
    assert explain_tree(planned, statement) == tree


# ------------------------------------------------------------------ the planner's choices, step by step


def plan(runner: SqlRunner, query: str, **settings: str) -> Step:
    """The step tree of ``query``, planned directly (nothing runs)."""
    (statement,) = parse(query, "test.sql")
    session = runner.session
    return Planner(session.catalog, {**session.settings, **settings}).plan_query(statement.query)  # type: ignore[attr-defined]


def below_project(step: Step) -> Step:
    assert isinstance(step, Project)
    return step.input


def test_an_equality_between_the_sides_makes_a_hash_join(planned: SqlRunner) -> None:
    join = below_project(plan(planned, "SELECT a.id FROM a JOIN b ON a.id = b.id AND b.score > a.grp"))
    assert isinstance(join, HashJoin) and join.kind == "inner"
    assert len(join.left_keys) == len(join.right_keys) == 1
    assert join.residual is not None  # the rest of the ON condition, tested per matching pair
    assert join.children == [join.left, join.right]


def test_keys_are_found_either_way_round_and_in_every_conjunct(planned: SqlRunner) -> None:
    join = below_project(plan(planned, "SELECT a.id FROM a LEFT JOIN b ON b.id = a.id AND a.grp = b.score"))
    assert isinstance(join, HashJoin) and join.kind == "left"
    assert len(join.left_keys) == 2 and join.residual is None


@pytest.mark.parametrize(
    "query, kind, has_condition",
    [
        ("SELECT a.id FROM a JOIN b ON a.id < b.id", "inner", True),  # no equality
        ("SELECT a.id FROM a RIGHT JOIN b ON a.id = a.grp", "right", True),  # an equality within one side
        ("SELECT a.id FROM a FULL JOIN b ON TRUE", "full", True),
        ("SELECT a.id FROM a CROSS JOIN b", "inner", False),
        ("SELECT a.id FROM a, b", "inner", False),
    ],
)
def test_without_an_equality_between_the_sides_the_join_is_a_nested_loop(
    planned: SqlRunner, query: str, kind: str, has_condition: bool
) -> None:
    join = below_project(plan(planned, query))
    assert isinstance(join, NestedLoopJoin) and join.kind == kind
    assert (join.condition is not None) == has_condition


def test_a_comma_join_takes_its_equality_from_the_where_clause(planned: SqlRunner) -> None:
    step = below_project(
        plan(planned, "SELECT a.id FROM a, b WHERE a.id = b.id AND a.grp > b.score AND a.id IN (SELECT id FROM b)")
    )
    assert isinstance(step, Filter) and step.text == "WHERE"  # what the join cannot use (a subquery) stays
    join = step.input
    assert isinstance(join, HashJoin) and len(join.left_keys) == 1 and join.residual is not None


def test_using_projects_one_column_per_name_over_a_hash_join(planned: SqlRunner) -> None:
    step = plan(planned, "SELECT * FROM a FULL JOIN b USING (id)")
    using = below_project(step)
    assert isinstance(using, Project) and [f.name for f in using.schema if not f.hidden] == [
        "id",
        "name",
        "grp",
        "score",
    ]
    assert isinstance(using.input, HashJoin) and using.input.kind == "full"


@pytest.mark.parametrize(
    "query, top, below",
    [
        ("SELECT DISTINCT grp FROM a", Distinct, Project),
        ("SELECT id FROM a UNION SELECT id FROM b", Distinct, UnionAllStep),
        ("SELECT id FROM a UNION ALL SELECT id FROM b", UnionAllStep, None),
        ("SELECT id FROM a INTERSECT SELECT id FROM b", SetOpStep, None),
    ],
)
def test_duplicates_are_removed_by_one_distinct_step_where_sql_says_so(
    planned: SqlRunner, query: str, top: type, below: type | None
) -> None:
    step = plan(planned, query)
    assert type(step) is top
    if below is not None:
        assert type(step.children[0]) is below
    if isinstance(step, SetOpStep):
        assert not step.all and step.op == "INTERSECT"  # it keeps each row once itself


def test_union_of_different_types_converts_to_the_common_type(planned: SqlRunner) -> None:
    step = plan(planned, "SELECT id FROM a UNION ALL SELECT score FROM b")
    assert isinstance(step, UnionAllStep) and step.schema[0].dtype == T.decimal(11, 1).with_nullable(False)
    (left,), (right,) = step.conversions
    assert left is not None and (left.source, left.target) == (T.INT.with_nullable(False), step.schema[0].dtype)
    assert right is not None and right.source == T.decimal(2, 1).with_nullable(False)
    same = plan(planned, "SELECT id FROM a UNION ALL SELECT id FROM b")
    assert same.conversions == [[None], [None]]  # type: ignore[attr-defined]


def test_ml_predict_is_one_step_over_its_input_with_its_options(planned: SqlRunner) -> None:
    step = below_project(
        plan(
            planned,
            "SELECT id, o FROM ML_PREDICT(TABLE a, MODEL m, DESCRIPTOR(name), MAP['timeout', '2 min'])",
            **{"table.exec.async-ml-predict.max-concurrent-operations": "4"},
        )
    )
    assert isinstance(step, Predict)
    assert step.model.name == "m" and step.source_name == "a"
    assert step.input_column == "name" and step.input.schema[step.input_index].name == "name"
    assert (step.options.concurrency, step.options.timeout, step.options.ordered) == (4, 120.0, True)
    assert [f.name for f in step.schema] == ["id", "name", "grp", "o"]


def test_a_where_on_the_input_columns_runs_before_the_model(planned: SqlRunner) -> None:
    step = below_project(
        plan(planned, "SELECT id, o FROM ML_PREDICT(TABLE a, MODEL m, DESCRIPTOR(name)) WHERE grp = 10")
    )
    assert isinstance(step, Predict) and isinstance(step.input, Filter)
    after = below_project(plan(planned, "SELECT id FROM ML_PREDICT(TABLE a, MODEL m, DESCRIPTOR(name)) WHERE o <> ''"))
    assert isinstance(after, Filter) and isinstance(after.input, Predict)  # reads the model's output: after it
    assert not isinstance(after.input.input, Filter)


def test_aggregate_calls_and_sort_keys_are_named_records(planned: SqlRunner) -> None:
    step = plan(planned, "SELECT grp, LISTAGG(DISTINCT name, '; '), COUNT(*) FROM a GROUP BY grp ORDER BY grp DESC")
    assert isinstance(step, Sort)
    assert step.keys == [SortKey(0, descending=True, nulls_first=False)]  # Flink: NULLs last descending
    aggregate = below_project(step.input)
    assert isinstance(aggregate, Aggregate) and aggregate.grouped and len(aggregate.keys) == 1
    listagg, count = aggregate.calls
    assert (listagg.function, listagg.distinct, listagg.separator) == ("LISTAGG", True, "; ")
    assert (count.function, count.argument) == ("COUNT", None)


def test_a_query_s_subqueries_start_with_its_top_step(planned: SqlRunner) -> None:
    step = plan(planned, "SELECT id FROM a WHERE id IN (SELECT id FROM b)")
    assert len(step.subqueries) == 1 and step.subqueries[0].step.schema[0].name == "id"


# ------------------------------------------------------------------ steps are built once, whole


def values(*rows: tuple) -> ValuesStep:
    """A VALUES step of INT columns (no planner)."""
    width = len(rows[0])
    return ValuesStep(
        schema=[Column(f"c{i}", T.INT) for i in range(width)],
        rows=[[Compiled(lambda row, v=v: v, T.INT, constant=True) for v in row] for row in rows],
    )


def column(index: int) -> Compiled:
    return Compiled(lambda row: row[index], T.INT, column_index=index)


def test_a_step_needs_its_input_and_cannot_be_edited() -> None:
    with pytest.raises(TypeError):
        Distinct(schema=[])  # type: ignore[call-arg]
    step = Distinct(schema=[], input=values((1,)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        step.input = values((2,))  # type: ignore[misc]


@pytest.fixture
def context() -> ExecutionContext:
    return ExecutionContext(runtime=ModelRuntime())


@pytest.mark.parametrize(
    "kind, expected",
    [
        ("inner", [(1, 1), (2, 2), (2, 2)]),
        ("left", [(1, 1), (2, 2), (2, 2), (3, None)]),
        ("right", [(1, 1), (2, 2), (2, 2), (None, 4)]),
        ("full", [(1, 1), (2, 2), (2, 2), (3, None), (None, 4)]),
    ],
)
def test_both_join_steps_give_the_same_rows(context: ExecutionContext, kind: str, expected: list[tuple]) -> None:
    left, right = values((1,), (2,), (3,)), values((1,), (2,), (2,), (4,))
    schema = [Column("l", T.INT), Column("r", T.INT)]
    equal = Compiled(lambda row: row[0] == row[1], T.BOOLEAN)
    hashed = HashJoin(schema=schema, left=left, right=right, kind=kind, left_keys=[column(0)], right_keys=[column(0)])
    looped = NestedLoopJoin(schema=schema, left=left, right=right, kind=kind, condition=equal)
    assert collect(hashed, context) == collect(looped, context) == expected
    assert explain(hashed).splitlines()[0] == f"HashJoin({kind}, keys=1)"
    assert explain(looped).splitlines()[0] == f"NestedLoopJoin({kind}, keys=0)"


def test_a_null_key_matches_nothing_in_a_hash_join(context: ExecutionContext) -> None:
    left, right = values((None,), (1,)), values((None,), (1,))
    join = HashJoin(
        schema=[Column("l", T.INT), Column("r", T.INT)],
        left=left,
        right=right,
        kind="inner",
        left_keys=[column(0)],
        right_keys=[column(0)],
    )
    assert collect(join, context) == [(1, 1)]
