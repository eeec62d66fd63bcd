"""When to retry a token request, and how long to wait first: every decision is here.

``RetryPolicy.decide`` looks at the failed attempt's error (whether the same request
may succeed again, whether it left this machine, a ``Retry-After``), the number of
the retry, and whether the request spends what it sends (a refresh token, a code).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
import re
from collections.abc import Callable

import attrs
import httpx

from ._exceptions import TokenError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

# Failures that happen before any byte of the request leaves: safe to retry even
# for requests that spend something (a refresh token, an authorization code).
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

# The phases httpx times out separately: pool, connect, write, read.
_PHASES = 4

# ASCII only: str.isdigit() also takes "²" (which float() refuses) and other
# scripts' digits (which float() and int() read as numbers).
_DELTA_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_EPOCH_SECONDS = re.compile(r"[0-9]+")
_DELTA_CAP = float(2**31)  # what a too-large delta-seconds means (RFC 9111 §1.2.2)


def request_not_sent(exc: httpx.HTTPError) -> bool:
    return isinstance(exc, _NOT_SENT)


def parse_retry_after(value: str | None, *, now: dt.datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds or an HTTP-date.

    Delta-seconds are ASCII digits (a fraction is accepted: some servers send one);
    one too large to represent counts as ``2**31``, as RFC 9111 §1.2.2 says. Anything
    else that is not an HTTP-date is ``None``.
    """
    if value is None:
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):
        return min(float(value), _DELTA_CAP)
    when = http_date(value)
    if when is None:
        return None
    return max(0.0, (when - now).total_seconds())


def http_date(value: str) -> dt.datetime | None:
    """An HTTP-date as an aware datetime, or ``None`` when it is not one.

    Recipients must accept three formats (RFC 9110 §5.6.7): IMF-fixdate, RFC 850 and
    asctime; ``email.utils`` reads all three.
    """
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    # HTTP-dates are always GMT; a date that names no zone means the same.
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def parse_reset_epoch(value: str | None, *, now: dt.datetime) -> float | None:
    """Seconds until a Unix-timestamp reset header such as SMS.CX ``X-Rate-Limit-Reset``."""
    if value is None or not _EPOCH_SECONDS.fullmatch(value.strip()):
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

    def budget(self, timeout: float) -> float:
        """An upper bound in seconds on one fetch under this policy with ``timeout``.

        Every attempt (``max_retries + 1``) may take ``4 * timeout``: httpx applies
        the timeout to each phase on its own (waiting for a pooled connection,
        connecting, writing, reading), not to the whole request. Before each retry
        comes the longest wait the policy allows: a backoff (at most ``max_delay``,
        with the default jitter) or a ``Retry-After`` (at most ``max_retry_after``).
        The read timeout restarts with each chunk, so a server that trickles its
        answer can take longer: callers use this to bound a wait, not to predict it.
        """
        attempts = self.max_retries + 1
        longest_wait = max(self.max_delay, self.max_retry_after)
        return float(attempts * _PHASES * timeout + self.max_retries * longest_wait)

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
