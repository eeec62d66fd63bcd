"""GMO Aozora's case for the all-provider tests (``provider_case``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from provider_tokens import (
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    ServerError,
    TokenEndpointError,
    UnsupportedGrantTypeError,
)
from provider_tokens.testing import CREDENTIALS

from conftest import reply
from provider_case import SECRET, Case, DocumentedError, Refusal

if TYPE_CHECKING:
    from provider_tokens.testing import FakeProviders

JSON = "application/json;charset=UTF-8"


def oauth(error: str) -> dict[str, str]:
    """An RFC 6749 §5.2 error body."""
    return {"error": error, "error_description": f"detail of {error}"}


def issue(token: str, lifetime: float) -> httpx.Response:
    body = {
        "access_token": token,
        "refresh_token": "refresh-2",
        "scope": "private:account offline_access",
        "token_type": "Bearer",
        "expires_in": int(lifetime),
    }
    return reply(200, body, content_type=JSON)


def raw_token(fake: FakeProviders, client: httpx.Client) -> httpx.Response:
    """A refresh, with a refresh token the fake issues as if the user had consented."""
    registered = CREDENTIALS["gmo_aozora"]
    return client.post(
        fake.base_url("gmo_aozora") + "/token",
        auth=(registered["client_id"], registered["client_secret"]),
        data={"grant_type": "refresh_token", "refresh_token": fake.refresh_token()},
    )


def _oauth(status: int, code: str, error: type[TokenEndpointError]) -> DocumentedError:
    return DocumentedError(status, oauth(code), JSON, error, code)


CASE = Case(
    name="gmo_aozora",
    credentials={
        "client_id": "aozora-client",
        "client_secret": SECRET,
        "redirect_uri": "https://app.example/callback",
        "refresh_token": "refresh-1",
    },
    issue=issue,
    access_token="aozora-access",
    lifetime=2592000,
    header="x-access-token",
    scheme="",
    client="client_id",
    secret="client_secret",
    raw_token=raw_token,
    # A refresh that may have reached the bank has spent its refresh token.
    retries_sent_requests=False,
    errors=(
        _oauth(400, "invalid_request", InvalidRequestError),
        _oauth(400, "invalid_grant", InvalidGrantError),
        _oauth(400, "invalid_scope", InvalidScopeError),
        _oauth(400, "unsupported_grant_type", UnsupportedGrantTypeError),
        _oauth(400, "unauthorized_client", InvalidClientError),
        _oauth(400, "invalid_client", InvalidClientError),
        _oauth(401, "invalid_client", InvalidClientError),
        _oauth(500, "server_error", ServerError),
    ),
    wrong_secret=Refusal({"client_secret": "wrong"}, InvalidClientError, 401, "invalid_client"),
    # The code exchange and the refresh that follows it.
    demo_lines=(
        "\ngmo_aozora (code) ",
        "\ngmo_aozora (refresh) ",
        "refresh token rotated: yes",
    ),
)
