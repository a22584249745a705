"""The completer's words come from the grammar (qsql/shell/keywords.py), not a second list."""

from __future__ import annotations

from lark import Lark

from qsql.shell.completer import sql_keywords
from qsql.shell.keywords import _expand, grammar_keywords


def test_statement_openers_and_clauses_are_offered_whole() -> None:
    offered = set(sql_keywords())
    for phrase in (
        "SELECT",
        "GROUP BY",
        "ORDER BY",
        "UNION ALL",
        "LEFT JOIN",
        "LEFT OUTER JOIN",
        "CROSS JOIN",
        "INSERT INTO",
        "INSERT OVERWRITE",
        "CREATE TABLE",
        "CREATE TEMPORARY VIEW",
        "CREATE OR REPLACE VIEW",
        "CREATE MODEL",
        "DROP MODEL",
        "SHOW TABLES",
        "SHOW CREATE MODEL",
        "DESCRIBE MODEL",
        "ALTER MODEL",
        "ALTER TABLE",
        "ALTER VIEW",
        "IF NOT EXISTS",
        "IF EXISTS",
        "EXECUTE STATEMENT SET BEGIN",
        "BEGIN STATEMENT SET",
        "ML_PREDICT",
        "DESCRIPTOR",
        "TRY_CAST",
        "CURRENT_TIMESTAMP",
        "EXPLAIN",
        "RESET",
        "VARCHAR",
        "DECIMAL",
        "TIMESTAMP",  # type names
        "HELP",
        "QUIT",
        "EXIT",
        "SOURCE",  # the shell's word commands
    ):
        assert phrase in offered, phrase


def test_a_keyword_added_to_a_grammar_is_offered() -> None:
    grammar = r"""
        start: "fetch"i "all"i NAME | "vacuum"i object_kind | JOIN_KIND "join"i NAME
        object_kind: "table"i | "view"i
        JOIN_KIND: /inner|(left|right)(\s+outer)?/i
        NAME: /[a-z]+/
        %ignore " "
    """
    words = grammar_keywords(Lark(grammar, parser="lalr"))
    assert {"FETCH ALL", "VACUUM TABLE", "VACUUM VIEW", "LEFT OUTER JOIN", "INNER JOIN", "TABLE"} <= set(words)
    assert not any(w.startswith("NAME") or "[" in w for w in words)


def test_regular_expressions_of_words_expand_and_others_do_not() -> None:
    assert _expand(r"tables|views") == ["tables", "views"]
    assert _expand(r"(?:(?i:current_date)|(?i:localtime))") == ["current_date", "localtime"]
    assert _expand(r"cross\s+join") == ["cross join"]
    assert _expand(r"[a-z]+") is None
