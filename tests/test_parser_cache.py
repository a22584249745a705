"""The parser-table cache: created once, reused, never stale, and never in the way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from lark import Lark
from lark.exceptions import LarkError, UnexpectedToken

from qsql import parser as qsql_parser
from qsql import parser_cache
from qsql.parser import PARSER_OPTIONS, grammar_text

TINY = """
start: "select"i NUMBER
%import common.NUMBER
%ignore " "
"""


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "parser"
    monkeypatch.setenv(parser_cache.CACHE_ENV, str(directory))
    return directory


def cached_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("parser-*.lark-cache"))


def test_first_build_writes_the_cache_and_the_next_one_loads_it(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = parser_cache.load_parser(TINY, parser="lalr")
    (path,) = cached_files(cache_dir)
    assert built.parse("SELECT 1") is not None

    def no_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("the parser was rebuilt although a cache file exists")

    monkeypatch.setattr(Lark, "__init__", no_build)  # a load unpickles: it never calls __init__
    loaded = parser_cache.load_parser(TINY, parser="lalr")
    assert loaded.parse("select 2") == built.parse("select 2")
    assert cached_files(cache_dir) == [path]


def test_a_grammar_change_never_loads_the_old_tables(cache_dir: Path) -> None:
    parser_cache.load_parser(TINY, parser="lalr")
    changed = TINY.replace('"select"i', '"pick"i')
    parser = parser_cache.load_parser(changed, parser="lalr")
    assert parser.parse("PICK 1") is not None
    with pytest.raises(LarkError):
        parser.parse("SELECT 1")
    # Both versions keep their own file; reloading each gives its own language.
    assert len(cached_files(cache_dir)) == 2
    assert parser_cache.load_parser(TINY, parser="lalr").parse("select 3") is not None
    with pytest.raises(LarkError):
        parser_cache.load_parser(changed, parser="lalr").parse("select 3")


def test_the_key_covers_grammar_options_and_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    key = parser_cache.cache_key(TINY, {"parser": "lalr"})
    assert parser_cache.cache_key(TINY + " ", {"parser": "lalr"}) != key
    assert parser_cache.cache_key(TINY, {"parser": "lalr", "propagate_positions": True}) != key
    monkeypatch.setattr(parser_cache.lark, "__version__", "0.0.1")
    assert parser_cache.cache_key(TINY, {"parser": "lalr"}) != key


def test_a_corrupt_or_mislabelled_file_is_rebuilt_and_replaced(cache_dir: Path) -> None:
    parser_cache.load_parser(TINY, parser="lalr")
    (path,) = cached_files(cache_dir)
    path.write_bytes(b"garbage\n\x00\x01")
    assert parser_cache.load_parser(TINY, parser="lalr").parse("select 1") is not None
    assert path.read_bytes().startswith(parser_cache.cache_key(TINY, {"parser": "lalr"}).encode())
    # A file whose recorded key differs (renamed by hand, say) is not trusted either.
    other = parser_cache.cache_key("x", {})
    data = path.read_bytes()
    path.write_bytes(other.encode() + data[data.index(b"\n") :])
    assert parser_cache.load_parser(TINY, parser="lalr").parse("select 1") is not None
    assert path.read_bytes().startswith(parser_cache.cache_key(TINY, {"parser": "lalr"}).encode())


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX owners and modes")
def test_a_file_others_could_write_is_not_unpickled(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parser_cache.load_parser(TINY, parser="lalr")
    (path,) = cached_files(cache_dir)
    loads: list[object] = []
    real_load = parser_cache._Unpickler.load

    def counted(self: object) -> object:
        loads.append(self)
        return real_load(self)  # type: ignore[arg-type]

    monkeypatch.setattr(parser_cache._Unpickler, "load", counted)
    path.chmod(0o666)
    assert parser_cache.load_parser(TINY, parser="lalr").parse("select 1") is not None
    assert loads == []  # rebuilt, not read ...
    assert path.stat().st_mode & 0o777 == 0o600  # ... and replaced by a private file
    real_user = os.geteuid()
    monkeypatch.setattr(parser_cache.os, "geteuid", lambda: real_user + 1)  # someone else's
    assert parser_cache.load_parser(TINY, parser="lalr").parse("select 1") is not None
    assert loads == []
    monkeypatch.setattr(parser_cache.os, "geteuid", lambda: real_user)
    parser_cache.load_parser(TINY, parser="lalr")
    assert len(loads) == 1  # the user's own private file is read


def test_an_unwritable_directory_falls_back_silently(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # (chmod does not stop root, so the refusal is simulated where the file is created.)
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(parser_cache.tempfile, "mkstemp", refuse)
    assert parser_cache.load_parser(TINY, parser="lalr").parse("select 1") is not None
    assert cached_files(cache_dir) == []
    assert capsys.readouterr() == ("", "")


def test_a_failed_write_leaves_no_temporary_file(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_save(parser: Lark, handle: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(parser_cache, "save", broken_save)
    assert parser_cache.load_parser(TINY, parser="lalr").parse("select 1") is not None
    assert list(cache_dir.iterdir()) == []


def test_a_path_that_cannot_be_a_directory_falls_back_silently(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(parser_cache.CACHE_ENV, str(blocker / "parser"))
    assert parser_cache.load_parser(TINY, parser="lalr").parse("select 1") is not None
    assert not list(tmp_path.glob(".tmp-*"))


def test_off_builds_without_touching_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parser_cache.CACHE_ENV, "off")
    assert parser_cache.cache_dir() is None
    assert parser_cache.load_parser(TINY, parser="lalr").parse("select 1") is not None


def test_default_directory_is_the_user_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(parser_cache.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert parser_cache.cache_dir() == tmp_path / "xdg" / "qsql" / "parser"


def test_old_tables_are_pruned_beyond_a_few(cache_dir: Path) -> None:
    for number in range(parser_cache.KEEP_FILES + 3):
        parser_cache.load_parser(TINY.replace("select", f"select{number}"), parser="lalr")
    assert len(cached_files(cache_dir)) == parser_cache.KEEP_FILES
    assert not list(cache_dir.glob(".tmp-*"))


def test_qsql_grammar_from_the_cache_parses_and_reports_like_a_fresh_build(
    parser_cache_dir: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The run's shared cache (conftest): its tables were most likely written by an earlier test,
    # so this costs one build of the grammar, not two.
    monkeypatch.setenv(parser_cache.CACHE_ENV, parser_cache_dir)
    parser_cache.load_parser(grammar_text(), **PARSER_OPTIONS)  # writes, unless an earlier test did
    assert cached_files(Path(parser_cache_dir))
    loaded = parser_cache.load_parser(grammar_text(), **PARSER_OPTIONS)  # reads
    fresh = Lark(grammar_text(), **PARSER_OPTIONS)
    text = "SELECT a, COUNT(*) FROM t WHERE b LIKE 'x%' GROUP BY a;"
    assert loaded.parse(text) == fresh.parse(text)
    for name in ("NUMBER", "STRING"):
        assert loaded.get_terminal(name).pattern.value == fresh.get_terminal(name).pattern.value
    # Syntax errors read the same terminals (qsql's message names what was expected, sorted:
    # the order of Lark's own message follows the hash seed of the process that built the tables).
    with pytest.raises(UnexpectedToken) as from_cache:
        loaded.parse("SELECT FROM;")
    with pytest.raises(UnexpectedToken) as from_grammar:
        fresh.parse("SELECT FROM;")
    cached, built = from_cache.value, from_grammar.value
    assert (cached.token, cached.line, cached.column) == (built.token, built.line, built.column)
    assert cached.expected == built.expected and cached.expected


def test_edited_grammar_file_in_a_new_process_uses_new_tables(cache_dir: Path, tmp_path: Path) -> None:
    """What h10/h11-style grammar edits rely on: a process started after the edit never parses
    with the tables of the previous grammar, even though they are still cached."""
    script = (
        "import sys\n"
        "from qsql import parser\n"
        "parser.grammar_text = lambda: open(sys.argv[1], encoding='utf-8').read()\n"
        "print(parser.build_parser().parse(sys.argv[2]).data)\n"
    )
    grammar = tmp_path / "g.lark"
    env = dict(os.environ)

    def run(text: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", script, str(grammar), text], capture_output=True, text=True, env=env, timeout=60
        )

    grammar.write_text(TINY, encoding="utf-8")
    assert run("select 1").stdout.strip() == "start"
    grammar.write_text(TINY.replace('"select"i', '"pick"i'), encoding="utf-8")
    assert run("pick 1").stdout.strip() == "start"
    assert run("select 1").returncode != 0
    assert len(cached_files(cache_dir)) == 2


def test_the_strict_build_is_never_loaded_from_the_cache(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Recorded, not built: test_parser.py makes the real strict build (the conflict check).
    built: list[dict[str, object]] = []

    def from_the_cache(*args: object, **kwargs: object) -> Lark:
        raise AssertionError("the strict build came through the table cache")

    def build(grammar: str, **options: object) -> str:
        built.append(options)
        return "strict parser"

    monkeypatch.setattr(qsql_parser, "load_parser", from_the_cache)
    monkeypatch.setattr(qsql_parser, "Lark", build)
    qsql_parser.build_parser.cache_clear()
    try:
        assert qsql_parser.build_parser(strict=True) == "strict parser"
    finally:
        qsql_parser.build_parser.cache_clear()
    assert built == [{"strict": True, **PARSER_OPTIONS}]
    assert cached_files(cache_dir) == []
