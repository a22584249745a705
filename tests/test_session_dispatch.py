"""The session's dispatch table: every statement the parser can produce has a handler."""

from __future__ import annotations

import inspect
import re

from qsql import ast
from qsql.parser import parse
from qsql.session import HANDLERS, Session


def _statement_classes() -> list[type[ast.Statement]]:
    return [
        cls
        for _, cls in inspect.getmembers(ast, inspect.isclass)
        if issubclass(cls, ast.Statement) and cls is not ast.Statement and cls.__module__ == ast.__name__
    ]


def test_every_statement_class_has_a_handler():
    classes = _statement_classes()
    assert len(classes) >= 17  # guards the discovery itself
    missing = [cls.__name__ for cls in classes if cls not in HANDLERS]
    assert missing == []


def test_the_table_names_only_statement_classes_and_snake_case_handlers():
    for cls, handler in HANDLERS.items():
        assert issubclass(cls, ast.Statement) and cls is not ast.Statement
        assert re.fullmatch(r"_?[a-z][a-z0-9_]*", handler.__name__), handler.__name__
        assert list(inspect.signature(handler).parameters)[1:] == ["statement", "source"], handler.__name__


def test_create_view_keeps_the_query_text_of_the_source_it_is_given():
    with Session() as session:
        list(session.execute("CREATE VIEW v AS SELECT   1 AS x  ;"))
        assert session.catalog.find_relation("v").query_text == "SELECT   1 AS x"
        # Run by itself with no source, the view still registers (without the text as written).
        (statement,) = parse("CREATE VIEW w AS SELECT 1 AS x")
        session.execute_statement(statement)
        assert session.catalog.find_relation("w").query_text == ""
