"""What one ML_PREDICT did and cost. The model package counts requests, retries, cache hits
and tokens; the executor counts rows (in, out, failed, dropped, skipped)."""

from __future__ import annotations

from dataclasses import field

from ..lazydataclass import lazy_dataclass


@lazy_dataclass
class PredictStats:
    """Every input row is counted exactly once in ``rows_in`` and ends as output row(s), a
    failed row (kept or dropped), or a skipped one."""

    model: str
    source: str
    rows_in: int = 0
    skipped_null: int = 0
    skipped_empty: int = 0  # '' inputs: never sent (providers refuse them), no output row
    skipped_overflow: int = 0
    truncated: int = 0
    cut_note: str | None = None  # how inputs were cut, for the warning ("cut to 100 UTF-8 bytes, ...")
    requests: int = 0
    retries: int = 0
    cache_hits: int = 0
    failed_rows: int = 0  # rows whose call failed for good under IGNORE (kept or dropped)
    dropped_rows: int = 0  # of those, rows dropped because the model declares no error column
    rows_out: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    elapsed: float = 0.0
    first_error: str | None = None
    total: int | None = None  # input rows, when known before running (for progress)
    rows_done: int = 0  # input rows finished: answered, failed or skipped (rows_in counts rows read)
    # What the summary adds: the rate limit qsql found or kept to, the batch price (qsql extensions).
    notes: list[str] = field(default_factory=list)
    batch_api: bool = False  # answered through the Batch File API (billed at the batch price)
