"""NOW() and friends, the session time zone ('table.local-time-zone') and nine-digit timestamps.
Cases marked (Flink 2.3) were run in Flink 2.3.0 (batch mode) and their output copied."""

from __future__ import annotations

import datetime as dt

import pytest

from qsql.errors import ValidationError

from .conftest import SqlRunner


def test_types_of_the_current_time_functions(sql: SqlRunner) -> None:
    # (Flink 2.3) TYPEOF of each
    assert sql.query(
        "SELECT TYPEOF(NOW()), TYPEOF(CURRENT_TIMESTAMP), TYPEOF(LOCALTIMESTAMP), TYPEOF(CURRENT_ROW_TIMESTAMP()), "
        "TYPEOF(LOCALTIME), TYPEOF(CURRENT_TIME), TYPEOF(CURRENT_DATE)"
    )[1] == [
        (
            "TIMESTAMP_LTZ(3) NOT NULL",
            "TIMESTAMP_LTZ(3) NOT NULL",
            "TIMESTAMP(3) NOT NULL",
            "TIMESTAMP_LTZ(3) NOT NULL",
            "TIME(0) NOT NULL",
            "TIME(0) NOT NULL",
            "DATE NOT NULL",
        )
    ]


def test_now_is_local_time_in_the_session_zone(sql: SqlRunner) -> None:
    sql("SET 'table.local-time-zone' = 'Asia/Shanghai'")
    # (Flink 2.3) 0: NOW() cast to TIMESTAMP is LOCALTIMESTAMP's wall clock
    ((hours, now, local),) = sql.query(
        "SELECT TIMESTAMPDIFF(HOUR, CAST(NOW() AS TIMESTAMP(3)), LOCALTIMESTAMP), NOW(), LOCALTIMESTAMP"
    )[1]
    assert hours == 0
    shanghai = now.astimezone(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None)
    assert shanghai == local


def test_session_time_zone_as_flink(sql: SqlRunner) -> None:
    sql(
        "SET 'table.local-time-zone' = 'Asia/Shanghai';"
        "CREATE TABLE pt (a TIMESTAMP_LTZ(3), c STRING, d STRING, e TIMESTAMP(3), f STRING, g STRING, h STRING, "
        "i BIGINT) WITH ('connector' = 'print');"
    )
    run = sql(
        "INSERT INTO pt SELECT TO_TIMESTAMP_LTZ(0, 3), CAST(TO_TIMESTAMP_LTZ(0, 3) AS STRING), "
        "CAST(CAST(TO_TIMESTAMP_LTZ(0, 3) AS TIMESTAMP(3)) AS STRING), CAST(TIMESTAMP '2024-01-01 10:00:00' AS "
        "TIMESTAMP_LTZ(3)), CAST(CAST(TIMESTAMP '2024-01-01 10:00:00.123456789' AS TIMESTAMP_LTZ(9)) AS STRING), "
        "CAST(TIMESTAMPDIFF(HOUR, CAST(NOW() AS TIMESTAMP(3)), LOCALTIMESTAMP) AS STRING), "
        "DATE_FORMAT(TO_TIMESTAMP_LTZ(0, 3), 'yyyy-MM-dd HH:mm'), UNIX_TIMESTAMP('1970-01-01 08:00:00')"
    )
    # (Flink 2.3) the print sink's line; a TIMESTAMP_LTZ is printed as the UTC instant, a
    # TIMESTAMP_LTZ written into a TIMESTAMP(3) column becomes the session's wall clock
    assert run.out == (
        "+I[1970-01-01T00:00:00Z, 1970-01-01 08:00:00.000, 1970-01-01 08:00:00.000, "
        "2024-01-01T10:00, 2024-01-01 10:00:00.123456789, 0, 1970-01-01 08:00, 0]\n"
    )
    sql("SET 'table.local-time-zone' = 'UTC'")
    # (Flink 2.3)
    assert sql.query("SELECT CAST(TO_TIMESTAMP_LTZ(0, 3) AS STRING), FROM_UNIXTIME(0)")[1] == [
        ("1970-01-01 00:00:00.000", "1970-01-01 00:00:00")
    ]
    sql("SET 'table.local-time-zone' = 'GMT+08:00'")  # Flink's fixed-offset form
    assert sql.query("SELECT CAST(TO_TIMESTAMP_LTZ(0, 3) AS STRING)")[1] == [("1970-01-01 08:00:00.000",)]


@pytest.mark.parametrize("zone", ["Nowhere/Zone", "+08:00"])
def test_an_unknown_zone_is_refused_with_flinks_message(sql: SqlRunner, zone: str) -> None:
    with pytest.raises(ValidationError) as info:
        sql(f"SET 'table.local-time-zone' = '{zone}'")
    # (Flink 2.3)
    assert info.value.message == (
        "Invalid time zone. The value should be a Time Zone Database (TZDB) ID such as 'America/Los_Angeles' to "
        "include daylight saving time. Fixed offsets are supported using 'GMT-03:00' or 'GMT+03:00'. Or use 'UTC' "
        "without time zone and daylight saving time."
    )


def test_nine_digit_timestamps_keep_their_nanoseconds(sql: SqlRunner) -> None:
    sql(
        "SET 'table.local-time-zone' = 'UTC';"
        "CREATE TABLE pt (a TIMESTAMP_LTZ(3), b TIMESTAMP(3), c STRING, d STRING, e TIMESTAMP_LTZ(9), f STRING, "
        "g TIMESTAMP(9), h STRING, i STRING) WITH ('connector' = 'print');"
    )
    run = sql(
        "INSERT INTO pt SELECT TO_TIMESTAMP_LTZ(0, 3), TIMESTAMP '2024-01-01 10:00:00.123', "
        "CAST(TO_TIMESTAMP_LTZ(0, 3) AS STRING), CAST(CAST(TO_TIMESTAMP_LTZ(0, 3) AS TIMESTAMP(3)) AS STRING), "
        "CAST(TIMESTAMP '2024-01-01 10:00:00.123456789' AS TIMESTAMP_LTZ(9)), "
        "CAST(CAST(TIMESTAMP '2024-01-01 10:00:00.123456789' AS TIMESTAMP_LTZ(9)) AS STRING), "
        "TIMESTAMP '2024-01-01 10:00:00.123456789' + INTERVAL '1' SECOND, "
        "CAST(TIMESTAMP '2024-01-01 10:00:00.123456789' + INTERVAL '0.001' SECOND AS STRING), "
        "CAST(TIMESTAMPADD(SECOND, 1, TIMESTAMP '2024-01-01 10:00:00.123456789') AS STRING)"
    )
    # (Flink 2.3) the print sink's line
    assert run.out == (
        "+I[1970-01-01T00:00:00Z, 2024-01-01T10:00:00.123, 1970-01-01 00:00:00.000, 1970-01-01 00:00:00.000, "
        "2024-01-01T10:00:00.123456789Z, 2024-01-01 10:00:00.123456789, 2024-01-01T10:00:01.123456789, "
        "2024-01-01 10:00:00.124456789, 2024-01-01 10:00:01.123456789]\n"
    )
    # (Flink 2.3) a string cast to TIMESTAMP_LTZ(9) and back
    assert sql.query(
        "SELECT CAST(CAST('2024-01-01 10:00:00.123456789' AS TIMESTAMP_LTZ(9)) AS STRING), "
        "CAST(CAST(TIMESTAMP '2024-01-01 10:00:00.123456789' AS TIMESTAMP_LTZ(9)) AS STRING)"
    )[1] == [("2024-01-01 10:00:00.123456789", "2024-01-01 10:00:00.123456789")]


def test_nanosecond_arithmetic(sql: SqlRunner) -> None:
    sql("SET 'table.local-time-zone' = 'UTC'")
    assert sql.query(
        "SELECT TIMESTAMPDIFF(NANOSECOND, TIMESTAMP '2024-01-01 10:00:00.000000001', "
        "TIMESTAMP '2024-01-01 10:00:00.000000003'), "
        "CAST(TIMESTAMPADD(NANOSECOND, 999, TIMESTAMP '2024-01-01 10:00:00.000000002') AS STRING), "
        "CAST(CAST(TIMESTAMP '2024-01-01 10:00:00.123456789' AS TIMESTAMP_LTZ(9)) + INTERVAL '1' DAY AS STRING), "
        "CAST(TIMESTAMP '2024-01-31 10:00:00.123456789' + INTERVAL '1' MONTH AS STRING)"
    )[1] == [(2, "2024-01-01 10:00:00.000001001", "2024-01-02 10:00:00.123456789", "2024-02-29 10:00:00.123456789")]
