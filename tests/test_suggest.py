"""One 'did you mean' for every mistyped name, worded the same wherever it appears."""

from __future__ import annotations

import pytest

from qsql.errors import QsqlError
from qsql.session import Session
from qsql.suggest import did_you_mean


def test_the_closest_candidate_or_none() -> None:
    assert did_you_mean("temprature", ["temperature", "top-p"]) == "did you mean 'temperature'?"
    assert did_you_mean("zzz", ["temperature", "top-p"]) is None


def test_a_name_that_differs_only_in_case_says_why() -> None:
    assert did_you_mean("Orders", ["orders", "other"]) == "did you mean 'orders'? (names are case-sensitive)"


def test_an_alias_is_shown_as_its_own_spelling() -> None:
    spelled = {"topP": "top-p", "top-p": "top-p"}
    assert did_you_mean("topPP", spelled, spelled=spelled.__getitem__) == "did you mean 'top-p'?"


@pytest.mark.parametrize(
    "sql, hint",
    [
        ("SELECT UPPR('a');", "did you mean 'UPPER'?"),
        ("SELECT CAST('1' AS INTEGR);", "did you mean 'INTEGER'?"),
        ("CREATE TABLE t (a INT) WITH ('connector' = 'prnt');", "did you mean 'print'?"),
        (
            "CREATE TABLE t (a INT) WITH ('connector' = 'print', 'print-identifer' = 'x');",
            "did you mean 'print-identifier'?",
        ),
        (
            "CREATE MODEL m INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = 'qwenn', 'model' = 'x');",
            "did you mean 'qwen'?",
        ),
        (
            "CREATE MODEL m INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = 'qwen', 'model' = 'x', "
            "'temprature' = '1');",
            "did you mean 'temperature'?",
        ),
        ("CREATE VIEW v AS SELECT 1 AS n; SELECT * FROM vv;", "did you mean 'v'?"),
        ("CREATE VIEW v AS SELECT 1 AS total; SELECT totl FROM v;", "did you mean 'total'?"),
    ],
)
def test_every_kind_of_name_gets_the_same_wording(sql: str, hint: str) -> None:
    with Session(env={}) as session, pytest.raises(QsqlError) as info:
        list(session.execute(sql))
    assert info.value.hint == hint
