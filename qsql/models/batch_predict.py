"""ML_PREDICT through the Batch File API ('batch-api' = 'true'): every request of a statement
goes into one job (split into files of at most 50,000), and each row gets its reply — or
its line's error — by ``custom_id``, which is the request's reply-cache key.

The caller prepares the texts (skips, truncation, cache lookups) and applies the error policy
per row; this module turns ``{key: text}`` into ``{key: Prediction | ModelError}``. A line that
failed for a passing reason (throttled, a server error, a timeout) goes out again in a
follow-up batch of just those lines, up to 'retry-num' and at most three rounds, when the
error policy is RETRY; a line that still failed is sent again by the next run of the script,
while every reply that succeeded (and so was billed) is kept and never requested again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import ModelError
from .batch_api import BatchClient, BatchResult, endpoint_path
from .batch_job import JobReport, run_job
from .batch_store import BatchStore
from .config import ModelConfig
from .ratelimit import Clock

# Printed by EXPLAIN and the summary.
PRICE_NOTE = "Batch File API: the batch price applies (50% of the real-time price)"


def base_url_of(config: ModelConfig) -> str:
    url = config.url.rstrip("/")
    for suffix in ("/chat/completions", "/embeddings"):
        if url.endswith(suffix):
            return url[: -len(suffix)]
    return url


def run_batch(
    config: ModelConfig,
    bodies: dict[str, dict[str, Any]],
    *,
    run: Callable[[Any], Any],
    http_client: Any,
    clock: Clock,
    parse: Callable[[dict[str, Any]], Any],
    on_progress: Callable[[JobReport], None] | None = None,
    store_path: Path | None = None,
    poll_interval: float = 5.0,
    dry_run: bool = False,
) -> tuple[dict[str, Any], JobReport]:
    """Run the job; ``run`` runs a coroutine to completion on the session's event loop and
    ``parse(body)`` reads one reply body into a Prediction (raising ModelError if it cannot)."""
    report = JobReport()
    if not bodies:
        return {}, report
    try:
        store = BatchStore(store_path)
    except Exception as error:
        raise ModelError(
            f"cannot open the batch record in the disk cache: {error}",
            hint="the Batch API needs it so that an interrupted run never pays twice",
        ) from error
    client = BatchClient(
        http_client,
        base_url_of(config),
        {"Authorization": f"Bearer {config.api_key.reveal()}"},
        classify=config.protocol.classify,
    )
    try:
        results = run(
            run_job(
                client,
                store,
                clock,
                requests=bodies,
                endpoint=endpoint_path(config.url),
                provider=config.provider,
                model=config.model,
                completion_window=config.batch_completion_window,
                poll_interval=poll_interval,
                on_progress=on_progress,
                report=report,
                retryable=lambda result: _retryable(config, result),
                retry_rounds=retry_rounds(config),
                dry_run=dry_run,
            )
        )
    finally:
        store.close()
    outcomes: dict[str, Any] = {}
    for key in bodies:
        outcomes[key] = _outcome(results.get(key), parse, report)
    return outcomes, report


# Follow-up batches after lines failed for a passing reason: each may take up to the completion
# window, so far fewer rounds than a real-time request's retries.
MAX_RETRY_ROUNDS = 3


def retry_rounds(config: ModelConfig) -> int:
    """Follow-up batches allowed: none unless 'error-handling-strategy' is RETRY, at most
    'retry-num' and at most :data:`MAX_RETRY_ROUNDS`."""
    policy = config.retry
    return min(policy.retries, MAX_RETRY_ROUNDS) if policy.may_retry(1, True) else 0


def _retryable(config: ModelConfig, result: BatchResult) -> bool:
    """A failed line worth sending again: the provider's own rule for its status and code (429
    throttling, 5xx and timeouts yes; account states and requests it refuses itself no). A line
    the batch never ran (expired, cancelled) has no status and is not sent again here."""
    if result.ok or result.status_code is None:
        return False
    return config.protocol.classify(result.status_code, result.error_code, result.error_message).retryable


def _outcome(result: BatchResult | None, parse: Callable[[dict[str, Any]], Any], report: JobReport) -> Any:
    if result is None:
        states = ", ".join(sorted({s.status for s in report.statuses.values()})) or "unknown"
        return ModelError(f"the Batch API returned no result for this request (batch {states})", retryable=False)
    if result.ok:
        try:
            return parse(result.body or {})
        except ModelError as error:
            return error
    status = f"HTTP {result.status_code}" if result.status_code else "failed"
    code = f" ({result.error_code})" if result.error_code else ""
    return ModelError(f"batch request {status}: {result.error_message}{code}", status=result.status_code)
