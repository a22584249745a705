"""Statements end to end in one session: results as (columns, rows), sink lines, and errors.

Cases marked (Flink 2.3) were run in Apache Flink 2.3.0 and their
output copied here."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qsql.errors import CatalogError, ExecutionError, OptionError, QsqlError, QsqlTypeError, ValidationError

from .conftest import SqlRunner

QUERIES = [
    # (sql, expected columns, expected rows)
    ("SELECT 40 + 2", ["EXPR$0"], [(42,)]),  # (Flink 2.3)
    ("SELECT 7 / 2, -5 % 3, 2147483647 + 1", ["EXPR$0", "EXPR$1", "EXPR$2"], [(3, -2, -2147483648)]),  # (Flink 2.3)
    ("SELECT 1.0 / 3, 2.50", ["EXPR$0", "EXPR$1"], [(Decimal("0.333333333333"), Decimal("2.50"))]),  # (Flink 2.3)
    ("SELECT 'a' || 'b' AS ab, 1 AS uno", ["ab", "uno"], [("ab", 1)]),
    ("SELECT CAST(NULL AS INT) AS n", ["n"], [(None,)]),
    ("SELECT 0.1e0 + 0.2e0", ["EXPR$0"], [(0.30000000000000004,)]),  # (Flink 2.3)
    ("SELECT (1 + 2) * 3 - -1", ["EXPR$0"], [(10,)]),
    (
        "SELECT 1 < 2, 1 = 2, NOT TRUE, TRUE AND CAST(NULL AS BOOLEAN), TRUE OR CAST(NULL AS BOOLEAN)",
        ["EXPR$0", "EXPR$1", "EXPR$2", "EXPR$3", "EXPR$4"],
        [(True, False, False, None, True)],
    ),
    ("VALUES (1, 'a'), (2, 'bb')", ["EXPR$0", "EXPR$1"], [(1, "a"), (2, "bb")]),
    ("SELECT TRY_CAST('x' AS INT), CAST('7' AS INT)", ["EXPR$0", "EXPR$1"], [(None, 7)]),
]


@pytest.mark.parametrize("query, columns, rows", QUERIES)
def test_queries(sql: SqlRunner, query: str, columns: list[str], rows: list[tuple]) -> None:
    assert sql.query(query) == (columns, rows)


VIEW = "CREATE TEMPORARY VIEW v(id, name, info) AS VALUES (1, 'mj', 'abc'), (2, 'x', CAST(NULL AS STRING));"


def test_select_from_a_view_with_star_alias_and_arithmetic(sql: SqlRunner) -> None:
    sql(VIEW)
    assert sql.query("SELECT * FROM v") == (["id", "name", "info"], [(1, "mj", "abc"), (2, "x", None)])
    assert sql.query("SELECT id * 10 AS tens, name || '!' FROM v") == (
        ["tens", "EXPR$1"],
        [(10, "mj!"), (20, "x!")],
    )
    assert sql.query("SELECT w.id FROM v AS w") == (["id"], [(1,), (2,)])
    assert sql.query("SELECT * FROM default_catalog.default_database.v")[1][0] == (1, "mj", "abc")


def test_view_of_a_view_and_select_view(sql: SqlRunner) -> None:
    sql(VIEW + "CREATE VIEW w AS SELECT id + 1 AS nxt, name FROM v; CREATE VIEW z (a, b) AS SELECT * FROM w;")
    assert sql.query("SELECT a, b FROM z") == (["a", "b"], [(2, "mj"), (3, "x")])


def print_table(columns: str, options: str = "") -> str:
    return f"CREATE TEMPORARY TABLE sink ({columns}) WITH ('connector' = 'print'{options});"


def test_insert_into_print_sink_formats_like_flink(sql: SqlRunner) -> None:
    # (Flink 2.3) the same statements print these lines
    run = sql(
        VIEW
        + "CREATE TEMPORARY TABLE p (id BIGINT, name VARCHAR(1), info STRING) WITH ('connector'='print');"
        + "INSERT INTO p SELECT id, name, info FROM v;"
    )
    assert run.out == "+I[1, m, abc]\n+I[2, x, null]\n"
    assert run.results[-1].rows == 2


def test_insert_coerces_like_flink(sql: SqlRunner) -> None:
    run = sql(
        "CREATE TEMPORARY TABLE p3 (c CHAR(5), d DECIMAL(5, 2), e DOUBLE, f DATE) WITH ('connector'='print');"
        "INSERT INTO p3 VALUES ('ab', 12345.5, 1.5, DATE '2026-11-30');"
        "INSERT INTO p3 VALUES ('ab', 1.005, 1.5e0, DATE '2026-11-30');"
        "INSERT INTO p3 SELECT 'abcdefgh', 2, CAST(1.5 AS DECIMAL(3,1)), DATE '2026-11-30';"
    )
    # (Flink 2.3)
    assert run.out.splitlines() == [
        "+I[ab   , null, 1.5, 2026-11-30]",
        "+I[ab   , 1.01, 1.5, 2026-11-30]",
        "+I[abcde, 2.00, 1.5, 2026-11-30]",
    ]


def test_print_format_of_every_type(sql: SqlRunner) -> None:
    run = sql(
        print_table("a ARRAY<STRING>, n INT, d DATE, ts TIMESTAMP(3), b BOOLEAN, x DOUBLE, f ARRAY<FLOAT>, s STRING")
        + "INSERT INTO sink VALUES (ARRAY['a', 'b', 'c'], CAST(NULL AS INT), DATE '2026-11-30', "
        "TIMESTAMP '2026-11-30 00:00:00', FALSE, 1e7, CAST(ARRAY[0.12e0, 0.22e0] AS ARRAY<FLOAT>), 'x, \"y\", 李雷');"
    )
    assert run.out == '+I[[a, b, c], null, 2026-11-30, 2026-11-30T00:00, false, 1.0E7, [0.12, 0.22], x, "y", 李雷]\n'


def test_print_identifier_and_standard_error(sql: SqlRunner) -> None:
    run = sql(
        print_table("id INT, name STRING, ok BOOLEAN", ", 'print-identifier' = 'out'")
        + "INSERT INTO sink VALUES (2, CAST(NULL AS STRING), FALSE);"
    )
    assert run.out == "out> +I[2, null, false]\n"  # (Flink 2.3)
    run = sql(
        "CREATE TABLE e (id INT) WITH ('connector' = 'print', 'standard-error' = 'true');INSERT INTO e VALUES (1);"
    )
    assert run.out == "" and "+I[1]" in run.err


def test_insert_with_column_list_fills_nulls(sql: SqlRunner) -> None:
    run = sql(VIEW + print_table("id INT, name STRING") + "INSERT INTO sink (name) SELECT name FROM v;")
    assert run.out == "+I[null, mj]\n+I[null, x]\n"  # (Flink 2.3)


def error_of(sql: SqlRunner, text: str) -> QsqlError:
    with pytest.raises(QsqlError) as info:
        sql(text)
    return info.value


@pytest.mark.parametrize(
    "text, error_class, fragment, position",
    [
        ("SELECT * FROM nope", CatalogError, "Object 'nope' not found", (1, 15)),
        (VIEW + "\nSELECT * FROM V", CatalogError, "Object 'V' not found", (2, 15)),
        (VIEW + "\nSELECT ID FROM v", ValidationError, "Column 'ID' not found in any table", (2, 8)),
        ("SELECT nope", ValidationError, "Column 'nope' not found", (1, 8)),
        (
            "SELECT 1 + 'a'",
            QsqlTypeError,
            "Cannot apply '+' to arguments of type '<INTEGER> + <CHAR(1)>'. Supported form(s): '<NUMERIC> + <NUMERIC>'",
            (1, 8),
        ),  # (Flink 2.3, INTEGER)
        ("SELECT 1 || 'a'", QsqlTypeError, "Cannot apply '||'", (1, 8)),
        ("SELECT NULL", QsqlTypeError, "Illegal use of 'NULL'", (1, 8)),  # (Flink 2.3)
        # (Flink 2.3) a bare NULL in VALUES is refused even when another row gives the column a type
        (
            "SELECT * FROM (VALUES (-1, NULL, 2.5), (2, 'q', 1e3)) AS t(a, b, c)",
            QsqlTypeError,
            "Illegal use of 'NULL'",
            (1, 28),
        ),
        ("SELECT * FROM (VALUES (1, 'q'), (2, NULL)) AS t(a, b)", QsqlTypeError, "Illegal use of 'NULL'", (1, 37)),
        ("SELECT CAST('abc' AS INT)", ExecutionError, "cannot cast 'abc'", (1, 8)),
        ("SELECT 1 / 0", ExecutionError, "division by zero", (1, 1)),
        (
            "SELECT FOO(1)",
            ValidationError,
            "No match found for function signature FOO(<NUMERIC>)",
            (1, 8),
        ),  # (Flink 2.3)
        ("SELECT CAST(DATE '2026-01-01' AS INT)", QsqlTypeError, "Cast function cannot convert", (1, 8)),
        ("VALUES (1), ('a')", QsqlTypeError, "compatible types", (1, 9)),
        ("VALUES (1), (1, 2)", ValidationError, "same number of columns", (1, 14)),
        ("SELECT * FROM no_catalog.default_database.t", CatalogError, "Catalog 'no_catalog' does not exist", (1, 15)),
    ],
)
def test_query_errors(sql: SqlRunner, text: str, error_class: type, fragment: str, position: tuple[int, int]) -> None:
    error = error_of(sql, text)
    assert isinstance(error, error_class)
    assert fragment in error.message
    assert (error.span.line, error.span.column) == position


def test_unknown_name_suggests_the_right_case(sql: SqlRunner) -> None:
    error = error_of(sql, VIEW + "SELECT * FROM V")
    assert "did you mean 'v'?" in error.hint
    error = error_of(sql, "SELECT ID FROM v")
    assert "did you mean 'id'?" in error.hint


@pytest.mark.parametrize(
    "insert, fragment",
    [
        (
            "INSERT INTO p2 SELECT CAST(id AS BIGINT), name FROM v",
            "incompatible types for sink column 'id' at position 1",
        ),
        ("INSERT INTO p2 SELECT id FROM v", "different number of columns"),
        ("INSERT INTO p2 SELECT name, name FROM v", "incompatible types for sink column 'id'"),
        ("INSERT INTO p2 VALUES ('1', 'a')", "incompatible types"),
        ("INSERT INTO p2 (nope) SELECT id FROM v", "Unknown target column 'nope'"),
        ("INSERT INTO v SELECT * FROM v", "is a view"),
        ("INSERT OVERWRITE p2 SELECT id, name FROM v", "INSERT OVERWRITE is not supported by connector 'print'"),
        ("SELECT * FROM p2", "Connector 'print' can only be used as a sink"),  # (Flink 2.3)
    ],
)
def test_insert_type_errors_fail_before_running(sql: SqlRunner, insert: str, fragment: str) -> None:
    sql(VIEW + "CREATE TEMPORARY TABLE p2 (id INT, name STRING) WITH ('connector'='print');")
    error = error_of(sql, insert)
    assert fragment in error.message
    assert sql.out.getvalue() == ""


def test_sink_schema_mismatch_shows_both_schemas(sql: SqlRunner) -> None:
    sql(VIEW + "CREATE TEMPORARY TABLE p2 (id INT, name STRING) WITH ('connector'='print');")
    error = error_of(sql, "INSERT INTO p2 SELECT CAST(id AS BIGINT), name FROM v")
    # (Flink 2.3) Query schema: [EXPR$0: BIGINT NOT NULL, name: VARCHAR(2) NOT NULL] / Sink schema: [id: INT, name: STRING]
    assert (
        error.hint
        == "Query schema: [EXPR$0: BIGINT NOT NULL, name: VARCHAR(2) NOT NULL]  Sink schema: [id: INT, name: STRING]"
    )


def test_untyped_null_in_values_is_rejected_as_in_flink(sql: SqlRunner) -> None:
    # (Flink 2.3) INSERT INTO f VALUES (..., NULL) fails: Illegal use of 'NULL'
    error = error_of(sql, print_table("a INT") + "INSERT INTO sink VALUES (NULL);")
    assert error.message == "Illegal use of 'NULL'" and error.hint == "write CAST(NULL AS <type>)"


def test_flink_arithmetic_into_sinks(sql: SqlRunner) -> None:
    run = sql(
        "CREATE TEMPORARY TABLE g (a DOUBLE, b DECIMAL(10,2), c BIGINT) WITH ('connector'='print');"
        "INSERT INTO g SELECT 1.5e0 * 2, 1.25 * 2, 7 / 2;"
        "INSERT INTO g SELECT CAST(1 AS FLOAT) / 3, 10.5 / 4, -7 % 3;"
        "INSERT INTO g SELECT 1e300 * 1e300, 1.005, 3;"
        "INSERT INTO g VALUES (1, 1, 1), (2.5, 2.5, 2);"
    )
    # (Flink 2.3)
    assert run.out.splitlines() == [
        "+I[3.0, 2.50, 3]",
        "+I[0.3333333432674408, 2.63, -1]",
        "+I[Infinity, 1.01, 3]",
        "+I[1.0, 1.00, 1]",
        "+I[2.5, 2.50, 2]",
    ]


def test_casts_to_string_like_flink(sql: SqlRunner) -> None:
    run = sql(
        "CREATE TEMPORARY TABLE s (a STRING, b STRING, c STRING, d STRING, e STRING, f STRING, g STRING, h STRING) "
        "WITH ('connector'='print');"
        "INSERT INTO s SELECT CAST(TRUE AS STRING), CAST(1.5e0 AS STRING), CAST(DATE '2026-01-02' AS STRING), "
        "CAST(TIMESTAMP '2026-01-02 03:04:05' AS STRING), CAST(ARRAY[1,2] AS STRING), CAST(CAST(0.1 AS FLOAT) AS STRING), "
        "CAST(12345678.9e0 AS STRING), CAST(1.50 AS STRING);"
    )
    # (Flink 2.3)
    assert run.out == "+I[TRUE, 1.5, 2026-01-02, 2026-01-02 03:04:05, [1, 2], 0.1, 1.23456789E7, 1.50]\n"


def test_not_null_sink_column_rejects_null_at_runtime(sql: SqlRunner) -> None:
    error = error_of(sql, print_table("a INT NOT NULL") + "INSERT INTO sink VALUES (CAST(NULL AS INT));")
    assert "Column 'a' is NOT NULL" in error.message


@pytest.mark.parametrize(
    "ddl, error_class, fragment",
    [
        (
            "CREATE TABLE t (a INT) WITH ('connector' = 'prnt')",
            OptionError,
            "Could not find any factory for identifier 'prnt'",
        ),
        ("CREATE TABLE t (a INT) WITH ('foo' = 'bar')", OptionError, "do not contain an option key 'connector'"),
        ("CREATE TABLE t (a INT) WITH ('connector' = 'print', 'foo' = 'bar')", OptionError, "Unsupported option 'foo'"),
        (
            "CREATE TABLE t (a INT) WITH ('connector' = 'print', 'standard-error' = 'yes')",
            OptionError,
            "'standard-error' must be 'true' or 'false'",
        ),
        (
            "CREATE TABLE t (a INT) WITH ('connector' = 'print', 'sink.parallelism' = '0')",
            OptionError,
            "'sink.parallelism' must be an integer >= 1",
        ),
        ("CREATE TABLE t (a INT, a STRING) WITH ('connector' = 'print')", ValidationError, "Duplicate column name 'a'"),
        ("CREATE TABLE t (a INT) WITH ('connector' = 'print', 'connector' = 'print')", OptionError, "given twice"),
        ("CREATE VIEW v2 (a, b) AS SELECT 1", ValidationError, "same degree"),
    ],
)
def test_ddl_errors(sql: SqlRunner, ddl: str, error_class: type, fragment: str) -> None:
    error = error_of(sql, ddl)
    assert isinstance(error, error_class) and fragment in error.message


def test_unknown_connector_option_suggests_the_close_one(sql: SqlRunner) -> None:
    error = error_of(sql, "CREATE TABLE t (a INT) WITH ('connector' = 'print', 'print-identifer' = 'x')")
    assert error.hint == "did you mean 'print-identifier'?"
