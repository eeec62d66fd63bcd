"""Contract, GMO Aozora: both grants with both client authentications and the
authorization endpoint's refusals; requests Prism must refuse and hand-made requests to
the fake (with checks on their answers), for the shared Prism and Schemathesis tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from schemathesis import Case, Response

from provider_tokens import GmoAozora, TokenEndpointError
from provider_tokens.testing import CREDENTIALS, GMO_AOZORA_POST_CREDENTIALS, FakeProviders

from contract_support import (
    BASIC,
    FORM,
    PrismMock,
    Wire,
    example_token,
    make_source,
    prism,
)
from schemathesis_support import basic, call_and_validate, operation_case

# The fixture from contract_support, requested by name.
__all__ = ["prism"]

NAME = "gmo_aozora"
AOZORA = CREDENTIALS[NAME]


@pytest.mark.parametrize("auth_method", ["basic", "post"])
async def test_gmo_aozora_both_grants(prism: Mapping[str, PrismMock], auth_method: str) -> None:
    """Code exchange and refresh, with Basic or with the credentials in the form."""
    expected = example_token(NAME)
    url = prism[NAME].base_url
    async with Wire() as wire:
        with make_source(NAME, url, wire, auth_method=auth_method) as source:
            assert isinstance(source, GmoAozora)
            assert source.exchange_code("code-from-the-callback").access_token == expected
            source.invalidate()
            assert source.token().access_token == expected  # the refresh grant
        async with make_source(NAME, url, wire, auth_method=auth_method) as source:
            assert isinstance(source, GmoAozora)
            token = await source.aexchange_code("code-from-the-callback")
            assert token.access_token == expected
            source.invalidate()
            assert (await source.atoken()).access_token == expected
    wire.assert_no_violations()
    forms = [dict(httpx.QueryParams(r.request.content.decode())) for r in wire.responses]
    assert [form["grant_type"] for form in forms] == ["authorization_code", "refresh_token"] * 2
    in_form = auth_method == "post"
    assert all(("client_secret" in form) is in_form for form in forms)
    assert all(("authorization" in r.request.headers) is not in_form for r in wire.responses)


# -- Prism really validates --------------------------------------------------------------

# What is wrong, method, path, headers, body, the status Prism answers.
BROKEN: list[tuple[str, str, str, dict[str, str], str, int]] = [
    ("unknown grant_type", "POST", "/token", {**FORM, **BASIC}, "grant_type=password", 400),
    ("empty refresh_token", "POST", "/token", {**FORM, **BASIC},
     "grant_type=refresh_token&refresh_token=", 400),
    ("Bearer instead of Basic", "POST", "/token",
     {**FORM, "Authorization": "Bearer abc"}, "grant_type=refresh_token&refresh_token=r", 401),
]  # fmt: skip


# The header taken off each of the source's requests, the status Prism answers, the
# error the source raises.
STRIPPED: list[tuple[str, int, type[TokenEndpointError]]] = [
    ("Content-Type", 400, TokenEndpointError)
]


# -- hand-made requests to the fake, validated against the spec ------------------------------


def hand_made(fake: FakeProviders, name: str) -> Case[Any]:
    """The request called ``name``."""
    form = "application/x-www-form-urlencoded"
    post = GMO_AOZORA_POST_CREDENTIALS
    aozora_basic = {"Authorization": basic(AOZORA["client_id"], AOZORA["client_secret"])}
    if name == "refresh":
        return operation_case(
            NAME,
            "POST",
            "/token",
            headers=aozora_basic,
            body={"grant_type": "refresh_token", "refresh_token": fake.refresh_token()},
            media_type=form,
        )
    if name == "code":
        body = {
            "grant_type": "authorization_code",
            "code": fake.authorization_code(),
            "redirect_uri": AOZORA["redirect_uri"],
        }
        return operation_case(
            NAME, "POST", "/token", headers=aozora_basic, body=body, media_type=form
        )
    if name == "code-openid-post":
        scope = "openid private:account offline_access"
        body = {
            "grant_type": "authorization_code",
            "code": fake.authorization_code(scope, nonce="n-0S6_WzA2Mj", auth_method="post"),
            "redirect_uri": post["redirect_uri"],
            "client_id": post["client_id"],
            "client_secret": post["client_secret"],
        }
        return operation_case(NAME, "POST", "/token", body=body, media_type=form)
    if name == "authorization":
        query = {
            "client_id": AOZORA["client_id"],
            "redirect_uri": AOZORA["redirect_uri"],
            "response_type": "code",
            "scope": "private:account offline_access",
            "state": "af0ifjsldkj",
            "nonce": "n-0S6_WzA2Mj",
        }
        return operation_case(NAME, "GET", "/authorization", query=query)
    if name == "refresh-replayed":
        refresh_token = fake.refresh_token()
        body = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        first = operation_case(
            NAME, "POST", "/token", headers=aozora_basic, body=body, media_type=form
        )
        assert call_and_validate(first, fake, NAME).status_code == 200
        return operation_case(  # the same, spent, refresh token again
            NAME, "POST", "/token", headers=aozora_basic, body=body, media_type=form
        )
    raise LookupError(name)


# Each hand-made request and the status it must get.
HAND_MADE: list[tuple[str, int]] = [
    ("refresh", 200),
    ("refresh", 201),
    ("code", 200),
    ("refresh-replayed", 400),
    ("code-openid-post", 200),
    ("authorization", 302),
]


def check_hand_made(name: str, response: Response) -> None:
    """What the spec cannot say about a hand-made request's answer."""
    if name == "authorization":
        location = response.headers["location"][0]
        assert location.startswith(AOZORA["redirect_uri"] + "?code=")
    if name == "code-openid-post":
        assert {"id_token", "refresh_token"} <= set(response.json())


# -- the authorization endpoint's refusals ------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"client_id": "unknown-client", "redirect_uri": AOZORA["redirect_uri"]},
        {"client_id": AOZORA["client_id"], "redirect_uri": "https://evil.example/cb"},
    ],
    ids=["unknown-client", "unregistered-redirect-uri"],
)
def test_gmo_aozora_authorization_refusal_conforms(
    fake_providers: FakeProviders, query: dict[str, str]
) -> None:
    """RFC 6749 §4.1.2.1: no redirect to an unverified address; a documented 400 instead."""
    case = operation_case(
        NAME,
        "GET",
        "/authorization",
        query={**query, "response_type": "code", "scope": "private:account", "state": "s"},
    )
    response = call_and_validate(case, fake_providers, NAME)
    assert response.status_code == 400
