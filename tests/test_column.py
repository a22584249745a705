"""One column record (qsql/column.py) from the catalog through the plan to the result."""

from __future__ import annotations

import dataclasses

import pytest

from qsql.column import Column
from qsql.errors import ValidationError
from qsql.session import Session
from qsql.types import INT

TABLE = "CREATE TABLE t (id INT NOT NULL COMMENT 'the key', name STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '2')"


def test_a_declared_column_is_the_record_the_query_sees():
    with Session() as session:
        list(session.execute(TABLE))
        declared = session.catalog.find_relation("t").columns
        assert declared == [
            Column("id", declared[0].dtype, comment="the key"),
            Column("name", declared[1].dtype),
        ]
        assert not declared[0].dtype.nullable and declared[1].dtype.nullable
        (result,) = session.execute("SELECT * FROM t")
        assert all(type(c) is Column for c in result.columns)
        assert [(c.name, c.dtype) for c in result.columns] == [(c.name, c.dtype) for c in declared]


def test_a_view_declares_its_columns_without_the_tables_comments():
    with Session() as session:
        list(session.execute(TABLE + "; CREATE VIEW v AS SELECT id FROM t"))
        assert session.catalog.find_relation("v").columns[0].comment is None


def test_the_record_is_frozen_and_takes_its_extras_by_keyword():
    column = Column("x", INT)
    with pytest.raises(dataclasses.FrozenInstanceError):
        column.name = "y"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Column("x", column.dtype, "a comment")  # type: ignore[misc]


def test_a_column_declared_twice_is_one_clear_error():
    with Session() as session, pytest.raises(ValidationError, match="Duplicate column name 'a'"):
        list(session.execute("CREATE TABLE d (a INT, a STRING) WITH ('connector' = 'print')"))
