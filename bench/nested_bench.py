"""Nested expressions: plan-and-run time of ARRAY[ARRAY[...]] by depth, to show it grows linearly.

    python bench/nested_bench.py   # prints seconds per depth and the time per level

Each depth runs in a fresh session after one warm-up statement (the parser is built once). Before
the fix, type checks hashed and compared the nested type all the way down at every level and each
level converted its whole inner array again: 0.9 s at depth 160, over 5 s at 300. Depths beyond what
Python's stack allows fail cleanly with "statement nested too deeply".
"""

from __future__ import annotations

import io
import time

from qsql.errors import QsqlError
from qsql.session import Session


def run(depth: int) -> float | None:
    sql = "SELECT " + "ARRAY[" * depth + "1" + "]" * depth
    session = Session(out=io.StringIO(), err=io.StringIO(), env={})
    started = time.perf_counter()
    try:
        list(session.execute(sql))
    except QsqlError:
        return None
    finally:
        session.close()
    return time.perf_counter() - started


def main() -> None:
    run(1)  # build the parser
    for depth in (50, 100, 150, 200, 250, 300):
        seconds = run(depth)
        if seconds is None:
            print(f"depth {depth:4}: statement nested too deeply")
        else:
            print(f"depth {depth:4}: {seconds:6.3f} s  ({seconds / depth * 1000:.2f} ms per level)")


if __name__ == "__main__":
    main()
