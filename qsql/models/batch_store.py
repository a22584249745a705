"""Which Batch API jobs qsql started and which requests they carry, kept in the disk cache's
SQLite file, so a run that was interrupted or timed out never pays twice: running the same
script again finds its requests' keys here and resumes polling the batch (or collects the
finished results) instead of submitting them again.

Three tables beside the reply cache's ``responses``: ``batches`` (one row per batch: its id,
the API's base URL, provider, model, status, request count, when it was created, whether its
results were collected), ``batch_requests`` (request key -> batch id) and ``batch_results``
(request key -> the reply body of a request that succeeded; only those are billed, so only
those must never be sent again — a failed line is sent again by the next run). The request key is the
reply cache's key, and it is also the line's ``custom_id``, so results map back to requests
without a table of their own. It is used for every model with 'batch-api' = 'true', whatever
'qsql.cache' says: forgetting a submitted batch would mean paying for it twice.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import default_disk_path

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS batches (id TEXT PRIMARY KEY, base_url TEXT NOT NULL, provider TEXT NOT NULL, "
    "model TEXT NOT NULL, status TEXT NOT NULL, requests INTEGER NOT NULL, created REAL NOT NULL, "
    "collected INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS batch_requests (key TEXT PRIMARY KEY, batch_id TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS batch_requests_by_batch ON batch_requests (batch_id)",
    "CREATE TABLE IF NOT EXISTS batch_results (key TEXT PRIMARY KEY, body TEXT NOT NULL, created REAL NOT NULL)",
)


@dataclass(frozen=True)
class BatchRecord:
    id: str
    base_url: str
    provider: str
    model: str
    status: str
    requests: int
    created: float
    collected: bool


def _record(row: tuple[Any, ...]) -> BatchRecord:
    """A row of ``SELECT id, base_url, provider, model, status, requests, created, collected``."""
    id_, base_url, provider, model, status, requests, created, collected = row
    return BatchRecord(id_, base_url, provider, model, status, requests, created, bool(collected))


class BatchStore:
    """SQLite, used from the engine's thread only, committed per change."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_disk_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        for statement in _SCHEMA:
            self._db.execute(statement)
        self._db.commit()

    def record(self, batch_id: str, base_url: str, provider: str, model: str, status: str, keys: list[str]) -> None:
        """A batch was created for these request keys (call before waiting for it)."""
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO batches (id, base_url, provider, model, status, requests, created, collected) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
                (batch_id, base_url, provider, model, status, len(keys), time.time()),
            )
            self._db.executemany(
                "INSERT OR REPLACE INTO batch_requests (key, batch_id) VALUES (?, ?)", ((k, batch_id) for k in keys)
            )

    def pending(self, keys: Iterable[str], base_url: str) -> dict[str, str]:
        """Request key -> id of an uncollected batch at this base URL that carries it."""
        found: dict[str, str] = {}
        keys = list(keys)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT r.key, r.batch_id FROM batch_requests r JOIN batches b ON b.id = r.batch_id "
                f"WHERE b.collected = 0 AND b.base_url = ? AND r.key IN ({marks})",
                (base_url, *chunk),
            )
            found.update(dict(rows.fetchall()))
        return found

    def put_results(self, bodies: dict[str, dict]) -> None:
        import json

        now = time.time()
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO batch_results (key, body, created) VALUES (?, ?, ?)",
                ((key, json.dumps(body, ensure_ascii=False), now) for key, body in bodies.items()),
            )

    def results(self, keys: Iterable[str]) -> dict[str, dict]:
        """Reply bodies already paid for, by request key."""
        import json

        found: dict[str, dict] = {}
        keys = list(keys)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = self._db.execute(
                f"SELECT key, body FROM batch_results WHERE key IN ({','.join('?' * len(chunk))})", chunk
            )
            found.update({key: json.loads(body) for key, body in rows.fetchall()})
        return found

    def set_status(self, batch_id: str, status: str) -> None:
        with self._db:
            self._db.execute("UPDATE batches SET status = ? WHERE id = ?", (status, batch_id))

    def collected(self, batch_id: str, status: str) -> None:
        """Its results are in the reply cache (or reported as failed): its requests are done."""
        with self._db:
            self._db.execute("UPDATE batches SET status = ?, collected = 1 WHERE id = ?", (status, batch_id))
            self._db.execute("DELETE FROM batch_requests WHERE batch_id = ?", (batch_id,))

    def forget(self, batch_id: str) -> None:
        """The service no longer knows the batch (404): its requests must be sent again."""
        with self._db:
            self._db.execute("DELETE FROM batch_requests WHERE batch_id = ?", (batch_id,))
            self._db.execute("UPDATE batches SET status = 'lost', collected = 1 WHERE id = ?", (batch_id,))

    def get(self, batch_id: str) -> BatchRecord | None:
        row = self._db.execute(
            "SELECT id, base_url, provider, model, status, requests, created, collected FROM batches WHERE id = ?",
            (batch_id,),
        ).fetchone()
        return _record(row) if row else None

    def all(self) -> list[BatchRecord]:
        rows = self._db.execute(
            "SELECT id, base_url, provider, model, status, requests, created, collected FROM batches ORDER BY created DESC"
        ).fetchall()
        return [_record(row) for row in rows]

    def close(self) -> None:
        self._db.close()


def unfinished_batches(path: Path | None = None) -> list[BatchRecord]:
    """The batches whose results were not collected yet, without creating the cache file."""
    path = path or default_disk_path()
    if not path.exists():
        return []
    try:
        with sqlite3.connect(path) as db:
            rows = db.execute(
                "SELECT id, base_url, provider, model, status, requests, created, collected FROM batches "
                "WHERE collected = 0 ORDER BY created"
            ).fetchall()
    except sqlite3.DatabaseError:  # no batch tables (or not a database): nothing to keep
        return []
    return [_record(row) for row in rows]


def clear_keeping_unfinished(path: Path | None = None) -> tuple[int, list[BatchRecord]]:
    """Empty the disk cache but keep the record of unfinished batches (their ids and which
    requests they carry): forgetting them would make the next run submit — and pay for —
    those requests again. Returns (cached replies removed, batches kept)."""
    from .cache import clear_disk_cache, disk_cache_info

    path = path or default_disk_path()
    kept = unfinished_batches(path)
    if not kept:
        return clear_disk_cache(path), []
    _, entries, _ = disk_cache_info(path)
    with sqlite3.connect(path) as db:
        for statement in (
            "DELETE FROM responses",
            "DELETE FROM batch_results",
            "DELETE FROM batch_requests WHERE batch_id NOT IN (SELECT id FROM batches WHERE collected = 0)",
            "DELETE FROM batches WHERE collected = 1",
        ):
            try:
                db.execute(statement)
            except sqlite3.OperationalError:  # a table this cache file never had
                pass
    with sqlite3.connect(path) as db:
        db.execute("VACUUM")
    return entries, kept
