"""Serving the core in-process, as an httpx transport (sync and async).

No socket, no thread, no port: fast and hermetic, and usable where binding a port
is not allowed. Faults behave as on the wire: a drop raises the error httpx raises
when a server hangs up (``RemoteProtocolError``), and a delay longer than the
request's read timeout ends in ``httpx.ReadTimeout`` after that timeout.
"""

from __future__ import annotations

import asyncio
import time

import httpx

from ._core import Core
from ._wire import Reply


class FakeTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Routes requests by path (``/<provider>/...``) to the fake providers; the host is ignored."""

    def __init__(self, core: Core) -> None:
        self._core = core

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        reply = self._reply(request, request.read())
        wait, timed_out = _wait(request, reply)
        if wait:
            time.sleep(wait)
        return _response(request, reply, timed_out)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        reply = self._reply(request, await request.aread())
        wait, timed_out = _wait(request, reply)
        if wait:
            await asyncio.sleep(wait)
        return _response(request, reply, timed_out)

    def _reply(self, request: httpx.Request, body: bytes) -> Reply:
        query = request.url.query.decode("ascii", "replace")
        return self._core.handle(request.method, request.url.path, query, request.headers, body)

    def close(self) -> None:
        """Nothing to release; many clients may share this transport."""

    async def aclose(self) -> None:
        """Nothing to release; many clients may share this transport."""

    def __repr__(self) -> str:
        return "FakeTransport()"


def _wait(request: httpx.Request, reply: Reply) -> tuple[float, bool]:
    """How long to wait before answering, and whether the read times out first."""
    timeouts = request.extensions.get("timeout") or {}
    read = timeouts.get("read")
    if read is not None and reply.delay > read:
        return float(read), True
    return reply.delay, False


def _response(request: httpx.Request, reply: Reply, timed_out: bool) -> httpx.Response:
    if timed_out:
        raise httpx.ReadTimeout("timed out (fake delay)", request=request)
    if reply.drop:
        raise httpx.RemoteProtocolError(
            "Server disconnected without sending a response.", request=request
        )
    return httpx.Response(reply.status, headers=list(reply.headers), content=reply.body)
