"""Flink's reserved words cannot be names unless backquoted; its non-reserved keywords can.

(Flink 2.3) The reserved list (qsql/reserved.py) is Flink 2.3.0's parser metadata. Each of Flink's
787 keywords was then tried in Flink 2.3.0 as an alias (``SELECT 1 AS w``) and after a dot
(``SELECT t.w FROM (VALUES (1)) AS t(`w`)``): Flink refused exactly the 432 reserved ones with a parse
error and took the 355 others, and plain words (``id``, ``text``, ``content`` ...)."""

from __future__ import annotations

import pytest

from qsql.errors import QsqlSyntaxError
from qsql.parser import parse
from qsql.reserved import RESERVED_WORDS

from .conftest import SqlRunner

# (Flink 2.3) refused: "SQL parse failed. Encountered "<word>" at line 1, column N."
REFUSED = [
    "floor",
    "value",
    "result",
    "comment",
    "year",
    "date",
    "timestamp",
    "count",
    "user",
    "one",
    "time",
    "rank",
    "rows",
    "language",
    "position",
    "row",
    "month",
    "hour",
    "minute",
    "second",
    "table",
    "sum",
]
# (Flink 2.3) accepted as names
ACCEPTED = [
    "data",
    "name",
    "type",
    "key",
    "input",
    "output",
    "model",
    "label",
    "error",
    "text",
    "status",
    "id",
    "content",
    "prompt",
    "args",
    "config",
    "a",
    "absent",
    "description",
    "json",
    "language_x",
    "view",
]


@pytest.mark.parametrize("word", REFUSED)
def test_a_reserved_word_is_refused_as_a_name(word: str) -> None:
    for sql, column in (
        (f"SELECT 1 AS {word}", 13),
        (f"SELECT x AS {word}\nFROM t", 13),
        (f"SELECT t.{word} FROM t", 10),
    ):
        with pytest.raises(QsqlSyntaxError) as caught:
            parse(sql, "q.sql")
        error = caught.value
        if word in ("table",):  # never a name in qsql's grammar: its parse error says so in the hint
            assert error.message.startswith(f"unexpected '{word}'; expected ")
            assert error.hint == f"'{word}' is a reserved word in Flink SQL: write `{word}` to use it as a name"
        else:
            assert error.message == (
                f"'{word}' is a reserved word in Flink SQL and cannot be a name unless quoted: write `{word}`"
            )
        assert (error.span.line, error.span.column) == (1, column)


@pytest.mark.parametrize("word", ACCEPTED)
def test_a_non_reserved_keyword_is_a_name(word: str) -> None:
    parse(f"SELECT 1 AS {word}")
    parse(f"SELECT {word}, t.{word} FROM t")
    parse(f"CREATE TABLE {word} ({word} INT) WITH ('connector' = 'blackhole')")


def test_every_reserved_word_is_refused_and_works_backquoted() -> None:
    assert len(RESERVED_WORDS) == 432
    for word in RESERVED_WORDS:
        for sql in (f"SELECT 1 AS {word.lower()}", f"SELECT t.{word.lower()} FROM t"):
            with pytest.raises(QsqlSyntaxError):
                parse(sql)
        parse(f"SELECT t.`{word}` AS `{word.lower()}` FROM t")


def test_reserved_words_keep_their_own_meaning(sql: SqlRunner) -> None:
    """Where Flink's grammar gives a reserved word a meaning (a function, a literal, a type, a
    time unit), it still works."""
    columns, rows = sql.query(
        "SELECT COUNT(*) AS n, FLOOR(2.5) AS f, YEAR(DATE '2026-03-01') AS y, "
        "CAST(TIMESTAMP '2026-01-01 00:00:00' + INTERVAL '1' DAY AS DATE) AS d, `value` "
        "FROM (VALUES (1)) AS t(`value`) GROUP BY `value`"
    )
    assert (columns, rows) == (
        ["n", "f", "y", "d", "value"],
        [(1, 2, 2026, __import__("datetime").date(2026, 1, 2), 1)],
    )


def test_the_error_names_the_statement_line_and_column(sql: SqlRunner) -> None:
    with pytest.raises(QsqlSyntaxError) as caught:
        sql("CREATE TABLE t (id INT,\n  result STRING) WITH ('connector' = 'blackhole');")
    assert (caught.value.span.line, caught.value.span.column) == (2, 3)
    assert "write `result`" in caught.value.message
