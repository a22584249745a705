"""Flink's print connector: one ``+I[...]`` line per row, optionally ``identifier> +I[...]``."""

from __future__ import annotations

from typing import IO

from ..types import format_value
from .base import Connector, Sink, SinkContext


def format_row(row: tuple, types: list, kind: str = "+I") -> str:
    """Flink's ``RowKind`` short string and ``Row.toString`` of the fields."""
    return kind + "[" + ", ".join(format_value(v, t) for v, t in zip(row, types)) + "]"


class PrintSink(Sink):
    def __init__(self, stream: IO[str], prefix: str, types: list) -> None:
        self._stream = stream
        self._prefix = prefix
        self._types = types

    def write(self, row: tuple) -> None:
        self._stream.write(self._prefix + format_row(row, self._types) + "\n")
        self._stream.flush()


class PrintConnector(Connector):
    identifier = "print"
    is_sink = True
    optional_options = ("print-identifier", "standard-error", "sink.parallelism")

    def validate(self) -> None:
        self.bool_option("standard-error", False)
        self.int_option("sink.parallelism", None)

    def open_sink(self, context: SinkContext, overwrite: bool) -> Sink:
        stream = context.err if self.bool_option("standard-error", False) else context.out
        identifier = self.options.get("print-identifier")
        prefix = f"{identifier}> " if identifier is not None else ""
        return PrintSink(stream, prefix, [c.dtype for c in self.columns])
