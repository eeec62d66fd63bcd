"""Wire tests for the generated Melio Platform API client (specs/melio.yaml).

``POST /auth/token`` is called against an ``httpx.MockTransport``: the request on the wire is
checked (no body, ``API-Key``, ``Idempotency-Key``, ``Melio-Account``), and every declared status
is parsed into its model, with the camelCase wire names.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from provider_tokens.melio import AuthenticatedClient
from provider_tokens.melio.api.auth import post_auth_token
from provider_tokens.melio.models import ErrorResponse, PostAuthResponse
from provider_tokens.melio.types import UNSET

from wire_support import Server, make_async_client, make_client

SPEC = Path(__file__).resolve().parents[2] / "specs" / "melio.yaml"
BASE_URL = "https://api.melio.com/v1"
SANDBOX_BASE_URL = "https://api-sandbox.melio.com/v1"
IDEMPOTENCY_KEY = "0b6c6a8e-4a0c-4d4b-9a57-2f9a3c1e5d77"

# [CONSTRUCTED]
TOKEN = {
    "data": {
        "accessToken": "<opaque or JWT>",
        "expiresAt": "2022-02-01T12:00:00.000Z",
        "refreshToken": "<opaque>",
    }
}
ERROR_401 = {"error": {"code": "unauthorized", "message": "Invalid API key"}}
ERROR_400 = {
    "error": {
        "code": "validation_error",
        "message": "Missing Idempotency-Key header",
        "data": [{"field": "Idempotency-Key"}],
    }
}


def api_key_client(server: Server, secret: str) -> AuthenticatedClient:
    # The ApiKey scheme: the raw Partner secret in `API-Key`, no prefix.
    return AuthenticatedClient(
        base_url=BASE_URL,
        token=secret,
        prefix="",
        auth_header_name="API-Key",
        httpx_args={"transport": httpx.MockTransport(server)},
    )


def test_spec_servers_and_examples() -> None:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    assert [s["url"] for s in spec["servers"]] == [BASE_URL, SANDBOX_BASE_URL]
    responses = spec["paths"]["/auth/token"]["post"]["responses"]

    def values(status: str) -> list[Any]:
        examples = responses[status]["content"]["application/json"]["examples"]
        return [e["value"] for e in examples.values()]

    assert values("200") == [TOKEN]
    assert values("201") == [TOKEN]
    assert values("400") == [ERROR_400]
    assert values("401") == [ERROR_401]


@pytest.mark.parametrize("base_url", [BASE_URL, SANDBOX_BASE_URL])
def test_token_request_on_the_wire(base_url: str) -> None:
    server = Server(201, TOKEN)
    with make_client(AuthenticatedClient, base_url, server, token="") as client:
        post_auth_token.sync_detailed(
            client=client, idempotency_key=IDEMPOTENCY_KEY, melio_account="acc_123"
        )

    request = server.request
    assert request.method == "POST"
    assert str(request.url) == f"{base_url}/auth/token"
    assert request.url.path == "/v1/auth/token"
    # No request body at all.
    assert request.content == b""
    assert "Content-Type" not in request.headers
    assert request.headers["Idempotency-Key"] == IDEMPOTENCY_KEY
    assert request.headers["Melio-Account"] == "acc_123"


def test_melio_account_is_absent_when_not_given() -> None:
    server = Server(201, TOKEN)
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        post_auth_token.sync_detailed(client=client, idempotency_key=IDEMPOTENCY_KEY)

    assert server.request.headers["Idempotency-Key"] == IDEMPOTENCY_KEY
    assert "Melio-Account" not in server.request.headers


def test_api_key_header_carries_the_raw_partner_secret() -> None:
    server = Server(200, TOKEN)
    with api_key_client(server, "partner-secret") as client:
        post_auth_token.sync_detailed(
            client=client, idempotency_key=IDEMPOTENCY_KEY, melio_account=UNSET
        )

    request = server.request
    assert request.headers["API-Key"] == "partner-secret"
    assert "Authorization" not in request.headers
    assert "Melio-Account" not in request.headers


@pytest.mark.parametrize("status", [200, 201])
def test_success_statuses_parse_camel_case(status: int) -> None:
    server = Server(status, TOKEN)
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response = post_auth_token.sync_detailed(client=client, idempotency_key=IDEMPOTENCY_KEY)

    assert response.status_code == status
    parsed = response.parsed
    assert isinstance(parsed, PostAuthResponse)
    assert parsed.data.access_token == "<opaque or JWT>"
    assert parsed.data.refresh_token == "<opaque>"
    assert parsed.data.expires_at == datetime.datetime(2022, 2, 1, 12, 0, tzinfo=datetime.UTC)
    assert parsed.data.additional_properties == {}
    # The wire names are preserved on the way back out.
    assert parsed.to_dict()["data"]["accessToken"] == "<opaque or JWT>"


def test_malformed_expires_at_raises_value_error() -> None:
    server = Server(200, {"data": TOKEN["data"] | {"expiresAt": "tomorrow"}})
    with (
        make_client(AuthenticatedClient, BASE_URL, server, token="") as client,
        pytest.raises(ValueError, match="isoformat"),
    ):
        post_auth_token.sync_detailed(client=client, idempotency_key=IDEMPOTENCY_KEY)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, ERROR_400),
        (401, ERROR_401),
        (403, {"error": {"code": "forbidden", "message": "Forbidden"}}),
        (404, {"error": {"code": "not_found", "message": "Account not found"}}),
        (409, {"error": {"code": "conflict", "message": "Idempotency key reused"}}),
        (500, {"error": {"code": "internal_error", "message": "Server error", "data": {"id": 7}}}),
    ],
)
def test_error_statuses_parse_the_envelope(status: int, body: dict[str, Any]) -> None:
    server = Server(status, body)
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response = post_auth_token.sync_detailed(client=client, idempotency_key=IDEMPOTENCY_KEY)

    assert response.status_code == status
    parsed = response.parsed
    assert isinstance(parsed, ErrorResponse)
    assert parsed.error.code == body["error"]["code"]
    assert parsed.error.message == body["error"]["message"]
    assert parsed.error.data == body["error"].get("data", UNSET)


async def test_token_async_request_and_201() -> None:
    server = Server(201, TOKEN)
    async with make_async_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response = await post_auth_token.asyncio_detailed(
            client=client, idempotency_key=IDEMPOTENCY_KEY, melio_account="acc_123"
        )

    request = server.request
    assert request.method == "POST"
    assert str(request.url) == "https://api.melio.com/v1/auth/token"
    assert request.content == b""
    assert request.headers["Idempotency-Key"] == IDEMPOTENCY_KEY
    assert request.headers["Melio-Account"] == "acc_123"
    assert response.status_code == 201
    assert isinstance(response.parsed, PostAuthResponse)
    assert response.parsed.data.access_token == "<opaque or JWT>"


def test_undocumented_status_gives_parsed_none() -> None:
    server = Server(418, TOKEN)
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response = post_auth_token.sync_detailed(client=client, idempotency_key=IDEMPOTENCY_KEY)

    assert response.status_code == 418
    assert response.parsed is None
    # An undocumented status keeps the raw body, token included: declare every success status.
    assert json.loads(response.content) == TOKEN
