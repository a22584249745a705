"""Grammar: every statement form, lexical edge cases, and syntax errors with positions."""

from __future__ import annotations

import pytest

from qsql import ast
from qsql import types as T
from qsql.errors import QsqlError, QsqlSyntaxError, render_error
from qsql.parser import build_parser, parse

SEED = """
-- Create chat model
CREATE MODEL ai_data_desensitization
INPUT (input STRING)
OUTPUT (content STRING)
WITH (
  'provider' = 'deepseek',
  'endpoint' = 'https://api.deepseek.com/v1',
  'api-key' = 'your-api-key',
  'model' = 'deepseek-chat',
  'system-prompt' = 'Please desensitize the last four digits of the entered data ID number into*.'

);
CREATE TEMPORARY VIEW user_info(id, user_name,  info, actual_label)
AS VALUES
  (1, 'mj', 'My name is mj, ID number number: 412721199803135419.', 'positive');

CREATE TEMPORARY TABLE print_sink(
  id BIGINT,
  user_name VARCHAR,
  predicit_label VARCHAR,
  actual_label VARCHAR
) WITH (
  'connector' = 'print'
);
INSERT INTO print_sink
SELECT id, user_name, content as predicit_label, actual_label
FROM ML_PREDICT(
    TABLE user_info,
        MODEL ai_data_desensitization,
    DESCRIPTOR(info));
"""


def test_grammar_has_no_conflicts_in_strict_mode() -> None:
    # The production builder with the production options (lexer and all); strict makes Lark
    # refuse any shift/reduce or reduce/reduce conflict (test_parser_cache: never from the cache).
    assert build_parser(strict=True).options.strict


def test_seed_example_parses_into_four_statements() -> None:
    create_model, create_view, create_table, insert = parse(SEED)
    assert isinstance(create_model, ast.CreateModel)
    assert create_model.name.name == "ai_data_desensitization"
    assert [c.name.name for c in create_model.inputs] == ["input"]
    assert [c.name.name for c in create_model.outputs] == ["content"]
    assert create_model.outputs[0].dtype == T.STRING
    assert [(o.key, o.value) for o in create_model.options][0] == ("provider", "deepseek")
    assert isinstance(create_view, ast.CreateView) and create_view.temporary
    assert [c.name for c in create_view.columns] == ["id", "user_name", "info", "actual_label"]
    assert isinstance(create_view.query, ast.Values)
    assert isinstance(create_table, ast.CreateTable)
    assert [c.dtype for c in create_table.columns] == [T.BIGINT, T.STRING, T.STRING, T.STRING]
    assert isinstance(insert, ast.Insert)
    predict = insert.query.from_
    assert isinstance(predict, ast.MLPredict)
    assert (predict.table.name, predict.model.name, [d.name for d in predict.descriptor]) == (
        "user_info",
        "ai_data_desensitization",
        ["info"],
    )
    assert insert.query.items[2].alias.name == "predicit_label"


def test_spans_point_at_source_positions() -> None:
    statements = parse("SELECT 1;\n  SELECT\n    abc FROM t;")
    second = statements[1]
    assert (second.span.line, second.span.column) == (2, 3)
    column = second.query.items[0].expr
    assert (column.span.line, column.span.column, column.span.end_column) == (3, 5, 8)


@pytest.mark.parametrize(
    "text, statement_class",
    [
        ("select 1", ast.QueryStatement),
        ("SeLeCt 1 FrOm t", ast.QueryStatement),
        ("CREATE model IF NOT EXISTS m INPUT (i STRING) OUTPUT (o STRING) COMMENT 'c' WITH ('a'='b')", ast.CreateModel),
        ("create temporary model m input (i string comment 'x') output (o string) with ('a'='b')", ast.CreateModel),
        ("CREATE VIEW IF NOT EXISTS v AS SELECT a, b AS c FROM t", ast.CreateView),
        ("CREATE VIEW v (x) COMMENT 'about v' AS (SELECT 1)", ast.CreateView),
        (
            "CREATE TABLE IF NOT EXISTS t (a INT NOT NULL, b DECIMAL(10, 2) COMMENT 'money') COMMENT 't' WITH ('connector'='print')",
            ast.CreateTable,
        ),
        ("INSERT INTO t (a, b) VALUES (1, 2), (3, 4)", ast.Insert),
        ("INSERT OVERWRITE t SELECT * FROM s", ast.Insert),
        ("INSERT INTO t (SELECT 1)", ast.Insert),
        ("SELECT * FROM default_catalog.default_database.t", ast.QueryStatement),
        ("SELECT t.*, `weird name`, `select` FROM t AS x", ast.QueryStatement),
        ("SELECT a b FROM t x", ast.QueryStatement),
        ("SELECT * FROM TABLE(ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(c)))", ast.QueryStatement),
        ("SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(c), MAP['async', 'true']) p", ast.QueryStatement),
        (
            "SELECT * FROM ML_PREDICT(INPUT => TABLE t, MODEL => MODEL m, ARGS => DESCRIPTOR(c), CONFIG => MAP['a', 'b'])",
            ast.QueryStatement,
        ),
        ("SELECT -1 + 2 * 3 / 4 % 5 - +6, 'a' || 'b', (1 + 2) * 3", ast.QueryStatement),
        (
            "SELECT CAST(a AS VARCHAR(10)), TRY_CAST('x' AS INT), ARRAY[1, 2], DATE '2026-01-01', TIMESTAMP '2026-01-01 10:00:00'",
            ast.QueryStatement,
        ),
        ("SELECT a = 1 AND NOT b <> 2 OR c >= 3", ast.QueryStatement),
        (
            "SELECT CAST(a AS DOUBLE PRECISION), CAST(b AS TIMESTAMP(3) WITHOUT TIME ZONE), CAST(c AS ARRAY<ARRAY<INT>>)",
            ast.QueryStatement,
        ),
    ],
)
def test_statement_forms_parse(text: str, statement_class: type) -> None:
    (statement,) = parse(text)
    assert type(statement) is statement_class


def test_keywords_are_case_insensitive_and_names_keep_their_case() -> None:
    (statement,) = parse("sElEcT MyCol FROM MyTable")
    assert statement.query.items[0].expr.name == "MyCol"
    assert statement.query.from_.name.name == "MyTable"


def test_contextual_keywords_can_be_column_names() -> None:
    (statement,) = parse("CREATE MODEL model INPUT (input STRING) OUTPUT (output STRING) WITH ('a'='b')")
    assert statement.name.name == "model"
    assert statement.inputs[0].name.name == "input"


@pytest.mark.parametrize(
    "text, count",
    [
        ("SELECT 'a;b'; SELECT 2", 2),
        ("SELECT 'it''s; fine'", 1),
        ("SELECT 1 -- a comment; with a semicolon\n; SELECT 2", 2),
        ("SELECT /* ; */ 1; /* trailing */", 1),
        ("SELECT `a;b` FROM t;", 1),
        (";;SELECT 1;;;SELECT 2;", 2),
        ("-- only a comment", 0),
        ("SELECT 1", 1),
    ],
)
def test_semicolons_in_strings_and_comments(text: str, count: int) -> None:
    assert len(parse(text)) == count


def test_string_escapes_and_unicode() -> None:
    (statement,) = parse("SELECT 'it''s', '李雷, 你好', ''")
    values = [item.expr.value for item in statement.query.items]
    assert values == ["it's", "李雷, 你好", ""]


def test_backquoted_identifier_escape() -> None:
    (statement,) = parse("SELECT `a``b` FROM t")
    assert statement.query.items[0].expr.name == "a`b"


@pytest.mark.parametrize(
    "text, dtype",
    [
        ("42", T.INT),
        ("3000000000", T.BIGINT),
        ("2.50", T.decimal(3, 2)),
        ("0.001", T.decimal(3, 3)),
        ("1e3", T.DOUBLE),
        ("'ab'", T.char(2)),
        ("TRUE", T.BOOLEAN),
        ("DATE '2026-11-30'", T.DATE),
        ("TIMESTAMP '2026-11-30 10:00:00.123'", T.timestamp(3)),
    ],
)
def test_literal_types(text: str, dtype: T.DataType) -> None:
    (statement,) = parse(f"SELECT {text}")
    assert statement.query.items[0].expr.dtype == dtype.with_nullable(False)


@pytest.mark.parametrize(
    "text, dtype",
    [
        ("STRING", T.STRING),
        ("VARCHAR", T.STRING),
        ("VARCHAR(10)", T.varchar(10)),
        ("CHAR", T.char(1)),
        ("CHAR(3)", T.char(3)),
        ("BOOLEAN", T.BOOLEAN),
        ("TINYINT", T.TINYINT),
        ("SMALLINT", T.SMALLINT),
        ("INT", T.INT),
        ("INTEGER", T.INT),
        ("BIGINT", T.BIGINT),
        ("FLOAT", T.FLOAT),
        ("DOUBLE", T.DOUBLE),
        ("DECIMAL", T.decimal(10, 0)),
        ("DECIMAL(10, 2)", T.decimal(10, 2)),
        ("NUMERIC(5)", T.decimal(5, 0)),
        ("DATE", T.DATE),
        ("TIMESTAMP", T.timestamp(6)),
        ("TIMESTAMP(3)", T.timestamp(3)),
        ("ARRAY<FLOAT>", T.array(T.FLOAT)),
        ("ARRAY<STRING NOT NULL>", T.array(T.STRING.with_nullable(False))),
        ("INT NOT NULL", T.INT.with_nullable(False)),
    ],
)
def test_types_in_ddl(text: str, dtype: T.DataType) -> None:
    (statement,) = parse(f"CREATE TABLE t (c {text}) WITH ('connector'='print')")
    assert statement.columns[0].dtype == dtype


def syntax_error(text: str) -> QsqlError:
    with pytest.raises(QsqlError) as info:
        parse(text, "x.sql")
    return info.value


@pytest.mark.parametrize(
    "text, line, column, fragment",
    [
        ("SELECT FROM t", 1, 8, "unexpected 'FROM'"),
        ("SELECT 1;\nSELECT 'abc", 2, 8, "unterminated string literal"),
        ("SELECT a FROM t\nSELECT b FROM t", 2, 1, "unexpected 'SELECT'"),
        ("CREATE TABLE t (a INT", 1, 22, "unexpected end of input"),
        ("SELECT 1 /* open", 1, 10, "unterminated comment"),
        ('SELECT "a"', 1, 8, "double quotes"),
        ("SELECT `a", 1, 8, "unterminated quoted identifier"),
        ("CREATE TABLE t (a FOO) WITH ('connector'='print')", 1, 19, "unknown data type 'FOO'"),
        ("CREATE TABLE t (a DECIMAL(40, 2)) WITH ('connector'='print')", 1, 19, "precision must be between 1 and 38"),
        ("SELECT DATE '2026-13-01'", 1, 8, "invalid DATE literal"),
        ("SELECT * FROM ML_PREDICT(MODEL m, TABLE t, DESCRIPTOR(c))", 1, 26, "in this order"),
        ("SELECT * FROM ML_PREDICT(TABLE t, MODEL m)", 1, 15, "missing its ARGS argument"),
    ],
)
def test_syntax_errors_name_line_and_column(text: str, line: int, column: int, fragment: str) -> None:
    error = syntax_error(text)
    assert fragment in error.message
    assert (error.span.line, error.span.column) == (line, column)
    rendered = render_error(error)
    assert rendered.startswith(f"error: x.sql:{line}:{column}: ")
    caret_line = rendered.splitlines()[2]
    assert caret_line.index("^") == column + 1  # two spaces of indent, 1-based column


def test_lexical_and_grammar_errors_are_syntax_errors() -> None:
    assert isinstance(syntax_error("SELECT 'abc"), QsqlSyntaxError)
    assert isinstance(syntax_error("SELECT FROM t"), QsqlSyntaxError)


def test_missing_semicolon_gets_a_hint() -> None:
    assert "';' missing" in syntax_error("SELECT a FROM t\nSELECT b FROM t").hint


@pytest.mark.parametrize(
    "call, hint",
    [
        ("ML_PREDICT(TABLE v, m, DESCRIPTOR(q))", "ML_PREDICT's arguments are TABLE t, MODEL m, DESCRIPTOR(col)"),
        ("ML_PREDICT(v, MODEL m, DESCRIPTOR(q))", "ML_PREDICT's arguments are TABLE t, MODEL m, DESCRIPTOR(col)"),
        ("ML_PREDICT(TABLE v, MODEL m, q)", "ML_PREDICT's arguments are TABLE t, MODEL m, DESCRIPTOR(col)"),
        ("ML_PREDICT(TABLE (SELECT * FROM v), MODEL m, DESCRIPTOR(q))", "goes without TABLE: ML_PREDICT((SELECT"),
        ("ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR('q'))", "DESCRIPTOR takes column names, not strings"),
    ],
)
def test_ml_predict_slips_get_a_hint(call: str, hint: str) -> None:
    error = syntax_error(f"SELECT * FROM {call}")
    assert error.hint is not None and hint in error.hint


def test_error_excerpt_masks_api_key() -> None:
    error = syntax_error("CREATE MODEL m WITH ('api-key' = 'sk-verysecret' 'x')")
    rendered = render_error(error)
    assert "sk-verysecret" not in rendered
    assert "'api-key' = '****'" in rendered
