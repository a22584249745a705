"""The Python API, DuckDB-style (qsql extension)::

    import qsql
    con = qsql.connect()                 # or qsql.connect(stub=True): offline, synthetic replies
    cur = con.execute("SELECT 40 + 2 AS answer")
    cur.columns                          # ['answer']
    cur.fetchall()                       # [Row(answer=42)]
    cur.df()                             # a pandas DataFrame (pip install 'qsql[pandas]')

One :class:`Connection` is one qsql session: tables, views, models and SETs persist across
``execute`` calls. Errors are raised as :class:`qsql.errors.QsqlError` with the position.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any

from .errors import QsqlError
from .results import InsertResult, QueryResult, Result, StatusResult, TextResult
from .session import Session


class Row(tuple):
    """A result row: a tuple whose values can also be read by column name
    (``row.answer``, ``row["answer"]``, ``row.asdict()``)."""

    _fields: tuple[str, ...] = ()

    def __new__(cls, values: Sequence[object], fields: tuple[str, ...]) -> Row:
        row = super().__new__(cls, values)
        row._fields = fields
        return row

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                return tuple.__getitem__(self, self._fields.index(key))
            except ValueError:
                raise KeyError(key) from None
        return tuple.__getitem__(self, key)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name not in self._fields:
            raise AttributeError(name)
        return tuple.__getitem__(self, self._fields.index(name))

    def asdict(self) -> dict[str, object]:
        return dict(zip(self._fields, self))

    def __repr__(self) -> str:
        return "Row(" + ", ".join(f"{n}={v!r}" for n, v in zip(self._fields, self)) + ")"

    def __reduce__(self) -> tuple[type[Row], tuple[tuple[object, ...], tuple[str, ...]]]:
        return (Row, (tuple(self), self._fields))


class Cursor:
    """The outcome of one ``execute``: the rows of its last query (if any) and every
    statement's result in ``results``."""

    def __init__(self, results: list[Result]) -> None:
        self.results = results
        queries = [r for r in results if isinstance(r, QueryResult)]
        self._query = queries[-1] if queries else None
        self.columns: list[str] = [f.name for f in self._query.columns] if self._query else []
        fields = tuple(self.columns)
        self._rows = [Row(r, fields) for r in self._query.rows] if self._query else []
        self._position = 0

    @property
    def description(self) -> list[tuple] | None:
        """DB-API style: (name, type, None, None, None, None, null_ok) per column."""
        if self._query is None:
            return None
        return [(f.name, f.dtype.name(), None, None, None, None, f.dtype.nullable) for f in self._query.columns]

    @property
    def rowcount(self) -> int:
        """Rows of the query, or rows written by the INSERTs; -1 when neither."""
        if self._query is not None:
            return len(self._rows)
        written = [r.rows for r in self.results if isinstance(r, InsertResult)]
        return sum(written) if written else -1

    @property
    def messages(self) -> list[str]:
        """What the other statements said (``Table 't' created.``, EXPLAIN text ...)."""
        return [
            r.message if isinstance(r, StatusResult) else r.text
            for r in self.results
            if isinstance(r, (StatusResult, TextResult))
        ]

    def fetchone(self) -> Row | None:
        if self._position >= len(self._rows):
            return None
        self._position += 1
        return self._rows[self._position - 1]

    def fetchmany(self, size: int = 1) -> list[Row]:
        rows = self._rows[self._position : self._position + size]
        self._position += len(rows)
        return rows

    def fetchall(self) -> list[Row]:
        rows = self._rows[self._position :]
        self._position = len(self._rows)
        return rows

    def __iter__(self) -> Iterator[Row]:
        while (row := self.fetchone()) is not None:
            yield row

    def df(self) -> Any:
        """The query's rows as a pandas DataFrame (the optional extra: pip install 'qsql[pandas]')."""
        try:
            import pandas
        except ImportError:
            raise QsqlError("df() needs pandas, which is not installed", hint="pip install 'qsql[pandas]'") from None
        return pandas.DataFrame([tuple(r) for r in self._rows], columns=self.columns)


class Connection:
    """One qsql session for Python code."""

    def __init__(self, session: Session, stub: Any = None) -> None:
        self.session = session
        self._stub = stub

    def execute(self, sql: str) -> Cursor:
        """Run one or more statements; the cursor holds the last query's rows."""
        return Cursor(list(self.session.execute(sql, "<python>")))

    sql = execute

    def close(self) -> None:
        self.session.close()
        if self._stub is not None:
            self._stub.stop()
            self._stub = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(
    *,
    stub: bool = False,
    config: bool = True,
    env: Mapping[str, str] | None = None,
    out: IO[str] | None = None,
    settings: Mapping[str, str] | None = None,
) -> Connection:
    """A new session. ``stub``: every model answers from a local offline stub (as --stub);
    ``config``: start from the user's config.toml; ``env``: where ${VAR} and provider keys are
    read (default os.environ); ``out``: where print-sink rows go (default stdout);
    ``settings``: SET these first."""
    server = None
    if stub:
        from .stub import StubServer

        server = StubServer().start_in_thread()
    session = Session(env=env, out=out, stub_base_url=server.base_url if server is not None else None)
    try:
        if config:
            session.apply_config()
        for key, value in (settings or {}).items():
            list(
                session.execute(f"SET '{key.replace(chr(39), chr(39) * 2)}' = '{value.replace(chr(39), chr(39) * 2)}';")
            )
    except BaseException:
        session.close()
        if server is not None:
            server.stop()
        raise
    return Connection(session, server)
