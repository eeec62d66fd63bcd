"""MoneyKit's case for the all-provider tests (``provider_case``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from provider_tokens import InvalidClientError, InvalidRequestError, RateLimitError
from provider_tokens.testing import CREDENTIALS

from conftest import reply
from provider_case import SECRET, Case, DocumentedError, Refusal

if TYPE_CHECKING:
    from provider_tokens.testing import FakeProviders

UNAUTHORIZED = "api_error.auth.unauthorized"


def error(code: str) -> dict[str, str]:
    """MoneyKit's error body."""
    return {"error_code": code, "error_message": f"detail of {code}"}


def issue(token: str, lifetime: float) -> httpx.Response:
    return reply(201, {"access_token": token, "token_type": "bearer", "expires_in": int(lifetime)})


def raw_token(fake: FakeProviders, client: httpx.Client) -> httpx.Response:
    registered = CREDENTIALS["moneykit"]
    return client.post(
        fake.base_url("moneykit") + "/auth/token",
        auth=(registered["client_id"], registered["client_secret"]),
        data={"grant_type": "client_credentials"},
    )


CASE = Case(
    name="moneykit",
    credentials={"client_id": "mk-client", "client_secret": SECRET},
    issue=issue,
    access_token="mk-access",
    lifetime=3600,
    client="client_id",
    secret="client_secret",
    raw_token=raw_token,
    scope="link:data:read",
    errors=(
        DocumentedError(400, error(UNAUTHORIZED), None, InvalidRequestError, UNAUTHORIZED),
        DocumentedError(401, error(UNAUTHORIZED), None, InvalidClientError, UNAUTHORIZED),
        DocumentedError(
            422,
            {**error("api_error.request.validation_failed"), "validation_errors": []},
            None,
            InvalidRequestError,
            "api_error.request.validation_failed",
        ),
        DocumentedError(
            429,
            error("api_error.rate_limit_exceeded"),
            None,
            RateLimitError,
            "api_error.rate_limit_exceeded",
        ),
    ),
    wrong_secret=Refusal({"client_secret": "wrong"}, InvalidClientError, 401, UNAUTHORIZED),
    # A scope the client is not granted.
    refusals=(Refusal({"scope": "link:delete"}, InvalidClientError, 401, UNAUTHORIZED),),
)
