"""The offline OpenAI-compatible stub server (``qsql stub``, ``--stub``, integration tests)."""

from .batch import BatchOptions
from .ratelimit import RateLimits
from .server import Fault, StubOptions, StubServer, embedding_vector

__all__ = ["BatchOptions", "Fault", "RateLimits", "StubOptions", "StubServer", "embedding_vector"]
