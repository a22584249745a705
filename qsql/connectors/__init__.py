"""Table connectors (sources and sinks), looked up by their 'connector' option."""

from __future__ import annotations

from .base import Connector
from .print import PrintConnector

CONNECTORS: dict[str, type[Connector]] = {
    PrintConnector.identifier: PrintConnector,
}
