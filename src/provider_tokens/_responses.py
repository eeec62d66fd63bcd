"""Turning token-endpoint responses into ``Issued`` tokens or typed errors.

Shared by every provider module: each one extracts its own fields and codes from
its generated models and hands them here, so the mapping rules live in one place.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
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
    UnsupportedGrantTypeError,
)
from ._redact import redact
from ._retry import RETRY_STATUSES, parse_reset_epoch, parse_retry_after

# The longest lifetime taken at face value: int32 max, which SMS.CX's int32
# `expires_in` may use for "never expires". Beyond it the value is garbage.
MAX_LIFETIME = 2**31 - 1

# Provider codes, lower-cased, to the error class they mean. Status wins for 429
# and 5xx; unknown codes fall back by status (see `endpoint_error`).
_BY_CODE: dict[str, type[TokenEndpointError]] = {
    # bad client credentials
    "invalid_client": InvalidClientError,
    "unauthorized_client": InvalidClientError,
    "unauthorized_request": InvalidClientError,  # GMO-PG
    "api_error.auth.unauthorized": InvalidClientError,  # MoneyKit
    "api_error.auth.expired_access_token": InvalidClientError,  # MoneyKit
    "invalid_api_key": InvalidClientError,  # SMS.CX
    "access_denied": InvalidClientError,
    "unauthorized": InvalidClientError,
    # malformed request
    "invalid_request": InvalidRequestError,
    "invalid_parameter": InvalidRequestError,  # GMO-PG
    "missing_parameter": InvalidRequestError,  # GMO-PG
    "invalid_header": InvalidRequestError,  # GMO-PG
    "unsupported_media_type": InvalidRequestError,  # GMO-PG
    "method_not_allowed": InvalidRequestError,  # GMO-PG
    "invalid_body": InvalidRequestError,  # SMS.CX
    "invalid_param": InvalidRequestError,  # SMS.CX
    "invalid_method": InvalidRequestError,  # SMS.CX
    "api_error.request.validation_failed": InvalidRequestError,  # MoneyKit 422
    "validation_error": InvalidRequestError,
    # scope
    "invalid_scope": InvalidScopeError,
    "insufficient_scope": InvalidScopeError,  # SMS.CX 403
    # grant
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

    Each generated package has its own ``Unset`` class (generator.md, trap 20);
    they are all falsy singletons of a class named ``Unset``.
    """
    return None if type(value).__name__ == "Unset" else value


@attrs.frozen
class Issued:
    """What a provider module read from a successful token response."""

    access_token: Any
    token_type: str | None = None
    expires_in: Any = None  # seconds, as the provider sent it (int or numeric string)
    expires_at: dt.datetime | None = None  # absolute expiry (Melio)
    scope: str | None = None
    refresh_token: str | None = None
    raw: Mapping[str, Any] = attrs.field(factory=dict)


def error_class(status: int, code: str | None) -> type[TokenEndpointError]:
    if status == 429:
        return RateLimitError
    if status >= 500:
        return ServerError
    if code is not None and code.lower() in _BY_CODE:
        return _BY_CODE[code.lower()]
    return _BY_STATUS.get(status, TokenEndpointError)


def body_for_error(response: httpx.Response) -> Mapping[str, Any] | str | None:
    """The error body for ``TokenEndpointError.body``: redacted JSON, or short text."""
    if not response.content:
        return None
    try:
        data = json.loads(response.content)
    except ValueError:
        return response.text[:500]
    return redact(data) if isinstance(data, dict | list) else response.text[:500]


def retry_after(response: httpx.Response, now: dt.datetime) -> float | None:
    seconds = parse_retry_after(response.headers.get("retry-after"), now=now)
    if seconds is None and response.status_code == 429:
        # SMS.CX documents an absolute reset time instead of Retry-After.
        seconds = parse_reset_epoch(response.headers.get("x-rate-limit-reset"), now=now)
    return seconds


def endpoint_error(
    provider: str,
    response: httpx.Response,
    *,
    code: str | None,
    description: str | None,
    now: dt.datetime,
    cls: type[TokenEndpointError] | None = None,
) -> TokenEndpointError:
    status = response.status_code
    cls = cls or error_class(status, code)
    parts = [f"{provider}: token endpoint answered {status}"]
    if code:
        parts.append(f" {code}")
    if description:
        parts.append(f": {description}")
    error = cls(
        "".join(parts),
        provider=provider,
        status_code=status,
        error_code=code,
        description=description,
        body=body_for_error(response),
        request_id=response.headers.get("x-request-id"),
        retry_after=retry_after(response, now),
    )
    error.retryable = status in RETRY_STATUSES
    return error


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
        return endpoint_error(provider, response, code=None, description=reason, now=now)
    return MalformedResponseError(
        f"{provider}: unusable {status} response: {reason}", provider=provider, status_code=status
    )


def _host(location: str) -> str:
    # Only the host: a redirect URL may carry a code or token in its query.
    try:
        return httpx.URL(location).host or "a relative URL"
    except httpx.InvalidURL:
        return "an invalid URL"


def parse_lifetime(
    provider: str, value: Any, *, nonpositive_is_unknown: bool = False
) -> float | None:
    """``expires_in`` as seconds; ``None`` when absent or 0 (lifetime unknown).

    Accepts an integer or a string of digits (GMO-PG sends ``"3600"``). Anything else,
    a negative value (unless the provider uses it for "unknown") and values past
    ``MAX_LIFETIME`` are malformed.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number: int = int(value.strip())
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        shown = (
            value
            if isinstance(value, int | float) and math.isfinite(value)
            else type(value).__name__
        )
        raise MalformedResponseError(
            f"{provider}: expires_in must be a whole number of seconds, got {shown!r}",
            provider=provider,
        )
    if number == 0 or (number < 0 and nonpositive_is_unknown):
        return None
    if number < 0 or number > MAX_LIFETIME:
        raise MalformedResponseError(
            f"{provider}: expires_in out of range: {number}", provider=provider
        )
    return float(number)
