"""The options every token source takes, and their checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict

import httpx

from ._clock import Clock
from ._exceptions import ConfigurationError
from ._retry import RetryPolicy
from ._token import AccessToken
from .stores._base import TokenStore

DEFAULT_MAX_RETRIES = 2


class CommonOptions(TypedDict, total=False):
    """The keyword arguments every provider source takes (``**common``).

    ``http_client``/``async_http_client``: clients to send through (yours stay
    open); ``timeout``: seconds per token request; ``refresh_margin``: renew this
    long before expiry (at most half the lifetime); ``default_ttl``: lifetime to
    assume when the provider says none; ``on_token``: called with each new token;
    ``max_retries`` *or* ``retry_policy``: how failed requests are retried;
    ``allow_insecure_http``: permit plain http to hosts other than loopback;
    ``clock``: time, for tests; ``store``: where tokens are shared.
    """

    http_client: httpx.Client | None
    async_http_client: httpx.AsyncClient | None
    timeout: float
    refresh_margin: float
    default_ttl: float
    on_token: Callable[[AccessToken], None] | None
    max_retries: int | None
    allow_insecure_http: bool
    clock: Clock | None
    retry_policy: RetryPolicy | None
    store: TokenStore | None


def check(
    provider: str,
    *,
    timeout: float,
    refresh_margin: float,
    default_ttl: float,
    max_retries: int | None,
    retry_policy: RetryPolicy | None,
) -> RetryPolicy:
    """Refuse bad options, all at once; the retry policy they make."""
    problems = [
        f"{name} must be {rule}"
        for name, ok, rule in [
            ("timeout", timeout > 0, "positive"),
            ("refresh_margin", refresh_margin >= 0, "zero or more"),
            ("default_ttl", default_ttl > 0, "positive"),
            ("max_retries", max_retries is None or max_retries >= 0, "zero or more"),
        ]
        if not ok
    ]
    if max_retries is not None and retry_policy is not None:
        # One knob: a policy already says how many retries it makes.
        problems.append("pass max_retries or retry_policy, not both")
    if problems:
        raise ConfigurationError(f"{provider}: {'; '.join(problems)}", provider=provider)
    if retry_policy is not None:
        return retry_policy
    return RetryPolicy(max_retries=DEFAULT_MAX_RETRIES if max_retries is None else max_retries)
