"""Contract: every token source's requests satisfy its spec, as Stoplight Prism reads it.

``prism mock specs/<provider>.yaml --errors`` validates each request against the
spec (security, headers, content type, body) and answers a violation with an
error status instead of an example, so a source whose request does not match its
spec raises instead of returning a token. Every answer is also checked for an
``sl-violations`` header, which Prism adds for violations of any severity. A valid
request gets the spec's own success example, which the source must parse.

Each provider's other operations, and the requests Prism must refuse, are in its own
module (``test_contract_<provider>.py``).
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from provider_tokens.testing import PROVIDERS

from contract_support import PrismMock, Wire, example_token, make_source, prism, token_path

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
