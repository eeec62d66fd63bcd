"""``MemoryStore``: the default, one per process, shared by sources with the same key."""

from __future__ import annotations

import threading
from collections.abc import Callable

from ._base import LocalStore, StoredToken


class MemoryStore(LocalStore):
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

    def _drop(self, key: str, access_token: str) -> None:
        with self._guard:
            value = self._values.get(key)
            if value is None or value.token.access_token != access_token:
                return
            if value.token.refresh_token:
                self._values[key] = value.expired()
            else:
                del self._values[key]

    # Compare-and-expire is atomic under the guard: no need to wait for the key's
    # lock, which a fetch may hold (and a sync invalidate() on the event loop must
    # not block on a lock that a task of that loop holds).
    def discard(self, key: str, access_token: str) -> None:
        self._drop(key, access_token)

    async def adiscard(self, key: str, access_token: str) -> None:
        self._drop(key, access_token)

    def clear(self) -> None:
        """Forget every token (tests use this between cases)."""
        with self._guard:
            self._values.clear()

    def _lock_for(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def _wait_lock(self, key: str) -> Callable[[], None]:
        lock = self._lock_for(key)
        lock.acquire()
        return lock.release

    def _try_lock(self, key: str) -> Callable[[], None] | None:
        lock = self._lock_for(key)
        return lock.release if lock.acquire(blocking=False) else None

    def __repr__(self) -> str:
        return f"MemoryStore({len(self._values)} tokens)"


_DEFAULT = MemoryStore()


def default_store() -> MemoryStore:
    """The process-wide store sources use when given none."""
    return _DEFAULT
