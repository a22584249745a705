"""EXPLAIN's dry run: what each ML_PREDICT of a plan would send — requests, input tokens and
estimated cost — worked out before anything is sent (qsql extension).

The input of each ML_PREDICT is read as the real run would read it (VALUES, files, datagen:
all local), but no model is called; an ML_PREDICT whose input needs another ML_PREDICT's
replies is not estimated. Tokens are estimated from the text (see pricing.estimate_tokens);
replies are not known before they come, so output is bounded only by 'max-tokens'.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .executor import ExecutionContext, rows
from .models.config import CHAT
from .models.tokens import BYTES, fit_to_limit
from .plan import Predict, Step
from .pricing import Price, estimate_tokens, format_cost

# Role markers and message framing of a chat request, per request (rough).
CHAT_OVERHEAD_TOKENS = 8


@dataclass
class PredictEstimate:
    model: str
    model_id: str
    source: str
    rows: int = 0
    skipped: int = 0  # NULL inputs and inputs over the limit: no request
    requests: int = 0
    input_tokens: int = 0
    max_output_tokens: int | None = None  # requests x n x max-tokens, when 'max-tokens' is set
    price: Price | None = None
    estimated: bool = True  # False: the input depends on another ML_PREDICT

    def describe(self) -> str:
        head = f"ML_PREDICT({self.model}) [{self.model_id}] over {self.source}: "
        if not self.estimated:
            return head + "not estimated (its input needs another ML_PREDICT's replies)"
        text = (
            f"{self.rows} row{'s' if self.rows != 1 else ''}, {self.requests} request"
            f"{'s' if self.requests != 1 else ''}, ~{self.input_tokens} input tokens"
        )
        if self.skipped:
            text += f" ({self.skipped} row{'s' if self.skipped != 1 else ''} skipped: NULL, empty or too long)"
        if self.max_output_tokens is not None:
            text += f", at most {self.max_output_tokens} output tokens"
        if self.price is None:
            return head + text + "; no price for this model (add one under [prices] in config.toml)"
        text += f"; est. input cost {format_cost(self.price.cost(self.input_tokens, 0))}"
        if self.max_output_tokens is not None:
            text += f", total at most {format_cost(self.price.cost(self.input_tokens, self.max_output_tokens))}"
        else:
            text += " + output (set 'max-tokens' to bound it)"
        return head + text


def predict_steps(step: Step) -> Iterator[Predict]:
    if isinstance(step, Predict):
        yield step
    for child in step.children:
        yield from predict_steps(child)


def estimate(
    step: Step, context: ExecutionContext, price_of: Callable[[str], tuple[str, Price | None]]
) -> list[PredictEstimate]:
    """One estimate per ML_PREDICT in the plan, outermost first."""
    estimates = []
    for predict in predict_steps(step):
        config = predict.model.config
        model_id, price = price_of(predict.model.name)
        result = PredictEstimate(predict.model.name, model_id, predict.source_name, price=price)
        estimates.append(result)
        if any(True for _ in predict_steps(predict.input)):
            result.estimated = False
            continue
        sent = 0
        chat = config.task == CHAT
        tokenizer = config.tokenizer
        # The model's own tokenizer when qsql has it; otherwise an estimate (bytes overcount English 4x).
        count = estimate_tokens if tokenizer is BYTES else tokenizer.count
        system_tokens = count(config.system_prompt or "") if chat else 0
        for row in rows(predict.input, context):
            result.rows += 1
            value = row[predict.input_index]
            if value is None or (value == "" and config.skips_empty_inputs):
                result.skipped += 1
                continue
            text, _ = fit_to_limit(str(value), config.max_input_tokens, config.overflow_action, tokenizer)
            if text is None:
                result.skipped += 1
                continue
            sent += 1
            result.input_tokens += count(text) + (system_tokens + CHAT_OVERHEAD_TOKENS if chat else 0)
        batch = max(1, config.batch_size)
        result.requests = sent if chat else -(-sent // batch)
        max_tokens = config.body_options.get("max_tokens") if chat else None
        if isinstance(max_tokens, int):
            choices = config.body_options.get("n", 1)
            result.max_output_tokens = result.requests * max_tokens * (choices if isinstance(choices, int) else 1)
    return estimates


def dry_run_text(estimates: list[PredictEstimate]) -> str:
    if not estimates:
        return ""
    lines = ["", "== Dry run: nothing sent (qsql extension) =="]
    lines += [e.describe() for e in estimates]
    priced = [e for e in estimates if e.estimated and e.price is not None]
    if len(estimates) > 1 and priced:
        total = sum(e.price.cost(e.input_tokens, 0) for e in priced if e.price is not None)
        lines.append(f"total: {sum(e.requests for e in estimates)} requests, est. input cost {format_cost(total)}")
    return "\n".join(lines)
