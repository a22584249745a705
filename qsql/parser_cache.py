"""The built LALR parser, kept on disk so a process does not rebuild it (seconds) to run one line.

Building the LALR tables from ``qsql.lark`` is most of qsql's start-up. The file holds the
whole built parser object — tables, per-state lexers, tree-building callbacks — pickled as it
stands before its first parse, so loading it is one C-speed unpickle (about 25 ms). Lark's own
``save``/``load`` keeps a portable description instead and rebuilds every object from it in
Python on each load (100–160 ms: most of ``qsql -e 'SELECT 1'`` after the imports).

The cache file is named by a SHA-256 of everything the tables depend on — the grammar text,
the Lark options, lark's version, Python's and this file's format — so a grammar edit, a lark
upgrade or another Python simply looks for another file: a stale table is never loaded. Writes
go to a private temporary file that is renamed into place, so a concurrent reader sees the
whole file or none; only a file the user owns and no one else may write is unpickled. Any
trouble (an unwritable or missing directory, a corrupt file) falls back to building the parser
in memory without a word: the cache only ever saves time.

The directory is the user cache dir (platformdirs, ``.../qsql/parser``); ``QSQL_PARSER_CACHE``
overrides it (tests point it at a temporary directory; ``off`` disables it).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import stat
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

import lark
from lark import Lark
from lark.parsers.lalr_analysis import Reduce, Shift

from .collector import collector_paused

CACHE_ENV = "QSQL_PARSER_CACHE"
_PREFIX = "parser-"
_SUFFIX = ".lark-cache"
# Part of the key: a change to what the file holds (not only to the grammar) names a new file.
_FORMAT = "qsql-pickled-lark-1"


def cache_dir() -> Path | None:
    """Where parser tables are kept, or None when caching is off."""
    override = os.environ.get(CACHE_ENV)
    if override is not None:
        return None if override.strip().lower() in ("", "off", "0", "false") else Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("qsql")) / "parser"


def cache_key(grammar: str, options: dict[str, Any]) -> str:
    """What the tables depend on. Options are hashed by name and value, sorted."""
    material = "\0".join(
        [_FORMAT, grammar, repr(sorted(options.items())), lark.__version__, "{}.{}".format(*sys.version_info[:2])]
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def cache_path(directory: Path, key: str) -> Path:
    return directory / f"{_PREFIX}{key[:32]}{_SUFFIX}"


def load_parser(grammar: str, **options: Any) -> Lark:
    """``Lark(grammar, **options)``, from the disk cache when it holds these exact tables.

    The cyclic collector is paused meanwhile: loading makes tens of thousands of objects that
    all live on, and the collections they trigger find nothing but cost half the load time.
    A loaded parser is also frozen out of later collections (it lives as long as the process);
    a build is not, as it leaves much garbage behind."""
    directory = cache_dir()
    if directory is not None:
        key = cache_key(grammar, options)
        path = cache_path(directory, key)
        with collector_paused(lifelong=True):
            cached = _read(path, key)
        if cached is not None:
            return cached
    with collector_paused():
        parser = Lark(grammar, **options)
    if directory is not None:
        _write(parser, directory, path, key)
    return parser


def _read(path: Path, key: str) -> Lark | None:
    try:
        with open(path, "rb") as handle:
            if not _trusted(os.fstat(handle.fileno())):
                return None
            # The key is written inside too: a file renamed or truncated by hand is not trusted.
            if handle.readline().rstrip(b"\n") != key.encode("ascii"):
                return None
            parser = _Unpickler(handle).load()
            return parser if isinstance(parser, Lark) else None
    except FileNotFoundError:
        return None
    except Exception:  # corrupt, unreadable, written by an incompatible lark: rebuild
        return None


def _trusted(status: os.stat_result) -> bool:
    """Unpickling runs code the file names, so only a file this user wrote is read: owned by the
    user and writable by no one else (ours are created 0600). A file another account could have
    put or changed — a shared QSQL_PARSER_CACHE directory, say — is rebuilt over instead."""
    if not hasattr(os, "geteuid"):  # Windows: no owner or mode bits to check
        return True
    return status.st_uid == os.geteuid() and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _write(parser: Lark, directory: Path, path: Path, key: str) -> None:
    temporary: str | None = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=_SUFFIX, dir=directory)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key.encode("ascii") + b"\n")
            save(parser, handle)
        os.replace(temporary, path)
        temporary = None
        _prune(directory, keep=path)
    except Exception:  # unwritable dir, full disk, ...: the parser works without a cache
        pass
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


# Objects that must stay the very objects lark's modules hold: the parser tests actions with
# ``is Shift``, and the lexer configuration holds the ``re`` module itself.
_SINGLETONS: dict[str, Any] = {"Shift": Shift, "Reduce": Reduce, "re": re}
_SINGLETON_IDS = {id(value): name for name, value in _SINGLETONS.items()}


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj: Any) -> str | None:
        return _SINGLETON_IDS.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> Any:
        try:
            return _SINGLETONS[pid]
        except (KeyError, TypeError):
            raise pickle.UnpicklingError(f"unknown shared object {pid!r}") from None


def save(parser: Lark, handle: IO[bytes]) -> None:
    """Pickle the built parser, before its first parse (its lexers' regexes are compiled on
    first use, and a compiled pattern would be recompiled by every load)."""
    _share_actions(parser)
    _Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL).dump(parser)


def _share_actions(parser: Lark) -> None:
    """Make equal parse actions one object. Lark builds a fresh ``(Shift, state)`` tuple for each
    of the table's ~26,000 entries although only ~2,600 differ; pickle stores a shared object
    once, so this shrinks the file by a fifth and its load by as much."""
    table = getattr(getattr(getattr(parser.parser, "parser", None), "parser", None), "parse_table", None)
    states = getattr(table, "states", None)
    if not isinstance(states, dict):
        return  # another lark layout: the file is just larger
    shared: dict[Any, Any] = {}
    for actions in states.values():
        for token, action in actions.items():
            actions[token] = shared.setdefault(action, action)


KEEP_FILES = 8


def _prune(directory: Path, keep: Path) -> None:
    """Tables of older grammars are rarely read again; keep the newest few so the dir does not
    grow, yet two installed versions of qsql do not keep evicting each other's tables."""

    def modified(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:
            return 0.0

    others = sorted((p for p in directory.glob(f"{_PREFIX}*{_SUFFIX}") if p != keep), key=modified, reverse=True)
    for stale in others[KEEP_FILES - 1 :]:
        try:
            stale.unlink()
        except OSError:
            pass
