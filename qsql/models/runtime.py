"""Runs model requests concurrently while the rest of the engine stays a plain iterator.

The session owns one asyncio event loop and one ``httpx.AsyncClient`` (one connection pool
for every model). The loop runs on the engine's own thread, only while the engine waits for
a reply: :meth:`ModelRuntime.map` starts up to ``limit`` requests, runs the loop until the
next result is ready, hands that result to the consumer, pulls more input, and so on. There
is no second thread, so there is no hand-off between threads and no contention for the GIL
per request (an earlier design with a loop thread cost 1.4x the bare-httpx floor at 32
requests in flight; see bench/predict_bench.py).

Memory is bounded by the limit, not by the table: input is pulled lazily, at most ``limit``
requests run at once and at most a few times ``limit`` finished replies wait for their turn. Interrupting the consumer (Ctrl-C, an error
downstream) cancels every request still in flight and closes its connection cleanly.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:  # imported when the first request is sent, not at start-up
    import asyncio
    import ssl

    import httpx

In = TypeVar("In")
Out = TypeVar("Out")

_END = object()
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def _proxy_configured() -> bool:
    """Whether the environment names a proxy (httpx reads *_PROXY in either case). Without one
    no loopback mounts are needed, and each request skips matching them."""
    import os

    return any(key.lower() in ("http_proxy", "https_proxy", "all_proxy") and value for key, value in os.environ.items())


def _ca_bundle_context() -> ssl.SSLContext | bool:
    """REQUESTS_CA_BUNDLE (the requests library's variable, common in corporate setups) when
    SSL_CERT_FILE, which httpx reads itself, is not set."""
    import os

    bundle = os.environ.get("REQUESTS_CA_BUNDLE")
    if not bundle or os.environ.get("SSL_CERT_FILE"):
        return True
    import ssl

    try:
        return ssl.create_default_context(cafile=bundle)
    except (OSError, ssl.SSLError) as error:
        from ..errors import ExecutionError

        raise ExecutionError(f"REQUESTS_CA_BUNDLE names {bundle}, which is not a readable CA bundle: {error}") from None


class ModelRuntime:
    def __init__(self, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._transport = transport
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        """One pool for every model. The environment's HTTP(S)_PROXY, NO_PROXY, SSL_CERT_FILE and
        friends are honoured as httpx does (``trust_env``), so qsql works behind a corporate
        proxy; loopback (the offline stub, a local gateway) is always reached directly."""
        if self._client is None:
            import httpx

            limits = httpx.Limits(max_connections=512, max_keepalive_connections=512)
            verify = _ca_bundle_context()
            loopback: dict[str, httpx.AsyncBaseTransport] = {}
            if _proxy_configured():
                direct = self._transport or httpx.AsyncHTTPTransport(limits=limits, verify=verify)
                loopback = {f"all://{host}": direct for host in LOOPBACK_HOSTS}
            self._client = httpx.AsyncClient(
                transport=self._transport, limits=limits, trust_env=True, mounts=loopback, verify=verify
            )
        return self._client

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        import asyncio

        from ..interrupts import signals_held

        if self._loop is None:
            with signals_held():  # a Ctrl-C mid-construction left a half-built loop behind
                self._loop = asyncio.new_event_loop()
        return self._loop

    def run(self, coroutine: Awaitable[Out]) -> Out:
        """Run one coroutine to completion on the session's loop (a Batch API job, say)."""
        return self._event_loop().run_until_complete(coroutine)

    def map(
        self,
        function: Callable[[In], Coroutine[Any, Any, Out]],
        items: Iterable[In],
        limit: int,
        ordered: bool = True,
    ) -> Iterator[tuple[In, Out]]:
        """Yield ``(item, await function(item))`` with ``limit`` calls running whenever there is
        input for them, in input order when ``ordered``, else as they finish. The first
        exception is raised to the consumer after the calls still running are cancelled.

        Replies that arrive ahead of an earlier, slower one wait in a buffer of at most
        ``4 x limit`` (at least ``limit + 64``) entries, so a slow head row does not starve the
        others of requests (Flink's ordered mode counts finished rows against the limit and
        loses throughput exactly there), while memory stays bounded by the limit.
        """
        import asyncio

        loop = self._event_loop()
        source = iter(items)
        pending: deque[tuple[In, asyncio.Task[Out]]] = deque()
        running: set[asyncio.Task[Out]] = set()
        buffer_cap = max(4 * limit, limit + 64)
        exhausted = False
        try:
            while True:
                while not exhausted and len(running) < limit and len(pending) < buffer_cap:
                    following = next(source, _END)
                    if following is _END:
                        exhausted = True
                        break
                    item = cast(In, following)
                    task = loop.create_task(function(item))
                    running.add(task)
                    task.add_done_callback(running.discard)
                    pending.append((item, task))
                if not pending:
                    return
                if ordered:
                    ready = 0 if pending[0][1].done() else None
                else:
                    ready = next((i for i, (_, task) in enumerate(pending) if task.done()), None)
                if ready is None:
                    # Run the requests until one more finishes, then top up and look again.
                    loop.run_until_complete(asyncio.wait(set(running), return_when=asyncio.FIRST_COMPLETED))
                    continue
                item, task = pending[ready]
                del pending[ready]
                yield item, task.result()
        finally:
            unfinished = [task for _, task in pending if not task.done()]
            for task in unfinished:
                task.cancel()
            if unfinished and not loop.is_running():
                loop.run_until_complete(asyncio.gather(*unfinished, return_exceptions=True))
            for _, task in pending:
                # Mark failures as seen: a task that an interrupt (or a sibling's error) left
                # holding an exception would print "Task exception was never retrieved".
                if task.done() and not task.cancelled():
                    task.exception()

    def close(self) -> None:
        """Cancel whatever is still running, close the HTTP client and the event loop: after an
        interrupt or a failure nothing is left to print "Task was destroyed but it is pending!"."""
        loop, client = self._loop, self._client
        self._loop = self._client = None
        if loop is None and client is None:
            return  # no model was called: nothing to close (and no need to import asyncio)
        import asyncio

        if loop is None:
            loop = asyncio.new_event_loop()
        try:
            leftover = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in leftover:
                task.cancel()
            if leftover:
                loop.run_until_complete(asyncio.gather(*leftover, return_exceptions=True))
            if client is not None:
                loop.run_until_complete(client.aclose())
            loop.run_until_complete(loop.shutdown_asyncgens())
        except Exception:  # closing is best effort; the process may be exiting
            pass
        finally:
            loop.close()
