"""Time and peak memory of parsing one huge token: a 20 MB string literal, an unterminated
one, a 20 MB block comment and a 20 MB quoted identifier.

    python bench/huge_input_bench.py            # 20 MB each; prints seconds and peak RSS
    python bench/huge_input_bench.py --mb 5     # smaller

Each case runs in a fresh child process, so its peak resident set size (ru_maxrss) is its
own. The target: a 20 MB literal parses in under 2 s and under 300 MB peak RSS;
the script exits 1 when a case misses it. Errors count as parsed when they are the clean
QsqlError the user would see (the unterminated case), and the rendered error is measured
too, since echoing a 20 MB line is what used to print 40 MB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CASES = {
    "string literal": "SELECT '{body}';",
    "unterminated string": "SELECT '{body};",
    "block comment": "/* {body} */ SELECT 1;",
    "quoted identifier": "SELECT 1 AS `{body}`;",
    "literal with doubled quotes": "SELECT '{quoted}';",
}

CHILD = r"""
import json, resource, sys, time
from qsql.errors import QsqlError, render_error
from qsql.parser import build_parser, parse
build_parser()
template, size = sys.argv[1], int(sys.argv[2])
body = "x" * size
quoted = ("abc''" * (size // 5 + 1))[:size].rstrip("'") if "{quoted}" in template else ""
text = template.replace("{body}", body).replace("{quoted}", quoted)
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
outcome, shown = "parsed", 0
try:
    parse(text, "bench.sql")
except QsqlError as error:
    outcome, shown = "clean error", len(render_error(error))
elapsed = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "outcome": outcome, "error_chars": shown, "peak_mb": peak_mb,
                  "baseline_mb": baseline / 1024}))
"""


def run_case(template: str, size: int) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, template, str(size)], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        return {
            "seconds": float("nan"),
            "outcome": "crashed: " + completed.stderr.strip().splitlines()[-1],
            "error_chars": 0,
            "peak_mb": float("nan"),
            "baseline_mb": 0,
        }
    return json.loads(completed.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20.0, help="size of the huge token in MB (default 20)")
    args = parser.parse_args()
    size = int(args.mb * 1_000_000)
    print(f"one {args.mb:g} MB token, parsed in a fresh process (target: < 2 s, < 300 MB peak RSS)")
    failed = False
    for name, template in CASES.items():
        figures = run_case(template, size)
        ok = figures["seconds"] < 2.0 and figures["peak_mb"] < 300
        failed |= not ok
        extra = f", error message {figures['error_chars']} chars" if figures["error_chars"] else ""
        print(
            f"  {name:30s} {figures['seconds']:6.2f} s  peak RSS {figures['peak_mb']:6.1f} MB "
            f"(before parsing {figures['baseline_mb']:5.1f} MB)  "
            f"{figures['outcome']}{extra}  {'ok' if ok else 'MISSES TARGET'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
