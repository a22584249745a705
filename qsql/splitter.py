"""Lexical scan of SQL text that knows strings, quoted names and comments, and nothing else.

The shell uses it to decide whether Enter should run the buffer (it ends with a ';' that is
not inside a string or comment) or insert a newline; the parser uses it to report an
unclosed quote or comment where it opens rather than where the text runs out; secret
masking uses its tokens to find the value after an 'api-key' key, across newlines and
comments. It never fails, whatever the text: it is also what runs on text that does not parse.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

CODE = "code"
_SPECIALS = re.compile(r"['`]|--|/\*")
_SPECIALS_WITH_DOUBLE_QUOTES = re.compile(r"['`\"]|--|/\*")


class LexicalToken(NamedTuple):
    """A run of code, a string (``'``), a double-quoted text (``"``), a quoted name (`````)
    or a comment (``--``, ``/*``), as offsets [start, end); ``closed`` is False only for the
    last token, when it is a quote or block comment that the text never closes."""

    kind: str
    start: int
    end: int
    closed: bool = True


def lexical_tokens(text: str, double_quotes: bool = False) -> Iterator[LexicalToken]:
    """The text as tokens in order; everything outside quotes and comments is ``code`` runs.
    With ``double_quotes`` a ``"...\"`` text is a token too (not Flink SQL, but what a user
    may type where a string belongs)."""
    specials = _SPECIALS_WITH_DOUBLE_QUOTES if double_quotes else _SPECIALS
    i, n = 0, len(text)
    while i < n:
        match = specials.search(text, i)
        if match is None:
            yield LexicalToken(CODE, i, n)
            return
        start = match.start()
        if start > i:
            yield LexicalToken(CODE, i, start)
        opening = match.group()
        if opening == "--":
            end = text.find("\n", start)
            i = n if end == -1 else end + 1
        elif opening == "/*":
            end = text.find("*/", start + 2)
            if end == -1:
                yield LexicalToken(opening, start, n, closed=False)
                return
            i = end + 2
        else:
            end = text.find(opening, start + 1)
            while end != -1 and end + 1 < n and text[end + 1] == opening:
                end = text.find(opening, end + 2)
            if end == -1:
                yield LexicalToken(opening, start, n, closed=False)
                return
            i = end + 1
        yield LexicalToken(opening, start, i)


def find_unclosed(text: str) -> tuple[str, int] | None:
    """The first string (``'``), quoted name (`````) or block comment (``/*``) that is never
    closed, as (its opening, its offset); None when everything is closed."""
    for token in lexical_tokens(text):
        if not token.closed:
            return token.kind, token.start
    return None


def is_complete(text: str) -> bool:
    """True when the last character outside strings and comments that is not whitespace is a
    ';' and nothing is left open."""
    last = ""
    for token in lexical_tokens(text):
        if not token.closed:
            return False
        if token.kind == CODE:
            stripped = text[token.start : token.end].rstrip()
            if stripped:
                last = stripped[-1]
        elif token.kind in ("'", "`"):
            last = token.kind
    return last == ";"
