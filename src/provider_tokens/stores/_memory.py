"""``MemoryStore``: the default, one per process, shared by sources with the same key."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Iterator

from ._base import StoredToken


class MemoryStore:
    """Tokens in this process's memory, with a lock per key.

    Sources built with the same credentials share one token through it; each
    source's own single flight already covers its threads and tasks.
    """

    def __init__(self) -> None:
        self._values: dict[str, StoredToken] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: str) -> StoredToken | None:
        return self._values.get(key)

    def put(self, key: str, value: StoredToken) -> None:
        self._values[key] = value

    def discard(self, key: str, access_token: str) -> None:
        with self._guard:
            value = self._values.get(key)
            if value is None or value.token.access_token != access_token:
                return
            if value.token.refresh_token:
                self._values[key] = value.expired()
            else:
                del self._values[key]

    def clear(self) -> None:
        """Forget every token (tests use this between cases)."""
        with self._guard:
            self._values.clear()

    def _lock_for(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        with self._lock_for(key):
            yield

    async def aget(self, key: str) -> StoredToken | None:
        return self.get(key)

    async def aput(self, key: str, value: StoredToken) -> None:
        self.put(key, value)

    async def adiscard(self, key: str, access_token: str) -> None:
        self.discard(key, access_token)

    @contextlib.asynccontextmanager
    async def alock(self, key: str) -> AsyncIterator[None]:
        lock = self._lock_for(key)
        delay = 0.001
        # Poll rather than block: a blocking acquire would stall the event loop,
        # and one handed to a thread could not be abandoned on cancellation.
        while not lock.acquire(blocking=False):
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)
        try:
            yield
        finally:
            lock.release()

    def __repr__(self) -> str:
        return f"MemoryStore({len(self._values)} tokens)"


_DEFAULT = MemoryStore()


def default_store() -> MemoryStore:
    """The process-wide store sources use when given none."""
    return _DEFAULT
