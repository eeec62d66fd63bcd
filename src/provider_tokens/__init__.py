"""provider-tokens: access tokens for GMO-PG, GMO Aozora, MoneyKit, SMS.CX and Melio.

``GmoPayment``, ``GmoAozora``, ``MoneyKit``, ``Smscx`` and ``Melio`` are token
sources: they cache a token, renew it before it expires, fetch it once however
many threads and tasks ask, and attach it to requests as an ``httpx.Auth``.
``provider_tokens.<provider>`` is the client generated from that provider's spec.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._exceptions import (
    ConfigurationError,
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
)
from ._token import AccessToken

if TYPE_CHECKING:
    from ._clock import Clock, SystemClock
    from ._providers.gmo_aozora import GmoAozora
    from ._providers.gmo_payment import GmoPayment
    from ._providers.melio import Melio
    from ._providers.moneykit import MoneyKit
    from ._providers.smscx import Smscx
    from ._retry import RetryPolicy
    from ._source import TokenSource

__all__ = [
    "AccessToken",
    "Clock",
    "ConfigurationError",
    "GmoAozora",
    "GmoPayment",
    "InvalidClientError",
    "InvalidGrantError",
    "InvalidRequestError",
    "InvalidScopeError",
    "MalformedResponseError",
    "Melio",
    "MoneyKit",
    "NoRefreshTokenError",
    "RateLimitError",
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
]

# Names whose modules import a generated client (and so httpx's request
# machinery): loaded on first use, to keep `import provider_tokens` cheap.
_LAZY = {
    "Clock": "._clock",
    "GmoAozora": "._providers.gmo_aozora",
    "GmoPayment": "._providers.gmo_payment",
    "Melio": "._providers.melio",
    "MoneyKit": "._providers.moneykit",
    "RetryPolicy": "._retry",
    "Smscx": "._providers.smscx",
    "SystemClock": "._clock",
    "TokenSource": "._source",
}

# The generated clients, one per provider, also loaded on first use.
_GENERATED = frozenset({"gmo_aozora", "gmo_payment", "melio", "moneykit", "smscx"})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    if name in _GENERATED:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, *_GENERATED})
