"""Expressions (qsql/expressions.py): an AST expression compiled, once, into a closure over a
row and its result type; name resolution in a scope; SQL's NULL rules; Java's arithmetic.

Most expression behaviour is tested through SQL (test_language.py, test_functions.py); these
tests call the compiler directly."""

from __future__ import annotations

import pytest

from qsql import types as T
from qsql.column import Column
from qsql.errors import QsqlError, ValidationError
from qsql.expressions import Compiled, Scope, compile_expr, like_regex
from qsql.parser import parse

from .conftest import SqlRunner


def scope_of(*columns: tuple[str, T.DataType] | tuple[str, T.DataType, str]) -> Scope:
    """A scope over rows with these columns: (name, type) or (name, type, table)."""
    return Scope([Column(c[0], c[1], qualifier=c[2] if len(c) > 2 else None) for c in columns])


def compiled(expression: str, scope: Scope) -> Compiled:
    (statement,) = parse(f"SELECT {expression}", "e.sql")
    return compile_expr(statement.query.items[0].expr, scope)  # type: ignore[attr-defined]


ABC = scope_of(("a", T.INT), ("b", T.BOOLEAN), ("c", T.BOOLEAN))


def test_an_expression_compiles_to_a_function_of_the_row_and_a_type() -> None:
    plus = compiled("a + 1", ABC)
    assert plus.dtype == T.INT  # nullable, as its column
    assert plus.evaluate((41, None, None)) == 42
    assert plus.evaluate((None, None, None)) is None  # NULL in, NULL out
    assert compiled("1 + 2", ABC).evaluate(()) == 3  # literals only: the row is never read
    text = compiled("CAST(a AS STRING) || 'x'", ABC)
    assert (text.dtype, text.evaluate((5, None, None))) == (T.STRING, "5x")


def test_a_bare_column_is_marked_for_a_direct_read() -> None:
    assert compiled("a", ABC).column_index == 0
    assert compiled("c", ABC).column_index == 2
    assert compiled("a + 0", ABC).column_index is None


@pytest.mark.parametrize(
    "expression, b, c, expected",
    [
        ("b AND c", None, False, False),
        ("b AND c", None, True, None),
        ("b AND c", True, True, True),
        ("b OR c", None, True, True),
        ("b OR c", None, False, None),
        ("b OR c", False, False, False),
        ("NOT b", None, None, None),
        ("b IS NULL", None, None, True),
        ("b IS NOT TRUE", None, None, True),
    ],
)
def test_three_valued_logic(expression: str, b: bool | None, c: bool | None, expected: bool | None) -> None:
    assert compiled(expression, ABC).evaluate((0, b, c)) is expected


def test_an_unknown_column_is_refused_with_the_close_name() -> None:
    with pytest.raises(ValidationError) as caught:
        compiled("aa", ABC)
    assert (caught.value.message, caught.value.hint) == ("Column 'aa' not found in any table", "did you mean 'a'?")


def test_a_name_in_two_tables_is_ambiguous_unless_qualified() -> None:
    both = scope_of(("id", T.INT, "x"), ("id", T.INT, "y"))
    with pytest.raises(ValidationError) as caught:
        compiled("id", both)
    assert caught.value.message == "Column 'id' is ambiguous"
    assert compiled("y.id", both).column_index == 1
    with pytest.raises(ValidationError) as caught:
        compiled("z.id", both)
    assert caught.value.message == "Table 'z' not found"


def test_like_patterns() -> None:
    assert like_regex("a%_", None).fullmatch("abc") and not like_regex("a%_", None).fullmatch("a")
    assert like_regex("a!%", "!").fullmatch("a%") and not like_regex("a!%", "!").fullmatch("ab")
    assert like_regex("a.c", None).fullmatch("a.c") and not like_regex("a.c", None).fullmatch("abc")


def test_a_type_error_names_the_operator_and_the_types_as_flink() -> None:
    with pytest.raises(QsqlError) as caught:
        compiled("b + a", ABC)
    assert caught.value.message == (
        "Cannot apply '+' to arguments of type '<BOOLEAN> + <INTEGER>'. Supported form(s): '<NUMERIC> + <NUMERIC>'"
    )


def test_an_empty_map_is_refused_as_in_flink() -> None:
    with pytest.raises(QsqlError) as caught:
        compiled("MAP[]", ABC)
    assert caught.value.message == "Map requires at least 2 arguments"  # (Flink 2.3)


def test_deep_expressions_do_not_crash(sql: SqlRunner) -> None:
    """490 ORs, 490 UNION ALL branches and 245 nested CASEs run (they used to raise
    RecursionError); what is deeper than Python can nest is a clean error at the statement."""
    assert sql.query("SELECT 1 WHERE " + " OR ".join(f"{i} = 0" for i in range(490)) + " OR 1 = 1")[1] == [(1,)]
    assert sql.query("SELECT " + " + ".join("1" for _ in range(2000)))[1] == [(2000,)]
    assert len(sql.query(" UNION ALL ".join(f"SELECT {i}" for i in range(490)))[1]) == 490
    assert sql.query("SELECT " + "CASE WHEN 1 = 0 THEN 0 ELSE " * 245 + "7" + " END" * 245)[1] == [(7,)]
    assert sql.query("SELECT " + "CASE WHEN 1 = 0 THEN 0 ELSE " * 1000 + "7" + " END" * 1000)[1] == [(7,)]
    with pytest.raises(QsqlError) as caught:
        sql("SELECT 1;\nSELECT " + "ABS(" * 3000 + "1" + ")" * 3000)
    assert caught.value.message == "statement nested too deeply"
    assert caught.value.span is not None and caught.value.span.line == 2


@pytest.mark.parametrize(
    "query, message",
    [
        # (Flink 2.3) % and MOD take exact numbers only
        (
            "SELECT 5e0 % 2",
            "Cannot apply '%' to arguments of type '<DOUBLE> % <INTEGER>'. Supported form(s): '<EXACT_NUMERIC> % <EXACT_NUMERIC>'",
        ),
        (
            "SELECT MOD(1e0, 2)",
            "Cannot apply 'MOD' to arguments of type 'MOD(<DOUBLE>, <INTEGER>)'. Supported form(s): 'MOD(<EXACT_NUMERIC>, <EXACT_NUMERIC>)'",
        ),
        (
            "SELECT CAST(1 AS FLOAT) % 2.5",
            "Cannot apply '%' to arguments of type '<FLOAT> % <DECIMAL(2, 1)>'. Supported form(s): '<EXACT_NUMERIC> % <EXACT_NUMERIC>'",
        ),
    ],
)
def test_modulo_of_approximate_numbers_is_refused_as_in_flink(sql: SqlRunner, query: str, message: str) -> None:
    with pytest.raises(QsqlError) as caught:
        sql(query)
    assert caught.value.message == message


def test_array_of_equal_length_strings_keeps_char(sql: SqlRunner) -> None:
    # (Flink 2.3) TYPEOF of each; CASE/COALESCE of different lengths are VARCHAR
    assert sql.query(
        "SELECT TYPEOF(ARRAY['a', 'b']), TYPEOF(ARRAY['a', 'bc']), CHAR_LENGTH(ARRAY['a', 'bc'][1]), "
        "TYPEOF(CASE WHEN TRUE THEN 'a' ELSE 'bc' END), TYPEOF(COALESCE('a', 'bc'))"
    )[1] == [
        (
            "ARRAY<CHAR(1) NOT NULL> NOT NULL",
            "ARRAY<VARCHAR(2) NOT NULL> NOT NULL",
            1,
            "VARCHAR(2) NOT NULL",
            "VARCHAR(2) NOT NULL",
        )
    ]


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        # Flink 2.3's messages for these statements (checked with the Flink oracle): Calcite spells
        # the types without nullability, INT as INTEGER, STRING as VARCHAR(2147483647), arrays and
        # maps postfix, and names the supported form.
        (
            "SELECT 1 + TRUE",
            "Cannot apply '+' to arguments of type '<INTEGER> + <BOOLEAN>'. Supported form(s): '<NUMERIC> + <NUMERIC>'",
        ),
        ("SELECT -TRUE", "Cannot apply '-' to arguments of type '-<BOOLEAN>'. Supported form(s): '-<NUMERIC>'"),
        (
            "SELECT 1 || 2",
            "Cannot apply '||' to arguments of type '<INTEGER> || <INTEGER>'. Supported form(s): '<STRING> || <STRING>'",
        ),
        ("SELECT ARRAY[1] + 1", "Cannot apply '+' to arguments of type '<INTEGER ARRAY> + <INTEGER>'"),
        ("SELECT MAP['a', 1] + 1", "Cannot apply '+' to arguments of type '<(CHAR(1), INTEGER) MAP> + <INTEGER>'"),
        (
            "SELECT CAST('a' AS STRING) + TRUE",
            "Cannot apply '+' to arguments of type '<VARCHAR(2147483647)> + <BOOLEAN>'",
        ),
        (
            "SELECT CAST(x'01' AS BYTES) + 1",
            "Cannot apply '+' to arguments of type '<VARBINARY(2147483647)> + <INTEGER>'",
        ),
        (
            "SELECT NOW() + TRUE",
            "Cannot apply '+' to arguments of type '<TIMESTAMP_WITH_LOCAL_TIME_ZONE(3)> + <BOOLEAN>'",
        ),
        (
            "SELECT CAST(1.5 AS DECIMAL(10, 2)) + TRUE",
            "Cannot apply '+' to arguments of type '<DECIMAL(10, 2)> + <BOOLEAN>'",
        ),
    ],
)
def test_operator_type_errors_spell_types_as_calcite_does(sql: SqlRunner, statement: str, message: str) -> None:
    with pytest.raises(QsqlError) as info:
        sql(statement)
    assert info.value.message.startswith(message)
