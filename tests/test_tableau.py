"""Query tables as Flink's SQL client prints them in batch mode (CliTableauResultView.printBatchTable:
PrintStyle.tableauWithDataInferredColumnWidths with 'table.display.max-column-width' and <NULL>).

Each (Flink 2.3) table was printed by Flink 2.3.0's own TableauStyle for the same query: PyFlink ran
the query in batch mode and handed its rows, schema and string converter to
PrintStyle.tableauWithDataInferredColumnWidths(schema, converter, width, false, false), as the SQL
client does; the output is copied verbatim."""

from __future__ import annotations

import pytest

from qsql.render import flink_width, tableau

from .conftest import SqlRunner

CASES = [
    # (Flink 2.3) a column name longer than the cap is cut too; NULL as <NULL>
    (
        "SELECT CAST(NULL AS INT) AS a, 'x' AS averyveryverylongcolumnnamethatexceedsthirtychars",
        30,
        [
            "+--------+--------------------------------+",
            "|      a | averyveryverylongcolumnname... |",
            "+--------+--------------------------------+",
            "| <NULL> |                              x |",
            "+--------+--------------------------------+",
            "1 row in set",
        ],
    ),
    # (Flink 2.3) a CJK character counts 2, an emoji 3 (two UTF-16 units + 1 for wide), é 1
    (
        "SELECT '中文字符' AS c, '😀x' AS e, 'é' AS acc",
        30,
        [
            "+----------+------+-----+",
            "|        c |    e | acc |",
            "+----------+------+-----+",
            "| 中文字符 | 😀x |   é |",
            "+----------+------+-----+",
            "1 row in set",
        ],
    ),
    # (Flink 2.3) cutting wide text: the kept part is padded on the left to width - 3
    (
        "SELECT '中文字符中文字符中文字符中文字符中文字符' AS c, '😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀' AS e",
        30,
        [
            "+--------------------------------+--------------------------------+",
            "|                              c |                              e |",
            "+--------------------------------+--------------------------------+",
            "|  中文字符中文字符中文字符中... | 😀😀😀😀😀😀😀😀😀... |",
            "+--------------------------------+--------------------------------+",
            "1 row in set",
        ],
    ),
    # (Flink 2.3) a wide column name is measured as wide
    ("SELECT 1 AS `中文`", 30, ["+------+", "| 中文 |", "+------+", "|    1 |", "+------+", "1 row in set"]),
    (
        "SELECT 123456 AS `中文`",
        30,
        ["+--------+", "|   中文 |", "+--------+", "| 123456 |", "+--------+", "1 row in set"],
    ),
    # (Flink 2.3) a cap of 3: names and values wider than it (and <NULL>) become '...'
    (
        "SELECT 'abcdef' AS s, 12345 AS n, 'x' AS longname, CAST(NULL AS INT) AS nn",
        3,
        [
            "+-----+-----+-----+-----+",
            "|   s |   n | ... |  nn |",
            "+-----+-----+-----+-----+",
            "| ... | ... |   x | ... |",
            "+-----+-----+-----+-----+",
            "1 row in set",
        ],
    ),
    # (Flink 2.3) below 3, '...' overflows its column (Flink's own quirk)
    (
        "SELECT 'abcdef' AS s, 'ab' AS t",
        2,
        [
            "+----+----+",
            "|  s |  t |",
            "+----+----+",
            "| ... | ab |",
            "+----+----+",
            "1 row in set",
        ],
    ),
    # (Flink 2.3) a cut inside an emoji keeps half of it, which Java prints as '?'
    (
        "SELECT '中文字符' AS c, '😀😀' AS e, 'a中文字' AS d",
        5,
        [
            "+-------+-------+-------+",
            "|     c |     e |     d |",
            "+-------+-------+-------+",
            "| 中... |  ?... |  a... |",
            "+-------+-------+-------+",
            "1 row in set",
        ],
    ),
    # (Flink 2.3) values as CAST(... AS STRING) shows them
    (
        "SELECT CAST(1.5 AS DECIMAL(10,2)) AS d, TRUE AS b, DATE '2020-01-01' AS dt, CAST(NULL AS VARCHAR) AS v, "
        "ARRAY[1,2] AS arr, MAP['a',1] AS m, ROW(1,'x') AS r, X'0aff' AS bin",
        30,
        [
            "+------+------+------------+--------+--------+-------+--------+---------+",
            "|    d |    b |         dt |      v |    arr |     m |      r |     bin |",
            "+------+------+------------+--------+--------+-------+--------+---------+",
            "| 1.50 | TRUE | 2020-01-01 | <NULL> | [1, 2] | {a=1} | (1, x) | x'0aff' |",
            "+------+------+------------+--------+--------+-------+--------+---------+",
            "1 row in set",
        ],
    ),
    # (Flink 2.3)
    (
        "SELECT 'abc' AS s UNION ALL SELECT CAST(NULL AS VARCHAR)",
        30,
        [
            "+--------+",
            "|      s |",
            "+--------+",
            "|    abc |",
            "| <NULL> |",
            "+--------+",
            "2 rows in set",
        ],
    ),
    # (Flink 2.3) nine digits of a TIMESTAMP(9) and of a TIMESTAMP_LTZ(9) cast from it (session zone UTC)
    (
        "SELECT CAST('2021-04-13 20:12:11.123456789' AS TIMESTAMP(9)) AS ts9, "
        "CAST(CAST('2021-04-13 20:12:11.123456789' AS TIMESTAMP(9)) AS TIMESTAMP_LTZ(9)) AS l9",
        30,
        [
            "+-------------------------------+-------------------------------+",
            "|                           ts9 |                            l9 |",
            "+-------------------------------+-------------------------------+",
            "| 2021-04-13 20:12:11.123456789 | 2021-04-13 20:12:11.123456789 |",
            "+-------------------------------+-------------------------------+",
            "1 row in set",
        ],
    ),
    # (Flink 2.3) a TIME(p > 0) keeps at least one fraction digit
    (
        "SELECT TIME '10:20:00.5' AS t, CAST(TIME '10:20:00' AS TIME(3)) AS t3, TIMESTAMP '2026-11-30 10:20:30' AS ts0",
        30,
        [
            "+------------+------------+---------------------+",
            "|          t |         t3 |                 ts0 |",
            "+------------+------------+---------------------+",
            "| 10:20:00.5 | 10:20:00.0 | 2026-11-30 10:20:30 |",
            "+------------+------------+---------------------+",
            "1 row in set",
        ],
    ),
    # (Flink 2.3) ORDER BY an expression after a set operation (Flink orders a SELECT * over it)
    (
        "SELECT a FROM (VALUES (3), (1), (2)) T(a) UNION ALL SELECT 5 ORDER BY a * -1",
        30,
        [
            "+---+",
            "| a |",
            "+---+",
            "| 5 |",
            "| 3 |",
            "| 2 |",
            "| 1 |",
            "+---+",
            "4 rows in set",
        ],
    ),
    # (Flink 2.3) no rows
    ("SELECT * FROM (VALUES (1)) T(x) WHERE x > 5", 30, ["Empty set"]),
]


@pytest.mark.parametrize(("query", "width", "expected"), CASES, ids=[str(i) for i in range(len(CASES))])
def test_query_table_as_flinks_sql_client_prints_it(
    sql: SqlRunner, query: str, width: int, expected: list[str]
) -> None:
    sql("SET 'table.local-time-zone' = 'UTC'")
    assert tableau(sql(query).results[-1], width).split("\n") == expected


def test_a_line_break_in_a_value_prints_as_a_space(sql: SqlRunner) -> None:
    """The one difference from Flink (documented): Flink prints the line break as is, so the
    table's lines break apart; model replies often have line breaks."""
    text = tableau(sql("SELECT 'a' || CHR(10) || 'b' AS nl").results[-1])
    assert text.split("\n")[1:4] == ["|  nl |", "+-----+", "| a b |"]


def test_statement_tables_have_no_width_cap_and_empty_nulls(sql: SqlRunner) -> None:
    """SHOW / DESCRIBE are printed as the SQL client prints a statement's result (its
    StatementResultPrinter: data-inferred widths with no cap, NULL as an empty cell)."""
    long_name = "a_table_whose_name_is_much_longer_than_thirty_characters"
    sql(f"CREATE TABLE {long_name} (x INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1')")
    lines = tableau(sql("SHOW TABLES").results[-1], 30).split("\n")
    assert lines[3] == f"| {long_name} |"


def test_flink_width() -> None:
    assert [flink_width(t) for t in ("abc", "中文", "😀", "é", "e\u0301", "ｶ", "Ａ")] == [3, 4, 3, 1, 2, 1, 2]
