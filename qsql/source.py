"""Where a piece of SQL came from, so every error can point back at it."""

from __future__ import annotations

from typing import NamedTuple

from .lazydataclass import lazy_dataclass


class Span(NamedTuple):
    """A region of a source text; lines and columns are 1-based, positions 0-based offsets.
    A NamedTuple, not a dataclass: the parser makes one per token and node, so it must be cheap."""

    line: int
    column: int
    end_line: int
    end_column: int
    start_pos: int
    end_pos: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


@lazy_dataclass(frozen=True)
class Source:
    """A named SQL text: a file path, ``<stdin>``, ``<command line>`` or ``<shell>``."""

    name: str
    text: str

    def line_text(self, line: int) -> str:
        lines = self.text.splitlines()
        if 1 <= line <= len(lines):
            return lines[line - 1]
        return ""
