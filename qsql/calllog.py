"""The log of model calls (``SET 'qsql.log' = 'on'``; ``qsql logs``), as ``llm logs`` keeps
one (qsql extension).

One SQLite row per HTTP attempt (and per reply served from the cache): time, model, endpoint
host, tokens, latency, status, cache hit and — unless the mode is 'meta' — the request and
reply text. The database lives in the user data directory and is readable by the user only
(0600). The API key is never written: the request body never holds it, and anything that
looks like a bearer token or an ``sk-`` key is scrubbed again before a row is stored.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import sys
from pathlib import Path

MODES = ("on", "meta", "off")

_COLUMNS = (
    ("time", "TEXT"),
    ("model", "TEXT"),
    ("model_id", "TEXT"),
    ("provider", "TEXT"),
    ("host", "TEXT"),
    ("attempt", "INTEGER"),
    ("inputs", "INTEGER"),
    ("status", "INTEGER"),
    ("ok", "INTEGER"),
    ("latency", "REAL"),
    ("prompt_tokens", "INTEGER"),
    ("completion_tokens", "INTEGER"),
    ("reasoning_tokens", "INTEGER"),
    ("cache_hit", "INTEGER"),
    ("error", "TEXT"),
    ("request", "TEXT"),
    ("reply", "TEXT"),
)
_NAMES = [name for name, _ in _COLUMNS]
_SECRET_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[^\s\"']+"),
    re.compile(r"\bsk-[A-Za-z0-9_\-]{6,}"),
    re.compile(r"(?i)(\"?api[-_]?key\"?\s*[:=]\s*\"?)[^\s\"',}]+"),
)


def default_log_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("qsql")) / "calls.db"


def scrub(text: str | None) -> str | None:
    """Text with anything shaped like a key replaced by ****."""
    if text is None:
        return None
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "****", text)
    return text


class CallLog:
    """Append-only store of model calls; opened on the first record, closed with the session."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_log_path()
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():
                # Created 0600 before SQLite writes a byte: replies may hold private data.
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
            os.chmod(self.path, 0o600)
            self._db = sqlite3.connect(self.path)
            columns = ", ".join(f"{name} {kind}" for name, kind in _COLUMNS)
            self._db.execute(f"CREATE TABLE IF NOT EXISTS calls (id INTEGER PRIMARY KEY, {columns})")
        return self._db

    def record(self, call: object, mode: str = "on", now: dt.datetime | None = None) -> None:
        """Store one call; ``call`` has the fields of qsql.models.hooks.CallRecord. In 'meta'
        mode the request and reply text are left out."""
        if mode == "off":
            return
        values = {name: getattr(call, name, None) for name in _NAMES}
        values["time"] = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="milliseconds")
        values["request"] = scrub(getattr(call, "request_text", None)) if mode == "on" else None
        values["reply"] = scrub(getattr(call, "reply_text", None)) if mode == "on" else None
        values["error"] = scrub(values["error"])
        for flag in ("ok", "cache_hit"):
            values[flag] = None if values[flag] is None else int(bool(values[flag]))
        db = self._connect()
        db.execute(
            f"INSERT INTO calls ({', '.join(_NAMES)}) VALUES ({', '.join('?' * len(_NAMES))})",
            [values[name] for name in _NAMES],
        )
        db.commit()

    def recent(self, count: int = 10) -> list[dict[str, object]]:
        """The last ``count`` calls (0: all), oldest first."""
        if not self.path.exists():
            return []
        db = self._connect()
        limit = "" if count <= 0 else f" LIMIT {int(count)}"
        cursor = db.execute(f"SELECT id, {', '.join(_NAMES)} FROM calls ORDER BY id DESC{limit}")
        names = ["id", *_NAMES]
        return [dict(zip(names, row)) for row in reversed(cursor.fetchall())]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def describe_call(call: dict[str, object]) -> str:
    """One call as a short block for people."""
    status = "cache" if call.get("cache_hit") else call.get("status") if call.get("status") is not None else "no reply"
    tokens = f"{call.get('prompt_tokens') or 0} prompt + {call.get('completion_tokens') or 0} completion"
    if call.get("reasoning_tokens"):
        tokens += f" + {call['reasoning_tokens']} reasoning"
    latency = call.get("latency")
    head = (
        f"#{call['id']} {call['time']}  {call.get('model')} ({call.get('model_id')} @ {call.get('host')})  "
        f"{status}  {latency * 1000:.0f} ms  {tokens} tokens"
        if isinstance(latency, (int, float))
        else f"#{call['id']} {call['time']}  {call.get('model')} ({call.get('model_id')} @ {call.get('host')})  "
        f"{status}  {tokens} tokens"
    )
    lines = [head]
    attempt = call.get("attempt")  # an INTEGER column
    if isinstance(attempt, int) and attempt > 1:
        lines[0] += f"  attempt {call['attempt']}"
    if call.get("error"):
        lines.append(f"  error: {call['error']}")
    if call.get("request"):
        lines.append(f"  request: {call['request']}")
    if call.get("reply"):
        lines.append(f"  reply: {call['reply']}")
    return "\n".join(lines)


def logs_command(count: int, as_json: bool, show_path: bool, path: Path | None = None) -> int:
    """``qsql logs [-n N] [--json] [--path]``."""
    log = CallLog(path)
    if show_path:
        sys.stdout.write(f"{log.path}\n")
        return 0
    try:
        calls = log.recent(count)
    except sqlite3.Error as error:
        sys.stderr.write(f"qsql logs: cannot read {log.path}: {error}\n")
        return 1
    finally:
        log.close()
    if not calls:
        sys.stderr.write(
            f"no model calls logged in {log.path} (SET 'qsql.log' = 'on', or log = \"on\" in config.toml, to start)\n"
        )
        return 0
    for call in calls:
        sys.stdout.write((json.dumps(call, ensure_ascii=False) if as_json else describe_call(call)) + "\n")
    return 0
