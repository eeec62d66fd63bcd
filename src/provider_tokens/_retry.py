"""When to retry a token request, and how long to wait first: every decision is here.

``RetryPolicy.decide`` looks at the failed attempt's error (whether the same request
may succeed again, whether it left this machine, a ``Retry-After``), the number of
the retry, and whether the request spends what it sends (a refresh token, a code).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
from collections.abc import Callable

import attrs
import httpx

from ._exceptions import TokenError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

# Failures that happen before any byte of the request leaves: safe to retry even
# for requests that spend something (a refresh token, an authorization code).
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def request_not_sent(exc: httpx.HTTPError) -> bool:
    return isinstance(exc, _NOT_SENT)


def parse_retry_after(value: str | None, *, now: dt.datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds or an HTTP-date.

    HTTP-dates come in three formats that recipients must accept (RFC 9110 §5.6.7):
    IMF-fixdate, RFC 850 and asctime; dateutil reads the two obsolete ones.
    """
    if value is None:
        return None
    value = value.strip()
    if value.replace(".", "", 1).isdigit():  # delta-seconds (some servers send fractions)
        return float(value)
    when = _http_date(value)
    if when is None:
        return None
    return max(0.0, (when - now).total_seconds())


def _http_date(value: str) -> dt.datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        from dateutil import parser  # only for obsolete date formats: keep it off import time

        try:
            when = parser.parse(value)
        except (ValueError, OverflowError):
            return None
    # HTTP-dates are always GMT; a parser that found no zone means the same.
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def parse_reset_epoch(value: str | None, *, now: dt.datetime) -> float | None:
    """Seconds until a Unix-timestamp reset header such as SMS.CX ``X-Rate-Limit-Reset``."""
    if value is None or not value.strip().isdigit():
        return None
    try:
        when = dt.datetime.fromtimestamp(int(value), dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())


def _jitter() -> float:
    return random.uniform(0.75, 1.0)  # noqa: S311 - jitter, not cryptography


@attrs.frozen
class RetryPolicy:
    """Exponential backoff with jitter; a server's ``Retry-After`` wins up to a cap.

    The wait before retry ``n`` (1-based) is ``min(initial * 2**(n-1), max_delay)``
    times a factor in [0.75, 1]. A ``Retry-After`` up to ``max_retry_after`` seconds is
    waited for exactly; a longer one is not waited for at all.
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    jitter: Callable[[], float] = attrs.field(default=_jitter, repr=False)

    def backoff(self, retry: int) -> float:
        return float(min(self.initial_delay * 2 ** (retry - 1), self.max_delay) * self.jitter())

    def delay(self, retry: int, retry_after: float | None) -> float | None:
        """Seconds to wait before retry number ``retry``, or ``None`` to give up."""
        if retry > self.max_retries:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        return self.backoff(retry)

    def decide(self, error: TokenError, retry: int, *, spends: str | None) -> float | None:
        """Seconds to wait before retry number ``retry`` after ``error``, or ``None``.

        ``spends`` names the grant when the request uses up what it sends
        (``refresh_token``, ``authorization_code``). Such a request is retried only
        if it never left: once the provider may have seen it, the refresh token or
        code may be used up, and a retry would fail for a misleading reason (or,
        with rotation, lose the newest refresh token). The error then says so in a
        note.
        """
        if not error.retryable:
            return None
        delay = self.delay(retry, getattr(error, "retry_after", None))
        if delay is None:
            return None
        if spends is not None and error.request_sent:
            error.add_note(
                f"not retried: the {spends} request may have reached the provider, "
                "and what it sent may already be spent"
            )
            return None
        return delay
