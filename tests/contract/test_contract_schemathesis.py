"""Contract: the fake providers answer as their specs say, as Schemathesis reads the specs.

For each spec, Schemathesis generates requests (the spec's examples, its coverage
cases, then fuzzing; valid and invalid inputs; with and without the right
credentials) and sends them to ``FakeProviders`` on loopback. Every answer must pass
``not_a_server_error``, ``status_code_conformance`` (no undocumented status),
``content_type_conformance``, ``response_schema_conformance`` and
``response_headers_conformance``.

Generated input rarely gets past the fake's checks where the spec alone cannot
produce a valid request (a user's live authorization code or refresh token), so each
success path is also exercised by hand-made requests, validated the same way, which
each provider's own module (``test_contract_<provider>.py``) declares (``HAND_MADE``,
built by its ``hand_made``), and every documented error status by injecting it
(``Fault.status``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from schemathesis import Case

from provider_tokens._registry import NAMES
from provider_tokens.testing import PROVIDERS, FakeProviders, Fault

from cases import BY_NAME
from contract_support import load_spec, provider_contract
from schemathesis_support import CONFORMANCE, call_and_validate, operation_case, prepare, schema


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeProviders]:
    with FakeProviders() as providers:
        yield providers


@pytest.fixture(scope="module")
def live_bearer(fake: FakeProviders) -> Callable[[str], str]:
    """A provider's access token that the module's fake issued (and still honours):
    from a plain request, no source, no cache; one per provider, on first use."""
    tokens: dict[str, str] = {}

    def bearer(provider: str) -> str:
        if provider not in tokens:
            case = BY_NAME[provider]
            with httpx.Client(timeout=10) as client:
                response = case.raw_token(fake, client)
            assert response.is_success, response.text
            tokens[provider] = case.members(response.json())[case.fields["access_token"]]
        return tokens[provider]

    return bearer


def _generated_test(provider: str) -> Callable[..., None]:
    def test(case: Case[Any], fake: FakeProviders, live_bearer: Callable[[str], str]) -> None:
        prepare(case, provider, lambda: live_bearer(provider))
        call_and_validate(case, fake, provider)

    test.__name__ = test.__qualname__ = f"test_{provider}_fake_conforms"
    test.__doc__ = f"Generated requests to the {provider} fake get documented answers."
    parametrized: Callable[..., None] = schema(provider).parametrize()(test)
    return parametrized


# test_<provider>_fake_conforms, for every registered provider.
for _provider in PROVIDERS:
    globals()[f"test_{_provider}_fake_conforms"] = _generated_test(_provider)


# -- success paths, hand-made ----------------------------------------------------------

# Each provider's HAND_MADE: the request's name and the status it must get.
HAND_MADE = [(name, *made) for name in NAMES for made in provider_contract(name).hand_made_requests]


@pytest.mark.parametrize(
    ("provider", "name", "status"), HAND_MADE, ids=[f"{p}-{n}-{s}" for p, n, s in HAND_MADE]
)
def test_hand_made_request_conforms(
    fake_providers: FakeProviders, provider: str, name: str, status: int
) -> None:
    """Each success path (and a real refusal) answers as the spec says, with each
    documented status, and as the provider's ``check_hand_made`` says, if it has one."""
    contract = provider_contract(provider)
    case = contract.hand_made(fake_providers, name)
    if case.method == "POST" and status < 300:  # answer a token request with this status
        fake_providers.set_success_status(provider, status)
    response = call_and_validate(case, fake_providers, provider)
    assert response.status_code == status, response.text
    if contract.check_hand_made is not None:
        contract.check_hand_made(name, response)


# -- error paths, injected -----------------------------------------------------------


def _documented_errors() -> list[tuple[str, str, str, int]]:
    """Every (provider, method, path, status >= 400) the specs declare."""
    found = []
    for provider in PROVIDERS:
        for path, methods in load_spec(provider)["paths"].items():
            for method, operation in methods.items():
                for status in operation["responses"]:
                    if status.isdigit() and int(status) >= 400:
                        found.append((provider, method.upper(), path, int(status)))
    return found


ERRORS = _documented_errors()


@pytest.mark.parametrize(
    ("provider", "method", "path", "status"),
    ERRORS,
    ids=[f"{p}-{m}{path}-{s}" for p, m, path, s in ERRORS],
)
def test_injected_error_conforms(
    fake_providers: FakeProviders, provider: str, method: str, path: str, status: int
) -> None:
    """The fake's body for each documented error status has the documented shape.

    ``not_a_server_error`` is left out here: the 5xx are the point.
    """
    case = operation_case(provider, method, path)
    fake_providers.inject(provider, Fault.status(status))
    response = call_and_validate(case, fake_providers, provider, checks=CONFORMANCE)
    assert response.status_code == status
