"""The OpenAI-compatible HTTP protocol: build one request, read one reply, name every failure.

Qwen (DashScope compatible mode), OpenAI and DeepSeek all speak it. Nothing here knows SQL;
the caller gets typed outputs and token usage, or a :class:`ModelError` whose message says
which model, which URL, which HTTP status and what the server said — never the API key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx

from ..errors import ModelError
from .config import CHAT, ModelConfig

_STATUS_HINTS = {
    401: "check the API key (option 'api-key' or the provider's environment variable) and that it is for this endpoint's region",
    403: "the key is not allowed to use this model; check the account's access to it",
    404: "check the options 'endpoint' and 'model'",
    429: "the provider is rate-limiting requests; try fewer concurrent requests or later",
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


def build_request_body(config: ModelConfig, text: str) -> dict[str, object]:
    if config.task == CHAT:
        body: dict[str, object] = {
            "model": config.model,
            "messages": [
                {"role": "system", "content": config.system_prompt},
                {"role": "user", "content": text},
            ],
        }
    else:
        body = {"model": config.model, "input": [text], "encoding_format": "float"}
    body.update(config.body_options)
    return body


async def predict(client: httpx.AsyncClient, config: ModelConfig, text: str, timeout: float) -> Prediction:
    """Send one row to the model and return its outputs."""
    body = build_request_body(config, text)
    headers = {"Authorization": f"Bearer {config.api_key.reveal()}", "Content-Type": "application/json"}
    try:
        response = await client.post(config.url, json=body, headers=headers, timeout=timeout)
    except httpx.TimeoutException:
        raise ModelError(f"no reply from {config.url} within {timeout:g} s") from None
    except httpx.HTTPError as error:
        reason = str(error) or type(error).__name__
        raise ModelError(f"cannot reach {config.url}: {reason}") from None
    if response.status_code >= 400:
        raise ModelError(
            f"HTTP {response.status_code} from {config.url}: {_server_message(response)}",
            hint=_STATUS_HINTS.get(response.status_code),
        )
    try:
        payload = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ModelError(
            f"malformed reply from {config.url}: not JSON ({_excerpt(response.text)})"
        ) from None
    if config.task == CHAT:
        return _parse_chat(payload, config)
    return _parse_embeddings(payload, config)


def _parse_chat(payload: object, config: ModelConfig) -> Prediction:
    choices = payload.get("choices") if isinstance(payload, dict) else None
    if not isinstance(choices, list) or not choices:
        raise ModelError(f"malformed reply from {config.url}: no 'choices'")
    outputs: list[object] = []
    for choice in sorted(choices, key=lambda c: c.get("index", 0) if isinstance(c, dict) else 0):
        message = choice.get("message") if isinstance(choice, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, str):
            raise ModelError(f"malformed reply from {config.url}: a choice has no message content")
        outputs.append(content)
    return Prediction(outputs, _usage(payload))


def _parse_embeddings(payload: object, config: ModelConfig) -> Prediction:
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, list) or len(data) != 1:
        raise ModelError(f"malformed reply from {config.url}: expected one embedding in 'data'")
    vector = data[0].get("embedding") if isinstance(data[0], dict) else None
    if not isinstance(vector, list) or not all(isinstance(v, (int, float)) for v in vector):
        raise ModelError(f"malformed reply from {config.url}: 'embedding' is not a list of numbers")
    return Prediction([[float(v) for v in vector]], _usage(payload))


def _usage(payload: dict) -> Usage:
    usage = payload.get("usage")
    if not isinstance(usage, dict):
        return Usage()
    prompt = usage.get("prompt_tokens", 0)
    completion = usage.get("completion_tokens", 0)
    return Usage(prompt if isinstance(prompt, int) else 0, completion if isinstance(completion, int) else 0)


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
