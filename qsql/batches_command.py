"""``qsql batches [list | cancel ID]``: the Batch API jobs qsql started (model option 'batch-api').

The list comes from the disk cache's record (qsql/models/batch_store.py) as of the last time
a run looked at each batch; ``cancel`` asks the provider to cancel one (requests it already
finished are still billed, as the provider documents) and records the new status.
"""

from __future__ import annotations

import datetime as dt
import sys

from .models.batch_store import BatchRecord, BatchStore
from .models.providers import PROVIDERS


def batches_command(action: str, batch_id: str | None) -> int:
    try:
        store = BatchStore()
    except Exception as error:  # an unreadable cache dir: one line, not a traceback
        sys.stderr.write(f"qsql batches: cannot open the batch record: {error}\n")
        return 1
    try:
        if action == "list":
            return _list(store)
        if not batch_id:
            sys.stderr.write("qsql batches: cancel needs a batch id (see 'qsql batches list')\n")
            return 2
        return _cancel(store, batch_id)
    finally:
        store.close()


def _list(store: BatchStore) -> int:
    records = store.all()
    if not records:
        sys.stdout.write("no batches\n")
        return 0
    rows = [("ID", "STATUS", "MODEL", "REQUESTS", "CREATED", "RESULTS", "ENDPOINT")]
    for record in records:
        created = dt.datetime.fromtimestamp(record.created, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        rows.append((record.id, record.status, record.model, str(record.requests), created,
                     "collected" if record.collected else "pending", record.base_url))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        sys.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() + "\n")
    return 0


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
