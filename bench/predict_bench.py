"""ML_PREDICT against the floor: how close qsql gets to a bare httpx loop.

For each concurrency C, against the same stub (its own process, fixed latency L):

* floor — a bare ``httpx.AsyncClient`` loop sending the same N chat requests, C at a time;
* qsql  — ``SELECT ... FROM ML_PREDICT(...)`` with 'max-concurrent-operations' = C, cache off;
* ideal — N x L / C.

Targets: qsql within 1.10x of the floor, and within 1.15x of the ideal wherever the
floor itself is. When the floor is far from the ideal, the machine (the stub or the client
loop), not qsql, is the bottleneck, and the report says so. CPU time per request is qsql's own
process time divided by the requests it sent.

    python bench/predict_bench.py                 # C = 1, 10, 32 with 100 ms latency
    python bench/predict_bench.py --rows 2000 --latency-ms 50 --concurrency 64
"""

from __future__ import annotations

import argparse
import asyncio
import io
import subprocess
import sys
import time

import httpx

from qsql.session import Session

STUB_LINE = "LISTENING "


def start_stub(latency_ms: float) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "qsql", "stub", "--port", "0", "--latency-ms", str(latency_ms)],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()  # type: ignore[union-attr]
    if not line.startswith(STUB_LINE):
        process.kill()
        raise SystemExit(f"stub did not start: {line!r}")
    return process, f"http://127.0.0.1:{int(line.split()[1])}/v1"


async def floor(base_url: str, rows: int, concurrency: int) -> float:
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx.AsyncClient(limits=limits, trust_env=False) as client:
        semaphore = asyncio.Semaphore(concurrency)

        async def one(i: int) -> None:
            body = {
                "model": "qwen-plus",
                "messages": [
                    {"role": "system", "content": "You are a helpful assistant."},
                    {"role": "user", "content": f"row {i}"},
                ],
            }
            async with semaphore:
                response = await client.post(
                    f"{base_url}/chat/completions", json=body, headers={"Authorization": "Bearer k"}, timeout=60
                )
                response.json()["choices"][0]["message"]["content"]

        # Warm the pool the same way qsql's first requests do.
        await asyncio.gather(*(one(-1 - i) for i in range(concurrency)))
        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(rows)))
        return time.perf_counter() - started


def qsql_run(base_url: str, rows: int, concurrency: int) -> tuple[float, float, int]:
    values = ", ".join(f"({i}, 'row {i}')" for i in range(rows))
    warm = ", ".join(f"({i}, 'warm {i}')" for i in range(concurrency))
    out = io.StringIO()
    with Session(out=out, err=io.StringIO(), env={"K": "k"}) as session:
        setup = (
            "SET 'qsql.cache' = 'off';"
            "CREATE MODEL m INPUT (input STRING) OUTPUT (content STRING) WITH ('provider' = 'openai', "
            f"'endpoint' = '{base_url}', 'api-key' = '${{K}}', 'model' = 'qwen-plus');"
            f"CREATE TEMPORARY VIEW t (id, txt) AS VALUES {values};"
            f"CREATE TEMPORARY VIEW w (id, txt) AS VALUES {warm};"
            "CREATE TEMPORARY TABLE sink (id INT, txt STRING, content STRING) WITH ('connector' = 'print');"
        )
        list(session.execute(setup))
        config = f"MAP['max-concurrent-operations', '{concurrency}']"
        list(session.execute(f"INSERT INTO sink SELECT * FROM ML_PREDICT(TABLE w, MODEL m, DESCRIPTOR(txt), {config})"))
        cpu_started = time.process_time()
        started = time.perf_counter()
        (result,) = session.execute(
            f"INSERT INTO sink SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(txt), {config})"
        )
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    requests = result.predict[0].requests  # type: ignore[union-attr]
    assert result.rows == rows and requests == rows, (result.rows, requests)  # type: ignore[union-attr]
    return wall, cpu, requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--concurrency", type=int, nargs="*", default=[1, 10, 32])
    parser.add_argument("--rows-at-c1", type=int, default=60, help="rows for C = 1 (N x L seconds otherwise)")
    args = parser.parse_args()
    latency = args.latency_ms / 1000
    process, base_url = start_stub(args.latency_ms)
    print(f"stub at {base_url}, latency {args.latency_ms:g} ms, machine: 2 cores shared by stub and client")
    header = f"{'C':>4} {'rows':>6} {'ideal s':>8} {'floor s':>8} {'qsql s':>8} {'qsql/floor':>10} {'floor/ideal':>11} {'qsql/ideal':>10} {'CPU ms/req':>10}  verdict"
    print(header)
    print("-" * len(header))
    failed = False
    try:
        for concurrency in args.concurrency:
            rows = args.rows_at_c1 if concurrency == 1 else args.rows
            ideal = rows * latency / concurrency
            floor_s = asyncio.run(floor(base_url, rows, concurrency))
            qsql_s, cpu, requests = qsql_run(base_url, rows, concurrency)
            vs_floor, floor_vs_ideal, vs_ideal = qsql_s / floor_s, floor_s / ideal, qsql_s / ideal
            verdicts = []
            if vs_floor > 1.10:
                verdicts.append("MISS qsql > 1.10x floor")
                failed = True
            if floor_vs_ideal <= 1.15 and vs_ideal > 1.15:
                verdicts.append("MISS qsql > 1.15x ideal")
                failed = True
            if floor_vs_ideal > 1.15:
                verdicts.append("machine-bound: the floor itself is > 1.15x ideal (stub/client CPU)")
            print(
                f"{concurrency:>4} {rows:>6} {ideal:>8.2f} {floor_s:>8.2f} {qsql_s:>8.2f} {vs_floor:>10.3f} "
                f"{floor_vs_ideal:>11.3f} {vs_ideal:>10.3f} {1000 * cpu / requests:>10.2f}  "
                + ("; ".join(verdicts) or "ok")
            )
    finally:
        process.terminate()
        process.wait(10)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
