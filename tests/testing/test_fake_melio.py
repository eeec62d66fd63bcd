"""Fake Melio ``POST /auth/token`` against specs/melio.yaml, both servings."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import httpx
import pytest

from provider_tokens import Melio
from provider_tokens._registry import NAMES
from provider_tokens.testing import CREDENTIALS, FakeProviders, Fault, ManualClock
from provider_tokens.testing._endpoints import endpoint_class

from fake_support import MODES, Spec, Wire, clock, make_source, serving

# Fixtures from fake_support, requested by name.
__all__ = ["clock"]

SPEC = Spec("melio")
KEY = CREDENTIALS["melio"]["api_key"]
ACCOUNT = CREDENTIALS["melio"]["account_id"]


@pytest.fixture(params=MODES)
def wire(request: pytest.FixtureRequest, clock: ManualClock) -> Iterator[Wire]:
    with serving(request.param, clock=clock.time) as pair:
        yield pair


def token(wire: Wire, **headers: str) -> httpx.Response:
    fake, client = wire
    sent = {"API-Key": KEY, "Idempotency-Key": "idem-1", "Melio-Account": ACCOUNT}
    sent |= {k.replace("_", "-"): v for k, v in headers.items()}
    return client.post(
        fake.base_url("melio") + "/auth/token", headers={k: v for k, v in sent.items() if v}
    )


def test_success_is_200_with_an_absolute_utc_expiry(wire: Wire, clock: ManualClock) -> None:
    response = token(wire)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    data = SPEC.check("/auth/token", "POST", response)["data"]
    assert data["expiresAt"].endswith("Z")
    expires = dt.datetime.fromisoformat(data["expiresAt"])
    assert abs(expires.timestamp() - (clock.time() + 3600)) < 0.001
    assert data["accessToken"] != data["refreshToken"]


def test_account_header_is_optional(wire: Wire) -> None:
    response = token(wire, Melio_Account="")

    assert response.status_code == 200
    assert SPEC.check("/auth/token", "POST", response)["data"]["accessToken"]


def test_success_status_can_be_201(wire: Wire) -> None:
    wire[0].set_success_status("melio", 201)

    response = token(wire)

    assert response.status_code == 201
    assert SPEC.check("/auth/token", "POST", response)["data"]["accessToken"]


def test_missing_idempotency_key_is_a_validation_error(wire: Wire) -> None:
    response = token(wire, Idempotency_Key="")

    assert response.status_code == 400
    assert SPEC.check("/auth/token", "POST", response) == {
        "error": {
            "code": "validation_error",
            "message": "Missing Idempotency-Key header",
            "data": [{"field": "Idempotency-Key"}],
        }
    }


@pytest.mark.parametrize("api_key", ["", "wrong-key"])
def test_bad_api_key_is_401(wire: Wire, api_key: str) -> None:
    response = token(wire, API_Key=api_key)

    assert response.status_code == 401
    assert SPEC.check("/auth/token", "POST", response) == {
        "error": {"code": "unauthorized", "message": "Invalid API key"}
    }


def test_unknown_account_is_404(wire: Wire) -> None:
    response = token(wire, Melio_Account="someone-else")

    assert response.status_code == 404
    assert SPEC.check("/auth/token", "POST", response)["error"]["code"] == "not_found"


def test_a_replayed_idempotency_key_returns_the_first_token(wire: Wire) -> None:
    first = token(wire, Idempotency_Key="idem-A")
    replay = token(wire, Idempotency_Key="idem-A")
    other = token(wire, Idempotency_Key="idem-B")

    assert replay.status_code == first.status_code == 200
    assert replay.json() == first.json()
    assert other.json()["data"]["accessToken"] != first.json()["data"]["accessToken"]


def test_the_same_key_for_another_account_is_a_conflict(wire: Wire) -> None:
    assert token(wire, Idempotency_Key="idem-C").status_code == 200

    response = token(wire, Idempotency_Key="idem-C", Melio_Account="")

    assert response.status_code == 409
    assert SPEC.check("/auth/token", "POST", response)["error"]["code"] == "conflict"


def test_reset_forgets_idempotency_keys(wire: Wire) -> None:
    fake, _ = wire
    first = token(wire, Idempotency_Key="idem-D").json()
    fake.reset()

    again = token(wire, Idempotency_Key="idem-D").json()

    assert again["data"]["accessToken"] != first["data"]["accessToken"]


def test_wrong_types_keep_the_field_names(wire: Wire) -> None:
    fake, client = wire
    fake.inject("melio", Fault.wrong_types())

    body = client.post(fake.base_url("melio") + "/x").json()

    assert set(body["data"]) == {"accessToken", "expiresAt", "refreshToken"}


def test_a_global_lifetime_shows_in_expires_at(clock: ManualClock) -> None:
    with (
        FakeProviders(serve=False, lifetime=90, clock=clock.time) as fake,
        Melio(**fake.credentials("melio"), clock=clock) as melio,
    ):
        expires_at = melio.token().expires_at
    assert expires_at is not None
    assert abs(expires_at.timestamp() - (clock.time() + 90)) < 0.001


def test_melio_expiry_is_absolute_on_the_fakes_clock(clock: ManualClock) -> None:
    clock.advance(86_400)  # a day ahead of the real time
    with (
        FakeProviders(serve=False, clock=clock.time) as fake,
        httpx.Client(transport=fake.transport()) as client,
    ):
        response = client.post(
            fake.base_url("melio") + "/auth/token",
            headers={"API-Key": CREDENTIALS["melio"]["api_key"], "Idempotency-Key": "k"},
        )

    expires_at = dt.datetime.fromisoformat(response.json()["data"]["expiresAt"])
    assert abs(expires_at.timestamp() - (clock.time() + 3600)) < 0.001


def test_melio_source_sends_account_and_a_uuid_idempotency_key(wire: Wire) -> None:
    fake, _ = wire
    with make_source(fake, "melio") as tokens:
        tokens.token()

    (sent,) = fake.requests("melio")
    assert sent.headers["melio-account"] == CREDENTIALS["melio"]["account_id"]
    assert uuid.UUID(sent.headers["idempotency-key"]).version == 4
    assert sent.body == b""


def test_reprs_show_no_secrets(wire: Wire) -> None:
    fake, client = wire
    secrets = [  # every registered test client's, whichever way it authenticates
        value
        for provider in NAMES
        for method in endpoint_class(provider).auth_methods
        for key, value in fake.credentials(provider, auth_method=method).items()  # type: ignore[call-overload]
        if "secret" in key or "pass" in key or "key" in key
    ]
    client.post(
        fake.base_url("melio") + "/auth/token",
        headers={"API-Key": CREDENTIALS["melio"]["api_key"], "Idempotency-Key": "k"},
    )
    shown = repr(fake) + repr(fake.requests()) + repr(fake.transport())

    assert fake.origin in repr(fake)
    assert "api-key: <redacted>" in shown.lower()
    assert secrets
    for secret in secrets:
        assert secret not in shown
