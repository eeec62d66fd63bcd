"""``GuardedStore``: store failures never reach the source, and a failed store rests."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from provider_tokens import AccessToken
from provider_tokens.stores import FileStore, MemoryStore, StoredToken, StoreError
from provider_tokens.stores._guard import RETRY_AFTER, GuardedStore, store_key
from provider_tokens.testing import ManualClock

from store_support import Bounded, held_by_a_thread


class BrokenStore(MemoryStore):
    """A MemoryStore whose every operation fails while ``broken`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.broken = True
        self.calls = 0

    def _check(self) -> None:
        self.calls += 1
        if self.broken:
            raise StoreError("connection refused")

    def get(self, key: str) -> StoredToken | None:
        self._check()
        return super().get(key)

    def put(self, key: str, value: StoredToken) -> None:
        self._check()
        super().put(key, value)

    @contextlib.contextmanager
    def lock(self, key: str, *, timeout: float | None = None) -> Iterator[None]:
        self._check()
        with super().lock(key, timeout=timeout):
            yield

    @contextlib.asynccontextmanager
    async def alock(self, key: str, *, timeout: float | None = None) -> AsyncIterator[None]:
        self._check()
        async with super().alock(key, timeout=timeout):
            yield


def record(clock: ManualClock, value: str = "t") -> StoredToken:
    now = clock.now()
    return StoredToken(AccessToken(value), issued_at=now, valid_until=now + dt.timedelta(hours=1))


def test_a_failing_store_reads_as_empty_warns_once_and_rests(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock, store = ManualClock(), BrokenStore()
    guard = GuardedStore(store, key="k", provider="example", clock=clock)
    with caplog.at_level(logging.DEBUG, logger="provider_tokens"):
        assert guard.get() is None
        guard.put(record(clock))
        assert guard.get() is None
    assert store.calls == 1  # resting: the next two never reached the store
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "fetching without it" in warnings[0].getMessage()

    clock.advance(RETRY_AFTER)
    store.broken = False
    guard.put(record(clock, "back"))
    got = guard.get()
    assert got is not None
    assert got.token.access_token == "back"


def test_a_lock_that_cannot_be_taken_lets_the_fetch_go_ahead_unlocked() -> None:
    clock, store = ManualClock(), BrokenStore()
    guard = GuardedStore(store, key="k", provider="example", clock=clock)
    entered = False
    with guard.lock():
        entered = True
    assert entered
    assert store.calls == 1


async def test_the_async_twins_are_guarded_too() -> None:
    clock, store = ManualClock(), BrokenStore()
    guard = GuardedStore(store, key="k", provider="example", clock=clock)
    assert await guard.aget() is None
    async with guard.alock():
        pass
    await guard.aput(record(clock))
    await guard.adiscard("t")
    assert store.calls == 1


def test_a_working_store_is_used_under_one_key() -> None:
    clock, store = ManualClock(), MemoryStore()
    guard = GuardedStore(store, key="k", provider="example", clock=clock)
    guard.put(record(clock, "a"))
    assert store.get("k") is not None
    guard.discard("a")
    assert store.get("k") is None


def test_store_keys_hash_what_changes_the_token_and_never_show_it() -> None:
    key = store_key("example", "https://x", ["client", "secret-hash"])
    assert key.startswith("example:")
    assert "client" not in key
    assert "secret" not in key
    assert key == store_key("example", "https://x", ["client", "secret-hash"])
    assert key != store_key("example", "https://x", ["client", "other-hash"])
    assert key != store_key("example", "https://y", ["client", "secret-hash"])
    # The separator keeps parts from running together.
    assert store_key("e", "u", ["ab", "c"]) != store_key("e", "u", ["a", "bc"])


def test_a_discard_that_finds_the_lock_held_elsewhere_is_no_store_failure(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = FileStore(tmp_path / "tokens")
    clock = ManualClock()
    guarded = GuardedStore(store, key="k", provider="example", clock=clock, timeout=0.2)
    now = clock.now()
    value = StoredToken(AccessToken("a"), issued_at=now, valid_until=now + dt.timedelta(hours=1))
    store.put("k", value)
    held = threading.Event()
    done = threading.Event()

    def other_holder() -> None:  # another process's fetch, as far as the guard can tell
        with store.lock("k"):
            held.set()
            done.wait(10)

    holder = threading.Thread(target=other_holder)
    holder.start()
    assert held.wait(5)
    try:
        with caplog.at_level(logging.WARNING, logger="provider_tokens"):
            guarded.discard("a")  # waits out its timeout for the lock, then skips
        assert guarded.get() == value  # the store is still in use: not bypassed
        assert "failed" not in caplog.text
    finally:
        done.set()
        holder.join(5)


# -- releases, and the lock wait's budget ---------------------------------------------


def test_a_lock_is_released_even_after_the_store_failed_while_it_was_held(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A put that fails (a full disk) marks the store down; the lock taken before it
    is still released, or other processes would wait on it for the life of this one."""
    store = FileStore(tmp_path)
    clock = ManualClock()
    guard = GuardedStore(store, key="k", provider="example", clock=clock, lock_timeout=1.0)

    def disk_full(key: str, value: StoredToken) -> None:
        raise OSError("disk full")

    store.put = disk_full  # type: ignore[method-assign]

    async def fetch_and_fail_to_share() -> None:
        async with guard.alock():
            await guard.aput(record(clock))

    with caplog.at_level(logging.WARNING, logger="provider_tokens"):
        asyncio.run(fetch_and_fail_to_share())
        with guard.lock():
            guard.put(record(clock))
    assert not guard._up()  # bypassed since the failure
    with FileStore(tmp_path).lock("k", timeout=0.5):  # another process's view: free
        pass


def test_within_bounds_a_lock_wait_below_the_lock_timeout(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A second wait for the lock (after a stored token turned out to be of no use)
    gets what is left of the first one's ``lock_timeout``, not a whole new one."""
    store = MemoryStore()
    guard = GuardedStore(store, key="k", provider="example", clock=ManualClock(), lock_timeout=30.0)
    with held_by_a_thread(store), caplog.at_level(logging.WARNING, logger="provider_tokens"):
        call = Bounded(lambda: inside(guard.lock(within=0.1)), within=10)
    assert call.result() == "went ahead"
    assert call.elapsed < 5  # far below lock_timeout
    assert any("lock not free within" in r.getMessage() for r in caplog.records)


def inside(lock: contextlib.AbstractContextManager[bool]) -> str:
    with lock as fetch:
        return "went ahead" if fetch else "stored"
