"""The one output layer: every format of a query result, expanded mode, and how Display
routes each kind of result (data, notes, errors) for scripts and for the shell."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from qsql.errors import ValidationError
from qsql.output import FORMATS, Display, DisplayOptions, format_rows
from qsql.session import QueryResult, Session
from qsql.settings import KNOWN_SETTINGS, OUTPUT_FORMAT, OUTPUT_FORMATS

QUERY = "SELECT * FROM (VALUES (1, 'a, \"b\"', CAST(NULL AS STRING)), (22, 'ü|x', 'z')) AS t(id, s, n);"


@pytest.fixture
def result() -> QueryResult:
    with Session(env={}) as session:
        (only,) = list(session.execute(QUERY))
    assert isinstance(only, QueryResult)
    return only


def test_the_setting_and_the_layer_know_the_same_formats() -> None:
    assert FORMATS == OUTPUT_FORMATS
    assert KNOWN_SETTINGS[OUTPUT_FORMAT.key] is OUTPUT_FORMAT
    assert OUTPUT_FORMAT.check("CSV", "format") == "csv"
    with pytest.raises(ValidationError, match="format must be one of tableau"):
        OUTPUT_FORMAT.check("yaml", "format")


def test_csv_has_a_header_quotes_as_rfc4180_and_null_is_empty(result: QueryResult) -> None:
    text = format_rows(result, "csv")
    assert text == 'id,s,n\n1,"a, ""b""",\n22,ü|x,z'
    assert list(csv.reader(io.StringIO(text))) == [["id", "s", "n"], ["1", 'a, "b"', ""], ["22", "ü|x", "z"]]


def test_tsv_is_tab_separated_without_quotes(result: QueryResult) -> None:
    assert format_rows(result, "tsv") == 'id\ts\tn\n1\ta, "b"\t\n22\tü|x\tz'


def test_json_is_one_array_and_jsonl_one_object_per_line(result: QueryResult) -> None:
    expected = [{"id": 1, "s": 'a, "b"', "n": None}, {"id": 22, "s": "ü|x", "n": "z"}]
    assert json.loads(format_rows(result, "json")) == expected
    assert [json.loads(line) for line in format_rows(result, "jsonl").splitlines()] == expected


def test_markdown_escapes_pipes_and_right_aligns_numbers(result: QueryResult) -> None:
    assert format_rows(result, "markdown").splitlines() == [
        "| id | s | n |",
        "| ---: | --- | --- |",
        '| 1 | a, "b" | <NULL> |',
        "| 22 | ü\\|x | z |",
    ]


def test_table_is_a_box_sized_by_the_data(result: QueryResult) -> None:
    assert format_rows(result, "table").splitlines() == [
        "┌────┬────────┬────────┐",
        "│ id │ s      │ n      │",
        "├────┼────────┼────────┤",
        '│  1 │ a, "b" │ <NULL> │',
        "│ 22 │ ü|x    │ z      │",
        "└────┴────────┴────────┘",
    ]


def test_expanded_shows_one_record_at_a_time(result: QueryResult) -> None:
    assert format_rows(result, "table", expanded=True).splitlines() == [
        "-[ RECORD 1 ]",
        "id | 1",
        's  | a, "b"',
        "n  | <NULL>",
        "-[ RECORD 2 ]",
        "id | 22",
        "s  | ü|x",
        "n  | z",
    ]
    # Machine formats are never expanded.
    assert format_rows(result, "csv", expanded=True) == format_rows(result, "csv")


def test_empty_results_per_format() -> None:
    with Session(env={}) as session:
        (empty,) = list(session.execute("SELECT 1 AS x WHERE 1 = 0;"))
    assert format_rows(empty, "csv") == "x"
    assert format_rows(empty, "json") == "[]"
    assert format_rows(empty, "jsonl") == ""
    assert format_rows(empty, "tableau") == ""


class Captured:
    def __init__(self, session: Session, **options: object) -> None:
        self.data: list[str] = []
        self.notes: list[str] = []
        self.errors: list[str] = []
        self.display = Display(
            session, self.data.append, self.notes.append, self.errors.append, DisplayOptions(**options)
        )  # type: ignore[arg-type]


def test_scripts_print_flink_tableau_with_its_footer_and_no_status_lines() -> None:
    with Session(env={}) as session:
        shown = Captured(session)
        assert shown.display.run("CREATE VIEW v AS SELECT 1 AS n; SELECT n FROM v;", "t.sql")
    assert shown.data == ["+---+\n| n |\n+---+\n| 1 |\n+---+\n1 row in set"]
    assert shown.notes == [] and shown.errors == []


def test_the_format_setting_applies_from_the_next_statement() -> None:
    with Session(env={}) as session:
        shown = Captured(session)
        assert shown.display.run("SET 'qsql.output.format' = 'jsonl'; SELECT 42 AS answer;", "t.sql")
    assert shown.data == ['{"answer":42}']


def test_the_shell_shows_status_footer_and_time_as_notes() -> None:
    with Session(env={}) as session:
        shown = Captured(session, interactive=True)
        assert shown.display.run("CREATE VIEW v AS SELECT 1 AS n; SELECT n FROM v; SELECT n FROM v WHERE n = 2;", "s")
    assert shown.notes[0] == "[INFO] View 'v' created."
    # Flink's client: "1 row in set (0.15 seconds)", the time as %.2f.
    assert re.fullmatch(r"1 row in set \(\d+\.\d\d seconds\)", shown.notes[1])
    assert re.fullmatch(r"Empty set \(\d+\.\d\d seconds\)", shown.notes[2])
    assert shown.data[0].startswith("┌")


def test_timing_off_drops_the_time() -> None:
    with Session(env={}) as session:
        shown = Captured(session, interactive=True)
        shown.display.run("SET 'qsql.shell.timing' = 'off'; SELECT 1 AS n;", "s")
    assert shown.notes[-1] == "1 row in set"


def test_errors_are_one_rendered_message_and_stop_the_script() -> None:
    with Session(env={}) as session:
        shown = Captured(session)
        assert not shown.display.run("SELECT 1 AS n; SELECT nope FROM nowhere; SELECT 2;", "t.sql")
    assert len(shown.data) == 1
    (message,) = shown.errors
    assert message.startswith("error: t.sql:1:") and "nowhere" in message


def test_the_shell_keeps_a_screenful_and_says_so() -> None:
    with Session(env={}) as session:
        shown = Captured(session, interactive=True)
        shown.display.run("SET 'qsql.shell.max-rows' = '2'; SELECT * FROM (VALUES (1), (2), (3)) AS t(x);", "s")
    assert shown.data[-1].count("│") == 3 * 2  # header + 2 rows, 2 bars each
    assert "showing the first 2" in shown.notes[-1]
