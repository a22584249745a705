"""Start-up: median start-to-exit of ``qsql -e 'SELECT 1'`` against ``python -c pass``.

Target: qsql <= 10x the bare interpreter on the same machine. The runs alternate
(python, qsql, python, qsql ...) so a change in machine load hits both alike; the median
of each is reported, plus the first run with an empty parser cache (what the first command
after installing qsql or changing the grammar costs).

Bytecode caching is left on for the measured processes even where the environment sets
PYTHONDONTWRITEBYTECODE: a user's installed qsql has its .pyc files, and without them every
run would recompile qsql's source (a third of a second), which is not what start-up costs.

    .venv/bin/python bench/startup_bench.py [--runs 21]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 10.0


def qsql_command() -> list[str]:
    script = Path(sys.executable).with_name("qsql")
    return [str(script)] if script.exists() else [sys.executable, "-m", "qsql"]


CPU_TIMES: dict[str, list[float]] = {}  # CPU seconds (user + system) per command, less sensitive to load


def timed(command: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU_TIMES.setdefault(" ".join(command), []).append(cpu)
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()

    cache = Path(tempfile.mkdtemp(prefix="qsql-startup-bench-"))
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["QSQL_PARSER_CACHE"] = str(cache)
    qsql = [*qsql_command(), "-q", "-e", "SELECT 1"]
    bare = [sys.executable, "-c", "pass"]
    try:
        # Warm the .pyc files first (not what is measured), then the first run with no parser cache.
        env_no_cache = dict(env, QSQL_PARSER_CACHE="off")
        timed(qsql, env_no_cache)
        cold = timed(qsql, env)
        no_cache = [timed(qsql, env_no_cache) for _ in range(3)]
        bare_times: list[float] = []
        qsql_times: list[float] = []
        for _ in range(args.runs):
            bare_times.append(timed(bare, env))
            qsql_times.append(timed(qsql, env))
    finally:
        shutil.rmtree(cache, ignore_errors=True)

    bare_median = statistics.median(bare_times)
    qsql_median = statistics.median(qsql_times)
    ratio = qsql_median / bare_median
    print(f"runs: {args.runs} each, alternating; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}")
    print(f"python -c pass                    median {bare_median * 1000:7.1f} ms")
    print(
        f"qsql -e 'SELECT 1' (parser cached) median {qsql_median * 1000:7.1f} ms   {ratio:.1f}x "
        f"(target <= {TARGET_RATIO:g}x: {'met' if ratio <= TARGET_RATIO else 'NOT met'})"
    )
    bare_cpu = statistics.median(CPU_TIMES[" ".join(bare)][-args.runs :])
    qsql_cpu = statistics.median(CPU_TIMES[" ".join(qsql)][-args.runs :])
    print(
        f"CPU time (user + system), medians: python -c pass {bare_cpu * 1000:.0f} ms, "
        f"qsql {qsql_cpu * 1000:.0f} ms ({qsql_cpu / bare_cpu:.1f}x)"
    )
    print(f"qsql -e 'SELECT 1', first run after a grammar change (builds and caches the tables): {cold * 1000:.0f} ms")
    print(f"qsql -e 'SELECT 1' with the parser cache off: median of 3 {statistics.median(no_cache) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
