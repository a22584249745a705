"""``predict``: every input text in, one outcome per text out. The one call ML_PREDICT makes.

It owns everything about calling a model, so the executor only maps rows to texts and
outcomes back to rows:

* preparing inputs: NULL and empty inputs are skipped (never sent), an input over the
  model's limit is cut or skipped (``tokens.py``);
* the response cache (``cache.py``): a cached reply is served without a request;
* de-duplication: identical inputs in flight at once are sent once;
* batching: embedding inputs share a request, up to the model's batch size (and token budget);
  a batch the server refuses for one bad input is split so that only that input fails;
* retries, by the policy next to the loop (``retry.py``);
* the wire format (``protocol.py``, chosen by the provider) and one HTTP attempt, whole or
  streamed (``transport.py``);
* accounting: requests, retries, cache hits, tokens (:class:`PredictStats`).

Outcomes are :class:`Prediction` (success), :class:`ModelError` (failed for good) or
:class:`Skipped` (no request was made). What a failure means for the row (FAILOVER, IGNORE)
is the caller's business.

Hook points (``hooks.py``): ``ModelHooks.observer`` hears of every attempt and cache hit;
``ModelHooks.admission`` wraps every HTTP attempt (a rate limiter plugs in there).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from ..errors import ModelError
from .accounting import PredictStats
from .admission import RateAdmission
from .cache import ResponseCache, cache_key
from .config import EMBEDDINGS, ModelConfig
from .hooks import CallRecord, ModelHooks
from .protocol import MalformedReply, Prediction, Usage
from .qwen import is_batch_chat
from .retry import Clock, run_with_retries
from .runtime import ModelRuntime
from .throughput import batch_groups, rate_note
from .tokens import estimate_tokens, fit_to_limit
from .transport import host_of, send_attempt

Tag = TypeVar("Tag")

NULL = "null"
EMPTY = "empty"
OVERFLOW = "overflow"

DEFAULT_TIMEOUT = 30.0
RETRY_WARNING_INTERVAL = 5.0  # seconds between two "retrying" warnings of one statement


@dataclass(frozen=True)
class Skipped:
    """No request was made for this input: NULL, EMPTY or OVERFLOW."""

    reason: str


Outcome = Prediction | ModelError | Skipped


@dataclass
class _Item(Generic[Tag]):
    tag: Tag
    text: str  # what is sent ('' when skipped)
    key: str | None = None  # cache key, None when caching is off
    done: Outcome | None = None  # answered without a request (cache or skip)


def predict(
    config: ModelConfig,
    inputs: Iterable[tuple[Tag, str | None]],
    stats: PredictStats,
    *,
    runtime: ModelRuntime,
    cache: ResponseCache | None = None,
    hooks: ModelHooks | None = None,
    clock: Clock | None = None,
    concurrency: int = 1,
    ordered: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    warn: Callable[[str], None] | None = None,
    describe: Callable[[Tag], str] | None = None,
    note: Callable[[str], None] | None = None,
) -> Generator[tuple[Tag, Outcome], None, None]:
    """Yield ``(tag, outcome)`` for each ``(tag, text)`` of ``inputs``, pulled lazily, with up to
    ``concurrency`` requests in flight; in input order when ``ordered``.

    ``describe(tag)`` names an input in retry warnings (e.g. "row 17 (id=17, ...)").
    """
    call = _Call(
        config,
        stats,
        runtime,
        cache or ResponseCache(),
        hooks or ModelHooks(),
        clock or Clock(),
        timeout,
        warn,
        describe,
    )
    groups = call.request_groups(inputs)
    controller = None
    if config.batch_api:  # one Batch File API job for the whole input (throughput.py)
        mapped = call.batch(groups, note)
    else:
        admission = call.hooks.admission
        if isinstance(admission, RateAdmission):
            controller = admission.for_model(
                config.name,
                concurrency,
                config.requests_per_minute,
                config.tokens_per_minute,
                extra_tokens=estimate_tokens(config.system_prompt or "") if config.task != EMBEDDINGS else 0,
            )
        mapped = runtime.map(call.send_group, groups, concurrency, ordered)
    try:
        for group, outcomes in mapped:
            for item, outcome in zip(group, outcomes):
                call.account(item, outcome)
                yield item.tag, outcome
    finally:
        said = rate_note(controller)
        if said:
            stats.notes.append(said)


class _Call(Generic[Tag]):
    """The state of one predict() call: its in-flight table, what it cached, its retry warnings."""

    def __init__(
        self,
        config: ModelConfig,
        stats: PredictStats,
        runtime: ModelRuntime,
        cache: ResponseCache,
        hooks: ModelHooks,
        clock: Clock,
        timeout: float,
        warn: Callable[[str], None] | None,
        describe: Callable[[Tag], str] | None,
    ) -> None:
        self.config = config
        self.stats = stats
        if config.provider == "qwen" and is_batch_chat(config.url):
            stats.batch_api = True  # DashScope's Batch Chat endpoint bills at the batch price too
        self.runtime = runtime
        self.cache = cache
        self.hooks = hooks
        self.clock = clock
        self.timeout = timeout
        self.warn = warn
        self.describe = describe or (lambda tag: f"input {tag!r}")
        self.rng = random.Random()
        # Requests in flight by cache key, so identical inputs of one call are sent once.
        self.in_flight: dict[str, asyncio.Future[Outcome]] = {}
        self.stored: set[str] = set()  # keys this call has put in the cache
        self.last_retry_warning = -1e9

    # ------------------------------------------------------------------ inputs
    def prepare(self, tag: Tag, value: str | None) -> _Item[Tag]:
        config, stats = self.config, self.stats
        if value is None:
            return _Item(tag, "", done=Skipped(NULL))  # As in Flink: no request and no output row.
        if value == "" and config.skips_empty_inputs:
            return _Item(tag, "", done=Skipped(EMPTY))
        text, cut = fit_to_limit(value, config.max_input_tokens, config.overflow_action, config.tokenizer)
        if text is None:
            return _Item(tag, "", done=Skipped(OVERFLOW))  # Flink's 'skipped': no request, no output row.
        if cut:
            stats.truncated += 1
            kept = "end" if config.overflow_action.startswith("truncated-head") else "beginning"
            stats.cut_note = f"cut to {config.max_input_tokens} {config.tokenizer.name}, keeping the {kept}"
        item = _Item(tag, text)
        if self.cache.mode != "off":
            item.key = cache_key(config.provider, config.cache_identity, config.protocol.cache_body(config, text))
            cached = self.cache.get(item.key)
            if cached is not None:
                stats.cache_hits += 1
                item.done = replace(cached, usage=Usage())  # a cached reply costs no tokens
                self._observe_cache_hit(item)
        return item

    def request_groups(self, inputs: Iterable[tuple[Tag, str | None]]) -> Iterator[list[_Item[Tag]]]:
        """Groups of inputs that share a request: one for chat, up to a batch for embeddings."""
        config = self.config
        size = config.batch_size if config.task == EMBEDDINGS else 1
        token_budget = config.batch_token_limit if config.task == EMBEDDINGS else None
        batch: list[_Item[Tag]] = []
        tokens = 0
        for tag, value in inputs:
            item = self.prepare(tag, value)
            cost = estimate_tokens(item.text) if token_budget is not None and item.done is None else 0
            if batch and token_budget is not None and tokens + cost > token_budget:
                yield batch
                batch, tokens = [], 0
            batch.append(item)
            tokens += cost
            if len(batch) >= size:
                yield batch
                batch, tokens = [], 0
        if batch:
            yield batch

    # ------------------------------------------------------------------ requests
    async def send_group(self, group: list[_Item[Tag]]) -> list[Outcome]:
        """One request for the inputs of a group that are neither answered nor already in flight."""
        answers: dict[int, Outcome] = {}
        leaders: list[tuple[int, _Item[Tag]]] = []
        followers: dict[int, asyncio.Future[Outcome]] = {}
        for position, item in enumerate(group):
            if item.done is not None:
                answers[position] = item.done
            elif item.key is not None and item.key in self.in_flight:
                followers[position] = self.in_flight[item.key]
                self.stats.cache_hits += 1
            elif item.key is not None and item.key in self.stored and (earlier := self.cache.get(item.key)):
                # Answered by this call since the input was read.
                answers[position] = replace(earlier, usage=Usage())
                self.stats.cache_hits += 1
            else:
                leaders.append((position, item))
                if item.key is not None:
                    self.in_flight[item.key] = asyncio.get_running_loop().create_future()
        try:
            if leaders:
                results = await self.send_split([item for _, item in leaders])
                for (position, item), result in zip(leaders, results):
                    answers[position] = result
                    if isinstance(result, Prediction) and item.key is not None and item.key not in self.stored:
                        # Stored as soon as it arrives, so a later identical input is a cache hit
                        # even before this one reaches the consumer. Only successes are cached.
                        self.cache.put(item.key, result)
                        self.stored.add(item.key)
        finally:
            for position, item in leaders:
                future = self.in_flight.pop(item.key, None) if item.key is not None else None
                if future is not None and not future.done():
                    if position in answers:
                        future.set_result(answers[position])
                    else:
                        future.cancel()
        for position, future in followers.items():
            outcome = await asyncio.shield(future)
            # The same reply as the first such input's; its tokens were counted there.
            answers[position] = replace(outcome, usage=Usage()) if isinstance(outcome, Prediction) else outcome
        return [answers[position] for position in range(len(group))]

    async def send_split(self, items: list[_Item[Tag]]) -> list[Outcome]:
        """Send a batch; when the server refuses it for its content (a 4xx that is about one input,
        e.g. content moderation), bisect so that only the bad input fails."""
        try:
            predictions = await self.send_with_retries(items)
        except ModelError as error:
            if len(items) > 1 and _input_specific(error):
                middle = len(items) // 2
                return await self.send_split(items[:middle]) + await self.send_split(items[middle:])
            return [error] * len(items)
        return list(predictions)

    async def send_with_retries(self, items: list[_Item[Tag]]) -> list[Prediction]:
        texts = [item.text for item in items]

        def estimate() -> int:
            return sum(estimate_tokens(text) for text in texts)

        async def attempt(number: int) -> list[Prediction]:
            self.stats.requests += 1
            return await send_attempt(
                self.runtime.client, self.config, texts, self.timeout, self.hooks, number, estimate
            )

        def on_retry(attempt_number: int, error: ModelError, delay: float) -> None:
            self.stats.retries += 1
            self.report_retry(items[0], attempt_number, error, delay)

        return await run_with_retries(attempt, self.config.retry, self.clock, self.rng, on_retry)

    def report_retry(self, item: _Item[Tag], attempt: int, error: ModelError, delay: float) -> None:
        now = self.clock.monotonic()
        if self.warn is None or now - self.last_retry_warning < RETRY_WARNING_INTERVAL:
            return
        self.last_retry_warning = now
        self.warn(
            f"{self.describe(item.tag)}: {error.message}; retry {attempt} of {self.config.retry.retries} in "
            f"{delay:.1f} s ({self.stats.retries} retries so far; Ctrl-C stops)"
        )

    def batch(
        self, groups: Iterator[list[_Item[Tag]]], note: Callable[[str], None] | None
    ) -> Iterator[tuple[list[_Item[Tag]], list[Outcome]]]:
        """``(group, outcomes)`` from one Batch File API job; successes are cached as usual."""
        config = self.config
        self.stats.batch_api = True

        def key_of(item: _Item[Tag]) -> str:
            return item.key or cache_key(
                config.provider, config.cache_identity, config.protocol.cache_body(config, item.text)
            )

        def parse(body: dict) -> Prediction:
            try:
                return config.protocol.parse_reply(config, body, 1)[0]
            except MalformedReply as error:
                raise ModelError(f"malformed batch reply from {config.url}: {error}") from None

        def count(requests: int) -> None:
            self.stats.requests += requests

        seen: set[str] = set()
        for group, outcomes in batch_groups(
            config,
            groups,
            pending=lambda item: item.done is None,
            key_of=key_of,
            body_of=lambda item: config.protocol.request(config, [item.text]).body,
            answer_of=lambda item: item.done,
            parse=parse,
            run=self.runtime.run,
            http_client=self.runtime.client,
            clock=self.clock,
            notes=self.stats.notes,
            count_requests=count,
            on_progress=note,
        ):
            answered = []
            for item, outcome in zip(group, outcomes):
                if item.done is None and isinstance(outcome, Prediction):
                    key = key_of(item)
                    if key in seen:  # the same request twice: its tokens were counted once
                        outcome = replace(outcome, usage=Usage())
                    seen.add(key)
                    if item.key is not None and item.key not in self.stored:
                        self.cache.put(item.key, outcome)
                        self.stored.add(item.key)
                answered.append(outcome)
            yield group, answered

    # ------------------------------------------------------------------ results
    def account(self, item: _Item[Tag], outcome: Outcome) -> None:
        """Count tokens and skips."""
        stats = self.stats
        if isinstance(outcome, Skipped):
            if outcome.reason == NULL:
                stats.skipped_null += 1
            elif outcome.reason == EMPTY:
                stats.skipped_empty += 1
            else:
                stats.skipped_overflow += 1
        elif isinstance(outcome, Prediction):
            stats.prompt_tokens += outcome.usage.prompt_tokens
            stats.completion_tokens += outcome.usage.completion_tokens
            stats.reasoning_tokens += outcome.usage.reasoning_tokens

    def _observe_cache_hit(self, item: _Item[Tag]) -> None:
        if self.hooks.observer is None:
            return
        config = self.config
        self.hooks.observe(
            CallRecord(
                model=config.name,
                provider=config.provider,
                model_id=config.model,
                host=host_of(config.url),
                url=config.url,
                attempt=0,
                inputs=1,
                status=None,
                ok=True,
                latency=0.0,
                cache_hit=True,
                request_text=None,
                reply_text=None,
            )
        )


def _input_specific(error: ModelError) -> bool:
    """A refusal that may be about one input of a batch rather than the request as a whole."""
    return not error.retryable and error.status is not None and error.status in (400, 413, 422)
