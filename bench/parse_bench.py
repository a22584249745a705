"""Parsing speed: a 1 MB script of mixed statements through qsql's parser and through sqlglot.

    pip install sqlglot          # bench-only dependency (pip install -e '.[bench]')
    python bench/parse_bench.py  # prints MB/s for both; exits 1 if qsql is slower

Both parse the same text into a syntax tree (qsql: the AST the engine runs; sqlglot: its
expression tree, Flink-ish statements in the default dialect). sqlglot cannot parse
CREATE MODEL or ML_PREDICT, so the shared text uses the statements both understand:
CREATE TABLE ... WITH, CREATE VIEW, INSERT ... SELECT with WHERE/GROUP BY/JOIN/CASE, and
qsql alone is also timed on the full mix that includes models and ML_PREDICT.
"""

from __future__ import annotations

import argparse
import random
import sys
import time

from qsql.parser import build_parser, parse

SHARED = [
    "CREATE TABLE t{i} (id INT, name STRING, score DOUBLE, tag STRING) WITH ('connector' = 'filesystem', "
    "'path' = 'data/t{i}.csv', 'format' = 'csv');",
    "CREATE VIEW v{i} AS SELECT id, UPPER(name) AS n, score * 2 AS s FROM t{i} WHERE score > {i} AND tag IN ('a', 'b');",
    "INSERT INTO out{i} SELECT tag, COUNT(*), SUM(score), AVG(score) FROM t{i} WHERE name LIKE 'x%' GROUP BY tag "
    "HAVING COUNT(*) > 1 ORDER BY tag LIMIT 10;",
    "SELECT a.id, CASE WHEN a.score > 1 THEN 'hi' ELSE 'lo' END AS level, COALESCE(b.label, 'none') FROM t{i} AS a "
    "LEFT JOIN r{i} AS b ON a.tag = b.tag WHERE a.id BETWEEN 1 AND 100;",
    "SELECT CAST(id AS STRING) || ':' || name, SUBSTRING(name, 1, 3), TRIM(name), ABS(score - 1.5) FROM t{i};",
]
QSQL_ONLY = [
    "CREATE MODEL m{i} INPUT (input STRING) OUTPUT (content STRING) WITH ('provider' = 'qwen', "
    "'model' = 'qwen-plus', 'system-prompt' = 'Classify: positive, negative or neutral.');",
    "INSERT INTO labelled{i} SELECT id, content FROM ML_PREDICT(TABLE v{i}, MODEL m{i}, DESCRIPTOR(n), "
    "MAP['max-concurrent-operations', '32']);",
]


def script(templates: list[str], size: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    parts: list[str] = []
    total = 0
    i = 0
    while total < size:
        statement = rng.choice(templates).format(i=i) + "\n"
        parts.append(statement)
        total += len(statement)
        i += 1
    return "".join(parts)


def best_of(runs: int, function) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    try:
        import sqlglot
    except ImportError:
        raise SystemExit(
            "sqlglot is a bench-only dependency: pip install sqlglot (or pip install -e '.[bench]')"
        ) from None
    size = int(args.megabytes * 1_000_000)
    shared = script(SHARED, size)
    mixed = script(SHARED + QSQL_ONLY, size)
    build_parser()  # both sides start warm: the grammar is built once per process in qsql
    statements = len(parse(shared))
    dialect = None
    parsed = [e for e in sqlglot.parse(shared, read=dialect) if e is not None]
    assert len(parsed) == statements, (len(parsed), statements)
    qsql_s = best_of(args.runs, lambda: parse(shared))
    glot_s = best_of(args.runs, lambda: sqlglot.parse(shared, read=dialect))
    mixed_s = best_of(args.runs, lambda: parse(mixed))
    mb = len(shared) / 1e6
    print(
        f"script: {mb:.2f} MB, {statements:,} statements; sqlglot {sqlglot.__version__} (dialect {dialect or 'default'})"
    )
    print(f"{'':<28}{'seconds':>9}{'MB/s':>8}")
    print(f"{'qsql (shared statements)':<28}{qsql_s:>9.2f}{mb / qsql_s:>8.2f}")
    print(f"{'sqlglot (shared statements)':<28}{glot_s:>9.2f}{mb / glot_s:>8.2f}")
    print(f"{'qsql (with models, ML_PREDICT)':<28}{mixed_s:>9.2f}{len(mixed) / 1e6 / mixed_s:>8.2f}")
    ratio = qsql_s / glot_s
    print(f"qsql / sqlglot time: {ratio:.2f}x ({'ok' if ratio <= 1.0 else 'MISSED: slower than sqlglot'})")
    sys.exit(0 if ratio <= 1.0 else 1)


if __name__ == "__main__":
    main()
