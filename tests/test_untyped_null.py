"""Where a bare NULL may stand: every case below was run in Apache Flink 2.3 (batch mode, with the
same view ``t`` and table ``src``), and qsql must accept what Flink accepts — with Flink's result
type (and, for those run to the end, Flink's value) — and refuse what Flink refuses, with Flink's
message at Flink's line and column.

A few of Flink's refusals have no position (its planner or code generator fails after validation):
qsql refuses those at the NULL literal, with Flink's message where it names no type (ORDER BY NULL,
JSON_OBJECT/JSON_ARRAY values, JSON_ARRAYAGG/JSON_OBJECTAGG values: the root cause "Type is not
supported: ANY") and with "Illegal use of 'NULL'" for GREATEST/LEAST and TO_TIMESTAMP_LTZ; the
comment above each gives Flink's message.
Not covered, as qsql has no syntax or function for them: ``(NULL, 1)`` (Flink: Illegal use of 'NULL'
at 1:9), ``s SIMILAR TO NULL``, ``LIKE ... ESCAPE NULL``, ``CAST(NULL AS INT ARRAY)``,
``ARRAY_APPEND/ARRAY_PREPEND(ARRAY[1], NULL)``, ``JSON_QUOTE/JSON_UNQUOTE(NULL)`` (all accepted by Flink).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest

from qsql.errors import QsqlError, QsqlTypeError

from .conftest import SqlRunner

SETUP = """
CREATE TEMPORARY VIEW t AS SELECT * FROM (VALUES (1, 'a', TRUE, 2.5)) AS v(i, s, c, d);
CREATE TEMPORARY TABLE src (i INT, s STRING, c BOOLEAN) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TEMPORARY TABLE snk (x STRING) WITH ('connector' = 'blackhole');
CREATE TEMPORARY TABLE snk2 (a INT, b STRING) WITH ('connector' = 'blackhole');
"""

ANY = object()  # src's values are random: only the type is checked
NO_ROWS = object()  # the query returns no row (WHERE NULL ...)


@dataclass(frozen=True)
class Accepted:
    dtype: str
    value: object


@dataclass(frozen=True)
class Refused:
    message: str
    line: int
    column: int


def accepted(dtype: str, value: object) -> Accepted:
    return Accepted(dtype, value)


def refused(message: str, line: int, column: int) -> Refused:
    return Refused(message, line, column)


CASES: list[tuple[str, Accepted | Refused]] = [
    ("SELECT 1 + NULL", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT NULL + 1", refused("Illegal use of 'NULL'", 1, 8)),
    ("SELECT i + NULL FROM t", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT i - NULL FROM t", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT i * NULL FROM t", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT i / NULL FROM t", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT i % NULL FROM t", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT MOD(i, NULL) FROM t", refused("Illegal use of 'NULL'", 1, 15)),
    ("SELECT -NULL", refused("Illegal use of 'NULL'", 1, 9)),
    ("SELECT +NULL", refused("Illegal use of 'NULL'", 1, 9)),
    ("SELECT i = NULL FROM t", accepted("BOOLEAN", None)),
    ("SELECT NULL = i FROM t", accepted("BOOLEAN", None)),
    ("SELECT i <> NULL FROM t", accepted("BOOLEAN", None)),
    ("SELECT i < NULL FROM t", accepted("BOOLEAN", None)),
    ("SELECT i >= NULL FROM t", accepted("BOOLEAN", None)),
    ("SELECT NULL = NULL", accepted("BOOLEAN", None)),
    ("SELECT NULL IS NULL", accepted("BOOLEAN NOT NULL", True)),
    ("SELECT NULL IS NOT NULL", accepted("BOOLEAN NOT NULL", False)),
    ("SELECT i IS NULL FROM t", accepted("BOOLEAN NOT NULL", False)),
    ("SELECT i IS DISTINCT FROM NULL FROM t", accepted("BOOLEAN NOT NULL", True)),
    ("SELECT NULL IS DISTINCT FROM i FROM t", accepted("BOOLEAN NOT NULL", True)),
    ("SELECT i IS NOT DISTINCT FROM NULL FROM t", accepted("BOOLEAN NOT NULL", False)),
    ("SELECT NULL IS TRUE", refused("Illegal use of 'NULL'", 1, 8)),
    ("SELECT c AND NULL FROM t", refused("Illegal use of 'NULL'", 1, 14)),
    ("SELECT NULL OR c FROM t", refused("Illegal use of 'NULL'", 1, 8)),
    ("SELECT NOT NULL", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT NULL AND NULL", refused("Illegal use of 'NULL'", 1, 8)),
    ("SELECT i IN (1, NULL) FROM t", accepted("BOOLEAN", True)),
    ("SELECT i IN (NULL) FROM t", accepted("BOOLEAN", None)),
    ("SELECT i NOT IN (1, NULL) FROM t", accepted("BOOLEAN", False)),
    ("SELECT NULL IN (1, 2)", accepted("BOOLEAN", None)),
    ("SELECT NULL IN (1, NULL)", accepted("BOOLEAN", None)),
    ("SELECT i BETWEEN NULL AND 5 FROM t", accepted("BOOLEAN", None)),
    ("SELECT i BETWEEN 1 AND NULL FROM t", accepted("BOOLEAN", None)),
    ("SELECT NULL BETWEEN 1 AND 5", accepted("BOOLEAN", None)),
    (
        "SELECT s LIKE NULL FROM t",
        refused(
            "Cannot apply 'LIKE' to arguments of type 'LIKE(<CHAR(1)>, <CHAR(1)>)'. Supported form(s): 'LIKE(<STRING>, <STRING>, <STRING>)'",
            1,
            8,
        ),
    ),
    (
        "SELECT NULL LIKE 'a%'",
        refused(
            "Cannot apply 'LIKE' to arguments of type 'LIKE(<NULL>, <CHAR(2)>)'. Supported form(s): 'LIKE(<STRING>, <STRING>, <STRING>)'",
            1,
            8,
        ),
    ),
    ("SELECT s || NULL FROM t", refused("Illegal use of 'NULL'", 1, 13)),
    ("SELECT NULL || s FROM t", refused("Illegal use of 'NULL'", 1, 8)),
    ("SELECT 'x' || NULL", refused("Illegal use of 'NULL'", 1, 15)),
    ("SELECT CASE WHEN c THEN NULL ELSE 'x' END FROM t", accepted("CHAR(1)", None)),
    ("SELECT CASE WHEN c THEN 'x' ELSE NULL END FROM t", accepted("CHAR(1)", "x")),
    ("SELECT CASE WHEN c THEN 'x' END FROM t", accepted("CHAR(1)", "x")),
    (
        "SELECT CASE WHEN c THEN NULL ELSE NULL END FROM t",
        refused("ELSE clause or at least one THEN clause must be non-NULL", 1, 8),
    ),
    (
        "SELECT CASE WHEN c THEN NULL END FROM t",
        refused("ELSE clause or at least one THEN clause must be non-NULL", 1, 8),
    ),
    ("SELECT CASE WHEN NULL THEN 1 ELSE 2 END", accepted("INT NOT NULL", 2)),
    ("SELECT CASE i WHEN NULL THEN 'a' ELSE 'b' END FROM t", accepted("CHAR(1) NOT NULL", "b")),
    ("SELECT CASE NULL WHEN 1 THEN 'a' ELSE 'b' END", accepted("CHAR(1) NOT NULL", "b")),
    ("SELECT CASE i WHEN 1 THEN NULL ELSE 'b' END FROM t", accepted("CHAR(1)", None)),
    ("SELECT IF(c, NULL, 'x') FROM t", refused("Illegal use of 'NULL'", 1, 14)),
    ("SELECT IF(c, 'x', NULL) FROM t", refused("Illegal use of 'NULL'", 1, 19)),
    ("SELECT IF(NULL, 1, 2)", refused("Illegal use of 'NULL'", 1, 11)),
    ("SELECT IF(c, NULL, NULL) FROM t", refused("Illegal use of 'NULL'", 1, 14)),
    ("SELECT COALESCE(NULL, 1)", accepted("INT NOT NULL", 1)),
    ("SELECT COALESCE(1, NULL)", accepted("INT NOT NULL", 1)),
    ("SELECT COALESCE(NULL, NULL)", refused("Illegal use of 'NULL'", 1, 17)),
    ("SELECT COALESCE(NULL)", refused("Illegal use of 'NULL'", 1, 17)),
    ("SELECT COALESCE(s, NULL, 'z') FROM t", accepted("CHAR(1) NOT NULL", "a")),
    ("SELECT NULLIF(NULL, 1)", refused("ELSE clause or at least one THEN clause must be non-NULL", 1, 8)),
    ("SELECT NULLIF(i, NULL) FROM t", accepted("INT", 1)),
    ("SELECT NULLIF(NULL, NULL)", refused("ELSE clause or at least one THEN clause must be non-NULL", 1, 8)),
    ("SELECT IFNULL(NULL, 1)", accepted("INT NOT NULL", 1)),
    ("SELECT IFNULL(i, NULL) FROM t", accepted("INT NOT NULL", 1)),
    ("SELECT IFNULL(NULL, NULL)", refused("Illegal use of 'NULL'", 1, 15)),
    ("SELECT CAST(NULL AS INT)", accepted("INT", None)),
    ("SELECT CAST(NULL AS STRING)", accepted("STRING", None)),
    ("SELECT CAST(NULL AS BOOLEAN)", accepted("BOOLEAN", None)),
    ("SELECT TRY_CAST(NULL AS INT)", accepted("INT", None)),
    ("SELECT UPPER(NULL)", refused("Illegal use of 'NULL'", 1, 14)),
    ("SELECT LOWER(NULL)", refused("Illegal use of 'NULL'", 1, 14)),
    ("SELECT CONCAT('x', NULL)", refused("Illegal use of 'NULL'", 1, 20)),
    ("SELECT CONCAT(NULL, 'x')", refused("Illegal use of 'NULL'", 1, 15)),
    ("SELECT CONCAT(s, NULL) FROM t", refused("Illegal use of 'NULL'", 1, 18)),
    ("SELECT CONCAT(NULL)", refused("Illegal use of 'NULL'", 1, 15)),
    ("SELECT CONCAT_WS(',', 'a', NULL)", refused("Illegal use of 'NULL'", 1, 28)),
    ("SELECT SUBSTRING(NULL FROM 1 FOR 2)", refused("Illegal use of 'NULL'", 1, 18)),
    ("SELECT SUBSTRING('abc' FROM NULL FOR 2)", refused("Illegal use of 'NULL'", 1, 29)),
    ("SELECT SUBSTRING('abc', NULL, 2)", refused("Illegal use of 'NULL'", 1, 25)),
    ("SELECT SUBSTR('abc', NULL)", refused("Illegal use of 'NULL'", 1, 22)),
    ("SELECT CHAR_LENGTH(NULL)", refused("Illegal use of 'NULL'", 1, 20)),
    ("SELECT TRIM(NULL)", refused("Illegal use of 'NULL'", 1, 13)),
    ("SELECT TRIM(BOTH NULL FROM 'abc')", refused("Illegal use of 'NULL'", 1, 18)),
    ("SELECT ABS(NULL)", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT ROUND(NULL)", refused("Illegal use of 'NULL'", 1, 14)),
    ("SELECT ROUND(2.5, NULL)", refused("Illegal use of 'NULL'", 1, 19)),
    ("SELECT ROUND(NULL, 1)", refused("Illegal use of 'NULL'", 1, 14)),
    ("SELECT POWER(NULL, 2)", refused("Illegal use of 'NULL'", 1, 14)),
    ("SELECT POWER(2, NULL)", refused("Illegal use of 'NULL'", 1, 17)),
    ("SELECT COUNT(NULL)", refused("Illegal use of 'NULL'", 1, 14)),
    ("SELECT SUM(NULL)", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT MAX(NULL)", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT MIN(NULL)", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT AVG(NULL)", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT COUNT(*) FROM t GROUP BY NULL", refused("Illegal use of 'NULL'", 1, 33)),
    ("SELECT NULL", refused("Illegal use of 'NULL'", 1, 8)),
    ("SELECT NULL AS x", refused("Illegal use of 'NULL'", 1, 8)),
    ("SELECT NULL, 1", refused("Illegal use of 'NULL'", 1, 8)),
    ("SELECT i FROM t WHERE NULL", accepted("INT NOT NULL", NO_ROWS)),
    # (Flink 2.3 refuses it without a position: Unsupported type 'NULL' to get internal serializer)
    ("SELECT i FROM t ORDER BY NULL", refused("Unsupported type 'NULL' to get internal serializer", 1, 26)),
    # (Flink 2.3 refuses it without a position: Unsupported type 'NULL' to get internal serializer)
    ("SELECT i FROM t ORDER BY NULL LIMIT 1", refused("Unsupported type 'NULL' to get internal serializer", 1, 26)),
    ("INSERT INTO snk SELECT NULL", refused("Illegal use of 'NULL'", 1, 24)),
    ("INSERT INTO snk SELECT NULL FROM t", refused("Illegal use of 'NULL'", 1, 24)),
    ("INSERT INTO snk VALUES (NULL)", refused("Illegal use of 'NULL'", 1, 25)),
    ("INSERT INTO snk2 VALUES (1, NULL)", refused("Illegal use of 'NULL'", 1, 29)),
    ("INSERT INTO snk2 SELECT 1, NULL", refused("Illegal use of 'NULL'", 1, 28)),
    ("VALUES (NULL)", refused("Illegal use of 'NULL'", 1, 9)),
    ("VALUES (1, NULL)", refused("Illegal use of 'NULL'", 1, 12)),
    ("VALUES (1), (NULL)", refused("Illegal use of 'NULL'", 1, 14)),
    ("VALUES (NULL), (1)", refused("Illegal use of 'NULL'", 1, 9)),
    ("VALUES (NULL), (NULL)", refused("Illegal use of 'NULL'", 1, 9)),
    ("VALUES (1, 'a'), (NULL, NULL)", refused("Illegal use of 'NULL'", 1, 19)),
    ("SELECT * FROM (VALUES (1), (NULL)) AS v(x)", refused("Illegal use of 'NULL'", 1, 29)),
    ("SELECT * FROM (VALUES (NULL, 'a'), (2, NULL)) AS v(x, y)", refused("Illegal use of 'NULL'", 1, 24)),
    ("SELECT ARRAY[NULL, 1]", accepted("ARRAY<INT> NOT NULL", [None, 1])),
    ("SELECT ARRAY[1, NULL]", accepted("ARRAY<INT> NOT NULL", [1, None])),
    ("SELECT ARRAY[NULL]", refused("Parameters must be of the same type", 1, 8)),
    ("SELECT ARRAY[NULL, NULL]", refused("Parameters must be of the same type", 1, 8)),
    ("SELECT MAP['a', NULL]", accepted("MAP<CHAR(1) NOT NULL, CHAR(1)> NOT NULL", {"a": None})),
    ("SELECT MAP[NULL, 1]", refused("Parameters must be of the same type", 1, 8)),
    ("SELECT MAP['a', NULL, 'b', 1]", refused("Parameters must be of the same type", 1, 8)),
    ("SELECT ROW(NULL, 1)", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT ROW(1, NULL)", refused("Illegal use of 'NULL'", 1, 15)),
    # (Flink 2.3 refuses it without a position: Type is not supported: ANY)
    ("SELECT JSON_OBJECT('k' VALUE NULL)", refused("Type is not supported: ANY", 1, 30)),
    # (Flink 2.3 refuses it without a position: Type is not supported: ANY)
    ("SELECT JSON_OBJECT('k' VALUE NULL ABSENT ON NULL)", refused("Type is not supported: ANY", 1, 30)),
    # (Flink 2.3 refuses it without a position: Type is not supported: ANY)
    ("SELECT JSON_ARRAY(NULL)", refused("Type is not supported: ANY", 1, 19)),
    # (Flink 2.3 refuses it without a position: Type is not supported: ANY)
    ("SELECT JSON_ARRAY(1, NULL NULL ON NULL)", refused("Type is not supported: ANY", 1, 22)),
    # (Flink 2.3 refuses it without a position: Unsupported casting from NULL to INT.)
    ("SELECT GREATEST(1, NULL)", refused("Illegal use of 'NULL'", 1, 20)),
    # (Flink 2.3 refuses it without a position: Unsupported casting from NULL to INT.)
    ("SELECT GREATEST(NULL, 1)", refused("Illegal use of 'NULL'", 1, 17)),
    # (Flink 2.3 refuses it without a position: Unsupported casting from NULL to INT.)
    ("SELECT LEAST(NULL, 2, 3)", refused("Illegal use of 'NULL'", 1, 14)),
    # (Flink 2.3 refuses it without a position: Invalid function call:)
    ("SELECT GREATEST(NULL, NULL)", refused("Illegal use of 'NULL'", 1, 17)),
    ("SELECT NULL UNION ALL SELECT 1", refused("Illegal use of 'NULL'", 1, 8)),
    ("SELECT 1 UNION ALL SELECT NULL", refused("Illegal use of 'NULL'", 1, 27)),
    ("SELECT NULL UNION ALL SELECT NULL", refused("Illegal use of 'NULL'", 1, 8)),
    ("SELECT 1 UNION SELECT NULL", refused("Illegal use of 'NULL'", 1, 23)),
    ("SELECT 'a' INTERSECT SELECT NULL", refused("Illegal use of 'NULL'", 1, 29)),
    ("SELECT i FROM t UNION ALL SELECT NULL FROM t", refused("Illegal use of 'NULL'", 1, 34)),
    ("SELECT x FROM (SELECT NULL AS x) AS q", refused("Illegal use of 'NULL'", 1, 23)),
    ("SELECT x FROM (SELECT 1 AS x UNION ALL SELECT NULL) AS q", refused("Illegal use of 'NULL'", 1, 47)),
    ("SELECT 'a' = NULL", accepted("BOOLEAN", None)),
    ("SELECT CAST(NULL AS INT) + 1", accepted("INT", None)),
    ("SELECT NULL + NULL", refused("Illegal use of 'NULL'", 1, 8)),
    ("SELECT CHAR_LENGTH(CAST(NULL AS STRING))", accepted("INT", None)),
    ("SELECT i FROM t WHERE i = NULL", accepted("INT NOT NULL", NO_ROWS)),
    ("SELECT i FROM t WHERE s IS NULL", accepted("INT NOT NULL", NO_ROWS)),
    ("SELECT i FROM t WHERE NULL IS NULL", accepted("INT NOT NULL", 1)),
    ("SELECT i FROM t WHERE NOT NULL", refused("Illegal use of 'NULL'", 1, 27)),
    ("SELECT i FROM t WHERE c AND NULL", refused("Illegal use of 'NULL'", 1, 29)),
    ("SELECT COUNT(*) FROM t GROUP BY i HAVING NULL", accepted("BIGINT NOT NULL", NO_ROWS)),
    ("SELECT i FROM t GROUP BY i, NULL", refused("Illegal use of 'NULL'", 1, 29)),
    ("SELECT s IN ('a', NULL) FROM t", accepted("BOOLEAN", True)),
    ("SELECT 1 IN (NULL, NULL)", accepted("BOOLEAN", None)),
    ("SELECT i FROM t WHERE i IN (1, NULL)", accepted("INT NOT NULL", 1)),
    ("SELECT NULL NOT BETWEEN 1 AND 2", accepted("BOOLEAN", None)),
    (
        "SELECT s NOT LIKE NULL FROM t",
        refused(
            "Cannot apply 'NOT LIKE' to arguments of type 'NOT LIKE(<CHAR(1)>, <CHAR(1)>)'. Supported form(s): 'NOT LIKE(<STRING>, <STRING>, <STRING>)'",
            1,
            8,
        ),
    ),
    ("SELECT NOT (NULL)", refused("Illegal use of 'NULL'", 1, 13)),
    ("SELECT HASH_CODE(NULL)", refused("Illegal use of 'NULL'", 1, 18)),
    ("SELECT MD5(NULL)", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT CHAR_LENGTH(NULL || 'x')", refused("Illegal use of 'NULL'", 1, 20)),
    ("SELECT EXTRACT(YEAR FROM NULL)", refused("Illegal use of 'NULL'", 1, 26)),
    ("SELECT DATE_FORMAT(NULL, 'yyyy')", refused("Illegal use of 'NULL'", 1, 20)),
    ("SELECT TO_TIMESTAMP(NULL)", refused("Illegal use of 'NULL'", 1, 21)),
    ("SELECT CAST(NULL AS INT) IS NULL", accepted("BOOLEAN NOT NULL", True)),
    ("SELECT FLOOR(NULL)", refused("Illegal use of 'NULL'", 1, 14)),
    ("SELECT CEIL(NULL)", refused("Illegal use of 'NULL'", 1, 13)),
    ("SELECT SQRT(NULL)", refused("Illegal use of 'NULL'", 1, 13)),
    ("SELECT REPLACE('abc', NULL, 'x')", refused("Illegal use of 'NULL'", 1, 23)),
    ("SELECT LPAD(NULL, 3, 'x')", refused("Illegal use of 'NULL'", 1, 13)),
    ("SELECT POSITION(NULL IN 'abc')", refused("Illegal use of 'NULL'", 1, 17)),
    ("SELECT LISTAGG(NULL)", refused("Illegal use of 'NULL'", 1, 16)),
    ("SELECT FIRST_VALUE(NULL)", refused("Illegal use of 'NULL'", 1, 20)),
    ("SELECT COUNT(DISTINCT NULL)", refused("Illegal use of 'NULL'", 1, 23)),
    ("SELECT IF(c, i, NULL) FROM t", refused("Illegal use of 'NULL'", 1, 17)),
    ("SELECT CAST(i AS STRING) || NULL FROM t", refused("Illegal use of 'NULL'", 1, 29)),
    ("SELECT ARRAY[NULL, 'a'][1]", accepted("CHAR(1)", None)),  # Flink 2.3: CHAR(1) (an ARRAY keeps CHAR)
    ("SELECT CARDINALITY(NULL)", refused("Illegal use of 'NULL'", 1, 20)),
    ("SELECT ELEMENT(NULL)", refused("Illegal use of 'NULL'", 1, 16)),
    ("SELECT NULL IS NOT DISTINCT FROM NULL", accepted("BOOLEAN NOT NULL", True)),
    ("SELECT c = NULL FROM t", accepted("BOOLEAN", None)),
    ("SELECT d + NULL FROM t", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT s = NULL FROM t", accepted("BOOLEAN", None)),
    ("SELECT i FROM t WHERE CASE WHEN c THEN NULL ELSE TRUE END", accepted("INT NOT NULL", NO_ROWS)),
    ("SELECT ROW(NULL)", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT NULL AS x FROM t ORDER BY 1", refused("Illegal use of 'NULL'", 1, 8)),
    ("SELECT IFNULL(s, NULL) FROM t", accepted("CHAR(1) NOT NULL", "a")),
    ("SELECT MAP['a', 1, 'b', NULL]", refused("Parameters must be of the same type", 1, 8)),
    ("SELECT MAP['a', NULL, 'b', NULL]", accepted("MAP<CHAR(1) NOT NULL, CHAR(1)> NOT NULL", {"a": None, "b": None})),
    ("SELECT MAP[NULL, NULL]", refused("Parameters must be of the same type", 1, 8)),
    ("SELECT MAP[1, 'x', NULL, 'y']", accepted("MAP<INT, CHAR(1) NOT NULL> NOT NULL", {1: "x", None: "y"})),
    ("SELECT MAP['a', NULL, 'b', CAST(1 AS INT)]", refused("Parameters must be of the same type", 1, 8)),
    ("SELECT MAP['a', 1, NULL, 2]", accepted("MAP<CHAR(1), INT NOT NULL> NOT NULL", {"a": 1, None: 2})),
    (
        "SELECT s LIKE NULL FROM src",
        refused(
            "Cannot apply 'LIKE' to arguments of type 'LIKE(<VARCHAR(2147483647)>, <VARCHAR(2147483647)>)'. Supported form(s): 'LIKE(<STRING>, <STRING>, <STRING>)'",
            1,
            8,
        ),
    ),
    (
        "SELECT NULL LIKE s FROM src",
        refused(
            "Cannot apply 'LIKE' to arguments of type 'LIKE(<NULL>, <VARCHAR(2147483647)>)'. Supported form(s): 'LIKE(<STRING>, <STRING>, <STRING>)'",
            1,
            8,
        ),
    ),
    (
        "SELECT 'x' LIKE NULL",
        refused(
            "Cannot apply 'LIKE' to arguments of type 'LIKE(<CHAR(1)>, <CHAR(1)>)'. Supported form(s): 'LIKE(<STRING>, <STRING>, <STRING>)'",
            1,
            8,
        ),
    ),
    (
        "SELECT NULL LIKE NULL",
        refused(
            "Cannot apply 'LIKE' to arguments of type 'LIKE(<NULL>, <NULL>)'. Supported form(s): 'LIKE(<STRING>, <STRING>, <STRING>)'",
            1,
            8,
        ),
    ),
    ("SELECT NULL IS FALSE", refused("Illegal use of 'NULL'", 1, 8)),
    ("SELECT NULL IS NOT TRUE", refused("Illegal use of 'NULL'", 1, 8)),
    ("SELECT NULL IS UNKNOWN", refused("Illegal use of 'NULL'", 1, 8)),
    ("SELECT NULL IS NOT UNKNOWN", refused("Illegal use of 'NULL'", 1, 8)),
    ("SELECT c IS TRUE FROM src", accepted("BOOLEAN NOT NULL", ANY)),
    ("SELECT a.i FROM src AS a JOIN src AS b ON NULL", accepted("INT", ANY)),
    ("SELECT a.i FROM src AS a JOIN src AS b ON a.i = NULL", accepted("INT", ANY)),
    ("SELECT NULL IN (NULL)", refused("Values in expression list must have compatible types", 1, 16)),
    ("SELECT NULL IN (SELECT i FROM src)", accepted("BOOLEAN", ANY)),
    ("SELECT i IN (SELECT NULL FROM src) FROM src", refused("Illegal use of 'NULL'", 1, 21)),
    ("SELECT CASE WHEN c THEN NULL WHEN NOT c THEN NULL ELSE 1 END FROM src", accepted("INT", ANY)),
    ("SELECT COALESCE(NULL, NULL, 1)", accepted("INT NOT NULL", 1)),
    ("SELECT NULL BETWEEN NULL AND NULL", accepted("BOOLEAN", None)),
    ("SELECT i BETWEEN NULL AND NULL FROM src", accepted("BOOLEAN", ANY)),
    ("SELECT SUBSTRING(s FROM 1 FOR NULL) FROM src", refused("Illegal use of 'NULL'", 1, 31)),
    ("SELECT TYPEOF(NULL)", accepted("STRING", "NULL")),
    ("SELECT NULL || NULL", refused("Illegal use of 'NULL'", 1, 8)),
    ("SELECT -(NULL)", refused("Illegal use of 'NULL'", 1, 10)),
    ("SELECT DISTINCT NULL FROM src", refused("Illegal use of 'NULL'", 1, 17)),
    ("SELECT LAG(NULL) OVER (ORDER BY i) FROM src", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT COUNT(NULL) OVER (ORDER BY i) FROM src", refused("Illegal use of 'NULL'", 1, 14)),
    # (Flink 2.3 refuses it without a position: Unsupported type 'NULL' to get internal serializer)
    ("SELECT i FROM src ORDER BY NULL", refused("Unsupported type 'NULL' to get internal serializer", 1, 28)),
    # (Flink 2.3 refuses it without a position: Unsupported type 'NULL' to get internal serializer)
    ("SELECT i FROM src ORDER BY NULL DESC", refused("Unsupported type 'NULL' to get internal serializer", 1, 28)),
    ("SELECT i, NULL FROM src ORDER BY i", refused("Illegal use of 'NULL'", 1, 11)),
    # (Flink 2.3 refuses it without a position: Unsupported casting from NULL to INT.)
    ("SELECT GREATEST(i, NULL) FROM src", refused("Illegal use of 'NULL'", 1, 20)),
    # (Flink 2.3 refuses it without a position: Could not instantiate generated class 'ExpressionReducer$2')
    ("SELECT LEAST(NULL, 'a')", refused("Illegal use of 'NULL'", 1, 14)),
    # (Flink 2.3 refuses it without a position: Type is not supported: ANY)
    ("SELECT JSON_OBJECT(KEY 'k' VALUE NULL)", refused("Type is not supported: ANY", 1, 34)),
    ("SELECT JSON_OBJECT('k' VALUE CAST(NULL AS STRING))", accepted("STRING NOT NULL", '{"k":null}')),
    ("SELECT IF(c, CAST(NULL AS STRING), 'x') FROM src", accepted("STRING", ANY)),
    ("SELECT CASE WHEN c THEN NULL ELSE s END FROM src", accepted("STRING", ANY)),
    ("SELECT COALESCE(NULL, s) FROM src", accepted("STRING", ANY)),
    ("SELECT IFNULL(NULL, 'x')", accepted("CHAR(1) NOT NULL", "x")),
    ("SELECT NULLIF(s, NULL) FROM src", accepted("STRING", ANY)),
    ("SELECT ARRAY[NULL, NULL, 1]", accepted("ARRAY<INT> NOT NULL", [None, None, 1])),
    ("SELECT ARRAY[NULL, s] FROM src", accepted("ARRAY<STRING> NOT NULL", ANY)),
    ("SELECT CARDINALITY(ARRAY[NULL, 1])", accepted("INT NOT NULL", 2)),
    ("SELECT i FROM src WHERE NULL IN (1, 2)", accepted("INT", ANY)),
    ("SELECT NULL = 1 AND c FROM src", accepted("BOOLEAN", ANY)),
    ("SELECT EXISTS (SELECT NULL FROM src)", refused("Illegal use of 'NULL'", 1, 23)),
    ("SELECT i FROM src WHERE EXISTS (SELECT NULL FROM src)", refused("Illegal use of 'NULL'", 1, 40)),
    ("SELECT (SELECT NULL)", refused("Illegal use of 'NULL'", 1, 16)),
    ("SELECT i FROM src WHERE i > (SELECT NULL)", refused("Illegal use of 'NULL'", 1, 37)),
    ("SELECT i FROM src GROUP BY i HAVING COUNT(*) > NULL", accepted("INT", ANY)),
    ("SELECT i FROM (SELECT i, NULL AS n FROM src) AS q", refused("Illegal use of 'NULL'", 1, 26)),
    ("SELECT CAST(NULL AS STRING) AS x UNION ALL SELECT NULL", refused("Illegal use of 'NULL'", 1, 51)),
    ("SELECT NULL AS x UNION ALL SELECT CAST(NULL AS STRING)", refused("Illegal use of 'NULL'", 1, 8)),
    ("SELECT ELT(NULL, 'a')", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT NULL NOT IN (1)", accepted("BOOLEAN", None)),
    ("SELECT i NOT BETWEEN NULL AND 1 FROM src", accepted("BOOLEAN", ANY)),
    ("SELECT s = NULL FROM src", accepted("BOOLEAN", ANY)),
    ("SELECT s <> NULL OR c FROM src", accepted("BOOLEAN", ANY)),
    ("SELECT CASE s WHEN NULL THEN 1 END FROM src", accepted("INT", ANY)),
    ("SELECT CASE NULL WHEN NULL THEN 1 END", accepted("INT", None)),
    ("SELECT IS_ALPHA(NULL)", refused("Illegal use of 'NULL'", 1, 17)),
    ("SELECT REGEXP(NULL, 'a')", refused("Illegal use of 'NULL'", 1, 15)),
    ("SELECT CAST(NULL AS DECIMAL(10, 2)) + 1", accepted("DECIMAL(13, 2)", None)),
    ("SELECT TIMESTAMPDIFF(DAY, NULL, TIMESTAMP '2020-01-01 00:00:00')", refused("Illegal use of 'NULL'", 1, 27)),
    ("SELECT DATE_ADD(NULL, 1)", refused("Illegal use of 'NULL'", 1, 17)),
    ("SELECT CHAR_LENGTH(NULLIF(s, 'a')) FROM src", accepted("INT", ANY)),
    ("SELECT NULL IS JSON", refused("Illegal use of 'NULL'", 1, 8)),
    ("SELECT ARRAY[1][NULL]", refused("Illegal use of 'NULL'", 1, 17)),
    ("SELECT JSON_VALUE(NULL, '$.a')", refused("Illegal use of 'NULL'", 1, 19)),
    (
        "SELECT s FROM src WHERE s LIKE NULL",
        refused(
            "Cannot apply 'LIKE' to arguments of type 'LIKE(<VARCHAR(2147483647)>, <VARCHAR(2147483647)>)'. Supported form(s): 'LIKE(<STRING>, <STRING>, <STRING>)'",
            1,
            25,
        ),
    ),
    ("SELECT CASE WHEN c THEN NULL ELSE 1 END FROM src", accepted("INT", ANY)),
    (
        "SELECT NULL NOT LIKE 'a'",
        refused(
            "Cannot apply 'NOT LIKE' to arguments of type 'NOT LIKE(<NULL>, <CHAR(1)>)'. Supported form(s): 'NOT LIKE(<STRING>, <STRING>, <STRING>)'",
            1,
            8,
        ),
    ),
    (
        "SELECT CAST(NULL AS STRING) LIKE NULL",
        refused(
            "Cannot apply 'LIKE' to arguments of type 'LIKE(<VARCHAR(2147483647)>, <VARCHAR(2147483647)>)'. Supported form(s): 'LIKE(<STRING>, <STRING>, <STRING>)'",
            1,
            8,
        ),
    ),
    ("SELECT 1 IN (1, NULL)", accepted("BOOLEAN", True)),
    ("SELECT NULLIF(NULL, s) FROM src", refused("ELSE clause or at least one THEN clause must be non-NULL", 1, 8)),
    ("SELECT NULLIF(1, NULL)", accepted("INT", 1)),
    ("SELECT SUM(i) OVER (PARTITION BY NULL) FROM t", refused("Illegal use of 'NULL'", 1, 34)),
    ("SELECT ROW_NUMBER() OVER (ORDER BY NULL) FROM t", refused("Illegal use of 'NULL'", 1, 36)),
    ("SELECT SUM(i) OVER (PARTITION BY i ORDER BY NULL) FROM t", refused("Illegal use of 'NULL'", 1, 45)),
    # (Flink 2.3 refuses it without a position: Unsupported type 'NULL' to get internal serializer)
    ("SELECT i FROM t ORDER BY i, NULL", refused("Unsupported type 'NULL' to get internal serializer", 1, 29)),
    # (Flink 2.3 refuses it without a position: Unsupported type 'NULL' to get internal serializer)
    ("SELECT i FROM t GROUP BY i ORDER BY NULL", refused("Unsupported type 'NULL' to get internal serializer", 1, 37)),
    (
        "SELECT CASE WHEN c THEN NULL ELSE NULL END IS NULL FROM t",
        refused("ELSE clause or at least one THEN clause must be non-NULL", 1, 8),
    ),
    ("SELECT COALESCE(NULL, NULL, NULL)", refused("Illegal use of 'NULL'", 1, 17)),
    ("SELECT NULL IN (i) FROM t", accepted("BOOLEAN", None)),
    ("SELECT CAST(NULL AS INT) IN (NULL)", accepted("BOOLEAN", None)),
    ("SELECT ARRAY[CAST(NULL AS INT), NULL]", accepted("ARRAY<INT> NOT NULL", [None, None])),
    ("SELECT MAP['a', NULL]['a']", accepted("CHAR(1)", None)),
    ("SELECT CONCAT_WS(NULL, 'a')", refused("Illegal use of 'NULL'", 1, 18)),
    ("SELECT t.i FROM t JOIN t AS u ON NULL = NULL", accepted("INT NOT NULL", NO_ROWS)),
    ("SELECT t.i FROM t LEFT JOIN t AS u ON NULL", accepted("INT NOT NULL", 1)),
    ("SELECT i FROM t WHERE i = 1 OR NULL", refused("Illegal use of 'NULL'", 1, 32)),
    ("SELECT i FROM t WHERE NULL AND c", refused("Illegal use of 'NULL'", 1, 23)),
    ("SELECT COUNT(*) FROM t HAVING NULL", accepted("BIGINT NOT NULL", NO_ROWS)),
    ("SELECT i FROM t WHERE i IN (NULL, NULL)", accepted("INT NOT NULL", NO_ROWS)),
    ("SELECT NULL NOT IN (NULL)", refused("Values in expression list must have compatible types", 1, 20)),
    ("SELECT NULL IN (NULL, NULL)", refused("Values in expression list must have compatible types", 1, 16)),
    ("SELECT i FROM t WHERE NULL BETWEEN i AND NULL", accepted("INT NOT NULL", NO_ROWS)),
    ("SELECT LAG(i, 1, NULL) OVER (ORDER BY i) FROM t", refused("Illegal use of 'NULL'", 1, 18)),
    ("SELECT FIRST_VALUE(NULL) OVER (ORDER BY i) FROM t", refused("Illegal use of 'NULL'", 1, 20)),
    ("SELECT i FROM t WHERE (NULL)", accepted("INT NOT NULL", NO_ROWS)),
    ("SELECT i FROM t WHERE ((NULL))", accepted("INT NOT NULL", NO_ROWS)),
    ("SELECT CASE WHEN c THEN (NULL) ELSE 'x' END FROM t", accepted("CHAR(1)", None)),
    ("SELECT * FROM t WHERE s IN (SELECT NULL FROM t)", refused("Illegal use of 'NULL'", 1, 36)),
    (
        "SELECT CASE WHEN c THEN NULL ELSE CASE WHEN c THEN NULL END END FROM t",
        refused("ELSE clause or at least one THEN clause must be non-NULL", 1, 35),
    ),
    (
        "SELECT CASE WHEN c THEN NULL WHEN NOT c THEN NULL END FROM t",
        refused("ELSE clause or at least one THEN clause must be non-NULL", 1, 8),
    ),
    (
        "SELECT CASE i WHEN NULL THEN NULL ELSE NULL END FROM t",
        refused("ELSE clause or at least one THEN clause must be non-NULL", 1, 8),
    ),
    ("SELECT DATE_FORMAT(CAST(NULL AS TIMESTAMP(3)), 'yyyy')", accepted("STRING", None)),
    ("SELECT i FROM t WHERE NULL = NULL", accepted("INT NOT NULL", NO_ROWS)),
    ("SELECT IFNULL(NULL, NULL) IS NULL", refused("Illegal use of 'NULL'", 1, 15)),
    ("SELECT MAP[NULL, 'a', 1, 'b']", accepted("MAP<INT, CHAR(1) NOT NULL> NOT NULL", {None: "a", 1: "b"})),
    ("SELECT ARRAY[NULL, 1, 2.5]", accepted("ARRAY<DECIMAL(11, 1)> NOT NULL", [None, Decimal("1.0"), Decimal("2.5")])),
    ("SELECT ARRAY[NULL, ARRAY[1]]", accepted("ARRAY<ARRAY<INT NOT NULL>> NOT NULL", [None, [1]])),
    ("SELECT ACOS(NULL)", refused("Illegal use of 'NULL'", 1, 13)),
    ("SELECT ASIN(NULL)", refused("Illegal use of 'NULL'", 1, 13)),
    ("SELECT ATAN(NULL)", refused("Illegal use of 'NULL'", 1, 13)),
    ("SELECT ATAN2(NULL, 2.0)", refused("Illegal use of 'NULL'", 1, 14)),
    ("SELECT ATAN2(1.0, NULL)", refused("Illegal use of 'NULL'", 1, 19)),
    ("SELECT COS(NULL)", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT COSH(NULL)", refused("Illegal use of 'NULL'", 1, 13)),
    ("SELECT COT(NULL)", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT SIN(NULL)", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT SINH(NULL)", refused("Illegal use of 'NULL'", 1, 13)),
    ("SELECT TAN(NULL)", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT TANH(NULL)", refused("Illegal use of 'NULL'", 1, 13)),
    ("SELECT DEGREES(NULL)", refused("Illegal use of 'NULL'", 1, 16)),
    ("SELECT RADIANS(NULL)", refused("Illegal use of 'NULL'", 1, 16)),
    ("SELECT EXP(NULL)", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT LN(NULL)", refused("Illegal use of 'NULL'", 1, 11)),
    ("SELECT LOG(NULL, 8.0)", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT LOG(2.0, NULL)", refused("Illegal use of 'NULL'", 1, 17)),
    ("SELECT LOG10(NULL)", refused("Illegal use of 'NULL'", 1, 14)),
    ("SELECT LOG2(NULL)", refused("Illegal use of 'NULL'", 1, 13)),
    ("SELECT SIGN(NULL)", refused("Illegal use of 'NULL'", 1, 13)),
    ("SELECT BIN(NULL)", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT HEX(NULL)", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT CHR(NULL)", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT ASCII(NULL)", refused("Illegal use of 'NULL'", 1, 14)),
    ("SELECT ARRAY_CONCAT(NULL, ARRAY[2])", refused("Illegal use of 'NULL'", 1, 21)),
    ("SELECT ARRAY_CONCAT(ARRAY[1], NULL)", refused("Illegal use of 'NULL'", 1, 31)),
    ("SELECT ARRAY_CONTAINS(NULL, 1)", refused("Illegal use of 'NULL'", 1, 23)),
    ("SELECT ARRAY_CONTAINS(ARRAY[1, 2], NULL)", accepted("BOOLEAN NOT NULL", False)),
    ("SELECT ARRAY_DISTINCT(NULL)", refused("Illegal use of 'NULL'", 1, 23)),
    ("SELECT ARRAY_EXCEPT(NULL, ARRAY[2])", refused("Illegal use of 'NULL'", 1, 21)),
    ("SELECT ARRAY_EXCEPT(ARRAY[1], NULL)", refused("Illegal use of 'NULL'", 1, 31)),
    ("SELECT ARRAY_INTERSECT(NULL, ARRAY[2])", refused("Illegal use of 'NULL'", 1, 24)),
    ("SELECT ARRAY_INTERSECT(ARRAY[1], NULL)", refused("Illegal use of 'NULL'", 1, 34)),
    ("SELECT ARRAY_JOIN(NULL, ',')", refused("Illegal use of 'NULL'", 1, 19)),
    ("SELECT ARRAY_JOIN(ARRAY['a'], NULL)", accepted("STRING", None)),
    ("SELECT ARRAY_MAX(NULL)", refused("Illegal use of 'NULL'", 1, 18)),
    ("SELECT ARRAY_MIN(NULL)", refused("Illegal use of 'NULL'", 1, 18)),
    ("SELECT ARRAY_POSITION(NULL, 2)", refused("Illegal use of 'NULL'", 1, 23)),
    ("SELECT ARRAY_POSITION(ARRAY[1, 2], NULL)", accepted("INT", None)),
    ("SELECT ARRAY_REMOVE(NULL, 2)", refused("Illegal use of 'NULL'", 1, 21)),
    ("SELECT ARRAY_REMOVE(ARRAY[1, 2], NULL)", accepted("ARRAY<INT NOT NULL> NOT NULL", [1, 2])),
    ("SELECT ARRAY_REVERSE(NULL)", refused("Illegal use of 'NULL'", 1, 22)),
    ("SELECT ARRAY_SLICE(NULL, 1, 2)", refused("Illegal use of 'NULL'", 1, 20)),
    ("SELECT ARRAY_SLICE(ARRAY[1, 2], NULL, 2)", accepted("ARRAY<INT NOT NULL>", None)),
    ("SELECT ARRAY_SLICE(ARRAY[1, 2], 1, NULL)", accepted("ARRAY<INT NOT NULL>", None)),
    ("SELECT ARRAY_SORT(NULL)", refused("Illegal use of 'NULL'", 1, 19)),
    ("SELECT ARRAY_UNION(NULL, ARRAY[2])", refused("Illegal use of 'NULL'", 1, 20)),
    ("SELECT ARRAY_UNION(ARRAY[1], NULL)", refused("Illegal use of 'NULL'", 1, 30)),
    ("SELECT BTRIM(NULL)", accepted("STRING", None)),
    ("SELECT CONVERT_TZ(NULL, 'UTC', 'Asia/Shanghai')", refused("Illegal use of 'NULL'", 1, 19)),
    ("SELECT CONVERT_TZ('2020-01-01 00:00:00', NULL, 'Asia/Shanghai')", refused("Illegal use of 'NULL'", 1, 42)),
    ("SELECT CONVERT_TZ('2020-01-01 00:00:00', 'UTC', NULL)", refused("Illegal use of 'NULL'", 1, 49)),
    ("SELECT DAYOFMONTH(NULL)", refused("Illegal use of 'NULL'", 1, 19)),
    ("SELECT DAYOFWEEK(NULL)", refused("Illegal use of 'NULL'", 1, 18)),
    ("SELECT DAYOFYEAR(NULL)", refused("Illegal use of 'NULL'", 1, 18)),
    ("SELECT DECODE(NULL, 'UTF-8')", refused("Illegal use of 'NULL'", 1, 15)),
    ("SELECT DECODE(X'61', NULL)", refused("Illegal use of 'NULL'", 1, 22)),
    ("SELECT ENCODE(NULL, 'UTF-8')", refused("Illegal use of 'NULL'", 1, 15)),
    ("SELECT ENCODE('a', NULL)", refused("Illegal use of 'NULL'", 1, 20)),
    ("SELECT ENDSWITH(NULL, 'c')", accepted("BOOLEAN", None)),
    ("SELECT ENDSWITH('abc', NULL)", accepted("BOOLEAN", None)),
    ("SELECT STARTSWITH(NULL, 'a')", accepted("BOOLEAN", None)),
    ("SELECT STARTSWITH('abc', NULL)", accepted("BOOLEAN", None)),
    ("SELECT FROM_BASE64(NULL)", refused("Illegal use of 'NULL'", 1, 20)),
    ("SELECT TO_BASE64(NULL)", refused("Illegal use of 'NULL'", 1, 18)),
    ("SELECT FROM_UNIXTIME(NULL)", refused("Illegal use of 'NULL'", 1, 22)),
    ("SELECT HOUR(NULL)", refused("Illegal use of 'NULL'", 1, 13)),
    ("SELECT MINUTE(NULL)", refused("Illegal use of 'NULL'", 1, 15)),
    ("SELECT SECOND(NULL)", refused("Illegal use of 'NULL'", 1, 15)),
    ("SELECT MONTH(NULL)", refused("Illegal use of 'NULL'", 1, 14)),
    ("SELECT YEAR(NULL)", refused("Illegal use of 'NULL'", 1, 13)),
    ("SELECT QUARTER(NULL)", refused("Illegal use of 'NULL'", 1, 16)),
    ("SELECT WEEK(NULL)", refused("Illegal use of 'NULL'", 1, 13)),
    ("SELECT INITCAP(NULL)", refused("Illegal use of 'NULL'", 1, 16)),
    ("SELECT INSTR(NULL, 'b')", refused("Illegal use of 'NULL'", 1, 14)),
    ("SELECT INSTR('abc', NULL)", refused("Illegal use of 'NULL'", 1, 21)),
    ("SELECT IS_DECIMAL(NULL)", refused("Illegal use of 'NULL'", 1, 19)),
    ("SELECT IS_DIGIT(NULL)", refused("Illegal use of 'NULL'", 1, 17)),
    ("SELECT LEFT(NULL, 1)", refused("Illegal use of 'NULL'", 1, 13)),
    ("SELECT LEFT('abc', NULL)", refused("Illegal use of 'NULL'", 1, 20)),
    ("SELECT RIGHT(NULL, 1)", refused("Illegal use of 'NULL'", 1, 14)),
    ("SELECT RIGHT('abc', NULL)", refused("Illegal use of 'NULL'", 1, 21)),
    ("SELECT LOCATE(NULL, 'abc')", refused("Illegal use of 'NULL'", 1, 15)),
    ("SELECT LOCATE('b', NULL)", refused("Illegal use of 'NULL'", 1, 20)),
    ("SELECT LTRIM(NULL)", refused("Illegal use of 'NULL'", 1, 14)),
    ("SELECT RTRIM(NULL)", refused("Illegal use of 'NULL'", 1, 14)),
    ("SELECT MAP_ENTRIES(NULL)", refused("Illegal use of 'NULL'", 1, 20)),
    ("SELECT MAP_FROM_ARRAYS(NULL, ARRAY[1])", refused("Illegal use of 'NULL'", 1, 24)),
    ("SELECT MAP_FROM_ARRAYS(ARRAY['a'], NULL)", refused("Illegal use of 'NULL'", 1, 36)),
    ("SELECT MAP_KEYS(NULL)", refused("Illegal use of 'NULL'", 1, 17)),
    ("SELECT MAP_UNION(NULL, MAP['b', 2])", refused("Illegal use of 'NULL'", 1, 18)),
    ("SELECT MAP_UNION(MAP['a', 1], NULL)", refused("Illegal use of 'NULL'", 1, 31)),
    ("SELECT MAP_VALUES(NULL)", refused("Illegal use of 'NULL'", 1, 19)),
    ("SELECT PARSE_URL(NULL, 'HOST')", refused("Illegal use of 'NULL'", 1, 18)),
    ("SELECT PARSE_URL('http://a.b/c?x=1', NULL)", refused("Illegal use of 'NULL'", 1, 38)),
    ("SELECT PRINTF(NULL, 'a')", accepted("STRING", None)),
    ("SELECT PRINTF('%s', NULL)", accepted("STRING", "null")),
    ("SELECT REGEXP_COUNT(NULL, 'b')", accepted("INT", None)),
    ("SELECT REGEXP_COUNT('abc', NULL)", accepted("INT", None)),
    ("SELECT REGEXP_EXTRACT(NULL, '(b)', 1)", refused("Illegal use of 'NULL'", 1, 23)),
    ("SELECT REGEXP_EXTRACT('abc', NULL, 1)", refused("Illegal use of 'NULL'", 1, 30)),
    ("SELECT REGEXP_EXTRACT('abc', '(b)', NULL)", refused("Illegal use of 'NULL'", 1, 37)),
    ("SELECT REGEXP_EXTRACT_ALL(NULL, '(b)', 1)", accepted("ARRAY<STRING>", None)),
    ("SELECT REGEXP_EXTRACT_ALL('abc', NULL, 1)", accepted("ARRAY<STRING>", None)),
    ("SELECT REGEXP_EXTRACT_ALL('abc', '(b)', NULL)", accepted("ARRAY<STRING>", None)),
    ("SELECT REGEXP_REPLACE(NULL, 'b', 'x')", refused("Illegal use of 'NULL'", 1, 23)),
    ("SELECT REGEXP_REPLACE('abc', NULL, 'x')", refused("Illegal use of 'NULL'", 1, 30)),
    ("SELECT REGEXP_REPLACE('abc', 'b', NULL)", refused("Illegal use of 'NULL'", 1, 35)),
    ("SELECT REPEAT(NULL, 2)", refused("Illegal use of 'NULL'", 1, 15)),
    ("SELECT REPEAT('a', NULL)", refused("Illegal use of 'NULL'", 1, 20)),
    ("SELECT REVERSE(NULL)", refused("Illegal use of 'NULL'", 1, 16)),
    ("SELECT RPAD(NULL, 3, 'x')", refused("Illegal use of 'NULL'", 1, 13)),
    ("SELECT RPAD('a', NULL, 'x')", refused("Illegal use of 'NULL'", 1, 18)),
    ("SELECT RPAD('a', 3, NULL)", refused("Illegal use of 'NULL'", 1, 21)),
    ("SELECT SHA1(NULL)", refused("Illegal use of 'NULL'", 1, 13)),
    ("SELECT SHA2(NULL, 256)", refused("Illegal use of 'NULL'", 1, 13)),
    ("SELECT SHA2('a', NULL)", refused("Illegal use of 'NULL'", 1, 18)),
    ("SELECT SHA256(NULL)", refused("Illegal use of 'NULL'", 1, 15)),
    ("SELECT SPLIT(NULL, ',')", accepted("ARRAY<STRING>", None)),
    ("SELECT SPLIT('a,b', NULL)", accepted("ARRAY<STRING>", None)),
    ("SELECT SPLIT_INDEX(NULL, ',', 1)", refused("Illegal use of 'NULL'", 1, 20)),
    ("SELECT SPLIT_INDEX('a,b', NULL, 1)", refused("Illegal use of 'NULL'", 1, 27)),
    ("SELECT SPLIT_INDEX('a,b', ',', NULL)", refused("Illegal use of 'NULL'", 1, 32)),
    ("SELECT STR_TO_MAP(NULL)", refused("Illegal use of 'NULL'", 1, 19)),
    ("SELECT TO_DATE(NULL)", refused("Illegal use of 'NULL'", 1, 16)),
    ("SELECT TO_TIMESTAMP_LTZ(NULL, 3)", refused("Illegal use of 'NULL'", 1, 25)),
    # (Flink 2.3 refuses it without a position: Invalid function call:)
    ("SELECT TO_TIMESTAMP_LTZ(0, NULL)", refused("Illegal use of 'NULL'", 1, 28)),
    ("SELECT TRANSLATE(NULL, 'b', 'x')", refused("Illegal use of 'NULL'", 1, 18)),
    ("SELECT TRANSLATE('abc', NULL, 'x')", refused("Illegal use of 'NULL'", 1, 25)),
    ("SELECT TRANSLATE('abc', 'b', NULL)", refused("Illegal use of 'NULL'", 1, 30)),
    ("SELECT UNIX_TIMESTAMP(NULL)", refused("Illegal use of 'NULL'", 1, 23)),
    ("SELECT URL_DECODE(NULL)", accepted("STRING", None)),
    ("SELECT URL_ENCODE(NULL)", accepted("STRING", None)),
    ("SELECT DATE_ADD(DATE '2020-01-01', NULL)", refused("Illegal use of 'NULL'", 1, 36)),
    ("SELECT DATE_SUB(NULL, 1)", refused("Illegal use of 'NULL'", 1, 17)),
    ("SELECT DATE_SUB(DATE '2020-01-01', NULL)", refused("Illegal use of 'NULL'", 1, 36)),
    ("SELECT DATEDIFF(NULL, DATE '2020-01-02')", refused("Illegal use of 'NULL'", 1, 17)),
    ("SELECT DATEDIFF(DATE '2020-01-01', NULL)", refused("Illegal use of 'NULL'", 1, 36)),
    ("SELECT ARRAY_PREPEND(NULL, 1)", refused("Illegal use of 'NULL'", 1, 22)),
    ("SELECT ARRAY_APPEND(NULL, 1)", refused("Illegal use of 'NULL'", 1, 21)),
    ("SELECT JSON_STRING(NULL)", accepted("STRING", None)),
    ("SELECT JSON_OBJECT(NULL VALUE 'x')", refused("Argument to function 'NULL' must not be NULL", 1, 8)),
    ("SELECT JSON_OBJECT(KEY NULL VALUE 1)", refused("Argument to function 'NULL' must not be NULL", 1, 8)),
    ("SELECT ARRAY_CONTAINS(ARRAY[1, NULL], NULL)", accepted("BOOLEAN NOT NULL", True)),
    ("SELECT ARRAY_REMOVE(ARRAY[1, NULL, 2], NULL)", accepted("ARRAY<INT> NOT NULL", [1, 2])),
    ("SELECT ARRAY_POSITION(ARRAY[1, NULL], NULL)", accepted("INT", None)),
    ("SELECT ARRAY_JOIN(ARRAY['a', 'b'], NULL)", accepted("STRING", None)),
    ("SELECT ARRAY_JOIN(ARRAY['a', NULL], ',', NULL)", accepted("STRING", None)),
    ("SELECT FOO(NULL)", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT FOO(1, NULL)", refused("Illegal use of 'NULL'", 1, 15)),
    ("SELECT ARRAY_AGG(NULL)", refused("Illegal use of 'NULL'", 1, 18)),
    ("SELECT COLLECT(NULL)", refused("Illegal use of 'NULL'", 1, 16)),
    # (Flink 2.3 refuses it without a position: Unexpected error in type inference logic of function 'JSON_STRING'. This is a bug.)
    ("SELECT JSON_ARRAYAGG(NULL)", refused("Type is not supported: ANY", 1, 22)),
    # (Flink 2.3 refuses it without a position: Unexpected error in type inference logic of function 'JSON_STRING'. This is a bug.)
    ("SELECT JSON_OBJECTAGG(KEY 'k' VALUE NULL)", refused("Type is not supported: ANY", 1, 37)),
    ("SELECT JSON_OBJECTAGG(KEY NULL VALUE 1)", refused("Illegal use of 'NULL'", 1, 27)),
    ("SELECT LAST_VALUE(NULL)", refused("Illegal use of 'NULL'", 1, 19)),
    ("SELECT STDDEV(NULL)", refused("Illegal use of 'NULL'", 1, 15)),
    ("SELECT VAR_POP(NULL)", refused("Illegal use of 'NULL'", 1, 16)),
    ("SELECT CEILING(NULL)", refused("Illegal use of 'NULL'", 1, 16)),
    ("SELECT CHARACTER_LENGTH(NULL)", refused("Illegal use of 'NULL'", 1, 25)),
    ("SELECT POW(NULL, 2)", refused("Illegal use of 'NULL'", 1, 12)),
    ("SELECT SHA512(NULL)", refused("Illegal use of 'NULL'", 1, 15)),
    ("SELECT OVERLAY(NULL PLACING 'x' FROM 1)", refused("Illegal use of 'NULL'", 1, 16)),
    ("SELECT OVERLAY('abc' PLACING NULL FROM 1)", refused("Illegal use of 'NULL'", 1, 30)),
    ("SELECT TRUNCATE(NULL, 1)", refused("Illegal use of 'NULL'", 1, 17)),
    ("SELECT TRUNCATE(1.5, NULL)", refused("Illegal use of 'NULL'", 1, 22)),
    ("SELECT RAND(NULL)", refused("Illegal use of 'NULL'", 1, 13)),
    ("SELECT RAND_INTEGER(NULL)", refused("Illegal use of 'NULL'", 1, 21)),
    ("SELECT TIMESTAMPADD(DAY, NULL, TIMESTAMP '2020-01-01 00:00:00')", refused("Illegal use of 'NULL'", 1, 26)),
    ("SELECT TIMESTAMPADD(DAY, 1, NULL)", refused("Illegal use of 'NULL'", 1, 29)),
    ("SELECT JSON_EXISTS(NULL, '$.a')", refused("Illegal use of 'NULL'", 1, 20)),
    ("SELECT JSON_QUERY(NULL, '$.a')", refused("Illegal use of 'NULL'", 1, 19)),
    ("SELECT JSON_VALUE('{}', NULL)", refused("Illegal use of 'NULL'", 1, 25)),
    ("SELECT ROUND(NULL, NULL)", refused("Illegal use of 'NULL'", 1, 14)),
]


@pytest.fixture(scope="module")
def runner() -> Iterator[SqlRunner]:
    runner = SqlRunner()
    runner(SETUP)
    yield runner
    runner.close()


def test_the_table_covers_both_outcomes() -> None:
    refusals = [case for case in CASES if isinstance(case[1], Refused)]
    assert len(CASES) == len({sql for sql, _ in CASES}) and 150 < len(refusals) < len(CASES)


@pytest.mark.parametrize("sql, expected", CASES, ids=[sql for sql, _ in CASES])
def test_bare_null_as_in_flink(runner: SqlRunner, sql: str, expected: Accepted | Refused) -> None:
    if isinstance(expected, Refused):
        with pytest.raises(QsqlError) as info:
            runner(sql)
        error = info.value
        assert isinstance(error, QsqlTypeError)
        assert (error.message, error.span.line, error.span.column) == (expected.message, expected.line, expected.column)
        assert "\n" not in error.message
        return
    result = runner(sql).results[-1]
    assert str(result.columns[0].dtype) == expected.dtype  # type: ignore[union-attr]
    rows = list(result.rows)  # type: ignore[union-attr]
    if expected.value is NO_ROWS:
        assert rows == []
    elif expected.value is not ANY:
        assert rows[0][0] == expected.value
