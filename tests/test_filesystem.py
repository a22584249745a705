"""The filesystem connector (csv, json), blackhole and datagen. Output lines marked (Flink 2.3)
were written by Apache Flink 2.3's filesystem connector for the same rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from qsql.errors import ExecutionError, OptionError, QsqlError, ValidationError

from .conftest import SqlRunner

COLUMNS = (
    "id INT, s STRING, d DECIMAL(5,2), x DOUBLE, b BOOLEAN, dt DATE, ts TIMESTAMP(3), a ARRAY<STRING>, f ARRAY<FLOAT>"
)
ROWS = (
    "(1, 'a,b \"q\"', 1.50, 0.1e0, TRUE, DATE '2026-11-30', TIMESTAMP '2026-11-30 10:20:30.5', ARRAY['x','y'], "
    "ARRAY[CAST(0.12 AS FLOAT)]), "
    "(2, CAST(NULL AS STRING), CAST(NULL AS DECIMAL(5,2)), 1e7, FALSE, DATE '2026-01-01', TIMESTAMP '2026-01-01 00:00:00', "
    "ARRAY['l1\nl2'], CAST(NULL AS ARRAY<FLOAT>))"
)


def table(name: str, path: Path, fmt: str, columns: str = COLUMNS, extra: str = "") -> str:
    return (
        f"CREATE TEMPORARY TABLE {name} ({columns}) WITH ('connector' = 'filesystem', 'path' = '{path}', "
        f"'format' = '{fmt}'{extra});"
    )


def test_csv_is_written_as_flink_writes_it(sql: SqlRunner, tmp_path: Path) -> None:
    out = tmp_path / "c.csv"
    sql(table("c", out, "csv") + f"INSERT INTO c VALUES {ROWS};")
    # (Flink 2.3) minimal quoting, DECIMAL without trailing zeros, Java doubles, ';' arrays
    assert out.read_text(encoding="utf-8") == (
        '1,"a,b ""q""",1.5,0.1,true,2026-11-30,"2026-11-30 10:20:30.5",x;y,0.12\n'
        '2,,,1.0E7,false,2026-01-01,"2026-01-01 00:00:00","l1\nl2",\n'
    )


def test_json_is_written_as_flink_writes_it(sql: SqlRunner, tmp_path: Path) -> None:
    out = tmp_path / "j.jsonl"
    sql(table("j", out, "json") + f"INSERT INTO j VALUES {ROWS};")
    # (Flink 2.3)
    assert out.read_text(encoding="utf-8") == (
        '{"id":1,"s":"a,b \\"q\\"","d":1.5,"x":0.1,"b":true,"dt":"2026-11-30","ts":"2026-11-30 10:20:30.5","a":["x","y"],"f":[0.12]}\n'
        '{"id":2,"s":null,"d":null,"x":1.0E7,"b":false,"dt":"2026-01-01","ts":"2026-01-01 00:00:00","a":["l1\\nl2"],"f":null}\n'
    )


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_round_trip_including_arrays_unicode_newlines_and_quotes(sql: SqlRunner, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"data.{fmt}"
    sql(
        table("t", path, fmt, "id INT, s STRING, v ARRAY<FLOAT>, n ARRAY<STRING>")
        + "INSERT INTO t VALUES (1, '李雷, \"hi\"\nline two', CAST(ARRAY[0.12e0, -1e0] AS ARRAY<FLOAT>), ARRAY['a', 'b']),"
        " (2, 'plain', CAST(ARRAY[0.5e0] AS ARRAY<FLOAT>), ARRAY['c']);"
    )
    columns, rows = sql.query("SELECT * FROM t")
    assert columns == ["id", "s", "v", "n"]
    assert rows[0][0] == 1 and rows[0][1] == '李雷, "hi"\nline two'
    assert [round(v, 6) for v in rows[0][2]] == [0.12, -1.0] and rows[0][3] == ["a", "b"]
    assert rows[1] == (2, "plain", [0.5], ["c"])


def test_header_option_reads_and_writes_a_header(sql: SqlRunner, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,name\n1,ann\n2,bob\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    sql(
        table("src", source, "csv", "id INT, name STRING", ", 'csv.header' = 'true'")
        + table("dst", out, "csv", "id INT, name STRING", ", 'csv.header' = 'true'")
        + "INSERT INTO dst SELECT * FROM src;INSERT INTO dst SELECT * FROM src;"
    )
    assert out.read_text(encoding="utf-8") == "id,name\n1,ann\n2,bob\n1,ann\n2,bob\n"  # header once, then appended


def test_csv_options(sql: SqlRunner, tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("# a comment\n1|'x|y'|N\n2|''|z\n", encoding="utf-8")
    options = (
        ", 'csv.field-delimiter' = '|', 'csv.quote-character' = '''', 'csv.allow-comments' = 'true',"
        " 'csv.null-literal' = 'N'"
    )
    sql(table("t", source, "csv", "id INT, s STRING, n STRING", options))
    assert sql.query("SELECT * FROM t")[1] == [(1, "x|y", None), (2, "", "z")]


def test_parse_error_names_file_line_column_and_column(sql: SqlRunner, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text('1,"multi\nline",2.5\n2,ok,abc\n', encoding="utf-8")
    sql(table("t", source, "csv", "id INT, s STRING, x DOUBLE"))
    with pytest.raises(ExecutionError) as info:
        sql("SELECT * FROM t")
    assert info.value.message == f"{source}:3:6: column 'x': 'abc' is not DOUBLE"


@pytest.mark.parametrize(
    "content, message",
    [
        ("1,2\n", "expected 3 fields (id, s, x), found 2"),
        ('1,"open,2\n', "malformed csv"),
        ("99999999999,a,1\n", "column 'id': 99999999999 is out of range for INT"),
    ],
)
def test_csv_errors(sql: SqlRunner, tmp_path: Path, content: str, message: str) -> None:
    source = tmp_path / "in.csv"
    source.write_text(content, encoding="utf-8")
    sql(table("t", source, "csv", "id INT, s STRING, x DOUBLE"))
    with pytest.raises(ExecutionError) as info:
        sql("SELECT * FROM t")
    assert message in info.value.message and str(source) in info.value.message


def test_ignore_parse_errors_skips_rows_nulls_fields_and_reports(sql: SqlRunner, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("1,a,1.5\n2,b\n3,c,oops\n4,d,4\n", encoding="utf-8")
    sql(table("t", source, "csv", "id INT, s STRING, x DOUBLE", ", 'csv.ignore-parse-errors' = 'true'"))
    run = sql("SELECT * FROM t")
    assert run.results[-1].rows == [(1, "a", 1.5), (3, "c", None), (4, "d", 4.0)]
    assert "skipped 1 malformed line(s) and set 1 unparsable field(s) to NULL" in run.err


def test_json_reading_missing_fields_and_errors(sql: SqlRunner, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "s": "x", "extra": true}\n\n{"id": 2}\n{"id": "two", "s": "y"}\n', encoding="utf-8")
    sql(table("t", source, "json", "id INT, s STRING"))
    with pytest.raises(ExecutionError) as info:
        sql("SELECT * FROM t")
    assert info.value.message == f"{source}:4:2: column 'id': 'two' is not INT"
    sql(table("t2", source, "json", "id INT, s STRING", ", 'json.ignore-parse-errors' = 'true'"))
    assert sql.query("SELECT * FROM t2")[1] == [(1, "x"), (2, None), (None, "y")]
    sql(table("t3", source, "json", "id INT, s STRING", ", 'json.fail-on-missing-field' = 'true'"))
    with pytest.raises(ExecutionError) as info:
        sql("SELECT * FROM t3")
    assert "3:1: missing field 's'" in info.value.message


def test_malformed_json_line(sql: SqlRunner, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1}\n{"id": \n', encoding="utf-8")
    sql(table("t", source, "json", "id INT"))
    with pytest.raises(ExecutionError) as info:
        sql("SELECT * FROM t")
    assert f"{source}:2:" in info.value.message and "malformed JSON" in info.value.message


def test_directory_source_reads_visible_files_in_name_order(sql: SqlRunner, tmp_path: Path) -> None:
    folder = tmp_path / "parts"
    (folder / "sub").mkdir(parents=True)
    (folder / "b.csv").write_text("2\n", encoding="utf-8")
    (folder / "a.csv").write_text("1\n", encoding="utf-8")
    (folder / "sub" / "c.csv").write_text("3\n", encoding="utf-8")
    (folder / ".hidden.csv").write_text("99\n", encoding="utf-8")
    (folder / "_SUCCESS").write_text("", encoding="utf-8")
    sql(table("t", folder, "csv", "id INT"))
    assert sql.query("SELECT * FROM t")[1] == [(1,), (2,), (3,)]


def test_directory_sink_writes_part_files(sql: SqlRunner, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    sql(table("t", folder, "csv", "id INT") + "INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);")
    parts = sorted(p.name for p in folder.iterdir())
    assert len(parts) == 2 and all(p.startswith("part-") and p.endswith(".csv") for p in parts)
    assert sorted(r[0] for r in sql.query("SELECT * FROM t")[1]) == [1, 2]
    sql("INSERT OVERWRITE t VALUES (3);")
    assert len(list(folder.iterdir())) == 1
    assert sql.query("SELECT * FROM t")[1] == [(3,)]


def test_insert_into_appends_and_overwrite_replaces(sql: SqlRunner, tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    sql(table("t", out, "csv", "id INT") + "INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);")
    assert out.read_text() == "1\n2\n"
    sql("INSERT OVERWRITE t VALUES (3);")
    assert out.read_text() == "3\n"


def test_failed_insert_leaves_the_file_untouched_and_no_temp_file(stub_sql: SqlRunner, tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    out.write_text("old\n", encoding="utf-8")
    rows = ", ".join(f"({i}, 'row {i}{' [[stub:status=400]]' if i == 50 else ''}')" for i in range(1, 101))
    stub_sql(
        "CREATE MODEL m INPUT (i STRING) OUTPUT (o STRING) WITH ('provider' = 'qwen', 'model' = 'qwen-plus');"
        f"CREATE TEMPORARY VIEW v (id, txt) AS VALUES {rows};" + table("t", out, "csv", "id INT, txt STRING, o STRING")
    )
    for statement in ("INSERT INTO t", "INSERT OVERWRITE t"):
        with pytest.raises(QsqlError) as info:
            stub_sql(f"{statement} SELECT * FROM ML_PREDICT(TABLE v, MODEL m, DESCRIPTOR(txt))")
        assert "row 50" in info.value.message
        assert out.read_text(encoding="utf-8") == "old\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["o.csv"]


def test_failed_insert_into_a_new_file_leaves_no_file(sql: SqlRunner, tmp_path: Path) -> None:
    out = tmp_path / "new.csv"
    with pytest.raises(QsqlError):
        sql(table("t", out, "csv", "id INT") + "INSERT INTO t SELECT 1 / 0;")
    assert list(tmp_path.iterdir()) == []


def test_reading_and_writing_the_same_file(sql: SqlRunner, tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    sql(table("t", out, "csv", "id INT") + "INSERT INTO t VALUES (1), (2);")
    sql("INSERT INTO t SELECT id + 10 FROM t;")
    assert out.read_text() == "1\n2\n11\n12\n"


@pytest.mark.parametrize(
    "options, error, fragment",
    [
        ("'connector' = 'filesystem', 'format' = 'csv'", OptionError, "requires option 'path'"),
        ("'connector' = 'filesystem', 'path' = 'x'", OptionError, "requires option 'format'"),
        (
            "'connector' = 'filesystem', 'path' = 'x', 'format' = 'parquet'",
            OptionError,
            "format factory for identifier 'parquet'",
        ),
        (
            "'connector' = 'filesystem', 'path' = 'x', 'format' = 'csv', 'json.ignore-parse-errors' = 'true'",
            OptionError,
            "does not apply to format 'csv'",
        ),
        (
            "'connector' = 'filesystem', 'path' = 'x', 'format' = 'csv', 'csv.field-delimiter' = '::'",
            OptionError,
            "single character",
        ),
        (
            "'connector' = 'filesystem', 'path' = 'x', 'format' = 'csv', 'csv.header' = 'yes'",
            OptionError,
            "must be 'true' or 'false'",
        ),
        (
            "'connector' = 'filesystem', 'path' = 'x', 'format' = 'csv', 'csv.delimiter' = ';'",
            OptionError,
            "did you mean 'csv.field-delimiter'?",
        ),
        (
            # The legacy descriptor's header option: point at the one that exists, not a look-alike.
            "'connector' = 'filesystem', 'path' = 'x', 'format' = 'csv', 'csv.ignore-first-line' = 'true'",
            OptionError,
            "Flink's csv format has no header option; in qsql, 'csv.header' = 'true' skips",
        ),
    ],
)
def test_filesystem_option_errors(sql: SqlRunner, options: str, error: type, fragment: str) -> None:
    with pytest.raises(error) as info:
        sql(f"CREATE TABLE t (id INT) WITH ({options})")
    assert fragment in info.value.message + (info.value.hint or "")


def test_missing_source_path_fails_before_running(sql: SqlRunner, tmp_path: Path) -> None:
    sql(table("t", tmp_path / "nope.csv", "csv", "id INT"))
    with pytest.raises(ValidationError) as info:
        sql("SELECT * FROM t")
    assert "does not exist" in info.value.message


def test_blackhole_counts_and_discards(sql: SqlRunner) -> None:
    run = sql("CREATE TABLE b (id INT) WITH ('connector' = 'blackhole'); INSERT INTO b VALUES (1), (2), (3);")
    assert run.results[-1].rows == 3 and run.out == ""
    with pytest.raises(ValidationError):
        sql("SELECT * FROM b")


def test_datagen_sequences_and_random_fields(sql: SqlRunner) -> None:
    sql(
        "CREATE TABLE g (id BIGINT, n INT, s STRING, x DOUBLE, maybe INT) WITH ('connector' = 'datagen', "
        "'fields.id.kind' = 'sequence', 'fields.id.start' = '5', 'fields.id.end' = '104', "
        "'fields.n.min' = '1', 'fields.n.max' = '3', 'fields.s.length' = '4', 'fields.x.min' = '-1', 'fields.x.max' = '1', "
        "'fields.maybe.null-rate' = '1.0')"
    )
    rows = sql.query("SELECT * FROM g")[1]
    assert [r[0] for r in rows] == list(range(5, 105))
    assert all(1 <= r[1] <= 3 and len(r[2]) == 4 and -1 <= r[3] <= 1 and r[4] is None for r in rows)
    sql("CREATE TABLE h (id INT) WITH ('connector' = 'datagen', 'number-of-rows' = '7')")
    assert len(sql.query("SELECT * FROM h")[1]) == 7


@pytest.mark.parametrize(
    "options, fragment",
    [
        ("", "is unbounded"),
        (", 'fields.id.kind' = 'sequence'", "needs 'fields.id.start' and 'fields.id.end'"),
        (", 'number-of-rows' = '5', 'fields.id.kind' = 'shuffle'", "must be 'random' or 'sequence'"),
        (", 'number-of-rows' = '5', 'fields.other.min' = '1'", "Unsupported option 'fields.other.min'"),
    ],
)
def test_datagen_option_errors(sql: SqlRunner, options: str, fragment: str) -> None:
    with pytest.raises(OptionError) as info:
        sql(f"CREATE TABLE g (id INT) WITH ('connector' = 'datagen'{options})")
    assert fragment in info.value.message


def test_where_filters_before_the_sink(sql: SqlRunner, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("1,5\n2,\n3,50\n", encoding="utf-8")
    sql(table("t", source, "csv", "id INT, n INT"))
    assert sql.query("SELECT id FROM t WHERE n > 10 OR n IS NULL")[1] == [(2,), (3,)]
    assert sql.query("SELECT id FROM t WHERE n IS NOT NULL AND NOT n > 10")[1] == [(1,)]


def test_interrupted_insert_leaves_the_file_untouched(
    sql: SqlRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qsql.connectors import filesystem

    out = tmp_path / "o.csv"
    out.write_text("old\n", encoding="utf-8")
    written = []

    def interrupt_on_third(self, row):  # type: ignore[no-untyped-def]
        written.append(row)
        if len(written) == 3:
            raise KeyboardInterrupt  # what Ctrl-C does in the middle of an INSERT
        self._handle.write(self._encode(row))

    monkeypatch.setattr(filesystem.FileSink, "write", interrupt_on_third)
    with pytest.raises(KeyboardInterrupt):
        sql(table("t", out, "csv", "id INT") + "INSERT INTO t VALUES (1), (2), (3), (4);")
    assert out.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["o.csv"]


@pytest.mark.parametrize(
    "option, fragment",
    [
        ("'fields.id.length' = 'long'", "'fields.id.length' must be an integer"),
        ("'fields.id.null-rate' = 'half'", "must be a number between 0 and 1"),
        ("'fields.id.kind' = 'sequence', 'fields.id.start' = 'one', 'fields.id.end' = '5'", "must be an integer"),
    ],
)
def test_datagen_bad_numbers_are_option_errors(sql: SqlRunner, option: str, fragment: str) -> None:
    with pytest.raises(OptionError) as info:
        sql(f"CREATE TABLE g (id STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '3', {option})")
    assert fragment in info.value.message


@pytest.mark.parametrize(
    "columns, option, fragment",
    [  # Flink 2.3's DataGenTableSourceFactory messages
        ("c CHAR(3)", "'fields.c.length' = '3'", "Custom length for fixed-length type (CHAR/BINARY) field 'c'"),
        ("c VARCHAR(4)", "'fields.c.length' = '5'", "Custom length '5' for variable-length type"),
        ("c INT", "'fields.c.var-len' = 'true'", "Only supports specifying 'fields.#.var-len' option"),
    ],
)
def test_datagen_length_options_follow_flink(sql: SqlRunner, columns: str, option: str, fragment: str) -> None:
    with pytest.raises(OptionError) as info:
        sql(f"CREATE TABLE g ({columns}) WITH ('connector' = 'datagen', 'number-of-rows' = '3', {option})")
    assert fragment in info.value.message


def test_datagen_string_lengths(sql: SqlRunner) -> None:
    sql(
        "CREATE TABLE g (c CHAR(3), v VARCHAR(7), s STRING, w VARCHAR(50)) WITH ('connector' = 'datagen', "
        "'number-of-rows' = '40', 'fields.w.var-len' = 'true', 'fields.w.length' = '6')"
    )
    rows = sql.query("SELECT CHAR_LENGTH(c), CHAR_LENGTH(v), CHAR_LENGTH(s), CHAR_LENGTH(w) FROM g")[1]
    assert {r[:3] for r in rows} == {(3, 7, 100)}
    assert all(1 <= r[3] <= 6 for r in rows) and len({r[3] for r in rows}) > 1
