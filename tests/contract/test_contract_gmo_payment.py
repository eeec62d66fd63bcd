"""Contract, GMO-PG: requests Prism must refuse, and hand-made requests to the fake."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from schemathesis import Case

from provider_tokens import InvalidClientError, TokenEndpointError
from provider_tokens.testing import CREDENTIALS, FakeProviders

from contract_support import (
    BASIC,
    FORM,
    PrismMock,
    assert_prism_rejects,
    assert_source_fails_without,
    prism,
)
from schemathesis_support import basic, call_and_validate, operation_case

# The fixture from contract_support, requested by name.
__all__ = ["prism"]

NAME = "gmo_payment"

# What is wrong, method, path, headers, body, the status Prism answers.
BROKEN: list[tuple[str, str, str, dict[str, str], str, int]] = [
    ("no credentials", "POST", "/token", FORM,
     "grant_type=client_credentials&scope=openapi", 401),
    ("no scope", "POST", "/token", {**FORM, **BASIC}, "grant_type=client_credentials", 400),
    ("JSON body", "POST", "/token", {**BASIC, "Content-Type": "application/json"},
     '{"grant_type": "client_credentials", "scope": "openapi"}', 415),
]  # fmt: skip


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


def _hand_made(fake: FakeProviders, name: str) -> Case[Any]:
    form = "application/x-www-form-urlencoded"
    shop = CREDENTIALS[NAME]
    if name == "token":
        return operation_case(
            NAME,
            "POST",
            "/token",
            headers={"Authorization": basic(shop["shop_id"], shop["shop_pass"])},
            body={"grant_type": "client_credentials", "scope": "openapi"},
            media_type=form,
        )
    raise LookupError(name)


# Each hand-made request and the status it must get.
HAND_MADE = [("token", 201)]


@pytest.mark.parametrize(("name", "status"), HAND_MADE, ids=[f"{n}-{s}" for n, s in HAND_MADE])
def test_hand_made_request_conforms(fake_providers: FakeProviders, name: str, status: int) -> None:
    """The success path answers as the spec says."""
    case = _hand_made(fake_providers, name)
    if case.method == "POST" and status < 300:  # answer a token request with this status
        fake_providers.set_success_status(NAME, status)
    response = call_and_validate(case, fake_providers, NAME)
    assert response.status_code == status, response.text
