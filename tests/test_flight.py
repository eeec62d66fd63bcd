"""A flight's waits: bounded, abandoned when the leader cannot land, one error copy each."""

from __future__ import annotations

import asyncio
import collections
import threading
import time
import traceback

import pytest

from provider_tokens import AccessToken, BlockingCallError, InvalidClientError, TokenError
from provider_tokens import _flight as flight_module
from provider_tokens._flight import Flight, own_copy
from provider_tokens.testing import ManualClock

DEADLINE = 100.0


def flight(clock: ManualClock, *, budget: float = DEADLINE) -> Flight[AccessToken]:
    return Flight(
        provider="example", monotonic=clock.monotonic, deadline=clock.monotonic() + budget
    )


def in_thread(target: object) -> tuple[threading.Thread, list[object]]:
    """Run ``target`` in a thread; its return value or exception lands in the list."""
    out: list[object] = []

    def run() -> None:
        try:
            out.append(target())  # type: ignore[operator]
        except BaseException as exc:
            out.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def test_own_copy_keeps_attributes_cause_and_notes_but_not_the_object() -> None:
    cause = OSError("connect")
    error = InvalidClientError("example: 401", provider="example", status_code=401, body={"a": 1})
    error.__cause__ = cause
    error.add_note("a note")

    copy = own_copy(error)

    assert copy is not error
    assert type(copy) is InvalidClientError
    assert isinstance(copy, InvalidClientError)
    assert (copy.message, copy.status_code, copy.body, copy.provider) == (
        "example: 401",
        401,
        {"a": 1},
        "example",
    )
    assert copy.__cause__ is cause
    assert copy.__notes__ == ["a note"]
    copy.add_note("only mine")
    assert error.__notes__ == ["a note"]


def test_each_caller_raises_its_own_error_so_tracebacks_do_not_grow() -> None:
    clock = ManualClock()
    f = flight(clock)
    f.finish(None, InvalidClientError("example: 401", provider="example", status_code=401))
    caught: list[BaseException] = []
    for _ in range(200):
        try:
            f.result()
        except TokenError as exc:
            caught.append(exc)
    assert len({id(e) for e in caught}) == 200
    depths = {len(traceback.extract_tb(e.__traceback__)) for e in caught}
    assert len(depths) == 1  # the same for the first caller and the 200th
    assert max(depths) <= 2


async def test_two_thousand_tasks_get_short_tracebacks() -> None:
    clock = ManualClock()
    f = flight(clock)
    f.led_on(asyncio.get_running_loop())

    async def waiter() -> BaseException:
        assert await f.wait_async()
        try:
            f.result()
        except TokenError as exc:
            return exc
        raise AssertionError("no error")

    waiters = [asyncio.ensure_future(waiter()) for _ in range(2000)]
    await asyncio.sleep(0)
    f.finish(None, InvalidClientError("example: 401", provider="example", status_code=401))
    errors = await asyncio.wait_for(asyncio.gather(*waiters), 10)

    assert len({id(e) for e in errors}) == 2000
    assert max(len(traceback.extract_tb(e.__traceback__)) for e in errors) < 10


def test_a_thread_waiter_gives_up_on_a_leader_whose_loop_was_closed() -> None:
    clock = ManualClock()
    f = flight(clock)
    loop = asyncio.new_event_loop()
    f.led_on(loop)
    thread, out = in_thread(f.wait)
    loop.close()  # the fetch it was running can no longer land
    thread.join(5)
    assert not thread.is_alive()
    assert out == [False]


def test_a_thread_waiter_gives_up_on_a_leader_thread_that_died() -> None:
    clock = ManualClock()
    f = flight(clock)
    gone = threading.Thread(target=lambda: None)
    gone.start()
    gone.join()
    f.thread = gone
    assert f.stranded()
    thread, out = in_thread(f.wait)
    thread.join(5)
    assert out == [False]


def test_a_waiter_gives_up_once_the_deadline_on_the_clock_passes() -> None:
    clock = ManualClock()
    f = flight(clock, budget=30)
    f.thread = threading.current_thread()  # a leader that is alive but stuck
    thread, out = in_thread(f.wait)
    thread.join(0.2)
    assert thread.is_alive()  # inside the budget it keeps waiting
    clock.advance(31)
    thread.join(5)
    assert not thread.is_alive()
    assert out == [False]


async def test_a_task_on_another_loop_gives_up_on_a_closed_leader_loop() -> None:
    clock = ManualClock()
    f = flight(clock)
    dead = asyncio.new_event_loop()
    elsewhere = threading.Thread(target=f.led_on, args=(dead,))  # a loop of another thread
    elsewhere.start()
    elsewhere.join(5)
    waiting = asyncio.ensure_future(f.wait_async())
    await asyncio.sleep(0)
    dead.close()
    assert await asyncio.wait_for(waiting, 5) is False


def test_a_landed_flight_wakes_thread_and_task_waiters() -> None:
    clock = ManualClock()
    f = flight(clock)
    thread, out = in_thread(f.wait)

    async def task_waiter() -> bool:
        return await f.wait_async()

    loop_thread, loop_out = in_thread(lambda: asyncio.run(task_waiter()))
    token = AccessToken("t")
    f.finish(token, None)
    thread.join(5)
    loop_thread.join(5)
    assert out == [True]
    assert loop_out == [True]
    assert f.result() is token


def test_an_abandoned_flight_tells_its_waiters_to_start_over() -> None:
    clock = ManualClock()
    f = flight(clock)
    f.thread = threading.current_thread()
    thread, out = in_thread(f.wait)
    f.abandon()
    thread.join(5)
    assert out == [False]
    f.finish(AccessToken("late"), None)  # an outcome after abandoning changes nothing
    assert f.abandoned
    assert f.token is None


async def test_waiting_on_the_loop_that_leads_is_refused() -> None:
    clock = ManualClock()
    f = flight(clock)
    f.led_on(asyncio.get_running_loop())
    with pytest.raises(BlockingCallError, match="await atoken") as caught:
        f.wait()
    assert isinstance(caught.value, RuntimeError)


async def test_waiting_for_a_stopped_loop_of_this_thread_is_refused() -> None:
    clock = ManualClock()
    f = flight(clock)
    stopped = asyncio.new_event_loop()  # this thread's, and not running: it cannot progress
    f.led_on(stopped)
    try:
        with pytest.raises(BlockingCallError, match="not running"):
            f.wait()
        with pytest.raises(BlockingCallError, match="not running"):
            await f.wait_async()
    finally:
        stopped.close()
    assert f.wait() is False  # closed: given up, not refused


def test_one_waiting_thread_watches_the_leader_and_the_others_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A hundred threads each checking on the leader every POLL would all wake at once
    (and contend with the leader reading its answer); one checks, the others rarely."""
    monkeypatch.setattr(flight_module, "POLL", 0.005)
    monkeypatch.setattr(flight_module, "IDLE_POLL", 60.0)
    clock = ManualClock()
    f = flight(clock)
    f.thread = threading.current_thread()  # a leader that is alive
    checks: collections.Counter[int] = collections.Counter()
    stranded = f.stranded

    def counted() -> bool:
        checks[threading.get_ident()] += 1
        return stranded()

    f.stranded = counted  # type: ignore[method-assign]
    waiters = [in_thread(f.wait) for _ in range(10)]
    deadline = time.monotonic() + 10
    while not (len(checks) == 10 and max(checks.values()) >= 5):
        assert time.monotonic() < deadline, f"the waiters never got going: {checks}"
        time.sleep(0.005)
    assert sorted(checks.values())[:-1] == [1] * 9  # each once, on arrival
    f.finish(AccessToken("landed"), None)
    for thread, out in waiters:
        thread.join(5)
        assert out == [True]


async def test_tasks_of_one_loop_are_woken_in_turns() -> None:
    """A thousand tasks woken in one pass of their loop stall it for milliseconds;
    they are woken ``WAKE_BATCH`` at a time, the loop serving the rest between."""
    f = flight(ManualClock())
    f.led_on(asyncio.get_running_loop())
    count = 2 * flight_module.WAKE_BATCH + 50
    waiters = [asyncio.ensure_future(f.wait_async()) for _ in range(count)]
    await asyncio.sleep(0)  # all are waiting
    f.finish(AccessToken("landed"), None)
    await asyncio.sleep(0)  # one pass
    assert sum(w.done() for w in waiters) == flight_module.WAKE_BATCH
    async with asyncio.timeout(5):
        assert all(await asyncio.gather(*waiters))
