"""Highlighting: pygments' SQL lexer, plus the words qsql and Flink add to SQL (ML_PREDICT,
DESCRIPTOR, MODEL ...), which plain SQL lexers show as names."""

from __future__ import annotations

from pygments.lexer import inherit, words
from pygments.lexers.sql import SqlLexer
from pygments.token import Keyword, Name

QSQL_KEYWORDS = (
    "MODEL",
    "MODELS",
    "INPUT",
    "OUTPUT",
    "DESCRIPTOR",
    "TEMPORARY",
    "VIEWS",
    "FUNCTIONS",
    "STATEMENT",
    "OVERWRITE",
    "RESET",
    "SHOW",
    "DESCRIBE",
    "EXPLAIN",
    "TRY_CAST",
    "STRING",
    "MAP",
    "ARRAY",
    "LIKE",
    "ILIKE",
    "IF",
    "REPLACE",
    "RENAME",
    "BEGIN",
    "END",
    "EXECUTE",
)
QSQL_FUNCTIONS = ("ML_PREDICT", "ML_EVALUATE", "TABLE")


class QsqlLexer(SqlLexer):
    name = "qsql"
    aliases = ["qsql"]
    tokens = {
        "root": [
            (words(QSQL_FUNCTIONS, prefix=r"\b", suffix=r"\b"), Name.Builtin),
            (words(QSQL_KEYWORDS, prefix=r"\b", suffix=r"\b"), Keyword),
            (r"\\[A-Za-z?]+", Keyword.Pseudo),  # shell commands: \d, \x ...
            inherit,
        ],
    }
