"""The OpenAI-compatible HTTP protocol: build one request, read one reply, name every failure.

Qwen (DashScope compatible mode), OpenAI and DeepSeek all speak it. Nothing here knows SQL
or retries; the caller gets typed outputs and token usage, or a :class:`ModelError` that says
which URL, which HTTP status and what the server said — never the API key — and whether the
same request may succeed if sent again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when the first request is sent, not at start-up
    import httpx

from ..errors import ModelError
from .config import CHAT, ModelConfig
from .retry import is_retryable_status, parse_retry_after

_STATUS_HINTS = {
    401: "check the API key (option 'api-key' or the provider's environment variable) and that it is for this endpoint's region",
    403: "the key is not allowed to use this model; check the account's access to it",
    404: "check the options 'endpoint' and 'model'",
    429: "the provider is rate-limiting requests; lower 'max-concurrent-operations' or try later",
}


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True)
class Prediction:
    """One row's answer: one output per choice (chat) or one vector (embeddings)."""

    outputs: list[object]
    usage: Usage


def build_request_body(config: ModelConfig, texts: list[str]) -> dict[str, object]:
    """The JSON body for one chat row, or for a batch of embedding inputs."""
    if config.task == CHAT:
        (text,) = texts
        body: dict[str, object] = {
            "model": config.model,
            "messages": [
                {"role": "system", "content": config.system_prompt},
                {"role": "user", "content": text},
            ],
        }
    else:
        body = {"model": config.model, "input": list(texts), "encoding_format": "float"}
    body.update(config.body_options)
    return body


async def send(client: httpx.AsyncClient, config: ModelConfig, texts: list[str], timeout: float) -> list[Prediction]:
    """Send one request (one chat row, or up to a batch of embedding inputs); one Prediction per text."""
    import httpx

    body = build_request_body(config, texts)
    headers = {"Authorization": f"Bearer {config.api_key.reveal()}", "Content-Type": "application/json"}
    try:
        response = await client.post(config.url, json=body, headers=headers, timeout=timeout)
    except httpx.TimeoutException:
        raise ModelError(f"no reply from {config.url} within {timeout:g} s", retryable=True) from None
    except httpx.HTTPError as error:
        reason = str(error) or type(error).__name__
        raise ModelError(f"cannot reach {config.url}: {reason}", retryable=True) from None
    if response.status_code >= 400:
        raise ModelError(
            f"HTTP {response.status_code} from {config.url}: {_server_message(response)}",
            hint=_STATUS_HINTS.get(response.status_code),
            status=response.status_code,
            retryable=is_retryable_status(response.status_code),
            retry_after=parse_retry_after(response.headers.get("retry-after")),
            headers=_headers(response),
        )
    try:
        payload = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise _malformed(config, f"not JSON ({_excerpt(response.text)})", response) from None
    if config.task == CHAT:
        return [_parse_chat(payload, config, response)]
    return _parse_embeddings(payload, config, len(texts), response)


def _malformed(config: ModelConfig, what: str, response: httpx.Response) -> ModelError:
    # A malformed reply counts as a failed attempt: the same request may well succeed next time.
    return ModelError(
        f"malformed reply from {config.url}: {what}", status=response.status_code, retryable=True,
        headers=_headers(response),
    )


def _parse_chat(payload: object, config: ModelConfig, response: httpx.Response) -> Prediction:
    choices = payload.get("choices") if isinstance(payload, dict) else None
    if not isinstance(choices, list) or not choices:
        raise _malformed(config, "no 'choices'", response)
    outputs: list[object] = []
    for choice in sorted(choices, key=lambda c: c.get("index", 0) if isinstance(c, dict) else 0):
        message = choice.get("message") if isinstance(choice, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, str):
            raise _malformed(config, "a choice has no message content", response)
        outputs.append(content)
    return Prediction(outputs, _usage(payload))


def _parse_embeddings(payload: object, config: ModelConfig, count: int, response: httpx.Response) -> list[Prediction]:
    """Match each vector to its input by ``index``, not by position in the reply."""
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, list):
        raise _malformed(config, "no 'data'", response)
    vectors: list[list[float] | None] = [None] * count
    for position, item in enumerate(data):
        if not isinstance(item, dict):
            raise _malformed(config, "an item of 'data' is not an object", response)
        index = item.get("index", position if count == 1 else None)
        vector = item.get("embedding")
        if not isinstance(index, int) or not 0 <= index < count or vectors[index] is not None:
            raise _malformed(config, f"embedding index {index!r} does not match the {count} inputs sent", response)
        if not isinstance(vector, list) or not all(isinstance(v, (int, float)) for v in vector):
            raise _malformed(config, "'embedding' is not a list of numbers", response)
        vectors[index] = [float(v) for v in vector]
    if any(v is None for v in vectors):
        raise _malformed(config, f"{sum(v is None for v in vectors)} of {count} embeddings are missing", response)
    usage = _usage(payload)
    # Usage is per request; charge it to the first row so totals stay exact.
    return [
        Prediction([vector], usage if i == 0 else Usage()) for i, vector in enumerate(vectors)  # type: ignore[list-item]
    ]


def _usage(payload: dict) -> Usage:
    usage = payload.get("usage")
    if not isinstance(usage, dict):
        return Usage()
    prompt = usage.get("prompt_tokens", 0)
    completion = usage.get("completion_tokens", 0)
    return Usage(prompt if isinstance(prompt, int) else 0, completion if isinstance(completion, int) else 0)


def _headers(response: httpx.Response) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for key, value in response.headers.multi_items():
        headers.setdefault(key.lower(), []).append(value)
    return headers


def _server_message(response: httpx.Response) -> str:
    """The server's own words: OpenAI's {"error": {"message", "code"}} or DashScope's {"code", "message"}."""
    try:
        payload = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _excerpt(response.text) or response.reason_phrase
    if isinstance(payload, dict):
        error = payload.get("error", payload)
        if isinstance(error, dict):
            message = error.get("message")
            code = error.get("code") or error.get("type")
            if message:
                return f"{message} ({code})" if code else str(message)
        elif isinstance(error, str):
            return error
    return _excerpt(response.text) or response.reason_phrase


def _excerpt(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."
