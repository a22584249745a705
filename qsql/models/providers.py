"""The providers qsql knows. Each is a record of facts plus the wire protocol it speaks
(``protocol.py``); OpenAI and DeepSeek speak OpenAI's format, Qwen DashScope's superset."""

from __future__ import annotations

from ..lazydataclass import lazy_dataclass
from .openai_compat import OpenAICompatible
from .protocol import WireProtocol
from .qwen import DashScope


@lazy_dataclass(frozen=True)
class Provider:
    name: str
    api_key_env: str
    # qsql extension: a provider with a default endpoint lets 'endpoint' be omitted.
    default_endpoint: str | None
    # Most inputs one embeddings request may carry.
    embedding_batch_limit: int
    protocol: WireProtocol
    # Whether the provider has an embeddings endpoint at all.
    has_embeddings: bool = True
    # Whether it offers the OpenAI-compatible Batch File API (/files, /batches) at its base URL.
    batch_api: bool = False
    # Flink's model provider that runs this one's models (qsql export --to flink, --engine flink).
    # Every provider qsql knows speaks OpenAI's protocol, so each maps to flink-model-openai, and
    # ML_PREDICT makes that provider's planning-time column checks (flink_columns.py).
    flink_provider: str = "openai"


PROVIDERS: dict[str, Provider] = {
    p.name: p
    for p in (
        Provider(
            "qwen",
            "DASHSCOPE_API_KEY",
            "https://dashscope.aliyuncs.com/compatible-mode/v1",
            10,
            DashScope(),
            batch_api=True,
        ),
        Provider("openai", "OPENAI_API_KEY", None, 2048, OpenAICompatible(), batch_api=True),
        Provider("deepseek", "DEEPSEEK_API_KEY", None, 1, OpenAICompatible(), has_embeddings=False),
    )
}

API_KEY_ENV_VARS = tuple(p.api_key_env for p in PROVIDERS.values())
