"""Wire tests for the generated MoneyKit client (specs/moneykit.yaml).

All three operations (``POST /auth/token``, ``GET /auth/introspect`` and
``GET /.well-known/jwks.json``) are called against an ``httpx.MockTransport``: the request on the
wire is checked, and every documented status is parsed into its model.
"""

from __future__ import annotations

import base64
import datetime
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import yaml

from provider_tokens.moneykit import AuthenticatedClient, Client
from provider_tokens.moneykit.api.access_token import (
    create_access_token,
    get_well_known_jwks,
    instrospect_client,
)
from provider_tokens.moneykit.models import (
    JWK,
    APIErrorAuthResponse,
    APIErrorAuthUnauthorizedResponse,
    APIErrorRateLimitExceededResponse,
    AppClientResponse,
    CreateAccessTokenRequest,
    CreateAccessTokenResponse,
    HTTPValidationError,
    JWKSet,
)
from provider_tokens.moneykit.types import UNSET

from wire_support import Server, make_async_client, make_client

SPEC = Path(__file__).resolve().parents[2] / "specs" / "moneykit.yaml"
BASE_URL = "https://api.moneykit.com"
FORM = "application/x-www-form-urlencoded"
DEFAULT_VERSION = "2023-02-18"

# [SRC: https://docs.moneykit.com/api/operation/create_access_token]
TOKEN_201 = {"access_token": "52ea3d1b...4f9a53fffb67", "token_type": "bearer", "expires_in": 3600}
# [SRC: same page; moneykit-python api_error_auth_unauthorized_response.py]
UNAUTHORIZED = {
    "error_code": "api_error.auth.unauthorized",
    "error_message": "Accounts access not permitted",
}
# [CONSTRUCTED]
EXPIRED = {
    "error_code": "api_error.auth.expired_access_token",
    "error_message": "Access token expired",
}
VALIDATION_422 = {
    "error_code": "api_error.request.validation_failed",
    "error_message": "Request validation error",
    "validation_errors": [
        {
            "location": ["body", "grant_type"],
            "message": "string does not match regex",
            "type": "value_error",
        }
    ],
}
RATE_LIMIT_429 = {
    "error_code": "api_error.rate_limit_exceeded",
    "error_message": "Rate limit exceeded",
}
# [SRC: https://moneykit.mintlify.app/authentication/auth-introspect] (older `app` shape)
INTROSPECT_OLD = {
    "client_id": "live_5c739a369515e10fc9e0",
    "client_name": "My App (Prod)",
    "scope": "link_session:create link:data:read link:data:refresh institutions:read",
    "app": {"id": "3d18cdd1-fa96-4423-b781-bd5be036830e", "app_name": "My App"},
}
# [CONSTRUCTED] current `app` shape
INTROSPECT_CURRENT = INTROSPECT_OLD | {
    "app": {
        "app_id": "3d18cdd1-fa96-4423-b781-bd5be036830e",
        "name": "My App",
        "id": "3d18cdd1-fa96-4423-b781-bd5be036830e",
        "app_name": "My App",
    }
}
# [CONSTRUCTED]
JWKS = {
    "keys": [
        {
            "kty": "EC",
            "crv": "P-256",
            "kid": "<kid>",
            "use": "sig",
            "alg": "ES256",
            "x": "<b64url>",
            "y": "<b64url>",
        }
    ]
}


def bearer_client(server: Server, token: str) -> AuthenticatedClient:
    # The token is baked into the default headers when the httpx client is first built.
    return AuthenticatedClient(
        base_url=BASE_URL, token=token, httpx_args={"transport": httpx.MockTransport(server)}
    )


def form(request: httpx.Request) -> dict[str, list[str]]:
    return parse_qs(request.content.decode(), strict_parsing=True, keep_blank_values=True)


def example_values(response: dict[str, Any]) -> list[Any]:
    return [e["value"] for e in response["content"]["application/json"]["examples"].values()]


def test_spec_servers_and_src_examples() -> None:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    assert [s["url"] for s in spec["servers"]] == [BASE_URL]
    token = spec["paths"]["/auth/token"]["post"]["responses"]
    assert example_values(token["201"]) == [TOKEN_201]
    assert example_values(token["400"]) == [UNAUTHORIZED]
    assert example_values(token["401"]) == [UNAUTHORIZED]
    introspect = spec["paths"]["/auth/introspect"]["get"]["responses"]
    assert example_values(introspect["200"]) == [INTROSPECT_OLD, INTROSPECT_CURRENT]
    assert example_values(introspect["401"]) == [EXPIRED, UNAUTHORIZED]
    scope = spec["components"]["schemas"]["CreateAccessTokenRequest"]["properties"]["scope"]
    assert "default" not in scope


def test_create_access_token_on_the_wire_omits_unset_scope() -> None:
    server = Server(201, TOKEN_201)
    with make_client(
        AuthenticatedClient,
        BASE_URL,
        server,
        auth=httpx.BasicAuth("live_5c739a369515e10fc9e0", "s3cr3t"),
        token="",
    ) as client:
        create_access_token.sync_detailed(
            client=client, body=CreateAccessTokenRequest(grant_type="client_credentials")
        )

    request = server.request
    assert request.method == "POST"
    assert str(request.url) == "https://api.moneykit.com/auth/token"
    assert request.headers["Content-Type"] == FORM
    # No `scope=`: an unset scope is omitted, which grants all of the app's scopes.
    assert form(request) == {"grant_type": ["client_credentials"]}
    assert request.headers["MoneyKit-Version"] == DEFAULT_VERSION
    basic = base64.b64encode(b"live_5c739a369515e10fc9e0:s3cr3t").decode()
    assert request.headers["Authorization"] == f"Basic {basic}"


def test_create_access_token_sends_scope_body_credentials_and_version() -> None:
    server = Server(201, TOKEN_201)
    body = CreateAccessTokenRequest(
        grant_type="client_credentials",
        scope="link_session:create link:data:read",
        client_id="live_5c739a369515e10fc9e0",
        client_secret="s e/c+r&t",
    )
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        create_access_token.sync_detailed(client=client, body=body, money_kit_version="2024-08-01")

    request = server.request
    assert form(request) == {
        "grant_type": ["client_credentials"],
        "scope": ["link_session:create link:data:read"],
        "client_id": ["live_5c739a369515e10fc9e0"],
        "client_secret": ["s e/c+r&t"],
    }
    assert request.headers["MoneyKit-Version"] == "2024-08-01"
    assert "Authorization" not in request.headers


def test_create_access_token_can_omit_the_version_header() -> None:
    server = Server(201, TOKEN_201)
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        create_access_token.sync_detailed(
            client=client,
            body=CreateAccessTokenRequest(grant_type="client_credentials", scope=""),
            money_kit_version=UNSET,
        )

    assert "MoneyKit-Version" not in server.request.headers
    # An explicitly empty scope is still sent (it also grants all scopes).
    assert form(server.request) == {"grant_type": ["client_credentials"], "scope": [""]}


def test_create_access_token_201() -> None:
    server = Server(201, TOKEN_201)
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response = create_access_token.sync_detailed(
            client=client, body=CreateAccessTokenRequest(grant_type="client_credentials")
        )

    assert response.status_code == 201
    parsed = response.parsed
    assert isinstance(parsed, CreateAccessTokenResponse)
    assert parsed.access_token == "52ea3d1b...4f9a53fffb67"
    assert parsed.token_type == "bearer"
    assert parsed.expires_in == 3600


@pytest.mark.parametrize("status", [400, 401])
def test_create_access_token_unauthorized_errors(status: int) -> None:
    server = Server(status, UNAUTHORIZED)
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response = create_access_token.sync_detailed(
            client=client, body=CreateAccessTokenRequest(grant_type="password")
        )

    assert response.status_code == status
    parsed = response.parsed
    assert isinstance(parsed, APIErrorAuthUnauthorizedResponse)
    assert parsed.error_code == "api_error.auth.unauthorized"
    assert parsed.error_message == "Accounts access not permitted"
    assert parsed.documentation_url is UNSET


def test_create_access_token_error_code_is_a_plain_string() -> None:
    body = {
        "error_code": "api_error.auth.something_new",
        "error_message": "New",
        "documentation_url": "https://docs.moneykit.com/errors",
    }
    server = Server(401, body)
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        parsed = create_access_token.sync(client=client, body=CreateAccessTokenRequest())

    assert isinstance(parsed, APIErrorAuthUnauthorizedResponse)
    assert parsed.error_code == "api_error.auth.something_new"
    assert parsed.documentation_url == "https://docs.moneykit.com/errors"


def test_create_access_token_422_validation_error() -> None:
    server = Server(422, VALIDATION_422)
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response = create_access_token.sync_detailed(
            client=client, body=CreateAccessTokenRequest(grant_type="x")
        )

    assert response.status_code == 422
    parsed = response.parsed
    assert isinstance(parsed, HTTPValidationError)
    assert parsed.error_code == "api_error.request.validation_failed"
    assert parsed.error_message == "Request validation error"
    assert len(parsed.validation_errors) == 1
    error = parsed.validation_errors[0]
    assert error.location == ["body", "grant_type"]
    assert error.message == "string does not match regex"
    assert error.type_ == "value_error"


def test_create_access_token_429_rate_limit() -> None:
    server = Server(429, RATE_LIMIT_429)
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response = create_access_token.sync_detailed(
            client=client, body=CreateAccessTokenRequest(grant_type="client_credentials")
        )

    assert response.status_code == 429
    parsed = response.parsed
    assert isinstance(parsed, APIErrorRateLimitExceededResponse)
    assert parsed.error_code == "api_error.rate_limit_exceeded"
    assert parsed.error_message == "Rate limit exceeded"


def test_introspect_on_the_wire() -> None:
    server = Server(200, INTROSPECT_OLD)
    with bearer_client(server, "52ea3d1b...4f9a53fffb67") as client:
        instrospect_client.sync_detailed(client=client)

    request = server.request
    assert request.method == "GET"
    assert str(request.url) == "https://api.moneykit.com/auth/introspect"
    assert request.headers["Authorization"] == "Bearer 52ea3d1b...4f9a53fffb67"
    assert request.headers["MoneyKit-Version"] == DEFAULT_VERSION
    assert request.content == b""
    assert "Content-Type" not in request.headers


@pytest.mark.parametrize(
    "body", [INTROSPECT_OLD, INTROSPECT_CURRENT], ids=["old_app", "current_app"]
)
def test_introspect_200_both_app_shapes(body: dict[str, Any]) -> None:
    server = Server(200, body)
    with bearer_client(server, "t") as client:
        response = instrospect_client.sync_detailed(client=client)

    assert response.status_code == 200
    parsed = response.parsed
    assert isinstance(parsed, AppClientResponse)
    assert parsed.client_id == "live_5c739a369515e10fc9e0"
    assert parsed.client_name == "My App (Prod)"
    assert parsed.scope == "link_session:create link:data:read link:data:refresh institutions:read"
    assert parsed.disabled_at is UNSET
    assert parsed.app.id == "3d18cdd1-fa96-4423-b781-bd5be036830e"
    assert parsed.app.app_name == "My App"
    if body is INTROSPECT_CURRENT:
        assert parsed.app.app_id == "3d18cdd1-fa96-4423-b781-bd5be036830e"
        assert parsed.app.name == "My App"
    else:
        assert parsed.app.app_id is UNSET
        assert parsed.app.name is UNSET


def test_introspect_200_disabled_at_parses_as_datetime() -> None:
    server = Server(200, INTROSPECT_CURRENT | {"disabled_at": "2024-01-02T03:04:05Z"})
    with bearer_client(server, "t") as client:
        parsed = instrospect_client.sync(client=client)

    assert isinstance(parsed, AppClientResponse)
    assert isinstance(parsed.disabled_at, datetime.datetime)
    assert parsed.disabled_at == datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)


@pytest.mark.parametrize("body", [EXPIRED, UNAUTHORIZED], ids=["expired", "unauthorized"])
def test_introspect_401_parses_both_vendor_variants(body: dict[str, str]) -> None:
    server = Server(401, body)
    with bearer_client(server, "t") as client:
        response = instrospect_client.sync_detailed(client=client)

    assert response.status_code == 401
    parsed = response.parsed
    assert isinstance(parsed, APIErrorAuthResponse)
    assert parsed.error_code == body["error_code"]
    assert parsed.error_message == body["error_message"]


def test_introspect_401_expired_without_message() -> None:
    # The expired-token model's error_message is optional in the vendor schema.
    server = Server(401, {"error_code": "api_error.auth.expired_access_token"})
    with bearer_client(server, "t") as client:
        parsed = instrospect_client.sync(client=client)

    assert isinstance(parsed, APIErrorAuthResponse)
    assert parsed.error_code == "api_error.auth.expired_access_token"
    assert parsed.error_message is UNSET


def test_jwks_on_the_wire_is_anonymous_with_optional_client_id() -> None:
    server = Server(200, JWKS)
    with make_client(Client, BASE_URL, server) as client:
        get_well_known_jwks.sync_detailed(client=client)
        get_well_known_jwks.sync_detailed(client=client, x_client_id="live_5c739a369515e10fc9e0")

    first, second = server.requests
    for request in (first, second):
        assert request.method == "GET"
        assert str(request.url) == "https://api.moneykit.com/.well-known/jwks.json"
        assert request.headers["MoneyKit-Version"] == DEFAULT_VERSION
        assert "Authorization" not in request.headers
    assert "X-Client-Id" not in first.headers
    assert second.headers["X-Client-Id"] == "live_5c739a369515e10fc9e0"


def test_jwks_200() -> None:
    server = Server(200, JWKS)
    with make_client(Client, BASE_URL, server) as client:
        response = get_well_known_jwks.sync_detailed(client=client)

    assert response.status_code == 200
    parsed = response.parsed
    assert isinstance(parsed, JWKSet)
    assert len(parsed.keys) == 1
    key = parsed.keys[0]
    assert isinstance(key, JWK)
    assert (key.kty, key.crv, key.kid, key.use, key.alg, key.x, key.y) == (
        "EC",
        "P-256",
        "<kid>",
        "sig",
        "ES256",
        "<b64url>",
        "<b64url>",
    )


def test_jwks_keys_are_open_objects_with_string_kty() -> None:
    body = {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "abc", "x5t": "thumb"}]}
    server = Server(200, body)
    with make_client(Client, BASE_URL, server) as client:
        parsed = get_well_known_jwks.sync(client=client)

    assert isinstance(parsed, JWKSet)
    key = parsed.keys[0]
    assert key.kty == "OKP"
    assert key.kid is UNSET
    assert key.additional_properties == {"x5t": "thumb"}


async def test_create_access_token_async_request_and_201() -> None:
    server = Server(201, TOKEN_201)
    async with make_async_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response = await create_access_token.asyncio_detailed(
            client=client, body=CreateAccessTokenRequest(grant_type="client_credentials")
        )

    assert server.request.method == "POST"
    assert str(server.request.url) == "https://api.moneykit.com/auth/token"
    assert server.request.headers["Content-Type"] == FORM
    assert form(server.request) == {"grant_type": ["client_credentials"]}
    assert server.request.headers["MoneyKit-Version"] == DEFAULT_VERSION
    assert response.status_code == 201
    assert isinstance(response.parsed, CreateAccessTokenResponse)
    assert response.parsed.expires_in == 3600


async def test_jwks_and_introspect_async() -> None:
    server = Server(200, JWKS)
    async with make_async_client(Client, BASE_URL, server) as client:
        jwks = await get_well_known_jwks.asyncio(client=client)
    assert isinstance(jwks, JWKSet)
    assert jwks.keys[0].alg == "ES256"

    server = Server(200, INTROSPECT_CURRENT)
    async with bearer_client(server, "tok") as bearer:
        introspect = await instrospect_client.asyncio(client=bearer)
    assert server.request.headers["Authorization"] == "Bearer tok"
    assert isinstance(introspect, AppClientResponse)
    assert introspect.app.name == "My App"


@pytest.mark.parametrize("operation", ["create_access_token", "instrospect_client", "jwks"])
def test_undocumented_status_gives_parsed_none(operation: str) -> None:
    server = Server(418, {"error_code": "teapot"})
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response: Any
        if operation == "create_access_token":
            response = create_access_token.sync_detailed(
                client=client, body=CreateAccessTokenRequest()
            )
        elif operation == "instrospect_client":
            response = instrospect_client.sync_detailed(client=client)
        else:
            response = get_well_known_jwks.sync_detailed(client=client)

    assert response.status_code == 418
    assert response.parsed is None
    assert json.loads(response.content) == {"error_code": "teapot"}
