"""RedisStore's lock waiters are woken by the release, not by a poll.

The release (and ``put``) publishes on the key's channel; one listener thread per
store and process wakes that key's waiters. With the poll interval set to a minute,
only the message can end a wait in time. Without a listener (it cannot connect, or
was stopped) waiters poll. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from typing import TYPE_CHECKING, Any

import pytest

from provider_tokens.stores import LockTimeoutError, RedisStore
from provider_tokens.stores import _redis as redis_module
from provider_tokens.stores._base import ValueStored
from provider_tokens.stores._redis_notify import LISTENER

from cases import EXAMPLE as CASE
from conftest import MockProvider
from store_support import Bounded, flushed_redis, redis_url, stored, until

if TYPE_CHECKING:
    from redis import Redis

__all__ = ["flushed_redis", "redis_url"]  # the fixtures, used by name

pytestmark = [pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")]

WAIT = 10.0


@pytest.fixture
def no_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(redis_module, "FALLBACK", 60.0)


def _listeners(store: RedisStore) -> list[threading.Thread]:
    """The store's listener threads (each test's stores have a prefix of their own)."""
    name = f"{LISTENER} {store._notifier._pattern}"
    return [t for t in threading.enumerate() if t.name == name]


def _store(client: Redis, request: pytest.FixtureRequest) -> RedisStore:
    return RedisStore(client, prefix=f"{request.node.name}:", lease=60.0)


def _waiting(store: RedisStore) -> bool:
    return bool(store._notifier._waiters) and store._notifier.subscribed()


def test_a_thread_waiting_for_the_lock_is_woken_by_the_release(
    client: Redis, no_polling: None, request: pytest.FixtureRequest
) -> None:
    store = _store(client, request)
    other = _store(client, request)  # another process's
    got: list[float] = []
    with other.lock("k", timeout=5):
        waiter = threading.Thread(target=lambda: _take(store, got), daemon=True)
        waiter.start()
        until(lambda: _waiting(store))
    waiter.join(WAIT)
    assert got, "the waiter was not woken by the release"
    store.close()
    other.close()
    assert not _listeners(store)


def _take(store: RedisStore, got: list[float]) -> None:
    with store.lock("k", timeout=30):
        got.append(time.monotonic())


async def test_tasks_of_two_loops_are_woken_by_the_release(
    client: Redis, no_polling: None, request: pytest.FixtureRequest
) -> None:
    store = _store(client, request)
    other = _store(client, request)
    done: list[str] = []

    async def take(name: str) -> None:
        async with store.alock("k", timeout=30):
            done.append(name)

    def on_another_loop() -> None:
        asyncio.run(take("other loop"))

    with other.lock("k", timeout=5):
        task = asyncio.get_running_loop().create_task(take("this loop"))
        thread = threading.Thread(target=on_another_loop, daemon=True)
        thread.start()
        await asyncio.to_thread(until, lambda: len(store._notifier._waiters.get(
            store._channel("k").encode(), ())) == 2 and store._notifier.subscribed())  # fmt: skip
    async with asyncio.timeout(WAIT):
        await task
    await asyncio.to_thread(thread.join, WAIT)
    assert sorted(done) == ["other loop", "this loop"]
    store.close()
    other.close()


def test_a_put_wakes_the_waiters_too(
    client: Redis, no_polling: None, request: pytest.FixtureRequest
) -> None:
    store = _store(client, request)
    waiter = store._notifier
    with waiter.waiting(store._channel("k")) as registered:
        until(waiter.running)
        registered.wait(WAIT)  # the listener's "subscribed" wake-up
        RedisStore(client, prefix=store.prefix).put("k", stored())
        started = time.monotonic()
        registered.wait(30)
        assert time.monotonic() - started < WAIT
    store.close()


def test_without_a_listener_waiters_poll(client: Redis, request: pytest.FixtureRequest) -> None:
    store = _store(client, request)

    def unreachable(attempt: int) -> object:
        raise OSError("no pub/sub today")

    store._notifier._connect = unreachable  # type: ignore[assignment]
    other = _store(client, request)
    got: list[float] = []
    with other.lock("k", timeout=5):
        waiter = threading.Thread(target=lambda: _take(store, got), daemon=True)
        waiter.start()
        time.sleep(0.3)  # a few failed attempts to connect
    waiter.join(WAIT)
    assert got  # by a poll
    store.close()
    other.close()
    assert not _listeners(store)


def test_a_wait_ends_at_its_deadline(
    client: Redis, no_polling: None, request: pytest.FixtureRequest
) -> None:
    store = _store(client, request)
    with _store(client, request).lock("k", timeout=5):

        def wait() -> None:
            with store.lock("k", timeout=0.3):
                pass

        call = Bounded(wait, within=WAIT)
    with pytest.raises(LockTimeoutError):
        call.result()
    store.close()


def test_close_stops_the_listener_and_a_later_wait_starts_another(
    client: Redis, no_polling: None, request: pytest.FixtureRequest
) -> None:
    store = _store(client, request)
    with store._notifier.waiting(store._channel("k")):
        until(store._notifier.running)
    assert len(_listeners(store)) == 1
    store.close()
    assert not _listeners(store)
    with store._notifier.waiting(store._channel("k")):
        until(store._notifier.running)
    store.close()
    assert not _listeners(store)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_has_a_listener_of_its_own(
    client: Redis, no_polling: None, request: pytest.FixtureRequest
) -> None:
    store = _store(client, request)
    other = _store(client, request)
    with store._notifier.waiting(store._channel("k")):
        until(store._notifier.subscribed)  # connected, not only started: then the fork
        parent_threads = _listeners(store)

    # NUMPAT counts distinct patterns, and the child's is the parent's: count the
    # connections that listen to a pattern instead.
    def listening() -> int:
        return sum(1 for c in client.client_list() if int(c.get("psub", 0)) > 0)

    before = listening()  # the parent's listener among them
    # Held before the fork, so that the child has to wait for it (and listen).
    with other.lock("held", timeout=5):
        pid = os.fork()
        if pid == 0:  # the child: wait for a lock the parent releases
            code = 1
            try:
                assert not store._notifier.running()
                with store._bounded(5.0).lock("held", timeout=30):
                    code = 0
            finally:
                os._exit(code)
        until(lambda: listening() > before)  # the child's listener
    _, status = os.waitpid(pid, 0)  # bounded: the child's own lock wait is
    assert os.waitstatus_to_exitcode(status) == 0
    assert _listeners(store) == parent_threads  # the parent's listener is still its own
    store.close()
    other.close()


# -- a value stored while waiting ends the wait (until_put) ----------------------------


def _lock_until_put(store: RedisStore, outcome: list[str]) -> None:
    try:
        with store.lock("k", timeout=30, until_put=True):
            outcome.append("locked")
    except ValueStored:
        outcome.append("stored")


@pytest.mark.parametrize("decode", [False, True], ids=["bytes", "decode_responses"])
def test_a_put_ends_a_wait_until_put_while_the_lock_is_still_held(
    redis_url: str, decode: bool, no_polling: None, request: pytest.FixtureRequest
) -> None:
    import redis

    client = redis.Redis.from_url(redis_url, decode_responses=decode)
    store = _store(client, request)
    other = _store(client, request)  # another process's
    outcome: list[str] = []
    with other.lock("k", timeout=5):
        waiter = threading.Thread(target=lambda: _lock_until_put(store, outcome), daemon=True)
        waiter.start()
        until(lambda: _waiting(store))
        other.put("k", stored())
        waiter.join(WAIT)
        assert outcome == ["stored"]  # the holder has not released the lock yet
        assert client.exists(other._lock_key("k"))
    store.close()
    other.close()
    client.close()


def test_a_release_without_a_put_gives_the_lock_to_a_wait_until_put(
    client: Redis, no_polling: None, request: pytest.FixtureRequest
) -> None:
    store = _store(client, request)
    other = _store(client, request)
    outcome: list[str] = []
    with other.lock("k", timeout=5):
        waiter = threading.Thread(target=lambda: _lock_until_put(store, outcome), daemon=True)
        waiter.start()
        until(lambda: _waiting(store))
    waiter.join(WAIT)
    assert outcome == ["locked"]
    store.close()
    other.close()


async def test_a_put_ends_an_async_wait_until_put(
    client: Redis, no_polling: None, request: pytest.FixtureRequest
) -> None:
    store = _store(client, request)
    other = _store(client, request)

    async def take() -> str:
        try:
            async with store.alock("k", timeout=30, until_put=True):
                return "locked"
        except ValueStored:
            return "stored"

    with other.lock("k", timeout=5):
        task = asyncio.get_running_loop().create_task(take())
        await asyncio.to_thread(until, lambda: _waiting(store))
        other.put("k", stored())
        async with asyncio.timeout(WAIT):
            assert await task == "stored"
    store.close()
    other.close()


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_source_waiting_for_the_lock_reads_the_token_stored_before_the_release(
    client: Redis, mode: str, no_polling: None, request: pytest.FixtureRequest
) -> None:
    """The processes of a fleet read the new token at once: none takes the lock in
    turn to find it there (the holder keeps it here until all have read)."""
    store = _store(client, request)
    other = _store(client, request)
    mock = MockProvider(CASE.success())  # never asked: the token comes from the store
    source = CASE.make(
        http_client=mock.client(), async_http_client=mock.async_client(), store=store
    )
    record = stored("from-another-process")
    got: list[str] = []

    def ask() -> None:
        if mode == "sync":
            got.append(source.token().access_token)
        else:
            got.append(asyncio.run(source.atoken()).access_token)

    with other.lock(source.store_key, timeout=5):
        waiter = threading.Thread(target=ask, daemon=True)
        waiter.start()
        until(lambda: _waiting(store))
        other.put(source.store_key, record)
        waiter.join(WAIT)
        assert got == ["from-another-process"]
    assert not mock.requests
    store.close()
    other.close()


def test_a_stored_token_of_no_use_sends_the_waiter_back_to_the_lock(
    client: Redis,
    no_polling: None,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A record already due (a refresh that failed elsewhere) ends the first wait; the
    source then waits for the lock as before, and fetches under it."""
    store = _store(client, request)
    other = _store(client, request)
    waits: list[object] = []
    register = store._notifier._add

    def counted(channel: str, waiter: Any) -> None:
        waits.append(waiter)
        register(channel, waiter)

    monkeypatch.setattr(store._notifier, "_add", counted)
    mock = MockProvider(CASE.success())
    source = CASE.make(http_client=mock.client(), store=store)
    guard = source._shared
    asked: list[dict[str, Any]] = []
    lock = guard.lock

    def recorded(**kwargs: Any) -> Any:
        asked.append(kwargs)
        return lock(**kwargs)

    monkeypatch.setattr(guard, "lock", recorded)
    got: list[str] = []
    with other.lock(source.store_key, timeout=5):
        waiter = threading.Thread(target=lambda: got.append(source.token().access_token))
        waiter.daemon = True
        waiter.start()
        until(lambda: len(waits) == 1 and _waiting(store))
        other.put(source.store_key, stored("due", lifetime=0).expired())
        until(lambda: len(waits) == 2)  # waiting again, for the lock this time
        assert not got
        assert not mock.requests
    waiter.join(WAIT)
    assert got == [CASE.access_token]
    assert len(mock.requests) == 1
    # The second wait has what the first left of one lock_timeout.
    assert [sorted(k) for k in asked] == [["until_stored"], ["within"]]
    assert 0 < asked[1]["within"] < guard.lock_timeout
    store.close()
    other.close()
