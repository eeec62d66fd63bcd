"""GMO-PG's case for the all-provider tests (``provider_case``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from provider_tokens import (
    InvalidClientError,
    InvalidRequestError,
    RateLimitError,
    ServerError,
    TokenEndpointError,
)
from provider_tokens.testing import CREDENTIALS

from conftest import reply
from provider_case import SECRET, Case, DocumentedError, Refusal

if TYPE_CHECKING:
    from provider_tokens.testing import FakeProviders

PROBLEM = "application/problem+json"


def problem(title: str) -> dict[str, str]:
    """An RFC 9457 problem, GMO-PG's error body."""
    return {"title": title, "detail": f"detail of {title}", "instance": "/token"}


def issue(token: str, lifetime: float) -> httpx.Response:
    # expires_in is a string on the wire.
    body = {
        "access_token": token,
        "expires_in": str(int(lifetime)),
        "scope": "openapi",
        "token_type": "bearer",
    }
    return reply(201, body)


def raw_token(fake: FakeProviders, client: httpx.Client) -> httpx.Response:
    shop = CREDENTIALS["gmo_payment"]
    return client.post(
        fake.base_url("gmo_payment") + "/token",
        auth=(shop["shop_id"], shop["shop_pass"]),
        data={"grant_type": "client_credentials", "scope": "openapi"},
    )


def _problem(status: int, title: str, error: type[TokenEndpointError]) -> DocumentedError:
    return DocumentedError(status, problem(title), PROBLEM, error, title)


CASE = Case(
    name="gmo_payment",
    credentials={"shop_id": "shop-1", "shop_pass": SECRET},
    issue=issue,
    access_token="gmo-access",
    lifetime=3600,
    client="shop_id",
    secret="shop_pass",
    raw_token=raw_token,
    errors=(
        _problem(400, "invalid_parameter", InvalidRequestError),
        _problem(400, "missing_parameter", InvalidRequestError),
        _problem(401, "unauthorized_request", InvalidClientError),
        _problem(404, "resource_not_found", TokenEndpointError),
        _problem(405, "method_not_allowed", InvalidRequestError),
        _problem(415, "unsupported_media_type", InvalidRequestError),
        _problem(429, "too_many_requests", RateLimitError),
        _problem(500, "internal_server_error", ServerError),
        _problem(503, "service_unavailable", ServerError),
    ),
    wrong_secret=Refusal({"shop_pass": "wrong"}, InvalidClientError, 401, "unauthorized_request"),
)
