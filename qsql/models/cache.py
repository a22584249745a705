"""Identical model requests are sent once: a response cache keyed by the request itself.

The key is a SHA-256 of what decides the answer — provider, URL, model, every body field
(system prompt, sampling options, the input text) — and never includes the API key. Only
successful replies are stored. Three modes (a qsql extension; Flink has none), chosen with
``SET 'qsql.cache' = 'memory' | 'disk' | 'off'``:

* memory (default): for the session;
* disk: SQLite in the user cache directory, shared by every run (``qsql cache clear``);
* off.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from pathlib import Path

from ..private_files import ensure_private_file
from .protocol import Prediction, Usage

MEMORY_ENTRIES = 100_000


def cache_key(provider: str, endpoint: str, body: dict) -> str:
    material = json.dumps(
        {"provider": provider, "endpoint": endpoint, "body": body}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def default_disk_path() -> Path:
    from platformdirs import user_cache_dir  # imported here: a run without the disk cache never needs it

    return Path(user_cache_dir("qsql")) / "responses.sqlite3"


def _encode(prediction: Prediction) -> str:
    usage = prediction.usage
    data: dict[str, object] = {
        "outputs": prediction.outputs,
        "usage": [usage.prompt_tokens, usage.completion_tokens, usage.reasoning_tokens],
    }
    if prediction.reasoning:
        data["reasoning"] = prediction.reasoning
    return json.dumps(data, ensure_ascii=False)


def _decode(text: str) -> Prediction:
    data = json.loads(text)
    return Prediction(data["outputs"], Usage(*data["usage"]), data.get("reasoning") or [])


class ResponseCache:
    """No caching; the base of the real ones."""

    mode = "off"

    def get(self, key: str) -> Prediction | None:
        return None

    def put(self, key: str, prediction: Prediction) -> None:
        pass

    def close(self) -> None:
        pass


class MemoryCache(ResponseCache):
    mode = "memory"

    def __init__(self, capacity: int = MEMORY_ENTRIES) -> None:
        self._entries: OrderedDict[str, Prediction] = OrderedDict()
        self._capacity = capacity

    def get(self, key: str) -> Prediction | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: str, prediction: Prediction) -> None:
        self._entries[key] = prediction
        self._entries.move_to_end(key)
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)


class DiskCache(ResponseCache):
    """SQLite; used only from the thread that created it (the engine's), committed per write."""

    mode = "disk"

    def __init__(self, path: Path | None = None) -> None:
        import sqlite3  # imported here, like platformdirs: only the disk cache needs it (start-up)

        self.path = path or default_disk_path()
        # 0600 before SQLite opens it: its -wal and -shm files take the database's mode.
        ensure_private_file(self.path)
        self._db = sqlite3.connect(self.path, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, value TEXT NOT NULL, created REAL NOT NULL)"
        )
        self._db.commit()

    def get(self, key: str) -> Prediction | None:
        row = self._db.execute("SELECT value FROM responses WHERE key = ?", (key,)).fetchone()
        return _decode(row[0]) if row else None

    def put(self, key: str, prediction: Prediction) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO responses (key, value, created) VALUES (?, ?, ?)",
            (key, _encode(prediction), time.time()),
        )
        self._db.commit()

    def close(self) -> None:
        self._db.close()


def open_cache(mode: str, disk_path: Path | None = None) -> ResponseCache:
    if mode == "memory":
        return MemoryCache()
    if mode == "disk":
        import sqlite3

        try:
            return DiskCache(disk_path)
        except (OSError, sqlite3.Error) as error:
            from ..errors import ExecutionError

            where = disk_path or default_disk_path()
            raise ExecutionError(
                f"cannot open the reply cache at {where}: {error}",
                hint="SET 'qsql.cache' = 'memory' to go on without it",
            ) from error
    return ResponseCache()


def disk_cache_info(path: Path | None = None) -> tuple[Path, int, int]:
    """(path, entries, bytes) of the disk cache; zeros when it does not exist."""
    import sqlite3

    path = path or default_disk_path()
    if not path.exists():
        return path, 0, 0
    with sqlite3.connect(path) as db:
        try:
            (entries,) = db.execute("SELECT COUNT(*) FROM responses").fetchone()
        except sqlite3.DatabaseError:
            entries = 0
    size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    return path, entries, size


def clear_disk_cache(path: Path | None = None) -> int:
    """Delete the disk cache; returns how many entries it held."""
    path = path or default_disk_path()
    _, entries, _ = disk_cache_info(path)
    for file in path.parent.glob(path.name + "*"):
        file.unlink()
    return entries
