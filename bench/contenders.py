"""The clients under comparison, each set up the way its documentation shows.

* ``fixed header``: a plain ``httpx`` client with ``Authorization: Bearer <token>``
  among its default headers: the physical limit (no token layer at all).
* ``provider-tokens``: ``httpx.Client(auth=MoneyKit(...))``.
* ``Authlib``: ``OAuth2Client`` / ``AsyncOAuth2Client`` with ``token_endpoint`` and
  ``grant_type="client_credentials"`` (client_secret_basic), after ``fetch_token()``.
* ``httpx-auth``: ``httpx.Client(auth=OAuth2ClientCredentials(token_url, id, secret))``.

All of them get the same MoneyKit test client from the same fake token endpoint
(Basic credentials, form ``grant_type=client_credentials``, a 201 answer) and send
their GETs to the same resource URL.
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from provider_tokens import MoneyKit
from provider_tokens.stores import MemoryStore
from provider_tokens.testing import CREDENTIALS

FIXED = "fixed header"
OURS = "provider-tokens"
AUTHLIB = "Authlib"
HTTPX_AUTH = "httpx-auth"
# The cold start's floor: a token known beforehand.
FIXED_TOKEN = "fixed-token-known-beforehand"

CLIENT_ID = CREDENTIALS["moneykit"]["client_id"]
CLIENT_SECRET = CREDENTIALS["moneykit"]["client_secret"]

# What the peers print when imported, kept for the configuration report.
IMPORT_NOTES: list[str] = []


def authlib_httpx() -> Any:
    """``authlib.integrations.httpx_client``, without its import-time warning on stderr.

    Authlib 1.9 looks for the ``httpx2`` package first and warns (a DeprecationWarning
    it forces to "always") when it falls back to ``httpx``; it works the same.
    """
    with warnings.catch_warnings(record=True) as caught:
        from authlib.integrations import httpx_client  # type: ignore[import-untyped]
    for warning in caught:
        note = f"authlib: {str(warning.message).strip()}"
        if note not in IMPORT_NOTES:
            IMPORT_NOTES.append(note)
    return httpx_client


def httpx_auth_module() -> Any:
    import httpx_auth

    return httpx_auth


def clear_httpx_auth_cache() -> None:
    """httpx-auth keeps its tokens in one process-wide cache; start from empty."""
    from httpx_auth._oauth2.common import OAuth2

    OAuth2.token_cache.clear()


def token_url(base_url: str) -> str:
    return f"{base_url}/auth/token"


def our_source(
    base_url: str,
    *,
    http_client: httpx.Client | None = None,
    async_http_client: httpx.AsyncClient | None = None,
) -> MoneyKit:
    # A private MemoryStore: the process-wide default would let sources share tokens.
    return MoneyKit(
        CLIENT_ID,
        CLIENT_SECRET,
        base_url=base_url,
        store=MemoryStore(),
        http_client=http_client,
        async_http_client=async_http_client,
    )


def authlib_sync(base_url: str, **kwargs: Any) -> Any:
    module = authlib_httpx()
    return module.OAuth2Client(
        CLIENT_ID,
        CLIENT_SECRET,
        token_endpoint=token_url(base_url),
        grant_type="client_credentials",
        **kwargs,
    )


def authlib_async(base_url: str, **kwargs: Any) -> Any:
    module = authlib_httpx()
    return module.AsyncOAuth2Client(
        CLIENT_ID,
        CLIENT_SECRET,
        token_endpoint=token_url(base_url),
        grant_type="client_credentials",
        **kwargs,
    )


def httpx_auth_credentials(base_url: str) -> httpx.Auth:
    auth: httpx.Auth = httpx_auth_module().OAuth2ClientCredentials(
        token_url(base_url), CLIENT_ID, CLIENT_SECRET
    )
    return auth


@dataclass
class SyncContender:
    name: str
    client: httpx.Client
    close: Callable[[], None]


@dataclass
class AsyncContender:
    name: str
    client: httpx.AsyncClient
    close: Callable[[], Awaitable[None]]


# In-process serving of the resource API, for the runs that leave sockets out.
IN_PROCESS_URL = "http://resource.invalid/v1/resource"
_OK = b'{"ok":true}'


def _resource(request: httpx.Request) -> httpx.Response:
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return httpx.Response(200, content=_OK, headers={"Content-Type": "application/json"})
    return httpx.Response(401)


def resource_transport() -> httpx.MockTransport:
    """The resource API of ``bench_resource`` as an in-process transport (sync and async)."""
    return httpx.MockTransport(_resource)


def _authlib_token(base_url: str) -> dict[str, Any]:
    """A token fetched by Authlib itself, for an Authlib client whose transport is not HTTP."""
    with authlib_sync(base_url) as client:
        return dict(client.fetch_token())


def sync_contenders(
    base_url: str, transport: httpx.BaseTransport | None = None
) -> list[SyncContender]:
    """The four sync clients, each with its token already obtained (a warm cache).

    ``transport`` replaces the network for the resource requests (not for tokens).
    """
    kw: dict[str, Any] = {} if transport is None else {"transport": transport}
    source = our_source(base_url)
    token = source.token().access_token
    if transport is None:
        authlib = authlib_sync(base_url)
        authlib.fetch_token()
    else:
        authlib = authlib_sync(base_url, token=_authlib_token(base_url), **kw)
    credentials = httpx_auth_credentials(base_url)
    next(credentials.sync_auth_flow(httpx.Request("GET", IN_PROCESS_URL)))  # fetch, cache
    peer = httpx.Client(auth=credentials, **kw)

    def close_ours() -> None:
        ours.close()
        source.close()

    fixed = httpx.Client(headers={"Authorization": f"Bearer {token}"}, **kw)
    ours = httpx.Client(auth=source, **kw)
    return [
        SyncContender(FIXED, fixed, fixed.close),
        SyncContender(OURS, ours, close_ours),
        SyncContender(AUTHLIB, authlib, authlib.close),
        SyncContender(HTTPX_AUTH, peer, peer.close),
    ]


async def async_contenders(
    base_url: str, transport: httpx.AsyncBaseTransport | None = None
) -> list[AsyncContender]:
    """The four asyncio clients (httpx's default limits), each with its token obtained."""
    kw: dict[str, Any] = {} if transport is None else {"transport": transport}
    source = our_source(base_url)
    token = (await source.atoken()).access_token
    if transport is None:
        authlib = authlib_async(base_url)
        await authlib.fetch_token()
    else:
        authlib = authlib_async(base_url, token=_authlib_token(base_url), **kw)
    credentials = httpx_auth_credentials(base_url)
    next(credentials.sync_auth_flow(httpx.Request("GET", IN_PROCESS_URL)))  # fetch, cache
    peer = httpx.AsyncClient(auth=credentials, **kw)
    fixed = httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, **kw)
    ours = httpx.AsyncClient(auth=source, **kw)

    async def close_ours() -> None:
        await ours.aclose()
        await source.aclose()

    return [
        AsyncContender(FIXED, fixed, fixed.aclose),
        AsyncContender(OURS, ours, close_ours),
        AsyncContender(AUTHLIB, authlib, authlib.aclose),
        AsyncContender(HTTPX_AUTH, peer, peer.aclose),
    ]
