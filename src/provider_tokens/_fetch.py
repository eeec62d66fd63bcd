"""One token request, sent through its generated operation, with retries.

A provider module describes a request once, as a ``Call`` (which generated
operation, on which bound client, with which arguments), and reads the parsed
answer into an ``Issued`` token, a ``Refusal`` or ``None`` (not a documented
answer). ``Exchange`` does the rest for sync and async alike: it sends the call the
way the generated ``sync_detailed``/``asyncio_detailed`` do (``_get_kwargs``, the
client's ``request``, ``_build_response``), keeping the ``httpx.Response`` in hand so
that every error is built from the response it is about, and retries as the
``RetryPolicy`` decides.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar, cast

import attrs
import httpx

from ._clients import GeneratedClient
from ._clock import Clock
from ._exceptions import ConfigurationError, TokenError
from ._http import attempt
from ._responses import (
    Codes,
    Issued,
    Refusal,
    client_error,
    endpoint_error,
    received,
    transport_error,
    unexpected,
)
from ._retry import RetryPolicy

logger = logging.getLogger("provider_tokens")

T = TypeVar("T")

# What the generated parsers raise on bodies they cannot read: bad JSON and
# non-IANA statuses (ValueError), missing members (KeyError), wrong shapes
# (TypeError, AttributeError), absurd nesting (RecursionError).
_PARSE_FAILURES = (ValueError, KeyError, TypeError, AttributeError, RecursionError)


def _sending_failed(exc: BaseException) -> bool:
    """Whether ``exc`` is a failure to send that becomes a ``TokenError``: an httpx
    error, a header httpx cannot encode, or a plain ``RuntimeError`` from a closed
    client or event loop (not a subclass: a ``NotImplementedError``, a
    ``RecursionError`` or our own ``BlockingCallError`` is no transport failure)."""
    return not isinstance(exc, RuntimeError) or type(exc) is RuntimeError


def _parsed_once(response: httpx.Response) -> Any:
    """The JSON body, parsed here once for the generated parser and for ``raw``.

    ``response.json()`` parses ``content`` anew at each call; the generated parser
    calls it, and ``raw`` wants the same body untouched. A body that is not JSON is
    left alone: the generated parser's own ``json()`` raises, as it would have.
    """
    try:
        body = json.loads(response.content)
    except (ValueError, RecursionError):
        return None
    # The generated models copy the mapping they read (``dict(src_dict)``) and change
    # nothing nested: sharing the parse with ``raw`` is safe.
    with contextlib.suppress(AttributeError):  # a Response subclass may not allow it
        response.json = lambda **_: body  # type: ignore[method-assign]
    return body


class Operation(Protocol):
    """A generated operation module (``<package>.api.<tag>.<operation>``)."""

    _get_kwargs: Callable[..., dict[str, Any]]
    _build_response: Callable[..., Any]


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
class Call:
    """A generated operation, the client it runs on, and its keyword arguments."""

    operation: Operation
    client: GeneratedClient
    kwargs: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen
class Answer(Generic[T]):
    """What the successful attempt read, and when that attempt was sent."""

    value: T
    sent_mono: float
    sent_wall: dt.datetime


class Exchange:
    """Sends calls for one provider and turns every failure into a ``TokenError``."""

    def __init__(
        self, *, provider: str, clock: Clock, retry: RetryPolicy, codes: Codes | None = None
    ) -> None:
        self.provider = provider
        self._clock = clock
        self._retry = retry
        self._codes: Codes = codes or {}
        # (base URL, operation path) -> the absolute URL httpx would merge them into:
        # merging parses both URLs again at every request.
        self._urls: dict[tuple[str, str], httpx.URL] = {}

    def _kwargs(self, call: Call, client: httpx.Client | httpx.AsyncClient) -> dict[str, Any]:
        kwargs = call.operation._get_kwargs(**call.kwargs)
        url, base = kwargs.get("url"), getattr(call.client, "_base_url", None)
        if isinstance(url, str) and isinstance(base, str):
            absolute = self._urls.get((base, url))
            if absolute is None:
                if len(self._urls) >= 64:  # paths with parameters: keep it small
                    self._urls.clear()
                absolute = self._urls[base, url] = client._merge_url(url)
            kwargs["url"] = absolute
        return kwargs

    # -- one attempt -------------------------------------------------------------------

    def send(self, call: Call, read: Callable[[Any], T | Refusal | None]) -> T:
        """One attempt of ``call``; ``read`` gets the generated parse of the answer."""
        try:
            client = call.client.get_httpx_client()
            response = client.request(**self._kwargs(call, client))
        except (httpx.HTTPError, UnicodeEncodeError, RuntimeError) as exc:
            if not _sending_failed(exc):
                raise
            failure = self._unsent(exc)
        else:
            return self._judge(call, response, read)
        raise failure  # outside the handler: no __context__ holding the request

    async def asend(self, call: Call, read: Callable[[Any], T | Refusal | None]) -> T:
        try:
            aclient = call.client.get_async_httpx_client()
            response = await aclient.request(**self._kwargs(call, aclient))
        except (httpx.HTTPError, UnicodeEncodeError, RuntimeError) as exc:
            if not _sending_failed(exc):
                raise
            failure = self._unsent(exc)
        else:
            return self._judge(call, response, read)
        raise failure

    def _unsent(self, exc: httpx.HTTPError | UnicodeEncodeError | RuntimeError) -> TokenError:
        if isinstance(exc, UnicodeEncodeError):
            # httpx sends header values as ASCII; the value may be a secret, so
            # only say which rule it broke.
            return ConfigurationError(
                f"{self.provider}: a value sent in a header is not ASCII ({exc.reason})",
                provider=self.provider,
            )
        if isinstance(exc, RuntimeError):
            return client_error(self.provider, exc)
        return transport_error(self.provider, exc)

    def _judge(
        self, call: Call, response: httpx.Response, read: Callable[[Any], T | Refusal | None]
    ) -> T:
        unparsable: str | None = None
        body = _parsed_once(response)
        try:
            parsed = call.operation._build_response(client=call.client, response=response)
            outcome = read(parsed.parsed)
        except _PARSE_FAILURES as exc:
            # The generated parser raised: a documented status whose body is not
            # JSON, a required member missing, a bad date. Report the status, and
            # raise outside this handler: a JSON error holds the whole body.
            unparsable = type(exc).__name__
        else:
            if isinstance(outcome, Refusal):
                now = self._clock.now()
                raise endpoint_error(self.provider, response, outcome, now=now, codes=self._codes)
            if isinstance(outcome, Issued):
                # The body as sent (``raw``), and the provider's clock when it answered.
                return cast(T, received(outcome, response, body))
            if outcome is not None:
                return outcome
        reason = (
            "undocumented status"
            if unparsable is None
            else f"response body could not be parsed ({unparsable})"
        )
        raise unexpected(self.provider, response, reason, now=self._clock.now())

    # -- with retries -------------------------------------------------------------------

    def fetch(self, plan: Plan, call: Call, read: Callable[[Any], T | Refusal | None]) -> Answer[T]:
        """``call`` until it succeeds or the policy gives up."""
        retry = 0
        while True:
            attempt.set(retry + 1)
            sent_mono, sent_wall = self._clock.monotonic(), self._clock.now()
            try:
                return Answer(self.send(call, read), sent_mono, sent_wall)
            except TokenError as exc:
                delay = self._decide(plan, exc, retry + 1)
                if delay is None:
                    raise
            retry += 1
            self._clock.sleep(delay)

    async def afetch(
        self, plan: Plan, call: Call, read: Callable[[Any], T | Refusal | None]
    ) -> Answer[T]:
        retry = 0
        while True:
            attempt.set(retry + 1)
            sent_mono, sent_wall = self._clock.monotonic(), self._clock.now()
            try:
                return Answer(await self.asend(call, read), sent_mono, sent_wall)
            except TokenError as exc:
                delay = self._decide(plan, exc, retry + 1)
                if delay is None:
                    raise
            retry += 1
            await self._clock.asleep(delay)

    def _decide(self, plan: Plan, error: TokenError, retry: int) -> float | None:
        spends = plan.grant if plan.spends_grant else None
        delay = self._retry.decide(error, retry, spends=spends)
        if delay is not None:
            logger.info(
                "%s: token request failed (%s); retry %d of %d in %.2f s",
                self.provider,
                error.message,
                retry,
                self._retry.max_retries,
                delay,
            )
        return delay
