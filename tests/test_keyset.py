"""KeySet: signing keys by kid, fetched once for many callers, refetched sparingly.

The fetch functions stand in for the JWKS request (the MoneyKit tests go through
HTTP); what is under test is the cache: its clock is a ManualClock, its
concurrency real threads and tasks, and every wait is bounded.
"""

from __future__ import annotations

import asyncio
import os
import select
import signal
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from provider_tokens import ConfigurationError, ServerError
from provider_tokens._keyset import MAX_AGE, KeySet, UnknownKey
from provider_tokens.testing import ManualClock

WAIT = 10.0
TTL = 3600.0


class Jwks:
    """A JWKS that counts its requests; ``gate`` holds answers back; ``error`` fails them."""

    def __init__(self, *kids: str) -> None:
        self.kids = list(kids)
        self.requests = 0
        self.gate: threading.Event | None = None
        self.agate: asyncio.Event | None = None
        self.error: Exception | None = None
        self._lock = threading.Lock()

    def _answer(self) -> list[Mapping[str, Any]]:
        with self._lock:
            self.requests += 1
        if self.error is not None:
            raise self.error
        return [{"kid": kid, "key": f"key of {kid}"} for kid in self.kids]

    def fetch(self) -> Iterable[Mapping[str, Any]]:
        if self.gate is not None:
            assert self.gate.wait(WAIT)
        return self._answer()

    async def afetch(self) -> Iterable[Mapping[str, Any]]:
        if self.agate is not None:
            await asyncio.wait_for(self.agate.wait(), WAIT)
        return self._answer()


def keyset(jwks: Jwks, clock: ManualClock, ttl: float = TTL) -> KeySet:
    return KeySet(
        provider="moneykit",
        fetch=jwks.fetch,
        afetch=jwks.afetch,
        load=lambda member: member.get("key"),
        monotonic=clock.monotonic,
        budget=30.0,
        ttl=ttl,
    )


def test_a_cold_cache_fetches_once_then_serves_from_memory() -> None:
    jwks, clock = Jwks("a", "b"), ManualClock()
    keys = keyset(jwks, clock)
    assert keys.key("a") == "key of a"
    assert keys.key("b") == "key of b"
    clock.advance(TTL - 1)
    assert keys.key("a") == "key of a"
    assert jwks.requests == 1


def test_an_unknown_kid_refetches_at_most_once_a_minute() -> None:
    jwks, clock = Jwks("a"), ManualClock()
    keys = keyset(jwks, clock)
    keys.key("a")
    clock.advance(59)
    for kid in ("x", "y", "z"):
        with pytest.raises(UnknownKey) as caught:
            keys.key(kid)
    assert caught.value.age == pytest.approx(59)
    assert jwks.requests == 1  # the first fetch was 59 s ago: no refetch yet
    clock.advance(1)
    jwks.kids.append("z")
    assert keys.key("z") == "key of z"
    with pytest.raises(UnknownKey):
        keys.key("y")
    assert jwks.requests == 2


def test_a_thousand_made_up_kids_cost_at_most_two_requests() -> None:
    jwks, clock = Jwks("a"), ManualClock()
    keys = keyset(jwks, clock)
    keys.key("a")
    clock.advance(3600 - 1)  # the first fetch is long past the refetch interval
    for n in range(1000):
        with pytest.raises(UnknownKey):
            keys.key(f"forged-{n}")
        clock.advance(0.01)  # 10 s in all
    assert jwks.requests == 2


def test_a_key_the_jwks_stops_listing_is_kept_until_its_ttl_then_dropped() -> None:
    jwks, clock = Jwks("old"), ManualClock()
    keys = keyset(jwks, clock)
    keys.key("old")
    clock.advance(600)
    jwks.kids = ["new"]  # rotated: the JWKS lists only the new key
    assert keys.key("new") == "key of new"
    assert keys.key("old") == "key of old"  # still within its ttl
    assert jwks.requests == 2
    clock.advance(TTL - 600)  # "old" is past its ttl; "new" is not
    assert keys.key("new") == "key of new"
    with pytest.raises(UnknownKey):
        keys.key("old")  # refetched (a minute passed), and not listed
    assert jwks.requests == 3


def test_a_key_past_its_ttl_is_refetched_and_kept_if_still_listed() -> None:
    jwks, clock = Jwks("a"), ManualClock()
    keys = keyset(jwks, clock, ttl=120)
    keys.key("a")
    clock.advance(120)
    assert keys.key("a") == "key of a"
    assert jwks.requests == 2
    clock.advance(119)
    assert keys.key("a") == "key of a"
    assert jwks.requests == 2


def test_a_failed_request_is_shared_then_retried_after_the_retry_interval() -> None:
    jwks, clock = Jwks("a"), ManualClock()
    keys = keyset(jwks, clock)
    jwks.error = ServerError("moneykit: 503", provider="moneykit", status_code=503)
    with pytest.raises(ServerError) as first:
        keys.key("a")
    with pytest.raises(ServerError) as second:
        keys.key("a")
    assert second.value is not first.value  # each caller its own copy
    assert jwks.requests == 1
    clock.advance(5)
    jwks.error = None
    assert keys.key("a") == "key of a"
    assert jwks.requests == 2


def test_known_keys_outlive_their_ttl_while_the_jwks_fails_but_not_24_hours() -> None:
    jwks, clock = Jwks("a"), ManualClock()
    keys = keyset(jwks, clock)
    keys.key("a")
    jwks.error = ServerError("moneykit: 503", provider="moneykit", status_code=503)
    clock.advance(TTL)
    assert keys.key("a") == "key of a"  # the request failed: the provider's last key
    assert keys.key("a") == "key of a"
    assert jwks.requests == 2
    clock.advance(MAX_AGE - TTL)
    with pytest.raises(ServerError):
        keys.key("a")  # 24 h since it was listed: never used again
    with pytest.raises(ServerError):
        keys.key("a")
    assert jwks.requests == 3


@pytest.mark.parametrize("ttl", [0, -1, 59, MAX_AGE + 1, True, "3600"])
def test_a_ttl_outside_a_minute_to_24_hours_is_refused(ttl: Any) -> None:
    with pytest.raises(ConfigurationError, match="24 hours"):
        keyset(Jwks(), ManualClock(), ttl=ttl)


def test_two_hundred_threads_on_a_cold_cache_make_one_request() -> None:
    jwks, clock = Jwks("a"), ManualClock()
    keys = keyset(jwks, clock)
    jwks.gate = threading.Event()
    started = threading.Barrier(201, timeout=WAIT)

    def verify() -> Any:
        started.wait()
        return keys.key("a")

    with ThreadPoolExecutor(200) as pool:
        futures = [pool.submit(verify) for _ in range(200)]
        started.wait()
        jwks.gate.set()
        results = [f.result(timeout=WAIT) for f in futures]
    assert results == ["key of a"] * 200
    assert jwks.requests == 1


async def test_a_thousand_tasks_on_a_cold_cache_make_one_request() -> None:
    jwks, clock = Jwks("a"), ManualClock()
    keys = keyset(jwks, clock)
    jwks.agate = asyncio.Event()
    tasks = [asyncio.create_task(keys.akey("a")) for _ in range(1000)]
    await asyncio.sleep(0)  # every task is waiting on the one request
    jwks.agate.set()
    results = await asyncio.wait_for(asyncio.gather(*tasks), WAIT)
    assert results == ["key of a"] * 1000
    assert jwks.requests == 1


def test_threads_and_tasks_at_once_share_one_request() -> None:
    jwks, clock = Jwks("a"), ManualClock()
    keys = keyset(jwks, clock)
    jwks.gate = threading.Event()
    results: list[Any] = []

    async def tasks() -> None:
        results.extend(await asyncio.gather(*(keys.akey("a") for _ in range(100))))

    with ThreadPoolExecutor(20) as pool:
        futures = [pool.submit(keys.key, "a") for _ in range(20)]
        loop_thread = threading.Thread(target=asyncio.run, args=(tasks(),))
        loop_thread.start()
        jwks.gate.set()
        results.extend(f.result(timeout=WAIT) for f in futures)
        loop_thread.join(WAIT)
    assert not loop_thread.is_alive()
    assert results == ["key of a"] * 120
    assert jwks.requests == 1


async def test_a_cancelled_request_is_taken_over_and_costs_no_refetch_interval() -> None:
    jwks, clock = Jwks("a"), ManualClock()
    keys = keyset(jwks, clock)
    jwks.agate = asyncio.Event()
    leader = asyncio.create_task(keys.akey("a"))
    await asyncio.sleep(0)
    waiter = asyncio.create_task(keys.akey("a"))
    await asyncio.sleep(0)
    leader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leader
    jwks.agate.set()
    assert await asyncio.wait_for(waiter, WAIT) == "key of a"
    assert jwks.requests == 1  # the cancelled request never reached the JWKS


async def test_a_request_task_cancelled_by_someone_else_is_no_outcome_for_its_caller() -> None:
    """A shutdown cancelling "all other tasks" cancels the request's task, not the
    caller: it gets no CancelledError, and leads a new request."""
    jwks, clock = Jwks("a"), ManualClock()
    keys = keyset(jwks, clock)
    jwks.agate = asyncio.Event()
    leader = asyncio.create_task(keys.akey("a"))
    await asyncio.sleep(0)  # leading: its request task is made
    await asyncio.sleep(0)  # and waits at the gate
    for task in list(keys._tasks):
        task.cancel()
    await asyncio.sleep(0)
    jwks.agate.set()
    assert await asyncio.wait_for(leader, WAIT) == "key of a"
    assert jwks.requests == 1  # the cancelled one never reached the JWKS


async def test_a_request_task_cancelled_before_its_first_step_is_dropped() -> None:
    """Its request never ran: the flight is dropped, not left for later callers to wait
    on, and the caller leads a new one."""
    jwks, clock = Jwks("a"), ManualClock()
    keys = keyset(jwks, clock)
    leader = asyncio.create_task(keys.akey("a"))
    await asyncio.sleep(0)  # leading: its request task is made, not yet started
    (task,) = keys._tasks
    task.cancel()
    assert await asyncio.wait_for(leader, WAIT) == "key of a"
    assert await asyncio.wait_for(keys.akey("a"), WAIT) == "key of a"
    assert jwks.requests == 1


def test_a_lookup_takes_over_the_request_of_a_thread_that_died_leading_it() -> None:
    jwks, clock = Jwks("a"), ManualClock()
    keys = keyset(jwks, clock)

    def lead_and_die() -> None:
        # What key() does first; the thread then ends without an outcome.
        _, flight, lead = keys._claim("a", None)  # this thread leads
        assert flight is not None
        assert lead

    leader = threading.Thread(target=lead_and_die)
    leader.start()
    leader.join(WAIT)
    assert keys.key("a") == "key of a"
    assert jwks.requests == 1


async def test_callers_cancelled_mid_request_neither_cancel_it_nor_lift_the_interval() -> None:
    # Clients that hang up (ASGI cancels their handlers) while webhooks with made-up
    # kids wait for a refetch: the request goes on and counts, once.
    jwks, clock = Jwks("a"), ManualClock()
    keys = keyset(jwks, clock)
    await keys.akey("a")
    clock.advance(3600)
    jwks.agate = asyncio.Event()
    for n in range(20):
        caller = asyncio.create_task(keys.akey(f"forged-{n}"))
        await asyncio.sleep(0)
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
    jwks.agate.set()
    with pytest.raises(UnknownKey):
        await asyncio.wait_for(keys.akey("forged-again"), WAIT)
    assert jwks.requests == 2


def test_an_interrupted_request_is_no_outcome_for_the_next_caller() -> None:
    jwks, clock = Jwks("a"), ManualClock()
    keys = keyset(jwks, clock)
    jwks.error = KeyboardInterrupt()  # type: ignore[assignment]
    with pytest.raises(KeyboardInterrupt):
        keys.key("a")
    jwks.error = None
    assert keys.key("a") == "key of a"  # asks again at once, and gets no interrupt
    assert jwks.requests == 2


@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")
def test_a_child_forked_mid_request_asks_for_itself() -> None:
    jwks, clock = Jwks("a"), ManualClock()
    keys = keyset(jwks, clock)
    jwks.gate = threading.Event()
    leader = threading.Thread(target=keys.key, args=("a",))
    leader.start()
    for _ in range(1000):  # until the leader's request is in flight (bounded)
        with keys._lock:
            if keys._flight is not None:
                break
        threading.Event().wait(0.001)
    else:
        pytest.fail("the leader never started its request")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        signal.alarm(int(WAIT))
        outcome = b"error"
        try:
            jwks.gate.set()
            outcome = b"ok" if keys.key("a") == "key of a" else b"wrong"
        finally:
            os.write(write, outcome)
            os._exit(0)
    os.close(write)
    try:
        ready, _, _ = select.select([read], [], [], WAIT)
        assert ready, "the child never reported"
        assert os.read(read, 8) == b"ok"
    finally:
        os.waitpid(pid, 0)
        os.close(read)
        jwks.gate.set()
        leader.join(WAIT)
    assert keys.key("a") == "key of a"
    assert jwks.requests == 1  # the parent's own request
