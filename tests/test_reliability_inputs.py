"""Reliability: huge inputs stay cheap, errors stay short, secrets never show.

Marked ``reliability`` so the whole suite can run alone: ``pytest -m reliability``.
"""

from __future__ import annotations

import os
import stat
import tracemalloc
from pathlib import Path

import pytest

from qsql.errors import QsqlError, QsqlSyntaxError, render_error
from qsql.parser import parse
from qsql.secrets import mask_secrets
from qsql.session import Session

pytestmark = pytest.mark.reliability

MB = 1_000_000


def _peak_bytes_while(action) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _error_of(text: str, **session_options: object) -> QsqlError:
    with Session(env=session_options.pop("env", {}), **session_options) as session:  # type: ignore[arg-type]
        with pytest.raises(QsqlError) as caught:
            list(session.execute(text, "big.sql"))
    return caught.value


# ------------------------------------------------------------------ memory of huge tokens


@pytest.mark.parametrize(
    "template",
    [
        "SELECT '{body}';",
        "SELECT 'ab''{body}''cd';",
        "/* {body} */ SELECT 1;",
        "/* ** {body} ** */ SELECT 1;",
        "SELECT 1 AS `{body}`;",
    ],
    ids=["string", "string-with-quotes", "block-comment", "comment-with-stars", "quoted-name"],
)
def test_a_huge_token_parses_in_memory_proportional_to_it(template: str) -> None:
    """Python's re kept a frame per character for (?:[^']|'')*: a 1 MB literal took over
    200 MB. The unrolled, possessive patterns need only the text itself."""
    text = template.replace("{body}", "x" * MB)
    peak = _peak_bytes_while(lambda: parse(text))
    assert peak < 30 * MB


def test_a_huge_literal_with_many_doubled_quotes_parses_in_bounded_memory() -> None:
    text = "SELECT '" + "ab''" * (MB // 4) + "';"
    statements: list = []
    peak = _peak_bytes_while(lambda: statements.extend(parse(text)))
    assert peak < 40 * MB
    assert statements[0].query.items[0].expr.value == "ab'" * (MB // 4)


def test_an_unterminated_huge_literal_is_reported_where_it_opens_in_bounded_memory() -> None:
    text = "SELECT 1;\nSELECT '" + "x" * MB + ";"
    errors: list[QsqlError] = []

    def attempt() -> None:
        try:
            parse(text, "big.sql")
        except QsqlSyntaxError as error:
            errors.append(error)

    assert _peak_bytes_while(attempt) < 30 * MB
    assert errors and errors[0].span.line == 2 and errors[0].span.column == 8
    assert "unterminated string literal" in errors[0].message


def test_doubled_quotes_and_empty_names_keep_their_meaning() -> None:
    statement = parse("SELECT 'it''s', '', '''', `a``b` /* ** / * */ FROM t")[0]
    values = [item.expr for item in statement.query.items]
    assert [v.value for v in values[:3]] == ["it's", "", "'"]
    assert values[3].parts[0].name == "a`b"
    with pytest.raises(QsqlSyntaxError):
        parse("SELECT `` FROM t")


# ------------------------------------------------------------------ bounded error output


def test_an_error_on_a_huge_line_echoes_a_window_around_the_caret() -> None:
    text = "SELECT '" + "x" * (2 * MB) + "' FROM nowhere_table;"
    error = _error_of(text)
    shown = render_error(error)
    assert len(shown) < 1000
    assert "nowhere_table" in shown
    echo, caret = shown.splitlines()[1:3]
    assert echo.startswith("  ...") and echo.rstrip().endswith("nowhere_table;")
    assert echo[caret.index("^") :].startswith("nowhere_table")


def test_an_error_about_a_huge_token_quotes_only_its_start() -> None:
    error = _error_of("SELECT 1 '" + "y" * MB + "';")
    shown = render_error(error)
    assert len(shown) < 1000 and "characters" in shown


def test_the_caret_stays_under_the_token_when_a_key_before_it_is_masked() -> None:
    text = "CREATE TABLE t (a INT) WITH ('api-key' = 'sk-very-long-secret-value', 'connector' = 'nope');"
    shown = render_error(_error_of(text))
    echo, caret = shown.splitlines()[1:3]
    assert "sk-very" not in shown
    assert echo[caret.index("^") :].startswith("'nope'")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT " + "9" * 5000 + ";",
        "SELECT -" + "9" * 5000 + ";",
        "SELECT CAST(1 AS DECIMAL(" + "9" * 5000 + ", 2));",
        "SELECT CAST(1 AS DECIMAL(10, " + "9" * 5000 + "));",
        "SELECT CAST('a' AS VARCHAR(" + "9" * 5000 + "));",
        "SELECT CAST(1 AS TIMESTAMP(" + "9" * 5000 + "));",
        "SELECT 1 LIMIT " + "9" * 5000 + ";",
        "SELECT 1 OFFSET " + "9" * 5000 + ";",  # found by the fuzzer
        "SELECT 1 FETCH FIRST " + "9" * 5000 + " ROWS ONLY;",
        "SELECT CAST('" + "9" * 5000 + "' AS BIGINT);",
        "SELECT CAST(1 AS DECIMAL(99999999999999999999999, 2));",
    ],
)
def test_huge_integers_are_clean_errors(sql: str) -> None:
    """Python refuses to convert more than 4,300 digits: that was 'internal error: ValueError'."""
    error = _error_of(sql)
    assert len(render_error(error)) < 1000


# ------------------------------------------------------------------ secrets


SECRET = "sk-0123456789abcdef"


@pytest.mark.parametrize(
    "sql",
    [
        f"CREATE MODEL m WITH ('provider' = 'qwen', 'api-key' '{SECRET}', 'model' = 'x');",
        f'CREATE MODEL m WITH ("provider" = "qwen", "api-key" = "{SECRET}");',
        f"CREATE MODEL m WITH ('provider' = 'qwen', 'api-key' =\n  '{SECRET}', 'model' = 'x', oops);",
        f"CREATE MODEL m WITH ('provider' = 'qwen', 'api-key' /* the key */ = -- below\n '{SECRET}', oops);",
        f"CREATE MODEL m WITH ('provider' = 'qwen', 'API_KEY' = '{SECRET}', 'model' = 'x') oops;",
        f"CREATE MODEL m WITH ('provider' = 'qwen', 'api-key' = {SECRET});",
        f"CREATE MODEL m WITH ('provider' = 'qwen', 'api-key' = '{SECRET}",
        f"CREATE MODEL m WITH ('provider' = 'qwen', 'api-key' = '{SECRET[:8]}''{SECRET[8:]}', 'model' = 'x') oops;",
    ],
    ids=[
        "missing-equals",
        "double-quotes",
        "next-line",
        "comments-between",
        "underscore-key",
        "unquoted",
        "unterminated",
        "doubled-quote-inside",
    ],
)
def test_a_key_never_shows_in_an_error(sql: str) -> None:
    shown = render_error(_error_of(sql))
    assert SECRET not in shown and SECRET[:8] not in shown and SECRET[8:] not in shown
    assert mask_secrets(sql).count("****") == 1
    assert SECRET[3:] not in mask_secrets(sql)


def test_a_variable_reference_is_not_masked() -> None:
    sql = "CREATE MODEL m WITH ('api-key' = '${DASHSCOPE_API_KEY}');"
    assert mask_secrets(sql) == sql


def test_an_expanded_variable_in_a_plain_option_shows_as_its_placeholder() -> None:
    value = "not-a-url-but-private-host-secret"
    sql = (
        "CREATE MODEL m INPUT (input STRING) OUTPUT (content STRING) "
        "WITH ('provider' = 'openai', 'endpoint' = '${MY_ENDPOINT}', 'model' = 'gpt-4o', 'api-key' = 'k');"
    )
    shown = render_error(_error_of(sql, env={"MY_ENDPOINT": value}))
    assert value not in shown and "${MY_ENDPOINT}" in shown
    sql = sql.replace("'endpoint' = '${MY_ENDPOINT}'", "'temperature' = '${TEMP}'")
    shown = render_error(_error_of(sql, env={"TEMP": "hot-" + value}))
    assert value not in shown and "${TEMP}" in shown
    sql = sql.replace("'provider' = 'openai'", "'provider' = '${PROVIDER}'")
    shown = render_error(_error_of(sql, env={"PROVIDER": value, "TEMP": "0.5"}))
    assert value not in shown and "${PROVIDER}" in shown


def test_history_and_cache_files_are_private(tmp_path: Path) -> None:
    from qsql.models.cache import DiskCache
    from qsql.shell.history import MaskedFileHistory

    old_umask = os.umask(0o022)
    try:
        history = MaskedFileHistory(tmp_path / "data" / "history")
        history.append_string(f"CREATE MODEL m WITH ('api-key'\n= -- k\n'{SECRET}');")
        cache = DiskCache(tmp_path / "cache" / "replies.sqlite")
        cache.close()
    finally:
        os.umask(old_umask)
    for path in (tmp_path / "data" / "history", tmp_path / "cache" / "replies.sqlite"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert SECRET not in (tmp_path / "data" / "history").read_text()
    assert SECRET not in "".join(history.get_strings())
