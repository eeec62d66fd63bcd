"""Wire tests for the generated GMO-PG client (specs/gmo_payment.yaml).

Every operation is called against an ``httpx.MockTransport``: the request on the wire is checked
(method, host, path, form body, headers), and every documented status is parsed into its model.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
import yaml

from provider_tokens.gmo_payment import AuthenticatedClient
from provider_tokens.gmo_payment.api.token import token as token_op
from provider_tokens.gmo_payment.models import (
    Problem,
    TokenRequest,
    TokenRequestGrantType,
    TokenRequestScope,
    TokenResponse,
)
from provider_tokens.gmo_payment.types import UNSET

from wire_support import Server, make_async_client, make_client

SPEC = Path(__file__).resolve().parents[2] / "specs" / "gmo_payment.yaml"
BASE_URL = "https://oauth.mul-pay.jp"
STG_BASE_URL = "https://stg.oauth.mul-pay.jp"
FORM = "application/x-www-form-urlencoded"
PROBLEM = "application/problem+json"

# [SRC: vendor OAS components.examples.tokenResponseExample]
TOKEN_201 = {
    "access_token": "M2NlNjE1ZjYtMzc1Yy00ZGQ5LTg0OTAtOGEwNzliMzYyMjUzOjAwMDAwMDAwMDAwMDA=",
    "expires_in": "3600",
    "scope": "openapi",
    "token_type": "bearer",
}
# [SRC: vendor OAS, inline example under paths./token.post.responses.400]
PROBLEM_400 = {
    "title": "invalid_parameter",
    "detail": "The parameter value is invalid.(grant_type)",
    "instance": "/token",
}
# [SRC: vendor OAS components.responses.500Response]
PROBLEM_500 = {
    "title": "internal_server_error",
    "detail": "An unexpected error has occurred.",
    "instance": "/xxx/xxx",
}
# [CONSTRUCTED] titles from the vendor errors table.
PROBLEM_401 = {"title": "unauthorized_request", "detail": "<English message>", "instance": "/token"}


def body() -> TokenRequest:
    return TokenRequest(
        grant_type=TokenRequestGrantType.CLIENT_CREDENTIALS, scope=TokenRequestScope.OPENAPI
    )


def test_spec_servers_are_the_oauth_host_not_the_payment_api_host() -> None:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    assert [s["url"] for s in spec["servers"]] == [BASE_URL, STG_BASE_URL]


def test_spec_carries_the_src_examples_verbatim() -> None:
    post = yaml.safe_load(SPEC.read_text(encoding="utf-8"))["paths"]["/token"]["post"]
    request_example = post["requestBody"]["content"][FORM]["examples"]["tokenRequestExample"]
    assert request_example["value"] == {"grant_type": "client_credentials", "scope": "openapi"}
    responses = post["responses"]
    assert [
        e["value"] for e in responses["201"]["content"]["application/json"]["examples"].values()
    ] == [TOKEN_201]
    assert [e["value"] for e in responses["400"]["content"][PROBLEM]["examples"].values()] == [
        PROBLEM_400
    ]
    assert [e["value"] for e in responses["500"]["content"][PROBLEM]["examples"].values()] == [
        PROBLEM_500
    ]


@pytest.mark.parametrize("base_url", [BASE_URL, STG_BASE_URL])
def test_token_request_on_the_wire(base_url: str) -> None:
    server = Server(201, TOKEN_201)
    with make_client(
        AuthenticatedClient,
        base_url,
        server,
        auth=httpx.BasicAuth("tshop00000001", "pass word"),
        token="",
    ) as client:
        token_op.sync_detailed(client=client, body=body())

    request = server.request
    assert request.method == "POST"
    assert str(request.url) == f"{base_url}/token"
    assert request.url.host.endswith("oauth.mul-pay.jp")
    assert "openapi.mul-pay.jp" not in str(request.url)
    assert request.headers["Content-Type"] == FORM
    assert parse_qs(request.content.decode(), strict_parsing=True) == {
        "grant_type": ["client_credentials"],
        "scope": ["openapi"],
    }
    expected = base64.b64encode(b"tshop00000001:pass word").decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    # Not declared on /token by the vendor, so the generated call does not send them.
    assert "Idempotency-Key" not in request.headers
    assert "X-MP-Version" not in request.headers


def test_token_201_parses_string_expires_in() -> None:
    server = Server(201, TOKEN_201)
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response = token_op.sync_detailed(client=client, body=body())

    assert response.status_code == 201
    parsed = response.parsed
    assert isinstance(parsed, TokenResponse)
    assert parsed.access_token == TOKEN_201["access_token"]
    assert parsed.expires_in == "3600"
    assert isinstance(parsed.expires_in, str)
    assert parsed.scope == "openapi"
    assert parsed.token_type == "bearer"
    assert parsed.additional_properties == {}


def test_token_response_without_required_list_accepts_missing_and_unknown_values() -> None:
    # TokenResponse has no `required` list and plain-string scope/token_type (no response enums).
    server = Server(201, {"token_type": "Bearer", "scope": "other", "extra": 1})
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        parsed = token_op.sync(client=client, body=body())

    assert isinstance(parsed, TokenResponse)
    assert parsed.access_token is UNSET
    assert parsed.expires_in is UNSET
    assert parsed.token_type == "Bearer"
    assert parsed.scope == "other"
    assert parsed.additional_properties == {"extra": 1}


@pytest.mark.parametrize(
    ("status", "problem"),
    [
        (400, PROBLEM_400),
        (401, PROBLEM_401),
        (404, {"title": "resource_not_found", "instance": "/token"}),
        (405, {"title": "method_not_allowed", "instance": "/token"}),
        (415, {"title": "unsupported_media_type", "instance": "/token"}),
        (429, {"title": "too_many_requests", "instance": "/token"}),
        (500, PROBLEM_500),
        (503, {"title": "service_unavailable", "instance": "/token"}),
    ],
)
def test_token_error_statuses_parse_as_problem(status: int, problem: dict[str, str]) -> None:
    server = Server(status, problem, content_type=PROBLEM)
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response = token_op.sync_detailed(client=client, body=body())

    assert response.status_code == status
    assert response.headers["Content-Type"] == PROBLEM
    parsed = response.parsed
    assert isinstance(parsed, Problem)
    assert parsed.title == problem["title"]
    assert parsed.detail == problem.get("detail", UNSET)
    assert parsed.instance == problem["instance"]
    assert parsed.type_ is UNSET
    assert parsed.additional_properties == {}


def test_problem_type_member_and_unknown_members() -> None:
    # `type` maps to `type_`; Problem has no `status` member, so one sent anyway is kept as extra.
    body_ = {
        "type": "https://mp-faq.gmo-pg.com/s/article/D00923",
        "title": "invalid_parameter",
        "detail": "The parameter value is invalid.(scope)",
        "instance": "/token",
        "status": 400,
    }
    server = Server(400, body_, content_type=PROBLEM)
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        parsed = token_op.sync(client=client, body=body())

    assert isinstance(parsed, Problem)
    assert parsed.type_ == "https://mp-faq.gmo-pg.com/s/article/D00923"
    assert parsed.detail == "The parameter value is invalid.(scope)"
    assert parsed.additional_properties == {"status": 400}


async def test_token_async_request_and_201() -> None:
    server = Server(201, TOKEN_201)
    async with make_async_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response = await token_op.asyncio_detailed(client=client, body=body())

    assert server.request.method == "POST"
    assert str(server.request.url) == "https://oauth.mul-pay.jp/token"
    assert server.request.headers["Content-Type"] == FORM
    assert parse_qs(server.request.content.decode()) == {
        "grant_type": ["client_credentials"],
        "scope": ["openapi"],
    }
    assert response.status_code == 201
    assert isinstance(response.parsed, TokenResponse)
    assert response.parsed.expires_in == "3600"


def test_undocumented_status_gives_parsed_none() -> None:
    server = Server(418, {"title": "teapot"}, content_type=PROBLEM)
    with make_client(AuthenticatedClient, BASE_URL, server, token="") as client:
        response = token_op.sync_detailed(client=client, body=body())

    assert response.status_code == 418
    assert response.parsed is None
    assert json.loads(response.content) == {"title": "teapot"}
