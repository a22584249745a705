"""Streaming a large CSV through qsql: peak memory and rows/s against a plain csv-module loop.

    python bench/csv_bench.py                # 1,000,000 rows
    python bench/csv_bench.py --rows 200000

Both sides run in their own process, read the same file, keep the rows whose score > 0.5 and
write id, name, score as CSV. Target: qsql's peak RSS under 150 MB, which only holds
if rows stream from source to sink without being collected. Exits 1 if the target is missed.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

RSS_TARGET_MB = 150

PLAIN = textwrap.dedent(
    """
    import csv, resource, sys, time
    source, target = sys.argv[1], sys.argv[2]
    started = time.perf_counter()
    kept = 0
    with open(source, newline="", encoding="utf-8") as inp, open(target, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\\n")
        for row in csv.reader(inp):
            if float(row[2]) > 0.5:
                writer.writerow((int(row[0]), row[1], float(row[2])))
                kept += 1
    print(time.perf_counter() - started, kept, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    """
)

QSQL = textwrap.dedent(
    """
    import io, resource, sys, time
    from qsql.session import Session
    source, target = sys.argv[1], sys.argv[2]
    script = (
        "CREATE TABLE src (id INT, name STRING, score DOUBLE, category STRING) "
        f"WITH ('connector' = 'filesystem', 'path' = '{source}', 'format' = 'csv');"
        "CREATE TABLE dst (id INT, name STRING, score DOUBLE) "
        f"WITH ('connector' = 'filesystem', 'path' = '{target}', 'format' = 'csv');"
        "INSERT INTO dst SELECT id, name, score FROM src WHERE score > 0.5;"
    )
    started = time.perf_counter()
    with Session(out=io.StringIO(), err=io.StringIO()) as session:
        results = list(session.execute(script))
    print(time.perf_counter() - started, results[-1].rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    """
)


def make_input(path: Path, rows: int) -> None:
    rng = random.Random(42)
    categories = ["books", "toys", "garden, outdoor", "food"]
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(rows):
            category = rng.choice(categories)
            if "," in category:
                category = f'"{category}"'
            handle.write(f"{i},user{rng.randrange(100000)},{rng.random():.6f},{category}\n")


def run(program: str, source: Path, target: Path) -> tuple[float, int, float]:
    output = subprocess.run(
        [sys.executable, "-c", program, str(source), str(target)], capture_output=True, text=True, check=True
    ).stdout.split()
    seconds, kept, rss_kb = float(output[0]), int(output[1]), int(output[2])
    return seconds, kept, rss_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.csv"
        started = time.perf_counter()
        make_input(source, args.rows)
        size = source.stat().st_size / 1e6
        print(f"input: {args.rows:,} rows, {size:.1f} MB (made in {time.perf_counter() - started:.1f} s)")
        plain_s, plain_kept, plain_rss = run(PLAIN, source, Path(folder) / "plain.csv")
        qsql_s, qsql_kept, qsql_rss = run(QSQL, source, Path(folder) / "qsql.csv")
        assert plain_kept == qsql_kept, (plain_kept, qsql_kept)
        print(f"{'':<22}{'seconds':>9}{'rows/s':>12}{'peak RSS MB':>13}")
        print(f"{'plain csv loop':<22}{plain_s:>9.2f}{args.rows / plain_s:>12,.0f}{plain_rss:>13.1f}")
        print(f"{'qsql INSERT ... WHERE':<22}{qsql_s:>9.2f}{args.rows / qsql_s:>12,.0f}{qsql_rss:>13.1f}")
        print(f"qsql / plain time: {qsql_s / plain_s:.2f}x; rows kept: {qsql_kept:,}")
        ok = qsql_rss < RSS_TARGET_MB
        print(f"peak RSS target < {RSS_TARGET_MB} MB: {'ok' if ok else 'MISSED'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
