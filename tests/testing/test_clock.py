"""``ManualClock``: moves only when told; sleeps are recorded and advance it."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

import pytest

from provider_tokens import Clock
from provider_tokens.testing import ManualClock

START = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def test_it_is_a_clock_and_stands_still() -> None:
    clock: Clock = ManualClock(START)
    assert clock.now() == START
    assert clock.monotonic() == 1000.0
    assert clock.now() == START
    assert clock.monotonic() == 1000.0


def test_advance_moves_every_reading_together() -> None:
    clock = ManualClock(START, monotonic=5.0)
    clock.advance(90.5)
    assert clock.monotonic() == 95.5
    assert clock.now() == START + dt.timedelta(seconds=90.5)
    assert clock.time() == START.timestamp() + 90.5
    assert clock.elapsed == 90.5
    assert clock.start == START
    with pytest.raises(ValueError, match="back"):
        clock.advance(-1)
    assert clock.elapsed == 90.5


@pytest.mark.parametrize("steps", [[0.0], [1.25, 3600.0], [0.1] * 7])
def test_time_is_now_in_epoch_seconds(steps: list[float]) -> None:
    clock = ManualClock(START)
    for step in steps:
        clock.advance(step)
        assert clock.time() == pytest.approx(clock.now().timestamp(), abs=1e-6)
    assert clock.time() == pytest.approx(START.timestamp() + sum(steps), abs=1e-6)


def test_the_default_start_is_now_to_the_second() -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start = ManualClock().now()
    after = dt.datetime.now(dt.UTC)
    assert before <= start <= after
    assert start.microsecond == 0
    assert start.tzinfo == dt.UTC


def test_the_start_is_aware_and_kept_in_utc() -> None:
    tokyo = dt.timezone(dt.timedelta(hours=9))
    clock = ManualClock(START.astimezone(tokyo))
    assert clock.now() == START
    assert clock.now().utcoffset() == dt.timedelta(0)
    with pytest.raises(ValueError, match="aware"):
        ManualClock(dt.datetime(2030, 1, 1))  # naive


def test_sleep_is_recorded_and_advances_instead_of_waiting() -> None:
    clock = ManualClock(START)
    clock.sleep(0.5)
    clock.sleep(86_400)
    assert clock.sleeps == [0.5, 86_400]
    assert clock.now() == START + dt.timedelta(seconds=86_400.5)
    clock.sleeps.append(99)  # a copy: the record is the clock's own
    assert clock.sleeps == [0.5, 86_400]
    with pytest.raises(ValueError, match="non-negative"):
        clock.sleep(-0.1)
    assert clock.sleeps == [0.5, 86_400]


async def test_asleep_is_recorded_advances_and_lets_other_tasks_run() -> None:
    clock = ManualClock(START)
    seen: list[float] = []

    async def other() -> None:
        seen.append(clock.elapsed)

    task = asyncio.create_task(other())
    await clock.asleep(30)
    assert seen == [30]  # it ran during the sleep, after the clock moved
    await task
    assert clock.sleeps == [30]
    assert clock.monotonic() == 1030.0


def test_repr_says_where_it_is() -> None:
    clock = ManualClock(START)
    clock.advance(2.5)
    clock.sleep(1)
    assert (
        repr(clock) == "ManualClock(now=2030-01-02T03:04:08.500000+00:00, elapsed=3.5s, sleeps=1)"
    )


def test_threads_moving_it_lose_nothing() -> None:
    clock = ManualClock(START)
    barrier = threading.Barrier(8)

    def work() -> None:
        barrier.wait()
        for _ in range(2000):
            clock.advance(1)
            clock.sleep(1)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert clock.elapsed == 8 * 2000 * 2
    assert len(clock.sleeps) == 8 * 2000
