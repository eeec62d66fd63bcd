"""MoneyKit: client credentials, plus token introspection and the JWKS."""

from __future__ import annotations

from ..._exceptions import InvalidClientError, InvalidRequestError
from ..._provider import Provider

PROVIDER = Provider(
    name="moneykit",
    title="MoneyKit",
    source="MoneyKit",
    # One host for sandbox and live: the key pair decides.
    servers={"production": "https://api.moneykit.com"},
    variables={
        "client_id": "MONEYKIT_CLIENT_ID",
        "client_secret": "MONEYKIT_CLIENT_SECRET",
        "base_url": "MONEYKIT_BASE_URL",
    },
    required=("client_id", "client_secret"),
    token_path="/auth/token",
    scoped=True,
    fake_lifetime=3600,
    test_credentials={
        "client_id": "FAKE_moneykit_client_0001",
        "client_secret": "FAKE-moneykit-secret",
    },
    error_codes={
        "api_error.auth.unauthorized": InvalidClientError,
        "api_error.auth.expired_access_token": InvalidClientError,
        "api_error.request.validation_failed": InvalidRequestError,
    },
)

#: The request header that carries a webhook's verification token (``_webhooks``).
SIGNATURE_HEADER = "MoneyKit-Signature"
#: How long a webhook key from the JWKS is trusted by default (``_webhooks``).
KEYS_TTL = 12 * 3600.0  # MoneyKit's example: 12 h; it says never more than 24 h
