"""What model calls cost: a price table (qsql/data/prices.toml, dated and sourced, overridable
in config.toml) and the arithmetic of token totals and estimated cost (qsql extension).

Estimates only: the provider's bill is the truth (free quotas, context-cache discounts and
long-context tiers are not modelled). Reasoning tokens are billed as output tokens.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import field
from importlib import resources
from typing import Any

from .lazydataclass import lazy_dataclass

PER = 1_000_000  # prices are per million tokens


@lazy_dataclass(frozen=True)
class Price:
    input: float  # USD per million prompt tokens
    output: float  # USD per million completion (and reasoning) tokens
    origin: str  # "qsql price table (date)" or "config.toml"

    def cost(self, prompt_tokens: int, completion_tokens: int, reasoning_tokens: int = 0) -> float:
        return (prompt_tokens * self.input + (completion_tokens + reasoning_tokens) * self.output) / PER

    def batch(self) -> Price:
        """The Batch File API's price: half of the real-time one (DashScope, OpenAI)."""
        return Price(self.input / 2, self.output / 2, f"{self.origin}, batch price (50%)")


@lazy_dataclass(frozen=True)
class PriceTable:
    prices: Mapping[str, Price]
    date: str = ""
    source: str = ""
    currency: str = "USD"

    def get(self, model_id: str) -> Price | None:
        """The price of a provider model name (case-insensitive), or None when unknown."""
        return self.prices.get(model_id.lower())


def load_prices(overrides: Mapping[str, Mapping[str, float]] | None = None) -> PriceTable:
    """qsql's table with the config file's ``[prices."model"]`` entries on top; an override
    that gives only 'input' or 'output' keeps the other from the table (0 if there is none)."""
    import tomllib  # here: only a statement that prices a model call reads the table

    data = tomllib.loads(resources.files("qsql").joinpath("data/prices.toml").read_text(encoding="utf-8"))
    date, source = str(data.get("date", "")), str(data.get("source", ""))
    prices: dict[str, Price] = {
        name.lower(): Price(float(entry["input"]), float(entry["output"]), f"qsql price table ({date})")
        for name, entry in data.get("models", {}).items()
    }
    for name, entry in (overrides or {}).items():
        base = prices.get(name.lower())
        prices[name.lower()] = Price(
            float(entry.get("input", base.input if base else 0.0)),
            float(entry.get("output", base.output if base else 0.0)),
            "config.toml",
        )
    return PriceTable(prices, date, source, str(data.get("currency", "USD")))


def format_cost(usd: float) -> str:
    """'$0.0123' — enough digits for the cents of a few rows, no more for big sums."""
    if usd >= 100:
        return f"${usd:,.0f}"
    if usd >= 1:
        return f"${usd:,.2f}"
    return f"${usd:.4f}" if usd >= 0.0001 or usd == 0 else f"${usd:.6f}"


@lazy_dataclass
class UsageTotals:
    """Requests and tokens of a statement or of a whole session, and their estimated cost.
    ``unpriced`` names models without a price: their tokens are counted, not costed."""

    statements: int = 0
    requests: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    cost: float = 0.0
    unpriced: set[str] = field(default_factory=set)

    def add(
        self,
        requests: int,
        cache_hits: int,
        prompt: int,
        completion: int,
        reasoning: int,
        model_id: str,
        price: Price | None,
    ) -> None:
        self.requests += requests
        self.cache_hits += cache_hits
        self.prompt_tokens += prompt
        self.completion_tokens += completion
        self.reasoning_tokens += reasoning
        if price is not None:
            self.cost += price.cost(prompt, completion, reasoning)
        elif prompt or completion or reasoning:
            self.unpriced.add(model_id)

    def merge(self, other: UsageTotals) -> None:
        self.statements += other.statements
        self.requests += other.requests
        self.cache_hits += other.cache_hits
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.reasoning_tokens += other.reasoning_tokens
        self.cost += other.cost
        self.unpriced |= other.unpriced

    def describe(self) -> str:
        tokens = f"{self.prompt_tokens} prompt + {self.completion_tokens} completion"
        if self.reasoning_tokens:
            tokens += f" + {self.reasoning_tokens} reasoning"
        text = f"{self.requests} request{'s' if self.requests != 1 else ''}, {tokens} tokens"
        return text + self.cost_text()

    def cost_text(self) -> str:
        if self.unpriced and not self.cost:
            return f" (no price for {', '.join(sorted(self.unpriced))})"
        text = f", est. {format_cost(self.cost)}"
        if self.unpriced:
            text += f" + unpriced {', '.join(sorted(self.unpriced))}"
        return text


def totals_of(stats: Iterable[Any], model_ids: Mapping[str, str], table: PriceTable) -> UsageTotals:
    """Totals of ML_PREDICT stats; ``model_ids`` maps a SQL model name to the provider's name."""
    totals = UsageTotals()
    for entry in stats:
        model_id = model_ids.get(entry.model, entry.model)
        price = table.get(model_id)
        if price is not None and getattr(entry, "batch_api", False):
            price = price.batch()
        totals.add(
            getattr(entry, "requests", 0),
            getattr(entry, "cache_hits", 0),
            getattr(entry, "prompt_tokens", 0),
            getattr(entry, "completion_tokens", 0),
            getattr(entry, "reasoning_tokens", 0),
            model_id,
            price,
        )
    return totals


def estimate_tokens(text: str) -> int:
    """Prompt tokens of ``text``, roughly, for a dry run: about 4 ASCII characters per token
    (English with BPE), one token per other character (CJK)."""
    ascii_chars = sum(1 for ch in text if ord(ch) < 128)
    return (ascii_chars + 3) // 4 + (len(text) - ascii_chars)
