"""Highlighting: pygments' SQL lexer, plus every keyword of qsql's grammar (ML_PREDICT,
DESCRIPTOR, MODEL, ILIKE ...), which a plain SQL lexer shows as names.

The keywords are read from the grammar (shell/keywords.py, as completion does), so a keyword
added to grammar/qsql.lark is highlighted without a second list to keep."""

from __future__ import annotations

from functools import lru_cache

from pygments.lexer import inherit, words
from pygments.lexers.sql import SqlLexer
from pygments.token import Keyword, Name

from .keywords import keywords

# Called like functions, shown as built-ins rather than keywords.
QSQL_FUNCTIONS = ("ML_PREDICT", "ML_EVALUATE", "TABLE")
# Flink's type names that are not SQL-standard keywords (the grammar reads types as names).
FLINK_TYPES = ("STRING", "BYTES", "TINYINT", "MULTISET", "TIMESTAMP_LTZ")


def grammar_words() -> list[str]:
    """The single words of the grammar's keywords and phrases, longest first (so a regular
    expression tries CURRENT_TIMESTAMP before CURRENT)."""
    found = {word for phrase in keywords() for word in phrase.split()} - set(QSQL_FUNCTIONS)
    return sorted(found | set(FLINK_TYPES), key=lambda word: (-len(word), word))


@lru_cache(maxsize=1)
def qsql_lexer() -> type[SqlLexer]:
    """The shell's lexer class, made once the grammar's keywords are known."""

    class QsqlLexer(SqlLexer):
        name = "qsql"
        aliases = ["qsql"]
        tokens = {
            "root": [
                (words(QSQL_FUNCTIONS, prefix=r"\b", suffix=r"\b"), Name.Builtin),
                (words(grammar_words(), prefix=r"\b", suffix=r"\b"), Keyword),
                (r"\\[A-Za-z?]+", Keyword.Pseudo),  # shell commands: \d, \x ...
                inherit,
            ],
        }

    return QsqlLexer
