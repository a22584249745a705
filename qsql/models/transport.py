"""One HTTP attempt: send a request built by the wire protocol, read the reply (whole or
streamed), and turn every failure into a :class:`ModelError` that says which URL, which
status, what the server said (with the API key scrubbed out) and whether sending the same
request again may help.

``timeout`` bounds the attempt as a whole, from connecting to the last byte: a server that
trickles its reply is cut off, not waited for read by read. The admission hook wraps the
attempt and the observer hears about it (``hooks.py``).
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import ssl
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from ..errors import ModelError
from .config import ModelConfig
from .hooks import Admission, CallRecord, ModelHooks, Slot, Ticket
from .openai_compat import excerpt
from .protocol import MalformedReply, Prediction, WireRequest
from .retry import parse_retry_after

_STATUS_HINTS = {
    401: "check the API key (option 'api-key' or the provider's environment variable) and that it is for this endpoint's region",
    403: "the key is not allowed to use this model; check the account's access to it",
    404: "check the options 'endpoint' and 'model'",
    429: "the provider is rate-limiting requests; lower 'max-concurrent-operations' or try later",
}


def scrub(text: str, config: ModelConfig) -> str:
    """The text with the API key masked (a gateway may echo the Authorization header)."""
    key = config.api_key.reveal()
    if key and len(key) >= 4 and key in text:
        text = text.replace(key, "****")
    return text


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""


async def send_attempt(
    client: httpx.AsyncClient,
    config: ModelConfig,
    texts: list[str],
    timeout: float,
    hooks: ModelHooks,
    attempt: int = 1,
    estimated_tokens: Callable[[], int] | int = 0,
) -> list[Prediction]:
    """Send one request (one chat row, or a batch of embedding inputs); one Prediction per text.

    ``estimated_tokens`` (a number, or a function computed only when an admission controller
    asks) goes into the admission ticket."""
    request = config.protocol.request(config, texts, stream=config.stream)
    admission = hooks.admission
    if type(admission) is Admission:  # the default admits at once: skip the context manager
        slot = Slot()
        outcome = await _perform(client, config, request, texts, timeout, slot)
    else:
        tokens = estimated_tokens() if callable(estimated_tokens) else estimated_tokens
        ticket = Ticket(config.name, config.provider, host_of(request.url), len(texts), tokens)
        async with admission.attempt(ticket) as slot:
            outcome = await _perform(client, config, request, texts, timeout, slot)
    status, reply_text, predictions, error = outcome
    if hooks.observer is not None:
        hooks.observe(
            CallRecord(
                model=config.name,
                provider=config.provider,
                model_id=config.model,
                host=host_of(request.url),
                url=request.url,
                attempt=attempt,
                inputs=len(texts),
                status=status,
                ok=error is None,
                latency=slot.latency,
                prompt_tokens=slot.prompt_tokens,
                completion_tokens=slot.completion_tokens,
                reasoning_tokens=sum(p.usage.reasoning_tokens for p in predictions),
                streamed=request.stream,
                error=error.message if error else None,
                request_text=json.dumps(request.body, ensure_ascii=False),
                reply_text=scrub(reply_text, config),
            )
        )
    if error is not None:
        raise error
    return predictions


async def _perform(
    client: httpx.AsyncClient, config: ModelConfig, request: WireRequest, texts: list[str], timeout: float, slot: Slot
) -> tuple[int | None, str, list[Prediction], ModelError | None]:
    """The attempt itself, bounded as a whole by ``timeout``; fills in ``slot``."""
    status: int | None = None
    reply_text = ""
    error: ModelError | None = None
    predictions: list[Prediction] = []
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            if request.stream:
                status, reply_text, predictions = await _streamed(client, config, request, timeout)
            else:
                status, reply_text, predictions = await _whole(client, config, request, texts, timeout)
    except (TimeoutError, httpx.TimeoutException):
        error = ModelError(f"no reply from {request.url} within {timeout:g} s", retryable=True)
    except httpx.HTTPError as failure:
        error = _connection_error(request.url, failure)
    except ModelError as failure:
        error = failure
        status = failure.status
    slot.latency = time.monotonic() - started
    slot.status = status
    if error is not None:
        slot.retry_after = error.retry_after
        slot.code = error.code  # e.g. Throttling.AllocationQuota: a rate limiter tells kinds apart
    else:
        for prediction in predictions:
            slot.prompt_tokens += prediction.usage.prompt_tokens
            slot.completion_tokens += prediction.usage.completion_tokens
    return status, reply_text, predictions, error


async def _whole(
    client: httpx.AsyncClient, config: ModelConfig, request: WireRequest, texts: list[str], timeout: float
) -> tuple[int, str, list[Prediction]]:
    response = await client.post(request.url, json=request.body, headers=request.headers, timeout=timeout)
    if response.status_code >= 400:
        raise http_error(config, request.url, response)
    try:
        payload = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise _malformed(config, request.url, f"not JSON ({excerpt(response.text)})", response) from None
    try:
        return response.status_code, response.text, config.protocol.parse_reply(config, payload, len(texts))
    except MalformedReply as failure:
        raise _malformed(config, request.url, str(failure), response) from None


async def _streamed(
    client: httpx.AsyncClient, config: ModelConfig, request: WireRequest, timeout: float
) -> tuple[int, str, list[Prediction]]:
    async with client.stream(
        "POST", request.url, json=request.body, headers=request.headers, timeout=timeout
    ) as response:
        if response.status_code >= 400:
            await response.aread()
            raise http_error(config, request.url, response)
        content_type = response.headers.get("content-type", "")
        if "text/event-stream" not in content_type:
            # A server may answer a stream request with one JSON body; read it as such.
            await response.aread()
            try:
                payload = response.json()
                return response.status_code, response.text, config.protocol.parse_reply(config, payload, 1)
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise _malformed(config, request.url, f"not JSON ({excerpt(response.text)})", response) from None
            except MalformedReply as failure:
                raise _malformed(config, request.url, str(failure), response) from None
        reader = config.protocol.stream_reader(config)
        events: list[str] = []
        try:
            async for line in response.aiter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                events.append(data)
                reader.feed(data)
            return response.status_code, "\n".join(events), [reader.result()]
        except MalformedReply as failure:
            raise _malformed(config, request.url, str(failure), response) from None


def http_error(config: ModelConfig, url: str, response: httpx.Response) -> ModelError:
    """A 4xx/5xx reply as a ModelError: the server's words, key scrubbed, and whether to retry."""
    try:
        payload = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        payload = None
    message, code = config.protocol.error_details(payload, response.text)
    verdict = config.protocol.classify(response.status_code, code, message)
    if message:
        said = f"{message} ({code})" if code else message
    else:
        said = excerpt(response.text) or response.reason_phrase
    text = f"HTTP {response.status_code} from {url}: {scrub(said, config)}"
    if verdict.reason:
        text += f" [{verdict.reason}]"
    hint = _STATUS_HINTS.get(response.status_code)
    if response.status_code == 429 and not verdict.retryable:
        hint = "check the account's billing, purchases and quota in the provider's console"
    if response.status_code == 400:
        hint = _refused_option(config, payload, message) or hint
    hint = config.protocol.error_hint(config, response.status_code, code, message) or hint
    return ModelError(
        text,
        hint=hint,
        status=response.status_code,
        retryable=verdict.retryable,
        retry_after=parse_retry_after(response.headers.get("retry-after")),
        headers=response_headers(response, config),
        code=str(code) if code else None,  # for admission control: Throttling.RateQuota ...
    )


def _refused_option(config: ModelConfig, payload: object, message: str | None) -> str | None:
    """'check option ...' when a 400 names a request field the user set through a WITH option:
    by the error's ``param``, else by the field's name in the message ("Range of max_tokens ...")."""
    from .options import OPTION_SPECS  # here: only a refused request needs the option table

    error = payload.get("error") if isinstance(payload, dict) else None
    param = error.get("param") if isinstance(error, dict) else None
    text = message or ""
    fields = [(spec.body_field, spec.key) for spec in OPTION_SPECS if spec.body_field is not None]
    # Fields sent under another name: OpenAI's reasoning models get max_tokens as max_completion_tokens.
    renamed = {"translation_options": "target-lang", "max_completion_tokens": "max-tokens"}
    for field, key in [*fields, *renamed.items()]:
        sent_as = "max_tokens" if field == "max_completion_tokens" else field
        if sent_as not in config.body_options:
            continue
        named = (
            param == field
            or (isinstance(param, str) and param.startswith(field + "."))
            or (re.search(rf"(?<![A-Za-z_]){re.escape(field)}(?![A-Za-z_])", text) is not None)
        )
        if named:
            return f"the service refused option '{key}' of model {config.name}; check its value"
    return None


def _malformed(config: ModelConfig, url: str, what: str, response: httpx.Response) -> ModelError:
    # A malformed reply counts as a failed attempt: the same request may well succeed next time.
    return ModelError(
        f"malformed reply from {url}: {scrub(what, config)}",
        status=response.status_code,
        retryable=True,
        headers=response_headers(response, config),
    )


def response_headers(response: httpx.Response, config: ModelConfig) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for key, value in response.headers.multi_items():
        headers.setdefault(key.lower(), []).append(scrub(value, config))
    return headers


def _connection_error(url: str, failure: httpx.HTTPError) -> ModelError:
    """Refused connections, unknown hosts, TLS and local protocol errors are permanent: the same
    request will fail the same way. A connection dropped mid-reply is worth another try."""
    reason = str(failure) or type(failure).__name__
    permanent = _permanent_cause(failure)
    if permanent:
        return ModelError(f"cannot reach {url}: {reason} [{permanent}: not retried]", retryable=False)
    return ModelError(f"cannot reach {url}: {reason}", retryable=True)


def _permanent_cause(failure: httpx.HTTPError) -> str | None:
    if isinstance(failure, (httpx.LocalProtocolError, httpx.UnsupportedProtocol)):
        return "a local protocol error"
    if not isinstance(failure, httpx.ConnectError):
        return None
    chain: list[BaseException] = []
    cause: BaseException | None = failure
    while cause is not None and len(chain) < 10:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    for item in chain:
        if isinstance(item, ssl.SSLError):
            return "a TLS/certificate error"
        if isinstance(item, socket.gaierror):
            return "unknown host"
        if isinstance(item, ConnectionRefusedError):
            return "connection refused"
    text = " ".join(str(item) for item in chain).lower()
    if "certificate" in text or "ssl" in text or "tls" in text:
        return "a TLS/certificate error"
    if "name or service not known" in text or "nodename nor servname" in text or "name resolution" in text:
        return "unknown host"
    if "connection refused" in text or "errno 111" in text:
        return "connection refused"
    return None
