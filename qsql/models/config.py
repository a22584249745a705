"""A validated model: everything a request needs, nothing SQL-shaped."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..secrets import Secret

CHAT = "chat"
EMBEDDINGS = "embeddings"


@dataclass(frozen=True)
class ModelConfig:
    name: str  # the SQL model name, for messages
    provider: str
    task: str  # CHAT | EMBEDDINGS
    url: str  # the full request URL, .../chat/completions or .../embeddings
    api_key: Secret
    model: str
    system_prompt: str = "You are a helpful assistant."
    # Request body fields the user set, already in the wire spelling (top_p, max_tokens ...).
    body_options: dict[str, object] = field(default_factory=dict)
    # Options as written, for SHOW CREATE MODEL (api-key masked there).
    options: dict[str, str] = field(default_factory=dict)

    @property
    def choices(self) -> int:
        """How many output rows one input row yields (Flink's 'n')."""
        n = self.body_options.get("n", 1)
        return n if isinstance(n, int) else 1
