"""Shared test helpers: a controllable clock and a recording mock provider."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from provider_tokens.testing import ManualClock

# Where the `clock` fixture starts: this run's start, whole seconds, so that absolute
# times in scripted responses (an expiry given as a date) are in the future for the
# system clock too.
START = dt.datetime.now(dt.UTC).replace(microsecond=0)


def at(seconds: float, *, suffix: str = "Z") -> str:
    """START plus ``seconds`` as an ISO 8601 string (UTC, ``Z`` unless told otherwise)."""
    return (START + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S") + suffix


Handler = Callable[[httpx.Request], httpx.Response]


class MockProvider:
    """A scripted token endpoint behind ``httpx.MockTransport``, sync and async.

    ``responses`` are served in order (the last one repeats); every request is
    recorded. ``gate`` lets a test hold responses back to pile up concurrent callers.
    """

    def __init__(self, *responses: httpx.Response | Handler | Exception) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []
        self.gate: threading.Event | None = None
        self._lock = threading.Lock()

    def _next(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
            index = min(len(self.requests), len(self.responses)) - 1
        if self.gate is not None:
            self.gate.wait(10)
        item = self.responses[index]
        if isinstance(item, Exception):
            raise item
        if isinstance(item, httpx.Response):
            return httpx.Response(item.status_code, headers=item.headers, content=item.content)
        return item(request)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self._next))

    def async_client(self) -> httpx.AsyncClient:
        async def handler(request: httpx.Request) -> httpx.Response:
            return self._next(request)

        return httpx.AsyncClient(transport=httpx.MockTransport(handler))

    def form(self, index: int = -1) -> dict[str, str]:
        from urllib.parse import parse_qsl

        return dict(parse_qsl(self.requests[index].content.decode()))


def reply(status: int, body: Any = None, **headers: str) -> httpx.Response:
    """A JSON response (``body`` as dict) or raw bytes/str."""
    if isinstance(body, dict | list):
        content = json.dumps(body).encode()
        headers.setdefault("content_type", "application/json")
    elif isinstance(body, str):
        content = body.encode()
    else:
        content = body or b""
    return httpx.Response(
        status, headers={k.replace("_", "-"): v for k, v in headers.items()}, content=content
    )


@pytest.fixture
def clock() -> ManualClock:
    """A clock that moves only when told, starting at ``START``."""
    return ManualClock(START)


@pytest.fixture(autouse=True)
def _fresh_default_store() -> None:
    # Sources share tokens through the process-wide MemoryStore by default; each
    # test starts with it empty, as a new process would.
    from provider_tokens.stores import default_store

    default_store().clear()
