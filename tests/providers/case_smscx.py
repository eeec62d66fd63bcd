"""SMS.CX's case for the all-provider tests (``provider_case``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from provider_tokens import (
    InvalidClientError,
    InvalidRequestError,
    InvalidScopeError,
    RateLimitError,
    ServerError,
    TokenEndpointError,
    UnsupportedGrantTypeError,
)
from provider_tokens.testing import CREDENTIALS

from conftest import reply
from provider_case import SECRET, Case, DocumentedError, Refusal

if TYPE_CHECKING:
    from provider_tokens.testing import FakeProviders


def envelope(type_: str) -> dict[str, object]:
    """SMS.CX's error body: the type is the code, ``code`` is 1600 for every token error."""
    return {
        "error": {
            "type": type_,
            "message": f"detail of {type_}",
            "uri": "https://sms.cx/e",
            "code": 1600,
        }
    }


def issue(token: str, lifetime: float) -> httpx.Response:
    body = {
        "access_token": token,
        "expires_in": int(lifetime),
        "token_type": "Bearer",
        "scope": "sms",
    }
    return reply(200, body, x_request_id="req-1")


def raw_token(fake: FakeProviders, client: httpx.Client) -> httpx.Response:
    app = CREDENTIALS["smscx"]
    return client.post(
        fake.base_url("smscx") + "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(app["application_id"], app["application_secret"]),
    )


def _error(status: int, type_: str, error: type[TokenEndpointError]) -> DocumentedError:
    return DocumentedError(status, envelope(type_), None, error, type_)


CASE = Case(
    name="smscx",
    credentials={"application_id": "sms-app", "application_secret": SECRET},
    issue=issue,
    access_token="sms-access",
    lifetime=86400,
    client="application_id",
    secret="application_secret",
    raw_token=raw_token,
    scope="sms",
    negative_lifetime_is_unknown=True,
    errors=(
        _error(400, "invalid_request", InvalidRequestError),
        _error(400, "invalid_scope", InvalidScopeError),
        _error(400, "unsupported_grant_type", UnsupportedGrantTypeError),
        _error(401, "invalid_client", InvalidClientError),
        _error(403, "insufficient_scope", InvalidScopeError),
        _error(405, "invalid_method", InvalidRequestError),
        _error(429, "rate_limit", RateLimitError),
        _error(500, "server_error", ServerError),
    ),
    wrong_secret=Refusal(
        {"application_secret": "wrong"}, InvalidClientError, 401, "invalid_client"
    ),
    # A scope the application does not have.
    refusals=(Refusal({"scope": "viber"}, InvalidScopeError, 400, "invalid_scope"),),
)
