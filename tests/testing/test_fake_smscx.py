"""Fake SMS.CX ``POST /oauth/token`` against specs/smscx.yaml, both servings."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from provider_tokens import Smscx
from provider_tokens.testing import CREDENTIALS, FakeProviders, Fault

from fake_support import Spec, Wire, wire

# Fixtures from fake_support, requested by name.
__all__ = ["wire"]

SPEC = Spec("smscx")
APP = (CREDENTIALS["smscx"]["application_id"], CREDENTIALS["smscx"]["application_secret"])


def token(wire: Wire, data: dict[str, str], auth: Any = APP) -> httpx.Response:
    fake, client = wire
    return client.post(fake.base_url("smscx") + "/oauth/token", data=data, auth=auth)


def test_success_is_200_with_all_app_scopes(wire: Wire) -> None:
    response = token(wire, {"grant_type": "client_credentials"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert len(response.headers["x-request-id"]) == 32
    body = SPEC.check("/oauth/token", "POST", response)
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 86_400
    assert body["scope"] == "sms groups templates otp reports"


def test_requested_scope_is_granted_as_asked(wire: Wire) -> None:
    response = token(wire, {"grant_type": "client_credentials", "scope": "sms otp"})

    assert SPEC.check("/oauth/token", "POST", response)["scope"] == "sms otp"


@pytest.mark.parametrize(
    ("data", "auth", "status", "error_type"),
    [
        pytest.param(
            {"grant_type": "client_credentials"}, None, 401, "invalid_client", id="no-basic"
        ),
        pytest.param(
            {"grant_type": "client_credentials"},
            (APP[0], "wrong"),
            401,
            "invalid_client",
            id="bad-secret",
        ),
        pytest.param({}, APP, 400, "invalid_request", id="missing-grant-type"),
        pytest.param(
            {"grant_type": "password"}, APP, 400, "unsupported_grant_type", id="password-grant"
        ),
        pytest.param(
            {"grant_type": "client_credentials", "scope": "sms viber"},
            APP,
            400,
            "invalid_scope",
            id="scope-not-allowed",
        ),
    ],
)
def test_documented_errors(
    wire: Wire, data: dict[str, str], auth: Any, status: int, error_type: str
) -> None:
    response = token(wire, data, auth)

    assert response.status_code == status
    assert response.headers["x-request-id"]
    error = SPEC.check("/oauth/token", "POST", response)["error"]
    assert error["type"] == error_type
    assert error["code"] == 1600
    assert error["uri"].startswith("https://sms.cx/")
    assert error["message"]


def test_wrong_method_is_405_invalid_method(wire: Wire) -> None:
    fake, client = wire
    response = client.get(fake.base_url("smscx") + "/oauth/token", auth=APP)

    assert response.status_code == 405
    assert SPEC.check("/oauth/token", "POST", response)["error"]["type"] == "invalid_method"


def test_status_fault_answers_once_in_the_providers_error_shape(wire: Wire) -> None:
    fake, _ = wire
    fault = Fault.status(503, retry_after="2", headers={"X-Rate-Limit-Reset": "1700000000"})
    fake.inject("smscx", fault)

    faulted = token(wire, {"grant_type": "client_credentials"})
    normal = token(wire, {"grant_type": "client_credentials"})

    assert faulted.status_code == 503
    assert faulted.headers["retry-after"] == "2"
    assert faulted.headers["x-rate-limit-reset"] == "1700000000"
    assert faulted.json()["error"]["type"] == "server_error"
    assert normal.status_code == 200
    assert [r.fault for r in fake.requests("smscx")] == [fault, None]


def test_a_global_lifetime_shows_in_expires_in() -> None:
    with (
        FakeProviders(serve=False, lifetime=90) as fake,
        Smscx(**fake.credentials("smscx")) as smscx,
    ):
        assert smscx.token().raw["expires_in"] == 90


def test_the_source_gets_all_the_apps_scopes(wire: Wire) -> None:
    fake, _ = wire
    with Smscx(**fake.credentials("smscx")) as source:
        assert source.token().scope == "sms groups templates otp reports"
