"""When the shell's Enter runs the buffer: a top-level ';' ends it, strings and comments don't."""

from __future__ import annotations

import pytest

from qsql.splitter import find_unclosed, is_complete


@pytest.mark.parametrize(
    "text, complete",
    [
        ("SELECT 1;", True),
        ("SELECT 1; -- done", True),
        ("SELECT 1; /* done */  ", True),
        ("SELECT 1", False),
        ("SELECT 'a;'", False),
        ("SELECT 'it''s';", True),
        ("SELECT 1 -- ;", False),
        ("SELECT /* ; */ 1", False),
        ("SELECT `a;b`;", True),
        ("SELECT 1; SELECT", False),
        ("SELECT 'open;", False),
        ("", False),
    ],
)
def test_is_complete(text: str, complete: bool) -> None:
    assert is_complete(text) is complete


def test_find_unclosed() -> None:
    assert find_unclosed("SELECT 'a', 'b") == ("'", 12)
    assert find_unclosed("SELECT 1 /* x") == ("/*", 9)
    assert find_unclosed("SELECT `a") == ("`", 7)
    assert find_unclosed("SELECT 'a' -- 'b") is None
