"""The offline OpenAI-compatible stub server (``qsql stub``, ``--stub``, integration tests)."""

from .server import Fault, StubOptions, StubServer, embedding_vector

__all__ = ["Fault", "StubOptions", "StubServer", "embedding_vector"]
