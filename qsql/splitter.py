"""Lexical scan of SQL text that knows strings, quoted names and comments, and nothing else.

The shell uses it to decide whether Enter should run the buffer (it ends with a ';' that is
not inside a string or comment) or insert a newline; the parser uses it to report an
unclosed quote or comment where it opens rather than where the text runs out.
"""

from __future__ import annotations


def _scan(text: str) -> tuple[list[int], tuple[str, int] | None]:
    """Offsets of the characters outside strings, quoted names and comments, and the first
    opening that is never closed (as (opening, offset)), if any."""
    code: list[int] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "'`":
            end = text.find(c, i + 1)
            while end != -1 and end + 1 < n and text[end + 1] == c:
                end = text.find(c, end + 2)
            if end == -1:
                return code, (c, i)
            i = end + 1
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end == -1 else end + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end == -1:
                return code, ("/*", i)
            i = end + 2
        else:
            code.append(i)
            i += 1
    return code, None


def find_unclosed(text: str) -> tuple[str, int] | None:
    """The first string (``'``), quoted name (`````) or block comment (``/*``) that is never
    closed, as (its opening, its offset); None when everything is closed."""
    return _scan(text)[1]


def is_complete(text: str) -> bool:
    """True when the last character outside strings and comments that is not whitespace is a
    ';' and nothing is left open."""
    code, unclosed = _scan(text)
    if unclosed is not None:
        return False
    last = next((i for i in reversed(code) if not text[i].isspace()), None)
    return last is not None and text[last] == ";"
