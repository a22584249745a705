"""OpenAI's chat completions and embeddings wire format (OpenAI, DeepSeek, and the base of Qwen).

Request bodies carry only what the user set plus what the format requires; replies are read
defensively (a vector is matched to its input by ``index``, never by position), and a
malformed reply raises :class:`MalformedReply` so the transport can count it as a failed
attempt.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .protocol import MalformedReply, Prediction, StreamReader, Usage, Verdict, WireProtocol, WireRequest
from .retry import is_retryable_status

if TYPE_CHECKING:
    from .config import ModelConfig

CHAT = "chat"
# OpenAI models that take max_completion_tokens and refuse max_tokens.
MAX_COMPLETION_TOKENS_MODELS = ("o1", "o3", "o4", "gpt-5")


class OpenAICompatible(WireProtocol):
    name = "openai"

    # ------------------------------------------------------------------ requests
    def request(self, config: ModelConfig, texts: list[str], stream: bool = False) -> WireRequest:
        body = self.chat_body(config, texts[0]) if config.task == CHAT else self.embeddings_body(config, texts)
        if stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        headers = {"Authorization": f"Bearer {config.api_key.reveal()}", "Content-Type": "application/json"}
        if stream:
            headers["Accept"] = "text/event-stream"
        return WireRequest(config.url, headers, body, stream)

    def cache_body(self, config: ModelConfig, text: str) -> dict[str, object]:
        # Streaming or not, the answer is the same: the cache key never includes 'stream'.
        return self.request(config, [text], stream=False).body

    def messages(self, config: ModelConfig, text: str) -> list[dict[str, object]]:
        messages: list[dict[str, object]] = []
        if config.system_prompt is not None:
            messages.append({"role": "system", "content": config.system_prompt})
        messages.append({"role": "user", "content": text})
        return messages

    def chat_body(self, config: ModelConfig, text: str) -> dict[str, object]:
        body: dict[str, object] = {"model": config.model, "messages": self.messages(config, text)}
        body.update(config.body_options)
        if "max_tokens" in body and config.model.lower().startswith(MAX_COMPLETION_TOKENS_MODELS):
            # OpenAI's reasoning models refuse the deprecated max_tokens (400 unsupported_parameter).
            body["max_completion_tokens"] = body.pop("max_tokens")
        return body

    def embeddings_body(self, config: ModelConfig, texts: list[str]) -> dict[str, object]:
        body: dict[str, object] = {"model": config.model, "input": list(texts), "encoding_format": "float"}
        body.update(config.body_options)
        return body

    # ------------------------------------------------------------------ replies
    def parse_reply(self, config: ModelConfig, payload: object, count: int) -> list[Prediction]:
        if config.task == CHAT:
            return [self._parse_chat(payload)]
        return self._parse_embeddings(payload, count)

    def _parse_chat(self, payload: object) -> Prediction:
        choices = payload.get("choices") if isinstance(payload, dict) else None
        if not isinstance(payload, dict) or not isinstance(choices, list) or not choices:
            raise MalformedReply("no 'choices'")
        outputs: list[object] = []
        reasoning: list[str | None] = []
        for choice in sorted(choices, key=lambda c: c.get("index", 0) if isinstance(c, dict) else 0):
            message = choice.get("message") if isinstance(choice, dict) else None
            content = message.get("content") if isinstance(message, dict) else None
            if not isinstance(message, dict) or not isinstance(content, str):
                raise MalformedReply("a choice has no message content")
            outputs.append(content)
            thought = message.get("reasoning_content")
            reasoning.append(thought if isinstance(thought, str) and thought else None)
        return Prediction(outputs, usage_of(payload), reasoning if any(reasoning) else [])

    def _parse_embeddings(self, payload: object, count: int) -> list[Prediction]:
        """Match each vector to its input by ``index``, not by position in the reply."""
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(payload, dict) or not isinstance(data, list):
            raise MalformedReply("no 'data'")
        vectors: list[list[float] | None] = [None] * count
        for position, item in enumerate(data):
            if not isinstance(item, dict):
                raise MalformedReply("an item of 'data' is not an object")
            index = item.get("index", position if count == 1 else None)
            vector = item.get("embedding")
            if not isinstance(index, int) or not 0 <= index < count or vectors[index] is not None:
                raise MalformedReply(f"embedding index {index!r} does not match the {count} inputs sent")
            if not isinstance(vector, list) or not all(isinstance(v, (int, float)) for v in vector):
                raise MalformedReply("'embedding' is not a list of numbers")
            vectors[index] = [float(v) for v in vector]
        if any(v is None for v in vectors):
            raise MalformedReply(f"{sum(v is None for v in vectors)} of {count} embeddings are missing")
        usage = usage_of(payload)
        # Usage is per request; charge it to the first row so totals stay exact.
        return [Prediction([vector], usage if i == 0 else Usage()) for i, vector in enumerate(vectors)]

    def stream_reader(self, config: ModelConfig) -> StreamReader:
        return ChatStreamReader()

    # ------------------------------------------------------------------ errors
    def error_details(self, payload: object, text: str) -> tuple[str | None, str | None]:
        """OpenAI's {"error": {"message", "code"}} or DashScope's native {"code", "message"}."""
        if isinstance(payload, dict):
            error = payload.get("error", payload)
            if isinstance(error, dict):
                message = error.get("message")
                code = error.get("code") or error.get("type")
                return (str(message) if message else None), (str(code) if code else None)
            if isinstance(error, str):
                return error, None
        return None, None

    def error_hint(self, config: ModelConfig, status: int, code: str | None, message: str | None) -> str | None:
        text = (message or "").lower()
        too_long = "range of input length" in text or "maximum context length" in text
        if status == 400 and too_long and config.max_input_tokens is None:
            return (
                "the input is longer than the model takes; 'max-context-size' with 'context-overflow-action' "
                "cuts (or skips) such inputs before they are sent"
            )
        return None

    def creation_warnings(self, config: ModelConfig) -> list[str]:
        """json_object needs the word JSON in a message: DashScope (the reference) and OpenAI, whose
        error the stub uses ("'messages' must contain the word 'json' ..."), both refuse it."""
        if config.body_options.get("response_format") == {"type": "json_object"} and (
            "json" not in (config.system_prompt or "").lower()
        ):
            service = {"qwen": "DashScope", "openai": "OpenAI", "deepseek": "DeepSeek"}.get(
                config.provider, "The service"
            )
            return [
                f"model {config.name}: {service} refuses 'response-format' = 'json_object' unless a message mentions "
                "JSON; say it in 'system-prompt' (or every row's input must)"
            ]
        return []

    def classify(self, status: int, code: str | None, message: str | None) -> Verdict:
        if status == 429 and code == "insufficient_quota":
            return Verdict(False, "the account has no quota or credit left: not retried")
        return Verdict(is_retryable_status(status))


class ChatStreamReader(StreamReader):
    """Joins ``delta.content`` and ``delta.reasoning_content`` per choice; usage from the last chunk."""

    def __init__(self) -> None:
        self._content: dict[int, list[str]] = {}
        self._reasoning: dict[int, list[str]] = {}
        self._usage = Usage()
        self.done = False

    def feed(self, data: str) -> None:
        if data.strip() == "[DONE]":
            self.done = True
            return
        try:
            chunk = json.loads(data)
        except json.JSONDecodeError:
            raise MalformedReply(f"a streamed chunk is not JSON ({excerpt(data)})") from None
        if not isinstance(chunk, dict):
            raise MalformedReply("a streamed chunk is not an object")
        if isinstance(chunk.get("error"), dict):
            raise MalformedReply(f"the stream ended with an error: {chunk['error'].get('message')}")
        if isinstance(chunk.get("usage"), dict):
            self._usage = usage_of(chunk)
        for choice in chunk.get("choices") or []:
            if not isinstance(choice, dict):
                continue
            index = choice.get("index", 0) if isinstance(choice.get("index", 0), int) else 0
            delta = choice.get("delta") or {}
            if not isinstance(delta, dict):
                continue
            self._content.setdefault(index, [])
            if isinstance(delta.get("content"), str):
                self._content[index].append(delta["content"])
            if isinstance(delta.get("reasoning_content"), str):
                self._reasoning.setdefault(index, []).append(delta["reasoning_content"])

    def result(self) -> Prediction:
        if not self._content:
            raise MalformedReply("the stream carried no choices")
        indexes = sorted(self._content)
        reasoning = ["".join(self._reasoning[i]) or None if i in self._reasoning else None for i in indexes]
        return Prediction(
            ["".join(self._content[i]) for i in indexes], self._usage, reasoning if any(reasoning) else []
        )


def usage_of(payload: dict) -> Usage:
    usage = payload.get("usage")
    if not isinstance(usage, dict):
        return Usage()

    def number(value: object) -> int:
        return value if isinstance(value, int) else 0

    details = usage.get("completion_tokens_details")
    reasoning = number(details.get("reasoning_tokens")) if isinstance(details, dict) else 0
    return Usage(number(usage.get("prompt_tokens", 0)), number(usage.get("completion_tokens", 0)), reasoning)


def excerpt(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."
