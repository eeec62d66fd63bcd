"""Contract, Melio: a token without an account, requests Prism must refuse, and hand-made
requests to the fake."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from schemathesis import Case

from provider_tokens import InvalidClientError, InvalidRequestError, TokenEndpointError
from provider_tokens.testing import CREDENTIALS, FakeProviders

from contract_support import (
    PrismMock,
    Wire,
    assert_prism_rejects,
    assert_source_fails_without,
    example_expiry,
    example_token,
    make_source,
    prism,
)
from schemathesis_support import call_and_validate, operation_case

# The fixture from contract_support, requested by name.
__all__ = ["prism"]

NAME = "melio"


async def test_melio_without_account(prism: Mapping[str, PrismMock]) -> None:
    async with Wire() as wire:
        with make_source(NAME, prism[NAME].base_url, wire, account_id=None) as source:
            token = source.token()
    assert token.access_token == example_token(NAME)
    assert token.expires_at == example_expiry(NAME)
    wire.assert_no_violations()
    assert "melio-account" not in wire.responses[0].request.headers


# -- Prism really validates --------------------------------------------------------------

MELIO = {"API-Key": "key", "Idempotency-Key": "b1c0f4b6-8d0e-4f57-9d4a-0a7c3c1f5a10"}

# What is wrong, method, path, headers, body, the status Prism answers.
BROKEN: list[tuple[str, str, str, dict[str, str], str, int]] = [
    ("no Idempotency-Key", "POST", "/auth/token", {"API-Key": "key"}, "", 400),
    ("no API-Key", "POST", "/auth/token",
     {"Idempotency-Key": MELIO["Idempotency-Key"]}, "", 401),
    ("Bearer instead of API-Key", "POST", "/auth/token",
     {"Authorization": "Bearer key", "Idempotency-Key": MELIO["Idempotency-Key"]}, "", 401),
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
    ("header", "status", "error"),
    [("API-Key", 401, InvalidClientError), ("Idempotency-Key", 400, InvalidRequestError)],
)
async def test_a_source_whose_request_breaks_the_spec_fails(
    prism: Mapping[str, PrismMock], header: str, status: int, error: type[TokenEndpointError]
) -> None:
    """The source, with one header taken off each request on its way out."""
    await assert_source_fails_without(prism[NAME], header, status, error)


# -- hand-made requests to the fake, validated against the spec ------------------------------


def _hand_made(fake: FakeProviders, name: str) -> Case[Any]:
    melio = CREDENTIALS[NAME]
    if name == "token":
        headers = {
            "API-Key": melio["api_key"],
            "Idempotency-Key": "5e0b1c4c-5f0e-4a53-8a3b-6f1d2c3b4a59",
            "Melio-Account": melio["account_id"],
        }
        return operation_case(NAME, "POST", "/auth/token", headers=headers)
    raise LookupError(name)


# Each hand-made request and the status it must get.
HAND_MADE = [("token", 200), ("token", 201)]


@pytest.mark.parametrize(("name", "status"), HAND_MADE, ids=[f"{n}-{s}" for n, s in HAND_MADE])
def test_hand_made_request_conforms(fake_providers: FakeProviders, name: str, status: int) -> None:
    """The success path answers as the spec says, with each documented status."""
    case = _hand_made(fake_providers, name)
    if case.method == "POST" and status < 300:  # answer a token request with this status
        fake_providers.set_success_status(NAME, status)
    response = call_and_validate(case, fake_providers, NAME)
    assert response.status_code == status, response.text
