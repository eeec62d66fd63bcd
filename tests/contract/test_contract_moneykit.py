"""Contract, MoneyKit: introspection and the JWKS through the source, requests Prism must
refuse, and hand-made requests to the fake."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from schemathesis import Case

from provider_tokens import InvalidClientError, MoneyKit, TokenEndpointError
from provider_tokens.testing import CREDENTIALS, FakeProviders

from contract_support import (
    BASIC,
    FORM,
    PrismMock,
    Wire,
    assert_prism_rejects,
    assert_source_fails_without,
    make_source,
    prism,
    success_example,
)
from schemathesis_support import TIMEOUT, basic, call_and_validate, operation_case

# The fixture from contract_support, requested by name.
__all__ = ["prism"]

NAME = "moneykit"


async def test_moneykit_introspect_and_jwks(prism: Mapping[str, PrismMock]) -> None:
    client_id = success_example(NAME, "/auth/introspect", "get")["client_id"]
    kids = [k["kid"] for k in success_example(NAME, "/.well-known/jwks.json", "get")["keys"]]
    url = prism[NAME].base_url
    async with Wire() as wire:
        with make_source(NAME, url, wire) as source:
            assert isinstance(source, MoneyKit)
            assert source.introspect().client_id == client_id
            assert [key.kid for key in source.jwks().keys] == kids
        async with make_source(NAME, url, wire) as source:
            assert isinstance(source, MoneyKit)
            assert (await source.aintrospect()).client_id == client_id
            assert [key.kid for key in (await source.ajwks()).keys] == kids
    assert (
        wire.exchanges()
        == [
            ("POST", "/auth/token"),
            ("GET", "/auth/introspect"),
            ("GET", "/.well-known/jwks.json"),
        ]
        * 2
    )
    wire.assert_no_violations()


# -- Prism really validates --------------------------------------------------------------

# What is wrong, method, path, headers, body, the status Prism answers.
BROKEN: list[tuple[str, str, str, dict[str, str], str, int]] = [
    ("no credentials", "POST", "/auth/token", FORM, "grant_type=client_credentials", 401),
    ("bad grant_type", "POST", "/auth/token", {**FORM, **BASIC}, "grant_type=password", 422),
    ("introspect with Basic", "GET", "/auth/introspect", BASIC, "", 401),
]


@pytest.mark.parametrize(
    ("wrong", "method", "path", "headers", "body", "status"),
    BROKEN,
    ids=[case[0] for case in BROKEN],
)
def test_prism_rejects_a_request_that_breaks_the_spec(
    prism: Mapping[str, PrismMock],
    wrong: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: str,
    status: int,
) -> None:
    assert_prism_rejects(prism[NAME], method, path, headers, body, status)


@pytest.mark.parametrize(
    ("header", "status", "error"), [("Authorization", 401, InvalidClientError)]
)
async def test_a_source_whose_request_breaks_the_spec_fails(
    prism: Mapping[str, PrismMock], header: str, status: int, error: type[TokenEndpointError]
) -> None:
    """The source, with one header taken off each request on its way out."""
    await assert_source_fails_without(prism[NAME], header, status, error)


# -- hand-made requests to the fake, validated against the spec ------------------------------


def moneykit_token(fake: FakeProviders) -> str:
    """A fresh MoneyKit access token from ``fake`` (a plain request: no source, no cache)."""
    client = CREDENTIALS[NAME]
    response = httpx.post(
        fake.base_url(NAME) + "/auth/token",
        auth=(client["client_id"], client["client_secret"]),
        data={"grant_type": "client_credentials"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["access_token"]
    return token


def _hand_made(fake: FakeProviders, name: str) -> Case[Any]:
    form = "application/x-www-form-urlencoded"
    mk = CREDENTIALS[NAME]
    if name == "token":
        return operation_case(
            NAME,
            "POST",
            "/auth/token",
            headers={"Authorization": basic(mk["client_id"], mk["client_secret"])},
            body={"grant_type": "client_credentials", "scope": "link:data:read"},
            media_type=form,
        )
    if name == "introspect":
        bearer = moneykit_token(fake)
        return operation_case(
            NAME,
            "GET",
            "/auth/introspect",
            headers={"Authorization": f"Bearer {bearer}", "MoneyKit-Version": "2023-02-18"},
        )
    if name == "introspect-unknown-token":
        return operation_case(
            NAME, "GET", "/auth/introspect", headers={"Authorization": "Bearer not-issued"}
        )
    if name == "jwks":
        return operation_case(
            NAME, "GET", "/.well-known/jwks.json", headers={"X-Client-Id": mk["client_id"]}
        )
    raise LookupError(name)


# Each hand-made request and the status it must get.
HAND_MADE = [
    ("token", 201),
    ("introspect", 200),
    ("introspect-unknown-token", 401),
    ("jwks", 200),
]


@pytest.mark.parametrize(("name", "status"), HAND_MADE, ids=[f"{n}-{s}" for n, s in HAND_MADE])
def test_hand_made_request_conforms(fake_providers: FakeProviders, name: str, status: int) -> None:
    """Each success path (and a real refusal) answers as the spec says."""
    case = _hand_made(fake_providers, name)
    if case.method == "POST" and status < 300:  # answer a token request with this status
        fake_providers.set_success_status(NAME, status)
    response = call_and_validate(case, fake_providers, NAME)
    assert response.status_code == status, response.text
