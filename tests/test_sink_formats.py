"""How the filesystem sink spells DECIMALs, NULLs and non-BMP characters, and where it writes.
Lines marked (Flink 2.3) were written by Apache Flink 2.3's filesystem connector for the same
rows."""

from __future__ import annotations

from pathlib import Path

from .conftest import SqlRunner


def test_csv_decimals_are_bigdecimal_text_and_the_null_literal_is_never_quoted(sql: SqlRunner, tmp_path: Path) -> None:
    out = tmp_path / "c1.csv"
    sql(
        f"CREATE TABLE c1 (a DECIMAL(10, 2), b DECIMAL(10, 2), c DECIMAL(10, 2), d DECIMAL(20, 10), e DECIMAL(10, 0), "
        f"f STRING, g STRING, h DOUBLE) WITH ('connector' = 'filesystem', 'path' = '{out}', 'format' = 'csv', "
        "'csv.null-literal' = 'n/a');"
        "INSERT INTO c1 VALUES (-10.00, 1.50, 0.00, 0.0000001, 100, CAST(NULL AS STRING), 'x,y', 1e7), "
        "(-0.004, 12.34, 1000.10, 123.4560000000, 0, 'n/a', U&'\\D83D\\DE00', CAST(NULL AS DOUBLE));"
    )
    # (Flink 2.3)
    assert (
        out.read_text(encoding="utf-8")
        == '-1E+1,1.5,0,1E-7,1E+2,n/a,"x,y",1.0E7\n0,12.34,1000.1,123.456,0,n/a,😀,n/a\n'
    )


def test_csv_null_literal_with_a_space(sql: SqlRunner, tmp_path: Path) -> None:
    out = tmp_path / "c2.csv"
    sql(
        f"CREATE TABLE c2 (f STRING, g INT) WITH ('connector' = 'filesystem', 'path' = '{out}', 'format' = 'csv', "
        "'csv.null-literal' = 'N A');"
        "INSERT INTO c2 VALUES (CAST(NULL AS STRING), CAST(NULL AS INT)), ('N A', 1);"
    )
    # (Flink 2.3) the NULL marker goes out as is; a string that happens to equal it is quoted as any string
    assert out.read_text(encoding="utf-8") == 'N A,N A\n"N A",1\n'


def test_json_escapes_characters_outside_the_bmp(sql: SqlRunner, tmp_path: Path) -> None:
    out = tmp_path / "j1.json"
    sql(
        f"CREATE TABLE j1 (a DECIMAL(10, 2), b STRING, c DECIMAL(10, 0), d DECIMAL(20, 10)) WITH ("
        f"'connector' = 'filesystem', 'path' = '{out}', 'format' = 'json');"
        "INSERT INTO j1 VALUES (-10.00, U&'\\D83D\\DE00 é', 100, 0.0000001);"
    )
    # (Flink 2.3)
    assert out.read_text(encoding="utf-8") == '{"a":-1E+1,"b":"\\uD83D\\uDE00 é","c":1E+2,"d":1E-7}\n'


def test_a_path_ending_in_a_slash_is_a_directory_of_part_files_even_before_it_exists(
    sql: SqlRunner, tmp_path: Path
) -> None:
    new_dir = tmp_path / "new_dir"
    existing = tmp_path / "existing"
    existing.mkdir()
    sql(
        f"CREATE TABLE d1 (a INT) WITH ('connector' = 'filesystem', 'path' = '{new_dir}/', 'format' = 'csv');"
        "INSERT INTO d1 VALUES (1);"
        f"CREATE TABLE d2 (a INT) WITH ('connector' = 'filesystem', 'path' = '{existing}', 'format' = 'csv');"
        "INSERT INTO d2 VALUES (2);"
    )
    # (Flink 2.3) both become directories holding one part file
    for directory, text in ((new_dir, "1\n"), (existing, "2\n")):
        parts = [p for p in directory.iterdir() if not p.name.startswith(".")]
        assert len(parts) == 1 and parts[0].name.startswith("part-") and parts[0].read_text() == text


def test_varchar_into_a_char_sink_column_is_refused(sql: SqlRunner) -> None:
    import pytest

    from qsql.errors import QsqlError

    sql("CREATE TABLE ch (a CHAR(3), b INT) WITH ('connector' = 'blackhole');")
    # (Flink 2.3) CHAR literals of any length are accepted (padded or cut) ...
    sql("INSERT INTO ch SELECT 'ab', 1; INSERT INTO ch VALUES ('abcd', 1);")
    # (Flink 2.3) ... VARCHAR and STRING are not: "Incompatible types for sink column 'a' at position 1"
    for query in (
        "SELECT CAST('ab' AS VARCHAR(5)), 1",
        "SELECT s, 1 FROM (VALUES ('x'), ('yy')) AS t(s)",
        "SELECT CAST('ab' AS STRING), 1",
    ):
        with pytest.raises(QsqlError) as info:
            sql(f"INSERT INTO ch {query}")
        assert "incompatible types for sink column 'a' at position 1" in info.value.message


def test_time_and_bytes_round_trip_through_csv(sql: SqlRunner, tmp_path: Path) -> None:
    import datetime as dt

    out = tmp_path / "x.csv"
    sql(
        f"CREATE TABLE x (t TIME(1), b BYTES) WITH ('connector' = 'filesystem', 'path' = '{out}', 'format' = 'csv');"
        "INSERT INTO x VALUES (TIME '10:20:00.5', x'6869');"
    )
    assert out.read_text() == "10:20:00.5,aGk=\n"  # bytes as base64, as Jackson writes byte[]
    assert sql.query("SELECT * FROM x")[1] == [(dt.time(10, 20, 0, 500000), b"hi")]
