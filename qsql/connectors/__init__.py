"""Table connectors (sources and sinks), looked up by their 'connector' option.

A connector's module is imported when a table first names it: ``SELECT 1`` or a query over
views needs none of them, and the filesystem connector alone pulls in csv, json and more."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import Connector

# identifier -> (module, class)
_WHERE = {
    "print": ("print", "PrintConnector"),
    "filesystem": ("filesystem", "FilesystemConnector"),
    "blackhole": ("blackhole", "BlackholeConnector"),
    "datagen": ("datagen", "DatagenConnector"),
}


class _Connectors(Mapping[str, "type[Connector]"]):
    """The registry: a mapping of identifier to connector class, importing on lookup."""

    def __getitem__(self, identifier: str) -> type[Connector]:
        module, name = _WHERE[identifier]
        return getattr(importlib.import_module(f".{module}", __name__), name)

    def __iter__(self) -> Iterator[str]:
        return iter(_WHERE)

    def __len__(self) -> int:
        return len(_WHERE)


CONNECTORS: Mapping[str, type[Connector]] = _Connectors()
