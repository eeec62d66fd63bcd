"""``ManualClock``: time that moves only when told, for token sources and the fakes alike."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

# The first monotonic reading unless told otherwise: not 0, so that code mistaking
# 0 for "never" is not fooled.
MONOTONIC_START = 1000.0


class ManualClock:
    """A ``provider_tokens.Clock`` that moves only when told to; nothing sleeps.

    ``advance(seconds)`` moves the monotonic and the wall clock together.
    ``sleep``/``asleep`` record the wait in ``sleeps`` and advance by it instead of
    waiting (``asleep`` still yields to the event loop once, as a real sleep would).
    ``time()`` is the same wall clock in epoch seconds, the callable that
    ``FakeProviders(clock=...)`` takes, so one clock moves a source and the fake at
    once::

        clock = ManualClock()
        with FakeProviders(clock=clock.time) as fake:
            source = MoneyKit(**fake.credentials("moneykit"), clock=clock)
            source.token()
            clock.advance(3600)  # the token has expired, for the source and the fake

    ``start`` (an aware datetime, default: now, to the whole second) is ``now()``
    before any advance; ``monotonic`` is the first ``monotonic()`` reading. Reads and
    moves are thread-safe.
    """

    def __init__(
        self, start: dt.datetime | None = None, *, monotonic: float = MONOTONIC_START
    ) -> None:
        if start is None:
            start = dt.datetime.now(dt.UTC).replace(microsecond=0)
        elif start.utcoffset() is None:
            raise ValueError("start must be an aware datetime (with a UTC offset)")
        self._start = start.astimezone(dt.UTC)
        self._origin = monotonic
        self._monotonic = monotonic
        self._sleeps: list[float] = []
        self._lock = threading.Lock()

    @property
    def start(self) -> dt.datetime:
        """``now()`` before any advance (aware, UTC)."""
        return self._start

    @property
    def elapsed(self) -> float:
        """Seconds advanced so far, sleeps included."""
        with self._lock:
            return self._monotonic - self._origin

    @property
    def sleeps(self) -> list[float]:
        """Every ``sleep``/``asleep`` so far, in seconds, oldest first (a copy)."""
        with self._lock:
            return list(self._sleeps)

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` (never back: the clock is monotonic)."""
        if seconds < 0:
            raise ValueError(f"a clock cannot go back ({seconds} s)")
        with self._lock:
            self._monotonic += seconds

    def monotonic(self) -> float:
        with self._lock:
            return self._monotonic

    def now(self) -> dt.datetime:
        """The wall clock: ``start`` plus the time advanced, aware UTC."""
        return self._start + dt.timedelta(seconds=self.elapsed)

    def time(self) -> float:
        """``now()`` in epoch seconds: the fakes' clock (``FakeProviders(clock=clock.time)``)."""
        return self._start.timestamp() + self.elapsed

    def sleep(self, seconds: float) -> None:
        """Record the wait and advance by it, at once."""
        if seconds < 0:
            raise ValueError(f"sleep length must be non-negative ({seconds} s)")
        with self._lock:
            self._sleeps.append(seconds)
            self._monotonic += seconds

    async def asleep(self, seconds: float) -> None:
        """As ``sleep``, then let the other tasks run once."""
        self.sleep(seconds)
        await asyncio.sleep(0)

    def __repr__(self) -> str:
        with self._lock:
            elapsed, sleeps = self._monotonic - self._origin, len(self._sleeps)
        now = self._start + dt.timedelta(seconds=elapsed)
        return f"ManualClock(now={now.isoformat()}, elapsed={elapsed:g}s, sleeps={sleeps})"
