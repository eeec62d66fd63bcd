"""The provider-independent token source: cache, renewal, single flight, retries, auth.

A source caches one token. ``token()``/``atoken()`` return it while it is outside
the refresh margin; past that, exactly one caller (thread or task) becomes the
leader and fetches, while the others wait for its outcome. Inside the margin the
old token is still valid, so callers other than the leader keep using it instead
of waiting, and a failed renewal only surfaces once the old token has expired.

Threads and asyncio tasks share one in-flight fetch (``Flight``): GMO Aozora
rotates refresh tokens, so a sync and an async refresh must never overlap. The
lock guards state only; no I/O happens under it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import hashlib
import logging
import threading
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Iterator,
    Mapping,
)
from typing import Any, ClassVar, Protocol, TypedDict, TypeVar

import attrs
import httpx

from ._clock import Clock, SystemClock
from ._exceptions import (
    ConfigurationError,
    MalformedResponseError,
    TokenEndpointError,
    TokenError,
    TokenTimeoutError,
    TransportError,
)
from ._flight import Flight
from ._http import GuardedAsyncClient, GuardedClient, attempt, check_base_url, last_response
from ._responses import Issued, endpoint_error, parse_lifetime, unexpected
from ._retry import RetryPolicy, request_not_sent
from ._token import AccessToken
from .stores._base import StoredToken, TokenStore
from .stores._memory import default_store

logger = logging.getLogger("provider_tokens")

T = TypeVar("T")


class _GeneratedClient(Protocol):
    """What every generated ``Client``/``AuthenticatedClient`` offers."""

    def set_httpx_client(self, client: httpx.Client, /) -> Any: ...

    def set_async_httpx_client(self, async_client: httpx.AsyncClient, /) -> Any: ...


C = TypeVar("C", bound=_GeneratedClient)

# What the generated parsers raise on bodies they cannot read: bad JSON and
# non-IANA statuses (ValueError), missing members (KeyError), wrong shapes
# (TypeError, AttributeError), absurd nesting (RecursionError).
_PARSE_FAILURES = (ValueError, KeyError, TypeError, AttributeError, RecursionError)

# After a store fails, it is bypassed this long before being tried again.
STORE_RETRY_AFTER = 30.0

# After a failed renewal while the old token is still valid, wait this long
# (at most half the remaining lifetime) before trying again (Azure waits 30 s).
RENEWAL_BACKOFF = 30.0


class CommonOptions(TypedDict, total=False):
    """The keyword arguments every provider source takes (``**common``)."""

    http_client: httpx.Client | None
    async_http_client: httpx.AsyncClient | None
    timeout: float
    refresh_margin: float
    default_ttl: float
    on_token: Callable[[AccessToken], None] | None
    max_retries: int
    allow_insecure_http: bool
    clock: Clock | None
    retry_policy: RetryPolicy | None
    store: TokenStore | None


@attrs.frozen
class Plan:
    """One logical token request; its retries reuse it unchanged.

    ``spends_grant`` marks requests that use up what they send (a refresh token, an
    authorization code): those are retried only when the request never left.
    """

    grant: str
    params: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    spends_grant: bool = False


@attrs.frozen
class _Entry:
    token: AccessToken
    refresh_at: float  # monotonic
    expire_at: float  # monotonic
    # Wall-clock twins, for stores: monotonic readings mean nothing elsewhere.
    issued_at: dt.datetime
    valid_until: dt.datetime

    def shared(self) -> StoredToken:
        return StoredToken(self.token, issued_at=self.issued_at, valid_until=self.valid_until)


class TokenSource(httpx.Auth):
    """Base class of the provider sources; also an ``httpx.Auth``.

    Subclasses supply ``provider``, how to plan a token request (``_plan``), and how
    to send one attempt of it through their generated client (``_send``/``_asend``).
    """

    provider: ClassVar[str]
    # Header that carries the token on the provider's resource APIs.
    auth_header: ClassVar[str] = "Authorization"
    # SMS.CX: a zero or negative expires_in means "unknown", not malformed.
    _nonpositive_expiry_is_unknown: ClassVar[bool] = False

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
        max_retries: int = 2,
        allow_insecure_http: bool = False,
        clock: Clock | None = None,
        retry_policy: RetryPolicy | None = None,
        store: TokenStore | None = None,
    ) -> None:
        self._check_common(timeout, refresh_margin, default_ttl, max_retries)
        self.base_url = check_base_url(
            self.provider, base_url, allow_insecure_http=allow_insecure_http
        )
        self._timeout = timeout
        self._refresh_margin = refresh_margin
        self._default_ttl = default_ttl
        self._on_token = on_token
        self._clock: Clock = clock or SystemClock()
        self._retry = retry_policy or RetryPolicy(max_retries=max_retries)
        self._user_client = http_client
        self._user_async_client = async_http_client
        self._own_client: httpx.Client | None = None
        self._own_async_client: httpx.AsyncClient | None = None

        self._lock = threading.Lock()
        self._entry: _Entry | None = None
        self._flight: Flight | None = None
        self._renew_not_before = 0.0
        self._tasks: set[asyncio.Task[None]] = set()
        self._store: TokenStore = store if store is not None else default_store()
        self._store_warned = False
        self._store_down_until = 0.0

    def _check_common(
        self, timeout: float, refresh_margin: float, default_ttl: float, max_retries: int
    ) -> None:
        problems = [
            f"{name} must be {rule}"
            for name, ok, rule in [
                ("timeout", timeout > 0, "positive"),
                ("refresh_margin", refresh_margin >= 0, "zero or more"),
                ("default_ttl", default_ttl > 0, "positive"),
                ("max_retries", max_retries >= 0, "zero or more"),
            ]
            if not ok
        ]
        if problems:
            raise ConfigurationError(
                f"{self.provider}: {'; '.join(problems)}", provider=self.provider
            )

    # -- what subclasses provide ------------------------------------------------

    def _plan(self) -> Plan:
        """The token request to make now (may raise ``NoRefreshTokenError``)."""
        raise NotImplementedError

    def _send(self, plan: Plan) -> Issued:
        """One attempt of ``plan`` through the generated client."""
        raise NotImplementedError

    async def _asend(self, plan: Plan) -> Issued:
        raise NotImplementedError

    def _stored(self, token: AccessToken) -> None:
        """Called under the lock when a new token is cached (GMO Aozora keeps its refresh token)."""

    def _header_value(self, token: AccessToken) -> str:
        return f"Bearer {token.access_token}"

    # -- HTTP clients for the generated code -------------------------------------

    def _sync_inner(self) -> httpx.Client:
        if self._user_client is not None:
            return self._user_client
        if self._own_client is None:
            self._own_client = httpx.Client(timeout=self._timeout, follow_redirects=False)
        return self._own_client

    async def _async_inner(self) -> httpx.AsyncClient:
        if self._user_async_client is not None:
            return self._user_async_client
        if self._own_async_client is None:
            # Building a client loads the CA bundle (tens of milliseconds): do it off
            # the event loop, which would otherwise stall for every task on it.
            client = await asyncio.to_thread(
                httpx.AsyncClient, timeout=self._timeout, follow_redirects=False
            )
            if self._own_async_client is None:
                self._own_async_client = client
            else:  # another task got there first
                await client.aclose()
        return self._own_async_client

    def _bind(self, client: C, auth: httpx.Auth | None) -> C:
        """Route a generated client's requests through this source's guarded HTTP path.

        ``auth`` is what those requests carry: the client credentials for the token
        endpoint, the source itself for resource calls, or ``None``.
        """
        client.set_httpx_client(
            GuardedClient(
                provider=self.provider,
                base_url=self.base_url,
                timeout=self._timeout,
                inner=self._sync_inner,
                auth=auth,
            )
        )
        client.set_async_httpx_client(
            GuardedAsyncClient(
                provider=self.provider,
                base_url=self.base_url,
                timeout=self._timeout,
                inner=self._async_inner,
                auth=auth,
            )
        )
        return client

    def close(self) -> None:
        """Close the HTTP client this source created (not one you passed in)."""
        if self._own_client is not None:
            self._own_client.close()
            self._own_client = None

    async def aclose(self) -> None:
        self.close()
        if self._own_async_client is not None:
            await self._own_async_client.aclose()
            self._own_async_client = None

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    async def __aenter__(self: T) -> T:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- the cache ----------------------------------------------------------------

    def token(self) -> AccessToken:
        """The cached token, or a new one if it is due for renewal."""
        cached, flight, lead = self._claim()
        if cached is not None:
            return cached
        assert flight is not None
        if not lead:
            return flight.wait()
        fallback = self._still_valid()
        self._lead(flight, self._obtain)
        return self._outcome(flight, fallback)

    async def atoken(self) -> AccessToken:
        """The asyncio twin of ``token()``; never blocks the event loop."""
        cached, flight, lead = self._claim()
        if cached is not None:
            return cached
        assert flight is not None
        if not lead:
            return await flight.wait_async()
        fallback = self._still_valid()
        await self._alead(flight, self._aobtain)
        return self._outcome(flight, fallback)

    def _fetch_now(self, plan: Plan) -> AccessToken:
        """Fetch with ``plan`` now (after any fetch in flight), cache, share and return it."""
        while True:
            _, flight, lead = self._claim(force=True)
            assert flight is not None
            if lead:
                break
            flight.settled()

        def fetch() -> _Entry:
            with self._store_lock():
                return self._share(self._fetch(plan))

        self._lead(flight, fetch)
        return flight.result()

    async def _afetch_now(self, plan: Plan) -> AccessToken:
        while True:
            _, flight, lead = self._claim(force=True)
            assert flight is not None
            if lead:
                break
            await flight.asettled()

        async def fetch() -> _Entry:
            async with self._astore_lock():
                return await self._ashare(await self._afetch(plan))

        await self._alead(flight, fetch)
        return flight.result()

    def invalidate(self, token: AccessToken | None = None) -> None:
        """Drop the cached token; given a token, only if it is still the cached one.

        The shared store drops it too (keeping a refresh token that came with it).
        """
        dropped = self._drop(token)
        if dropped is not None:
            self._try(lambda: self._store.discard(self.store_key, dropped), None)

    async def ainvalidate(self, token: AccessToken | None = None) -> None:
        """The asyncio twin of ``invalidate()``."""
        dropped = self._drop(token)
        if dropped is not None:
            await self._atry(lambda: self._store.adiscard(self.store_key, dropped), None)

    def _drop(self, token: AccessToken | None) -> str | None:
        """Compare-and-clear in memory; the access token to drop from the store, if any."""
        with self._lock:
            if token is not None:
                if self._entry is not None and self._entry.token.access_token == token.access_token:
                    self._entry = None
                return token.access_token
            if self._entry is None:
                return None
            dropped, self._entry = self._entry.token.access_token, None
            return dropped

    def _claim(self, *, force: bool = False) -> tuple[AccessToken | None, Flight | None, bool]:
        """Under the lock: a token to return now, or the flight to join or lead."""
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
            self._flight = Flight()
            return None, self._flight, True

    def _still_valid(self) -> AccessToken | None:
        with self._lock:
            entry = self._entry
            if entry is not None and self._clock.monotonic() < entry.expire_at:
                return entry.token
        return None

    def _outcome(self, flight: Flight, fallback: AccessToken | None) -> AccessToken:
        if flight.error is not None and fallback is not None:
            logger.warning(
                "%s: token renewal failed, still using the current token: %s",
                self.provider,
                flight.error,
            )
            return fallback
        return flight.result()

    def _lead(self, flight: Flight, fetch: Callable[[], _Entry]) -> None:
        result: _Entry | None = None
        error: BaseException | None = None
        try:
            result = fetch()
        except BaseException as exc:
            error = exc
            if not isinstance(exc, TokenError):
                raise
        finally:
            self._land(flight, result, error)

    async def _alead(self, flight: Flight, fetch: Callable[[], Awaitable[_Entry]]) -> None:
        async def run() -> None:
            result: _Entry | None = None
            error: BaseException | None = None
            try:
                result = await fetch()
            except BaseException as exc:
                error = exc
                if not isinstance(exc, TokenError):
                    raise
            finally:
                self._land(flight, result, error)

        # The fetch runs in its own task so that a cancelled leader does not
        # cancel it for everyone waiting on it.
        flight.loop = asyncio.get_running_loop()
        task = asyncio.ensure_future(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        await asyncio.shield(task)

    def _land(self, flight: Flight, result: _Entry | None, error: BaseException | None) -> None:
        """Cache the outcome, release the flight, wake the waiters, then call back."""
        with self._lock:
            if self._flight is flight:
                self._flight = None
            if result is not None:
                self._entry = result
                self._renew_not_before = 0.0
                self._stored(result.token)
            elif self._entry is not None:
                now = self._clock.monotonic()
                wait = min(RENEWAL_BACKOFF, max(1.0, (self._entry.expire_at - now) / 2))
                self._renew_not_before = now + wait
        flight.finish(result.token if result else None, error)
        if result is not None and self._on_token is not None:
            try:
                self._on_token(result.token)
            except Exception:
                logger.exception("%s: on_token callback failed", self.provider)

    # -- the shared store ---------------------------------------------------------
    #
    # The leader of a flight first looks in the store; if nothing usable is there it
    # takes the store's lock, looks again (another process may have just fetched),
    # and only then fetches and shares the result. A store that fails is logged once
    # and then bypassed: a token source must keep working without it.

    @functools.cached_property
    def store_key(self) -> str:
        """The key of this source's token in stores: never a secret, only its hash."""
        parts = (self.provider, self.base_url, *self._key_material())
        return f"{self.provider}:{hashlib.sha256(chr(31).join(parts).encode()).hexdigest()[:40]}"

    def _key_material(self) -> tuple[str, ...]:
        """What else changes the token: client identity, scope, account, secret hash."""
        raise NotImplementedError

    def _store_failed(self, exc: Exception) -> None:
        # Bypass the store for a while: a Redis that is down can take seconds per
        # call to say so, and every fetch would pay for it again.
        self._store_down_until = self._clock.monotonic() + STORE_RETRY_AFTER
        if not self._store_warned:
            self._store_warned = True
            logger.warning(
                "%s: token store %r failed (%s); fetching without it for %.0f s",
                self.provider,
                self._store,
                exc,
                STORE_RETRY_AFTER,
            )
        else:
            logger.debug("%s: token store failed again: %s", self.provider, exc)

    def _store_up(self) -> bool:
        return self._clock.monotonic() >= self._store_down_until

    def _try(self, op: Callable[[], T], default: T) -> T:
        """A store operation; on failure, ``default`` (and the store is bypassed a while)."""
        if not self._store_up():
            return default
        try:
            return op()
        except Exception as exc:
            self._store_failed(exc)
            return default

    async def _atry(self, op: Callable[[], Awaitable[T]], default: T) -> T:
        if not self._store_up():
            return default
        try:
            return await op()
        except Exception as exc:
            self._store_failed(exc)
            return default

    def _usable(self, stored: StoredToken | None, *, adopt: bool) -> _Entry | None:
        if stored is None:
            return None
        entry = self._entry_from(stored)
        if self._clock.monotonic() < entry.refresh_at:
            return entry
        if adopt:  # due, but it carries the newest refresh token (GMO Aozora)
            with self._lock:
                self._stored(stored.token)
        return None

    def _obtain(self) -> _Entry:
        key = self.store_key
        shared = self._try(lambda: self._usable(self._store.get(key), adopt=False), None)
        if shared is not None:
            return shared
        with self._store_lock():
            shared = self._try(lambda: self._usable(self._store.get(key), adopt=True), None)
            if shared is not None:
                return shared
            return self._share(self._fetch(self._plan()))

    async def _aobtain(self) -> _Entry:
        key = self.store_key

        async def lookup(adopt: bool) -> _Entry | None:
            return self._usable(await self._store.aget(key), adopt=adopt)

        shared = await self._atry(lambda: lookup(False), None)
        if shared is not None:
            return shared
        async with self._astore_lock():
            shared = await self._atry(lambda: lookup(True), None)
            if shared is not None:
                return shared
            return await self._ashare(await self._afetch(self._plan()))

    def _share(self, entry: _Entry) -> _Entry:
        self._try(lambda: self._store.put(self.store_key, entry.shared()), None)
        return entry

    async def _ashare(self, entry: _Entry) -> _Entry:
        await self._atry(lambda: self._store.aput(self.store_key, entry.shared()), None)
        return entry

    @contextlib.contextmanager
    def _store_lock(self) -> Iterator[None]:
        lock = self._store.lock(self.store_key)

        def enter() -> bool:
            lock.__enter__()
            return True

        if not self._try(enter, False):
            yield  # unlocked: at worst, more than one process fetches
            return
        try:
            yield
        finally:
            self._try(lambda: lock.__exit__(None, None, None), None)

    @contextlib.asynccontextmanager
    async def _astore_lock(self) -> AsyncIterator[None]:
        lock = self._store.alock(self.store_key)

        async def enter() -> bool:
            await lock.__aenter__()
            return True

        if not await self._atry(enter, False):
            yield
            return
        try:
            yield
        finally:
            await self._atry(lambda: lock.__aexit__(None, None, None), None)

    # -- fetching, with retries ---------------------------------------------------

    def _fetch(self, plan: Plan) -> _Entry:
        retry = 0
        while True:
            attempt.set(retry + 1)
            sent_mono, sent_wall = self._clock.monotonic(), self._clock.now()
            try:
                return self._to_entry(self._call(lambda: self._send(plan)), sent_mono, sent_wall)
            except TokenError as exc:
                delay = self._retry_delay(plan, exc, retry + 1)
                if delay is None:
                    raise
            retry += 1
            self._clock.sleep(delay)

    async def _afetch(self, plan: Plan) -> _Entry:
        retry = 0
        while True:
            attempt.set(retry + 1)
            sent_mono, sent_wall = self._clock.monotonic(), self._clock.now()
            try:
                issued = await self._acall(lambda: self._asend(plan))
                return self._to_entry(issued, sent_mono, sent_wall)
            except TokenError as exc:
                delay = self._retry_delay(plan, exc, retry + 1)
                if delay is None:
                    raise
            retry += 1
            await self._clock.asleep(delay)

    def _retry_delay(self, plan: Plan, exc: TokenError, retry: int) -> float | None:
        if not exc.retryable:
            return None
        delay = self._retry.delay(retry, getattr(exc, "retry_after", None))
        if delay is None:
            return None
        if plan.spends_grant and exc.request_sent:
            exc.args = (
                f"{exc.message} (not retried: the {plan.grant} request may have reached "
                "the provider, and what it sent may already be spent)",
            )
            return None
        logger.info(
            "%s: token request failed (%s); retry %d of %d in %.2f s",
            self.provider,
            exc.message,
            retry,
            self._retry.max_retries,
            delay,
        )
        return delay

    def _call(self, send: Callable[[], T]) -> T:
        """Run one HTTP exchange of the generated client; any failure becomes a TokenError."""
        reset = last_response.set(None)
        try:
            return send()
        except TokenError:
            raise
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from exc
        except _PARSE_FAILURES as exc:
            raise self._parse_error(exc) from None
        finally:
            last_response.reset(reset)

    async def _acall(self, send: Callable[[], Awaitable[T]]) -> T:
        reset = last_response.set(None)
        try:
            return await send()
        except TokenError:
            raise
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from exc
        except _PARSE_FAILURES as exc:
            raise self._parse_error(exc) from None
        finally:
            last_response.reset(reset)

    def _transport_error(self, exc: httpx.HTTPError) -> TransportError:
        cls = TokenTimeoutError if isinstance(exc, httpx.TimeoutException) else TransportError
        error = cls(
            f"{self.provider}: token request failed: {type(exc).__name__}", provider=self.provider
        )
        # A timeout once the request is out (read, write) is not retried: the
        # provider may be stuck on it. Connection failures and connect/pool
        # timeouts are, as are dropped connections for requests that spend nothing.
        error.request_sent = not request_not_sent(exc)
        error.retryable = not (isinstance(exc, httpx.TimeoutException) and error.request_sent)
        return error

    def _endpoint_error(
        self,
        *,
        code: str | None,
        description: str | None,
        by_status: Mapping[int, type[TokenEndpointError]] | None = None,
    ) -> TokenError:
        """The typed error for a documented error response of the current attempt.

        ``by_status`` overrides the class for statuses where a provider's code misleads.
        """
        response = last_response.get()
        if response is None:  # pragma: no cover - the guarded client always records one
            return self._unexpected("error response was not recorded")
        return endpoint_error(
            self.provider,
            response,
            code=code,
            description=description,
            now=self._clock.now(),
            cls=(by_status or {}).get(response.status_code),
        )

    def _unexpected(self, reason: str) -> TokenError:
        return unexpected(self.provider, last_response.get(), reason, now=self._clock.now())

    def _parse_error(self, exc: Exception) -> TokenError:
        # The generated parser raised: an undocumented non-IANA status, a body that
        # is not JSON, a required member missing, a bad date. Report the status.
        return self._unexpected(f"response body could not be parsed ({type(exc).__name__})")

    def _to_entry(self, issued: Issued, sent_mono: float, sent_wall: dt.datetime) -> _Entry:
        access = issued.access_token
        if not isinstance(access, str) or not access.strip():
            shown = "empty" if access in ("", None) else f"a {type(access).__name__}"
            raise MalformedResponseError(
                f"{self.provider}: response has no usable access token ({shown})",
                provider=self.provider,
            )
        if issued.expires_at is not None:
            remaining = (issued.expires_at - self._clock.now()).total_seconds()
            if remaining <= 0:
                raise MalformedResponseError(
                    f"{self.provider}: token expiry {issued.expires_at.isoformat()} is in the past",
                    provider=self.provider,
                )
            lifetime: float | None = remaining
            expires_at: dt.datetime | None = issued.expires_at
        else:
            lifetime = parse_lifetime(
                self.provider,
                issued.expires_in,
                nonpositive_is_unknown=self._nonpositive_expiry_is_unknown,
            )
            expires_at = sent_wall + dt.timedelta(seconds=lifetime) if lifetime else None
        ttl = lifetime or self._default_ttl
        token = AccessToken(
            access_token=access,
            token_type=issued.token_type,
            expires_at=expires_at,
            scope=issued.scope,
            refresh_token=issued.refresh_token,
            raw=issued.raw,
        )
        expire_at = sent_mono + ttl
        logger.debug("%s: new token, lifetime %.0f s", self.provider, ttl)
        return _Entry(
            token,
            refresh_at=expire_at - min(self._refresh_margin, ttl / 2),
            expire_at=expire_at,
            issued_at=sent_wall,
            valid_until=expires_at or sent_wall + dt.timedelta(seconds=ttl),
        )

    def _entry_from(self, stored: StoredToken) -> _Entry:
        """A stored token on this process's monotonic clock."""
        remaining = (stored.valid_until - self._clock.now()).total_seconds()
        lifetime = max(0.0, (stored.valid_until - stored.issued_at).total_seconds())
        expire_at = self._clock.monotonic() + remaining
        return _Entry(
            stored.token,
            refresh_at=expire_at - min(self._refresh_margin, lifetime / 2),
            expire_at=expire_at,
            issued_at=stored.issued_at,
            valid_until=stored.valid_until,
        )

    # -- httpx.Auth ---------------------------------------------------------------

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        token = self.token()
        request.headers[self.auth_header] = self._header_value(token)
        response = yield request
        if response.status_code == 401 and _replayable(request):
            self.invalidate(token)
            request.headers[self.auth_header] = self._header_value(self.token())
            yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.atoken()
        request.headers[self.auth_header] = self._header_value(token)
        response = yield request
        if response.status_code == 401 and _replayable(request):
            await self.ainvalidate(token)
            request.headers[self.auth_header] = self._header_value(await self.atoken())
            yield request

    def _identity(self) -> dict[str, Any]:
        """Non-secret fields shown in repr."""
        return {}

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{k}={v!r}" for k, v in {**self._identity(), "base_url": self.base_url}.items()
        )
        return f"{type(self).__name__}({fields})"

    __str__ = __repr__


def _replayable(request: httpx.Request) -> bool:
    # A streamed body has been consumed; only in-memory bodies can be sent again.
    return isinstance(request.stream, httpx.ByteStream)
