"""The SQL words and phrases the shell completes, read from the grammar the parser is built
from, so a keyword added to grammar/qsql.lark is offered without a second list to keep.

A keyword is a terminal that matches plain words: a literal ("select"i), or a regular
expression made only of words, alternatives and optional groups (SHOW_WHAT, JOIN_TYPE). A
phrase is a run of keywords inside one rule ("GROUP BY", "CREATE TEMPORARY TABLE",
"LEFT OUTER JOIN"), where a rule whose every form is such a run (``object_kind``: TABLE, VIEW,
MODEL) stands for its words.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import product

from lark import Lark
from lark.grammar import NonTerminal, Rule, Terminal
from lark.lexer import PatternStr, TerminalDef

_PLAIN_WORD = re.compile(r"[a-z_][a-z_0-9]*", re.IGNORECASE)
# A regular expression of words only: letters, '|', groups, '?' and '\s+' between words.
_WORDS_ONLY = re.compile(r"[a-z_|()?:+\\s]+", re.IGNORECASE)
_MOST_FORMS = 64  # a run with more spellings than this is not worth offering whole


def grammar_keywords(parser: Lark) -> list[str]:
    """Every keyword and keyword phrase of ``parser``'s grammar, upper case, sorted."""
    terminals = {t.name: t for t in parser.terminals}
    by_origin: dict[str, list[Rule]] = {}
    for rule in parser.rules:
        by_origin.setdefault(rule.origin.name, []).append(rule)

    def words_of_terminal(name: str) -> list[str] | None:
        definition = terminals.get(name)
        return None if definition is None else _terminal_words(definition)

    def words_of_rule(name: str) -> list[str] | None:
        """The spellings of a rule made only of keyword runs, else None."""
        forms: list[str] = []
        for rule in by_origin.get(name, []):
            if not rule.expansion or any(not isinstance(s, Terminal) for s in rule.expansion):
                return None
            parts = [words_of_terminal(s.name) for s in rule.expansion]
            words = [p for p in parts if p is not None]
            if len(words) != len(parts):
                return None
            forms += [" ".join(combo) for combo in product(*words)]
        return forms or None

    found: set[str] = set()
    for rule in parser.rules:
        run: list[str] = []
        for symbol in rule.expansion:
            if isinstance(symbol, Terminal):
                alternatives = words_of_terminal(symbol.name)
            elif isinstance(symbol, NonTerminal):
                alternatives = words_of_rule(symbol.name)
            else:  # pragma: no cover - lark has only these two
                alternatives = None
            if alternatives is None or len(run) * len(alternatives) > _MOST_FORMS:
                found.update(run)
                run = []
                if alternatives is not None:
                    run = list(alternatives)
                continue
            found.update(alternatives)
            run = [f"{head} {word}" for head in run for word in alternatives] if run else list(alternatives)
        found.update(run)
    return sorted(word.upper() for word in found)


@lru_cache(maxsize=1)
def keywords() -> list[str]:
    """The grammar's keywords and phrases (the parser is built once per process anyway)."""
    from ..parser import build_parser

    return grammar_keywords(build_parser())


def _terminal_words(definition: TerminalDef) -> list[str] | None:
    pattern = definition.pattern
    if isinstance(pattern, PatternStr):
        return [pattern.value] if _PLAIN_WORD.fullmatch(pattern.value) and "i" in pattern.flags else None
    if not _WORDS_ONLY.fullmatch(pattern.value):
        return None
    return _expand(pattern.value)


def _expand(pattern: str) -> list[str] | None:
    """The words a regular expression of words matches: 'inner|(left|right)(\\s+outer)?' ->
    inner, left, right, left outer, right outer; None for anything else."""
    position = 0

    def alternation() -> list[str]:
        nonlocal position
        forms = sequence()
        while position < len(pattern) and pattern[position] == "|":
            position += 1
            forms += sequence()
        return forms

    def sequence() -> list[str]:
        nonlocal position
        forms = [""]
        while position < len(pattern) and pattern[position] not in "|)":
            if pattern[position] == "(":
                # A plain group, or lark's (?:...) and (?i:...) around literals it joined.
                position += next(len(p) for p in ("(?i:", "(?:", "(") if pattern.startswith(p, position))
                part = alternation()
                if position >= len(pattern) or pattern[position] != ")":
                    raise ValueError(pattern)
                position += 1
            elif pattern.startswith("\\s+", position):
                position += 3
                part = [" "]
            else:
                match = _PLAIN_WORD.match(pattern, position)
                if match is None:
                    raise ValueError(pattern)
                position = match.end()
                part = [match.group(0)]
            if position < len(pattern) and pattern[position] == "?":
                position += 1
                part = part + [""]
            forms = [head + tail for head in forms for tail in part]
        return forms

    try:
        forms = alternation()
    except ValueError:
        return None
    if position != len(pattern):
        return None
    spelled = sorted({" ".join(form.split()) for form in forms if form.strip()})
    return spelled or None
