"""Fake GMO Aozora `/token` and `/authorization` vs specs/gmo_aozora.yaml, both servings."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from provider_tokens import GmoAozora, InvalidGrantError
from provider_tokens._registry import NAMES
from provider_tokens.stores import MemoryStore
from provider_tokens.testing import (
    CREDENTIALS,
    GMO_AOZORA_POST_CREDENTIALS,
    FakeProviders,
    ManualClock,
)
from provider_tokens.testing._fake import AuthMethod

from fake_support import MODES, Spec, Wire, clock, fake, wire

# Fixtures from fake_support, requested by name.
__all__ = ["clock", "fake", "wire"]

SPEC = Spec("gmo_aozora")
BASIC = CREDENTIALS["gmo_aozora"]
POST = GMO_AOZORA_POST_CREDENTIALS
BASIC_AUTH = (BASIC["client_id"], BASIC["client_secret"])
REDIRECT = BASIC["redirect_uri"]
JSON_UTF8 = "application/json;charset=UTF-8"


def token(wire: Wire, data: dict[str, str], auth: Any = BASIC_AUTH) -> httpx.Response:
    fake, client = wire
    return client.post(fake.base_url("gmo_aozora") + "/token", data=data, auth=auth)


def code_form(code: str, redirect_uri: str = REDIRECT) -> dict[str, str]:
    return {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}


def error_of(response: httpx.Response, status: int) -> str:
    assert response.status_code == status
    assert response.headers["content-type"] == JSON_UTF8
    body = SPEC.check("/token", "POST", response)
    assert set(body) <= {"error", "error_description"}
    error: str = body["error"]
    return error


def test_code_exchange_with_basic_returns_tokens(wire: Wire) -> None:
    fake, _ = wire
    response = token(wire, code_form(fake.authorization_code()))

    assert response.status_code == 200
    assert response.headers["content-type"] == JSON_UTF8
    assert response.headers["cache-control"] == "no-store"
    body = SPEC.check("/token", "POST", response)
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 2_592_000
    assert body["scope"] == "private:account offline_access"
    assert body["refresh_token"]
    assert "id_token" not in body


def test_no_refresh_token_without_offline_access(wire: Wire) -> None:
    fake, _ = wire
    body = token(wire, code_form(fake.authorization_code(scope="private:account"))).json()

    assert "refresh_token" not in body
    assert body["scope"] == "private:account"


def test_openid_scope_adds_an_hs256_id_token_with_the_nonce(wire: Wire) -> None:
    fake, _ = wire
    code = fake.authorization_code(scope="openid private:account", nonce="n-0S6")
    id_token = SPEC.check("/token", "POST", token(wire, code_form(code)))["id_token"]

    header, payload, signature = id_token.split(".")
    expected = hmac.new(
        BASIC["client_secret"].encode(), f"{header}.{payload}".encode(), hashlib.sha256
    ).digest()
    assert base64.urlsafe_b64decode(signature + "==") == expected
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    assert claims["aud"] == BASIC["client_id"]
    assert claims["nonce"] == "n-0S6"


def test_post_client_sends_credentials_in_the_form(wire: Wire) -> None:
    fake, _ = wire
    form = code_form(fake.authorization_code(auth_method="post"))
    form |= {"client_id": POST["client_id"], "client_secret": POST["client_secret"]}

    response = token(wire, form, auth=None)

    assert response.status_code == 200
    assert SPEC.check("/token", "POST", response)["access_token"]


@pytest.mark.parametrize(
    ("auth_method", "form_credentials", "basic", "status"),
    [
        pytest.param("basic", False, ("FAKE-aozora-basic-client", "wrong"), 401, id="bad-secret"),
        pytest.param("basic", True, None, 400, id="basic-client-using-form"),
        pytest.param(
            "post",
            False,
            ("FAKE-aozora-post-client", "FAKE-aozora-post-secret"),
            401,
            id="post-client-using-basic",
        ),
        pytest.param("basic", False, ("nobody", "nothing"), 401, id="unknown-client"),
    ],
)
def test_client_authentication_follows_the_registration(
    wire: Wire,
    auth_method: str,
    form_credentials: bool,
    basic: tuple[str, str] | None,
    status: int,
) -> None:
    fake, _ = wire
    form = code_form(
        fake.authorization_code(auth_method="post" if auth_method == "post" else "basic")
    )
    if form_credentials:
        form |= {"client_id": BASIC["client_id"], "client_secret": BASIC["client_secret"]}

    response = token(wire, form, auth=basic)

    assert error_of(response, status) == "invalid_client"
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Basic")


def test_a_code_is_single_use(wire: Wire) -> None:
    fake, _ = wire
    code = fake.authorization_code()
    assert token(wire, code_form(code)).status_code == 200

    assert error_of(token(wire, code_form(code)), 400) == "invalid_grant"


@pytest.mark.parametrize(
    ("make_form", "error"),
    [
        pytest.param(lambda fake: code_form("never-issued"), "invalid_grant", id="unknown-code"),
        pytest.param(
            lambda fake: code_form(fake.authorization_code(), "https://evil.invalid/cb"),
            "invalid_grant",
            id="redirect-mismatch",
        ),
        pytest.param(
            lambda fake: code_form(fake.authorization_code(auth_method="post")),
            "invalid_grant",
            id="code-of-another-client",
        ),
        pytest.param(
            lambda fake: {"grant_type": "authorization_code", "redirect_uri": REDIRECT},
            "invalid_request",
            id="missing-code",
        ),
        pytest.param(lambda fake: {"code": "x"}, "invalid_request", id="missing-grant-type"),
        pytest.param(
            lambda fake: {"grant_type": "client_credentials"},
            "unsupported_grant_type",
            id="unsupported-grant-type",
        ),
        pytest.param(
            lambda fake: {"grant_type": "refresh_token"}, "invalid_request", id="no-refresh-token"
        ),
        pytest.param(
            lambda fake: {"grant_type": "refresh_token", "refresh_token": "never-issued"},
            "invalid_grant",
            id="unknown-refresh-token",
        ),
    ],
)
def test_documented_400_errors(wire: Wire, make_form: Any, error: str) -> None:
    assert error_of(token(wire, make_form(wire[0])), 400) == error


def test_refresh_tokens_rotate_and_a_spent_one_is_invalid_grant(wire: Wire) -> None:
    fake, _ = wire
    first = fake.refresh_token()

    rotated = token(wire, {"grant_type": "refresh_token", "refresh_token": first})
    body = SPEC.check("/token", "POST", rotated)
    assert body["refresh_token"] != first

    replay = token(wire, {"grant_type": "refresh_token", "refresh_token": first})
    assert error_of(replay, 400) == "invalid_grant"
    assert "used" in replay.json()["error_description"]

    again = token(wire, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
    assert again.status_code == 200


def test_a_refresh_cannot_widen_the_scope(wire: Wire) -> None:
    fake, _ = wire
    refresh = fake.refresh_token(scope="private:account offline_access")
    form = {"grant_type": "refresh_token", "refresh_token": refresh, "scope": "private:transfer"}

    assert error_of(token(wire, form), 400) == "invalid_scope"


def test_non_form_body_is_invalid_request(wire: Wire) -> None:
    fake, client = wire
    response = client.post(fake.base_url("gmo_aozora") + "/token", json={}, auth=BASIC_AUTH)

    assert error_of(response, 400) == "invalid_request"


def test_success_status_can_be_201(wire: Wire) -> None:
    fake, _ = wire
    fake.set_success_status("gmo_aozora", 201)

    response = token(wire, code_form(fake.authorization_code()))

    assert response.status_code == 201
    assert SPEC.check("/token", "POST", response)["access_token"]
    with pytest.raises(ValueError, match="success status"):
        fake.set_success_status("gmo_aozora", 204)


def authorize(wire: Wire, **params: str) -> httpx.Response:
    fake, client = wire
    query = {
        "client_id": BASIC["client_id"],
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "private:account offline_access",
        "state": "xyz",
    } | params
    return client.get(fake.base_url("gmo_aozora") + "/authorization", params=query)


def test_authorization_redirects_with_a_code_that_exchanges(wire: Wire) -> None:
    response = authorize(wire)

    assert response.status_code == 302
    SPEC.check("/authorization", "GET", response)
    location = urllib.parse.urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    result = dict(urllib.parse.parse_qsl(location.query))
    assert result["state"] == "xyz"
    assert token(wire, code_form(result["code"])).status_code == 200


def test_authorization_errors_redirect_with_error_and_state(wire: Wire) -> None:
    response = authorize(wire, response_type="token")

    assert response.status_code == 302
    result = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(response.headers["location"]).query))
    assert result == {"error": "unsupported_response_type", "state": "xyz"}


def test_authorization_never_redirects_to_an_unregistered_uri(wire: Wire) -> None:
    response = authorize(wire, redirect_uri="https://evil.invalid/cb")

    assert response.status_code == 400
    assert "location" not in response.headers
    assert response.json()["error"] == "invalid_request"


# -- through the SDK's source ---------------------------------------------------------------


@pytest.fixture(params=MODES)
def timed(request: pytest.FixtureRequest, clock: ManualClock) -> Iterator[FakeProviders]:
    """The fakes on the ``clock`` fixture's time, in each of the MODES."""
    with FakeProviders(serve=request.param == "server", clock=clock.time) as fake:
        yield fake


def test_aozora_exchanges_a_code_then_refreshes(fake: FakeProviders) -> None:
    with GmoAozora(**fake.credentials("gmo_aozora"), max_retries=0) as tokens:
        first = tokens.exchange_code(fake.authorization_code())
        tokens.invalidate()
        second = tokens.token()

    code_request, refresh_request = fake.requests("gmo_aozora")
    assert code_request.form["grant_type"] == "authorization_code"
    assert refresh_request.form == {
        "grant_type": "refresh_token",
        "refresh_token": first.refresh_token,
    }
    assert second.access_token != first.access_token
    assert second.refresh_token not in (None, first.refresh_token)
    assert fake.is_valid_token("gmo_aozora", second.access_token)


async def test_aozora_async_with_the_post_client(fake: FakeProviders) -> None:
    kwargs = fake.credentials("gmo_aozora", auth_method="post")
    async with GmoAozora(**kwargs, max_retries=0) as tokens:
        first = await tokens.aexchange_code(fake.authorization_code(auth_method="post"))
        tokens.invalidate()
        second = await tokens.atoken()

    assert second.access_token != first.access_token
    for sent in fake.requests("gmo_aozora"):
        assert "authorization" not in sent.headers
        assert sent.form["client_id"] == kwargs["client_id"]


def test_aozora_spent_refresh_token_is_invalid_grant(fake: FakeProviders) -> None:
    stored = fake.refresh_token()
    with GmoAozora(**fake.credentials("gmo_aozora"), refresh_token=stored) as tokens:
        tokens.token()  # rotates: `stored` is now spent

    # Another process (its own store) still holding the old refresh token.
    elsewhere = MemoryStore()
    with (
        GmoAozora(**fake.credentials("gmo_aozora"), refresh_token=stored, store=elsewhere) as stale,
        pytest.raises(InvalidGrantError) as raised,
    ):
        stale.token()

    assert raised.value.status_code == 400
    assert raised.value.error_code == "invalid_grant"


def test_aozora_browser_flow_through_authorization_url(fake: FakeProviders) -> None:
    transport = fake.transport() if not fake.serve else None
    with (
        GmoAozora(**fake.credentials("gmo_aozora")) as tokens,
        httpx.Client(transport=transport) as browser,
    ):
        url = tokens.authorization_url(scope="private:account offline_access", state="s-1")
        redirect = browser.get(url)
        assert redirect.status_code == 302
        query = dict(
            urllib.parse.parse_qsl(urllib.parse.urlsplit(redirect.headers["location"]).query)
        )
        assert query["state"] == "s-1"
        token = tokens.exchange_code(query["code"])

    assert token.refresh_token
    assert fake.requests("gmo_aozora")[0].query["redirect_uri"] == tokens.redirect_uri


def test_aozora_refreshes_after_expiry(timed: FakeProviders, clock: ManualClock) -> None:
    timed.set_lifetime("gmo_aozora", 120)
    with GmoAozora(**timed.credentials("gmo_aozora"), clock=clock, refresh_margin=10) as source:
        first = source.exchange_code(timed.authorization_code())
        clock.advance(121)
        second = source.token()

    assert second.access_token != first.access_token
    assert timed.requests("gmo_aozora")[-1].form["grant_type"] == "refresh_token"


def test_an_authorization_code_expires_after_ten_minutes(
    timed: FakeProviders, clock: ManualClock
) -> None:
    code = timed.authorization_code()
    clock.advance(600)

    with (
        GmoAozora(**timed.credentials("gmo_aozora"), max_retries=0) as source,
        pytest.raises(InvalidGrantError),
    ):
        source.exchange_code(code)


def test_post_credentials_exist_only_for_aozora(fake: FakeProviders) -> None:
    assert fake.credentials("gmo_aozora", auth_method="post")["auth_method"] == "post"
    with pytest.raises(ValueError, match="gmo_aozora"):
        fake.credentials(next(n for n in NAMES if n != "gmo_aozora"), auth_method="post")
    with pytest.raises(ValueError, match="unknown provider"):
        fake.credentials("paypal")


def test_the_environment_refresh_token_works(fake: FakeProviders) -> None:
    env = fake.environment("gmo_aozora")
    transport: dict[str, Any] = (
        {} if fake.serve else {"http_client": fake.credentials("gmo_aozora")["http_client"]}
    )

    with GmoAozora(
        env["GMO_AOZORA_CLIENT_ID"],
        env["GMO_AOZORA_CLIENT_SECRET"],
        redirect_uri=env["GMO_AOZORA_REDIRECT_URI"],
        base_url=env["GMO_AOZORA_BASE_URL"],
        refresh_token=env["GMO_AOZORA_REFRESH_TOKEN"],
        **transport,
    ) as source:
        assert source.token().refresh_token != env["GMO_AOZORA_REFRESH_TOKEN"]


@pytest.mark.parametrize(("auth_method", "other"), [("basic", "post"), ("post", "basic")])
def test_refresh_tokens_belong_to_the_client_they_were_issued_to(
    fake: FakeProviders, auth_method: AuthMethod, other: AuthMethod
) -> None:
    mine = fake.refresh_token(auth_method=auth_method)
    with GmoAozora(
        **fake.credentials("gmo_aozora", auth_method=auth_method), refresh_token=mine
    ) as own:
        assert own.token().refresh_token not in (None, mine)

    theirs = fake.refresh_token(auth_method=other)
    kwargs = fake.credentials("gmo_aozora", auth_method=auth_method)
    with (
        GmoAozora(**kwargs, refresh_token=theirs) as wrong,
        pytest.raises(InvalidGrantError, match="issued to another client") as raised,
    ):
        wrong.token()
    assert raised.value.description == "Refresh token was issued to another client"
    # Refused, not spent: its own client still refreshes with it.
    with GmoAozora(
        **fake.credentials("gmo_aozora", auth_method=other), refresh_token=theirs
    ) as own:
        assert own.token().access_token


def test_a_code_of_another_client_is_refused_as_such(wire: Wire) -> None:
    fake, _ = wire
    response = token(wire, code_form(fake.authorization_code(auth_method="post")))
    assert error_of(response, 400) == "invalid_grant"
    assert response.json()["error_description"] == "Authorization code was issued to another client"
