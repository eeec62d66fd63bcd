"""Contract, MoneyKit: introspection and the JWKS through the source; requests Prism must
refuse and hand-made requests to the fake, for the shared Prism and Schemathesis tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from schemathesis import Case

from provider_tokens import InvalidClientError, MoneyKit, TokenEndpointError
from provider_tokens.testing import CREDENTIALS, FakeProviders

from contract_support import (
    BASIC,
    FORM,
    PrismMock,
    Wire,
    make_source,
    prism,
    success_example,
)
from schemathesis_support import TIMEOUT, basic, operation_case

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


# The header taken off each of the source's requests, the status Prism answers, the
# error the source raises.
STRIPPED: list[tuple[str, int, type[TokenEndpointError]]] = [
    ("Authorization", 401, InvalidClientError)
]


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


def hand_made(fake: FakeProviders, name: str) -> Case[Any]:
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
HAND_MADE: list[tuple[str, int]] = [
    ("token", 201),
    ("introspect", 200),
    ("introspect-unknown-token", 401),
    ("jwks", 200),
]
