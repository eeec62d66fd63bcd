"""Contract, SMS.CX: requests Prism must refuse and hand-made requests to the fake, for
the shared Prism and Schemathesis tests."""

from __future__ import annotations

from typing import Any

from schemathesis import Case

from provider_tokens import InvalidClientError, TokenEndpointError
from provider_tokens.testing import CREDENTIALS, FakeProviders

from contract_support import BASIC, FORM
from schemathesis_support import basic, operation_case

NAME = "smscx"

# What is wrong, method, path, headers, body, the status Prism answers.
BROKEN: list[tuple[str, str, str, dict[str, str], str, int]] = [
    ("no credentials", "POST", "/oauth/token", FORM, "grant_type=client_credentials", 401),
    ("no grant_type", "POST", "/oauth/token", {**FORM, **BASIC}, "scope=sms", 400),
]


# The header taken off each of the source's requests, the status Prism answers, the
# error the source raises.
STRIPPED: list[tuple[str, int, type[TokenEndpointError]]] = [
    ("Authorization", 401, InvalidClientError)
]


# -- hand-made requests to the fake, validated against the spec ------------------------------


def hand_made(fake: FakeProviders, name: str) -> Case[Any]:
    form = "application/x-www-form-urlencoded"
    app = CREDENTIALS[NAME]
    if name == "token":
        return operation_case(
            NAME,
            "POST",
            "/oauth/token",
            headers={"Authorization": basic(app["application_id"], app["application_secret"])},
            body={"grant_type": "client_credentials", "scope": "sms otp"},
            media_type=form,
        )
    raise LookupError(name)


# Each hand-made request and the status it must get.
HAND_MADE: list[tuple[str, int]] = [("token", 200)]
