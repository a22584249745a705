"""The wire-format seam: what one HTTP request to a model looks like and how to read its reply.

A :class:`WireProtocol` knows a vendor's request and reply shapes and nothing else: no SQL,
no retries, no sockets. The provider record (``providers.py``) names the protocol each
provider speaks, so another vendor's API is one more subclass in one more module.

The interface is deliberately small:

``request(config, texts, stream)``   -> :class:`WireRequest` (url, headers, JSON body, stream flag)
``parse_reply(config, payload, n)``  -> one :class:`Prediction` per input text
``stream_reader(config)``            -> a :class:`StreamReader` fed each SSE ``data:`` payload
``error_details(payload, text)``     -> (message, code) in the server's own words
``classify(status, code, message)``  -> :class:`Verdict`: retryable or not, and why
``error_hint(config, status, code, message)`` -> what the user can do about it, or None

``cache_body(config, text)`` is the body that identifies a reply for the response cache (it
never holds the API key). A Batch API module can build its JSONL lines from ``request`` and
read each output line's ``body`` with ``parse_reply``.
"""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING

from ..lazydataclass import lazy_dataclass

if TYPE_CHECKING:
    from .config import ModelConfig


@lazy_dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    # Part of completion_tokens spent on thinking, when the server says so.
    reasoning_tokens: int = 0


@lazy_dataclass(frozen=True)
class Prediction:
    """One row's answer: one output per choice (chat) or one vector (embeddings).

    ``reasoning`` holds each choice's thinking text (chat models that think), never mixed
    into ``outputs``; it is empty when the model did not think.
    """

    outputs: list[object]
    usage: Usage
    reasoning: list[str | None] = field(default_factory=list)


@lazy_dataclass(frozen=True)
class WireRequest:
    url: str
    headers: dict[str, str]
    body: dict[str, object]
    stream: bool = False


@lazy_dataclass(frozen=True)
class Verdict:
    """Whether the same request may succeed if sent again, and a few words on why not."""

    retryable: bool
    reason: str | None = None  # shown in the error message when the failure is permanent


class MalformedReply(Exception):
    """The reply was not what the protocol promises; the transport turns it into a ModelError."""


class StreamReader:
    """Collects one streamed chat reply (server-sent events) into a :class:`Prediction`."""

    def feed(self, data: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def result(self) -> Prediction:  # pragma: no cover - interface
        raise NotImplementedError


class WireProtocol:
    """The interface; :class:`qsql.models.openai_compat.OpenAICompatible` is the base implementation."""

    name = "abstract"

    def request(self, config: ModelConfig, texts: list[str], stream: bool = False) -> WireRequest:
        raise NotImplementedError

    def cache_body(self, config: ModelConfig, text: str) -> dict[str, object]:
        return self.request(config, [text]).body

    def parse_reply(self, config: ModelConfig, payload: object, count: int) -> list[Prediction]:
        raise NotImplementedError

    def stream_reader(self, config: ModelConfig) -> StreamReader:
        raise NotImplementedError

    def error_details(self, payload: object, text: str) -> tuple[str | None, str | None]:
        raise NotImplementedError

    def classify(self, status: int, code: str | None, message: str | None) -> Verdict:
        raise NotImplementedError

    def error_hint(self, config: ModelConfig, status: int, code: str | None, message: str | None) -> str | None:
        """What the user can do about an error the service answered, when the service's own
        words do not say it (None: the transport's generic hint by status)."""
        return None

    def creation_warnings(self, config: ModelConfig) -> list[str]:
        """Things worth telling the user at CREATE MODEL about how this service treats the model."""
        return []
