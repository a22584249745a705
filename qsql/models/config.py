"""A validated model: everything a request needs, nothing SQL-shaped."""

from __future__ import annotations

from dataclasses import field

from ..lazydataclass import lazy_dataclass
from ..secrets import Secret
from .openai_compat import OpenAICompatible
from .protocol import WireProtocol
from .retry import RetryPolicy
from .tokens import BYTES, Tokenizer

CHAT = "chat"
EMBEDDINGS = "embeddings"
# The defaults of CREATE MODEL's options, here once: the config's fields and the option parser
# (options.py) both use them.
DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant."
DEFAULT_OVERFLOW_ACTION = "truncated-tail"

# Extra OUTPUT columns a model may declare under IGNORE: NULL on success (Flink's names).
ERROR_STRING = "error-string"
HTTP_STATUS_CODE = "http-status-code"
HTTP_HEADERS_MAP = "http-headers-map"
METADATA_COLUMNS = (ERROR_STRING, HTTP_STATUS_CODE, HTTP_HEADERS_MAP)
# An extra OUTPUT column that keeps a thinking model's reasoning text (qsql extension).
REASONING_COLUMN = "reasoning_content"


@lazy_dataclass(frozen=True)
class ModelConfig:
    name: str  # the SQL model name, for messages
    provider: str
    task: str  # CHAT | EMBEDDINGS
    url: str  # the full request URL, .../chat/completions or .../embeddings
    # What the reply cache calls this endpoint: the URL, or "stub:<task>" for the offline stub,
    # whose port changes from run to run.
    cache_identity: str
    api_key: Secret
    model: str
    # None: the request carries no system message (Qwen-MT refuses one).
    system_prompt: str | None = DEFAULT_SYSTEM_PROMPT
    # Request body fields the user set, already in the wire spelling (top_p, max_tokens ...).
    body_options: dict[str, object] = field(default_factory=dict)
    # Options as written, for SHOW CREATE MODEL (api-key masked there).
    options: dict[str, str] = field(default_factory=dict)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Embedding inputs per request, and the most estimated tokens one request may carry.
    batch_size: int = 1
    batch_token_limit: int | None = None
    # Longest input (in estimated tokens) sent as is, and what happens to a longer one.
    max_input_tokens: int | None = None
    overflow_action: str = DEFAULT_OVERFLOW_ACTION
    # The provider's quotas, when declared (qsql extensions): requests are paced under them.
    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None
    # Send rows through the provider's Batch File API (half price, results within the day).
    batch_api: bool = False
    batch_completion_window: str = "24h"  # how long the provider may take over a batch
    batch_dry_run: bool = False  # validate the first file with the free batch-test-model first
    # The wire format, from the provider record (protocol.py).
    protocol: WireProtocol = field(default_factory=OpenAICompatible, compare=False)
    # Send chat requests as server-sent events (thinking / streaming-only models, long replies).
    stream: bool = False
    # Counts and cuts inputs for max-context-size (tokens.py).
    tokenizer: Tokenizer = field(default=BYTES, compare=False)

    @property
    def skips_empty_inputs(self) -> bool:
        """An empty text is never sent, like NULL: an embeddings batch with "" fails as a whole,
        and DashScope refuses an empty message. (ML_PREDICT and the dry-run estimate both ask.)"""
        return self.task == EMBEDDINGS or self.provider == "qwen"

    @property
    def choices(self) -> int:
        """How many output rows one input row yields (Flink's 'n')."""
        n = self.body_options.get("n", 1)
        return n if isinstance(n, int) else 1
