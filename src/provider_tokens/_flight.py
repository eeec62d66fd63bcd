"""One in-flight token fetch, awaited by threads and by tasks on any event loop."""

from __future__ import annotations

import asyncio
import contextlib
import threading

from ._token import AccessToken


class Flight:
    """The outcome of one in-flight fetch, awaitable from threads and event loops."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self.token: AccessToken | None = None
        self.error: BaseException | None = None
        # The event loop an async leader fetches on, if any.
        self.loop: asyncio.AbstractEventLoop | None = None

    def finish(self, token: AccessToken | None, error: BaseException | None) -> None:
        with self._lock:
            self.token, self.error = token, error
            self._done.set()
            waiters, self._waiters = self._waiters, []
        here = _running_loop()
        for loop, future in waiters:
            if loop is here:
                _wake(future)
            else:
                # A closed loop raises RuntimeError: nobody is waiting there any more.
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(_wake, future)

    def result(self) -> AccessToken:
        if self.error is not None:
            raise self.error
        assert self.token is not None
        return self.token

    def wait(self) -> AccessToken:
        if self.loop is not None and self.loop is _running_loop():
            # Blocking here would stop the very loop that is fetching: a deadlock.
            raise RuntimeError(
                "token() called on the event loop while atoken() is fetching on it; "
                "use `await atoken()` (or httpx.AsyncClient) inside async code"
            )
        self._done.wait()
        return self.result()

    def settled(self) -> None:
        """Wait for the outcome, whatever it is."""
        self._done.wait()

    async def asettled(self) -> None:
        with contextlib.suppress(Exception):  # only the end of the flight matters here
            await self.wait_async()

    async def wait_async(self) -> AccessToken:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            pending = not self._done.is_set()
            if pending:
                self._waiters.append((loop, future))
        if pending:
            await future
        return self.result()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
