"""Helpers shared by the provider modules."""

from __future__ import annotations

import hashlib

from .._exceptions import ConfigurationError


def require(provider: str, **values: str | None) -> None:
    """Refuse empty credentials up front, naming the argument (never its value)."""
    for name, value in values.items():
        if not isinstance(value, str) or not value:
            raise ConfigurationError(
                f"{provider}: {name} must be a non-empty string", provider=provider
            )


def fingerprint(secret: str) -> str:
    """A stand-in for a secret in store keys: two credentials never share a token."""
    return hashlib.sha256(secret.encode()).hexdigest()
