"""GMO Aozora Net Bank: authorization code and rotating refresh tokens, per user."""

from __future__ import annotations

from ..._provider import Provider

PROVIDER = Provider(
    name="gmo_aozora",
    title="GMO Aozora Net Bank",
    source="GmoAozora",
    servers={
        "production": "https://api.gmo-aozora.com/ganb/api/auth/v1",
        "staging": "https://stg-api.gmo-aozora.com/ganb/api/auth/v1",
    },
    variables={
        "client_id": "GMO_AOZORA_CLIENT_ID",
        "client_secret": "GMO_AOZORA_CLIENT_SECRET",
        "refresh_token": "GMO_AOZORA_REFRESH_TOKEN",
        "redirect_uri": "GMO_AOZORA_REDIRECT_URI",
        "auth_method": "GMO_AOZORA_AUTH_METHOD",
        "base_url": "GMO_AOZORA_BASE_URL",
    },
    # What the command needs: it only refreshes, which sends no redirect_uri (only the
    # authorization URL and the code exchange do).
    required=("client_id", "client_secret", "refresh_token"),
    token_path="/token",
    # The bank's documented 30 days.
    fake_lifetime=2_592_000,
    test_credentials={
        "client_id": "FAKE-aozora-basic-client",
        "client_secret": "FAKE-aozora-basic-secret",
        "redirect_uri": "https://app.fake.invalid/callback",
        "auth_method": "basic",
    },
)
