"""The HTTP clients a source sends through: the caller's, or its own, made on first use.

An ``httpx.AsyncClient`` pools connections that belong to the event loop that
opened them, so a source keeps one client of its own per running loop. Each is
closed when its loop shuts down (``asyncio.run``, ``asyncio.Runner`` and
pytest-asyncio close a loop's async generators first, and a small one here closes
the client), or by ``aclose()``. A loop closed without that step leaves its client
behind; it is dropped, never reused. After ``fork`` the child drops every client of
its own: their sockets are the parent's.

Every client of our own verifies TLS with one context per process (``_SharedTls``):
loading the CA bundle takes tens of milliseconds and holds the GIL, so building it
for each client (each source, each event loop) stalled every thread and event
loop of the process at each cold start. A source whose base URL is plain http
(loopback, the fakes) and that no proxy applies to never speaks TLS: its clients get
a context that trusts no certificate at all, so the bundle is not loaded for them,
and a TLS connection they somehow made would fail, never pass unverified.
"""

from __future__ import annotations

import contextlib
import importlib
import ssl
import sys
import threading
import urllib.request
import weakref
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import httpx

from ._fork import forget_at_fork
from ._http import GuardedAsyncClient, GuardedClient

if TYPE_CHECKING:
    import asyncio
else:
    from ._lazy import asyncio


class GeneratedClient(Protocol):
    """What every generated ``Client``/``AuthenticatedClient`` offers."""

    def get_httpx_client(self) -> httpx.Client: ...

    def get_async_httpx_client(self) -> httpx.AsyncClient: ...

    def set_httpx_client(self, client: httpx.Client, /) -> Any: ...

    def set_async_httpx_client(self, async_client: httpx.AsyncClient, /) -> Any: ...


C = TypeVar("C", bound=GeneratedClient)


class _SharedTls:
    """The process's TLS context for clients of our own: httpx's default (certifi's CA
    bundle, or ``SSL_CERT_FILE``/``SSL_CERT_DIR``), built once. An ``SSLContext`` is
    safe to share between threads, clients and event loops."""

    def __init__(self) -> None:
        self.context: ssl.SSLContext | None = None
        self._lock = threading.Lock()
        forget_at_fork(self)

    def for_url(self, base_url: str) -> ssl.SSLContext:
        """The context for a client of our own that only talks to ``base_url``."""
        return self.ready_for(base_url) or self.get()

    def ready_for(self, base_url: str) -> ssl.SSLContext | None:
        """``for_url``'s answer if it needs no CA bundle loaded now, else None."""
        if base_url.startswith("http://") and not urllib.request.getproxies():
            return _TRUSTS_NOTHING
        return self.context

    def get(self) -> ssl.SSLContext:
        context = self.context
        if context is None:
            with self._lock:
                if self.context is None:
                    self.context = httpx.create_ssl_context()
                context = self.context
        return context

    def _after_fork_in_child(self) -> None:
        # A parent thread may have been building it: the child's copy of the lock
        # would stay held. The context itself is the child's to use.
        self._lock = threading.Lock()


_TLS = _SharedTls()
# Verifies certificates (CERT_REQUIRED, check_hostname) against an empty trust store.
_TRUSTS_NOTHING = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class _Cookies(httpx.Cookies):
    """A client's cookie jar that looks at an answer only if it sets a cookie.

    httpx hands every response to the jar, through shims of ``urllib``'s request and
    response that take some 17 µs to build: a sixth of a token request's own cost on
    a keep-alive connection. Token endpoints rarely set cookies; those that do still
    have them kept and sent, as by any ``httpx.Client``.
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)


ClientT = TypeVar("ClientT", httpx.Client, httpx.AsyncClient)


def _with_cookies(client: ClientT) -> ClientT:
    # ``_cookies`` is what httpx's ``cookies`` property reads and its setter writes.
    client._cookies = _Cookies(client.cookies)
    return client


# A forked child's copies of its parent's clients (see ``_after_fork_in_child``).
_INHERITED: list[httpx.Client | httpx.AsyncClient | None] = []


def _load_transports(*, async_: bool) -> None:
    """Import what httpx's transports need, which httpx itself imports only when it
    builds the first one (httpcore, h11: some 15 ms from bytecode) and, for async
    ones, when it first takes a lock (anyio's asyncio backend: some 20 ms, on the event
    loop). A source that will build clients of its own does it at construction (a
    service's start-up), not in its first token request, which a cold start and each
    process of a fleet wait on. The async part only in a program that has imported
    asyncio: a sync one never needs it.
    """
    import httpcore  # noqa: F401

    if async_ and "asyncio" in sys.modules:
        with contextlib.suppress(ImportError):  # anyio's layout is its own business
            importlib.import_module("anyio._backends._asyncio")


class _LoopClient:
    """An ``AsyncClient`` of one event loop, and the generator that closes it with the loop."""

    __slots__ = ("client", "closer")

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.closer: AsyncGenerator[None, None] | None = None


class HttpClients:
    """A caller's ``httpx`` clients, or clients of our own that ``close()`` closes."""

    def __init__(
        self,
        *,
        provider: str,
        base_url: str,
        timeout: float,
        sync: httpx.Client | None,
        async_: httpx.AsyncClient | None,
    ) -> None:
        self._provider = provider
        self._base_url = base_url
        self._timeout = timeout
        self._user = sync
        self._user_async = async_
        self._lock = threading.Lock()
        self._own: httpx.Client | None = None
        self._own_async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopClient] = (
            weakref.WeakKeyDictionary()
        )
        if sync is None or async_ is None:
            _load_transports(async_=async_ is None)
        forget_at_fork(self)

    def _after_fork_in_child(self) -> None:
        # Kept, never collected: collecting them would close, or warn about,
        # sockets that are the parent's.
        _INHERITED.extend([self._own, *(mine.client for mine in self._own_async.values())])
        self._lock = threading.Lock()
        self._own = None
        self._own_async = weakref.WeakKeyDictionary()

    def sync(self) -> httpx.Client:
        if self._user is not None:
            return self._user
        own = self._own
        if own is None:
            with self._lock:  # racing first calls must not each build (and leak) one
                if self._own is None:
                    self._own = _with_cookies(
                        httpx.Client(
                            timeout=self._timeout,
                            follow_redirects=False,
                            verify=_TLS.for_url(self._base_url),
                        )
                    )
                own = self._own
        return own

    async def async_(self) -> httpx.AsyncClient:
        if self._user_async is not None:
            return self._user_async
        loop = asyncio.get_running_loop()
        mine = self._own_async.get(loop)
        if mine is not None:
            return mine.client
        # The first client of the process loads the CA bundle (tens of milliseconds):
        # off the event loop then; later ones share it and are cheap to make here.
        context = _TLS.ready_for(self._base_url)
        if context is None:
            context = await asyncio.to_thread(_TLS.get)
        client = _with_cookies(
            httpx.AsyncClient(timeout=self._timeout, follow_redirects=False, verify=context)
        )
        with self._lock:
            mine = self._own_async.get(loop)
            ours = mine is None
            if mine is None:
                mine = self._own_async[loop] = _LoopClient(client)
                # Loops closed without shutting down their async generators: their
                # clients can no longer be closed, only forgotten.
                for dead in [other for other in self._own_async if other.is_closed()]:
                    del self._own_async[dead]
        if not ours:  # another task got there first
            await client.aclose()
            return mine.client
        mine.closer = self._closer(mine)
        await mine.closer.asend(None)  # registers it with the loop's async generators
        return mine.client

    async def _closer(self, mine: _LoopClient) -> AsyncGenerator[None, None]:
        # Holds no reference to its loop: the loop is this dict's weak key.
        try:
            yield
        finally:
            with self._lock:
                for loop in [k for k, v in self._own_async.items() if v is mine]:
                    del self._own_async[loop]
            await mine.client.aclose()

    def bind(self, client: C, auth: httpx.Auth | None) -> C:
        """Route a generated client's requests through the guarded HTTP path.

        ``auth`` is what those requests carry: the client credentials for the token
        endpoint, the source itself for resource calls, or ``None``.
        """
        common: dict[str, Any] = {
            "provider": self._provider,
            "base_url": self._base_url,
            "timeout": self._timeout,
            "auth": auth,
        }
        client.set_httpx_client(GuardedClient(inner=self.sync, **common))
        client.set_async_httpx_client(GuardedAsyncClient(inner=self.async_, **common))
        return client

    def close(self) -> None:
        with self._lock:
            own, self._own = self._own, None
        if own is not None:
            own.close()

    async def aclose(self) -> None:
        """Close our sync client and this loop's async client.

        Clients of other loops that are still running are closed on those loops.
        """
        self.close()
        here = asyncio.get_running_loop()
        with self._lock:
            clients = list(self._own_async.items())
            self._own_async.clear()
        for loop, mine in clients:
            if mine.closer is None:
                continue
            if loop is here:
                await mine.closer.aclose()
            elif loop.is_running():
                asyncio.run_coroutine_threadsafe(_close(mine.closer), loop)


async def _close(closer: AsyncGenerator[None, None]) -> None:
    await closer.aclose()
