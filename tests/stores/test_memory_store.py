"""MemoryStore does not keep what it no longer needs: expired tokens (unless they
carry a refresh token) and the locks of keys nobody is locking.

Time is a ManualClock; sizes are read from the store's own tables.
"""

from __future__ import annotations

import asyncio
import gc

from provider_tokens.stores import MemoryStore
from provider_tokens.testing import ManualClock

from store_support import stored

MANY = 5000


def test_expired_tokens_go_as_new_ones_come() -> None:
    clock = ManualClock()
    store = MemoryStore(clock=clock)
    for n in range(MANY):
        store.put(f"old-{n}", stored(f"old-{n}", lifetime=3600, now=clock.now()))
    store.put("aozora", stored("a", refresh="r", lifetime=3600, now=clock.now()))
    clock.advance(7200)  # every token above has expired
    for n in range(MANY):
        store.put(f"new-{n}", stored(f"new-{n}", lifetime=3600, now=clock.now()))

    keys = set(store._values)
    assert not any(key.startswith("old-") for key in keys)
    assert "aozora" in keys  # a refresh token outlives its access token: kept
    assert len(keys) == MANY + 1
    got = store.get(f"new-{MANY - 1}")
    assert got is not None


def test_tokens_past_their_time_by_the_wall_clock_do_not_pile_up() -> None:
    # The process-wide store, as sources use it: the system clock.
    store = MemoryStore()
    for n in range(4 * MANY):
        store.put(f"k{n}", stored(f"t{n}", lifetime=-1))  # already expired
    assert len(store._values) < 2 * 1024


def test_a_keys_lock_lives_only_while_it_is_used() -> None:
    store = MemoryStore()
    for n in range(MANY):
        with store.lock(f"k{n}"):
            pass

    async def use() -> None:
        for n in range(MANY):
            async with store.alock(f"a{n}"):
                pass

    asyncio.run(use())
    gc.collect()
    assert len(store._locks) == 0
    with store.lock("held"):
        assert list(store._locks) == ["held"]
        assert store._try_lock("held") is None  # still the one lock, and it is held
