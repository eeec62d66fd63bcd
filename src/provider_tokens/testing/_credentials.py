"""The fake's registered test clients, and the environment variables the CLI reads.

The values are deliberately recognisable (``FAKE`` in every one) so that nobody
mistakes them for real credentials, and so that a log line carrying one points
straight at a test. They are only ever accepted by the fake.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .._env import PROVIDERS, VARIABLES


def _frozen(values: dict[str, str]) -> Mapping[str, str]:
    return MappingProxyType(values)


# Constructor keyword arguments of each token source, minus ``base_url``.
CREDENTIALS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "gmo_payment": _frozen(
            {"shop_id": "tshop-FAKE-0001", "shop_pass": "FAKE-gmo-pg-shop-pass"}
        ),
        "gmo_aozora": _frozen(
            {
                "client_id": "FAKE-aozora-basic-client",
                "client_secret": "FAKE-aozora-basic-secret",
                "redirect_uri": "https://app.fake.invalid/callback",
                "auth_method": "basic",
            }
        ),
        "moneykit": _frozen(
            {"client_id": "FAKE_moneykit_client_0001", "client_secret": "FAKE-moneykit-secret"}
        ),
        "smscx": _frozen(
            {"application_id": "FAKE-smscx-application", "application_secret": "FAKE-smscx-secret"}
        ),
        "melio": _frozen(
            {"api_key": "FAKE-melio-api-key", "account_id": "FAKE-melio-account-0001"}
        ),
    }
)

# GMO Aozora fixes client authentication per client at registration: this second
# client is registered for ``client_secret_post`` (credentials in the form).
GMO_AOZORA_POST_CREDENTIALS: Mapping[str, str] = _frozen(
    {
        "client_id": "FAKE-aozora-post-client",
        "client_secret": "FAKE-aozora-post-secret",
        "redirect_uri": "https://app.fake.invalid/callback",
        "auth_method": "post",
    }
)

# What each client may ask for; an empty or omitted scope grants all of them.
MONEYKIT_SCOPES = (
    "link_session:create",
    "link:data:read",
    "link:data:refresh",
    "institutions:read",
)
SMSCX_SCOPES = ("sms", "groups", "templates", "otp", "reports")

# Credential (and base URL) names to the environment variables the CLI reads.
ENVIRONMENT = VARIABLES


def check_provider(provider: str) -> str:
    """``provider`` if the fake knows it; a ``ValueError`` naming the known ones otherwise."""
    if provider not in PROVIDERS:
        raise ValueError(f"unknown provider {provider!r}; expected one of {', '.join(PROVIDERS)}")
    return provider
