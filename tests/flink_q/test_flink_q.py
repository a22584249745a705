"""Flink's own SQL-client tests, adapted (see README.md), replayed through one qsql session per
file. A statement not marked ``# qsql-differs`` must give Flink's result; a marked one must still
differ, so a fix shows up as a failing test that asks for the mark to go."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from qsql.session import Session

from .qfile import Block, read_blocks, replay

HERE = Path(__file__).parent
FILES = sorted(HERE.glob("*.q"))


def _variables(tmp: Path) -> dict[str, str]:
    return {"$VAR_BATCH_PATH": str(tmp / "batch"), "$VAR_STREAMING_PATH": str(tmp / "streaming")}


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_q_file(path: Path, tmp_path: Path) -> None:
    session = Session(out=io.StringIO(), err=io.StringIO(), env={})
    problems: list[str] = []
    try:
        for block in read_blocks(path, _variables(tmp_path)):
            outcome = replay(session, block)
            if block.differs is None and not outcome.matches:
                problems.append(
                    f"{block.label}: {block.statement.splitlines()[0]}\n{outcome.actual}\n--- Flink:\n{block.expected}"
                )
            if block.differs is not None and outcome.matches:
                problems.append(f"{block.label}: now matches Flink; remove its '# qsql-differs' mark")
    finally:
        session.close()
    assert not problems, "\n\n".join(problems)


def test_match_count(tmp_path: Path) -> None:
    """The figure the README reports: statements giving Flink's result, of all adapted ones."""
    blocks: list[Block] = [b for path in FILES for b in read_blocks(path, _variables(tmp_path))]
    matching = sum(1 for b in blocks if b.differs is None)
    assert (matching, len(blocks)) == (100, 100)
