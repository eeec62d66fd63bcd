"""``MemoryStore``: the default, one per process, shared by sources with the same key."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable

from .._clock import Clock, SystemClock
from .._fork import forget_at_fork
from ._base import LocalStore, LockTimeoutError, StoredToken

# Expired entries are swept when the store grows to this many, or to twice what the
# last sweep kept: each sweep is paid for by the puts since the one before.
SWEEP_AT_LEAST = 1024


class MemoryStore(LocalStore):
    """Tokens in this process's memory, with a lock per key.

    Sources built with the same credentials share one token through it; each
    source's own single flight already covers its threads and tasks. Expired tokens
    without a refresh token are dropped as new ones come in, and a key's lock lives
    only while it is held or waited for, so a process that sees many credentials
    does not keep them all. ``clock`` (its ``now()``) says when a token has expired.
    A child process made by ``fork`` keeps the tokens but not the locks its parent's
    threads held.
    """

    # Its async get, put and release are its sync ones, returning at once, and its
    # lock wait bounds itself: the guard calls the sync ones from async code (a lock
    # free at once through ``_try_lock``) and times them after the fact (declared on
    # this class only, so that a subclass that really awaits keeps the guard's timers).
    _returns_at_once = True

    def __init__(self, *, clock: Clock | None = None) -> None:
        self._clock: Clock = clock or SystemClock()
        self._values: dict[str, StoredToken] = {}
        self._locks: weakref.WeakValueDictionary[str, threading.Lock] = (
            weakref.WeakValueDictionary()
        )
        self._guard = threading.Lock()
        self._sweep_at = SWEEP_AT_LEAST
        forget_at_fork(self)

    def get(self, key: str) -> StoredToken | None:
        return self._values.get(key)

    def put(self, key: str, value: StoredToken) -> None:
        with self._guard:
            self._values[key] = value
            if len(self._values) >= self._sweep_at:
                self._sweep()

    def _sweep(self) -> None:
        # A refresh token outlives its access token (GMO Aozora): keep those.
        now = self._clock.now()
        expired = [
            key
            for key, value in self._values.items()
            if value.valid_until <= now and not value.token.refresh_token
        ]
        for key in expired:
            del self._values[key]
        self._sweep_at = max(SWEEP_AT_LEAST, 2 * len(self._values))

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
    def discard(self, key: str, access_token: str, *, timeout: float | None = None) -> None:
        self._drop(key, access_token)

    async def adiscard(self, key: str, access_token: str, *, timeout: float | None = None) -> None:
        self._drop(key, access_token)

    def clear(self) -> None:
        """Forget every token (tests use this between cases)."""
        with self._guard:
            self._values.clear()
            self._sweep_at = SWEEP_AT_LEAST

    def _lock_for(self, key: str) -> threading.Lock:
        # Held weakly: holders and waiters keep a key's lock alive, and it goes
        # when the last of them lets go.
        with self._guard:
            lock = self._locks.get(key)
            if lock is None:
                lock = self._locks[key] = threading.Lock()
            return lock

    def _wait_lock(self, key: str) -> Callable[[], None]:
        lock = self._lock_for(key)
        lock.acquire()
        return lock.release

    def _wait_lock_for(self, key: str, timeout: float) -> Callable[[], None]:
        lock = self._lock_for(key)
        if not lock.acquire(timeout=timeout):
            raise LockTimeoutError("the store's lock was not free in time")
        return lock.release

    def _try_lock(self, key: str) -> Callable[[], None] | None:
        lock = self._lock_for(key)
        return lock.release if lock.acquire(blocking=False) else None

    def _after_fork_in_child(self) -> None:
        # The parent's threads may hold locks (or the guard) that no thread of the
        # child will ever release: start with fresh ones; the tokens stay good.
        self._guard = threading.Lock()
        self._locks = weakref.WeakValueDictionary()

    def __repr__(self) -> str:
        return f"MemoryStore({len(self._values)} tokens)"


_DEFAULT = MemoryStore()


def default_store() -> MemoryStore:
    """The process-wide store sources use when given none."""
    return _DEFAULT
