"""The registered providers, in the order help texts and tables list them.

A provider is registered by one line here; its ``Provider`` value lives in its own
package (``_providers/<name>/__init__.py``), next to its token source. Loading the
registry loads only those declarations, never a generated client.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import MappingProxyType

from ._exceptions import ConfigurationError
from ._provider import Provider

__all__ = ["NAMES", "PROVIDERS", "get"]

_REGISTERED = (
    "gmo_payment",
    "gmo_aozora",
    "moneykit",
    "smscx",
    "melio",
)


def _declaration(name: str) -> Provider:
    declared = getattr(
        importlib.import_module(f"._providers.{name}", __package__), "PROVIDER", None
    )
    if not isinstance(declared, Provider) or declared.name != name:
        raise ImportError(
            f"provider_tokens._providers.{name} must declare PROVIDER = Provider(...)"
        )
    return declared


PROVIDERS: Mapping[str, Provider] = MappingProxyType({n: _declaration(n) for n in _REGISTERED})
NAMES: tuple[str, ...] = tuple(PROVIDERS)


def get(name: str) -> Provider:
    """The provider called ``name``, or a ``ConfigurationError`` naming the known ones."""
    try:
        return PROVIDERS[name]
    except KeyError:
        raise ConfigurationError(
            f"unknown provider {name!r}; expected one of {', '.join(NAMES)}", provider=str(name)
        ) from None
