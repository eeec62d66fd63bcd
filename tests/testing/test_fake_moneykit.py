"""Fake MoneyKit token, introspection and JWKS against specs/moneykit.yaml, both servings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from provider_tokens import MoneyKit
from provider_tokens.testing import CREDENTIALS, Fault, ManualClock

from fake_support import MODES, Spec, Wire, clock, serving

# Fixtures from fake_support, requested by name.
__all__ = ["clock"]

SPEC = Spec("moneykit")
CLIENT = (CREDENTIALS["moneykit"]["client_id"], CREDENTIALS["moneykit"]["client_secret"])


@pytest.fixture(params=MODES)
def wire(request: pytest.FixtureRequest, clock: ManualClock) -> Iterator[Wire]:
    with serving(request.param, clock=clock.time) as pair:
        yield pair


def token(wire: Wire, data: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
    fake, client = wire
    kwargs.setdefault("auth", CLIENT)
    form = {"grant_type": "client_credentials"} if data is None else data
    return client.post(fake.base_url("moneykit") + "/auth/token", data=form, **kwargs)


def introspect(wire: Wire, access_token: str | None) -> httpx.Response:
    fake, client = wire
    headers = {"Authorization": f"Bearer {access_token}"} if access_token else {}
    return client.get(fake.base_url("moneykit") + "/auth/introspect", headers=headers)


def test_success_is_201(wire: Wire) -> None:
    response = token(wire)

    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    body = SPEC.check("/auth/token", "POST", response)
    assert body.keys() == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600


def test_form_credentials_are_an_alternative_to_basic(wire: Wire) -> None:
    form = {"grant_type": "client_credentials", "client_id": CLIENT[0], "client_secret": CLIENT[1]}

    assert token(wire, form, auth=None).status_code == 201


@pytest.mark.parametrize(
    ("data", "auth", "status"),
    [
        pytest.param(None, (CLIENT[0], "wrong"), 401, id="bad-secret"),
        pytest.param(None, None, 401, id="no-credentials"),
        pytest.param({"grant_type": "refresh_token"}, CLIENT, 400, id="refresh-grant"),
        pytest.param({"grant_type": "password"}, CLIENT, 400, id="bad-grant"),
        pytest.param(
            {"grant_type": "client_credentials", "scope": "link:delete"},
            CLIENT,
            401,
            id="scope-not-permitted",
        ),
    ],
)
def test_errors_use_the_unauthorized_model(
    wire: Wire, data: dict[str, str] | None, auth: Any, status: int
) -> None:
    response = token(wire, data, auth=auth)

    assert response.status_code == status
    body = SPEC.check("/auth/token", "POST", response)
    assert body["error_code"] == "api_error.auth.unauthorized"
    assert body["error_message"]


def test_introspection_describes_the_client_and_granted_scope(wire: Wire) -> None:
    access = token(wire, {"scope": "link:data:read institutions:read"}).json()["access_token"]

    response = introspect(wire, access)

    assert response.status_code == 200
    body = SPEC.check("/auth/introspect", "GET", response)
    assert body["client_id"] == CLIENT[0]
    assert body["scope"] == "link:data:read institutions:read"
    assert body["app"].keys() == {"app_id", "name", "id", "app_name"}


@pytest.mark.parametrize("access_token", [None, "never-issued"])
def test_introspection_refuses_unknown_tokens(wire: Wire, access_token: str | None) -> None:
    response = introspect(wire, access_token)

    assert response.status_code == 401
    assert SPEC.check("/auth/introspect", "GET", response)["error_code"] == (
        "api_error.auth.unauthorized"
    )


def test_introspection_tells_an_expired_token_apart(wire: Wire, clock: ManualClock) -> None:
    fake, _ = wire
    fake.set_lifetime("moneykit", 2)
    access = token(wire).json()["access_token"]
    assert introspect(wire, access).status_code == 200

    clock.advance(2)

    response = introspect(wire, access)
    assert response.status_code == 401
    body = SPEC.check("/auth/introspect", "GET", response)
    assert body == {
        "error_code": "api_error.auth.expired_access_token",
        "error_message": "Access token expired",
    }


def test_jwks_is_one_ec_p256_key(wire: Wire) -> None:
    fake, client = wire
    response = client.get(fake.base_url("moneykit") + "/.well-known/jwks.json")

    assert response.status_code == 200
    (key,) = SPEC.check("/.well-known/jwks.json", "GET", response)["keys"]
    assert {k: key[k] for k in ("kty", "crv", "use", "alg")} == {
        "kty": "EC",
        "crv": "P-256",
        "use": "sig",
        "alg": "ES256",
    }
    assert all(isinstance(key[k], str) and key[k] for k in ("kid", "x", "y"))


def test_wrong_types_keep_the_field_names(wire: Wire) -> None:
    fake, client = wire
    fake.inject("moneykit", Fault.wrong_types())

    body = client.post(fake.base_url("moneykit") + "/x").json()

    assert not isinstance(body["expires_in"], int)


def test_set_lifetime_shows_in_expires_in(wire: Wire) -> None:
    fake, _ = wire
    fake.set_lifetime("moneykit", 2)

    with MoneyKit(**fake.credentials("moneykit")) as moneykit:
        assert moneykit.token().raw["expires_in"] == 2


def test_introspection_after_expiry_makes_the_source_fetch_again(
    wire: Wire, clock: ManualClock
) -> None:
    fake, _ = wire
    fake.set_lifetime("moneykit", 2)
    with MoneyKit(**fake.credentials("moneykit"), clock=clock, refresh_margin=0) as source:
        source.introspect()
        clock.advance(2)
        source.introspect()

    paths = [r.path for r in fake.requests("moneykit")]
    assert paths == ["/auth/token", "/auth/introspect", "/auth/token", "/auth/introspect"]


def test_introspection_and_jwks_through_the_source(wire: Wire) -> None:
    fake, _ = wire
    with MoneyKit(**fake.credentials("moneykit")) as tokens:
        client = tokens.introspect()
        jwks = tokens.jwks()

    assert client.client_id == CREDENTIALS["moneykit"]["client_id"]
    assert client.app.app_name == "FAKE MoneyKit app"
    assert [key.kty for key in jwks.keys] == ["EC"]
    paths = [r.path for r in fake.requests("moneykit")]
    assert paths == ["/auth/token", "/auth/introspect", "/.well-known/jwks.json"]
