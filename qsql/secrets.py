"""Secrets (API keys) that can be stored and used but never shown.

A key is wrapped in :class:`Secret` as soon as it is read, so a stray ``print``, ``repr``
or f-string shows ``****`` instead of the key. SQL text that is echoed back to the user
(error excerpts, history, SHOW CREATE) goes through :func:`mask_secrets`.
"""

from __future__ import annotations

import re

MASK = "****"

# Option keys whose value is a secret. Hyphen and underscore spellings alike.
SECRET_OPTION_KEYS = frozenset({"api-key", "api_key", "apikey"})

_SECRET_OPTION_RE = re.compile(
    r"""('(?:api[-_]?key)'\s*=\s*)'((?:[^']|'')*)('?)""",
    re.IGNORECASE,
)
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


def mask_secrets(sql: str) -> str:
    """Replace the literal value of every ``'api-key' = '...'`` option in SQL text with ``****``.

    An unterminated value (a line cut in the middle of the literal) is masked to the end of
    the text, so a partial key is not shown either. A value that is only ``${VAR}`` stays.
    """

    def replace(match: re.Match[str]) -> str:
        if match.group(3) and _ENV_REFERENCE_RE.match(match.group(2)):
            return match.group(0)
        return f"{match.group(1)}'{MASK}'"

    return _SECRET_OPTION_RE.sub(replace, sql)
