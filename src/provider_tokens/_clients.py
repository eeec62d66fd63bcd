"""The HTTP clients a source sends through: the caller's, or its own, made on first use."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol, TypeVar

import httpx

from ._http import GuardedAsyncClient, GuardedClient


class GeneratedClient(Protocol):
    """What every generated ``Client``/``AuthenticatedClient`` offers."""

    def get_httpx_client(self) -> httpx.Client: ...

    def get_async_httpx_client(self) -> httpx.AsyncClient: ...

    def set_httpx_client(self, client: httpx.Client, /) -> Any: ...

    def set_async_httpx_client(self, async_client: httpx.AsyncClient, /) -> Any: ...


C = TypeVar("C", bound=GeneratedClient)


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
        self._own: httpx.Client | None = None
        self._own_async: httpx.AsyncClient | None = None

    def sync(self) -> httpx.Client:
        if self._user is not None:
            return self._user
        if self._own is None:
            self._own = httpx.Client(timeout=self._timeout, follow_redirects=False)
        return self._own

    async def async_(self) -> httpx.AsyncClient:
        if self._user_async is not None:
            return self._user_async
        if self._own_async is None:
            # Building a client loads the CA bundle (tens of milliseconds): do it off
            # the event loop, which would otherwise stall for every task on it.
            client = await asyncio.to_thread(
                httpx.AsyncClient, timeout=self._timeout, follow_redirects=False
            )
            if self._own_async is None:
                self._own_async = client
            else:  # another task got there first
                await client.aclose()
        return self._own_async

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
        if self._own is not None:
            self._own.close()
            self._own = None

    async def aclose(self) -> None:
        self.close()
        if self._own_async is not None:
            await self._own_async.aclose()
            self._own_async = None
