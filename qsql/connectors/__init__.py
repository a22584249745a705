"""Table connectors (sources and sinks), looked up by their 'connector' option."""

from __future__ import annotations

from .base import Connector
from .blackhole import BlackholeConnector
from .datagen import DatagenConnector
from .filesystem import FilesystemConnector
from .print import PrintConnector

CONNECTORS: dict[str, type[Connector]] = {
    c.identifier: c for c in (PrintConnector, FilesystemConnector, BlackholeConnector, DatagenConnector)
}
