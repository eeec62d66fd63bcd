"""A sync lock taken on an event loop whose own task holds it through ``alock`` would
stop that task for ever: it raises ``BlockingCallError`` at once instead.

Each scenario runs its event loop on a thread of its own, waited for with a bound:
on a deadlock the test fails instead of hanging.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from provider_tokens import BlockingCallError, TokenError
from provider_tokens.stores import FileStore, LocalStore, LockTimeoutError, MemoryStore, TokenStore
from provider_tokens.stores._guard import GuardedStore
from provider_tokens.testing import ManualClock

from store_support import Bounded

KEY = "example:0f3a9c"


def guarded(store: TokenStore, key: str = KEY) -> GuardedStore:
    # The default lock wait: a deadlock would last its whole 60 s.
    return GuardedStore(store, key=key, provider="example", clock=ManualClock())


def on_a_loop_thread(scenario: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    return Bounded(lambda: asyncio.run(scenario()), within=20).result()


@pytest.fixture(params=["memory", "file"])
def local_store(request: pytest.FixtureRequest, tmp_path: Path) -> LocalStore:
    return MemoryStore() if request.param == "memory" else FileStore(tmp_path / "tokens")


def test_a_sync_lock_under_its_own_loops_async_lock_raises(local_store: TokenStore) -> None:
    holder, other = guarded(local_store), guarded(local_store)  # two sources, one key
    waited = threading.Event()

    def take_from_a_plain_thread() -> None:
        with guarded(local_store).lock():  # no loop here: it waits its turn
            waited.set()

    async def scenario() -> tuple[BlockingCallError, list[str]]:
        seen = []
        async with holder.alock():
            with pytest.raises(BlockingCallError) as caught:
                with other.lock():
                    pass
            # Only that store's key is refused, and only on this loop.
            with guarded(local_store, key="example:another").lock():
                seen.append("another key")
            with guarded(MemoryStore()).lock():
                seen.append("another store")
            waiter = threading.Thread(target=take_from_a_plain_thread)
            waiter.start()
        await asyncio.to_thread(waiter.join, 10)
        if waited.is_set():
            seen.append("a plain thread")
        with other.lock():  # released: the sync lock is fine again
            seen.append("after")
        return caught.value, seen

    error, seen = on_a_loop_thread(scenario)
    assert seen == ["another key", "another store", "a plain thread", "after"]
    assert isinstance(error, TokenError)
    assert isinstance(error, RuntimeError)
    assert error.provider == "example"
    assert KEY not in str(error)


def test_a_sync_discard_under_its_own_loops_lock_does_not_stall_the_loop(
    tmp_path: Path,
) -> None:
    # FileStore's discard takes the key's lock: waiting for it there would stop the
    # loop for the whole timeout (here 30 s). It tries once and the store rests.
    store = FileStore(tmp_path / "tokens")
    holder = guarded(store)
    other = GuardedStore(store, key=KEY, provider="example", clock=ManualClock(), timeout=30)

    async def scenario() -> None:
        async with holder.alock():
            other.discard("t")

    Bounded(lambda: asyncio.run(scenario()), within=5).result()


def test_a_lock_left_by_a_task_of_a_closed_loop_is_released_for_the_next_caller(
    local_store: LocalStore,
) -> None:
    holder, other = guarded(local_store), guarded(local_store)
    loop = asyncio.new_event_loop()
    entered = threading.Event()

    async def hold_for_ever() -> None:
        async with holder.alock():
            entered.set()
            await asyncio.Event().wait()

    pending = loop.create_task(hold_for_ever())
    loop.run_until_complete(asyncio.to_thread(entered.wait, 5))
    loop.close()  # the task still pending: nothing will ever run its release

    def take() -> str:
        with other.lock():
            return "taken"

    assert Bounded(take, within=10).result() == "taken"
    # Released, not just bypassed: the store's own lock is free.
    with local_store.lock(KEY, timeout=0):
        pass
    # The abandoned task's own release, when it is collected, must not free the lock
    # of whoever holds it next.
    with other.lock():
        pending._log_destroy_pending = False  # type: ignore[attr-defined]  # on purpose
        coro = pending.get_coro()
        assert coro is not None
        coro.close()  # what collecting the task does: its finally runs its release
        with pytest.raises(LockTimeoutError), local_store.lock(KEY, timeout=0):
            pass
    assert other._up()  # its own release did not fail
