"""The fuzzer's frozen corpus: the scripts ``tests/test_reliability_fuzz.py`` mutates.

The corpus used to be collected at every run from samples/*.sql and every SQL string constant
in tests/test_*.py, so adding or moving an unrelated test changed the fuzz cases (same seed,
different scripts) and could turn the fuzzer red in a commit that never touched what failed.
Now the collection runs once, by hand, and its result is checked in as ``fuzz_corpus.json``
(one script per line, sorted): a fuzz failure always names a case that is reproducible from
the seed and this file alone.

Regenerate it deliberately (say so in the commit: every case of the seed changes):

    .venv/bin/python -m tests.fuzz_corpus            # rewrites tests/fuzz_corpus.json
    .venv/bin/python -m tests.fuzz_corpus --check    # exit 1 if the tests' SQL has drifted from it
"""

from __future__ import annotations

import ast as python_ast
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS_FILE = Path(__file__).resolve().parent / "fuzz_corpus.json"

_SQL_START = re.compile(
    r"^\s*(SELECT|CREATE|INSERT|VALUES|SET|RESET|SHOW|DESCRIBE|DESC|EXPLAIN|DROP|ALTER|EXECUTE|BEGIN|WITH)\b", re.I
)


def collect() -> list[str]:
    """samples/*.sql plus every SQL-looking string constant (8 to 4,000 characters) in
    tests/test_*.py, without the stub's delay markers (a case would only wait)."""
    scripts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "samples").glob("*.sql"))]
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        tree = python_ast.parse(path.read_text(encoding="utf-8"))
        for node in python_ast.walk(tree):
            if isinstance(node, python_ast.Constant) and isinstance(node.value, str):
                text = node.value
                if 8 <= len(text) <= 4000 and _SQL_START.match(text) and "[[stub:delay" not in text:
                    scripts.append(text)
    return sorted(set(scripts))


def load() -> list[str]:
    """The checked-in corpus."""
    return json.loads(CORPUS_FILE.read_text(encoding="utf-8"))


def _dump(scripts: list[str]) -> str:
    # One JSON string per line (ASCII-escaped, so odd characters survive every editor): a
    # regeneration diffs as the scripts added and removed.
    return "[\n" + ",\n".join(json.dumps(script, ensure_ascii=True) for script in scripts) + "\n]\n"


def main(argv: list[str]) -> int:
    scripts = collect()
    if "--check" in argv:
        frozen = set(load())
        added, removed = len(set(scripts) - frozen), len(frozen - set(scripts))
        print(f"{CORPUS_FILE.name}: {len(frozen)} scripts; the tests' SQL today adds {added}, drops {removed}")
        return 1 if added or removed else 0
    CORPUS_FILE.write_text(_dump(scripts), encoding="utf-8")
    print(f"wrote {len(scripts)} scripts to {CORPUS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
