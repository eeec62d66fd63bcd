"""SMS.CX: client credentials with the application ID and secret."""

from __future__ import annotations

from ..._exceptions import InvalidClientError, InvalidRequestError, InvalidScopeError
from ..._provider import Provider

PROVIDER = Provider(
    name="smscx",
    title="SMS.CX",
    source="Smscx",
    servers={"production": "https://api.sms.cx"},
    variables={
        "application_id": "SMSCX_APPLICATION_ID",
        "application_secret": "SMSCX_APPLICATION_SECRET",
        "base_url": "SMSCX_BASE_URL",
    },
    required=("application_id", "application_secret"),
    token_path="/oauth/token",
    scoped=True,
    # The application's one-day setting.
    fake_lifetime=86_400,
    test_credentials={
        "application_id": "FAKE-smscx-application",
        "application_secret": "FAKE-smscx-secret",
    },
    # `error.type`; every token error carries `code` 1600, so the type is the code.
    error_codes={
        "invalid_api_key": InvalidClientError,
        "invalid_body": InvalidRequestError,
        "invalid_param": InvalidRequestError,
        "invalid_method": InvalidRequestError,
        "insufficient_scope": InvalidScopeError,
    },
)
