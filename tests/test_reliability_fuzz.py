"""A bounded, seeded fuzzer: mutated sample and test scripts must only ever fail
with a QsqlError — never another exception, which the CLI would show as "internal error".

The corpus is frozen in tests/fuzz_corpus.json (samples/*.sql and the SQL string constants of
the tests as they were when it was generated; see tests/fuzz_corpus.py), so adding a test never
changes which cases a seed runs. Each case mutates
one script (token edits, random characters, unicode, huge literals, deep nesting), parses
it, and runs it in a fresh session whose models all answer from the loopback stub, with the
working directory a temporary one. A case has a budget of CPU time (SIGPROF, so a busy machine
does not change which cases run out) and a generous one of wall time (SIGALRM, for a case that
waits rather than computes); one that runs out is
counted, not failed (a mutation may legitimately ask datagen for a billion rows).

    pytest -m reliability -k fuzz -s                         # prints the counts
    QSQL_FUZZ_CASES=20000 QSQL_FUZZ_SEED=7 pytest -k fuzz -s # a longer run, another seed
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from qsql.errors import QsqlError, render_error
from qsql.parser import build_parser
from qsql.session import Session
from qsql.stub import StubServer
from tests import fuzz_corpus

pytestmark = pytest.mark.reliability

ROOT = fuzz_corpus.ROOT
CASES = int(os.environ.get("QSQL_FUZZ_CASES", "3000"))
SEED = int(os.environ.get("QSQL_FUZZ_SEED", "20261130"))
CASE_CPU_SECONDS = 2
CASE_WALL_SECONDS = 30

_TOKEN = re.compile(r"'(?:[^']|'')*'?|`[^`]*`?|--[^\n]*|/\*.*?\*/|\d+(?:\.\d*)?|\w+|\s+|.", re.S)
# A path the case could write outside its temporary directory.
_UNSAFE_PATH = re.compile(r"'\s*(?:/|~|[A-Za-z]:)|\.\.")

VOCABULARY = [
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP",
    "BY",
    "ORDER",
    "LIMIT",
    "AS",
    "CAST",
    "(",
    ")",
    ",",
    ";",
    "'",
    "`",
    "NULL",
    "TRUE",
    "ML_PREDICT",
    "TABLE",
    "MODEL",
    "DESCRIPTOR",
    "MAP",
    "ARRAY",
    "[",
    "]",
    "=",
    "=>",
    "*",
    "||",
    "+",
    "-",
    "/",
    "%",
    "CASE",
    "WHEN",
    "THEN",
    "END",
    "JOIN",
    "ON",
    "UNION",
    "ALL",
    "INSERT",
    "INTO",
    "OVERWRITE",
    "VALUES",
    "CREATE",
    "TEMPORARY",
    "VIEW",
    "WITH",
    "DECIMAL(38, 10)",
    "TIMESTAMP(3)",
    "INT",
    "STRING",
    "ARRAY<STRING>",
    "MAP<STRING, INT>",
    "0",
    "-1",
    "2147483648",
    "1e308",
    "1e-400",
    "'x'",
    "''",
    "DATE '2026-02-30'",
    "TIMESTAMP '9999-12-31 23:59:59.999'",
    "INTERVAL",
    "IS",
    "NOT",
    "DISTINCT",
    "COUNT(*)",
    "SUM",
    "AVG",
    "SUBSTRING",
    "/*",
    "*/",
    "--",
    "\n",
    "EXPLAIN",
    "SHOW",
    "DESCRIBE",
    "SET",
    "'qsql.cache'",
]
UNICODE = [
    "\u00e9",
    "\u6f22",
    "\U0001f600",
    "\u202e",
    "\u0301",
    "\u2028",
    "\ufeff",
    "\x00",
    "\x1b[31m",
    "\ud800",
    "\uffff",
    "\t",
    "\r",
    "\x0c",
    "\u3000",
    "\uff07",
    "\uff1b",
]


def _corpus() -> list[str]:
    return fuzz_corpus.load()


# ------------------------------------------------------------------ mutations


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text) or [text]


def token_edit(rng: random.Random, text: str) -> str:
    tokens = _tokens(text)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(tokens))
        action = rng.randrange(4)
        if action == 0 and len(tokens) > 1:
            del tokens[i]
        elif action == 1:
            tokens.insert(i, tokens[rng.randrange(len(tokens))])
        elif action == 2:
            j = rng.randrange(len(tokens))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        else:
            tokens[i] = rng.choice(VOCABULARY) if rng.random() < 0.8 else f" {rng.choice(VOCABULARY)} "
    return "".join(tokens)


def random_characters(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 8)):
        position = rng.randrange(len(chars) + 1)
        if rng.random() < 0.5 and chars:
            del chars[min(position, len(chars) - 1)]
        else:
            chars.insert(position, chr(rng.choice([rng.randrange(0, 128), rng.randrange(128, 0x3000)])))
    return "".join(chars)


def unicode_insert(rng: random.Random, text: str) -> str:
    tokens = _tokens(text)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(tokens))
        tokens[i] = tokens[i][: len(tokens[i]) // 2] + rng.choice(UNICODE) + tokens[i][len(tokens[i]) // 2 :]
    return "".join(tokens)


def huge_literal(rng: random.Random, text: str) -> str:
    tokens = _tokens(text)
    candidates = [i for i, t in enumerate(tokens) if t[:1].isdigit() or t[:1] in "'`" or t[:1].isalpha()]
    i = rng.choice(candidates) if candidates else rng.randrange(len(tokens))
    size = rng.choice([4301, 5000, 50_000, 200_000])  # test_reliability_inputs parses 1 MB tokens
    token = tokens[i]
    if token[:1].isdigit():
        tokens[i] = rng.choice("123456789") * size + rng.choice(["", ".5", "e3"])
    elif token[:1] == "'":
        tokens[i] = "'" + "x''" * (size // 3) + ("'" if rng.random() < 0.8 else "")
    elif token[:1] == "`":
        tokens[i] = "`" + "n" * size + "`"
    else:
        tokens[i] = "a" * size
    return "".join(tokens)


def deep_nesting(rng: random.Random, text: str) -> str:
    depth = rng.choice([30, 100, 300, 1500])
    shape = rng.randrange(5)
    if shape == 0:
        expression = "(" * depth + "1" + ")" * depth
    elif shape == 1:
        expression = "CAST(" * depth + "1" + " AS INT)" * depth
    elif shape == 2:
        expression = "ARRAY[" * depth + "1" + "]" * depth
    elif shape == 3:
        expression = "-" * depth + "1"
    else:
        expression = "1" + " + 1" * depth
    if rng.random() < 0.5:
        return f"SELECT {expression};"
    if rng.random() < 0.5:
        return "SELECT * FROM " + "(SELECT * FROM " * depth + "(VALUES (1)) AS t" + ") AS t" * depth + ";"
    tokens = _tokens(text)
    tokens.insert(rng.randrange(len(tokens) + 1), expression)
    return "".join(tokens)


MUTATIONS: dict[str, Callable[[random.Random, str], str]] = {
    "token-edit": token_edit,
    "random-characters": random_characters,
    "unicode": unicode_insert,
    "huge-literal": huge_literal,
    "deep-nesting": deep_nesting,
}


# ------------------------------------------------------------------ running


class CaseTimeout(BaseException):
    """A case ran past its budget (not a qsql failure; counted apart)."""


@dataclass
class Outcome:
    counts: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def _on_alarm(signum: int, frame: object) -> None:
    raise CaseTimeout


def _start_budget() -> None:
    signal.setitimer(signal.ITIMER_PROF, CASE_CPU_SECONDS)
    signal.setitimer(signal.ITIMER_REAL, CASE_WALL_SECONDS)


def _stop_budget() -> None:
    signal.setitimer(signal.ITIMER_PROF, 0)
    signal.setitimer(signal.ITIMER_REAL, 0)


def _run_case(text: str, stub_url: str) -> str:
    """'ok', 'qsql-error', 'timeout' or 'skipped'; any other exception propagates."""
    if _UNSAFE_PATH.search(text):
        text_to_run = None  # parse only: it could write outside the temporary directory
    else:
        text_to_run = text
    session = Session(env={}, stub_base_url=stub_url, out=_Sink(), err=_Sink())
    _start_budget()
    try:
        if text_to_run is None:
            from qsql.parser import parse

            parse(text, "fuzz.sql")
            return "skipped"
        for _ in session.execute(text_to_run, "fuzz.sql"):
            pass
        return "ok"
    except QsqlError as error:
        _stop_budget()
        render_error(error)  # rendering must not fail either
        return "qsql-error"
    except CaseTimeout:
        return "timeout"
    finally:
        _stop_budget()
        session.close()


class _Sink:
    """stdout/stderr of a case: counted, not kept (a case may print a lot)."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text)
        return len(text)

    def flush(self) -> None:
        pass


# How often each mutation runs: the cheap ones most, the slow ones (a 200 KB token, a
# 1,500-deep expression) enough to matter while the run stays well under two minutes.
WEIGHTS = {"token-edit": 35, "random-characters": 25, "unicode": 20, "huge-literal": 10, "deep-nesting": 10}


def _cases(corpus: list[str], count: int, seed: int) -> Iterator[tuple[int, str, str]]:
    rng = random.Random(seed)
    names = sorted(MUTATIONS)
    weights = [WEIGHTS[name] for name in names]
    for number in range(count):
        kind = rng.choices(names, weights)[0]
        yield number, kind, MUTATIONS[kind](rng, rng.choice(corpus))


def fuzz(count: int, seed: int, stub_url: str) -> Outcome:
    outcome = Outcome()
    corpus = _corpus()
    # Build the parser before any case's timer runs: loading or building its tables can take
    # longer than a case's budget on a busy machine, and a load cut short is not cached, so
    # every case would time out in it.
    build_parser()
    for number, kind, text in _cases(corpus, count, seed):
        try:
            result = _run_case(text, stub_url)
        except Exception as error:  # the failure this test exists to find
            outcome.failures.append(
                f"case {number} ({kind}): {type(error).__name__}: {error}"[:500] + f"\n{text[:300]!r}"
            )
            result = "FAILED"
        outcome.counts[result] += 1
        outcome.counts[f"kind:{kind}"] += 1
    return outcome


@pytest.fixture
def fuzz_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The samples' data beside a scratch directory the cases run in."""
    shutil.copytree(ROOT / "samples", tmp_path / "samples")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_frozen_corpus_is_sql_and_the_cases_are_the_seeds() -> None:
    corpus = _corpus()
    assert len(corpus) > 500 and corpus == sorted(set(corpus))
    assert all(fuzz_corpus._SQL_START.match(script) for script in corpus if not script.startswith("--"))
    # The same seed gives the same cases: a failure is reproducible from the seed and the file.
    first = [text for _, _, text in _cases(corpus, 20, SEED)]
    assert first == [text for _, _, text in _cases(corpus, 20, SEED)]


def test_fuzzed_scripts_fail_only_with_qsql_errors(fuzz_directory: Path) -> None:
    previous_handlers = {signum: signal.signal(signum, _on_alarm) for signum in (signal.SIGALRM, signal.SIGPROF)}
    old_limit = sys.getrecursionlimit()
    try:
        with StubServer() as stub:
            outcome = fuzz(CASES, SEED, stub.base_url)
    finally:
        for signum, handler in previous_handlers.items():
            signal.signal(signum, handler)
        sys.setrecursionlimit(old_limit)
    counts = outcome.counts
    summary = ", ".join(f"{key}: {value}" for key, value in sorted(counts.items()))
    print(f"\nfuzz seed {SEED}: {CASES} cases; {summary}")
    assert sum(v for k, v in counts.items() if not k.startswith("kind:")) == CASES
    # A few cases may run out of time (nested ARRAYs are slow to type); many means the run
    # tested nothing.
    assert counts["timeout"] <= CASES // 50, summary
    assert not outcome.failures, f"{len(outcome.failures)} non-QsqlError failures:\n" + "\n\n".join(
        outcome.failures[:10]
    )
