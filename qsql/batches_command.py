"""``qsql batches [list | cancel ID]``: the Batch API jobs qsql started (model option 'batch-api').

The list comes from the disk cache's record (qsql/models/batch_store.py); a batch that is
not finished there is looked up at the provider (``GET /batches/{id}``) when its API key is
at hand, and the record updated, so the list shows where each batch is now. Without a key,
with ``--offline`` or when the provider cannot be reached, the recorded status is shown and
a line says so. ``cancel`` asks the provider to cancel one (requests it already
finished are still billed, as the provider documents) and records the new status.
"""

from __future__ import annotations

import datetime as dt
import sys

from .models.batch_store import BatchRecord, BatchStore
from .models.providers import PROVIDERS


def batches_command(action: str, batch_id: str | None, offline: bool = False) -> int:
    try:
        store = BatchStore()
    except Exception as error:  # an unreadable cache dir: one line, not a traceback
        sys.stderr.write(f"qsql batches: cannot open the batch record: {error}\n")
        return 1
    try:
        if action == "list":
            return _list(store, offline)
        if not batch_id:
            sys.stderr.write("qsql batches: cancel needs a batch id (see 'qsql batches list')\n")
            return 2
        return _cancel(store, batch_id)
    finally:
        store.close()


def _list(store: BatchStore, offline: bool) -> int:
    records = store.all()
    if not records:
        sys.stdout.write("no batches\n")
        return 0
    live, notes = ({}, []) if offline else _refresh(store, records)
    records = store.all()
    rows = [("ID", "STATUS", "DONE", "MODEL", "REQUESTS", "CREATED", "RESULTS", "ENDPOINT")]
    for record in records:
        created = dt.datetime.fromtimestamp(record.created, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        status = live.get(record.id)
        done = f"{status.completed + status.failed}/{status.total}" if status is not None else "-"
        rows.append(
            (
                record.id,
                record.status,
                done,
                record.model,
                str(record.requests),
                created,
                "collected" if record.collected else "pending",
                record.base_url,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        sys.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() + "\n")
    if offline:
        notes.append("statuses as last recorded (--offline)")
    for note in notes:
        sys.stdout.write(f"({note})\n")
    return 0


def _refresh(store: BatchStore, records: list[BatchRecord]) -> tuple[dict, list[str]]:
    """Ask the provider where each unfinished batch is; record what it says. Returns the
    statuses it gave by batch id, and a note for each batch that could not be looked up."""
    import asyncio

    from .errors import ModelError
    from .models.batch_api import TERMINAL_STATES, BatchClient

    unfinished = [r for r in records if not r.collected and r.status not in TERMINAL_STATES]
    if not unfinished:
        return {}, []
    live: dict = {}
    notes: list[str] = []

    async def look_up() -> None:
        import httpx

        async with httpx.AsyncClient(trust_env=False) as http:
            for record in unfinished:
                key = _api_key(record)
                if not key:
                    notes.append(
                        f"{record.id}: status as last recorded; no API key for provider "
                        f"'{record.provider}' to ask the provider"
                    )
                    continue
                client = BatchClient(http, record.base_url, {"Authorization": f"Bearer {key}"}, timeout=15.0)
                try:
                    status = await client.retrieve(record.id)
                except ModelError as error:
                    notes.append(f"{record.id}: status as last recorded; {error.message}")
                    continue
                live[record.id] = status
                store.set_status(record.id, status.status)

    asyncio.run(look_up())
    return live, notes


def _cancel(store: BatchStore, batch_id: str) -> int:
    import asyncio

    record = store.get(batch_id)
    if record is None:
        sys.stderr.write(f"qsql batches: no batch '{batch_id}' in qsql's record (see 'qsql batches list')\n")
        return 1
    key = _api_key(record)
    from .errors import ModelError
    from .models.batch_api import BatchClient

    async def cancel() -> str:
        import httpx

        async with httpx.AsyncClient(trust_env=False) as http:
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            return (await BatchClient(http, record.base_url, headers).cancel(batch_id)).status

    try:
        status = asyncio.run(cancel())
    except ModelError as error:
        sys.stderr.write(f"qsql batches: cannot cancel {batch_id}: {error.message}\n")
        return 1
    store.set_status(batch_id, status)
    sys.stdout.write(f"{batch_id}: {status}\n")
    return 0


def _api_key(record: BatchRecord) -> str | None:
    import os

    provider = PROVIDERS.get(record.provider)
    if provider is None:
        return None
    key = os.environ.get(provider.api_key_env)
    if key:
        return key
    from .keys import stored_key

    return stored_key(provider.name)
