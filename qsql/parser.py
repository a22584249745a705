"""Text -> list of AST statements, and the one place where Lark's errors become ours."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from . import ast
from .collector import collector_paused
from .errors import QsqlError, QsqlSyntaxError, shorten
from .parser_cache import load_parser
from .reserved import is_reserved
from .source import Source, Span
from .splitter import find_unclosed
from .transform import AstBuilder, span_of

GRAMMAR_PACKAGE = "qsql.grammar"
GRAMMAR_FILE = "qsql.lark"

# How an expected terminal is named in a message; keywords print as themselves.
_FRIENDLY_TERMINALS = {
    "NAME": "identifier",
    "QUOTED_NAME": "identifier",
    "STRING": "string literal",
    "NUMBER": "number",
    "INTEGER": "integer",
    "COMPARE_OP": "comparison",
    "ADD_OP": "+ or -",
    "MUL_OP": "operator",
    "$END": "end of input",
    "ARROW": "'=>'",
}
_STATEMENT_KEYWORDS = {"CREATE", "INSERT", "SELECT", "VALUES"}
# Words that start or join clauses: met where a name was expected, something is missing (SELECT
# FROM t), rather than a reserved word meant as a name (SELECT x AS table).
_CLAUSE_KEYWORDS = {
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP",
    "ORDER",
    "BY",
    "HAVING",
    "LIMIT",
    "JOIN",
    "ON",
    "AS",
    "AND",
    "OR",
    "NOT",
    "IS",
    "IN",
    "LIKE",
    "BETWEEN",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "UNION",
    "INSERT",
    "INTO",
    "CREATE",
    "VALUES",
    "WITH",
    "INNER",
    "LEFT",
    "RIGHT",
    "FULL",
    "OUTER",
    "CROSS",
    "DISTINCT",
    "EXCEPT",
    "INTERSECT",
    "OFFSET",
    "FETCH",
    "USING",
}


def grammar_text() -> str:
    return files(GRAMMAR_PACKAGE).joinpath(GRAMMAR_FILE).read_text(encoding="utf-8")


PARSER_OPTIONS = {"parser": "lalr", "lexer": "contextual", "propagate_positions": True, "maybe_placeholders": False}


@lru_cache(maxsize=2)
def build_parser(strict: bool = False) -> Lark:
    """The LALR parser, once per process (it is immutable, so sharing it is safe).

    Its tables come from the disk cache keyed by the grammar text (see parser_cache), so only
    the first process after a grammar change pays for building them. The strict build (tests
    checking for conflicts) is always made from the grammar, never loaded."""
    if strict:
        return Lark(grammar_text(), strict=True, **PARSER_OPTIONS)
    return load_parser(grammar_text(), **PARSER_OPTIONS)


def parse(text: str, source_name: str = "<input>") -> list[ast.Statement]:
    """Parse a whole script. Raises :class:`QsqlSyntaxError` with the position of the first error."""
    with collector_paused():  # the tree and the AST all survive: collections find nothing
        return _parse(text, source_name)


def _parse(text: str, source_name: str) -> list[ast.Statement]:
    source = Source(source_name, text)
    parser = build_parser()
    try:
        tree = parser.parse(text)
    except UnexpectedInput as error:
        raise _syntax_error(error, text, parser).locate(None, source) from error
    try:
        return AstBuilder().transform(tree)
    except QsqlError as error:
        raise error.locate(None, source) from error.__cause__
    except VisitError as error:
        if isinstance(error.orig_exc, QsqlError):
            raise error.orig_exc.locate(None, source) from error
        raise


_UNCLOSED_MESSAGES = {
    "'": "unterminated string literal (a quote inside a string is written '')",
    "`": "unterminated quoted identifier",
    "/*": "unterminated comment: '/*' has no closing '*/'",
}


def _syntax_error(error: UnexpectedInput, text: str, parser: Lark) -> QsqlSyntaxError:
    unclosed = find_unclosed(text)
    if unclosed is not None:
        # Everything after an unclosed quote or comment is noise; report the opening.
        opening, pos = unclosed
        line = text.count("\n", 0, pos) + 1
        column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        return QsqlSyntaxError(
            _UNCLOSED_MESSAGES[opening], Span(line, column, line, column + len(opening), pos, pos + 1)
        )
    if isinstance(error, UnexpectedCharacters):
        return _unexpected_character(error, text)
    if isinstance(error, UnexpectedToken):
        return _unexpected_token(error, text, parser)
    line, column = getattr(error, "line", 1), getattr(error, "column", 1)
    return QsqlSyntaxError("syntax error", Span(line, column, line, column + 1, 0, 0))


def _unexpected_character(error: UnexpectedCharacters, text: str) -> QsqlSyntaxError:
    pos = error.pos_in_stream or 0  # always set for UnexpectedCharacters; lark declares it None
    span = Span(error.line, error.column, error.line, error.column + 1, pos, pos + 1)
    char = text[pos] if pos < len(text) else ""
    if char == '"':
        return QsqlSyntaxError(
            "double quotes are not string quotes in Flink SQL",
            span,
            hint="write strings as 'text' and quote identifiers with backquotes: `name`",
        )
    return QsqlSyntaxError(f"unexpected character '{char}'", span)


def _unexpected_token(error: UnexpectedToken, text: str, parser: Lark) -> QsqlSyntaxError:
    token: Token = error.token
    expected = sorted({_describe_terminal(name, parser) for name in error.expected})
    if token.type == "$END":
        line, column = _end_position(text)
        span = Span(line, column, line, column + 1, len(text), len(text))
        shown = "end of input"
    else:
        span = span_of(token)
        shown = f"'{shorten(str(token))}'"
    message = f"unexpected {shown}"
    if expected:
        listed = ", ".join(expected[:10]) + (", ..." if len(expected) > 10 else "")
        message += f"; expected {listed}"
    hint = None
    if token.type != "$END" and str(token).upper() in _STATEMENT_KEYWORDS and "';'" in expected:
        hint = "is a ';' missing at the end of the previous statement?"
    elif token.type == "$END" and "')'" in expected:
        hint = "is a ')' missing?"
    elif "identifier" in expected and is_reserved(str(token)) and str(token).upper() not in _CLAUSE_KEYWORDS:
        hint = f"'{token}' is a reserved word in Flink SQL: write `{token}` to use it as a name"
    elif token.type != "$END":
        hint = _ml_predict_hint(text[: token.start_pos or 0], str(token), expected)
    return QsqlSyntaxError(message, span, hint=hint)


_BEFORE_TABLE_QUERY = re.compile(r"ml_predict\s*\(\s*(?:input\s*=>\s*)?table\s*$", re.I)
_BEFORE_DESCRIPTOR_ITEM = re.compile(r"descriptor\s*\((?:\s*[^()]*,)?\s*$", re.I)


def _ml_predict_hint(before: str, token: str, expected: list[str]) -> str | None:
    """The usual slips inside ML_PREDICT's arguments, said in ML_PREDICT's terms."""
    if expected == ["'=>'"]:  # a bare name where TABLE t, MODEL m or DESCRIPTOR(c) belongs
        return "ML_PREDICT's arguments are TABLE t, MODEL m, DESCRIPTOR(col)[, MAP[...]] (or INPUT => TABLE t, ...)"
    if token == "(" and _BEFORE_TABLE_QUERY.search(before):
        return "a query as ML_PREDICT's input goes without TABLE: ML_PREDICT((SELECT ...), MODEL m, DESCRIPTOR(col))"
    if token.startswith("'") and _BEFORE_DESCRIPTOR_ITEM.search(before):
        return "DESCRIPTOR takes column names, not strings: DESCRIPTOR(col) or DESCRIPTOR(`my col`)"
    return None


def _describe_terminal(name: str, parser: Lark) -> str:
    if name in _FRIENDLY_TERMINALS:
        return _FRIENDLY_TERMINALS[name]
    try:
        pattern = parser.get_terminal(name).pattern
    except KeyError:
        return name
    if pattern.type == "str":
        value = pattern.value
        return value.upper() if value.isalpha() or "_" in value else f"'{value}'"
    return name.lower()


def _end_position(text: str) -> tuple[int, int]:
    stripped = text.rstrip()
    lines = stripped.split("\n") if stripped else [""]
    return len(lines), len(lines[-1]) + 1
