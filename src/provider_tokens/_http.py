"""HTTP plumbing under the generated clients: credentials, limits, no redirects.

The generated operations call ``client.get_httpx_client().request(...)``. Each source
hands them a ``GuardedClient``: an ``httpx.Client`` that builds the request (base URL,
timeout) and sends it through the user's client, or one of our own, with

* the credentials of this call attached by an ``httpx.Auth`` passed per request,
  overriding any auth set on the user's client (which may be the source itself);
* redirects never followed (a token request that is redirected is an error);
* the body read as a stream and refused past ``MAX_BODY_BYTES``.
"""

from __future__ import annotations

import base64
import contextvars
import ipaddress
import logging
import time
from collections.abc import Awaitable, Callable, Generator
from typing import Any

import httpx

from ._exceptions import ConfigurationError, MalformedResponseError

logger = logging.getLogger("provider_tokens")

MAX_BODY_BYTES = 1024 * 1024


class HeaderAuth(httpx.Auth):
    """Sets one credential header; its repr shows the header name only."""

    def __init__(self, name: str, value: str) -> None:
        self._name = name
        self._value = value

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self._name] = self._value
        yield request

    def __repr__(self) -> str:
        return f"HeaderAuth({self._name!r})"


def basic_auth(user: str, secret: str) -> HeaderAuth:
    """HTTP Basic credentials, plain RFC 7617: UTF-8, joined with a colon.

    That is what GMO-PG documents, and what the SDKs of the other Basic providers
    send; RFC 6749 §2.3.1's form-urlencoding of both parts first is not used by any
    of these providers (a secret with ``+`` or ``/`` would then no longer match).
    """
    encoded = base64.b64encode(f"{user}:{secret}".encode()).decode("ascii")
    return HeaderAuth("Authorization", f"Basic {encoded}")


def check_base_url(provider: str, base_url: str, *, allow_insecure_http: bool) -> str:
    """The base URL without a trailing slash; plain http only to loopback or when allowed."""
    url = httpx.URL(base_url)
    if url.scheme not in {"http", "https"} or not url.host:
        raise ConfigurationError(
            f"{provider}: base_url must be an absolute http(s) URL, got {base_url!r}",
            provider=provider,
        )
    if url.scheme == "http" and not allow_insecure_http and not _is_loopback(url.host):
        raise ConfigurationError(
            f"{provider}: refusing to send credentials over plain http to {url.host}; "
            "use https, or pass allow_insecure_http=True",
            provider=provider,
        )
    return base_url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _NoTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    # The guarded client never sends through its own transport; this spares it
    # building a connection pool and an SSL context nobody would use.
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise RuntimeError("GuardedClient sends through its inner client")

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise RuntimeError("GuardedClient sends through its inner client")


# Which attempt of a token request is in progress (1 = the first), for the log.
attempt: contextvars.ContextVar[int] = contextvars.ContextVar("provider_tokens_attempt", default=1)


def _log(provider: str, request: httpx.Request, status: int | str, started: float) -> None:
    # Method, host, path, status, attempt and timing only: never headers, query
    # strings or bodies, which carry credentials and tokens.
    if not logger.isEnabledFor(logging.DEBUG):  # its arguments cost a few µs
        return
    logger.debug(
        "%s %s %s%s -> %s (attempt %d, %.1f ms)",
        provider,
        request.method,
        request.url.host,
        request.url.path,
        status,
        attempt.get(),
        (time.perf_counter() - started) * 1000,
    )


def _declared_small(response: httpx.Response) -> bool:
    """An uncompressed body whose Content-Length is within the limit: read it at once.

    HTTP framing stops the read at that length, so it cannot grow past it; anything
    else (chunked, compressed, too long) is streamed and counted instead.
    """
    length = response.headers.get("content-length", "")
    return (
        length.isdigit()
        and int(length) <= MAX_BODY_BYTES
        and response.headers.get("content-encoding", "identity").lower() == "identity"
    )


class _Body:
    """A streamed response body, read up to ``MAX_BODY_BYTES`` and no further."""

    def __init__(self, provider: str, response: httpx.Response) -> None:
        self._provider = provider
        self._response = response
        self._chunks: list[bytes] = []
        self._size = 0

    def add(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > MAX_BODY_BYTES:
            raise MalformedResponseError(
                f"{self._provider}: response body exceeds {MAX_BODY_BYTES} bytes; not read",
                provider=self._provider,
                status_code=self._response.status_code,
            )
        self._chunks.append(chunk)

    def response(self) -> httpx.Response:
        """The response again, with the body read (and decoded) in memory."""
        original = self._response
        # The body is already decoded: drop the headers that describe the wire form.
        headers = [
            (k, v)
            for k, v in original.headers.multi_items()
            if k.lower() not in {"content-encoding", "content-length", "transfer-encoding"}
        ]
        return httpx.Response(
            original.status_code,
            headers=headers,
            content=b"".join(self._chunks),
            request=original.request,
            extensions=original.extensions,
        )


class GuardedClient(httpx.Client):
    """Builds requests like an ``httpx.Client``; sends them through ``inner``."""

    def __init__(
        self,
        *,
        provider: str,
        base_url: str,
        timeout: float,
        inner: Callable[[], httpx.Client],
        auth: httpx.Auth | None,
    ) -> None:
        super().__init__(
            base_url=base_url, timeout=timeout, transport=_NoTransport(), trust_env=False
        )
        self._provider = provider
        self._inner = inner
        self._request_auth = auth

    def send(self, request: httpx.Request, **_: Any) -> httpx.Response:
        started = time.perf_counter()
        response = self._inner().send(
            request, stream=True, auth=self._request_auth, follow_redirects=False
        )
        try:
            if _declared_small(response):
                response.read()  # framing stops the read at Content-Length
                result = response
            else:
                body = _Body(self._provider, response)
                for chunk in response.iter_bytes():
                    body.add(chunk)
                result = body.response()
        finally:
            response.close()
        _log(self._provider, request, response.status_code, started)
        return result


class GuardedAsyncClient(httpx.AsyncClient):
    """The asyncio twin of ``GuardedClient``."""

    def __init__(
        self,
        *,
        provider: str,
        base_url: str,
        timeout: float,
        inner: Callable[[], Awaitable[httpx.AsyncClient]],
        auth: httpx.Auth | None,
    ) -> None:
        super().__init__(
            base_url=base_url, timeout=timeout, transport=_NoTransport(), trust_env=False
        )
        self._provider = provider
        self._inner = inner
        self._request_auth = auth

    async def send(self, request: httpx.Request, **_: Any) -> httpx.Response:
        started = time.perf_counter()
        response = await (await self._inner()).send(
            request, stream=True, auth=self._request_auth, follow_redirects=False
        )
        try:
            if _declared_small(response):
                await response.aread()
                result = response
            else:
                body = _Body(self._provider, response)
                async for chunk in response.aiter_bytes():
                    body.add(chunk)
                result = body.response()
        finally:
            await response.aclose()
        _log(self._provider, request, response.status_code, started)
        return result
