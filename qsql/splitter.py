"""Lexical scan of SQL text that knows strings, quoted names and comments, and nothing else.

The shell uses it to decide whether Enter should run the buffer (it ends with a ';' that is
not inside a string or comment) or insert a newline.
"""

from __future__ import annotations


def find_unclosed(text: str) -> tuple[str, int] | None:
    """The first string (``'``), quoted name (`````) or block comment (``/*``) that is never
    closed, as (its opening, its offset); None when everything is closed."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "'`":
            end = text.find(c, i + 1)
            while end != -1 and end + 1 < n and text[end + 1] == c:
                end = text.find(c, end + 2)
            if end == -1:
                return c, i
            i = end + 1
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end == -1 else end + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end == -1:
                return "/*", i
            i = end + 2
        else:
            i += 1
    return None


def split_statements(text: str) -> tuple[list[str], str]:
    """Split ``text`` at top-level ';'. Returns the complete statements (without their ';')
    and the unfinished rest."""
    statements: list[str] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "'" or c == "`":
            end = text.find(c, i + 1)
            while end != -1 and end + 1 < n and text[end + 1] == c:
                end = text.find(c, end + 2)
            if end == -1:
                return statements, text[start:]
            i = end + 1
            continue
        if text.startswith("--", i):
            end = text.find("\n", i)
            if end == -1:
                return statements, text[start:]
            i = end + 1
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end == -1:
                return statements, text[start:]
            i = end + 2
            continue
        if c == ";":
            statements.append(text[start:i])
            start = i + 1
        i += 1
    return statements, text[start:]


def is_complete(text: str) -> bool:
    """True when the text holds at least one statement and nothing but whitespace or
    comments follows its last top-level ';'."""
    statements, rest = split_statements(text)
    return bool(statements) and not _strip_comments(rest).strip()


def _strip_comments(text: str) -> str:
    out = []
    i = 0
    while i < len(text):
        if text.startswith("--", i):
            end = text.find("\n", i)
            i = len(text) if end == -1 else end + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end == -1:
                return text[i:]
            i = end + 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)
