"""Contract, GMO-PG: requests Prism must refuse and hand-made requests to the fake, for
the shared Prism and Schemathesis tests."""

from __future__ import annotations

from typing import Any

from schemathesis import Case

from provider_tokens import InvalidClientError, TokenEndpointError
from provider_tokens.testing import CREDENTIALS, FakeProviders

from contract_support import BASIC, FORM
from schemathesis_support import basic, operation_case

NAME = "gmo_payment"

# What is wrong, method, path, headers, body, the status Prism answers.
BROKEN: list[tuple[str, str, str, dict[str, str], str, int]] = [
    ("no credentials", "POST", "/token", FORM,
     "grant_type=client_credentials&scope=openapi", 401),
    ("no scope", "POST", "/token", {**FORM, **BASIC}, "grant_type=client_credentials", 400),
    ("JSON body", "POST", "/token", {**BASIC, "Content-Type": "application/json"},
     '{"grant_type": "client_credentials", "scope": "openapi"}', 415),
]  # fmt: skip


# The header taken off each of the source's requests, the status Prism answers, the
# error the source raises.
STRIPPED: list[tuple[str, int, type[TokenEndpointError]]] = [
    ("Authorization", 401, InvalidClientError)
]


# -- hand-made requests to the fake, validated against the spec ------------------------------


def hand_made(fake: FakeProviders, name: str) -> Case[Any]:
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
HAND_MADE: list[tuple[str, int]] = [("token", 201)]
