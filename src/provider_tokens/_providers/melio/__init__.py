"""Melio Platform API: an Account-scoped token minted with the partner API key."""

from __future__ import annotations

from ..._provider import Provider

PROVIDER = Provider(
    name="melio",
    title="Melio",
    source="Melio",
    servers={
        "production": "https://api.melio.com/v1",
        "sandbox": "https://api-sandbox.melio.com/v1",
    },
    variables={
        "api_key": "MELIO_API_KEY",
        "account_id": "MELIO_ACCOUNT_ID",
        "base_url": "MELIO_BASE_URL",
    },
    required=("api_key",),
    token_path="/auth/token",
    fake_lifetime=3600,
    test_credentials={"api_key": "FAKE-melio-api-key", "account_id": "FAKE-melio-account-0001"},
    # `error.code`: `unauthorized` and `validation_error`, both generic codes.
    # camelCase members of `data`, compared lower-cased.
    sensitive_fields={"accessToken", "refreshToken"},
)
