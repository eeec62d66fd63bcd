"""Time, injectable so that renewal and retry timing is testable without sleeping."""

from __future__ import annotations

import datetime as dt
import time
from typing import Protocol


class Clock(Protocol):
    """What a token source needs from time.

    ``monotonic`` drives cache deadlines (immune to wall-clock steps); ``now`` is
    wall-clock UTC, used only to turn lifetimes into ``AccessToken.expires_at`` and
    absolute expiries (Melio's ``expiresAt``) into lifetimes; ``sleep``/``asleep``
    wait between retries.
    """

    def monotonic(self) -> float: ...

    def now(self) -> dt.datetime: ...

    def sleep(self, seconds: float) -> None: ...

    async def asleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        import asyncio  # loaded by then: an awaiting caller runs on its loop

        await asyncio.sleep(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"
