"""One exception hierarchy for everything a user can get wrong, and one renderer for it.

Every user-facing failure is a :class:`QsqlError`. Layers raise the most specific subclass
they can; the session attaches the statement's source and span when the raiser could not
know them, so the renderer can always print ``file:line:col``, the line and a caret.
"""

from __future__ import annotations

from .secrets import mask_secrets
from .source import Source, Span


class QsqlError(Exception):
    """Base of all errors a user can cause; carries an optional position and hint."""

    def __init__(self, message: str, span: Span | None = None, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint
        self.source: Source | None = None

    def locate(self, span: Span | None, source: Source | None) -> "QsqlError":
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
    ) -> None:
        super().__init__(message, span, hint=hint)
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

    The echoed source line goes through :func:`mask_secrets`, because the line an error
    points at may be the one that holds an API key.
    """
    source, span = error.source, error.span
    if source is None or span is None:
        where = f"{source.name}: " if source is not None else ""
        text = f"error: {where}{error.message}"
        return text + (f"\n  hint: {error.hint}" if error.hint else "")
    lines = [f"error: {source.name}:{span.line}:{span.column}: {error.message}"]
    line_text = source.line_text(span.line)
    if line_text.strip():
        shown = mask_secrets(line_text.expandtabs(1))
        width = 1
        if span.end_line == span.line and span.end_column > span.column:
            width = span.end_column - span.column
        lines.append(f"  {shown}")
        lines.append("  " + " " * (span.column - 1) + "^" * max(1, min(width, len(shown) - span.column + 2)))
    if error.hint:
        lines.append(f"  hint: {error.hint}")
    return "\n".join(lines)
