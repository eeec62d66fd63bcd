"""Melio's case for the all-provider tests (``provider_case``)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import httpx

from provider_tokens import (
    InvalidClientError,
    InvalidRequestError,
    ServerError,
    TokenEndpointError,
)
from provider_tokens.testing import CREDENTIALS

from conftest import at, reply
from provider_case import SECRET, Case, DocumentedError, Refusal

if TYPE_CHECKING:
    from provider_tokens.testing import FakeProviders


def error(code: str) -> dict[str, object]:
    """Melio's error body."""
    return {"error": {"code": code, "message": f"detail of {code}"}}


def issue(token: str, lifetime: float) -> httpx.Response:
    # An absolute expiry, counted from the `clock` fixture's start (conftest.START).
    body = {
        "data": {
            "accessToken": token,
            "expiresAt": at(lifetime, suffix=".000Z"),
            "refreshToken": "melio-refresh",
        }
    }
    return reply(200, body)


def raw_token(fake: FakeProviders, client: httpx.Client) -> httpx.Response:
    headers = {
        "API-Key": CREDENTIALS["melio"]["api_key"],
        "Idempotency-Key": str(uuid.uuid4()),
    }
    return client.post(fake.base_url("melio") + "/auth/token", headers=headers)


def _error(status: int, code: str, cls: type[TokenEndpointError]) -> DocumentedError:
    return DocumentedError(status, error(code), None, cls, code)


CASE = Case(
    name="melio",
    credentials={"api_key": SECRET, "account_id": "acc-1"},
    issue=issue,
    access_token="melio-access",
    lifetime=3600,
    secret="api_key",
    raw_token=raw_token,
    # camelCase members inside `data`; no token_type.
    fields={
        "access_token": "accessToken",
        "expires_at": "expiresAt",
        "refresh_token": "refreshToken",
    },
    envelope="data",
    errors=(
        _error(400, "validation_error", InvalidRequestError),
        _error(401, "unauthorized", InvalidClientError),
        _error(403, "forbidden", TokenEndpointError),
        _error(404, "not_found", TokenEndpointError),
        _error(409, "conflict", TokenEndpointError),
        _error(500, "internal_error", ServerError),
    ),
    wrong_secret=Refusal({"api_key": "wrong"}, InvalidClientError, 401, "unauthorized"),
)
