"""Secrets (API keys) that can be stored and used but never shown.

A key is wrapped in :class:`Secret` as soon as it is read, so a stray ``print``, ``repr``
or f-string shows ``****`` instead of the key. SQL text that is echoed back to the user
(error excerpts, history, SHOW CREATE) goes through :func:`mask_secrets`.
"""

from __future__ import annotations

import re

from .splitter import CODE, lexical_tokens

MASK = "****"

# Option keys whose value is a secret. Hyphen and underscore spellings alike.
SECRET_OPTION_KEYS = frozenset({"api-key", "api_key", "apikey"})

# A value that only names an environment variable holds no secret and is worth showing.
_ENV_REFERENCE_RE = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$")


class Secret:
    """A string that refuses to be displayed; call :meth:`reveal` at the one place that sends it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    def __str__(self) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def shown_option_value(key: str, value: str) -> str:
    """An option's value as it may be displayed: a literal key is masked, ``${VAR}`` is not."""
    if key.lower() in SECRET_OPTION_KEYS and not _ENV_REFERENCE_RE.match(value):
        return MASK
    return value


# What may stand between a key and its value: whitespace, '=' (or ':' and ',' as in a MAP).
_BETWEEN_KEY_AND_VALUE = re.compile(r"[\s=:,]*")
_BARE_VALUE = re.compile(r"[^\s,;()]+")


def secret_spans(sql: str) -> list[tuple[int, int]]:
    """Offsets [start, end) of every secret value in SQL text: the first string after an
    'api-key' option key (single- or double-quoted, or backquoted key), across whitespace,
    comments, newlines and a missing or doubled '='. An unterminated value runs to the end of
    the text, so a partial key is not shown either; an unquoted value is a secret too.
    A value that is only ``${VAR}`` names a variable, holds no secret, and is kept.

    Works from the lexical tokens, not the grammar, so it masks text that does not parse.
    """
    spans: list[tuple[int, int]] = []
    after_key = False
    for token in lexical_tokens(sql, double_quotes=True):
        kind = token.kind
        if kind in ("--", "/*"):
            continue
        if kind == CODE:
            if after_key:
                gap = _BETWEEN_KEY_AND_VALUE.match(sql, token.start, token.end)
                assert gap is not None
                if gap.end() < token.end:
                    bare = _BARE_VALUE.match(sql, gap.end(), token.end)
                    if bare is not None:
                        spans.append((bare.start(), bare.end()))
                    after_key = False
            continue
        body_start = token.start + 1
        body_end = token.end - 1 if token.closed else token.end
        if after_key and kind in ("'", '"'):
            after_key = False
            if not (token.closed and _ENV_REFERENCE_RE.match(sql[body_start:body_end])):
                spans.append((body_start, body_end))
            continue
        after_key = token.closed and sql[body_start:body_end].lower() in SECRET_OPTION_KEYS
    return spans


def mask_secrets(sql: str) -> str:
    """SQL text with every secret value (see :func:`secret_spans`) replaced by ``****``."""
    spans = secret_spans(sql)
    if not spans:
        return sql
    pieces, position = [], 0
    for start, end in spans:
        pieces.append(sql[position:start])
        pieces.append(MASK)
        position = end
    pieces.append(sql[position:])
    return "".join(pieces)


def mask_values(message: str, sql: str) -> str:
    """A message (an error's text or hint) with any secret value of ``sql`` in it masked: a
    syntax error quotes the token it stopped at, which may be the key."""
    for start, end in secret_spans(sql):
        value = sql[start:end]
        for shown in {value, value.replace("''", "'")}:
            if len(shown) >= 4 and shown in message:
                message = message.replace(shown, MASK)
    return message
