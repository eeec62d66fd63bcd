"""MoneyKit token source: wire format, introspection and JWKS."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import provider_tokens
from provider_tokens import InvalidClientError, MoneyKit

from case_moneykit import CASE
from conftest import MockProvider, reply

INTROSPECT = {
    "client_id": "mk-client",
    "client_name": "unused",
    "scope": "link_session:create",
    "app": {"app_id": "a1", "name": "My App", "id": "a1", "app_name": "My App"},
}
JWKS = {
    "keys": [
        {"kty": "EC", "crv": "P-256", "kid": "k1", "use": "sig", "alg": "ES256", "x": "X", "y": "Y"}
    ]
}


@pytest.mark.parametrize(
    ("scope", "form"), [(None, {}), ("link:data:read", {"scope": "link:data:read"})]
)
def test_token_request(scope: str | None, form: dict[str, str]) -> None:
    mock = MockProvider(CASE.success())
    MoneyKit("mk-client", "secret", scope=scope, http_client=mock.client()).token()
    request = mock.requests[0]
    assert (request.method, str(request.url)) == ("POST", "https://api.moneykit.com/auth/token")
    assert request.headers["authorization"] == "Basic bWstY2xpZW50OnNlY3JldA=="
    assert mock.form() == {"grant_type": "client_credentials", **form}


def _routes(introspect: list[httpx.Response]) -> MockProvider:
    def route(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/token":
            n = sum(r.url.path == "/auth/token" for r in mock.requests)
            return reply(201, {"access_token": f"t{n}", "token_type": "bearer", "expires_in": 3600})
        if request.url.path == "/auth/introspect":
            return introspect.pop(0)
        return reply(200, JWKS)

    mock = MockProvider(route)
    return mock


def test_introspect_uses_the_bearer_token() -> None:
    mock = _routes([reply(200, INTROSPECT)])
    result = MoneyKit("mk-client", "secret", http_client=mock.client()).introspect()
    assert result.client_id == "mk-client"
    assert result.app.name == "My App"
    assert mock.requests[1].headers["authorization"] == "Bearer t1"


def test_introspect_replays_once_after_an_expired_token() -> None:
    expired = reply(
        401,
        {
            "error_code": "api_error.auth.expired_access_token",
            "error_message": "Access token expired",
        },
    )
    mock = _routes([expired, reply(200, INTROSPECT)])
    result = MoneyKit("mk-client", "secret", http_client=mock.client()).introspect()
    assert result.scope == "link_session:create"
    assert [
        r.headers["authorization"] for r in mock.requests if r.url.path == "/auth/introspect"
    ] == [
        "Bearer t2",  # the same request object, replayed with the new token
        "Bearer t2",
    ]


async def test_aintrospect_raises_a_typed_error_on_a_second_401() -> None:
    unauthorized = reply(401, {"error_code": "api_error.auth.unauthorized", "error_message": "no"})
    mock = _routes([unauthorized, unauthorized])
    with pytest.raises(InvalidClientError) as caught:
        await MoneyKit("mk-client", "secret", async_http_client=mock.async_client()).aintrospect()
    assert caught.value.error_code == "api_error.auth.unauthorized"


@pytest.mark.parametrize("use_async", [False, True])
async def test_jwks_needs_no_token(use_async: bool) -> None:
    mock = _routes([])
    source = MoneyKit(
        "mk-client", "secret", http_client=mock.client(), async_http_client=mock.async_client()
    )
    jwks = await source.ajwks() if use_async else source.jwks()
    assert jwks.keys[0].kid == "k1"
    request = mock.requests[0]
    assert request.url.path == "/.well-known/jwks.json"
    assert "authorization" not in request.headers
    assert request.headers["x-client-id"] == "mk-client"
    assert len(mock.requests) == 1


def test_a_dropped_connection_is_retried_for_client_credentials(clock: object) -> None:
    mock = MockProvider(httpx.RemoteProtocolError("server disconnected"), CASE.success())
    assert CASE.make(http_client=mock.client(), clock=clock).token().access_token == "mk-access"
    assert len(mock.requests) == 2


def test_a_read_timeout_is_not_retried_and_is_a_timeout_error(clock: object) -> None:
    mock = MockProvider(httpx.ReadTimeout("slow"), CASE.success())
    with pytest.raises(TimeoutError):
        CASE.make(http_client=mock.client(), clock=clock).token()
    assert len(mock.requests) == 1


def test_deep_imports_are_the_same_objects_as_attribute_access() -> None:
    from provider_tokens.moneykit.api.access_token import create_access_token

    moneykit: Any = provider_tokens.moneykit
    assert moneykit.api.access_token.create_access_token is create_access_token
