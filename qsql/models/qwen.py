"""DashScope compatible mode (Qwen): OpenAI's format plus DashScope's own rules.

What differs from OpenAI lives here and only here: which 429s are not rate limits, which
500s are deterministic, and what DashScope refuses that qsql can warn about at CREATE MODEL.
Facts and sources: docs/reference.md ("Model families") and the DashScope reference.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .families import ON, qwen_family
from .openai_compat import OpenAICompatible
from .protocol import Verdict

if TYPE_CHECKING:
    from .config import ModelConfig

# 429 codes that are billing or purchase states, not throttling: retrying cannot help.
NOT_RATE_LIMIT_429 = frozenset({"CommodityNotPurchased", "PrepaidBillOverdue", "PostpaidBillOverdue"})
# 500 InternalError.Algo messages caused by the request itself (the same request fails again).
DETERMINISTIC_500_MESSAGES = (
    "role must be in",  # Qwen-MT got a system message
    "list index out of range",  # the last message is not a user message
    "tool call",
    "function call",
    "json",
)


# The Batch File API in the international (Singapore) region serves these models only (the
# DashScope reference, section 1.5); Beijing serves more, so only the Singapore list is checked.
INTERNATIONAL_BATCH_MODELS = ("qwen-max", "qwen-plus", "qwen-flash", "qwen-turbo")
# text-embedding-v3's dimensions in the international docs; the China docs add 256, 128 and 64.
INTERNATIONAL_V3_DIMENSIONS = (1024, 768, 512)


# DashScope's Batch Chat endpoint (Beijing): the synchronous request shape at half price, each
# request queued and answered on the same connection, by default within 3,600 s.
BATCH_CHAT_HOST = "batch.dashscope.aliyuncs.com"
BATCH_CHAT_TIMEOUT_SECONDS = 3600


def is_batch_chat(url: str) -> bool:
    """Whether ``url`` is DashScope's Batch Chat endpoint, billed at the batch price."""
    return urlsplit(url).hostname == BATCH_CHAT_HOST


def _international(url: str) -> bool:
    """Singapore: dashscope-intl, or a workspace domain {WorkspaceId}.ap-southeast-1.maas.aliyuncs.com."""
    host = urlsplit(url).hostname or ""
    return host.startswith("dashscope-intl.") or host.endswith(".ap-southeast-1.maas.aliyuncs.com")


class DashScope(OpenAICompatible):
    name = "dashscope"

    def classify(self, status: int, code: str | None, message: str | None) -> Verdict:
        text = (message or "").lower()
        if status == 429:
            if code in NOT_RATE_LIMIT_429 or "free allocated quota exceeded" in text:
                return Verdict(False, f"{code or 'quota'} is an account state, not a rate limit: not retried")
            # DashScope's insufficient_quota is its tokens-per-minute limit (Throttling.AllocationQuota).
            return Verdict(True)
        if status == 500 and code == "InternalError.Algo" and any(m in text for m in DETERMINISTIC_500_MESSAGES):
            return Verdict(False, "DashScope refuses this request itself (InternalError.Algo): not retried")
        return super().classify(status, code, message)

    def error_hint(self, config: ModelConfig, status: int, code: str | None, message: str | None) -> str | None:
        if code == "RequestTimeOut" and not config.stream:
            return "DashScope gives up on a non-streamed call after 300 s; set 'stream' = 'true' for long replies"
        if code == "AllocationQuota.FreeTierOnly":
            return (
                "the model's free quota is used up and 'free tier only' is on for it: turn that off in the "
                "Model Studio console to pay for further calls, or use another model"
            )
        if code == "model_not_supported":
            return f"DashScope does not offer '{config.model}' in OpenAI-compatible mode; choose another 'model'"
        if code in ("data_inspection_failed", "DataInspectionFailed"):
            return (
                "DashScope's content moderation refused this row's input or reply; 'error-handling-strategy' = "
                "'IGNORE' (or 'retry-fallback-strategy' = 'IGNORE') drops such rows and goes on"
            )
        if code == "Arrearage":
            return "the Alibaba Cloud account has an overdue payment; settle it in the console"
        return super().error_hint(config, status, code, message)

    def creation_warnings(self, config: ModelConfig) -> list[str]:
        warnings = []
        family = qwen_family(config.model)
        if config.batch_api and family.thinking == ON and "enable_thinking" not in config.body_options:
            warnings.append(
                f"model {config.name}: {config.model} thinks by default, in the Batch API too (its reasoning is "
                "billed as output); set 'enable-thinking' explicitly"
            )
        if config.batch_api and _international(config.url) and config.model not in INTERNATIONAL_BATCH_MODELS:
            warnings.append(
                f"model {config.name}: DashScope's Batch API in the international region serves only "
                + ", ".join(INTERNATIONAL_BATCH_MODELS)
                + f", not {config.model}"
            )
        if is_batch_chat(config.url):
            warnings.append(
                f"model {config.name}: the Batch Chat endpoint queues each request and may answer only after up to "
                f"{BATCH_CHAT_TIMEOUT_SECONDS} s; raise ML_PREDICT's 'timeout' to match (e.g. "
                f"MAP['timeout', '{BATCH_CHAT_TIMEOUT_SECONDS} s']), or requests are cut off and sent again"
            )
        if (
            config.model == "text-embedding-v3"
            and _international(config.url)
            and config.body_options.get("dimensions") not in (None, *INTERNATIONAL_V3_DIMENSIONS)
        ):
            warnings.append(
                f"model {config.name}: the international docs give text-embedding-v3 only dimensions "
                + ", ".join(map(str, INTERNATIONAL_V3_DIMENSIONS))
                + f"; {config.body_options['dimensions']} is documented for Beijing only"
            )
        return warnings + super().creation_warnings(config)
