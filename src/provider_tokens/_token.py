"""The access token value returned by every token source."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from ._redact import REDACTED, RedactedMapping


def _token_type(value: str | None) -> str:
    # RFC 6749 §7.1: case-insensitive. GMO-PG and MoneyKit send "bearer", Melio none.
    if value is None or value.strip().lower() in {"", "bearer"}:
        return "Bearer"
    return value.strip()


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware")
    return value.astimezone(dt.UTC)


def _raw(value: Mapping[str, Any] | None) -> RedactedMapping:
    return value if isinstance(value, RedactedMapping) else RedactedMapping(value)


@attrs.frozen(repr=False)
class AccessToken:
    """An access token with its expiry, as one provider issued it.

    ``expires_at`` is an aware UTC wall-clock time (``None`` when unknown);
    ``raw`` is the JSON response body as received, e.g. GMO Aozora's ``id_token``;
    ``id_claims`` are the claims of that ID token once verified (GMO Aozora's
    ``exchange_code`` and refreshes that return one; ``None`` otherwise, and on a
    token read back from a store). ``repr()`` and ``str()`` never show the access
    or refresh token, nor the claims.
    """

    access_token: str
    token_type: str = attrs.field(default="Bearer", converter=_token_type)
    expires_at: dt.datetime | None = attrs.field(default=None, converter=_utc)
    scope: str | None = None
    refresh_token: str | None = None
    raw: Mapping[str, Any] = attrs.field(factory=dict, converter=_raw, eq=False)
    id_claims: Mapping[str, Any] | None = attrs.field(default=None, eq=False)

    def expires_in(self, *, now: dt.datetime | None = None) -> float | None:
        """Seconds until expiry (negative once expired), or ``None`` if unknown."""
        if self.expires_at is None:
            return None
        return (self.expires_at - (now or dt.datetime.now(dt.UTC))).total_seconds()

    def is_expired(self, leeway: float = 0.0, *, now: dt.datetime | None = None) -> bool:
        """Whether the token expires within ``leeway`` seconds; unknown expiry is not."""
        remaining = self.expires_in(now=now)
        return remaining is not None and remaining <= leeway

    def __repr__(self) -> str:
        expires = self.expires_at.isoformat() if self.expires_at else None
        refresh = REDACTED if self.refresh_token else None
        return (
            f"AccessToken(access_token={REDACTED!r}, token_type={self.token_type!r}, "
            f"expires_at={expires!r}, scope={self.scope!r}, refresh_token={refresh!r})"
        )

    __str__ = __repr__
