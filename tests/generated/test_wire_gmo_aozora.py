"""Wire tests for the generated GMO Aozora client (specs/gmo_aozora.yaml).

Both operations are called against an ``httpx.MockTransport``: the request on the wire is checked
(method, host, path, query or form body, headers), and every documented status is parsed into its
model. Responses use the vendor's ``application/json;charset=UTF-8`` content type.
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

from provider_tokens.gmo_aozora import AuthenticatedClient, Client
from provider_tokens.gmo_aozora.api.authorization import authorization as authorization_op
from provider_tokens.gmo_aozora.api.token import token as token_op
from provider_tokens.gmo_aozora.models import (
    AuthorizationResponseType,
    ErrorResponse,
    TokenRequest,
    TokenRequestGrantType,
    TokenResponse,
)
from provider_tokens.gmo_aozora.types import UNSET

from wire_support import Server, make_async_client, make_client

SPEC = Path(__file__).resolve().parents[2] / "specs" / "gmo_aozora.yaml"
BASE_URL = "https://api.gmo-aozora.com/ganb/api/auth/v1"
STG_BASE_URL = "https://stg-api.gmo-aozora.com/ganb/api/auth/v1"
FORM = "application/x-www-form-urlencoded"
JSON_UTF8 = "application/json;charset=UTF-8"

# [SRC: gmoaozora/gmo-aozora-api-java@885e54f4 TokenResponse.java]; integer expires_in per the
# Go SDK.
TOKEN_200 = {
    "access_token": "af0ifjsldkj",
    "refresh_token": "af0ifjsldkj",
    "scope": "private:account private:virtual-account",
    "token_type": "Bearer",
    "expires_in": 2592000,
}
# [SRC: gmoaozora/gmo-aozora-api-java@885e54f4 ErrorResponse.java]
ERROR_SRC = {
    "error": "invalid_request",
    "error_description": "Unsupported response_type value",
    "state": "af0ifjsldkj",
}
# [CONSTRUCTED]
ERROR_400 = {"error": "invalid_grant", "error_description": "Invalid authorization code"}
ERROR_401 = {"error": "invalid_client"}
ERROR_500 = {"error": "server_error"}


class AozoraServer(Server):
    """Replies in the vendor's ``application/json;charset=UTF-8``."""

    content_type = JSON_UTF8


def code_grant() -> TokenRequest:
    return TokenRequest(
        grant_type=TokenRequestGrantType.AUTHORIZATION_CODE,
        code="af0ifjsldkj",
        redirect_uri="https://client.example.com/callback",
    )


def example_values(response: dict[str, Any]) -> list[Any]:
    return [e["value"] for e in response["content"][JSON_UTF8]["examples"].values()]


def test_spec_servers_and_src_examples() -> None:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    assert [s["url"] for s in spec["servers"]] == [BASE_URL, STG_BASE_URL]
    responses = spec["paths"]["/token"]["post"]["responses"]
    assert example_values(responses["200"]) == [TOKEN_200]
    assert ERROR_SRC in example_values(responses["400"])
    assert ERROR_400 in example_values(responses["400"])
    assert example_values(responses["401"]) == [ERROR_401]


@pytest.mark.parametrize("base_url", [BASE_URL, STG_BASE_URL])
def test_authorization_code_grant_on_the_wire_with_client_secret_basic(base_url: str) -> None:
    server = AozoraServer(200, TOKEN_200)
    with make_client(
        AuthenticatedClient, base_url, server, auth=httpx.BasicAuth("cid", "csecret"), token=""
    ) as client:
        token_op.sync_detailed(client=client, body=code_grant())

    request = server.request
    assert request.method == "POST"
    assert str(request.url) == f"{base_url}/token"
    assert request.url.path == "/ganb/api/auth/v1/token"
    assert request.headers["Content-Type"] == FORM
    assert parse_qs(request.content.decode(), strict_parsing=True) == {
        "grant_type": ["authorization_code"],
        "code": ["af0ifjsldkj"],
        "redirect_uri": ["https://client.example.com/callback"],
    }
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"cid:csecret").decode()


def test_refresh_grant_on_the_wire_with_client_secret_post() -> None:
    server = AozoraServer(200, TOKEN_200)
    refresh = TokenRequest(
        grant_type=TokenRequestGrantType.REFRESH_TOKEN,
        refresh_token="r/t+1&x",
        client_id="example-client-id",
        client_secret="s e/c+r&t",
    )
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        token_op.sync_detailed(client=client, body=refresh)

    request = server.request
    assert request.method == "POST"
    assert str(request.url) == "https://api.gmo-aozora.com/ganb/api/auth/v1/token"
    assert request.headers["Content-Type"] == FORM
    assert parse_qs(request.content.decode(), strict_parsing=True) == {
        "grant_type": ["refresh_token"],
        "refresh_token": ["r/t+1&x"],
        "client_id": ["example-client-id"],
        "client_secret": ["s e/c+r&t"],
    }
    # client_secret_post: no credentials header; unset code/redirect_uri are omitted.
    assert "Authorization" not in request.headers


@pytest.mark.parametrize("status", [200, 201])
def test_token_success_statuses_parse(status: int) -> None:
    server = AozoraServer(status, TOKEN_200)
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response = token_op.sync_detailed(client=client, body=code_grant())

    assert response.status_code == status
    assert response.headers["Content-Type"] == JSON_UTF8
    parsed = response.parsed
    assert isinstance(parsed, TokenResponse)
    assert parsed.access_token == "af0ifjsldkj"
    assert parsed.refresh_token == "af0ifjsldkj"
    assert parsed.scope == "private:account private:virtual-account"
    assert parsed.token_type == "Bearer"
    assert parsed.expires_in == 2592000
    assert parsed.id_token is UNSET


def test_token_response_without_offline_access_has_no_refresh_token() -> None:
    token = {k: v for k, v in TOKEN_200.items() if k != "refresh_token"} | {"id_token": "a.b.c"}
    server = AozoraServer(200, token)
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        parsed = token_op.sync(client=client, body=code_grant())

    assert isinstance(parsed, TokenResponse)
    assert parsed.refresh_token is UNSET
    assert parsed.id_token == "a.b.c"


def test_string_expires_in_is_passed_through_unconverted() -> None:
    # The swagger docs say string; the generated model does not coerce, so the wrapper must.
    server = AozoraServer(200, TOKEN_200 | {"expires_in": "2592000"})
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        parsed = token_op.sync(client=client, body=code_grant())

    assert isinstance(parsed, TokenResponse)
    assert parsed.expires_in == "2592000"  # type: ignore[comparison-overlap]


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, ERROR_400),
        (400, ERROR_SRC),
        (401, ERROR_401),
        (500, ERROR_500),
    ],
)
def test_token_error_statuses_parse_as_error_response(status: int, error: dict[str, str]) -> None:
    server = AozoraServer(status, error)
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response = token_op.sync_detailed(client=client, body=code_grant())

    assert response.status_code == status
    parsed = response.parsed
    assert isinstance(parsed, ErrorResponse)
    assert parsed.error == error["error"]
    assert parsed.error_description == error.get("error_description", UNSET)
    assert parsed.state == error.get("state", UNSET)
    assert parsed.error_uri is UNSET


def test_unknown_error_code_parses_as_plain_string() -> None:
    server = AozoraServer(400, {"error": "access_denied", "error_uri": "https://example.com/e"})
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        parsed = token_op.sync(client=client, body=code_grant())

    assert isinstance(parsed, ErrorResponse)
    assert parsed.error == "access_denied"
    assert parsed.error_uri == "https://example.com/e"


def test_authorization_query_on_the_wire_and_302() -> None:
    location = "https://client.example.com/callback?code=af0ifjsldkj&state=st1"
    server = AozoraServer(302, headers={"Location": location})
    with make_client(Client, BASE_URL, server) as client:
        response = authorization_op.sync_detailed(
            client=client,
            client_id="cid",
            redirect_uri="https://client.example.com/callback",
            response_type=AuthorizationResponseType.CODE,
            scope="private:account offline_access",
            state="st1",
            nonce="n-0S6",
        )

    request = server.request
    assert request.method == "GET"
    assert request.url.host == "api.gmo-aozora.com"
    assert request.url.path == "/ganb/api/auth/v1/authorization"
    assert parse_qs(request.url.query.decode(), strict_parsing=True) == {
        "client_id": ["cid"],
        "redirect_uri": ["https://client.example.com/callback"],
        "response_type": ["code"],
        "scope": ["private:account offline_access"],
        "state": ["st1"],
        "nonce": ["n-0S6"],
    }
    assert request.content == b""
    assert "Authorization" not in request.headers
    assert response.status_code == 302
    assert response.parsed is None
    assert response.headers["Location"] == location


def test_authorization_refusal_400_parses_as_error_response() -> None:
    body = {"error": "invalid_request", "error_description": "Unknown client_id"}
    server = AozoraServer(400, body)
    with make_client(Client, BASE_URL, server) as client:
        response = authorization_op.sync_detailed(
            client=client,
            client_id="unknown",
            redirect_uri="https://client.example.com/callback",
            response_type=AuthorizationResponseType.CODE,
            scope="private:account",
            state="st1",
        )

    assert response.status_code == 400
    assert isinstance(response.parsed, ErrorResponse)
    assert response.parsed.error == "invalid_request"
    assert response.parsed.error_description == "Unknown client_id"


def test_authorization_omits_unset_nonce() -> None:
    server = AozoraServer(302, headers={"Location": "https://client.example.com/callback"})
    with make_client(Client, STG_BASE_URL, server) as client:
        authorization_op.sync_detailed(
            client=client,
            client_id="cid",
            redirect_uri="https://client.example.com/callback",
            response_type=AuthorizationResponseType.CODE,
            scope="private:account",
            state="st1",
        )

    query = parse_qs(server.request.url.query.decode())
    assert str(server.request.url).startswith(f"{STG_BASE_URL}/authorization?")
    assert "nonce" not in query
    assert query["response_type"] == ["code"]


async def test_token_async_request_and_200() -> None:
    server = AozoraServer(200, TOKEN_200)
    async with make_async_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response = await token_op.asyncio_detailed(client=client, body=code_grant())

    assert server.request.method == "POST"
    assert str(server.request.url) == f"{BASE_URL}/token"
    assert server.request.headers["Content-Type"] == FORM
    assert parse_qs(server.request.content.decode())["grant_type"] == ["authorization_code"]
    assert response.status_code == 200
    assert isinstance(response.parsed, TokenResponse)
    assert response.parsed.expires_in == 2592000


def test_undocumented_status_gives_parsed_none() -> None:
    server = AozoraServer(418, {"error": "teapot"})
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response = token_op.sync_detailed(client=client, body=code_grant())

    assert response.status_code == 418
    assert response.parsed is None
    assert json.loads(response.content) == {"error": "teapot"}
