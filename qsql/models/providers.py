"""The providers qsql knows. They share one wire protocol (OpenAI's chat completions and
embeddings) and differ only in these facts, so each is a record, not a class."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Provider:
    name: str
    api_key_env: str
    # qsql extension: a provider with a default endpoint lets 'endpoint' be omitted.
    default_endpoint: str | None
    # Most inputs one embeddings request may carry.
    embedding_batch_limit: int
    # Whether it offers the OpenAI-compatible Batch File API (/files, /batches) at its base URL.
    batch_api: bool = False


PROVIDERS: dict[str, Provider] = {
    p.name: p
    for p in (
        Provider("qwen", "DASHSCOPE_API_KEY", "https://dashscope.aliyuncs.com/compatible-mode/v1", 10, batch_api=True),
        Provider("openai", "OPENAI_API_KEY", None, 2048, batch_api=True),
        Provider("deepseek", "DEEPSEEK_API_KEY", None, 1),
    )
}

API_KEY_ENV_VARS = tuple(p.api_key_env for p in PROVIDERS.values())
