"""One exception hierarchy for everything a user can get wrong, and one renderer for it.

Every user-facing failure is a :class:`QsqlError`. Layers raise the most specific subclass
they can; the session attaches the statement's source and span when the raiser could not
know them, so the renderer can always print ``file:line:col``, the line and a caret.
"""

from __future__ import annotations

from .secrets import MASK, mask_values, secret_spans
from .source import Source, Span

# How much of a value or source line an error may quote: a 20 MB literal must not become a
# 20 MB message.
QUOTE_LIMIT = 60
ECHO_WIDTH = 160


def shorten(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` as an error may quote it: whole when short, else its start, '...' and its length."""
    if len(text) <= limit:
        return text
    return f"{text[: limit - 20]}...({len(text):,} characters)"


class QsqlError(Exception):
    """Base of all errors a user can cause; carries an optional position and hint."""

    def __init__(self, message: str, span: Span | None = None, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint
        self.source: Source | None = None

    def locate(self, span: Span | None, source: Source | None) -> QsqlError:
        """Fill in a position the raiser could not know; never overwrite a more precise one."""
        if self.span is None:
            self.span = span
        if self.source is None:
            self.source = source
        return self

    def __str__(self) -> str:
        return self.message


class QsqlSyntaxError(QsqlError):
    """The text is not valid qsql/Flink SQL."""


class ValidationError(QsqlError):
    """The statement parses but cannot be run: unknown names, wrong types, bad options."""


class CatalogError(ValidationError):
    """Unknown or duplicate table, view or model."""


class OptionError(ValidationError):
    """A WITH option (model or connector) is unknown, missing or has a bad value."""


class QsqlTypeError(ValidationError):
    """Types do not fit: a column, a cast, an INSERT into a sink."""


class ExecutionError(QsqlError):
    """A value could not be computed while rows were flowing (bad cast, division by zero)."""


class ModelError(QsqlError):
    """A model request failed: the server said no, could not be reached, or answered nonsense.

    ``retryable`` says whether sending the same request again may help; ``status``,
    ``retry_after`` (seconds) and ``headers`` come from the HTTP reply when there was one.
    """

    def __init__(
        self,
        message: str,
        span: Span | None = None,
        *,
        hint: str | None = None,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
        headers: dict[str, list[str]] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, span, hint=hint)
        self.code = code  # the server's error code (Throttling.RateQuota ...), when it gave one
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after
        self.headers = headers or {}


class SinkError(QsqlError):
    """A sink could not write its rows."""


class UsageError(QsqlError):
    """The command line itself is wrong (exit code 2)."""


def render_error(error: QsqlError) -> str:
    """``error: <file>:<line>:<col>: <message>`` plus the source line and a caret under the token.

    The echo is a window of at most ``ECHO_WIDTH`` characters around the caret, so an error on
    a 20 MB line prints one short line. Secret values (see :func:`secret_spans`) are masked in
    the echo, the message and the hint, because the text an error points at or quotes may be
    an API key.
    """
    source, span = error.source, error.span
    secrets = secret_spans(source.text) if source is not None else []

    def masked(text: str) -> str:
        return mask_values(text, source.text) if secrets and source is not None else text

    message = masked(error.message)
    hint = masked(error.hint) if error.hint else None
    if source is None or span is None:
        where = f"{source.name}: " if source is not None else ""
        text = f"error: {where}{message}"
        return text + (f"\n  hint: {hint}" if hint else "")
    lines = [f"error: {source.name}:{span.line}:{span.column}: {message}"]
    echo = _echo_line(source.text, span, secrets)
    if echo is not None:
        shown, caret, width = echo
        lines.append(f"  {shown}")
        lines.append("  " + " " * caret + "^" * width)
    if hint:
        lines.append(f"  hint: {hint}")
    return "\n".join(lines)


def _echo_line(text: str, span: Span, secrets: list[tuple[int, int]]) -> tuple[str, int, int] | None:
    """(the shown part of the span's line, the caret's offset in it, the caret's width), or
    None when the line is blank. Secret values are replaced by ``****``, tabs by one space."""
    line_start = 0
    for _ in range(span.line - 1):
        line_start = text.find("\n", line_start) + 1
        if line_start == 0:
            return None
    line_end = text.find("\n", line_start)
    line_end = len(text) if line_end == -1 else line_end
    if line_end > line_start and text[line_end - 1] == "\r":
        line_end -= 1
    caret = min(line_start + span.column - 1, line_end)
    width = 1
    if span.end_line == span.line and span.end_column > span.column:
        width = span.end_column - span.column
    start = max(line_start, caret - ECHO_WIDTH // 2)
    end = min(line_end, start + ECHO_WIDTH)
    if not text[start:end].strip():
        return None
    pieces = ["..."] if start > line_start else []
    shown_caret = len(pieces[0]) if pieces else 0
    position = start
    for secret_start, secret_end in secrets:
        if secret_end <= start or secret_start >= end:
            continue
        piece_end = max(position, secret_start)
        pieces.append(text[position:piece_end])
        if position <= caret < piece_end:
            shown_caret += caret - position
        elif caret >= piece_end:
            shown_caret += piece_end - position + (len(MASK) if caret >= secret_end else 0)
        pieces.append(MASK)
        position = min(max(secret_end, position), end)
        if position >= end:
            break
    if position < end:
        pieces.append(text[position:end])
        if caret >= position:
            shown_caret += caret - position
    shown = "".join(pieces).expandtabs(1)
    width = max(1, min(width, len(shown) - shown_caret))
    return shown + ("..." if end < line_end else ""), shown_caret, width
