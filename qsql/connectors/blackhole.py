"""Flink's blackhole connector: a sink that discards every row (the INSERT still counts them)."""

from __future__ import annotations

from .base import Connector, Sink, SinkContext


class _Discard(Sink):
    def write(self, row: tuple) -> None:
        pass


class BlackholeConnector(Connector):
    identifier = "blackhole"
    is_sink = True
    supports_overwrite = True

    def open_sink(self, context: SinkContext, overwrite: bool) -> Sink:
        return _Discard()
