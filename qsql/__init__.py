"""qsql: Flink-style SQL that calls large language models, on one machine.

``qsql.connect()`` opens a session for Python code (see docs/python.md); the module itself
stays light, so ``import qsql`` (and the ``qsql`` command) loads nothing heavy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .api import Connection


def connect(**options: Any) -> Connection:
    """A new qsql session; see :func:`qsql.api.connect` for the options."""
    from .api import connect as _connect

    return _connect(**options)


__all__ = ["__version__", "connect"]
