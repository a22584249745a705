"""Counting and cutting input text to a model's limit (max-context-size, embeddings' max-tokens).

A Qwen model's text is counted with Qwen's own tokenizer when one is installed: the BPE table
``qwen.tiktoken`` that Alibaba's ``dashscope`` SDK ships (Apache-2.0, 2.5 MB), read offline with
``tiktoken`` (MIT). qsql does not depend on either (the SDK pulls in aiohttp, fastapi, uvicorn,
opentelemetry ...): ``pip install tiktoken dashscope`` enables it, or ``QSQL_QWEN_TIKTOKEN`` may
name a ``qwen.tiktoken`` file. Without it, and for other providers' models, text is counted in
UTF-8 bytes: never fewer than a byte-level BPE tokenizer's tokens, so an input that fits is
never refused for its length, at the price of cutting some inputs earlier than needed.
"""

from __future__ import annotations

import base64
import functools
import importlib.util
import os
from pathlib import Path
from typing import Any

# Qwen's pre-tokenizer pattern, as in the dashscope SDK's qwen_tokenizer.py.
QWEN_PATTERN = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
QWEN_VOCAB_ENV = "QSQL_QWEN_TIKTOKEN"


class Tokenizer:
    """UTF-8 bytes: the fallback for models with no tokenizer."""

    name = "UTF-8 bytes"

    def count(self, text: str) -> int:
        return len(text.encode("utf-8"))

    def head(self, text: str, limit: int) -> str:
        return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")

    def tail(self, text: str, limit: int) -> str:
        return text.encode("utf-8")[-limit:].decode("utf-8", errors="ignore") if limit else ""


BYTES = Tokenizer()


class TiktokenTokenizer(Tokenizer):
    def __init__(self, name: str, encoding: Any) -> None:  # a tiktoken.Encoding (tiktoken is optional)
        self.name = name
        self._encoding = encoding

    def _tokens(self, text: str) -> list[int]:
        return self._encoding.encode(text, disallowed_special=())

    def count(self, text: str) -> int:
        return len(self._tokens(text))

    def _decode(self, tokens: list[int]) -> str:
        return self._encoding.decode_bytes(tokens).decode("utf-8", errors="ignore")

    def head(self, text: str, limit: int) -> str:
        return self._decode(self._tokens(text)[:limit])

    def tail(self, text: str, limit: int) -> str:
        return self._decode(self._tokens(text)[-limit:]) if limit else ""


def qwen_vocab_path() -> Path | None:
    """Where a qwen.tiktoken file is: $QSQL_QWEN_TIKTOKEN, else inside an installed dashscope
    package (found without importing it)."""
    named = os.environ.get(QWEN_VOCAB_ENV)
    if named:
        return Path(named) if Path(named).is_file() else None
    try:
        spec = importlib.util.find_spec("dashscope")
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location) / "resources" / "qwen.tiktoken"
        if candidate.is_file():
            return candidate
    return None


@functools.lru_cache(maxsize=4)
def _load_tiktoken(path: str) -> Tokenizer | None:
    try:
        import tiktoken
    except ImportError:
        return None
    ranks: dict[bytes, int] = {}
    with open(path, "rb") as file:
        for line in file:
            if line.strip():
                token, rank = line.split()
                ranks[base64.b64decode(token)] = int(rank)
    encoding = tiktoken.Encoding("qwen", pat_str=QWEN_PATTERN, mergeable_ranks=ranks, special_tokens={})
    return TiktokenTokenizer("Qwen tokens", encoding)


def tokenizer_for(provider: str, model: str) -> Tokenizer:
    """The most faithful tokenizer available for a model; bytes when there is none."""
    if provider == "qwen":
        path = qwen_vocab_path()
        if path is not None:
            found = _load_tiktoken(str(path))
            if found is not None:
                return found
    return BYTES


def estimate_tokens(text: str) -> int:
    """A cheap upper bound for batching budgets: UTF-8 bytes."""
    return len(text.encode("utf-8"))


def fit_to_limit(text: str, limit: int | None, action: str, tokenizer: Tokenizer = BYTES) -> tuple[str | None, bool]:
    """Apply max-context-size: (text to send or None to skip the row, whether it was cut)."""
    if limit is None:
        return text, False
    if len(text) * 4 <= limit or tokenizer.count(text) <= limit:  # 4 bytes per character at most
        return text, False
    if action.startswith("skipped"):
        return None, False
    if action.startswith("truncated-head"):
        return tokenizer.tail(text, limit), True
    return tokenizer.head(text, limit), True
