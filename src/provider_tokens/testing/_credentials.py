"""The fake's registered test clients, as each provider declares them.

The values are deliberately recognisable (``FAKE`` in every one) so that nobody
mistakes them for real credentials, and so that a log line carrying one points
straight at a test. They are only ever accepted by the fake.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, TypedDict

from .._env import VARIABLES
from .._registry import PROVIDERS, get

if TYPE_CHECKING:  # the pytest plugin imports this module, and must stay cheap
    import httpx

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


# What ``FakeProviders.credentials(name)`` returns, typed per provider so that
# ``MoneyKit(**fake.credentials("moneykit"))`` is checked: each key is a keyword
# of that source's constructor (``tests/typing`` holds them to it). The HTTP
# clients are only there in transport mode (``serve=False``).


class _Clients(TypedDict, total=False):
    http_client: httpx.Client
    async_http_client: httpx.AsyncClient


class _Routing(_Clients):
    base_url: str


class GmoAozoraCredentials(_Routing):
    """Keyword arguments for ``GmoAozora``."""

    client_id: str
    client_secret: str
    redirect_uri: str
    auth_method: Literal["basic", "post"]


class GmoPaymentCredentials(_Routing):
    """Keyword arguments for ``GmoPayment``."""

    shop_id: str
    shop_pass: str


class MelioCredentials(_Routing):
    """Keyword arguments for ``Melio``."""

    api_key: str
    account_id: str


class MoneyKitCredentials(_Routing):
    """Keyword arguments for ``MoneyKit``."""

    client_id: str
    client_secret: str


class SmscxCredentials(_Routing):
    """Keyword arguments for ``Smscx``."""

    application_id: str
    application_secret: str


#: Provider name to the ``TypedDict`` of its credentials.
CREDENTIAL_TYPES: Mapping[str, type[_Routing]] = MappingProxyType(
    {
        "gmo_aozora": GmoAozoraCredentials,
        "gmo_payment": GmoPaymentCredentials,
        "melio": MelioCredentials,
        "moneykit": MoneyKitCredentials,
        "smscx": SmscxCredentials,
    }
)
