"""Fake GMO-PG ``POST /token`` against specs/gmo_payment.yaml, through both servings."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from provider_tokens import GmoPayment
from provider_tokens.testing import CREDENTIALS, FakeProviders, Fault

from fake_support import Spec, wire

# Fixtures from fake_support, requested by name.
__all__ = ["wire"]

SPEC = Spec("gmo_payment")
SHOP = (CREDENTIALS["gmo_payment"]["shop_id"], CREDENTIALS["gmo_payment"]["shop_pass"])
FORM = {"grant_type": "client_credentials", "scope": "openapi"}


def post(wire: tuple[FakeProviders, httpx.Client], **kwargs: Any) -> httpx.Response:
    fake, client = wire
    return client.post(fake.base_url("gmo_payment") + "/token", **kwargs)


def test_success_is_201_with_a_string_expires_in(wire: tuple[FakeProviders, httpx.Client]) -> None:
    response = post(wire, auth=SHOP, data=FORM)

    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    body = SPEC.check("/token", "POST", response)
    assert body["expires_in"] == "3600"
    assert body["token_type"] == "bearer"
    assert body["scope"] == "openapi"
    assert wire[0].is_valid_token("gmo_payment", body["access_token"])


@pytest.mark.parametrize(
    ("kwargs", "status", "title", "detail"),
    [
        pytest.param({"data": FORM}, 401, "unauthorized_request", None, id="no-basic"),
        pytest.param(
            {"auth": (SHOP[0], "wrong"), "data": FORM},
            401,
            "unauthorized_request",
            None,
            id="wrong-password",
        ),
        pytest.param(
            {"auth": SHOP, "json": FORM}, 415, "unsupported_media_type", None, id="json-body"
        ),
        pytest.param(
            {"auth": SHOP, "data": {"scope": "openapi"}},
            400,
            "missing_parameter",
            "(grant_type)",
            id="no-grant-type",
        ),
        pytest.param(
            {"auth": SHOP, "data": {**FORM, "grant_type": "password"}},
            400,
            "invalid_parameter",
            "The parameter value is invalid.(grant_type)",
            id="wrong-grant-type",
        ),
        pytest.param(
            {"auth": SHOP, "data": {"grant_type": "client_credentials"}},
            400,
            "missing_parameter",
            "(scope)",
            id="no-scope",
        ),
        pytest.param(
            {"auth": SHOP, "data": {**FORM, "scope": "payments"}},
            400,
            "invalid_parameter",
            "(scope)",
            id="wrong-scope",
        ),
    ],
)
def test_documented_errors_are_problems(
    wire: tuple[FakeProviders, httpx.Client],
    kwargs: dict[str, Any],
    status: int,
    title: str,
    detail: str | None,
) -> None:
    response = post(wire, **kwargs)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = SPEC.check("/token", "POST", response)
    assert body["title"] == title
    assert body["instance"] == "/token"
    if detail is not None:
        assert detail in body["detail"]
    assert wire[0].requests("gmo_payment")[-1].path == "/token"


def test_wrong_method_is_405_with_allow(wire: tuple[FakeProviders, httpx.Client]) -> None:
    fake, client = wire
    response = client.get(fake.base_url("gmo_payment") + "/token", auth=SHOP)

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    # 405 is declared on POST /token: the problem shape is the same for every method.
    assert SPEC.check("/token", "POST", response)["title"] == "method_not_allowed"


def test_unknown_path_is_resource_not_found(wire: tuple[FakeProviders, httpx.Client]) -> None:
    fake, client = wire
    response = client.post(fake.base_url("gmo_payment") + "/payments", auth=SHOP, data=FORM)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "resource_not_found"
    assert "404" in SPEC.responses("/token", "POST")


def test_tokens_are_random_and_distinct(wire: tuple[FakeProviders, httpx.Client]) -> None:
    tokens = {post(wire, auth=SHOP, data=FORM).json()["access_token"] for _ in range(3)}

    assert len(tokens) == 3
    assert all(len(t) >= 40 for t in tokens)


def test_503_is_the_spec_problem(wire: tuple[FakeProviders, httpx.Client]) -> None:
    fake, _ = wire
    fake.inject("gmo_payment", Fault.status(503))

    response = post(wire)

    assert response.status_code == 503
    assert SPEC.check("/token", "POST", response)["title"] == "service_unavailable"


def test_wrong_types_keep_the_field_names(wire: tuple[FakeProviders, httpx.Client]) -> None:
    fake, client = wire
    fake.inject("gmo_payment", Fault.wrong_types())

    body = client.post(fake.base_url("gmo_payment") + "/x").json()

    assert set(body) == {"access_token", "expires_in", "scope", "token_type"}


def test_a_global_lifetime_shows_in_expires_in() -> None:
    with (
        FakeProviders(serve=False, lifetime=90) as fake,
        GmoPayment(**fake.credentials("gmo_payment")) as gmo,
    ):
        assert gmo.token().raw["expires_in"] == "90"
