"""Shared fixtures: an isolated environment, a session runner, and a stub server on loopback."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from qsql.models.providers import API_KEY_ENV_VARS
from qsql.session import Result, Session
from qsql.stub import StubOptions, StubServer


@pytest.fixture(scope="session")
def parser_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One parser-table cache for the whole run, so each subprocess test loads the tables
    instead of building them (the developer's own cache dir is never touched)."""
    return str(tmp_path_factory.mktemp("parser-cache"))


@pytest.fixture(autouse=True)
def isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory, parser_cache_dir: str
) -> None:
    """No test reads the developer's keys, config, cache or history, or spends real money."""
    for var in API_KEY_ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    home = tmp_path_factory.mktemp("home")
    for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("QSQL_PARSER_CACHE", parser_cache_dir)


@dataclass
class Run:
    results: list[Result]
    out: str
    err: str


class SqlRunner:
    """Runs SQL in one session whose stdout/stderr are captured."""

    def __init__(self, **session_options: object) -> None:
        self.out = io.StringIO()
        self.err = io.StringIO()
        session_options.setdefault("env", {})
        self.session = Session(out=self.out, err=self.err, **session_options)  # type: ignore[arg-type]

    def __call__(self, sql: str, source: str = "test.sql") -> Run:
        start_out, start_err = self.out.tell(), self.err.tell()
        results = list(self.session.execute(sql, source))
        return Run(results, self.out.getvalue()[start_out:], self.err.getvalue()[start_err:])

    def query(self, sql: str) -> tuple[list[str], list[tuple]]:
        """(column names, rows) of the last statement, which must be a query."""
        result = self(sql).results[-1]
        return [f.name for f in result.columns], result.rows  # type: ignore[union-attr]

    def close(self) -> None:
        self.session.close()


@pytest.fixture
def sql() -> Iterator[SqlRunner]:
    runner = SqlRunner()
    yield runner
    runner.close()


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


class CliRunner:
    """``qsql ARGS`` in this process: ``cli.main(argv)`` with a fake standard input and stdout and
    stderr captured at the file descriptors (capfd), so even a direct write to fd 2 is seen. What
    must be a real process (signals, a closed pipe, a terminal, the stub command) stays a
    subprocess test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
        self._monkeypatch = monkeypatch
        self._capfd = capfd

    def __call__(self, *args: str, stdin: str | bytes = "", env: dict[str, str] | None = None) -> CliResult:
        from qsql.cli import main

        for name, value in (env or {}).items():
            self._monkeypatch.setenv(name, value)
        data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
        self._monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
        self._capfd.readouterr()  # what the test printed before is not the command's
        code = main(list(args))
        out, err = self._capfd.readouterr()
        return CliResult(code, out, err)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> CliRunner:
    """Runs the ``qsql`` command in-process (see CliRunner)."""
    return CliRunner(monkeypatch, capfd)


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer(options=StubOptions()) as server:
        yield server


@pytest.fixture
def stub_sql(stub: StubServer) -> Iterator[SqlRunner]:
    """A session whose models all talk to the loopback stub (as --stub does)."""
    runner = SqlRunner(stub_base_url=stub.base_url)
    yield runner
    runner.close()


CHAT_MODEL = """
CREATE MODEL m INPUT (input STRING) OUTPUT (content STRING)
WITH ('provider' = 'qwen', 'model' = 'qwen-plus', 'api-key' = 'sk-test');
"""


@pytest.fixture(scope="session")
def flink_provider_jar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test stand-in for flink-model-openai, compiled once per session (Flink tests only)."""
    from tests.flink.support import build_provider_jar, skip_reason

    reason = skip_reason()
    if reason is not None:
        pytest.skip(reason)
    return build_provider_jar(tmp_path_factory.mktemp("flink-provider"))
