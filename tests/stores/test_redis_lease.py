"""RedisStore renews its lock's lease while the lock is held, and only then.

A fetch may take longer than the lease: the holder's lock must not lapse under it
(another process would fetch too, spending the same refresh token). A holder that
is gone must not keep its lock beyond one lease. Redis is a real server; the lease
is 0.5 s, so holding the lock for 1.6 s outlasts three leases. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import select
import signal
import sys
import threading
import time
from typing import TYPE_CHECKING

import pytest

from provider_tokens.stores import LockTimeoutError, RedisStore

from store_support import Bounded, OwnRedis, flushed_redis, own_redis, redis_url

if TYPE_CHECKING:
    from redis import Redis

__all__ = ["flushed_redis", "own_redis", "redis_url"]  # the fixtures, used by name

pytestmark = [
    # Python 3.12+ warns about forking a process that has threads: that is the point.
    pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning"),
]

LEASE = 0.5
HOLD = 1.6  # more than three leases
RENEWER = "provider-tokens lease renewer"
WAIT = 10.0


def _stores(client: Redis, max_hold: float = 3600.0) -> tuple[RedisStore, RedisStore]:
    """The holder's store and another process's, on one server and prefix."""
    return RedisStore(client, lease=LEASE, max_hold=max_hold), RedisStore(client, lease=LEASE)


def _renewer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(RENEWER)]


def _renewer_tasks() -> list[asyncio.Task[object]]:
    return [t for t in asyncio.all_tasks() if t.get_name().startswith(RENEWER)]


def _refused_until(other: RedisStore, until: float) -> int:
    """Try ``other.lock`` (0.1 s each) until ``until``: every try must time out."""
    tries = 0
    while time.monotonic() < until:
        with pytest.raises(LockTimeoutError), other.lock("k", timeout=0.1):
            pass
        tries += 1
    return tries


async def _arefused_until(other: RedisStore, until: float) -> int:
    tries = 0
    while time.monotonic() < until:
        with pytest.raises(LockTimeoutError):
            async with other.alock("k", timeout=0.1):
                pass
        tries += 1
    return tries


# -- held longer than its lease ---------------------------------------------------------


def test_a_sync_holder_keeps_its_lock_past_the_lease_and_releases_it(client: Redis) -> None:
    store, other = _stores(client)

    def hold() -> int:
        with store.lock("k"):
            taken = time.monotonic()
            assert len(_renewer_threads()) == 1
            tries = _refused_until(other, taken + HOLD)
            assert time.monotonic() - taken > 3 * LEASE
            return tries

    assert Bounded(hold, within=WAIT).result() >= 3
    # Released: free at once, and no renewer thread is left behind.
    assert _renewer_threads() == []
    with other.lock("k", timeout=0.1):
        pass


async def test_an_async_holder_keeps_its_lock_past_the_lease_and_releases_it(
    client: Redis,
) -> None:
    store, other = _stores(client)
    async with asyncio.timeout(WAIT):
        async with store.alock("k"):
            taken = time.monotonic()
            renewers = _renewer_tasks()
            assert len(renewers) == 1
            tries = await _arefused_until(other, taken + HOLD)
            assert time.monotonic() - taken > 3 * LEASE
        assert tries >= 3
        async with other.alock("k", timeout=0.1):
            pass
        # The renewer was cancelled with the release; it ends without renewing again.
        await asyncio.wait(renewers, timeout=1.0)
        assert all(task.done() for task in renewers)
        assert _renewer_tasks() == []


def test_a_sync_holder_on_the_view_sources_use_is_renewed(client: Redis) -> None:
    store, other = _stores(client)
    view = store._bounded(1.0)  # what a source with timeout=1 locks through

    def hold() -> int:
        with view.lock("k"):
            return _refused_until(other, time.monotonic() + HOLD)

    assert Bounded(hold, within=WAIT).result() >= 3
    assert _renewer_threads() == []
    store.close()


# -- renewing stops ---------------------------------------------------------------------


def test_a_killed_holder_lock_lapses_within_one_lease(redis_url: str, client: Redis) -> None:
    import redis

    held, held_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: takes the lock and keeps it until killed
        signal.alarm(int(WAIT))
        try:
            child = RedisStore(redis.Redis.from_url(redis_url), lease=LEASE)
            with child.lock("k"):
                os.write(held_w, b"held")
                time.sleep(WAIT)
        finally:
            os._exit(0)
    os.close(held_w)
    try:
        ready, _, _ = select.select([held], [], [], WAIT)
        assert ready, "the child never took the lock"
        assert os.read(held, 4) == b"held"
        _, other = _stores(client)
        # Alive, the child's renewer keeps the lock past its lease.
        assert _refused_until(other, time.monotonic() + 3 * LEASE) >= 3
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pid = 0
        # Dead, nothing renews it: at most one lease is left, then it is free.
        assert 0 < client.pttl("provider-tokens:lock:k") <= LEASE * 1000
        started = time.monotonic()
        with other.lock("k", timeout=WAIT):
            waited = time.monotonic() - started
        assert waited < 3 * LEASE  # the lease left, and the waiter's polling
    finally:
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(held)


def test_a_lock_taken_over_is_not_renewed(client: Redis) -> None:
    store, _ = _stores(client)

    def hold() -> int:
        with store.lock("k"):
            (renewer,) = _renewer_threads()
            # Our lease ran out (say the process was stopped) and another took the lock,
            # for longer than our lease: a renewal of ours would shorten it to the lease.
            client.set("provider-tokens:lock:k", "someone-else", px=10_000)
            renewer.join(WAIT)
            assert not renewer.is_alive()
            return int(client.pttl("provider-tokens:lock:k"))

    assert Bounded(hold, within=WAIT).result() > LEASE * 1000  # not set to our lease
    assert client.get("provider-tokens:lock:k") == b"someone-else"


async def test_an_async_lock_taken_over_is_not_renewed(client: Redis) -> None:
    store, _ = _stores(client)
    async with asyncio.timeout(WAIT), store.alock("k"):
        (renewer,) = _renewer_tasks()
        client.set("provider-tokens:lock:k", "someone-else", px=300)
        await asyncio.wait([renewer], timeout=WAIT)
        assert renewer.done()
        assert not renewer.cancelled()  # it ended by itself
        assert client.pttl("provider-tokens:lock:k") <= 300


def test_renewing_stops_after_max_hold(client: Redis) -> None:
    store, other = _stores(client, max_hold=2 * LEASE)

    def hold() -> float:
        with store.lock("k"):
            taken = time.monotonic()
            with other.lock("k", timeout=WAIT):  # the holder never released it
                return time.monotonic() - taken

    # Renewed for max_hold, then left to lapse: one lease more at most (and polling).
    assert 2 * LEASE <= Bounded(hold, within=WAIT).result() < 5 * LEASE
    assert _renewer_threads() == []


async def test_async_renewing_stops_after_max_hold(client: Redis) -> None:
    store, other = _stores(client, max_hold=2 * LEASE)
    async with asyncio.timeout(WAIT), store.alock("k"):
        taken = time.monotonic()
        (renewer,) = _renewer_tasks()
        async with other.alock("k", timeout=WAIT):
            waited = time.monotonic() - taken
        assert renewer.done()
    assert 2 * LEASE <= waited < 5 * LEASE


def test_a_renewer_stops_when_redis_does_not_answer_for_a_lease(own_redis: OwnRedis) -> None:
    import redis

    client = redis.Redis.from_url(own_redis.url)
    store = RedisStore(client, lease=LEASE)
    view = store._bounded(0.1)  # renewals give up after 0.1 s

    def hold() -> bool:
        with view.lock("k"):
            (renewer,) = _renewer_threads()
            with own_redis.stopped():
                renewer.join(WAIT)  # every renewal fails; after a lease it stops
                stopped_while_frozen = not renewer.is_alive()
        return stopped_while_frozen

    assert Bounded(hold, within=WAIT).result()
    store.close()
    client.close()


async def test_an_async_renewer_stops_when_its_holder_task_is_gone(client: Redis) -> None:
    store, other = _stores(client)
    held = store.alock("k")

    async def holder() -> None:
        await held.__aenter__()  # and never exits: its task ends holding the lock

    async with asyncio.timeout(WAIT):
        await asyncio.get_running_loop().create_task(holder())
        (renewer,) = _renewer_tasks()
        await asyncio.wait([renewer], timeout=WAIT)
        assert renewer.done()
        assert not renewer.cancelled()  # it ended by itself
        async with other.alock("k", timeout=WAIT):  # lapsed with its last lease
            pass


def test_a_forked_child_does_not_run_its_parents_renewer(client: Redis) -> None:
    store, _ = _stores(client)
    entered, done = asyncio.Event(), asyncio.Event()

    async def holder() -> None:
        async with store.alock("k"):
            entered.set()
            await done.wait()

    with asyncio.Runner() as runner:
        # The holder holds the lock on a loop that is not running at the fork: a child
        # that runs the loop again runs its copies of the holder and the renewer.
        loop = runner.get_loop()
        task = loop.create_task(holder())
        runner.run(asyncio.wait_for(entered.wait(), WAIT))
        (renewer,) = [t for t in asyncio.all_tasks(loop) if t.get_name().startswith(RENEWER)]
        report, report_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            signal.alarm(int(WAIT))
            line = b"error"
            try:
                runner.run(asyncio.sleep(2 * LEASE))
                line = b"stopped" if renewer.done() else b"running"
            finally:
                os.write(report_w, line)
                os._exit(0)
        os.close(report_w)
        try:
            ready, _, _ = select.select([report], [], [], WAIT)
            assert ready, "the child never reported"
            assert os.read(report, 16) == b"stopped"
        finally:
            os.waitpid(pid, 0)
            os.close(report)
            assert not renewer.done()  # the parent's own renewer is untouched
            done.set()
            runner.run(asyncio.wait_for(task, WAIT))


@pytest.mark.parametrize("first_use", ["lock", "get"])
def test_a_lock_left_held_at_loop_shutdown_is_released_without_leaking_a_socket(
    client: Redis, first_use: str
) -> None:
    # The lock's context is entered and never exited: the loop's shutdown closes its
    # generator, whose release runs after (or while) the loop's own client is closed.
    store, _ = _stores(client)
    unraisable: list[object] = []
    kept: list[object] = []

    async def main() -> None:
        if first_use == "get":  # the loop's client exists before the lock is taken
            await store.aget("other")
        held = store.alock("k")
        await held.__aenter__()
        kept.append(held)

    old_hook = sys.unraisablehook
    sys.unraisablehook = unraisable.append
    try:
        for _ in range(5):  # both orders of the loop's generators, whatever set order
            asyncio.run(main())
            assert client.get(f"{store.prefix}lock:k") is None
            kept.clear()
            gc.collect()
    finally:
        sys.unraisablehook = old_hook
    assert not store._loop_clients
    assert unraisable == []
