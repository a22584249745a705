"""One Batch API job for a set of requests: take what was already paid for, resume the batches
an earlier run started, submit the rest (split into files of at most 50,000), wait with
progress, and keep every successful reply before reporting it.

Requests are named by their reply-cache key, which is also each line's ``custom_id``. Nothing
here knows SQL or rows: ML_PREDICT passes request bodies by key and gets a
:class:`BatchResult` per key back (a success, a failed line, or no result at all).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import ModelError
from .batch_api import (
    DRY_RUN_MAX_BYTES,
    DRY_RUN_MAX_LINES,
    TEST_ENDPOINT,
    TEST_MODEL,
    BatchClient,
    BatchRequest,
    BatchResult,
    BatchStatus,
    iter_files,
    split_into_files,
)
from .batch_store import BatchStore
from .ratelimit import Clock


@dataclass
class JobReport:
    """What the job did, for the summary and the tests."""

    submitted: list[str] = field(default_factory=list)  # batch ids created by this run
    resumed: list[str] = field(default_factory=list)  # batch ids an earlier run created
    already_paid: int = 0  # requests answered from batch_results, without any batch
    statuses: dict[str, BatchStatus] = field(default_factory=dict)  # last status of each batch
    retried: int = 0  # lines sent again in follow-up batches after a passing failure
    dry_run_lines: int = 0  # lines the free test model validated before the job was submitted

    def progress_line(self) -> str:
        statuses = list(self.statuses.values())
        total = sum(s.total for s in statuses)
        done = sum(s.completed + s.failed for s in statuses)
        states = ", ".join(sorted({s.status for s in statuses})) or "submitting"
        count = len(statuses)
        return f"Batch API: {count} batch{'es' if count != 1 else ''} {states}, {done}/{total} requests done"


async def run_job(
    client: BatchClient,
    store: BatchStore,
    clock: Clock,
    *,
    requests: dict[str, dict],
    endpoint: str,
    provider: str,
    model: str,
    completion_window: str = "24h",
    poll_interval: float = 5.0,
    on_progress: Callable[[JobReport], None] | None = None,
    report: JobReport | None = None,
    retryable: Callable[[BatchResult], bool] | None = None,
    retry_rounds: int = 0,
    dry_run: bool = False,
) -> dict[str, BatchResult]:
    report = report if report is not None else JobReport()
    results: dict[str, BatchResult] = {}
    paid = store.results(requests)
    for key, body in paid.items():
        results[key] = BatchResult(key, 200, body)
    report.already_paid = len(paid)
    remaining = [key for key in requests if key not in paid]
    pending = store.pending(remaining, client.base_url)
    report.resumed = sorted(set(pending.values()))
    batch_ids = list(report.resumed)
    to_submit = [key for key in remaining if key not in pending]
    if dry_run and to_submit:
        report.dry_run_lines = await validate_with_test_model(
            client,
            clock,
            [BatchRequest(key, requests[key]) for key in to_submit[:DRY_RUN_MAX_LINES]],
            poll_interval,
        )
    batch_ids += await _submit(client, store, to_submit, requests, endpoint, provider, model, completion_window, report)

    def progress(status: BatchStatus) -> None:
        report.statuses[status.id] = status
        store.set_status(status.id, status.status)
        if on_progress is not None:
            on_progress(report)

    async def collect(batch_ids: list[str]) -> None:
        """Wait for each batch and take its results (kept in the store before anyone sees them)."""
        index = 0
        while index < len(batch_ids):
            batch_id = batch_ids[index]
            index += 1
            try:
                final = await client.wait(batch_id, clock, poll_interval, on_progress=progress)
            except ModelError as error:
                if error.status == 404 and batch_id in report.resumed:
                    # The service forgot it (or it was another stub run): its requests go out again.
                    lost = [key for key, owner in pending.items() if owner == batch_id]
                    store.forget(batch_id)
                    batch_ids += await _submit(
                        client, store, lost, requests, endpoint, provider, model, completion_window, report
                    )
                    continue
                raise
            got = await client.results(final)
            paid_now = {key: result.body for key, result in got.items() if result.ok and result.body is not None}
            store.put_results(paid_now)  # kept before anyone sees them: never paid for twice
            results.update({key: result for key, result in got.items() if key in requests})
            store.collected(batch_id, final.status)

    await collect(batch_ids)
    # Lines that failed for a passing reason (throttled, a server error or timeout) go out
    # again in a follow-up batch of just those lines, at most ``retry_rounds`` times; the rest
    # (and what still fails after the last round) go to the caller's error policy.
    for _ in range(retry_rounds if retryable is not None else 0):
        again = [key for key, result in results.items() if not result.ok and retryable(result)]  # type: ignore[misc]
        if not again:
            break
        report.retried += len(again)
        await collect(
            await _submit(client, store, again, requests, endpoint, provider, model, completion_window, report)
        )
    return results


async def _submit(
    client: BatchClient,
    store: BatchStore,
    keys: list[str],
    requests: dict[str, dict],
    endpoint: str,
    provider: str,
    model: str,
    completion_window: str,
    report: JobReport,
) -> list[str]:
    created: list[str] = []
    files = iter_files((BatchRequest(key, requests[key]) for key in keys), endpoint)  # one file in memory at a time
    for number, (ids, content) in enumerate(files, start=1):
        file_id = await client.upload(content, filename=f"qsql-{model}-{number}.jsonl")
        status = await client.create(
            file_id,
            endpoint,
            completion_window,
            metadata={"ds_name": f"qsql {model}"[:100]},
        )
        store.record(status.id, client.base_url, provider, model, status.status, ids)
        report.submitted.append(status.id)
        report.statuses[status.id] = status
        created.append(status.id)
    return created


async def validate_with_test_model(
    client: BatchClient,
    clock: Clock,
    requests: list[BatchRequest],
    poll_interval: float = 5.0,
) -> int:
    """Run the job's first lines (at most 100 and 1 MB, the test model's limits) through
    DashScope's free ``batch-test-model`` at ``/v1/chat/ds-test``: the file format, the
    ``custom_id``s and the request bodies are checked without running or billing anything.
    Returns how many lines passed; raises ModelError naming what the service refused."""
    trial = [BatchRequest(r.custom_id, {**r.body, "model": TEST_MODEL}) for r in requests]
    files = split_into_files(trial, TEST_ENDPOINT, max_requests=DRY_RUN_MAX_LINES, max_bytes=DRY_RUN_MAX_BYTES)
    if not files:
        return 0
    ids, content = files[0]
    file_id = await client.upload(content, filename="qsql-dry-run.jsonl")
    status = await client.create(file_id, TEST_ENDPOINT, "24h", metadata={"ds_name": "qsql dry run"})
    final = await client.wait(status.id, clock, poll_interval)
    if final.status != "completed":
        reasons = "; ".join(final.errors) or final.status
        raise ModelError(
            f"the Batch API dry run (batch-test-model) refused the file: {reasons}",
            hint="nothing was submitted or billed; fix the requests and run again",
        )
    failed = [r for r in (await client.results(final)).values() if not r.ok]
    if failed:
        first = failed[0]
        raise ModelError(
            f"the Batch API dry run (batch-test-model) refused {len(failed)} of {len(ids)} lines, e.g. "
            f"{first.custom_id}: {first.error_message}" + (f" ({first.error_code})" if first.error_code else ""),
            hint="nothing was submitted or billed; fix the requests and run again",
        )
    return len(ids)
