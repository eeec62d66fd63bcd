"""The fake's registered test clients, as each provider declares them.

The values are deliberately recognisable (``FAKE`` in every one) so that nobody
mistakes them for real credentials, and so that a log line carrying one points
straight at a test. They are only ever accepted by the fake.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .._env import VARIABLES
from .._registry import PROVIDERS, get

# Constructor keyword arguments of each token source, minus ``base_url``.
CREDENTIALS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {name: p.test_credentials for name, p in PROVIDERS.items()}
)

# Credential (and base URL) names to the environment variables the CLI reads.
ENVIRONMENT = VARIABLES


def check_provider(provider: str) -> str:
    """``provider`` if the fake knows it; a ``ConfigurationError`` (a ``ValueError``)
    naming the known ones otherwise."""
    return get(provider).name
