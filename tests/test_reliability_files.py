"""Reliability of csv and json sources on hostile files: stray quotes, huge fields,
bytes that are not UTF-8, byte order marks. Marked ``reliability``."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from qsql.errors import ExecutionError

from .conftest import CliRunner, SqlRunner
from .test_filesystem import table

pytestmark = pytest.mark.reliability

IGNORE_CSV = ", 'csv.ignore-parse-errors' = 'true'"
IGNORE_JSON = ", 'json.ignore-parse-errors' = 'true'"


def _csv_rows(count: int) -> list[str]:
    return [f"{i},name{i}\n" for i in range(count)]


def test_a_stray_quote_costs_one_line_not_the_rows_after_it(sql: SqlRunner, tmp_path: Path) -> None:
    lines = _csv_rows(5000)
    lines[10] = '10,"broken\n'  # opens a quoted field that never closes
    source = tmp_path / "in.csv"
    source.write_text("".join(lines), encoding="utf-8")
    sql(table("t", source, "csv", "id INT, s STRING", IGNORE_CSV))
    run = sql("SELECT COUNT(*), MIN(id), MAX(id) FROM t")
    assert run.results[-1].rows == [(4999, 0, 4999)]
    assert "skipped 1 malformed line(s)" in run.err


def test_stray_quotes_that_pair_up_across_lines_lose_only_their_own_lines(sql: SqlRunner, tmp_path: Path) -> None:
    lines = _csv_rows(100)
    lines[10] = '10,"a\n'
    lines[20] = '20,b"x\n'  # a quote inside an unquoted field is text; this one closes line 10's
    lines[30] = '"30",c"\n'  # text after a closing quote
    source = tmp_path / "in.csv"
    source.write_text("".join(lines), encoding="utf-8")
    sql(table("t", source, "csv", "id INT, s STRING", IGNORE_CSV))
    run = sql("SELECT id FROM t")
    ids = [row[0] for row in run.results[-1].rows]
    assert set(range(100)) - set(ids) <= {10, 30}
    assert 20 in ids
    skipped = 100 - len(ids)
    assert f"skipped {skipped} malformed line(s)" in run.err


def test_a_stray_quote_followed_by_a_wrong_field_count_is_one_line(sql: SqlRunner, tmp_path: Path) -> None:
    # Line 2's quote joins lines 2-4 into one 2-field record whose INT does not parse: line 2
    # is skipped and lines 3-4 are read again (line 4's '4"' is then an unparsable INT).
    source = tmp_path / "in.csv"
    source.write_text('1,a\n"2,b\n3,c\n4",d\n5,e\n', encoding="utf-8")
    sql(table("t", source, "csv", "id INT, s STRING", IGNORE_CSV))
    run = sql("SELECT * FROM t")
    assert run.results[-1].rows == [(1, "a"), (3, "c"), (None, "d"), (5, "e")]
    assert "skipped 1 malformed line(s) and set 1 unparsable field(s) to NULL" in run.err


def test_a_field_larger_than_csvs_default_limit_reads_back(sql: SqlRunner, tmp_path: Path) -> None:
    out = tmp_path / "big.csv"
    sql(table("t", out, "csv", "id INT, s STRING"))
    sql(f"INSERT INTO t VALUES (1, '{'x,y' * 100000}');")
    assert sql.query("SELECT id, CHAR_LENGTH(s) FROM t")[1] == [(1, 300000)]


@pytest.mark.parametrize(
    "fmt, good, bad",
    [
        ("csv", b"1,a\n", b"2,b\xff\xfe\n"),
        ("json", b'{"id": 1, "s": "a"}\n', b'{"id": 2, "s": "b\xc3"}\n'),
    ],
)
def test_bytes_that_are_not_utf8_are_a_located_error_or_a_skipped_line(
    sql: SqlRunner, tmp_path: Path, fmt: str, good: bytes, bad: bytes
) -> None:
    source = tmp_path / f"in.{fmt}"
    source.write_bytes(good + bad + good.replace(b"1", b"3"))
    sql(table("t", source, fmt, "id INT, s STRING"))
    with pytest.raises(ExecutionError) as info:
        sql("SELECT * FROM t")
    assert f"{source}:2:" in info.value.message and "invalid UTF-8" in info.value.message
    sql(table("u", source, fmt, "id INT, s STRING", IGNORE_CSV if fmt == "csv" else IGNORE_JSON))
    run = sql("SELECT * FROM u")
    assert run.results[-1].rows == [(1, "a"), (3, "a")]
    assert "skipped 1 malformed line(s)" in run.err


def test_deeply_nested_json_is_a_malformed_line(sql: SqlRunner, tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text('{"id": 1}\n' + "[" * 200_000 + "\n", encoding="utf-8")
    sql(table("t", source, "json", "id INT"))
    with pytest.raises(ExecutionError) as info:
        sql("SELECT * FROM t")
    assert f"{source}:2:" in info.value.message
    sql(table("u", source, "json", "id INT", IGNORE_JSON))
    assert sql.query("SELECT * FROM u")[1] == [(1,)]


@pytest.mark.parametrize(
    "fmt, content, extra",
    [
        ("csv", "1,a\n2,b\n", ""),
        ("csv", "id,s\n1,a\n2,b\n", ", 'csv.header' = 'true'"),
        ("json", '{"id": 1, "s": "a"}\n{"id": 2, "s": "b"}\n', ""),
    ],
)
def test_a_byte_order_mark_is_not_data(sql: SqlRunner, tmp_path: Path, fmt: str, content: str, extra: str) -> None:
    source = tmp_path / f"in.{fmt}"
    source.write_bytes(codecs.BOM_UTF8 + content.encode())
    sql(table("t", source, fmt, "id INT, s STRING", extra))
    assert sql.query("SELECT * FROM t")[1] == [(1, "a"), (2, "b")]


def test_a_script_with_a_byte_order_mark_runs(tmp_path: Path, cli: CliRunner) -> None:
    script = tmp_path / "bom.sql"
    script.write_bytes(codecs.BOM_UTF8 + b"SELECT 1 AS uno;\n")
    for args, stdin in ((["run", str(script)], b""), ([], codecs.BOM_UTF8 + b"SELECT 1 AS uno;\n")):
        result = cli(*args, stdin=stdin)
        assert result.returncode == 0, result.stderr
        assert "uno" in result.stdout
