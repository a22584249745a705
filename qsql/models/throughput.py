"""Where ML_PREDICT meets rate control and the Batch File API: two small adapters, so the call
path only has to (1) send each HTTP attempt through :func:`paced` and (2) map its groups
through :func:`batch_groups` instead of the concurrent runtime when 'batch-api' = 'true'.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from ..errors import ModelError
from .batch_api import MAX_REQUESTS_PER_FILE
from .batch_job import JobReport
from .batch_predict import PRICE_NOTE, run_batch
from .config import ModelConfig
from .ratelimit import Clock, RateController

Item = TypeVar("Item")
T = TypeVar("T")


async def paced(
    controller: RateController | None, send: Callable[[], Awaitable[list[T]]], estimated_tokens: int
) -> list[T]:
    """One HTTP attempt under the model's rate controller; it learns from the outcome."""
    if controller is None:
        return await send()
    async with controller.attempt(estimated_tokens) as slot:
        try:
            predictions = await send()
        except ModelError as error:
            slot.status, slot.code, slot.retry_after = error.status, error.code, error.retry_after
            raise
        slot.status = 200
        for prediction in predictions:
            usage = getattr(prediction, "usage", None)
            slot.prompt_tokens += getattr(usage, "prompt_tokens", 0)
            slot.completion_tokens += getattr(usage, "completion_tokens", 0)
        return predictions


def rate_note(controller: RateController | None) -> str | None:
    """The summary's word on rate limits: what qsql found, or the declared pace."""
    if controller is None:
        return None
    return controller.summary().describe()


# Distinct requests read before a Batch API job is submitted: one batch file's worth.
CHUNK_REQUESTS = MAX_REQUESTS_PER_FILE


def batch_groups(
    config: ModelConfig,
    groups: Iterable[list[Item]],
    *,
    pending: Callable[[Item], bool],
    key_of: Callable[[Item], str],
    body_of: Callable[[Item], dict[str, Any]],
    answer_of: Callable[[Item], Any],
    parse: Callable[[dict[str, Any]], Any],
    run: Callable[[Any], Any],
    http_client: Any,
    clock: Clock,
    notes: list[str],
    count_requests: Callable[[int], None],
    on_progress: Callable[[str], None] | None = None,
    store_path: Path | None = None,
    chunk_requests: int | None = None,
) -> Iterator[tuple[list[Item], list[Any]]]:
    """``(group, outcomes)`` like the runtime's map, through Batch API jobs.

    The input is read in chunks of at most ``chunk_requests`` distinct pending requests (one
    batch file's worth): each chunk is submitted, waited for and answered before the next is
    read, so memory holds one chunk, however large the input. Identical requests go once."""
    chunk_requests = chunk_requests or CHUNK_REQUESTS
    totals = JobReport()
    batches = 0
    sent = 0
    last = [""]

    def progress(report: JobReport) -> None:
        line = report.progress_line()
        if line != last[0] and on_progress is not None:
            on_progress(line)
        last[0] = line

    def answer(
        chunk: list[list[Item]], bodies: dict[str, dict[str, Any]], first: bool
    ) -> Iterator[tuple[list[Item], list[Any]]]:
        nonlocal batches, sent
        outcomes, report = run_batch(
            config,
            bodies,
            run=run,
            http_client=http_client,
            clock=clock,
            parse=parse,
            on_progress=progress,
            store_path=store_path,
            dry_run=config.batch_dry_run and first,
        )
        now_sent = len(bodies) - report.already_paid + report.retried
        count_requests(now_sent)
        sent += now_sent
        batches += len(report.statuses)
        totals.resumed += report.resumed
        totals.already_paid += report.already_paid
        totals.retried += report.retried
        totals.dry_run_lines += report.dry_run_lines
        for unit in chunk:
            yield unit, [outcomes[key_of(item)] if pending(item) else answer_of(item) for item in unit]

    chunk: list[list[Item]] = []
    bodies: dict[str, dict[str, Any]] = {}
    first = True
    for group in groups:
        chunk.append(group)
        for item in group:
            if pending(item):
                bodies.setdefault(key_of(item), body_of(item))
        if len(bodies) >= chunk_requests:
            yield from answer(chunk, bodies, first)
            chunk, bodies, first = [], {}, False
    if chunk:
        yield from answer(chunk, bodies, first)

    detail = f"{sent} requests in {batches} batch{'es' if batches != 1 else ''}"
    if totals.resumed:
        detail += f" ({len(totals.resumed)} resumed from an earlier run)"
    if totals.already_paid:
        detail += f", {totals.already_paid} answered from earlier batches"
    if totals.dry_run_lines:
        detail += f"; the first {totals.dry_run_lines} passed a dry run with batch-test-model"
    if totals.retried:
        detail += f" ({totals.retried} sent again in follow-up batches after a passing failure)"
    notes.append(f"{PRICE_NOTE}: {detail}")
