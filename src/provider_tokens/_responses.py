"""Turning token-endpoint responses into tokens or typed errors.

A provider module reads its generated models into an ``Issued`` (a token) or a
``Refusal`` (a documented error); the rules for what those, and everything else
that can come back, become live here once. Each function is handed the response
it judges.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import httpx

from ._exceptions import (
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    MalformedResponseError,
    RateLimitError,
    ServerError,
    TokenEndpointError,
    TokenError,
    TokenTimeoutError,
    TransportError,
    UnsupportedGrantTypeError,
)
from ._redact import redact
from ._retry import (
    RETRY_STATUSES,
    http_date,
    parse_reset_epoch,
    parse_retry_after,
    request_not_sent,
)
from ._token import AccessToken

logger = logging.getLogger("provider_tokens")

# The longest lifetime taken at face value: int32 max, which SMS.CX's int32
# `expires_in` may use for "never expires". Beyond it the value is garbage.
MAX_LIFETIME = 2**31 - 1

# How far this host's clock may run ahead of the provider's before an absolute
# expiry just issued is taken for a wrong one, when no Date header tells the skew:
# five minutes, the tolerance Kerberos uses by default.
MAX_CLOCK_SKEW = 300.0
# Clocks this close (Date has whole seconds, and the answer took time to arrive)
# agree: the absolute expiry is then read on this host's clock, to the millisecond.
_CLOCKS_AGREE = 5.0
# A Date further off this host's clock is not believed: a proxy with a broken clock
# is likelier than a host a day off.
_DATE_BELIEVED = 86_400.0
# The lifetime given a token whose expiry this host's clock puts in the past (by
# less than MAX_CLOCK_SKEW) and whose response has no Date: used now, renewed next.
_UNMEASURED_LIFETIME = 1.0

# OAuth codes (RFC 6749 §5.2 and §4.1.2.1) and two generic ones, to the error class
# they mean; each provider declares its own codes on top (``Provider.error_codes``).
# Status wins for 429 and 5xx; unknown codes fall back by status.
_OAUTH_CODES: dict[str, type[TokenEndpointError]] = {
    "invalid_client": InvalidClientError,
    "unauthorized_client": InvalidClientError,
    "access_denied": InvalidClientError,
    "unauthorized": InvalidClientError,
    "invalid_request": InvalidRequestError,
    "validation_error": InvalidRequestError,
    "invalid_scope": InvalidScopeError,
    "invalid_grant": InvalidGrantError,
    "unsupported_grant_type": UnsupportedGrantTypeError,
}

_BY_STATUS: dict[int, type[TokenEndpointError]] = {
    400: InvalidRequestError,
    401: InvalidClientError,
    405: InvalidRequestError,
    415: InvalidRequestError,
    422: InvalidRequestError,
}


def given(value: Any) -> Any:
    """An optional generated field's value, or ``None`` when it is ``UNSET``.

    Each generated package has its own ``Unset`` class, so one ``isinstance`` check
    cannot cover them; they are all falsy singletons of a class named ``Unset``.
    """
    return None if type(value).__name__ == "Unset" else value


@attrs.frozen
class Issued:
    """What a provider module read from a successful token response."""

    access_token: Any = attrs.field(repr=False)
    token_type: str | None = None
    expires_in: Any = None  # seconds, as the provider sent it (int or numeric string)
    expires_at: dt.datetime | None = None  # absolute expiry (Melio)
    scope: str | None = None
    refresh_token: str | None = attrs.field(default=None, repr=False)
    # The body as received, set by the exchange (``received``), not by the provider module.
    raw: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    # The response's Date: the provider's clock when it answered (set by the exchange).
    date: dt.datetime | None = None


def received(issued: Issued, response: httpx.Response, body: Any) -> Issued:
    """``issued`` as ``response`` delivered it, whatever the provider module read.

    ``raw`` becomes ``body``, the response's JSON body as received, parsed with
    ``json`` and left untouched, for every provider: a generated model's ``to_dict()``
    re-serialises what it parsed (Melio's ``expiresAt`` sent as ``...Z`` comes back
    as ``...+00:00``). For an absolute expiry, ``date`` is the response's ``Date``:
    the provider's clock when it answered.
    """
    raw: Mapping[str, Any] = body if isinstance(body, dict) else {}
    date = http_date(response.headers.get("date", "")) if issued.expires_at is not None else None
    return attrs.evolve(issued, raw=raw, date=date)


@attrs.frozen
class Refusal:
    """A documented error response, as a provider module read it.

    ``by_status`` overrides the class for statuses where the provider's code misleads.
    """

    code: str | None
    description: str | None = None
    by_status: Mapping[int, type[TokenEndpointError]] = attrs.field(factory=dict)


Codes = Mapping[str, type[TokenEndpointError]]


def error_class(status: int, code: str | None, codes: Codes) -> type[TokenEndpointError]:
    """The class for ``status`` with ``code``, given the provider's own ``codes``."""
    if status == 429:
        return RateLimitError
    if status >= 500:
        return ServerError
    if code is not None:
        key = code.lower()
        cls = codes.get(key) or _OAUTH_CODES.get(key)
        if cls is not None:
            return cls
    return _BY_STATUS.get(status, TokenEndpointError)


def body_for_error(response: httpx.Response) -> Mapping[str, Any] | list[Any] | str | None:
    """The error body for ``TokenEndpointError.body``.

    A JSON object or array is kept with its sensitive members redacted. Any other
    body (HTML, plain text, a bare JSON string) is not kept: free text cannot be
    redacted, and a provider's or a proxy's error page may echo the credentials it
    was sent or carry a token. Only its media type and size are, as
    ``"<text/html body, 52 bytes, not kept>"``.
    """
    if not response.content:
        return None
    try:
        data = json.loads(response.content)
        if isinstance(data, dict | list):
            kept: Mapping[str, Any] | list[Any] = redact(data)
            return kept
    except (ValueError, RecursionError):  # not JSON, or nested too deep to read
        pass
    media = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if not _MEDIA_TYPE.fullmatch(media):
        media = "unlabelled"
    return f"<{media} body, {len(response.content)} bytes, not kept>"


# A media type as RFC 9110 writes one; anything else in Content-Type is not shown.
_MEDIA_TYPE = re.compile(r"[a-z0-9!#$&^_.+-]{1,40}/[a-z0-9!#$&^_.+-]{1,60}")


def retry_after(response: httpx.Response, now: dt.datetime) -> float | None:
    seconds = parse_retry_after(response.headers.get("retry-after"), now=now)
    if seconds is None and response.status_code == 429:
        # SMS.CX documents an absolute reset time instead of Retry-After.
        seconds = parse_reset_epoch(response.headers.get("x-rate-limit-reset"), now=now)
    return seconds


def endpoint_error(
    provider: str,
    response: httpx.Response,
    refusal: Refusal,
    *,
    now: dt.datetime,
    codes: Codes | None = None,
) -> TokenEndpointError:
    """The typed error for ``response``, a documented error the provider module read.

    ``codes`` are the provider's own (``Provider.error_codes``), beyond the OAuth ones.
    """
    status = response.status_code
    # Generated models do not check member types: only text is a code or a description.
    code = refusal.code if isinstance(refusal.code, str) else None
    description = refusal.description if isinstance(refusal.description, str) else None
    cls = refusal.by_status.get(status) or error_class(status, code, codes or {})
    parts = [f"{provider}: token endpoint answered {status}"]
    if code:
        parts.append(f" {code}")
    if description:
        parts.append(f": {description}")
    return cls(
        "".join(parts),
        provider=provider,
        status_code=status,
        error_code=code,
        description=description,
        body=body_for_error(response),
        request_id=response.headers.get("x-request-id"),
        retry_after=retry_after(response, now),
        retryable=status in RETRY_STATUSES,
    )


def unexpected(
    provider: str, response: httpx.Response | None, reason: str, *, now: dt.datetime
) -> TokenError:
    """A response the provider module could not use.

    An error status keeps its status class (a proxy's HTML 502 is still a
    retryable ``ServerError``); anything else is a ``MalformedResponseError``.
    """
    if response is None:
        return MalformedResponseError(f"{provider}: {reason}", provider=provider)
    status = response.status_code
    if 300 <= status < 400:
        return MalformedResponseError(
            f"{provider}: token endpoint redirected ({status}) to "
            f"{_host(response.headers.get('location', ''))!r}; redirects are not followed",
            provider=provider,
            status_code=status,
        )
    if status >= 400:
        return endpoint_error(provider, response, Refusal(None, reason), now=now)
    return MalformedResponseError(
        f"{provider}: unusable {status} response: {reason}", provider=provider, status_code=status
    )


def _host(location: str) -> str:
    # Only the host: a redirect URL may carry a code or token in its query.
    try:
        return httpx.URL(location).host or "a relative URL"
    except httpx.InvalidURL:
        return "an invalid URL"


def parse_lifetime(provider: str, value: Any) -> float | None:
    """``expires_in`` as seconds; ``None`` when absent or 0 (lifetime unknown).

    Accepts an integer or a string of digits (GMO-PG sends ``"3600"``). Anything else,
    a negative value and values past ``MAX_LIFETIME`` are malformed.
    """
    if value is None or value == "":
        return None
    number = whole_seconds(value)
    if number is None:
        shown = (
            value
            if isinstance(value, int | float) and math.isfinite(value)
            else type(value).__name__
        )
        raise MalformedResponseError(
            f"{provider}: expires_in must be a whole number of seconds, got {shown!r}",
            provider=provider,
        )
    if number == 0:
        return None
    if number < 0 or number > MAX_LIFETIME:
        raise MalformedResponseError(
            f"{provider}: expires_in out of range: {number}", provider=provider
        )
    return float(number)


def whole_seconds(value: Any) -> int | None:
    """``value`` as an integer if it is one (or a string of ASCII digits), else ``None``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        try:
            return int(value)
        except ValueError:  # more digits than int() reads (sys.get_int_max_str_digits)
            return None
    return None


# ASCII only: str.isdigit() takes "²" too (which int() refuses) and other scripts'
# digits (which int() reads).
_WHOLE = re.compile(r"-?[0-9]+")


def issued_token(
    provider: str, issued: Issued, *, sent_wall: dt.datetime, now: Callable[[], dt.datetime]
) -> tuple[AccessToken, float | None]:
    """The token in ``issued`` and its lifetime in seconds (``None``: not said).

    ``now`` is read only for an absolute expiry (Melio's), which becomes a lifetime
    (see ``absolute_lifetime``).
    """
    access = issued.access_token
    if not isinstance(access, str) or not access.strip():
        shown = "empty" if access in ("", None) else f"a {type(access).__name__}"
        raise MalformedResponseError(
            f"{provider}: response has no usable access token ({shown})", provider=provider
        )
    lifetime: float | None
    expires_at: dt.datetime | None
    if issued.expires_at is not None:
        lifetime, expires_at = absolute_lifetime(
            provider, issued.expires_at, issued.date, sent_wall=sent_wall, now=now()
        )
    else:
        lifetime = parse_lifetime(provider, issued.expires_in)
        expires_at = sent_wall + dt.timedelta(seconds=lifetime) if lifetime else None
    token = AccessToken(
        access_token=access,
        token_type=issued.token_type,
        expires_at=expires_at,
        scope=issued.scope,
        refresh_token=issued.refresh_token,
        raw=issued.raw,
    )
    return token, lifetime


def absolute_lifetime(
    provider: str,
    expires_at: dt.datetime,
    date: dt.datetime | None,
    *,
    sent_wall: dt.datetime,
    now: dt.datetime,
) -> tuple[float, dt.datetime]:
    """An absolute expiry as a lifetime, and as an expiry on this host's clock.

    The provider's clock set ``expires_at``; this host's may differ. When the
    response's ``date`` says they agree (within a few seconds), the lifetime is
    ``expires_at - now`` and the expiry is kept as sent. When they do not, or when
    this host's clock puts the expiry in the past, the lifetime is ``expires_at -
    date``, both on the provider's clock, counted from ``sent_wall``. A ``date`` more
    than a day off this host's clock is not believed. Without a believable ``date``,
    an expiry up to ``MAX_CLOCK_SKEW`` in the past is taken as this host's clock
    running ahead: the token is used, and renewed on the next call.
    """
    remaining = (expires_at - now).total_seconds()
    apart = math.inf if date is None else abs((now - date).total_seconds())
    if date is not None and apart <= _DATE_BELIEVED and (remaining <= 0 or apart > _CLOCKS_AGREE):
        lifetime = (expires_at - date).total_seconds()
        if not 0 < lifetime <= MAX_LIFETIME:
            raise MalformedResponseError(
                f"{provider}: token expiry {expires_at.isoformat()} is "
                f"{lifetime:.0f} s after the response's Date",
                provider=provider,
            )
        return lifetime, sent_wall + dt.timedelta(seconds=lifetime)
    if remaining > 0:
        return remaining, expires_at
    if remaining > -MAX_CLOCK_SKEW:
        logger.warning(
            "%s: token expiry %s is %.0f s before this host's clock, and no Date header "
            "tells the provider's; is this host's clock ahead?",
            provider,
            expires_at.isoformat(),
            -remaining,
        )
        return _UNMEASURED_LIFETIME, now + dt.timedelta(seconds=_UNMEASURED_LIFETIME)
    raise MalformedResponseError(
        f"{provider}: token expiry {expires_at.isoformat()} is in the past", provider=provider
    )


def transport_error(provider: str, exc: httpx.HTTPError) -> TransportError:
    """A failed exchange. Connection failures and connect/pool timeouts are retried,
    as are dropped connections for requests that spend nothing; a timeout once the
    request is out (read, write) is not: the provider may be stuck on it.
    """
    timeout = isinstance(exc, httpx.TimeoutException)
    sent = not request_not_sent(exc)
    error = (TokenTimeoutError if timeout else TransportError)(
        f"{provider}: token request failed: {type(exc).__name__}",
        provider=provider,
        request_sent=sent,
        retryable=not (timeout and sent),
    )
    error.__cause__ = _detached(exc)
    return error


def client_error(provider: str, exc: RuntimeError) -> TransportError:
    """The HTTP client could not send at all: it is closed, or (async) it belongs to
    an event loop that is closed or is not this one. Not retried: it will fail again.
    """
    text = str(exc)
    if "loop" in text:
        why = (
            "the async HTTP client belongs to a closed or another event loop; pass each "
            "event loop its own httpx.AsyncClient, or let the source make its own"
        )
    elif "closed" in text:
        why = "the HTTP client is closed"
    else:
        why = "RuntimeError"
    error = TransportError(
        f"{provider}: token request failed: {why}", provider=provider, retryable=False
    )
    # A copy: the original's context and traceback reach httpx's request, and the
    # credentials on it.
    error.__cause__ = RuntimeError(_scrubbed(text))
    return error


# A quoted literal in an httpx message: h11 quotes the header value it refused
# ("Illegal header value b'...'"), which may be a credential with a stray newline.
_QUOTED = re.compile(r"b?'(?:[^'\\]|\\.)*'" + r'|b?"(?:[^"\\]|\\.)*"')


def _scrubbed(message: str) -> str:
    return _QUOTED.sub("<redacted>", message)


def _detached(exc: httpx.HTTPError) -> BaseException:
    """httpx's exception without its ``.request``, whose headers hold the credentials,
    and without any quoted value in its message."""
    message = _scrubbed(str(exc))
    try:
        return type(exc)(message)
    except Exception:  # a constructor that wants more than a message
        return httpx.TransportError(message)
