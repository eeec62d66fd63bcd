"""``TokenSource``: the base of every provider's source, and an ``httpx.Auth``.

A façade over the parts that do the work: the cache and its single flight
(``_cache``), the shared store behind its guard (``stores._guard``), the token
request with its retries (``_fetch``), and the HTTP clients (``_clients``).

A subclass declares its ``Provider`` (``registration``) and supplies three
things: the request to make now (``_plan``), that request as a generated
operation call (``_request``), and how to read the parsed answer (``_read``).
Threads and asyncio tasks share one in-flight fetch: GMO Aozora rotates refresh
tokens, so a sync and an async refresh must never overlap.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any, ClassVar, TypeVar

import attrs
import httpx

from ._cache import RENEWAL_BACKOFF, Entry, TokenCache
from ._clients import C, HttpClients
from ._clock import Clock, SystemClock
from ._config import check
from ._exceptions import TokenError
from ._fetch import Answer, Call, Exchange, Plan
from ._http import check_base_url
from ._provider import Provider
from ._responses import Issued, Refusal, issued_token
from ._retry import RetryPolicy
from ._token import AccessToken
from .stores._base import StoredToken, TokenStore
from .stores._guard import GuardedStore, store_key
from .stores._memory import default_store

logger = logging.getLogger("provider_tokens")

S = TypeVar("S", bound="TokenSource")


@attrs.frozen
class Rejected:
    """A new token refused by ``_verified`` with ``error``. ``keep``, if given, is
    stored as already due (``_due``): a rotated refresh token it carries is spent
    for the one sent, and the next renewal, here or in another process, needs it."""

    error: TokenError
    keep: AccessToken | None = None


class TokenSource(httpx.Auth):
    """Base class of the provider sources; also an ``httpx.Auth``.

    ``token()``/``atoken()`` return the cached token, renewing it ahead of expiry
    with one request however many threads and tasks ask. As an ``httpx.Auth`` it
    sets ``auth_header`` on each request and, after a 401, renews once and replays.
    """

    #: The provider's declaration; ``provider`` is its name.
    registration: ClassVar[Provider]
    provider: ClassVar[str]
    #: Header that carries the token on the provider's resource APIs.
    auth_header: ClassVar[str] = "Authorization"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "registration" in cls.__dict__:
            cls.provider = cls.registration.name

    def __init__(
        self,
        *,
        base_url: str,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        timeout: float = 10.0,
        refresh_margin: float = 60.0,
        default_ttl: float = 300.0,
        on_token: Callable[[AccessToken], None] | None = None,
        max_retries: int | None = None,
        allow_insecure_http: bool = False,
        clock: Clock | None = None,
        retry_policy: RetryPolicy | None = None,
        store: TokenStore | None = None,
    ) -> None:
        if not hasattr(type(self), "registration"):
            raise TypeError(
                f"{type(self).__name__} declares no provider: set `registration = PROVIDER`"
            )
        policy = check(
            self.provider,
            timeout=timeout,
            refresh_margin=refresh_margin,
            default_ttl=default_ttl,
            max_retries=max_retries,
            retry_policy=retry_policy,
        )
        self.base_url = check_base_url(
            self.provider, base_url, allow_insecure_http=allow_insecure_http
        )
        self._clock: Clock = clock or SystemClock()
        self._default_ttl = default_ttl
        self._store = store if store is not None else default_store()
        self._clients = HttpClients(
            provider=self.provider,
            base_url=self.base_url,
            timeout=timeout,
            sync=http_client,
            async_=async_http_client,
        )
        # How long one fetch may take, retries and their waits included; a store
        # lock may be held that long by another process, and a flight's waiters
        # give up on its leader after the whole sequence (``_obtain``) could have run.
        fetch_budget = policy.budget(timeout)
        self._store_bounds = (timeout, fetch_budget)
        # A RedisStore's connections for this source, made now rather than in the
        # first token request: a cluster client asks a node for the slots when made.
        # A store that fails here fails the source nothing: its guard, made at the
        # first request, tries again and reports it.
        bounded = getattr(self._store, "_bounded", None)
        if callable(bounded):
            with contextlib.suppress(Exception):
                bounded(timeout)
        self._cache = TokenCache(
            provider=self.provider,
            clock=self._clock,
            refresh_margin=refresh_margin,
            adopt=self._stored,
            on_token=on_token,
            budget=2 * fetch_budget + 3 * timeout,
        )
        self._after_401: tuple[str, float] | None = None
        self._exchange = Exchange(
            provider=self.provider,
            clock=self._clock,
            retry=policy,
            codes=self.registration.error_codes,
        )

    # -- what subclasses provide ----------------------------------------------------------

    def _plan(self) -> Plan:
        """The token request to make now (may raise ``NoRefreshTokenError``)."""
        raise NotImplementedError

    def _request(self, plan: Plan) -> Call:
        """``plan`` as a call of the provider's generated token operation."""
        raise NotImplementedError

    def _read(self, plan: Plan, parsed: Any) -> Issued | Refusal | None:
        """The generated parse of an answer as a token, a documented refusal, or ``None``."""
        raise NotImplementedError

    def _key_material(self) -> tuple[str, ...]:
        """What else changes the token: client identity, scope, account, secret hash."""
        raise NotImplementedError

    def _stored(self, token: AccessToken) -> None:
        """Called under the cache's lock with each token that becomes current."""

    def _verified(self, plan: Plan, token: AccessToken) -> AccessToken | Rejected:
        """A new token, checked before it is cached or shared: what the provider
        signed in it (GMO Aozora's ID token). ``Rejected`` keeps it out of both."""
        return token

    def _header_value(self, token: AccessToken) -> str:
        return f"Bearer {token.access_token}"

    def _identity(self) -> dict[str, Any]:
        """Non-secret fields shown in repr."""
        return {}

    def _bind(self, client: C, auth: httpx.Auth | None) -> C:
        """Send a generated client's requests through this source's HTTP clients."""
        return self._clients.bind(client, auth)

    def _authenticated(self, client_type: Callable[..., C], auth: httpx.Auth | None) -> C:
        """A generated ``AuthenticatedClient`` of ``client_type`` whose requests carry ``auth``.

        The token endpoint's client carries the client credentials; ``api_client()``
        carries this source (its token, renewed once after a 401). Requests go to
        ``base_url`` through this source's HTTP clients (the ones you passed, or its
        own): nothing to close but the source, and it works until the source is
        closed. Each call returns a new, cheap client.
        """
        return self._bind(client_type(base_url=self.base_url, token="", prefix=""), auth)

    # -- lifecycle ----------------------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP client this source created (not one you passed in)."""
        self._clients.close()

    async def aclose(self) -> None:
        await self._clients.aclose()

    def __enter__(self: S) -> S:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    async def __aenter__(self: S) -> S:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- tokens -------------------------------------------------------------------------

    def token(self) -> AccessToken:
        """The cached token, or a new one if it is due for renewal.

        Raises ``BlockingCallError`` when called on an event loop whose own task is
        fetching (or holds the store's lock): waiting would stop that task.
        """
        while True:
            cached, flight, lead = self._cache.claim()
            if cached is not None:
                return cached
            assert flight is not None
            if lead:
                fallback = self._cache.still_valid()
                self._cache.lead(flight, self._obtain)
                return self._cache.outcome(flight, fallback)
            self._shared.refuse_blocking()  # its leader may be waiting for this loop
            if self._cache.join(flight):
                return flight.result()
            # The leader gave up without an outcome: claim again, maybe to lead.

    async def atoken(self) -> AccessToken:
        """The asyncio twin of ``token()``; never blocks the event loop.

        Works from any number of event loops, one after another or at once.
        Cancelling a caller never cancels the fetch the others wait for.
        """
        while True:
            cached, flight, lead = self._cache.claim()
            if cached is not None:
                return cached
            assert flight is not None
            if lead:
                fallback = self._cache.still_valid()
                if await self._cache.alead(flight, self._aobtain):
                    return self._cache.outcome(flight, fallback)
            elif await self._cache.ajoin(flight):
                return flight.result()

    def invalidate(self, token: AccessToken | None = None) -> None:
        """Drop the cached token; given a token, only if it is still the cached one.

        The shared store drops it too (keeping a refresh token that came with it).
        """
        dropped = self._cache.drop(token)
        if dropped is not None:
            self._shared.discard(dropped)

    async def ainvalidate(self, token: AccessToken | None = None) -> None:
        """The asyncio twin of ``invalidate()``."""
        dropped = self._cache.drop(token)
        if dropped is not None:
            await self._shared.adiscard(dropped)

    def _fetch_now(self, plan: Plan) -> AccessToken:
        """Fetch with ``plan`` now (after any fetch in flight), cache, share and return it."""

        def fetch() -> Entry:
            with self._shared.lock():
                return self._share(self._fetch(plan))

        while True:
            _, flight, lead = self._cache.claim(force=True)
            assert flight is not None
            if lead:
                self._cache.lead(flight, fetch)
                return flight.result()
            self._shared.refuse_blocking()
            self._cache.join(flight)  # whatever its outcome, ours comes next

    async def _afetch_now(self, plan: Plan) -> AccessToken:
        async def fetch() -> Entry:
            async with self._shared.alock():
                return await self._ashare(await self._afetch(plan))

        while True:
            _, flight, lead = self._cache.claim(force=True)
            assert flight is not None
            if not lead:
                await self._cache.ajoin(flight)
            elif await self._cache.alead(flight, fetch):
                return flight.result()

    # -- the shared store ---------------------------------------------------------------
    #
    # The leader first looks in the store; if nothing usable is there it takes the
    # store's lock, looks again (another process may have just fetched), and only
    # then fetches and shares the result. A store that can tell ends the wait for its
    # lock when another process stores a token (RedisStore): the leader looks again
    # without the lock, so the processes of a fleet all read the new token at once
    # rather than taking the lock in turn to find it there. The second wait, if that
    # token was of no use, is a plain one.

    @functools.cached_property
    def store_key(self) -> str:
        """The key of this source's token in stores: never a secret, only its hash."""
        return store_key(self.provider, self.base_url, self._key_material())

    @functools.cached_property
    def _shared(self) -> GuardedStore:
        timeout, lock_timeout = self._store_bounds
        return GuardedStore(
            self._store,
            key=self.store_key,
            provider=self.provider,
            clock=self._clock,
            timeout=timeout,
            lock_timeout=lock_timeout,
        )

    def _obtain(self) -> Entry:
        shared = self._cache.usable(self._shared.get(), adopt=False)
        if shared is not None:
            return shared
        started = time.monotonic()
        with self._shared.lock(until_stored=True) as fetch:
            if fetch:
                return self._obtain_locked()
        shared = self._cache.usable(self._shared.get(), adopt=False)
        if shared is not None:
            return shared
        with self._shared.lock(within=self._lock_left(started)):
            return self._obtain_locked()

    def _obtain_locked(self) -> Entry:
        shared = self._cache.usable(self._shared.get(), adopt=True)
        if shared is not None:
            return shared
        return self._share(self._fetch(self._plan()))

    async def _aobtain(self) -> Entry:
        shared = self._cache.usable(await self._shared.aget(), adopt=False)
        if shared is not None:
            return shared
        started = time.monotonic()
        async with self._shared.alock(until_stored=True) as fetch:
            if fetch:
                return await self._aobtain_locked()
        shared = self._cache.usable(await self._shared.aget(), adopt=False)
        if shared is not None:
            return shared
        async with self._shared.alock(within=self._lock_left(started)):
            return await self._aobtain_locked()

    def _lock_left(self, started: float) -> float:
        # Both waits for the store's lock share one lock_timeout: the flight's budget
        # counts one wait.
        return self._store_bounds[1] - (time.monotonic() - started)

    async def _aobtain_locked(self) -> Entry:
        shared = self._cache.usable(await self._shared.aget(), adopt=True)
        if shared is not None:
            return shared
        return await self._ashare(await self._afetch(self._plan()))

    def _share(self, entry: Entry) -> Entry:
        self._shared.put(entry.shared())
        return entry

    async def _ashare(self, entry: Entry) -> Entry:
        await self._shared.aput(entry.shared())
        return entry

    # -- fetching -----------------------------------------------------------------------

    def _fetch(self, plan: Plan) -> Entry:
        answer = self._exchange.fetch(plan, self._request(plan), lambda p: self._read(plan, p))
        entry = self._entry(plan, answer)
        if isinstance(entry, Rejected):
            if entry.keep is not None:
                self._shared.put(self._due(entry.keep))
            raise entry.error
        return entry

    async def _afetch(self, plan: Plan) -> Entry:
        call = self._request(plan)
        answer = await self._exchange.afetch(plan, call, lambda p: self._read(plan, p))
        entry = self._entry(plan, answer)
        if isinstance(entry, Rejected):
            if entry.keep is not None:
                await self._shared.aput(self._due(entry.keep))
            raise entry.error
        return entry

    def _due(self, token: AccessToken) -> StoredToken:
        """``token`` as a store record already due for renewal: only what it carries
        (a rotated refresh token) is of use, to whoever renews next."""
        now = self._clock.now()
        return StoredToken(attrs.evolve(token, expires_at=now), issued_at=now, valid_until=now)

    def _entry(self, plan: Plan, answer: Answer[Issued]) -> Entry | Rejected:
        token, lifetime = issued_token(
            self.provider, answer.value, sent_wall=answer.sent_wall, now=self._clock.now
        )
        checked = self._verified(plan, token)
        if isinstance(checked, Rejected):
            return checked
        token = checked
        ttl = lifetime or self._default_ttl
        logger.debug("%s: new token, lifetime %.0f s", self.provider, ttl)
        return self._cache.issued(
            token, ttl, sent_mono=answer.sent_mono, sent_wall=answer.sent_wall
        )

    # -- httpx.Auth ---------------------------------------------------------------------

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        token = self.token()
        request.headers[self.auth_header] = self._header_value(token)
        response = yield request
        if response.status_code == 401 and _replayable(request) and self._renews_on_401(token):
            self.invalidate(token)
            request.headers[self.auth_header] = self._header_value(self._renewed(self.token()))
            yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.atoken()
        request.headers[self.auth_header] = self._header_value(token)
        response = yield request
        if response.status_code == 401 and _replayable(request) and self._renews_on_401(token):
            await self.ainvalidate(token)
            renewed = self._renewed(await self.atoken())
            request.headers[self.auth_header] = self._header_value(renewed)
            yield request

    # An API that answers 401 whatever the token (a missing permission, a wrong
    # account) would otherwise cost one token request per call. A token that was
    # itself fetched because of a 401 is not replaced again for RENEWAL_BACKOFF.

    def _renews_on_401(self, token: AccessToken) -> bool:
        last = self._after_401
        return not (
            last is not None
            and last[0] == token.access_token
            and self._clock.monotonic() - last[1] < RENEWAL_BACKOFF
        )

    def _renewed(self, token: AccessToken) -> AccessToken:
        self._after_401 = (token.access_token, self._clock.monotonic())
        return token

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{k}={v!r}" for k, v in {**self._identity(), "base_url": self.base_url}.items()
        )
        return f"{type(self).__name__}({fields})"

    __str__ = __repr__


def _replayable(request: httpx.Request) -> bool:
    # A streamed body has been consumed; only in-memory bodies can be sent again.
    return isinstance(request.stream, httpx.ByteStream)
