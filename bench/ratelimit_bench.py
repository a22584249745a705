"""ML_PREDICT at the provider's rate limit: declared, found adaptively, and today's fixed C.

The stub runs in rate-limit mode (sliding-window quotas, 429 limit_requests /
insufficient_quota beyond them, as DashScope's compatible mode answers) and N rows go through
``INSERT ... SELECT ... FROM ML_PREDICT(...)`` three ways:

* declared — the model declares the quota ('requests-per-minute' or 'tokens-per-minute');
  target: wall <= 1.10x the ideal and no request answered 429;
* adaptive — nothing declared, 'max-concurrent-operations' = 50; target: wall <= 1.30x the
  ideal, < 5% of requests answered 429, no failed row;
* fixed C  — the same with the rate controller taken out (as qsql paced requests before it had one): C = 50
  requests in flight, each 429 retried with exponential backoff.

The ideal is N / limit (requests) or N x tokens-per-row / limit (tokens). The stub runs in its own
process; "429s" counts the requests it refused, from qsql's side (every retry here follows a 429).

**Time scale.** At 600 requests/minute, 2,000 rows take 200 s per run. ``--time-scale S`` makes
the stub's minute last 60/S seconds and gives qsql a clock that runs S times faster (its
"minute" is the stub's, its waits are S times shorter), so a run takes 1/S of the time. Model
latency stays real, i.e. looks S times longer to both sides: the scaled run is the same
experiment as a real-time run with S times the latency. Figures are reported in scaled seconds.

    python bench/ratelimit_bench.py                    # 2,000 rows, 600 RPM and 12,000 TPM, scale 10
    python bench/ratelimit_bench.py --time-scale 1     # real time (about 20 minutes)
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

from qsql.session import Session
from qsql.stub import RateLimits


class ScaledClock:
    """qsql's clock running ``scale`` times faster than the wall."""

    def __init__(self, scale: float) -> None:
        self.scale = scale

    def monotonic(self) -> float:
        return time.monotonic() * self.scale

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.scale)


@dataclass
class Run:
    mode: str
    wall: float  # scaled seconds
    requests: int
    throttled: int
    failed: int
    note: str


WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa".split()


def row_text(i: int) -> str:
    return f"row {i} " + " ".join(WORDS[(i + k) % len(WORDS)] for k in range(8))


def tokens_per_row() -> int:
    # The stub's usage: words of system prompt + user text, plus the reply "[stub] <text>".
    system = len("You are a helpful assistant.".split())
    user = len(row_text(0).split())
    return system + user + (user + 1)


def start_stub(limits: RateLimits, latency: float) -> tuple[subprocess.Popen, str]:
    """The stub in its own process, as a real service would be (and on the other core)."""
    command = [
        sys.executable,
        "-m",
        "qsql",
        "stub",
        "--port",
        "0",
        "--latency-ms",
        str(latency * 1000),
        "--minute-seconds",
        str(limits.minute),
    ]
    if limits.requests_per_minute:
        command += ["--requests-per-minute", str(limits.requests_per_minute)]
    if limits.tokens_per_minute:
        command += ["--tokens-per-minute", str(limits.tokens_per_minute)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()  # type: ignore[union-attr]
    if not line.startswith("LISTENING "):
        process.kill()
        raise SystemExit(f"stub did not start: {line!r}")
    return process, f"http://127.0.0.1:{int(line.split()[1])}/v1"


def run_case(mode: str, limits: RateLimits, rows: int, latency: float, scale: float, declare: str) -> Run:
    process, base_url = start_stub(limits, latency)
    try:
        clock = ScaledClock(scale)
        err = io.StringIO()
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "rows.csv")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write("".join(f"{i},{row_text(i)}\n" for i in range(rows)))
            with Session(out=io.StringIO(), err=err, env={"K": "k"}, clock=clock) as session:
                if mode == "fixed C":
                    session.disable_rate_control()
                extra = f", {declare}" if mode == "declared" else ""
                setup = (
                    "SET 'qsql.cache' = 'off';"
                    "CREATE MODEL m INPUT (input STRING) OUTPUT (content STRING) WITH ('provider' = 'openai', "
                    f"'endpoint' = '{base_url}', 'api-key' = '${{K}}', 'model' = 'qwen-plus'{extra});"
                    f"CREATE TABLE t (id INT, txt STRING) WITH ('connector' = 'filesystem', 'path' = '{path}', 'format' = 'csv');"
                    "CREATE TABLE sink (id INT, txt STRING, content STRING) WITH ('connector' = 'blackhole');"
                )
                list(session.execute(setup))
                started = clock.monotonic()
                (result,) = session.execute(
                    "INSERT INTO sink SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(txt), "
                    "MAP['max-concurrent-operations', '50'])"
                )
                wall = clock.monotonic() - started
    finally:
        process.terminate()
        process.wait(10)
    stats = result.predict[0]  # type: ignore[union-attr]
    note = "; ".join(getattr(stats, "notes", []) or [])
    # Every retry here follows a 429 (the stub injects nothing else), as does a failed row's last try.
    throttled = stats.retries + stats.failed_rows
    return Run(mode, wall, stats.requests, throttled, stats.failed_rows, note)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--rpm", type=int, default=600)
    parser.add_argument("--tpm", type=int, default=12_000)
    parser.add_argument("--latency-ms", type=float, default=20.0, help="real model latency (default 20 ms)")
    parser.add_argument("--time-scale", type=float, default=10.0)
    parser.add_argument("--cases", nargs="*", default=["rpm", "tpm"], choices=["rpm", "tpm"])
    parser.add_argument("--modes", nargs="*", default=["declared", "adaptive", "fixed C"])
    args = parser.parse_args()
    scale = args.time_scale
    per_row = tokens_per_row()
    print(
        f"{args.rows} rows, {per_row} tokens a row, model latency {args.latency_ms:g} ms real "
        f"({args.latency_ms * scale:g} ms scaled), time scale {scale:g} (stub minute = {60 / scale:g} s)"
    )
    missed = False
    for case in args.cases:
        if case == "rpm":
            limits = RateLimits(requests_per_minute=args.rpm, minute=60 / scale)
            ideal = args.rows / args.rpm * 60
            declare = f"'requests-per-minute' = '{args.rpm}'"
            title = f"{args.rpm} requests/minute"
        else:
            limits = RateLimits(tokens_per_minute=args.tpm, minute=60 / scale)
            ideal = args.rows * per_row / args.tpm * 60
            declare = f"'tokens-per-minute' = '{args.tpm}'"
            title = f"{args.tpm} tokens/minute"
        print(f"\n{title}: ideal {ideal:.1f} s")
        header = (
            f"{'mode':<9} {'wall s':>8} {'x ideal':>8} {'requests':>9} {'429s':>6} {'429 %':>6} {'failed':>7}  verdict"
        )
        print(header)
        print("-" * len(header))
        for mode in args.modes:
            run = run_case(mode, limits, args.rows, args.latency_ms / 1000, scale, declare)
            ratio = run.wall / ideal
            share = 100 * run.throttled / max(run.requests, 1)
            verdict = ""
            if mode == "declared":
                ok = ratio <= 1.10 and run.throttled == 0 and run.failed == 0
                verdict = "ok" if ok else "MISS (target <= 1.10x, 0 429s)"
            elif mode == "adaptive":
                ok = ratio <= 1.30 and share < 5 and run.failed == 0
                verdict = "ok" if ok else "MISS (target <= 1.30x, < 5% 429s, 0 failed)"
            else:
                ok = True
                verdict = "(today's behaviour, for comparison)"
            missed |= not ok
            print(
                f"{mode:<9} {run.wall:>8.1f} {ratio:>8.2f} {run.requests:>9} {run.throttled:>6} {share:>6.1f} "
                f"{run.failed:>7}  {verdict}"
            )
            if run.note:
                print(f"          summary: {run.note}")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
