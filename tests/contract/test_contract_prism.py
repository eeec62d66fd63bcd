"""Contract: every token source's requests satisfy its spec, as Stoplight Prism reads it.

``prism mock specs/<provider>.yaml --errors`` validates each request against the
spec (security, headers, content type, body) and answers a violation with an
error status instead of an example, so a source whose request does not match its
spec raises instead of returning a token. Every answer is also checked for an
``sl-violations`` header, which Prism adds for violations of any severity. A valid
request gets the spec's own success example, which the source must parse.

Prism must really validate: each provider's requests that break its spec, and its
source with one header taken off each request, are refused. Which requests and which
headers each provider's own module (``test_contract_<provider>.py``) declares, in
``BROKEN`` and ``STRIPPED``, with tests of its other operations.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from provider_tokens import TokenEndpointError
from provider_tokens._registry import NAMES
from provider_tokens.testing import PROVIDERS

from contract_support import (
    PrismMock,
    Wire,
    assert_prism_rejects,
    assert_source_fails_without,
    example_token,
    make_source,
    prism,
    provider_contract,
    token_path,
)

# The fixture from contract_support, requested by name.
__all__ = ["prism"]


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_token_matches_the_spec(prism: Mapping[str, PrismMock], provider: str) -> None:
    """``token()`` then ``atoken()`` (a second source): one valid request each."""
    async with Wire() as wire:
        with make_source(provider, prism[provider].base_url, wire) as source:
            assert source.token().access_token == example_token(provider)
        async with make_source(provider, prism[provider].base_url, wire) as source:
            assert (await source.atoken()).access_token == example_token(provider)
    assert wire.exchanges() == [("POST", token_path(provider))] * 2
    wire.assert_no_violations()


# -- Prism really validates --------------------------------------------------------------

# Each provider's BROKEN: what is wrong, method, path, headers, body, the status Prism answers.
BROKEN = [(name, *broken) for name in NAMES for broken in provider_contract(name).broken]
# Each provider's STRIPPED: the header taken off, the status, the error the source raises.
STRIPPED = [(name, *stripped) for name in NAMES for stripped in provider_contract(name).stripped]


@pytest.mark.parametrize(
    ("provider", "wrong", "method", "path", "headers", "body", "status"),
    BROKEN,
    ids=[f"{case[0]}-{case[1]}" for case in BROKEN],
)
def test_prism_rejects_a_request_that_breaks_the_spec(
    prism: Mapping[str, PrismMock],
    provider: str,
    wrong: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: str,
    status: int,
) -> None:
    assert_prism_rejects(prism[provider], method, path, headers, body, status)


@pytest.mark.parametrize(
    ("provider", "header", "status", "error"),
    STRIPPED,
    ids=[f"{p}-{header}-{status}-{error.__name__}" for p, header, status, error in STRIPPED],
)
async def test_a_source_whose_request_breaks_the_spec_fails(
    prism: Mapping[str, PrismMock],
    provider: str,
    header: str,
    status: int,
    error: type[TokenEndpointError],
) -> None:
    """The source, with one header taken off each request on its way out."""
    await assert_source_fails_without(prism[provider], header, status, error)
