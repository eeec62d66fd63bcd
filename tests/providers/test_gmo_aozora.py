"""GMO Aozora token source: code exchange, rotating refresh tokens, both auth methods."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import httpx
import pytest

from provider_tokens import (
    AccessToken,
    ConfigurationError,
    GmoAozora,
    InvalidClientError,
    NoRefreshTokenError,
    ServerError,
    TransportError,
)
from provider_tokens.stores import FileStore
from provider_tokens.testing import FakeProviders, ManualClock
from provider_tokens.testing._endpoints.gmo_aozora import ISSUER, id_token

from case_gmo_aozora import CASE, oauth
from cli_support import cli_fake, env, run
from conftest import MockProvider, reply

# Fixtures from cli_support, requested by name.
__all__ = ["cli_fake", "env"]

from conftest import START

JSON = "application/json;charset=UTF-8"
REDIRECT = "https://app.example/callback"


def signed_id_token(secret: str = "csecret") -> str:
    """An ID token as the bank signs it (HS256, the client secret), valid for 30 days."""
    now = int(START.timestamp())
    claims = {"iss": ISSUER, "sub": "user-1", "aud": "cid", "iat": now, "exp": now + 30 * 86400}
    return id_token(claims, secret)


ID_TOKEN = signed_id_token()


def issued(
    access: str, refresh: str | None = None, expires_in: object = 3600, secret: str = "csecret"
) -> httpx.Response:
    body: dict[str, object] = {
        "access_token": access,
        "scope": "private:account offline_access",
        "token_type": "Bearer",
        "expires_in": expires_in,
        "id_token": signed_id_token(secret),
    }
    if refresh:
        body["refresh_token"] = refresh
    return reply(200, body, content_type=JSON)


def source(mock: MockProvider, clock: ManualClock, **kwargs: object) -> GmoAozora:
    return GmoAozora(
        "cid",
        "csecret",
        redirect_uri=REDIRECT,
        http_client=mock.client(),
        clock=clock,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("environment", "host"),
    [("production", "api.gmo-aozora.com"), ("staging", "stg-api.gmo-aozora.com")],
)
def test_authorization_url(environment: str, host: str) -> None:
    aozora = GmoAozora("cid", "csecret", redirect_uri=REDIRECT, environment=environment)  # type: ignore[arg-type]
    url = httpx.URL(aozora.authorization_url("private:account offline_access", "st-1", nonce="n-1"))
    assert (url.host, url.path) == (host, "/ganb/api/auth/v1/authorization")
    assert dict(urllib.parse.parse_qsl(url.query.decode())) == {
        "client_id": "cid",
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "private:account offline_access",
        "state": "st-1",
        "nonce": "n-1",
    }
    assert "nonce" not in aozora.authorization_url("s", "st")


def test_code_exchange_with_basic_auth(clock: ManualClock) -> None:
    mock = MockProvider(issued("a1", "r1"))
    token = source(mock, clock).exchange_code("the-code")
    request = mock.requests[0]
    assert str(request.url) == "https://api.gmo-aozora.com/ganb/api/auth/v1/token"
    assert request.headers["authorization"] == "Basic Y2lkOmNzZWNyZXQ="
    assert mock.form() == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": REDIRECT,
    }
    assert (token.access_token, token.refresh_token) == ("a1", "r1")
    assert token.raw["id_token"] == ID_TOKEN
    assert token.id_claims is not None
    assert token.id_claims["aud"] == "cid"


async def test_code_exchange_with_post_auth(clock: ManualClock) -> None:
    mock = MockProvider(issued("a1", "r1", secret="cs:ec/ret+"))
    aozora = GmoAozora(
        "cid",
        "cs:ec/ret+",
        redirect_uri=REDIRECT,
        auth_method="post",
        async_http_client=mock.async_client(),
        clock=clock,
    )
    await aozora.aexchange_code("the-code")
    assert "authorization" not in mock.requests[0].headers
    assert mock.form() == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": REDIRECT,
        "client_id": "cid",
        "client_secret": "cs:ec/ret+",
    }


def test_refresh_rotates_and_keeps_the_newest_refresh_token(clock: ManualClock) -> None:
    seen: list[AccessToken] = []
    mock = MockProvider(issued("a1", "r2"), issued("a2", "r3"))
    aozora = source(mock, clock, refresh_token="r1", on_token=seen.append)
    assert aozora.token().access_token == "a1"
    clock.advance(3600)
    assert aozora.token().access_token == "a2"
    assert [mock.form(i)["refresh_token"] for i in (0, 1)] == ["r1", "r2"]
    assert mock.form(0)["grant_type"] == "refresh_token"
    assert "redirect_uri" not in mock.form(0)
    assert [t.refresh_token for t in seen] == ["r2", "r3"]


def test_refreshing_needs_no_redirect_uri(clock: ManualClock) -> None:
    mock = MockProvider(issued("a1", "r2"))
    aozora = GmoAozora("cid", "csecret", refresh_token="r1", http_client=mock.client(), clock=clock)
    assert aozora.token().access_token == "a1"
    assert mock.form(0) == {"grant_type": "refresh_token", "refresh_token": "r1"}


async def test_without_redirect_uri_the_code_flow_is_refused_up_front(clock: ManualClock) -> None:
    mock = MockProvider(issued("a1", "r1"))
    aozora = GmoAozora(
        "cid",
        "csecret",
        http_client=mock.client(),
        async_http_client=mock.async_client(),
        clock=clock,
    )
    with pytest.raises(ConfigurationError, match=r"authorization_url\(\) needs redirect_uri"):
        aozora.authorization_url("private:account offline_access", "st-1")
    with pytest.raises(ConfigurationError, match=r"exchange_code\(\) needs redirect_uri"):
        aozora.exchange_code("the-code")
    with pytest.raises(ConfigurationError, match=r"exchange_code\(\) needs redirect_uri"):
        await aozora.aexchange_code("the-code")
    assert mock.requests == []
    # Optional, but one given must still be usable.
    with pytest.raises(ConfigurationError, match="redirect_uri must be a non-empty string"):
        GmoAozora("cid", "csecret", redirect_uri="")


def test_an_answer_without_a_refresh_token_keeps_the_old_one(clock: ManualClock) -> None:
    mock = MockProvider(issued("a1"), issued("a2"))
    aozora = source(mock, clock, refresh_token="r1")
    assert aozora.token().refresh_token == "r1"
    aozora.invalidate()
    aozora.token()
    assert mock.form(1)["refresh_token"] == "r1"


def test_expires_in_as_a_numeric_string_is_accepted(clock: ManualClock) -> None:
    token = source(
        MockProvider(issued("a1", "r2", expires_in="2592000")), clock, refresh_token="r1"
    ).token()
    assert token.expires_in(now=clock.now()) == 2592000


def test_without_token_or_refresh_token_token_raises(clock: ManualClock) -> None:
    mock = MockProvider(issued("a1"))
    with pytest.raises(NoRefreshTokenError, match="exchange_code"):
        source(mock, clock).token()
    assert mock.requests == []


def test_invalidate_keeps_the_refresh_token(clock: ManualClock) -> None:
    mock = MockProvider(issued("a1", "r1"), issued("a2", "r2"))
    aozora = source(mock, clock)
    aozora.exchange_code("c")
    aozora.invalidate()
    assert aozora.token().access_token == "a2"
    assert mock.form(1) == {"grant_type": "refresh_token", "refresh_token": "r1"}


def test_a_refresh_is_not_retried_after_a_5xx(clock: ManualClock) -> None:
    mock = MockProvider(
        reply(503, {"error": "server_error"}, content_type=JSON), issued("a1", "r2")
    )
    with pytest.raises(
        ServerError, match="not retried: the refresh_token request may have reached"
    ):
        source(mock, clock, refresh_token="r1").token()
    assert len(mock.requests) == 1


def test_a_refresh_is_retried_when_the_connection_was_never_made(clock: ManualClock) -> None:
    mock = MockProvider(httpx.ConnectError("refused"), issued("a1", "r2"))
    assert source(mock, clock, refresh_token="r1").token().access_token == "a1"
    assert len(mock.requests) == 2


def test_a_refresh_is_not_retried_after_the_connection_dropped(clock: ManualClock) -> None:
    mock = MockProvider(httpx.RemoteProtocolError("server disconnected"), issued("a1", "r2"))
    with pytest.raises(TransportError, match="not retried"):
        source(mock, clock, refresh_token="r1").token()
    assert len(mock.requests) == 1


def test_resource_requests_use_x_access_token(clock: ManualClock) -> None:
    aozora = source(MockProvider(issued("a1", "r2")), clock, refresh_token="r1")
    seen: list[httpx.Request] = []

    def api(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    with httpx.Client(auth=aozora, transport=httpx.MockTransport(api)) as client:
        client.get("https://api.gmo-aozora.com/ganb/api/corporation/v1/accounts")
    assert seen[0].headers["x-access-token"] == "a1"
    assert "authorization" not in seen[0].headers


def test_two_users_of_one_client_never_share_a_token(clock: ManualClock) -> None:
    mock = MockProvider(issued("alice-token", "alice-r2"), issued("bob-token", "bob-r2"))
    alice = source(mock, clock, refresh_token="alice-r1")
    bob = source(mock, clock, refresh_token="bob-r1")
    assert alice.token().access_token == "alice-token"
    assert bob.token().access_token == "bob-token"
    assert [mock.form(i)["refresh_token"] for i in (0, 1)] == ["alice-r1", "bob-r1"]


def test_user_id_separates_users_in_a_shared_store(clock: ManualClock, tmp_path: Path) -> None:
    shared = FileStore(tmp_path)
    mock = MockProvider(issued("alice-token", "alice-r2"), issued("bob-token", "bob-r2"))
    alice = source(mock, clock, refresh_token="alice-r1", user_id="alice", store=shared)
    bob = source(mock, clock, refresh_token="bob-r1", user_id="bob", store=shared)
    assert alice.store_key != bob.store_key
    assert (alice.token().access_token, bob.token().access_token) == ("alice-token", "bob-token")
    assert "user_id='alice'" in repr(alice)


def test_unknown_codes_fall_back_by_status(clock: ManualClock) -> None:
    mock = MockProvider(reply(401, oauth("brand_new_code"), content_type=JSON))
    source = CASE.make(http_client=mock.client(), clock=clock)
    with pytest.raises(InvalidClientError) as caught:
        source.token()
    assert caught.value.error_code == "brand_new_code"


def test_a_rotated_refresh_token_travels_through_the_store(tmp_path: Path) -> None:
    # Two processes (two sources, one FileStore) started with the same refresh token.
    with FakeProviders(serve=False) as fake:
        stale = fake.refresh_token()
        shared = FileStore(tmp_path)
        kwargs = fake.credentials("gmo_aozora")
        a = GmoAozora(**kwargs, refresh_token=stale, store=shared)
        b = GmoAozora(**kwargs, refresh_token=stale, store=shared)
        first = a.token()  # refreshes with `stale`, which is now spent
        assert b.token().access_token == first.access_token  # read from the store
        b.invalidate()  # say the API refused it: b must refresh with A's new token
        second = b.token()
        forms = [r.form for r in fake.requests("gmo_aozora")]
    assert second.access_token != first.access_token
    assert [f["refresh_token"] for f in forms] == [stale, first.refresh_token]


def test_command_header_and_rotated_refresh_token(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "token", "gmo_aozora", "--format", "header")
    assert code == 0
    assert out.startswith("x-access-token: ")
    # The refresh token in the environment is now spent: say which one replaces it.
    assert err.startswith("export GMO_AOZORA_REFRESH_TOKEN=")
    assert env["GMO_AOZORA_REFRESH_TOKEN"] not in err
