"""DashScope compatible mode (Qwen): OpenAI's format plus DashScope's own rules.

What differs from OpenAI lives here and only here: which 429s are not rate limits, which
500s are deterministic, and what DashScope refuses that qsql can warn about at CREATE MODEL.
Facts and sources: docs/reference.md ("Model families") and the DashScope reference.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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

    def creation_warnings(self, config: ModelConfig) -> list[str]:
        warnings = []
        if config.body_options.get("response_format") == {"type": "json_object"} and (
            "json" not in (config.system_prompt or "").lower()
        ):
            warnings.append(
                f"model {config.name}: DashScope refuses 'response-format' = 'json_object' unless a message mentions "
                "JSON; say it in 'system-prompt' (or every row's input must)"
            )
        return warnings
