"""Completion in context: what can come next at the cursor, from the grammar's point of view
and the session's catalog (tables, views, models, their columns, option keys)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from ..catalog import Catalog
from ..connectors import CONNECTORS
from ..connectors.filesystem import FORMATS as FILE_FORMATS
from ..functions import KNOWN_FUNCTIONS
from ..models.options import SUPPORTED_KEYS
from ..models.providers import PROVIDERS
from ..reserved import is_reserved
from ..settings import EDITING_MODES, KNOWN_SETTINGS, OUTPUT_FORMATS, PREDICT_SETTINGS, predict_option_name
from ..types import KNOWN_TYPE_NAMES
from .commands import names as command_names
from .keywords import keywords as grammar_keywords


@lru_cache(maxsize=1)
def sql_keywords() -> list[str]:
    """What the completer offers as words: the grammar's keywords and phrases (keywords.py), the
    type names, and the shell's word commands (HELP, QUIT, SOURCE ...)."""
    words = set(grammar_keywords()) | set(KNOWN_TYPE_NAMES)
    words.update(name for name in command_names() if name.isalpha() and name.isupper())
    return sorted(words)


TEMPLATES = {
    "CREATE MODEL": "CREATE MODEL name INPUT (input STRING) OUTPUT (content STRING) WITH ('provider' = 'qwen', "
    "'model' = 'qwen-plus', 'system-prompt' = '...');",
    "ML_PREDICT": "ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(col))",
}
ML_PREDICT_CONFIG_KEYS = tuple(predict_option_name(setting) for setting in PREDICT_SETTINGS)
SHOW_TARGETS = ("TABLES", "VIEWS", "MODELS", "FUNCTIONS", "CREATE TABLE", "CREATE VIEW", "CREATE MODEL")

_WORD = re.compile(r"[\w.$`']*$")
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


def sql_name(name: str) -> str:
    """``name`` as SQL must spell it: backquoted when Flink reserves the word (`value`) or it is
    not a plain identifier (`my col`), so a completed name parses."""
    if _PLAIN_NAME.fullmatch(name) and not is_reserved(name):
        return name
    return "`" + name.replace("`", "``") + "`"


_OPEN_WITH = re.compile(r"\bWITH\s*\(((?:[^()']|'(?:[^']|'')*')*)$", re.IGNORECASE | re.DOTALL)
_OPTION_VALUE = re.compile(r"'([\w.\-]+)'\s*=\s*'?[\w.\-]*$")
_PAIR = re.compile(r"'([\w.\-]+)'\s*=\s*'((?:[^']|'')*)'")


class QsqlCompleter(Completer):
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        before = document.text_before_cursor
        special = self._special_completions(before)
        if special is not None:
            yield from special
            return
        match = _WORD.search(before)
        assert match is not None  # the pattern matches every text (at worst the empty word at its end)
        word = match.group(0)
        whole, cursor = document.text, document.cursor_position
        start = whole.rfind(";", 0, cursor) + 1
        end = whole.find(";", cursor)
        statement = whole[start : end if end != -1 else len(whole)]
        for candidate in self.candidates(before[: len(before) - len(word)], statement):
            typed = word.lower().lstrip("'`")
            if candidate.lower().lstrip("`").startswith(typed) or candidate.lower().startswith(word.lower()):
                yield Completion(candidate, start_position=-len(word), display=candidate.split(" WITH (")[0])

    def _special_completions(self, before: str) -> list[Completion] | None:
        """Completions of a shell command (``\\d``, ``.mode``) and its argument; None for SQL."""
        stripped = before.lstrip()
        if not stripped.startswith(("\\", ".")):
            return None
        if not re.search(r"\s", stripped):
            return [
                Completion(name, start_position=-len(stripped))
                for name in command_names()
                if name.startswith(("\\", ".")) and name.startswith(stripped)
            ]
        word_match = re.match(r"(\S+)\s+(\S*)$", stripped)
        if word_match is None:
            return []
        command, partial = word_match.group(1).lower(), word_match.group(2)
        choices: list[str] = []
        if command in ("\\format", ".mode"):
            choices = list(OUTPUT_FORMATS)
        elif command in ("\\x", "\\timing"):
            choices = ["on", "off"]
        elif command == "\\editing":
            choices = list(EDITING_MODES)
        elif command == "\\pager":
            choices = ["on", "off", "less -SRXF"]
        elif command == "\\d":
            choices = self._relations() + self._models()
        elif command == "\\dm":
            choices = self._models()
        return [Completion(c, start_position=-len(partial)) for c in choices if c.lower().startswith(partial.lower())]

    # -------------------------------------------------------------- contexts
    def candidates(self, head: str, statement: str) -> list[str]:
        """What may follow ``head`` (the text before the word being typed) in ``statement``
        (the whole statement under the cursor)."""
        inside_with = _OPEN_WITH.search(head)
        if inside_with:
            return self._option_candidates(head)
        if re.search(r"\bMAP\s*\[(?:[^\]]*,)?\s*$", head, re.IGNORECASE) and re.search(
            r"ML_PREDICT\s*\(", statement, re.IGNORECASE
        ):
            given = re.findall(r"'([\w.\-]+)'", head[head.upper().rfind("MAP") :])
            return [f"'{key}'" for key in ML_PREDICT_CONFIG_KEYS if key not in given[::2]]
        previous = _last_words(head, 3)
        last = previous[-1].upper() if previous else ""
        if last == "SHOW":
            return list(SHOW_TARGETS)
        if previous[-2:] and [w.upper() for w in previous[-2:]] == ["SHOW", "CREATE"]:
            return ["TABLE", "VIEW", "MODEL"]
        if last in ("FROM", "JOIN"):
            return self._names(self._relations()) + [TEMPLATES["ML_PREDICT"], "ML_PREDICT"]
        if (
            last in ("FROM", "JOIN", "INTO", "OVERWRITE", "DESCRIBE", "DESC")
            or previous[-2:]
            and [w.upper() for w in previous[-2:]]
            in (["DROP", "TABLE"], ["DROP", "VIEW"], ["CREATE", "TABLE"], ["CREATE", "VIEW"], ["ALTER", "VIEW"])
        ):
            return self._names(self._relations())
        if last == "TABLE" and re.search(r"ML_PREDICT\s*\(\s*(?:INPUT\s*=>\s*)?TABLE\s*$", head, re.IGNORECASE):
            return self._names(self._relations())
        if last == "TABLE":
            return self._names(self._relations())
        if (
            last == "MODEL"
            or previous[-2:]
            and [w.upper() for w in previous[-2:]] in (["DROP", "MODEL"], ["ALTER", "MODEL"])
        ):
            return self._names(self._models())
        descriptor = re.search(
            r"TABLE\s+([\w`.]+)\s*,\s*(?:MODEL\s*=>\s*)?MODEL\s+[\w`.]+\s*,\s*(?:ARGS\s*=>\s*)?DESCRIPTOR\s*\(([^)]*)$",
            head,
            re.IGNORECASE,
        )
        if descriptor:
            return self._names(self._columns_of(descriptor.group(1)))
        if re.search(r"\bSET\s*$", head, re.IGNORECASE):
            return [f"'{key}'" for key in sorted(KNOWN_SETTINGS)]
        if re.search(r"\b(SELECT|WHERE|BY|ON|AND|OR|HAVING|,|\()\s*$", head, re.IGNORECASE):
            return self._names(self._columns_in(statement)) + [f + "(" for f in KNOWN_FUNCTIONS] + sql_keywords()
        return sql_keywords() + list(TEMPLATES.values()) + self._names(self._relations()) + self._names(self._models())

    def _option_candidates(self, head: str) -> list[str]:
        statement = head[head.rfind(";") + 1 :]
        value = _OPTION_VALUE.search(head)
        if value:
            key = value.group(1)
            if key == "provider":
                return [f"'{p}'" for p in sorted(PROVIDERS)]
            if key == "connector":
                return [f"'{c}'" for c in sorted(CONNECTORS)]
            if key == "format":
                return [f"'{f}'" for f in FILE_FORMATS]
            return []
        given = {k for k, _ in _PAIR.findall(statement)}
        if re.search(r"\bCREATE\s+(OR\s+REPLACE\s+)?(TEMPORARY\s+)?MODEL\b", statement, re.IGNORECASE) or re.search(
            r"\bALTER\s+MODEL\b", statement, re.IGNORECASE
        ):
            keys = list(SUPPORTED_KEYS)
        else:
            pairs = dict(_PAIR.findall(statement))
            connector = CONNECTORS.get(pairs.get("connector", ""))
            if connector is None:
                keys = ["connector"]
            else:
                keys = ["connector", *connector.required_options, *connector.optional_options]
        return [f"'{k}' = " for k in keys if k not in given]

    @staticmethod
    def _names(names: list[str]) -> list[str]:
        return [sql_name(n) for n in names]

    def _relations(self) -> list[str]:
        return sorted(r.name for r in self.catalog.relations())

    def _models(self) -> list[str]:
        return sorted(m.name for m in self.catalog.models())

    def _columns_of(self, name: str) -> list[str]:
        entry = self.catalog.find_relation(name.strip("`"))
        return [c.name for c in entry.columns] if entry is not None else []

    def _columns_in(self, statement: str) -> list[str]:
        """Columns of every table or view the statement names after FROM / JOIN / TABLE."""
        names = re.findall(r"\b(?:FROM|JOIN|TABLE)\s+([\w`]+)", statement, re.IGNORECASE)
        columns: list[str] = []
        for name in names:
            for column in self._columns_of(name):
                if column not in columns:
                    columns.append(column)
        for name in re.findall(r"\bMODEL\s+([\w`]+)", statement, re.IGNORECASE):
            model = self.catalog.find_model(name.strip("`"))
            if model is not None:
                columns += [c.name for c in model.outputs if c.name not in columns]
        return columns


def _last_words(text: str, count: int) -> list[str]:
    return re.findall(r"[\w$]+|[(),;=]", text)[-count:]
