"""Helpers shared by the wire tests of the generated clients (imported, not a conftest).

* ``Server``: an ``httpx.MockTransport`` handler that records every request and replies with
  one canned response.
* ``make_client`` / ``make_async_client``: a generated ``Client`` or ``AuthenticatedClient``
  whose httpx client sends to a ``Server``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import httpx


class Server:
    """A MockTransport handler: records every request and replies with one canned response.

    A ``body`` is sent as JSON under ``content_type``; a provider whose replies use another
    media type subclasses ``Server`` and overrides the class attribute ``content_type``.
    """

    content_type = "application/json"

    def __init__(
        self,
        status: int,
        body: Any = None,
        *,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.body = body
        if content_type is not None:
            self.content_type = content_type
        self.headers = headers or {}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.body is None:
            return httpx.Response(self.status, headers=self.headers)
        return httpx.Response(
            self.status,
            content=json.dumps(self.body).encode(),
            headers={"Content-Type": self.content_type, **self.headers},
        )

    @property
    def request(self) -> httpx.Request:
        assert len(self.requests) == 1
        return self.requests[0]


class SyncClient(Protocol):
    def set_httpx_client(self, client: httpx.Client, /) -> Any: ...


class AsyncClient(Protocol):
    def set_async_httpx_client(self, async_client: httpx.AsyncClient, /) -> Any: ...


SyncClientT = TypeVar("SyncClientT", bound=SyncClient)
AsyncClientT = TypeVar("AsyncClientT", bound=AsyncClient)


def make_client(
    client_class: Callable[..., SyncClientT],
    base_url: str,
    server: Server,
    auth: httpx.Auth | None = None,
    **client_args: Any,
) -> SyncClientT:
    """``client_class(base_url=base_url, **client_args)``, sending through ``server``.

    The httpx client is set directly, so an ``AuthenticatedClient``'s ``token`` (required by
    its constructor) is never sent; ``auth`` is the httpx auth of every request.
    """
    client = client_class(base_url=base_url, **client_args)
    client.set_httpx_client(
        httpx.Client(base_url=base_url, transport=httpx.MockTransport(server), auth=auth)
    )
    return client


def make_async_client(
    client_class: Callable[..., AsyncClientT], base_url: str, server: Server, **client_args: Any
) -> AsyncClientT:
    """The async twin of ``make_client`` (without ``auth``)."""
    client = client_class(base_url=base_url, **client_args)
    client.set_async_httpx_client(
        httpx.AsyncClient(base_url=base_url, transport=httpx.MockTransport(server))
    )
    return client
