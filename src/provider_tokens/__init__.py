"""provider-tokens: access tokens for GMO-PG, GMO Aozora, MoneyKit, SMS.CX and Melio.

``GmoPayment``, ``GmoAozora``, ``MoneyKit``, ``Smscx`` and ``Melio`` are token
sources: they cache a token, renew it before it expires, fetch it once however
many threads and tasks ask, and attach it to requests as an ``httpx.Auth``.
``provider_tokens.<provider>`` is the client generated from that provider's spec.

A source for another provider subclasses ``TokenSource``: it declares a
``Provider`` and turns a ``Plan`` into a ``Call`` of its generated operation, and
the parsed answer into an ``Issued`` token or a ``Refusal`` (CONTRIBUTING.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._exceptions import (
    BlockingCallError,
    ConfigurationError,
    IdTokenError,
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    MalformedResponseError,
    NoRefreshTokenError,
    RateLimitError,
    ServerError,
    TokenEndpointError,
    TokenError,
    TokenTimeoutError,
    TransportError,
    UnsupportedGrantTypeError,
    WebhookVerificationError,
)
from ._provider import Provider
from ._registry import PROVIDERS as _PROVIDERS
from ._token import AccessToken

if TYPE_CHECKING:
    from ._clock import Clock, SystemClock
    from ._config import CommonOptions
    from ._fetch import Call, Plan
    from ._providers.gmo_aozora._source import GmoAozora
    from ._providers.gmo_payment._source import GmoPayment
    from ._providers.melio._source import Melio
    from ._providers.moneykit._source import MoneyKit
    from ._providers.smscx._source import Smscx
    from ._responses import Issued, Refusal
    from ._retry import RetryPolicy
    from ._source import TokenSource

# The package's version, and the only place it is written (pyproject.toml reads it).
__version__ = "0.1.0"

__all__ = [
    "AccessToken",
    "BlockingCallError",
    "Call",
    "Clock",
    "CommonOptions",
    "ConfigurationError",
    "GmoAozora",
    "GmoPayment",
    "IdTokenError",
    "InvalidClientError",
    "InvalidGrantError",
    "InvalidRequestError",
    "InvalidScopeError",
    "Issued",
    "MalformedResponseError",
    "Melio",
    "MoneyKit",
    "NoRefreshTokenError",
    "Plan",
    "Provider",
    "RateLimitError",
    "Refusal",
    "RetryPolicy",
    "ServerError",
    "Smscx",
    "SystemClock",
    "TokenEndpointError",
    "TokenError",
    "TokenSource",
    "TokenTimeoutError",
    "TransportError",
    "UnsupportedGrantTypeError",
    "WebhookVerificationError",
]

# Names whose modules import a generated client (and so httpx's request
# machinery): loaded on first use, to keep `import provider_tokens` cheap.
_LAZY = {
    "Call": "._fetch",
    "Clock": "._clock",
    "CommonOptions": "._config",
    "Issued": "._responses",
    "Plan": "._fetch",
    "Refusal": "._responses",
    "RetryPolicy": "._retry",
    "SystemClock": "._clock",
    "TokenSource": "._source",
    **{p.source: p.source_module for p in _PROVIDERS.values()},
}

# The clients generated from each provider's spec, also loaded on first use.
_GENERATED = frozenset(_PROVIDERS)


def _public(value: Any) -> Any:
    # Shown as provider_tokens.InvalidGrantError, not provider_tokens._exceptions...,
    # as httpx does with its own names; pickle finds them here too.
    if isinstance(value, type):
        value.__module__ = __name__
    return value


for _name in __all__:
    if _name in globals():
        _public(globals()[_name])


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = _public(getattr(importlib.import_module(_LAZY[name], __name__), name))
        globals()[name] = value
        return value
    if name in _GENERATED:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, *_GENERATED})
