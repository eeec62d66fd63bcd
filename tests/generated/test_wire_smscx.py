"""Wire tests for the generated SMS.CX client (specs/smscx.yaml).

``POST /oauth/token`` is called against an ``httpx.MockTransport``: the request on the wire is
checked, and every documented status is parsed into its model (``{"error": Error}`` envelopes).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import yaml

from provider_tokens.smscx import AuthenticatedClient
from provider_tokens.smscx.api.oauth import get_access_token
from provider_tokens.smscx.models import (
    ErrorResponse,
    OauthTokenRequest,
    OauthTokenRequestGrantType,
    OauthTokenResponse,
)

from wire_support import Server, make_async_client, make_client

SPEC = Path(__file__).resolve().parents[2] / "specs" / "smscx.yaml"
BASE_URL = "https://api.sms.cx"
FORM = "application/x-www-form-urlencoded"
ERRORS_URI = "https://sms.cx/sms-api-documentation/#section/Errors"

# [CONSTRUCTED; no source body]
TOKEN_200 = {
    "access_token": "<opaque token>",
    "expires_in": 86400,
    "token_type": "Bearer",
    "scope": "sms groups templates",
}


def envelope(type_: str, message: str, code: int = 1600) -> dict[str, Any]:
    return {"error": {"type": type_, "message": message, "uri": ERRORS_URI, "code": code}}


# Token-endpoint errors [CONSTRUCTED from the SRC error table; code 1600, the uri is a guess].
ERROR_400_GRANT = envelope(
    "unsupported_grant_type", "The grant type is not supported (only client_credentials)"
)
ERROR_400_REQUEST = envelope(
    "invalid_request", "The request is missing a required parameter (grant_type)"
)
ERROR_400_SCOPE = envelope("invalid_scope", "The requested scope is invalid, unknown, or malformed")
ERROR_401 = envelope("invalid_client", "Invalid client")
# Generic errors [CONSTRUCTED]: types from the README and type list; their numeric codes are not
# documented, so the codes below are placeholders.
ERROR_403 = envelope("insufficient_scope", "Insufficient scope", code=1001)
ERROR_405 = envelope("invalid_method", "Method not allowed", code=1002)
ERROR_429 = envelope("rate_limit", "Too many requests", code=1003)
ERROR_500 = envelope("server_error", "Server error", code=1004)


def grant(scope: str | None = None) -> OauthTokenRequest:
    body = OauthTokenRequest(grant_type=OauthTokenRequestGrantType.CLIENT_CREDENTIALS)
    if scope is not None:
        body.scope = scope
    return body


def test_spec_servers_and_examples() -> None:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    assert [s["url"] for s in spec["servers"]] == [BASE_URL]
    responses = spec["paths"]["/oauth/token"]["post"]["responses"]

    def values(status: str) -> list[Any]:
        examples = responses[status]["content"]["application/json"]["examples"]
        return [e["value"] for e in examples.values()]

    assert values("200") == [TOKEN_200]
    assert values("400") == [ERROR_400_GRANT, ERROR_400_REQUEST, ERROR_400_SCOPE]
    assert values("401") == [ERROR_401]


def test_token_request_on_the_wire() -> None:
    server = Server(200, TOKEN_200)
    with make_client(
        AuthenticatedClient,
        BASE_URL,
        server,
        auth=httpx.BasicAuth("APPLICATION_ID", "APPLICATION_SECRET"),
        token="",
    ) as client:
        get_access_token.sync_detailed(client=client, body=grant("sms groups templates"))

    request = server.request
    assert request.method == "POST"
    assert str(request.url) == "https://api.sms.cx/oauth/token"
    assert request.headers["Content-Type"] == FORM
    assert parse_qs(request.content.decode(), strict_parsing=True) == {
        "grant_type": ["client_credentials"],
        "scope": ["sms groups templates"],
    }
    basic = base64.b64encode(b"APPLICATION_ID:APPLICATION_SECRET").decode()
    assert request.headers["Authorization"] == f"Basic {basic}"


def test_token_request_omits_unset_scope() -> None:
    server = Server(200, TOKEN_200)
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        get_access_token.sync_detailed(client=client, body=grant())

    assert parse_qs(server.request.content.decode(), keep_blank_values=True) == {
        "grant_type": ["client_credentials"]
    }


def test_token_200_with_response_headers() -> None:
    headers = {
        "X-Request-Id": "req-1",
        "X-Response-Time": "12ms",
        "X-Rate-Limit-Limit": "100",
        "X-Rate-Limit-Remaining": "99",
    }
    server = Server(200, TOKEN_200, headers=headers)
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response = get_access_token.sync_detailed(client=client, body=grant())

    assert response.status_code == 200
    parsed = response.parsed
    assert isinstance(parsed, OauthTokenResponse)
    assert parsed.access_token == "<opaque token>"
    assert parsed.expires_in == 86400
    assert parsed.token_type == "Bearer"
    assert parsed.scope == "sms groups templates"
    # The generated code does not parse response headers; they stay on the raw response.
    for name, value in headers.items():
        assert response.headers[name] == value


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, ERROR_400_GRANT),
        (400, ERROR_400_REQUEST),
        (400, ERROR_400_SCOPE),
        (401, ERROR_401),
        (403, ERROR_403),
        (405, ERROR_405),
        (429, ERROR_429),
        (500, ERROR_500),
    ],
)
def test_error_statuses_parse_the_envelope(status: int, body: dict[str, Any]) -> None:
    server = Server(status, body)
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response = get_access_token.sync_detailed(client=client, body=grant())

    assert response.status_code == status
    parsed = response.parsed
    assert isinstance(parsed, ErrorResponse)
    expected = body["error"]
    assert parsed.error.type_ == expected["type"]
    assert parsed.error.message == expected["message"]
    assert parsed.error.uri == expected["uri"]
    assert parsed.error.code == expected["code"]


def test_429_rate_limit_headers_stay_on_the_raw_response() -> None:
    headers = {
        "X-Rate-Limit-Limit": "100",
        "X-Rate-Limit-Remaining": "0",
        "X-Rate-Limit-Reset": "1664103086",
    }
    server = Server(429, ERROR_429, headers=headers)
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response = get_access_token.sync_detailed(client=client, body=grant())

    assert isinstance(response.parsed, ErrorResponse)
    assert response.parsed.error.type_ == "rate_limit"
    assert response.headers["X-Rate-Limit-Reset"] == "1664103086"
    assert "Retry-After" not in response.headers


def test_unknown_error_type_parses_as_plain_string() -> None:
    server = Server(400, envelope("brand_new_type", "New"))
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        parsed = get_access_token.sync(client=client, body=grant())

    assert isinstance(parsed, ErrorResponse)
    assert parsed.error.type_ == "brand_new_type"


async def test_token_async_request_and_200() -> None:
    server = Server(200, TOKEN_200)
    async with make_async_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response = await get_access_token.asyncio_detailed(client=client, body=grant("otp"))

    assert server.request.method == "POST"
    assert str(server.request.url) == "https://api.sms.cx/oauth/token"
    assert server.request.headers["Content-Type"] == FORM
    assert parse_qs(server.request.content.decode()) == {
        "grant_type": ["client_credentials"],
        "scope": ["otp"],
    }
    assert response.status_code == 200
    assert isinstance(response.parsed, OauthTokenResponse)
    assert response.parsed.expires_in == 86400


def test_undocumented_status_gives_parsed_none() -> None:
    server = Server(418, envelope("teapot", "short and stout"))
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response = get_access_token.sync_detailed(client=client, body=grant())

    assert response.status_code == 418
    assert response.parsed is None
    assert json.loads(response.content)["error"]["type"] == "teapot"
