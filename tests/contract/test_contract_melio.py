"""Contract, Melio: a token without an account; requests Prism must refuse and hand-made
requests to the fake, for the shared Prism and Schemathesis tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemathesis import Case

from provider_tokens import InvalidClientError, InvalidRequestError, TokenEndpointError
from provider_tokens.testing import CREDENTIALS, FakeProviders

from contract_support import (
    PrismMock,
    Wire,
    example_expiry,
    example_token,
    make_source,
    prism,
)
from schemathesis_support import operation_case

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


# The header taken off each of the source's requests, the status Prism answers, the
# error the source raises.
STRIPPED: list[tuple[str, int, type[TokenEndpointError]]] = [
    ("API-Key", 401, InvalidClientError),
    ("Idempotency-Key", 400, InvalidRequestError),
]


# -- hand-made requests to the fake, validated against the spec ------------------------------


def hand_made(fake: FakeProviders, name: str) -> Case[Any]:
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
HAND_MADE: list[tuple[str, int]] = [("token", 200), ("token", 201)]
