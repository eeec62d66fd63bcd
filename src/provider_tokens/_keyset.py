"""A provider's public signing keys, fetched from its JWKS and cached by key ID.

Each key is kept for ``ttl`` seconds from the last JWKS that listed it (a key the
provider stops listing is dropped once its time is up, not at once: webhooks
signed with it may still arrive). A ``kid`` that is unknown, or known but past its
time, makes one JWKS request, with one flight for every thread and task that asks
at once; and at most one such request per ``refetch_interval`` (a minute), so a
flood of tokens with made-up ``kid``s costs at most one request a minute. A failed
request is retried no sooner than ``retry_interval``; meanwhile callers get their
own copy of its error, and a key past ``ttl`` but younger than ``MAX_AGE`` (24 h)
is still used.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from ._exceptions import ConfigurationError
from ._flight import Flight, own_copy
from ._fork import forget_at_fork

logger = logging.getLogger("provider_tokens")

MAX_AGE = 24 * 3600.0  # never use a key longer than this since it was last listed
REFETCH_INTERVAL = 60.0
RETRY_INTERVAL = 5.0


# An outcome the caller turns into its own error; never seen outside the SDK.
class UnknownKey(Exception):
    """No usable key for this ``kid``; ``age`` is how long ago the JWKS was fetched."""

    def __init__(self, kid: str, age: float | None) -> None:
        super().__init__(kid)
        self.age = age


class KeySet:
    """Keys by ``kid`` from ``fetch``/``afetch`` (the JWKS's members, as mappings).

    ``load`` turns one JWKS member into a key, or ``None`` for a member that is not
    a usable key (another algorithm, another use). ``monotonic`` is the source's
    clock; ``budget`` bounds how long a waiter waits for another caller's request.
    """

    def __init__(
        self,
        *,
        provider: str,
        fetch: Callable[[], Iterable[Mapping[str, Any]]],
        afetch: Callable[[], Awaitable[Iterable[Mapping[str, Any]]]],
        load: Callable[[Mapping[str, Any]], Any | None],
        monotonic: Callable[[], float],
        budget: float,
        ttl: float,
        refetch_interval: float = REFETCH_INTERVAL,
        retry_interval: float = RETRY_INTERVAL,
    ) -> None:
        valid = isinstance(ttl, int | float) and not isinstance(ttl, bool)
        if not valid or not refetch_interval <= ttl <= MAX_AGE:
            # Shorter than the refetch interval, a key would lapse with no way to
            # renew it.
            raise ConfigurationError(
                f"{provider}: the key cache's ttl must be from {refetch_interval:.0f} s to "
                f"{MAX_AGE:.0f} s (24 hours), got {ttl!r}",
                provider=provider,
            )
        self.provider = provider
        self.ttl = float(ttl)
        self._fetch, self._afetch, self._load = fetch, afetch, load
        self._monotonic = monotonic
        self._budget = budget
        self._refetch_interval = refetch_interval
        self._retry_interval = retry_interval
        # kid -> (key, when a JWKS last listed it)
        self._keys: dict[str, tuple[Any, float]] = {}
        self._fetched_at: float | None = None  # the last request's start
        self._before: float | None = None  # the one before: restored if a request is dropped
        self._failure: BaseException | None = None  # the last request's error
        self._reset()
        forget_at_fork(self)

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._flight: Flight[bool] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def _after_fork_in_child(self) -> None:
        # The parent's flight, tasks and lock holders do not exist in the child; a
        # request it had in flight never lands here, so it does not count.
        if self._flight is not None and not self._flight.done:
            self._fetched_at = self._before
        self._reset()

    # -- lookups ------------------------------------------------------------------------

    def key(self, kid: str) -> Any:
        """The key for ``kid``, fetching the JWKS if needed; ``UnknownKey`` if none."""
        while True:
            key, flight, lead = self._claim(kid, None)
            if flight is None:
                return key
            if lead:
                self._land(flight)
            else:
                flight.wait()

    async def akey(self, kid: str) -> Any:
        """The asyncio twin of ``key()``.

        The request runs in a task of its own: a caller cancelled meanwhile (a client
        that hung up) neither cancels it for the others nor makes it count for nothing.
        """
        loop = asyncio.get_running_loop()
        while True:
            key, flight, lead = self._claim(kid, loop)
            if flight is None:
                return key
            if lead:
                await flight.lead_in_task(
                    functools.partial(self._aland, flight),
                    dropped=functools.partial(self._drop, flight),
                    tasks=self._tasks,
                )
            else:
                await flight.wait_async()

    def _claim(
        self, kid: str, loop: asyncio.AbstractEventLoop | None
    ) -> tuple[Any, Flight[bool] | None, bool]:
        """(key, None, _) if one can be used now, else a flight to lead or to wait for;
        raises ``UnknownKey`` or the last request's error when no request is allowed.

        The leader is recorded here, under the lock: ``loop`` for an async caller (the
        request runs there), this thread otherwise; waiters know at once whom to check.
        """
        with self._lock:
            now = self._monotonic()
            held = self._keys.get(kid)
            if held is not None and now - held[1] < self.ttl:
                return held[0], None, False
            if self._flight is not None and not self._flight.done:
                if not self._flight.stranded():
                    return None, self._flight, False
                self._dropped(self._flight)
            if self._may_fetch(now):
                self._before, self._fetched_at = self._fetched_at, now
                flight: Flight[bool] = Flight(
                    provider=self.provider, monotonic=self._monotonic, deadline=now + self._budget
                )
                if loop is None:
                    flight.thread = threading.current_thread()
                else:
                    flight.led_on(loop)
                self._flight = flight
                return None, flight, True
            if self._failure is not None:
                if held is not None and now - held[1] < MAX_AGE:
                    return held[0], None, False  # the provider is down: its last keys
                raise own_copy(self._failure)
            age = None if self._fetched_at is None else now - self._fetched_at
            raise UnknownKey(kid, age)

    def _may_fetch(self, now: float) -> bool:
        if self._fetched_at is None:
            return True
        wait = self._retry_interval if self._failure is not None else self._refetch_interval
        return now - self._fetched_at >= wait

    # -- fetching -----------------------------------------------------------------------
    #
    # A request that fails ends its flight with the error, which callers then read
    # in ``_claim`` (the leader too): each gets its own copy, or a key still young
    # enough. A request that ends without an outcome (cancelled, interrupted, its
    # thread or loop gone) is dropped: it does not count against the intervals.

    def _land(self, flight: Flight[bool]) -> None:
        try:
            members = self._fetch()
        except Exception as exc:
            self._ended(flight, None, exc)
            return
        except BaseException:
            self._drop(flight)
            raise
        self._ended(flight, members, None)

    async def _aland(self, flight: Flight[bool]) -> None:
        try:
            members = await self._afetch()
        except Exception as exc:
            self._ended(flight, None, exc)
            return
        except BaseException:
            self._drop(flight)
            raise
        self._ended(flight, members, None)

    def _drop(self, flight: Flight[bool]) -> None:
        with self._lock:
            self._dropped(flight)

    def _dropped(self, flight: Flight[bool]) -> None:
        """Forget ``flight`` as if it had never started. Called with the lock held."""
        if flight is self._flight and not flight.done:
            self._fetched_at = self._before
        flight.abandon()

    def _ended(
        self,
        flight: Flight[bool],
        members: Iterable[Mapping[str, Any]] | None,
        error: Exception | None,
    ) -> None:
        with self._lock:
            # A flight given up on (past its deadline) may land after a newer one:
            # what it brings is older than what the cache holds.
            if flight is self._flight and not flight.done:
                self._landed(members, error)
        flight.finish(error is None, error)

    def _landed(self, members: Iterable[Mapping[str, Any]] | None, error: Exception | None) -> None:
        if error is not None:
            self._failure = own_copy(error)  # without the leader's traceback
            return
        assert members is not None
        assert self._fetched_at is not None
        self._failure = None
        found = 0
        for member in members:
            kid, key = member.get("kid"), self._load(member)
            if isinstance(kid, str) and key is not None:
                self._keys[kid] = (key, self._fetched_at)
                found += 1
        logger.debug("%s: JWKS fetched, %d usable keys", self.provider, found)
        # Keys not listed for 24 hours are of no use any more.
        now = self._monotonic()
        for kid in [k for k, (_, at) in self._keys.items() if now - at >= MAX_AGE]:
            del self._keys[kid]

    def __repr__(self) -> str:
        return f"KeySet(provider={self.provider!r}, keys={len(self._keys)}, ttl={self.ttl})"
