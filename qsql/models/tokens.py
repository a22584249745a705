"""Counting and cutting input text to a model's limit (max-context-size, embeddings' per-row limit)."""

from __future__ import annotations


def estimate_tokens(text: str) -> int:
    """An upper bound of the tokens a byte-level BPE tokenizer makes of ``text``: its UTF-8 bytes."""
    return len(text.encode("utf-8"))


def fit_to_limit(text: str, limit: int | None, action: str) -> tuple[str | None, bool]:
    """Apply max-context-size: (text to send or None to skip the row, whether it was cut).

    Tokens are estimated as UTF-8 bytes, an upper bound for byte-level BPE tokenizers, so an
    input that passes is never rejected by the provider for its length.
    """
    if limit is None:
        return text, False
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text, False
    if action.startswith("skipped"):
        return None, False
    if action.startswith("truncated-head"):
        return data[-limit:].decode("utf-8", errors="ignore"), True
    return data[:limit].decode("utf-8", errors="ignore"), True
