"""Wall time of the same script on qsql and on Flink (local mini-cluster), both against the stub.

    python bench/flink_vs_qsql.py [FILE ...]      (default: samples/desensitize.sql samples/reviews.sql)

Needs the flink extra and a JDK (it compiles the tests' stand-in model provider). Each engine runs
the real ``qsql`` command in a fresh process, so Flink's figure includes starting its JVM and
mini-cluster; the line after it says how long the job itself took (from qsql's [INFO] lines).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.flink.support import build_provider_jar, skip_reason  # noqa: E402


def timed(argv: list[str], cwd: Path) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "qsql", *argv], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr}")
    return time.monotonic() - started, done.stderr


def main() -> None:
    reason = skip_reason()
    if reason:
        raise SystemExit(reason)
    files = sys.argv[1:] or ["samples/desensitize.sql", "samples/reviews.sql"]
    with tempfile.TemporaryDirectory() as work:
        jar = build_provider_jar(Path(work) / "jar")
        for name in files:
            # Each engine in its own copy of samples/ (relative paths; Flink writes directories).
            places = [Path(work) / engine for engine in ("qsql", "flink")]
            for place in places:
                shutil.rmtree(place, ignore_errors=True)
                shutil.copytree(ROOT / "samples", place / "samples", ignore=shutil.ignore_patterns("out"))
            script = str((ROOT / name).resolve())
            qsql_time, _ = timed(["run", "--stub", "-q", script], places[0])
            flink_time, err = timed(["run", "--engine", "flink", "--stub", "--flink-jar", str(jar), script], places[1])
            jobs = sum(float(s) for s in re.findall(r"\] Job \S+ (?:\(query\) )?finished in ([\d.]+)s", err))
            ready = re.search(r"ready in ([\d.]+)s", err)
            print(
                f"{name}: qsql {qsql_time:.2f}s | flink {flink_time:.2f}s "
                f"(JVM + environment {ready.group(1) if ready else '?'}s, jobs {jobs:.2f}s)"
            )


if __name__ == "__main__":
    main()
