"""``GuardedStore``: any ``TokenStore`` as a source uses it, failures and all.

A token source must keep working without its store. Every operation here turns a
store failure into "nothing there" (or "not locked"), logs it once, and then
bypasses the store for ``RETRY_AFTER`` seconds: a Redis that is down can take
seconds per call to say so, and every fetch would otherwise pay for it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import TypeVar

from .._clock import Clock
from ._base import StoredToken, TokenStore

logger = logging.getLogger("provider_tokens")

T = TypeVar("T")

# After a store fails, it is bypassed this long before being tried again.
RETRY_AFTER = 30.0


def store_key(provider: str, base_url: str, material: Iterable[str]) -> str:
    """A source's key in stores: what changes its token, hashed (never a secret in clear).

    ``material`` is the client identity, scope, account and a hash of the secret.
    """
    parts = (provider, base_url, *material)
    return f"{provider}:{hashlib.sha256(chr(31).join(parts).encode()).hexdigest()[:40]}"


class GuardedStore:
    """One source's view of a store: one key, and failures that never escape."""

    def __init__(self, store: TokenStore, *, key: str, provider: str, clock: Clock) -> None:
        self.store = store
        self.key = key
        self._provider = provider
        self._clock = clock
        self._warned = False
        self._down_until = 0.0

    def _failed(self, exc: Exception) -> None:
        self._down_until = self._clock.monotonic() + RETRY_AFTER
        if not self._warned:
            self._warned = True
            logger.warning(
                "%s: token store %r failed (%s); fetching without it for %.0f s",
                self._provider,
                self.store,
                exc,
                RETRY_AFTER,
            )
        else:
            logger.debug("%s: token store failed again: %s", self._provider, exc)

    def _up(self) -> bool:
        return self._clock.monotonic() >= self._down_until

    def _try(self, op: Callable[[], T], default: T) -> T:
        if not self._up():
            return default
        try:
            return op()
        except Exception as exc:
            self._failed(exc)
            return default

    async def _atry(self, op: Callable[[], Awaitable[T]], default: T) -> T:
        if not self._up():
            return default
        try:
            return await op()
        except Exception as exc:
            self._failed(exc)
            return default

    # -- the operations a source uses ------------------------------------------------

    def get(self) -> StoredToken | None:
        return self._try(lambda: self.store.get(self.key), None)

    async def aget(self) -> StoredToken | None:
        return await self._atry(lambda: self.store.aget(self.key), None)

    def put(self, value: StoredToken) -> None:
        self._try(lambda: self.store.put(self.key, value), None)

    async def aput(self, value: StoredToken) -> None:
        await self._atry(lambda: self.store.aput(self.key, value), None)

    def discard(self, access_token: str) -> None:
        self._try(lambda: self.store.discard(self.key, access_token), None)

    async def adiscard(self, access_token: str) -> None:
        await self._atry(lambda: self.store.adiscard(self.key, access_token), None)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """The store's lock for this key, or no lock at all if the store fails.

        Unlocked, at worst more than one process fetches.
        """
        lock = self.store.lock(self.key)

        def enter() -> bool:
            lock.__enter__()
            return True

        if not self._try(enter, False):
            yield
            return
        try:
            yield
        finally:
            self._try(lambda: lock.__exit__(None, None, None), None)

    @contextlib.asynccontextmanager
    async def alock(self) -> AsyncIterator[None]:
        lock = self.store.alock(self.key)

        async def enter() -> bool:
            await lock.__aenter__()
            return True

        if not await self._atry(enter, False):
            yield
            return
        try:
            yield
        finally:
            await self._atry(lambda: lock.__aexit__(None, None, None), None)

    def __repr__(self) -> str:
        return f"GuardedStore({self.store!r})"
