"""Runs model requests concurrently while the rest of the engine stays a plain iterator.

An asyncio loop lives on a background thread owned by the session, with one shared
``httpx.AsyncClient`` (one connection pool for every model). The engine hands
:meth:`ModelRuntime.map` an iterator of inputs; at most ``limit`` requests are in flight,
results come back in input order (or as they finish), and the input is pulled lazily, so
memory is bounded by the limit, not by the table. Interrupting the consumer (Ctrl-C, an
error downstream) cancels every request still in flight.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import TypeVar

import httpx

In = TypeVar("In")
Out = TypeVar("Out")

_END = object()


class ModelRuntime:
    def __init__(self, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._transport = transport
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._client: httpx.AsyncClient | None = None
        self._lock = threading.Lock()

    @property
    def client(self) -> httpx.AsyncClient:
        self._ensure_started()
        assert self._client is not None
        return self._client

    def _ensure_started(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="qsql-models", daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread

                async def make_client() -> httpx.AsyncClient:
                    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
                    return httpx.AsyncClient(transport=self._transport, limits=limits, trust_env=False)

                self._client = asyncio.run_coroutine_threadsafe(make_client(), loop).result()
            return self._loop

    def map(
        self,
        function: Callable[[In], Awaitable[Out]],
        items: Iterable[In],
        limit: int,
        ordered: bool = True,
    ) -> Iterator[tuple[In, Out]]:
        """Yield ``(item, await function(item))`` with at most ``limit`` calls running.

        The first failure is raised to the consumer (after cancelling the rest), in input order
        when ``ordered``; otherwise as soon as it happens.
        """
        loop = self._ensure_started()
        source = iter(items)
        pending: deque[tuple[In, concurrent.futures.Future[Out]]] = deque()
        exhausted = False
        try:
            while True:
                while not exhausted and len(pending) < limit:
                    item = next(source, _END)
                    if item is _END:
                        exhausted = True
                        break
                    pending.append((item, asyncio.run_coroutine_threadsafe(function(item), loop)))  # type: ignore[arg-type]
                if not pending:
                    return
                if ordered:
                    item, future = pending.popleft()
                else:
                    futures = [f for _, f in pending]
                    done, _ = concurrent.futures.wait(futures, return_when=concurrent.futures.FIRST_COMPLETED)
                    index = next(i for i, (_, f) in enumerate(pending) if f in done)
                    item, future = pending[index]
                    del pending[index]
                yield item, future.result()
        finally:
            for _, future in pending:
                future.cancel()
            if pending:
                concurrent.futures.wait([f for _, f in pending], timeout=5)

    def close(self) -> None:
        with self._lock:
            loop, thread, client = self._loop, self._thread, self._client
            self._loop = self._thread = self._client = None
        if loop is None:
            return
        if client is not None:
            try:
                asyncio.run_coroutine_threadsafe(client.aclose(), loop).result(timeout=5)
            except Exception:  # closing is best effort; the process may be exiting
                pass
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout=5)
        loop.close()
