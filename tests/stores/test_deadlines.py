"""Store calls are bounded: a store that hangs, or a lock that stays held, costs a
source one timeout, not its life. Redis is a real server, frozen with SIGSTOP."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest

from provider_tokens.stores import (
    LockTimeoutError,
    MemoryStore,
    RedisStore,
    StoredToken,
    TokenStore,
)
from provider_tokens.stores._guard import GuardedStore
from provider_tokens.testing import ManualClock

from store_support import (
    AnyStore,
    Bounded,
    OwnRedis,
    free_port,
    own_redis,
    redis_url,
    store,
    stored,
)

__all__ = ["own_redis", "redis_url", "store"]  # the fixtures, used by name


def guarded(
    store: TokenStore, *, timeout: float = 10.0, lock_timeout: float = 60.0
) -> GuardedStore:
    return GuardedStore(
        store,
        key="k",
        provider="example",
        clock=ManualClock(),
        timeout=timeout,
        lock_timeout=lock_timeout,
    )


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def inside(lock: AbstractContextManager[object]) -> str:
    with lock:
        return "inside"


class OldStyleStore:
    """A store of the first protocol (no ``timeout`` anywhere) whose named calls hang:
    sync ones for ``slow`` seconds, async ones until cancelled."""

    def __init__(self, *hanging: str, slow: float = 0.3) -> None:
        self.inner = MemoryStore()
        self.hanging = set(hanging)
        self.slow = slow
        self.calls: list[str] = []

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if name in self.hanging:
            threading.Event().wait(self.slow)

    async def _acall(self, name: str) -> None:
        self.calls.append(name)
        if name in self.hanging:
            await asyncio.Event().wait()

    def get(self, key: str) -> StoredToken | None:
        self._call("get")
        return self.inner.get(key)

    def put(self, key: str, value: StoredToken) -> None:
        self._call("put")
        self.inner.put(key, value)

    def discard(self, key: str, access_token: str) -> None:
        self._call("discard")
        self.inner.discard(key, access_token)

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        self._call("lock")
        with self.inner.lock(key):
            yield

    async def aget(self, key: str) -> StoredToken | None:
        await self._acall("aget")
        return self.inner.get(key)

    async def aput(self, key: str, value: StoredToken) -> None:
        await self._acall("aput")
        self.inner.put(key, value)

    async def adiscard(self, key: str, access_token: str) -> None:
        await self._acall("adiscard")
        self.inner.discard(key, access_token)

    @contextlib.asynccontextmanager
    async def alock(self, key: str) -> AsyncIterator[None]:
        await self._acall("alock")
        async with self.inner.alock(key):
            yield


# -- Redis ------------------------------------------------------------------------------


def test_a_stopped_redis_costs_one_timeout_then_rests(
    own_redis: OwnRedis, caplog: pytest.LogCaptureFixture
) -> None:
    import redis

    # redis-py's defaults: 5 s socket timeouts and ten retries with backoff.
    client = redis.Redis.from_url(own_redis.url)
    store = RedisStore(client)
    shared = guarded(store, timeout=0.5)
    shared.put(stored("before"))  # its connection is open and pooled
    caplog.set_level(logging.WARNING, logger="provider_tokens")
    with own_redis.stopped():
        calls = Bounded(lambda: (inside(shared.lock()), shared.get()), within=30)
    assert calls.result() == ("inside", None)  # unlocked, then not asked: resting
    assert calls.elapsed < 3
    assert len(warnings(caplog)) == 1
    store.close()
    client.close()


async def test_a_stopped_redis_on_the_async_path(own_redis: OwnRedis) -> None:
    import redis

    client = redis.Redis.from_url(own_redis.url)
    store = RedisStore(client)
    shared = guarded(store, timeout=0.5)
    await shared.aput(stored("before"))
    with own_redis.stopped():
        started = time.monotonic()
        got = await asyncio.wait_for(shared.aget(), 30)
        async with shared.alock():
            pass
        elapsed = time.monotonic() - started
    assert got is None
    assert elapsed < 3
    store.close()
    client.close()


def test_a_refusing_redis_is_bypassed_at_once() -> None:
    import redis

    # Nothing listens: redis-py's default retries alone took 3-4 s to say so.
    client = redis.Redis(port=free_port())
    shared = GuardedStore(RedisStore(client), key="k", provider="example", clock=ManualClock())
    call = Bounded(shared.get, within=30)
    assert call.result() is None
    assert call.elapsed < 1
    client.close()


def test_a_lock_key_without_expiry_lapses_after_one_lease(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.set("no-ttl:lock:k", "someone")  # no PX: it would be held for ever
    store = RedisStore(client, prefix="no-ttl:", lease=0.3)

    def take() -> object:
        with store.lock("k"):
            return client.get("no-ttl:lock:k")

    call = Bounded(take, within=10)
    assert call.result() not in (None, b"someone")  # ours now
    assert client.get("no-ttl:lock:k") is None  # and released
    client.close()


# -- every store --------------------------------------------------------------------------


def test_a_lock_wait_ends_at_its_timeout(store: AnyStore) -> None:
    with store.lock("k"):
        call = Bounded(lambda: inside(store.lock("k", timeout=0.2)), within=10)
        with pytest.raises(LockTimeoutError):
            call.result()
    assert call.elapsed < 5
    assert inside(store.lock("k", timeout=0)) == "inside"


async def test_an_async_lock_wait_ends_at_its_timeout(store: AnyStore) -> None:
    async with store.alock("k"):
        started = time.monotonic()
        with pytest.raises(LockTimeoutError):
            async with store.alock("k", timeout=0.2):
                pass
        assert time.monotonic() - started < 5


def test_a_guarded_lock_not_free_in_time_goes_ahead_without_it(
    store: AnyStore, caplog: pytest.LogCaptureFixture
) -> None:
    store.put("k", stored("shared"))
    shared = guarded(store, lock_timeout=0.2)
    caplog.set_level(logging.WARNING, logger="provider_tokens")
    with store.lock("k"):  # held, say by a fetch hung in another process
        call = Bounded(lambda: inside(shared.lock()), within=10)
    assert call.result() == "inside"
    assert any("not free within" in m for m in warnings(caplog))
    # Not a store failure: the store is still used, and the given-up wait holds nothing.
    got = shared.get()
    assert got is not None
    assert got.token.access_token == "shared"
    assert inside(store.lock("k", timeout=0)) == "inside"


async def test_a_guarded_async_lock_not_free_in_time_goes_ahead_without_it(
    store: AnyStore, caplog: pytest.LogCaptureFixture
) -> None:
    shared = guarded(store, lock_timeout=0.2)
    caplog.set_level(logging.WARNING, logger="provider_tokens")
    async with store.alock("k"):
        async with asyncio.timeout(10):
            async with shared.alock():
                entered = True
    assert entered
    assert any("not free within" in m for m in warnings(caplog))
    async with store.alock("k", timeout=0):
        pass


# -- stores of the first protocol -----------------------------------------------------------


def test_a_sync_call_slower_than_the_timeout_counts_as_a_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = OldStyleStore("get", slow=0.3)
    store.inner.put("k", stored("slow"))
    shared = guarded(store, timeout=0.05)
    caplog.set_level(logging.WARNING, logger="provider_tokens")
    first = shared.get()
    assert first is not None  # it did answer: the answer is used
    assert shared.get() is None  # then the store rests
    assert store.calls == ["get"]
    assert any("no answer within 0.05 s" in m for m in warnings(caplog))
    with shared.lock():  # a lock() without timeout= is still called (when not resting)
        pass


async def test_a_hung_async_store_costs_one_timeout() -> None:
    store = OldStyleStore("aget")
    shared = guarded(store, timeout=0.1)
    assert await asyncio.wait_for(shared.aget(), 10) is None
    await shared.aput(stored())
    assert store.calls == ["aget"]  # resting after the hang


async def test_an_async_lock_of_the_first_protocol_is_given_up_in_time(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = OldStyleStore("alock")
    shared = guarded(store, lock_timeout=0.1)
    caplog.set_level(logging.WARNING, logger="provider_tokens")
    async with asyncio.timeout(10):
        async with shared.alock():
            entered = True
    assert entered
    assert any("not free within" in m for m in warnings(caplog))
    await shared.aget()
    assert store.calls == ["alock", "aget"]  # a lock wait is not a failure: not resting


# -- RedisStore's async clients ---------------------------------------------------------------


def test_one_async_connection_per_event_loop_closed_with_it(own_redis: OwnRedis) -> None:
    import redis

    client = redis.Redis.from_url(own_redis.url)
    store = RedisStore(client)

    async def use() -> None:
        for n in range(10):
            await store.aput("k", stored(f"t{n}"))
            assert await store.aget("k") is not None
        async with store.alock("k"):
            pass

    for _ in range(2):  # two loops, one after the other
        before = own_redis.stats("total_connections_received")
        asyncio.run(use())
        # One connection for the loop, and the one that reads the stats.
        assert own_redis.stats("total_connections_received") - before == 2
        deadline = time.monotonic() + 5
        while own_redis.stats("connected_clients") > 1:  # only the stats reader
            assert time.monotonic() < deadline, "the loop's connection was left open"
            threading.Event().wait(0.01)
    client.close()


class _AwaitingLocalStore(MemoryStore):
    """A LocalStore whose async read really awaits, and never returns."""

    async def aget(self, key: str) -> StoredToken | None:
        await asyncio.Event().wait()
        return None


async def test_a_local_store_whose_async_read_awaits_is_still_bounded() -> None:
    # LocalStore's own twins are timed after the call (they never await); one a
    # subclass overrides keeps the guard's timer.
    store = guarded(_AwaitingLocalStore(), timeout=0.2)
    assert await asyncio.wait_for(store.aget(), 10) is None
    plain = guarded(MemoryStore(), timeout=0.2)
    assert plain._local
    assert not store._local


class _WaitsForeverStore(MemoryStore):
    """A LocalStore of the user's whose lock wait (``_await_lock``) never ends."""

    async def _await_lock(self, key: str, deadline: float | None) -> Any:
        await asyncio.Event().wait()


async def test_a_local_store_whose_lock_wait_hangs_is_still_bounded() -> None:
    store = guarded(_WaitsForeverStore(), timeout=0.1, lock_timeout=0.2)
    assert not store._local  # a store of the user's keeps the guard's timers
    started = time.monotonic()
    async with asyncio.timeout(10), store.alock():
        pass  # given up on: the fetch goes ahead unlocked
    assert time.monotonic() - started < 5


def test_the_store_s_own_connections_name_the_given_client_s_driver(redis_url: str) -> None:
    """The bounded and async connections introduce themselves (CLIENT SETINFO, Redis
    7.2+) as the given client does, an application's name included, rather than with
    a default redis-py looks up again for each client (~2 ms)."""
    import redis
    from redis.driver_info import DriverInfo

    info = DriverInfo(name="my-app", lib_version="1.2.3")
    client = redis.Redis.from_url(redis_url, driver_info=info)
    store = RedisStore(client, prefix="driver-info:")
    view = store._bounded(5.0)

    async def async_driver() -> object:
        async with view._aconn() as conn:
            return conn.connection_pool.connection_kwargs["driver_info"]

    bounded: Any = view.client  # a redis.Redis here, not a cluster
    assert bounded.connection_pool.connection_kwargs["driver_info"] is info
    assert asyncio.run(async_driver()) is info
    store.close()
    client.close()
