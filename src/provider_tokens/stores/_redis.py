"""``RedisStore``: tokens shared by every machine that reaches one Redis."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime as dt
import logging
import os
import threading
import time
import uuid
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from .._exceptions import ConfigurationError
from .._fork import forget_at_fork
from ._base import LockTimeoutError, StoredToken, StoreError, ValueStored, pause
from ._redis_clients import async_twin, bounded_client, is_cluster, listener
from ._redis_notify import FALLBACK, Notifier, glob_escape

if TYPE_CHECKING:
    import redis
    import redis.asyncio
    import redis.cluster

logger = logging.getLogger("provider_tokens")

# Take the lock if it is free: 0 when taken, else the milliseconds left of its
# holder's lease (when to try again at the latest: a lapsed lease publishes nothing).
# A lock key without an expiry (written by hand, or by something else) would block
# every fetch for ever: give it a lease, so it lapses.
_ACQUIRE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
local left = redis.call('PTTL', KEYS[1])
if left == -1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); return tonumber(ARGV[2]) end
return math.max(left, 1)
"""

# Delete the lock only if we still hold it: a holder whose lease ran out must not
# release the lock a later holder took. Then wake the key's waiters (ARGV[2], the
# channel; a classic PUBLISH, which a cluster forwards to every node).
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  local deleted = redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], 'released')
  return deleted
end
return 0
"""

# Store a value (ARGV[2]: its time to live in ms, '' for none), and tell the waiters.
_PUT = """
if ARGV[2] == '' then redis.call('SET', KEYS[1], ARGV[1])
else redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
redis.call('PUBLISH', ARGV[3], 'put')
return 1
"""

# Extend the lock's lease only if we still hold it: a holder whose lease ran out
# (stopped longer than a lease) must not extend the lock a later holder took.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

# How long a releasing holder waits for its renewer thread, which may be in the
# middle of a call: the renewal is harmless after the release (compare-and-pexpire).
_JOIN_TIMEOUT = 1.0

# Drop an access token only if it is still the stored one. An entry with a refresh
# token is kept, its access token marked unusable: losing the refresh token would
# send the user through the authorization flow again.
_DISCARD = """
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local ok, value = pcall(cjson.decode, raw)
if not ok or value['access_token'] ~= ARGV[1] then return 0 end
if value['refresh_token'] and value['refresh_token'] ~= cjson.null then
  value['valid_until'] = value['issued_at']
  redis.call('SET', KEYS[1], cjson.encode(value), 'KEEPTTL')
  return 1
end
return redis.call('DEL', KEYS[1])
"""

# Parked in a forked child: its parent's async clients, never used or closed there.
_ABANDONED: list[object] = []


class RedisStore:
    """Tokens in Redis, with a lock per key that outlives no holder by more than ``lease``.

    A value lives as long as its token (``PX``), except one carrying a refresh token
    (GMO Aozora): that is kept with no expiry, since the refresh token's own lifetime
    is unknown. The lock is ``SET NX PX lease`` with a unique value, released by a
    compare-and-delete script that also publishes on the key's channel, as does
    ``put``. Waiters are woken by that message (see ``_redis_notify``: one listener
    thread and pub/sub connection per store and process), and otherwise try again
    every ``FALLBACK`` seconds or when the holder's lease runs out, until the lock is
    theirs or their ``timeout`` runs out. With ``until_put=True`` (what sources pass) a
    wait told that a value was stored ends with ``ValueStored`` instead, the lock not
    taken: the caller reads the value. A lock key found without an expiry is given
    the lease.

    While the lock is held its lease is renewed (a watchdog): every ``lease / 3``
    seconds a compare-and-``PEXPIRE`` script sets the key's expiry back to ``lease``,
    only if the key still holds this holder's value. A fetch may thus take longer than
    the lease (one attempt may take four times the source's ``timeout``, plus retries)
    without a second process taking the lock and spending the same refresh token. The
    renewer is a daemon thread for ``lock`` and a task on the holder's event loop for
    ``alock``; it is stopped before the release and never runs in a forked child. It
    also stops by itself when the key is no longer this holder's, when it has not
    renewed the lease for a whole lease (Redis unreachable: the lock has lapsed), when
    the holder's thread or task is gone, and after ``max_hold`` seconds (default one
    hour, far past any source's fetch budget: 240 s with the default retry policy and a
    10 s ``timeout``); the lock then lapses one lease later. A dead process renews
    nothing: its lock lapses after one lease at most.

    ``client`` is a ``redis.Redis``; the async methods use ``async_client`` (a
    ``redis.asyncio.Redis``), by default one per event loop built from the same
    connection settings and closed when that loop shuts down. Sources use the store
    through connections of their own whose socket timeouts are at most the source's
    ``timeout``, without retries (renewals included); ``client`` itself is never
    changed. With a Sentinel or custom connection class, pass ``async_client`` and set
    timeouts on both. Requires the ``redis`` extra: ``pip install provider-tokens[redis]``.

    ``client`` may be a ``redis.cluster.RedisCluster`` (the async methods then use a
    ``redis.asyncio.cluster.RedisCluster`` on its nodes). Every name of a key (value,
    lock, channel) then carries the key as a hash tag (``<prefix>{<key>}``,
    ``<prefix>lock:{<key>}``, ``<prefix>wake:{<key>}``), so they share a slot, each
    script touches one slot, and tokens spread over the shards; the prefix must then
    hold no brace (``ConfigurationError``), which would move the hash tag.
    """

    def __init__(
        self,
        client: redis.Redis | redis.cluster.RedisCluster,
        prefix: str = "provider-tokens:",
        *,
        async_client: redis.asyncio.Redis | None = None,
        lease: float = 60.0,
        max_hold: float = 3600.0,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.lease = lease
        self.max_hold = max_hold
        self._async_client = async_client
        self._bound: float | None = None  # None: connections as the client has them
        self._views: dict[float, RedisStore] = {}
        # On a cluster, the key as a hash tag: a token's names share one slot.
        self._tag = "{}"
        if is_cluster(client):
            if "{" in prefix or "}" in prefix:
                raise ConfigurationError(
                    f"a RedisStore prefix on a cluster holds no brace: {prefix!r}",
                    provider="redis",
                )
            self._tag = "{{{}}}"
        # Shared with the bounded views (copies): one listener per store and process.
        self._notifier = Notifier(
            lambda attempt: listener(client, attempt), glob_escape(prefix) + "wake:*"
        )
        self._start()

    def _start(self) -> None:
        self._acquire = self.client.register_script(_ACQUIRE)
        self._release = self.client.register_script(_RELEASE)
        self._put = self.client.register_script(_PUT)
        self._renew = self.client.register_script(_RENEW)
        self._discard = self.client.register_script(_DISCARD)
        # A redis.asyncio client belongs to the loop that opened its connections.
        self._loop_clients: dict[asyncio.AbstractEventLoop, _LoopClient] = {}
        # Loops whose client was closed by their shutdown: a release still to come
        # there (a lock held by a task the loop dropped) uses a client of its own.
        self._ended_loops: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()
        self._guard = threading.Lock()
        forget_at_fork(self)

    def _bounded(self, timeout: float) -> RedisStore:
        """This store on connections that give up after ``timeout`` seconds, without
        retrying: what a source with that HTTP timeout uses."""
        with self._guard:
            view = self._views.get(timeout)
            if view is None:
                view = copy.copy(self)
                view.client = bounded_client(self.client, timeout)
                view._bound, view._views = timeout, {}
                view._start()
                # A cluster that no node of answered just now: not kept, so that the
                # next source made on this store tries again.
                if not (is_cluster(self.client) and view.client is self.client):
                    self._views[timeout] = view
            return view

    def close(self) -> None:
        """Close the sync connections this store opened of its own for sources, and
        stop its notifier's listener (``client`` is yours to close; async connections
        close with their event loop)."""
        self._notifier.stop()
        with self._guard:
            views, self._views = list(self._views.values()), {}
        for view in views:
            if view.client is not self.client:
                view.client.close()

    def _after_fork_in_child(self) -> None:
        # The parent's loops and their sockets are not the child's to use or close.
        _ABANDONED.append(self._loop_clients)
        self._loop_clients = {}
        self._ended_loops = weakref.WeakSet()
        self._guard = threading.Lock()

    def _aconn(self) -> _Conn:
        """``async with store._aconn() as client``: this loop's async client.

        Not an async generator (nor ``asynccontextmanager``): a lock released while its
        loop shuts down its async generators must not start a new one.
        """
        return _Conn(self)

    async def _loop_entry(self) -> _LoopClient | None:
        """This loop's client (made on first use), or None once the loop is shutting
        down its async generators and has closed it."""
        loop = asyncio.get_running_loop()
        with self._guard:
            entry = self._loop_clients.get(loop)
            if entry is not None or loop in self._ended_loops:
                return entry
            for closed in [other for other in self._loop_clients if other.is_closed()]:
                del self._loop_clients[closed]
            entry = self._loop_clients[loop] = _LoopClient(async_twin(self.client, self._bound))
        await entry.start_closer(self, loop)
        return entry

    def _key(self, key: str) -> str:
        return f"{self.prefix}{self._tag.format(key)}"

    def _lock_key(self, key: str) -> str:
        return f"{self.prefix}lock:{self._tag.format(key)}"

    def _channel(self, key: str) -> str:
        return f"{self.prefix}wake:{self._tag.format(key)}"

    @staticmethod
    def _ttl_ms(value: StoredToken) -> int | None:
        if value.token.refresh_token:
            return None
        remaining = value.valid_until - dt.datetime.now(dt.UTC)
        return max(1, int(remaining.total_seconds() * 1000))

    # -- sync -------------------------------------------------------------------------

    def get(self, key: str) -> StoredToken | None:
        with _errors():
            data: Any = self.client.get(self._key(key))
        return None if data is None else StoredToken.from_json(data)

    def _put_args(self, key: str, value: StoredToken) -> list[str | int]:
        ttl = self._ttl_ms(value)
        return [value.to_json(), "" if ttl is None else ttl, self._channel(key)]

    def put(self, key: str, value: StoredToken) -> None:
        with _errors():
            self._put(keys=[self._key(key)], args=self._put_args(key, value))

    def discard(self, key: str, access_token: str) -> None:
        with _errors():
            self._discard(keys=[self._key(key)], args=[access_token])

    @contextlib.contextmanager
    def lock(
        self, key: str, *, timeout: float | None = None, until_put: bool = False
    ) -> Iterator[None]:
        """The key's lock; ``LockTimeoutError`` after ``timeout`` seconds, and with
        ``until_put``, ``ValueStored`` as soon as another holder stores a value."""
        name, token, channel = self._lock_key(key), uuid.uuid4().hex, self._channel(key)
        args: list[str | int] = [token, int(self.lease * 1000)]
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            with _errors():
                left = self._acquire(keys=[name], args=args)
                if left:
                    # Registered before the next attempt: a release from then on wakes us.
                    with self._notifier.waiting(channel) as waiter:
                        while left := self._acquire(keys=[name], args=args):
                            waiter.wait(_wait(deadline, left))
                            if until_put and waiter.put:
                                raise ValueStored
        except (LockTimeoutError, ValueStored):
            raise
        except BaseException:
            # An attempt that failed on the way back may have taken the lock.
            with contextlib.suppress(StoreError), _errors():
                self._release(keys=[name], args=[token, channel])
            raise
        renewer: _Renewer | None = None
        try:
            renewer = _Renewer(self, name, token)
            yield
        finally:
            if renewer is not None:
                renewer.stop()
            with _errors():
                self._release(keys=[name], args=[token, channel])

    # -- async ------------------------------------------------------------------------

    async def aget(self, key: str) -> StoredToken | None:
        with _errors():
            async with self._aconn() as client:
                data: Any = await client.get(self._key(key))
        return None if data is None else StoredToken.from_json(data)

    async def aput(self, key: str, value: StoredToken) -> None:
        with _errors():
            async with self._aconn() as client:
                await client.eval(_PUT, 1, self._key(key), *self._put_args(key, value))

    async def adiscard(self, key: str, access_token: str) -> None:
        with _errors():
            async with self._aconn() as client:
                await client.eval(_DISCARD, 1, self._key(key), access_token)

    @contextlib.asynccontextmanager
    async def alock(
        self, key: str, *, timeout: float | None = None, until_put: bool = False
    ) -> AsyncIterator[None]:
        name, token, channel = self._lock_key(key), uuid.uuid4().hex, self._channel(key)
        lease_ms = int(self.lease * 1000)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            with _errors():
                left = await self._atry_acquire(name, token, lease_ms)
                if left:
                    async with self._notifier.awaiting(channel) as waiter:
                        while left := await self._atry_acquire(name, token, lease_ms):
                            await waiter.wait(_wait(deadline, left))
                            if until_put and waiter.put:
                                raise ValueStored
        except (LockTimeoutError, ValueStored):
            raise
        except BaseException:
            # Cancelled or failed while asking: the lock may be ours all the same.
            await self._arelease(name, token, channel, quietly=True)
            raise
        renewer = asyncio.get_running_loop().create_task(
            self._arenew(name, token, asyncio.current_task(), os.getpid()),
            name=f"{_RENEWER} {name}",
        )
        try:
            yield
        finally:
            renewer.cancel()
            await self._arelease(name, token, channel)

    async def _arenew(
        self, name: str, token: str, holder: asyncio.Task[Any] | None, pid: int
    ) -> None:
        """``alock``'s renewer: runs until cancelled, or until renewing is pointless."""
        # A weak reference: a holder task dropped unfinished must not be kept alive here.
        holder_ref = None if holder is None else weakref.ref(holder)
        del holder
        lease_ms = int(self.lease * 1000)
        started = renewed_at = time.monotonic()
        while True:
            await asyncio.sleep(self.lease / 3)
            held = None if holder_ref is None else holder_ref()
            gone = holder_ref is not None and (held is None or held.done())
            del held
            if os.getpid() != pid or gone or time.monotonic() - started >= self.max_hold:
                return
            now = time.monotonic()
            try:
                async with asyncio.timeout(self.lease):
                    async with self._aconn() as client:
                        ours = await client.eval(_RENEW, 1, name, token, lease_ms)
            except Exception:  # a failed renewal: the next may still be in time
                if time.monotonic() - renewed_at >= self.lease:
                    return  # the lease ran out: nothing left to keep
                continue
            if not ours:
                _lost(name)
                return
            renewed_at = now

    async def _atry_acquire(self, name: str, token: str, lease_ms: int) -> int:
        """0 if the lock is ours now, else the milliseconds left of its lease."""
        async with self._aconn() as client:
            return int(await client.eval(_ACQUIRE, 1, name, token, lease_ms))

    async def _arelease(
        self, name: str, token: str, channel: str, *, quietly: bool = False
    ) -> None:
        try:
            with _errors():
                async with self._aconn() as client:
                    await client.eval(_RELEASE, 1, name, token, channel)
        except StoreError:
            if not quietly:
                raise

    def __repr__(self) -> str:
        return f"RedisStore(prefix={self.prefix!r}, lease={self.lease})"


def _wait(deadline: float | None, left_ms: int) -> float:
    """How long to wait for a wake-up before trying again: the poll interval, at
    most until the holder's lease runs out, or ``LockTimeoutError`` at ``deadline``."""
    delay = min(FALLBACK, left_ms / 1000)
    return delay if deadline is None else pause(deadline, delay)


# Names of renewer threads and tasks: "<this> <lock key>".
_RENEWER = "provider-tokens lease renewer"


def _lost(name: str) -> None:
    logger.warning(
        "token store lock %r expired before its lease was renewed; another process may hold it now",
        name,
    )


class _Renewer:
    """``lock``'s renewer: a daemon thread that renews the lease every ``lease / 3``
    seconds until ``stop()``, or until renewing is pointless."""

    def __init__(self, store: RedisStore, name: str, token: str) -> None:
        self._store = store
        self._name = name
        self._token = token
        self._pid = os.getpid()
        self._holder = threading.current_thread()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"{_RENEWER} {name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if os.getpid() != self._pid:
            return  # a forked child: the thread (and its Event's state) is the parent's
        self._stopped.set()
        self._thread.join(_JOIN_TIMEOUT)

    def _run(self) -> None:
        store = self._store
        args: list[str | int] = [self._token, int(store.lease * 1000)]
        started = renewed_at = time.monotonic()
        while not self._stopped.wait(store.lease / 3):
            now = time.monotonic()
            if (
                os.getpid() != self._pid
                or not self._holder.is_alive()
                or now - started >= store.max_hold
            ):
                return
            try:
                ours = store._renew(keys=[self._name], args=args)
            except Exception:  # a failed renewal: the next may still be in time
                if time.monotonic() - renewed_at >= store.lease:
                    return  # the lease ran out: nothing left to keep
                continue
            if not ours:
                if not self._stopped.is_set():  # not merely released meanwhile
                    _lost(self._name)
                return
            renewed_at = now


class _LoopClient:
    """A redis.asyncio client for one event loop, closed when that loop shuts down."""

    def __init__(self, client: redis.asyncio.Redis) -> None:
        self.client = client
        self.users = 0
        self._idle: asyncio.Future[None] | None = None
        self._closer: AsyncGenerator[None, None] | None = None

    def enter(self) -> None:
        self.users += 1

    def leave(self) -> None:
        self.users -= 1
        if not self.users and self._idle is not None and not self._idle.done():
            self._idle.set_result(None)

    async def start_closer(self, store: RedisStore, loop: asyncio.AbstractEventLoop) -> None:
        # Started and left waiting: an event loop's shutdown (asyncio.run's end)
        # closes the async generators begun on it, and closing this one closes the
        # client while its loop still runs, once calls begun on it are done.
        async def close_with_loop() -> AsyncGenerator[None, None]:
            try:
                yield
            finally:
                with store._guard:
                    store._ended_loops.add(loop)
                    if store._loop_clients.get(loop) is self:
                        del store._loop_clients[loop]
                with contextlib.suppress(Exception):
                    if self.users:
                        self._idle = loop.create_future()
                        async with asyncio.timeout(_CLOSE_WAIT):
                            await self._idle
                with contextlib.suppress(Exception):
                    await self.client.aclose()

        self._closer = close_with_loop()
        await self._closer.asend(None)


class _Conn:
    """``RedisStore._aconn()``: the loop's client, or during the loop's shutdown, a
    client for this call alone, closed after it."""

    __slots__ = ("_entry", "_own", "_store")

    def __init__(self, store: RedisStore) -> None:
        self._store = store
        self._entry: _LoopClient | None = None
        self._own: redis.asyncio.Redis | None = None

    async def __aenter__(self) -> redis.asyncio.Redis:
        store = self._store
        if store._async_client is not None:
            return store._async_client
        self._entry = await store._loop_entry()
        if self._entry is None:
            self._own = async_twin(store.client, store._bound)
            return self._own
        self._entry.enter()
        return self._entry.client

    async def __aexit__(self, *exc_info: object) -> None:
        if self._entry is not None:
            self._entry.leave()
        elif self._own is not None:
            await self._own.aclose()


# How long a loop's shutdown waits for calls still using its client before closing it.
_CLOSE_WAIT = 5.0


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """Redis failures as ``StoreError`` (no server, timeouts, refused scripts)."""
    import redis

    try:
        yield
    except redis.RedisError as exc:
        raise StoreError(f"redis: {type(exc).__name__}") from exc
