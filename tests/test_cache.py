"""The cache's state machine on a manual clock: no HTTP, no provider."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import logging
import threading
from collections.abc import Callable
from typing import Any

import pytest

from provider_tokens import AccessToken, InvalidClientError, ServerError
from provider_tokens._cache import RENEWAL_BACKOFF, Entry, TokenCache, refresh_deadline
from provider_tokens.stores import StoredToken
from provider_tokens.testing import ManualClock

BUDGET = 300.0


class Recorder:
    def __init__(self) -> None:
        self.adopted: list[AccessToken] = []
        self.announced: list[AccessToken] = []


def make(
    clock: ManualClock,
    *,
    margin: float = 60.0,
    rec: Recorder | None = None,
    on_token: Callable[[AccessToken], None] | None = None,
) -> TokenCache:
    rec = rec or Recorder()
    return TokenCache(
        provider="example",
        clock=clock,
        refresh_margin=margin,
        adopt=rec.adopted.append,
        on_token=on_token or rec.announced.append,
        budget=BUDGET,
    )


def entry(cache: TokenCache, clock: ManualClock, value: str, lifetime: float) -> Entry:
    token = AccessToken(value, expires_at=clock.now() + dt.timedelta(seconds=lifetime))
    return cache.issued(token, lifetime, sent_mono=clock.monotonic(), sent_wall=clock.now())


def served(cache: TokenCache) -> str | None:
    """The token a caller gets straight from the cache (a claim that must not lead)."""
    cached, _, lead = cache.claim()
    assert not lead
    return cached.access_token if cached is not None else None


def fill(cache: TokenCache, clock: ManualClock, value: str, lifetime: float = 3600) -> None:
    cached, flight, lead = cache.claim()
    assert cached is None
    assert flight is not None
    assert lead
    cache.lead(flight, lambda: entry(cache, clock, value, lifetime))


@pytest.mark.parametrize(
    ("lifetime", "margin", "expected"),
    [(3600, 60, 3540), (100, 60, 50), (10, 0, 10), (0, 60, 0)],
)
def test_refresh_deadline_is_the_margin_but_never_before_mid_life(
    lifetime: float, margin: float, expected: float
) -> None:
    assert refresh_deadline(lifetime, lifetime, margin) == expected


def test_an_empty_cache_makes_one_leader_and_the_others_join() -> None:
    clock = ManualClock()
    cache = make(clock)
    first = cache.claim()
    second = cache.claim()
    assert first[2] is True
    assert second[2] is False
    assert first[1] is second[1]


def test_a_landed_token_is_served_until_the_margin_then_renewed() -> None:
    clock, rec = ManualClock(), Recorder()
    cache = make(clock, rec=rec)
    fill(cache, clock, "one")
    assert (
        [t.access_token for t in rec.adopted] == ["one"] == [t.access_token for t in rec.announced]
    )
    clock.advance(3539)
    assert served(cache) == "one"
    clock.advance(1)
    cached, flight, lead = cache.claim()
    assert cached is None
    assert lead
    # Inside the margin the others keep the old token instead of waiting.
    assert served(cache) == "one"
    assert flight is not None
    cache.lead(flight, lambda: entry(cache, clock, "two", 3600))
    assert served(cache) == "two"


def test_a_failed_renewal_keeps_the_valid_token_and_backs_off() -> None:
    clock = ManualClock()
    cache = make(clock)
    fill(cache, clock, "one", lifetime=600)
    clock.advance(550)  # inside the 60 s margin, 50 s left
    _cached, flight, lead = cache.claim()
    assert lead
    assert flight is not None
    fallback = cache.still_valid()

    def fail() -> Entry:
        raise ServerError("example: 503", provider="example", status_code=503)

    cache.lead(flight, fail)
    assert cache.outcome(flight, fallback).access_token == "one"
    # Back-off: half the remaining 50 s, so 25 s without another attempt.
    clock.advance(24)
    assert served(cache) == "one"
    clock.advance(1)
    assert cache.claim()[2] is True


def test_the_renewal_backoff_is_capped() -> None:
    clock = ManualClock()
    cache = make(clock, margin=3000)
    fill(cache, clock, "one", lifetime=7200)
    clock.advance(4200)  # due: 3000 s left, half of which is far over the cap
    _, flight, _ = cache.claim()
    assert flight is not None

    def fail() -> Entry:
        raise ServerError("example: 503", provider="example", status_code=503)

    cache.lead(flight, fail)
    clock.advance(RENEWAL_BACKOFF - 0.5)
    assert served(cache) == "one"
    clock.advance(1)
    assert cache.claim()[2] is True


def test_a_failed_first_fetch_reaches_every_waiter_and_the_next_call_retries() -> None:
    clock = ManualClock()
    cache = make(clock)
    _, flight, _ = cache.claim()
    _, joined, _ = cache.claim()
    assert flight is not None
    assert joined is flight
    error = InvalidClientError("example: 401", provider="example", status_code=401)

    def fail() -> Entry:
        raise error

    cache.lead(flight, fail)
    with pytest.raises(InvalidClientError) as caught:
        joined.result()
    # Each caller raises its own copy: one shared object would collect every
    # caller's frames on its traceback.
    assert caught.value is not error
    assert (caught.value.message, caught.value.status_code) == (error.message, 401)
    assert cache.still_valid() is None
    assert cache.claim()[2] is True


def test_a_non_token_error_is_raised_to_the_leader_and_the_flight_still_ends() -> None:
    clock = ManualClock()
    cache = make(clock)
    _, flight, _ = cache.claim()
    assert flight is not None

    def bug() -> Entry:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        cache.lead(flight, bug)
    assert cache.claim()[2] is True  # not stuck behind a dead flight


async def test_a_bug_in_an_async_fetch_reaches_the_leader_and_nothing_is_left_unretrieved() -> None:
    loop = asyncio.get_running_loop()
    reported: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _, context: reported.append(context))
    cache = make(ManualClock())
    _, flight, _ = cache.claim()
    assert flight is not None

    async def bug() -> Entry:
        raise KeyError("bug")

    assert await cache.alead(flight, bug)  # landed: with the error
    with pytest.raises(KeyError):
        flight.result()
    assert cache.claim()[2] is True  # not stuck behind a dead flight
    await asyncio.sleep(0)  # the fetch task's done-callback
    gc.collect()  # "Task exception was never retrieved" is reported when it is collected
    assert reported == []


async def test_a_fetch_task_cancelled_before_its_first_step_abandons_the_flight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Cancelled by someone else before it ever ran (a shutdown cancelling every other
    task): no outcome, so the leader claims again and leads a new flight."""
    clock = ManualClock()
    cache = make(clock)
    loop = asyncio.get_running_loop()
    create_task = loop.create_task

    def cancelled_at_once(coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        task = create_task(coro, **kwargs)
        task.cancel()
        return task

    async def fetch() -> Entry:
        return entry(cache, clock, "never", 3600)

    _, flight, _ = cache.claim()
    assert flight is not None
    monkeypatch.setattr(loop, "create_task", cancelled_at_once)
    async with asyncio.timeout(5):
        landed = await cache.alead(flight, fetch)
    monkeypatch.undo()
    assert landed is False
    assert flight.done
    assert flight.abandoned
    _, again, lead = cache.claim()
    assert again is not flight
    assert lead


def test_on_token_failures_are_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    clock = ManualClock()

    def explode(token: AccessToken) -> None:
        raise RuntimeError("callback bug")

    cache = make(clock, on_token=explode)
    with caplog.at_level(logging.ERROR, logger="provider_tokens"):
        fill(cache, clock, "one")
    assert served(cache) == "one"
    assert "on_token callback failed" in caplog.text


def test_drop_compares_before_clearing() -> None:
    clock = ManualClock()
    cache = make(clock)
    fill(cache, clock, "one")
    assert cache.drop(AccessToken("other")) == "other"
    assert served(cache) == "one"
    assert cache.drop(None) == "one"
    assert cache.drop(None) is None
    assert cache.claim()[2] is True


def test_a_stored_token_maps_onto_this_clock_and_a_due_one_hands_over_its_refresh_token() -> None:
    clock, rec = ManualClock(), Recorder()
    cache = make(clock, rec=rec)
    now = clock.now()
    fresh = StoredToken(
        AccessToken("s", refresh_token="r1"),
        issued_at=now - dt.timedelta(seconds=600),
        valid_until=now + dt.timedelta(seconds=3000),
    )
    usable = cache.usable(fresh, adopt=True)
    assert usable is not None
    assert usable.expire_at == clock.monotonic() + 3000
    assert usable.refresh_at == clock.monotonic() + 3000 - 60
    assert rec.adopted == []
    due = StoredToken(
        AccessToken("s", refresh_token="r2"),
        issued_at=now - dt.timedelta(seconds=3590),
        valid_until=now + dt.timedelta(seconds=10),
    )
    assert cache.usable(due, adopt=False) is None
    assert rec.adopted == []
    assert cache.usable(due, adopt=True) is None
    assert [t.refresh_token for t in rec.adopted] == ["r2"]
    assert cache.usable(None, adopt=True) is None


def test_threads_share_one_flight() -> None:
    clock = ManualClock()
    cache = make(clock)
    release = threading.Event()
    fetches: list[int] = []
    results: list[AccessToken] = []

    def fetch() -> Entry:
        fetches.append(1)
        assert release.wait(10)
        return entry(cache, clock, "shared", 3600)

    def call() -> None:
        cached, flight, lead = cache.claim()
        if cached is not None:
            results.append(cached)
        elif lead:
            assert flight is not None
            cache.lead(flight, fetch)
            results.append(flight.result())
        else:
            assert flight is not None
            assert cache.join(flight)
            results.append(flight.result())

    threads = [threading.Thread(target=call) for _ in range(20)]
    for t in threads:
        t.start()
    release.set()
    for t in threads:
        t.join(10)
    assert fetches == [1]
    assert {r.access_token for r in results} == {"shared"}
    assert len(results) == 20


async def test_a_cancelled_async_leader_does_not_cancel_the_fetch() -> None:
    clock = ManualClock()
    cache = make(clock)
    release = asyncio.Event()

    async def fetch() -> Entry:
        await release.wait()
        return entry(cache, clock, "survivor", 3600)

    _, flight, lead = cache.claim()
    assert flight is not None
    assert lead
    leader = asyncio.ensure_future(cache.alead(flight, fetch))
    _, joined, _ = cache.claim()
    assert joined is flight
    waiter = asyncio.ensure_future(cache.ajoin(flight))
    await asyncio.sleep(0)
    leader.cancel()
    release.set()
    assert await asyncio.wait_for(waiter, 5)
    assert flight.result().access_token == "survivor"
    with pytest.raises(asyncio.CancelledError):
        await leader
    assert served(cache) == "survivor"


def test_a_stored_token_is_never_kept_longer_than_its_own_lifetime() -> None:
    clock = ManualClock()
    cache = make(clock, margin=0)
    ahead = clock.now() + dt.timedelta(hours=1)  # written by a process whose clock is 1 h fast
    stored = StoredToken(
        AccessToken("s"), issued_at=ahead, valid_until=ahead + dt.timedelta(hours=1)
    )
    usable = cache.usable(stored, adopt=False)
    assert usable is not None
    assert usable.expire_at == clock.monotonic() + 3600  # not the 7200 its valid_until says


async def test_on_token_runs_off_the_event_loop() -> None:
    clock = ManualClock()
    called_on: list[threading.Thread] = []
    release = threading.Event()

    def slow_callback(token: AccessToken) -> None:
        called_on.append(threading.current_thread())
        assert release.wait(5)

    cache = make(clock, on_token=slow_callback)
    _, flight, _ = cache.claim()
    assert flight is not None

    async def fetch() -> Entry:
        return entry(cache, clock, "one", 3600)

    leading = asyncio.ensure_future(cache.alead(flight, fetch))
    # The loop keeps running while the callback blocks: this task gets to release it.
    for _ in range(500):
        if called_on:
            break
        await asyncio.sleep(0.01)
    assert called_on
    assert called_on[0] is not threading.current_thread()
    release.set()
    await asyncio.wait_for(leading, 5)
    assert served(cache) == "one"
