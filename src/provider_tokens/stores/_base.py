"""The store protocol and the record stores keep: a token and how long it is good for."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

from .._exceptions import TokenError
from .._token import AccessToken

if TYPE_CHECKING:
    import asyncio
else:
    from .._lazy import asyncio

FORMAT = 1


class StoreError(TokenError):
    """A store could not read, write or lock; the source falls back to itself.

    ``provider`` is ``"store"`` unless the raiser knows better: stores are shared by
    sources of every provider.
    """

    def __init__(self, message: str, *, provider: str = "store") -> None:
        super().__init__(message, provider=provider)


class LockTimeoutError(StoreError, TimeoutError):
    """A store's lock was not free within the wait allowed (``lock(key, timeout=...)``)."""


class ValueStored(Exception):
    """Raised instead of taking the lock by a store's ``lock(key, until_put=True)``
    (and ``alock``) when another holder stored a value for the key while this caller
    waited: the caller reads it rather than queueing for the lock behind every other
    waiter. Never seen by users: only the sources' store guard asks for it."""


@attrs.frozen
class StoredToken:
    """A token as stores keep it: wall-clock times, since monotonic ones mean
    nothing in another process. ``valid_until`` is the hard expiry the source used
    (the provider's, or ``default_ttl`` when it gave none); ``issued_at`` is when the
    token was requested. No client secret or API key is ever part of it.
    """

    token: AccessToken
    issued_at: dt.datetime
    valid_until: dt.datetime

    def to_json(self) -> str:
        t = self.token
        return json.dumps(
            {
                "format": FORMAT,
                "access_token": t.access_token,
                "token_type": t.token_type,
                "expires_at": t.expires_at.isoformat() if t.expires_at else None,
                "scope": t.scope,
                "refresh_token": t.refresh_token,
                "raw": dict(t.raw),
                "issued_at": self.issued_at.isoformat(),
                "valid_until": self.valid_until.isoformat(),
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, data: str | bytes) -> StoredToken | None:
        """The record, or ``None`` if ``data`` is not one (corrupt means missing)."""
        try:
            d: Any = json.loads(data)
            if d.get("format") != FORMAT or not isinstance(d["access_token"], str):
                return None
            expires_at = d["expires_at"]
            return cls(
                token=AccessToken(
                    access_token=d["access_token"],
                    token_type=d["token_type"],
                    expires_at=dt.datetime.fromisoformat(expires_at) if expires_at else None,
                    scope=d["scope"],
                    refresh_token=d["refresh_token"],
                    raw=d["raw"] if isinstance(d["raw"], dict) else {},
                ),
                issued_at=_aware(d["issued_at"]),
                valid_until=_aware(d["valid_until"]),
            )
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return None

    def expired(self) -> StoredToken:
        """The same record with its access token marked unusable (the refresh token stays)."""
        return attrs.evolve(self, valid_until=self.issued_at)


def _aware(value: str) -> dt.datetime:
    when = dt.datetime.fromisoformat(value)
    if when.tzinfo is None:
        raise ValueError("naive time")
    return when


@runtime_checkable
class TokenStore(Protocol):
    """Where sources share tokens, and the lock around fetching one.

    ``lock(key)`` must exclude every other holder of the same key, in this process
    and (for shared stores) in others; the source re-reads the store after taking it,
    so only the first holder fetches. ``discard(key, access_token)`` drops that access
    token only if it is still the stored one, keeping any refresh token with it.

    ``lock`` and ``alock`` (and ``discard``/``adiscard``, where they wait for the lock)
    may also take a keyword ``timeout`` (seconds, ``None``: no limit) and raise
    ``LockTimeoutError`` when the lock is not free in time; the stores here do, and
    sources pass it to any store whose methods accept it.
    """

    def get(self, key: str) -> StoredToken | None: ...

    def put(self, key: str, value: StoredToken) -> None: ...

    def discard(self, key: str, access_token: str) -> None: ...

    def lock(self, key: str) -> AbstractContextManager[None]: ...

    async def aget(self, key: str) -> StoredToken | None: ...

    async def aput(self, key: str, value: StoredToken) -> None: ...

    async def adiscard(self, key: str, access_token: str) -> None: ...

    def alock(self, key: str) -> AbstractAsyncContextManager[None]: ...


class LocalStore:
    """Base of stores whose operations are quick and local (memory, files).

    A subclass implements ``get``, ``put``, ``_drop`` (compare and expire, called
    with the key's lock held), ``_try_lock`` and ``_wait_lock`` (and may wait better
    than by polling in ``_wait_lock_for`` and ``_await_lock``); ``lock``, ``discard``
    and the async twins come from here.
    Reads and writes are not worth a thread hop; the async lock is polled rather
    than blocked on, since a blocking acquire would stall the event loop and one
    handed to a thread could not be abandoned on cancellation. Lock waits end with
    ``LockTimeoutError`` after ``timeout`` seconds, if one is given.
    """

    def get(self, key: str) -> StoredToken | None:
        raise NotImplementedError

    def put(self, key: str, value: StoredToken) -> None:
        raise NotImplementedError

    def _drop(self, key: str, access_token: str) -> None:
        """Expire ``access_token`` if it is still the stored one, keeping a refresh token."""
        raise NotImplementedError

    def _try_lock(self, key: str) -> Callable[[], None] | None:
        """Take the key's lock without waiting: its release, or ``None`` if it is held."""
        raise NotImplementedError

    def _wait_lock(self, key: str) -> Callable[[], None]:
        """Take the key's lock, waiting as long as it takes: its release."""
        raise NotImplementedError

    def _wait_lock_for(self, key: str, timeout: float) -> Callable[[], None]:
        """Take the key's lock within ``timeout`` seconds: its release, or
        ``LockTimeoutError``. Polls ``_try_lock``, backing off; a subclass may wait
        better."""
        deadline, delay = time.monotonic() + timeout, 0.001
        while (release := self._try_lock(key)) is None:
            time.sleep(pause(deadline, delay))
            delay = min(delay * 2, 0.05)
        return release

    @contextlib.contextmanager
    def lock(self, key: str, *, timeout: float | None = None) -> Iterator[None]:
        release = self._wait_lock(key) if timeout is None else self._wait_lock_for(key, timeout)
        try:
            yield
        finally:
            release()

    async def _await_lock(self, key: str, deadline: float | None) -> Callable[[], None]:
        """Take the key's lock by ``deadline`` (monotonic; ``None``: no limit) without
        blocking the event loop: its release, or ``LockTimeoutError``. Polls
        ``_try_lock``, backing off; a subclass may wait better. Cancelled, it holds
        nothing."""
        delay = 0.001
        while (release := self._try_lock(key)) is None:
            await asyncio.sleep(delay if deadline is None else pause(deadline, delay))
            delay = min(delay * 2, 0.05)
        return release

    @contextlib.asynccontextmanager
    async def alock(self, key: str, *, timeout: float | None = None) -> AsyncIterator[None]:
        deadline = None if timeout is None else time.monotonic() + timeout
        release = await self._await_lock(key, deadline)
        try:
            yield
        finally:
            release()

    def discard(self, key: str, access_token: str, *, timeout: float | None = None) -> None:
        with self.lock(key, timeout=timeout):
            self._drop(key, access_token)

    async def aget(self, key: str) -> StoredToken | None:
        return self.get(key)

    async def aput(self, key: str, value: StoredToken) -> None:
        self.put(key, value)

    async def adiscard(self, key: str, access_token: str, *, timeout: float | None = None) -> None:
        async with self.alock(key, timeout=timeout):
            self._drop(key, access_token)


def pause(deadline: float, delay: float) -> float:
    """How long to wait before polling a lock again, or ``LockTimeoutError`` at ``deadline``."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise LockTimeoutError("the store's lock was not free in time")
    return min(delay, remaining)
