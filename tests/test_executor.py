"""The executor (qsql/executor.py): plan steps run as lazy row iterators; only ORDER BY, GROUP
BY, windows and hash joins hold rows; what a step's row count is before it runs.

The plans come from the planner (SQL in, steps out), so these tests say what the executor does
with a plan without building steps by hand."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from qsql.executor import ExecutionContext, collect, known_row_count, rows
from qsql.models.runtime import ModelRuntime
from qsql.parser import parse
from qsql.planner import Planner
from qsql.session import Session

from .conftest import SqlRunner


class Planned:
    """A session's catalog, and the plan of a query against it."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __call__(self, query: str):  # type: ignore[no-untyped-def]
        (statement,) = parse(query, "t.sql")
        return Planner(self.session.catalog, self.session.settings).plan_query(statement.query)  # type: ignore[attr-defined]


@pytest.fixture
def plan() -> Iterator[Planned]:
    with Session(env={}) as session:
        list(
            session.execute(
                "CREATE TABLE endless (n BIGINT) WITH ('connector' = 'datagen', 'fields.n.kind' = 'sequence', "
                "'fields.n.start' = '1', 'fields.n.end' = '1000000000000');"
                "CREATE VIEW t (id, tag) AS VALUES (1, 'a'), (2, 'b'), (3, 'a');"
            )
        )
        yield Planned(session)


@pytest.fixture
def context() -> Iterator[ExecutionContext]:
    runtime = ModelRuntime(None)
    yield ExecutionContext(runtime)
    runtime.close()


def test_rows_are_pulled_one_at_a_time(plan: Planned, context: ExecutionContext) -> None:
    # A trillion-row source: only what is taken is ever produced.
    first = list(itertools.islice(rows(plan("SELECT n * 2 AS d FROM endless WHERE n % 2 = 1"), context), 3))
    assert first == [(2,), (6,), (10,)]


def test_limit_stops_its_input(plan: Planned, context: ExecutionContext) -> None:
    assert collect(plan("SELECT n FROM endless LIMIT 2 OFFSET 5"), context) == [(6,), (7,)]


def test_steps_that_hold_rows_give_the_whole_answer(plan: Planned, context: ExecutionContext) -> None:
    assert collect(plan("SELECT id FROM t ORDER BY id DESC"), context) == [(3,), (2,), (1,)]
    assert sorted(collect(plan("SELECT tag, COUNT(*) FROM t GROUP BY tag"), context)) == [("a", 2), ("b", 1)]
    joined = collect(plan("SELECT a.id, b.id FROM t a JOIN t b ON a.tag = b.tag AND a.id < b.id"), context)
    assert joined == [(1, 3)]


def test_a_plan_runs_again_from_the_start(plan: Planned, context: ExecutionContext) -> None:
    step = plan("SELECT id, tag FROM t WHERE tag = 'a'")
    assert collect(step, context) == collect(step, context) == [(1, "a"), (3, "a")]


def test_known_row_count_through_sort_and_limit(plan: Planned) -> None:
    assert known_row_count(plan("SELECT id FROM t ORDER BY id LIMIT 2")) == 2
    assert known_row_count(plan("SELECT id FROM t ORDER BY id LIMIT 5")) == 3
    assert known_row_count(plan("SELECT 1")) == 1


def test_the_source_total_is_known_for_values_datagen_and_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "d.csv"
    data.write_text("1,a\n2,b\n3,c\n", encoding="utf-8")
    with Session(env={}) as session:
        list(
            session.execute(
                "CREATE TABLE g (x INT) WITH ('connector' = 'datagen', 'number-of-rows' = '7');"
                f"CREATE TABLE f (x INT, s STRING) WITH ('connector' = 'filesystem', 'path' = '{data}', 'format' = 'csv');"
            )
        )
        planner = Planner(session.catalog, session.settings)

        def total(sql: str) -> int | None:
            (statement,) = parse(sql, "t")
            return known_row_count(planner.plan_query(statement.query))  # type: ignore[attr-defined]

        assert total("SELECT x FROM g") == 7
        assert total("SELECT x FROM f") == 3
        assert total("SELECT * FROM (VALUES (1), (2)) AS t (x)") == 2
        assert total("SELECT x FROM g WHERE x > 1") is None  # a filter: unknown


def test_limit_over_ml_predict_stops_sending(stub_sql: SqlRunner, stub) -> None:  # type: ignore[no-untyped-def]
    rows = ", ".join(f"({i}, 'row {i}')" for i in range(200))
    stub_sql(
        "CREATE MODEL m INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = 'qwen', 'model' = 'qwen-plus');"
        f"CREATE TEMPORARY VIEW many (id, txt) AS VALUES {rows};"
    )
    result = stub_sql.query(
        "SELECT id, o FROM ML_PREDICT(TABLE many, MODEL m, DESCRIPTOR(txt), MAP['max-concurrent-operations', '4']) LIMIT 3"
    )
    assert result[1] == [(0, "[stub] row 0"), (1, "[stub] row 1"), (2, "[stub] row 2")]
    assert stub.stats.requests <= 4 + 3
