"""Flink's SQL-client test files (``*.q``), read and replayed through a qsql session.

A .q file is a sequence of blocks: a statement ending in ';', the SQL client's output, then
``!ok`` (a table or "Empty set"), ``!info`` (a status line) or ``!error``. Lines starting
with '#' between blocks are comments. A comment ``# qsql-differs: <reason>`` marks the next
statement as one whose qsql output is known to differ from Flink's (see README.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qsql.errors import QsqlError
from qsql.render import tableau
from qsql.session import QueryResult, Session, TextResult
from qsql.settings import max_column_width

DIFFERS = "# qsql-differs:"


@dataclass
class Block:
    file: str
    line: int
    statement: str
    expected: str
    kind: str  # "ok" | "info" | "error"
    differs: str | None = None  # the reason, when qsql is known to print something else

    @property
    def label(self) -> str:
        return f"{self.file}:{self.line}"


def read_blocks(path: Path, variables: dict[str, str]) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    for name, value in variables.items():
        text = text.replace(name, value)
    blocks: list[Block] = []
    statement: list[str] = []
    output: list[str] = []
    differs: str | None = None
    start = 0
    in_output = False
    for number, line in enumerate(text.split("\n"), 1):
        if not in_output:
            if not statement and line.startswith(DIFFERS):
                differs = line[len(DIFFERS) :].strip()
                continue
            if not statement and (line.startswith("#") or not line.strip()):
                continue
            if not statement:
                start = number
            statement.append(line)
            if line.rstrip().endswith(";"):
                in_output = True
            continue
        if line.startswith("!"):
            kind = line[1:].strip()
            blocks.append(Block(path.name, start, "\n".join(statement), "\n".join(output), kind, differs))
            statement, output, differs, in_output = [], [], None, False
            continue
        output.append(line)
    return blocks


@dataclass
class Outcome:
    matches: bool
    actual: str


def replay(session: Session, block: Block) -> Outcome:
    """Run one statement; does qsql give Flink's result?

    ``!ok``: the printed table (or SHOW CREATE text) must equal Flink's character for
    character. ``!info``: the statement must succeed (qsql's status lines are its own).
    ``!error``: the statement must fail.
    """
    try:
        results = list(session.execute(block.statement, block.label))
    except QsqlError as error:
        return Outcome(block.kind == "error", f"error: {error.message}")
    if block.kind == "error":
        return Outcome(False, "succeeded")
    if block.kind == "info":
        return Outcome(True, "succeeded")
    if not results:
        return Outcome(False, "no result")
    result = results[-1]
    if isinstance(result, QueryResult):
        width = max_column_width(session.settings)
        actual = tableau(result, width)
        return Outcome(actual == block.expected, actual)
    if isinstance(result, TextResult):
        actual = result.text
        return Outcome(actual.rstrip("\n") == _single_cell(block.expected).rstrip("\n"), actual)
    return Outcome(False, repr(result))


def _single_cell(table: str) -> str:
    """The text of a one-cell ``result`` table (how the SQL client prints SHOW CREATE)."""
    lines = table.split("\n")
    if len(lines) < 6 or not lines[0].startswith("+"):
        return table
    body = lines[3:-2]  # between the header's border and the closing border, before "1 row in set"
    text = "\n".join(body)
    if text.startswith("| "):
        text = text[2:]
    if text.endswith(" |"):
        text = text[:-2]
    return text
