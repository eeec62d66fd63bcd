"""One source's cached token and its renewal: a state machine on a clock, no HTTP.

The cache holds at most one ``Entry``. ``claim()`` answers every caller at once:
the token while it is outside the refresh margin; past that, exactly one caller
becomes the leader of a ``Flight`` and the others join it. Inside the margin the old
token is still valid, so callers other than the leader keep using it instead of
waiting, and a failed renewal only surfaces once the old token has expired; until
then renewal backs off (``RENEWAL_BACKOFF``). ``lead()``/``alead()`` run the
leader's fetch and ``land()`` its outcome; ``join()``/``ajoin()`` wait for it, and
abandon a flight whose leader can no longer land (``_flight``).

One lock guards the state; no I/O happens under it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import attrs

from ._clock import Clock
from ._exceptions import TokenError
from ._flight import Flight
from ._fork import forget_at_fork
from ._token import AccessToken
from .stores._base import StoredToken

if TYPE_CHECKING:
    import asyncio
else:
    from ._lazy import asyncio

logger = logging.getLogger("provider_tokens")

# After a failed renewal while the old token is still valid, wait this long
# (at most half the remaining lifetime) before trying again (Azure waits 30 s).
RENEWAL_BACKOFF = 30.0


def refresh_deadline(expire_at: float, lifetime: float, margin: float) -> float:
    """When to start renewing: ``margin`` before expiry, but never before mid-life.

    Capping the margin at half the lifetime keeps a short-lived token (or a large
    margin) from being renewed on every call.
    """
    return expire_at - min(margin, lifetime / 2)


@attrs.frozen
class Entry:
    """A cached token with its deadlines on this process's monotonic clock."""

    token: AccessToken
    refresh_at: float
    expire_at: float
    # Wall-clock twins, for stores: monotonic readings mean nothing elsewhere.
    issued_at: dt.datetime
    valid_until: dt.datetime

    def shared(self) -> StoredToken:
        return StoredToken(self.token, issued_at=self.issued_at, valid_until=self.valid_until)


class _Landing:
    """Lands whatever the ``with`` block ends with.

    A ``TokenError`` goes to the flight's waiters (the leader reads it there too)
    and is not raised here; a bug ends the flight with it and propagates. A
    cancellation or an interrupt is no outcome at all: the flight is abandoned, so
    that a waiter leads a new fetch instead of receiving another caller's
    ``CancelledError``.
    """

    __slots__ = ("_cache", "_flight", "entry", "landed")

    def __init__(self, cache: TokenCache, flight: Flight[AccessToken]) -> None:
        self._cache = cache
        self._flight = flight
        self.entry: Entry | None = None
        self.landed: AccessToken | None = None

    def __enter__(self) -> _Landing:
        return self

    def __exit__(self, kind: object, error: BaseException | None, tb: object) -> bool:
        if error is not None and not isinstance(error, Exception):
            self._cache.abandon(self._flight)
            return False
        self.landed = self._cache.land(self._flight, self.entry, error)
        return isinstance(error, TokenError)


class TokenCache:
    """The cache and single flight of one source.

    ``adopt`` is called under the lock with each token that becomes current (GMO
    Aozora keeps its refresh token); ``on_token`` after a fetch lands, outside it
    (in a worker thread when the fetch ran on an event loop, which a slow callback
    would otherwise stall). ``budget`` bounds how long a flight may take, in
    seconds on ``clock``, before its waiters give up on it.
    """

    def __init__(
        self,
        *,
        provider: str,
        clock: Clock,
        refresh_margin: float,
        adopt: Callable[[AccessToken], None],
        on_token: Callable[[AccessToken], None] | None,
        budget: float,
    ) -> None:
        self._provider = provider
        self._clock = clock
        self._margin = refresh_margin
        self._adopt = adopt
        self._on_token = on_token
        self._budget = budget
        self._lock = threading.Lock()
        self._entry: Entry | None = None
        self._flight: Flight[AccessToken] | None = None
        self._renew_not_before = 0.0
        self._tasks: set[asyncio.Task[None]] = set()
        forget_at_fork(self)

    def _after_fork_in_child(self) -> None:
        # The parent's lock may have been held, and its flight led, by a thread
        # that does not exist here: keep the token, forget the rest.
        self._lock = threading.Lock()
        self._flight = None
        self._tasks = set()

    # -- entries ---------------------------------------------------------------------

    def issued(
        self, token: AccessToken, lifetime: float, *, sent_mono: float, sent_wall: dt.datetime
    ) -> Entry:
        """An entry for a token fetched at ``sent_*`` that lives ``lifetime`` seconds."""
        expire_at = sent_mono + lifetime
        return Entry(
            token,
            refresh_at=refresh_deadline(expire_at, lifetime, self._margin),
            expire_at=expire_at,
            issued_at=sent_wall,
            valid_until=token.expires_at or sent_wall + dt.timedelta(seconds=lifetime),
        )

    def from_store(self, stored: StoredToken) -> Entry:
        """A stored token on this process's monotonic clock."""
        lifetime = max(0.0, (stored.valid_until - stored.issued_at).total_seconds())
        # Never longer than its own lifetime: a writer whose clock runs ahead would
        # otherwise have it kept that much longer than it lives.
        remaining = min(lifetime, (stored.valid_until - self._clock.now()).total_seconds())
        expire_at = self._clock.monotonic() + remaining
        return Entry(
            stored.token,
            refresh_at=refresh_deadline(expire_at, lifetime, self._margin),
            expire_at=expire_at,
            issued_at=stored.issued_at,
            valid_until=stored.valid_until,
        )

    def usable(self, stored: StoredToken | None, *, adopt: bool) -> Entry | None:
        """``stored`` as an entry if it is not yet due for renewal.

        With ``adopt``, a due one still hands over what it carries (the newest
        rotated refresh token), so that the renewal uses it.
        """
        if stored is None:
            return None
        entry = self.from_store(stored)
        if self._clock.monotonic() < entry.refresh_at:
            return entry
        if adopt:
            with self._lock:
                self._adopt(stored.token)
        return None

    # -- the state machine -------------------------------------------------------------

    def claim(
        self, *, force: bool = False
    ) -> tuple[AccessToken | None, Flight[AccessToken] | None, bool]:
        """A token to return now, or the flight to join or (``True``) lead."""
        with self._lock:
            now = self._clock.monotonic()
            entry = self._entry
            if entry is not None and not force:
                if now < entry.refresh_at:
                    return entry.token, None, False
                if now < entry.expire_at and (
                    self._flight is not None or now < self._renew_not_before
                ):
                    return entry.token, None, False
            if self._flight is not None:
                return None, self._flight, False
            self._flight = Flight(
                provider=self._provider,
                monotonic=self._clock.monotonic,
                deadline=now + self._budget,
            )
            return None, self._flight, True

    def join(self, flight: Flight[AccessToken]) -> bool:
        """Wait for another caller's flight: ``True`` once it landed, ``False`` if it
        was abandoned (then claim again)."""
        if flight.wait():
            return True
        self.abandon(flight)
        return False

    async def ajoin(self, flight: Flight[AccessToken]) -> bool:
        if await flight.wait_async():
            return True
        self.abandon(flight)
        return False

    def abandon(self, flight: Flight[AccessToken]) -> None:
        """Give up ``flight``: the next caller leads a new one."""
        with self._lock:
            if self._flight is flight:
                self._flight = None
        if not flight.done:
            logger.warning("%s: a token fetch was abandoned by its leader", self._provider)
        flight.abandon()

    def still_valid(self) -> AccessToken | None:
        """The cached token if it has not expired (what a failed renewal falls back to)."""
        with self._lock:
            entry = self._entry
            if entry is not None and self._clock.monotonic() < entry.expire_at:
                return entry.token
        return None

    def outcome(self, flight: Flight[AccessToken], fallback: AccessToken | None) -> AccessToken:
        if flight.error is not None and fallback is not None:
            logger.warning(
                "%s: token renewal failed, still using the current token: %s",
                self._provider,
                flight.error,
            )
            return fallback
        return flight.result()

    def lead(self, flight: Flight[AccessToken], fetch: Callable[[], Entry]) -> None:
        """Run the leader's fetch and land its outcome."""
        flight.thread = threading.current_thread()
        with _Landing(self, flight) as outcome:
            outcome.entry = fetch()
        if outcome.landed is not None:
            self._call_back(outcome.landed)

    async def alead(
        self, flight: Flight[AccessToken], fetch: Callable[[], Awaitable[Entry]]
    ) -> bool:
        """Run the leader's fetch in a task of its own (``Flight.lead_in_task``):
        ``True`` once it landed, ``False`` if the flight was abandoned (then claim again)."""

        async def land() -> None:
            with _Landing(self, flight) as outcome:
                outcome.entry = await fetch()
            if outcome.landed is not None and self._on_token is not None:
                await asyncio.to_thread(self._call_back, outcome.landed)

        flight.led_on(asyncio.get_running_loop())
        return await flight.lead_in_task(
            land, dropped=lambda: self.abandon(flight), tasks=self._tasks
        )

    def _call_back(self, token: AccessToken) -> None:
        if self._on_token is None:
            return
        try:
            self._on_token(token)
        except Exception:
            logger.exception("%s: on_token callback failed", self._provider)

    def land(
        self, flight: Flight[AccessToken], result: Entry | None, error: BaseException | None
    ) -> AccessToken | None:
        """Cache the outcome, release the flight and wake the waiters; the new token."""
        with self._lock:
            if self._flight is flight:
                self._flight = None
            if result is not None:
                self._entry = result
                self._renew_not_before = 0.0
                self._adopt(result.token)
            elif self._entry is not None:
                now = self._clock.monotonic()
                wait = min(RENEWAL_BACKOFF, max(1.0, (self._entry.expire_at - now) / 2))
                self._renew_not_before = now + wait
        flight.finish(result.token if result else None, error)
        return result.token if result is not None else None

    def drop(self, token: AccessToken | None) -> str | None:
        """Compare-and-clear; the access token to drop from the store too, if any."""
        with self._lock:
            if token is not None:
                if self._entry is not None and self._entry.token.access_token == token.access_token:
                    self._entry = None
                return token.access_token
            if self._entry is None:
                return None
            dropped, self._entry = self._entry.token.access_token, None
            return dropped
