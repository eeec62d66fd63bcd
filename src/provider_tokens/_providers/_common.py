"""Helpers shared by the provider modules."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from .._exceptions import ConfigurationError


def server(
    provider: str, servers: Mapping[str, str], environment: str, base_url: str | None
) -> str:
    """``base_url`` if given, else the provider's server for ``environment``."""
    if base_url is not None:
        return base_url
    try:
        return servers[environment]
    except KeyError:
        known = ", ".join(repr(e) for e in servers)
        raise ConfigurationError(
            f"{provider}: unknown environment {environment!r}; expected one of {known}",
            provider=provider,
        ) from None


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
