"""The environment variables that hold each provider's credentials.

The CLI reads credentials only from these (never from argv, where they would
show in ``ps`` and shell history); the fake server prints them as ``export`` lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

PROVIDERS: tuple[str, ...] = ("gmo_payment", "gmo_aozora", "moneykit", "smscx", "melio")

# provider -> constructor keyword -> variable. Keys in REQUIRED must be set.
VARIABLES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "gmo_payment": {
            "shop_id": "GMO_PG_SHOP_ID",
            "shop_pass": "GMO_PG_SHOP_PASS",
            "base_url": "GMO_PG_BASE_URL",
        },
        "gmo_aozora": {
            "client_id": "GMO_AOZORA_CLIENT_ID",
            "client_secret": "GMO_AOZORA_CLIENT_SECRET",
            "refresh_token": "GMO_AOZORA_REFRESH_TOKEN",
            "redirect_uri": "GMO_AOZORA_REDIRECT_URI",
            "auth_method": "GMO_AOZORA_AUTH_METHOD",
            "base_url": "GMO_AOZORA_BASE_URL",
        },
        "moneykit": {
            "client_id": "MONEYKIT_CLIENT_ID",
            "client_secret": "MONEYKIT_CLIENT_SECRET",
            "base_url": "MONEYKIT_BASE_URL",
        },
        "smscx": {
            "application_id": "SMSCX_APPLICATION_ID",
            "application_secret": "SMSCX_APPLICATION_SECRET",
            "base_url": "SMSCX_BASE_URL",
        },
        "melio": {
            "api_key": "MELIO_API_KEY",
            "account_id": "MELIO_ACCOUNT_ID",
            "base_url": "MELIO_BASE_URL",
        },
    }
)

REQUIRED: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "gmo_payment": ("shop_id", "shop_pass"),
        "gmo_aozora": ("client_id", "client_secret", "refresh_token", "redirect_uri"),
        "moneykit": ("client_id", "client_secret"),
        "smscx": ("application_id", "application_secret"),
        "melio": ("api_key",),
    }
)
