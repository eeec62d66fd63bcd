"""``GuardedStore``: any ``TokenStore`` as a source uses it, failures, hangs and all.

A token source must keep working without its store. Every operation here turns a
store failure into "nothing there" (or "not locked"), logs it once, and then
bypasses the store for ``RETRY_AFTER`` seconds: a Redis that is down can take
seconds per call to say so, and every fetch would otherwise pay for it again.

Two bounds, given by the source:

- ``timeout`` (the source's HTTP timeout) bounds each ``get``/``put``/``discard``
  and each lock release. A call that has not answered by then is a store failure,
  as above, and the token is fetched directly.
- ``lock_timeout`` (the source's whole fetch budget: how long a holder may
  legitimately keep the lock) bounds the wait for the store's lock. When it runs
  out the source goes ahead without the lock (a warning; at worst two processes
  fetch), the store is not counted as failed, and the wait is abandoned whole: a
  lock that comes free later is not taken.

How each kind of store is bounded:

- async calls: ``asyncio.timeout``; the lock wait is also passed to the store's
  ``alock(key, timeout=...)`` when it takes one.
- ``MemoryStore`` and ``FileStore``: quick and local, so called inline and timed after
  the fact, their async ``get``/``put`` through the sync ones and a lock that is free
  taken at once (``_try_lock``); their lock waits take the timeout.
- ``RedisStore``: through connections of its own with socket timeouts no longer
  than ``timeout`` and no retries (redis-py's default retries with backoff would
  make one call last tens of seconds), and a lock wait with a deadline.
- any other store: called inline, on the caller's thread, since a store may rely
  on that (a SQLite connection does). Its ``lock``/``discard`` get ``timeout=`` if
  their signature has it; otherwise it must bound its own calls. A sync call that
  returns after ``timeout`` has its answer used, but counts as a failure: the store
  is bypassed from then on, as if it had failed.

Using a store's lock from sync code on an event loop whose own task holds it
through ``alock`` would block that task for ever: ``lock`` raises
``BlockingCallError`` instead. A lock held through ``alock`` by a task whose loop
was then closed, the task still pending, can never be released by it: the next
caller releases a ``LocalStore``'s (a Redis lock lapses with its lease).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from .._clock import Clock
from .._exceptions import BlockingCallError
from .._flight import _running_loop
from ._base import LocalStore, LockTimeoutError, StoredToken, StoreError, TokenStore, ValueStored
from ._holders import HOLDERS, exit_now

if TYPE_CHECKING:
    import asyncio
else:
    from .._lazy import asyncio

logger = logging.getLogger("provider_tokens")

T = TypeVar("T")

# After a store fails, it is bypassed this long before being tried again.
RETRY_AFTER = 30.0


class _Taken:
    """A ``LocalStore`` lock the guard took at once (``_try_lock``), as the async
    context manager that ``alock`` holds: its exit is the plain release, done once
    (a lock reclaimed from a closed loop's task is released by the reclaimer, and
    again by that task's ``finally`` if it is ever collected)."""

    __slots__ = ("_guard", "_release")

    def __init__(self, release: Callable[[], None]) -> None:
        self._release: Callable[[], None] | None = release
        self._guard = threading.Lock()

    def release(self) -> None:
        with self._guard:
            release, self._release = self._release, None
        if release is not None:
            release()

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc_info: object) -> None:
        self.release()


# What a lock wait ended by a stored value "holds": nothing to release.
_STORED: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
_ASTORED: contextlib.AbstractAsyncContextManager[None] = contextlib.nullcontext()


def store_key(provider: str, base_url: str, material: Iterable[str]) -> str:
    """A source's key in stores: what changes its token, hashed (never a secret in clear).

    ``material`` is the client identity, scope, account and a hash of the secret.
    """
    parts = (provider, base_url, *material)
    return f"{provider}:{hashlib.sha256(chr(31).join(parts).encode()).hexdigest()[:40]}"


def _takes(method: Callable[..., Any] | None, keyword: str) -> bool:
    if method is None:
        return False
    try:
        parameter = inspect.signature(method).parameters.get(keyword)
    except (TypeError, ValueError):  # no signature to read: assume the old protocol
        return False
    return parameter is not None and parameter.kind in (
        inspect.Parameter.KEYWORD_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    )


class GuardedStore:
    """One source's view of a store: one key, bounded calls, failures that never escape."""

    def __init__(
        self,
        store: TokenStore,
        *,
        key: str,
        provider: str,
        clock: Clock,
        timeout: float = 10.0,
        lock_timeout: float = 60.0,
    ) -> None:
        self.store = store
        self.key = key
        self.timeout = timeout
        self.lock_timeout = lock_timeout
        self._provider = provider
        self._clock = clock
        self._warned = False
        self._down_until = 0.0
        # A RedisStore gives a view of itself on bounded connections (duck-typed:
        # importing it here would load the Redis code for every source).
        bounded = getattr(store, "_bounded", None)
        self._target: TokenStore = store
        if callable(bounded):
            try:
                self._target = bounded(timeout)
            except Exception as exc:  # a store that cannot even be set up: bypassed
                self._failed(exc)
        # Checked once: which of its methods take a timeout (older stores do not).
        self._timed = frozenset(
            name
            for name in ("lock", "alock", "discard", "adiscard")
            if _takes(getattr(self._target, name, None), "timeout")
        )
        # Which lock waits can end when a value is stored (``ValueStored``; RedisStore).
        self._until_put = frozenset(
            name for name in ("lock", "alock") if _takes(getattr(self._target, name), "until_put")
        )
        # A store whose async calls return at once (MemoryStore, FileStore declare it)
        # is timed after each call like a sync one, not by an asyncio timer per call.
        self._local = bool(type(self._target).__dict__.get("_returns_at_once", False))
        # Bound once: these run around every fetch.
        self._lock_call = self._method("lock", lock_timeout)
        self._alock_call = self._method("alock", lock_timeout)
        self._discard_call = self._method("discard", timeout)
        self._adiscard_call = self._method("adiscard", timeout)

    def _method(self, name: str, timeout: float) -> Callable[..., Any]:
        method: Callable[..., Any] = getattr(self._target, name)
        return functools.partial(method, timeout=timeout) if name in self._timed else method

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

    def _gave_up(self) -> None:
        logger.warning(
            "%s: token store %r lock not free within %g s; fetching without it",
            self._provider,
            self.store,
            self.lock_timeout,
        )

    def _too_slow(self) -> StoreError:
        return StoreError(f"no answer within {self.timeout:g} s", provider=self._provider)

    def _up(self) -> bool:
        return self._clock.monotonic() >= self._down_until

    def _try(
        self, op: Callable[[], T], default: T, *, bounded: bool = False, always: bool = False
    ) -> T:
        """``op``, or ``default`` if the store fails; ``bounded`` ops wait as they may.
        ``always``: run even while the store is bypassed (a lock held must be released:
        a skipped release keeps a ``FileStore`` lock for the life of the process)."""
        if not (always or self._up()):
            return default
        started = time.monotonic()
        try:
            result = op()
        except LockTimeoutError:  # a discard that found the lock held: not a failure
            return default
        except Exception as exc:
            self._failed(exc)
            return default
        if not bounded and time.monotonic() - started > self.timeout:
            self._failed(self._too_slow())  # a store that cannot bound itself
        return result

    async def _atry(
        self,
        op: Callable[[], Awaitable[T]],
        default: T,
        *,
        quick: bool = False,
        always: bool = False,
    ) -> T:
        """``_try``'s twin; ``quick`` ops (a LocalStore's release) are timed after the
        fact, as sync calls are, rather than by a timer."""
        if not (always or self._up()):
            return default
        timer = None if quick and self._local else asyncio.timeout(self.timeout)
        started = time.monotonic()
        try:
            async with timer or contextlib.nullcontext():
                result = await op()
        except LockTimeoutError:
            return default
        except Exception as exc:
            self._failed(self._too_slow() if timer is not None and timer.expired() else exc)
            return default
        if timer is None and time.monotonic() - started > self.timeout:
            self._failed(self._too_slow())
        return result

    def _held_on_this_thread(self) -> asyncio.AbstractEventLoop | None:
        return HOLDERS.on_this_thread(self.store, self.key)

    def refuse_blocking(self, *, awaiting: bool = False) -> None:
        """``BlockingCallError`` if a task of an event loop of this thread holds the lock.

        A caller about to wait (for the lock, or for a fetch that waits for it) would
        wait for a task that can only run on this thread: the loop running here, which
        the wait would stop, or a stopped one, which cannot run while this thread
        waits. A task of the running loop is an ordinary holder for one ``awaiting``
        the lock (``alock``).
        """
        holder = self._held_on_this_thread()
        if holder is None or holder.is_closed() or (awaiting and holder.is_running()):
            return
        raise BlockingCallError(
            f"{self._provider}: a task of an event loop of this thread holds the token "
            "store's lock; in async code use `await atoken()` (or httpx.AsyncClient), "
            "and run a stopped loop until its fetch is done",
            provider=self._provider,
        )

    def _reclaim(self) -> None:
        # A task of a closed event loop holds the lock: it will never run to release
        # it. A LocalStore's release needs no loop, so it is done here; any other
        # store's lock lapses on its own (Redis: with its lease).
        held = HOLDERS.abandoned(self.store, self.key)
        if held is not None and isinstance(self._target, LocalStore) and exit_now(held):
            logger.warning(
                "%s: token store %r lock was held by a task of a closed event loop; released",
                self._provider,
                self.store,
            )

    # -- the operations a source uses ------------------------------------------------

    def get(self) -> StoredToken | None:
        return self._try(lambda: self._target.get(self.key), None)

    async def aget(self) -> StoredToken | None:
        if self._local:  # its aget is its get: spare the coroutines
            return self.get()
        return await self._atry(lambda: self._target.aget(self.key), None)

    def put(self, value: StoredToken) -> None:
        self._try(lambda: self._target.put(self.key, value), None)

    async def aput(self, value: StoredToken) -> None:
        if self._local:
            self.put(value)
            return
        await self._atry(lambda: self._target.aput(self.key, value), None)

    def discard(self, access_token: str) -> None:
        # A task of this loop holds the lock: a store that waits for it could only
        # time out, with the loop stopped meanwhile. Try it once instead.
        held_here = self._held_on_this_thread() is not None
        discard = self._method("discard", 0.0) if held_here else self._discard_call
        # A discard that takes a timeout may spend it waiting for the key's lock.
        bounded = "discard" in self._timed
        self._try(lambda: discard(self.key, access_token), None, bounded=bounded)

    async def adiscard(self, access_token: str) -> None:
        discard = self._adiscard_call
        await self._atry(lambda: discard(self.key, access_token), None)

    @contextlib.contextmanager
    def lock(self, *, until_stored: bool = False, within: float | None = None) -> Iterator[bool]:
        """The store's lock for this key, or no lock at all if the store fails or the
        lock stays held past ``lock_timeout``: ``with guard.lock() as fetch``, with
        ``fetch`` true. Unlocked, at worst more than one process fetches.

        With ``until_stored``, a store that can tell (RedisStore) stops the wait when
        another holder stores a value: ``fetch`` is then false, no lock is held, and
        the caller reads the store again instead of fetching; ``within`` is then what is
        left of ``lock_timeout`` for its next wait. ``BlockingCallError`` if a task of
        the event loop running on this thread holds the lock.
        """
        self._reclaim()
        self.refuse_blocking()
        held = self._acquire(until_stored, within)
        try:
            yield held is not _STORED
        finally:
            if held is not None and held is not _STORED:
                self._try(lambda: held.__exit__(None, None, None), None, always=True)

    def _acquire(
        self, until_stored: bool, within: float | None
    ) -> contextlib.AbstractContextManager[None] | None:
        if not self._up():
            return None
        call = self._lock_call
        if within is not None and "lock" in self._timed:
            call = self._method("lock", max(0.0, within))
        try:
            held: contextlib.AbstractContextManager[None] = (
                call(self.key, until_put=True)
                if until_stored and "lock" in self._until_put
                else call(self.key)
            )
            held.__enter__()
        except ValueStored:
            return _STORED
        except LockTimeoutError:
            self._gave_up()
            return None
        except Exception as exc:
            self._failed(exc)
            return None
        return held

    @contextlib.asynccontextmanager
    async def alock(
        self, *, until_stored: bool = False, within: float | None = None
    ) -> AsyncIterator[bool]:
        """``lock``'s twin."""
        held = await self._aacquire(until_stored, within)
        if held is None or held is _ASTORED:
            yield held is None
            return
        HOLDERS.hold(self.store, self.key, asyncio.get_running_loop(), held)
        try:
            yield True
        finally:
            HOLDERS.forget(self.store, self.key, held)
            if isinstance(held, _Taken):
                self._try(held.release, None, always=True)
            elif _running_loop() is None:  # closed by the garbage collector, its loop gone
                if isinstance(self._target, LocalStore):
                    exit_now(held)
            else:
                release = held.__aexit__
                await self._atry(lambda: release(None, None, None), None, quick=True, always=True)

    async def _aacquire(
        self, until_stored: bool, within: float | None
    ) -> contextlib.AbstractAsyncContextManager[None] | None:
        self._reclaim()
        self.refuse_blocking(awaiting=True)
        if not self._up():
            return None
        if self._local and isinstance(self._target, LocalStore):
            # Free at once, the usual case: taken without the store's async machinery
            # (two async context managers, some 10 µs a fetch).
            try:
                release = self._target._try_lock(self.key)
            except Exception as exc:
                self._failed(exc)
                return None
            if release is not None:
                return _Taken(release)
        # A store that takes the timeout gives up by itself; the backstop is for
        # one whose calls hang (one call past its own deadline), or that takes none.
        timed = "alock" in self._timed
        wait, call = self.lock_timeout, self._alock_call
        if within is not None and timed:
            wait = max(0.0, within)
            call = self._method("alock", wait)
        # The SDK's own LocalStores bound their wait and never hang in a call: no backstop.
        timer = (
            None
            if timed and self._local
            else asyncio.timeout(wait + (self.timeout if timed else 0.0))
        )
        try:
            held: contextlib.AbstractAsyncContextManager[None] = (
                call(self.key, until_put=True)
                if until_stored and "alock" in self._until_put
                else call(self.key)
            )
            async with timer or contextlib.nullcontext():
                await held.__aenter__()  # cancelled at the deadline: nothing is held
        except ValueStored:
            return _ASTORED
        except LockTimeoutError:
            self._gave_up()
            return None
        except Exception as exc:
            expired = timer is not None and timer.expired()
            if expired and not timed:
                self._gave_up()
            else:
                self._failed(self._too_slow() if expired else exc)
            return None
        return held

    def __repr__(self) -> str:
        return f"GuardedStore({self.store!r})"
