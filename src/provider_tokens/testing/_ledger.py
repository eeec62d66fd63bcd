"""Everything the fake issued (tokens, refresh tokens, codes), with expiry, on an injectable clock.

Tokens are random opaque strings, as real providers' are; the ledger remembers what
each one grants and until when, so that later requests (an introspection, a
refresh, a replayed code) are judged against what was really issued. Time comes
from the injected clock, so tests expire tokens by moving it instead of sleeping.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable, Mapping

from .._exceptions import ConfigurationError
from .._registry import PROVIDERS
from ._credentials import check_provider

# Lifetimes (seconds) when none is configured: each provider's documented default
# or example, as it declares it (``Provider.fake_lifetime``).
DEFAULT_LIFETIMES: Mapping[str, int] = {name: p.fake_lifetime for name, p in PROVIDERS.items()}
CODE_LIFETIME = 600  # RFC 6749 §4.1.2: codes are short-lived, ten minutes at most


@dataclasses.dataclass
class Grant:
    """What an issued string stands for. ``kind`` is ``access``, ``refresh`` or ``code``."""

    kind: str
    provider: str
    client_id: str
    scope: str
    expires_at: float | None
    spent: bool = False
    redirect_uri: str | None = None
    nonce: str | None = None


class Ledger:
    """Issued strings and their grants; callers hold the core's lock."""

    def __init__(self, clock: Callable[[], float], lifetime: int | None) -> None:
        self.clock = clock
        self._lifetimes = {p: lifetime or d for p, d in DEFAULT_LIFETIMES.items()}
        self._grants: dict[str, Grant] = {}

    def lifetime(self, provider: str) -> int:
        return self._lifetimes[check_provider(provider)]

    def set_lifetime(self, provider: str, seconds: int) -> None:
        if seconds <= 0:
            raise ConfigurationError(
                "a token lifetime is a positive number of seconds", provider=provider
            )
        self._lifetimes[check_provider(provider)] = seconds

    def issue(
        self,
        kind: str,
        provider: str,
        client_id: str,
        scope: str = "",
        *,
        lifetime: float | None,
        redirect_uri: str | None = None,
        nonce: str | None = None,
    ) -> str:
        """A fresh random string standing for a new grant; ``lifetime=None`` never expires."""
        value = secrets.token_urlsafe(32)
        expires_at = None if lifetime is None else self.clock() + lifetime
        self._grants[value] = Grant(
            kind, provider, client_id, scope, expires_at, redirect_uri=redirect_uri, nonce=nonce
        )
        return value

    def find(self, value: str | None, *, kind: str, provider: str) -> Grant | None:
        """The grant ``value`` stands for, expired or spent ones included."""
        grant = self._grants.get(value or "")
        if grant is None or grant.kind != kind or grant.provider != provider:
            return None
        return grant

    def live(self, value: str | None, *, kind: str, provider: str) -> Grant | None:
        """The grant, only if it is neither spent nor expired."""
        grant = self.find(value, kind=kind, provider=provider)
        if grant is None or grant.spent or self.expired(grant):
            return None
        return grant

    def expired(self, grant: Grant) -> bool:
        return grant.expires_at is not None and self.clock() >= grant.expires_at

    def clear(self) -> None:
        self._grants.clear()
