"""The SDK's token sources against the fakes: both servings, sync and async.

``Source(**fake.credentials(provider))`` must just work, and the fakes' errors
must come out as the SDK's typed errors.
"""

from __future__ import annotations

import pytest

from provider_tokens import TokenEndpointError
from provider_tokens._registry import NAMES
from provider_tokens.testing import FakeProviders

from cases import CASES, Refusal
from fake_support import fake, make_source

# Fixtures from fake_support, requested by name.
__all__ = ["fake"]

# What each provider's fake refuses: a wrong secret, and whatever else its case lists.
REFUSALS = [
    (case.name, refusal) for case in CASES for refusal in (case.wrong_secret, *case.refusals)
]


@pytest.mark.parametrize("provider", NAMES)
def test_sync_source_gets_and_caches_a_token(fake: FakeProviders, provider: str) -> None:
    with make_source(fake, provider) as tokens:
        first = tokens.token()
        again = tokens.token()

    assert fake.is_valid_token(provider, first.access_token)
    assert again.access_token == first.access_token
    assert len(fake.requests(provider)) == 1
    assert first.expires_in() is not None


@pytest.mark.parametrize("provider", NAMES)
async def test_async_source_gets_and_caches_a_token(fake: FakeProviders, provider: str) -> None:
    async with make_source(fake, provider) as tokens:
        first = await tokens.atoken()
        again = await tokens.atoken()

    assert fake.is_valid_token(provider, first.access_token)
    assert again.access_token == first.access_token
    assert len(fake.requests(provider)) == 1


@pytest.mark.parametrize(
    ("provider", "refusal"),
    REFUSALS,
    ids=[f"{name}-{'-'.join(r.overrides)}" for name, r in REFUSALS],
)
def test_fake_errors_become_typed_sdk_errors(
    fake: FakeProviders, provider: str, refusal: Refusal
) -> None:
    error: type[TokenEndpointError] = refusal.error
    with make_source(fake, provider, **refusal.overrides) as tokens, pytest.raises(error) as raised:
        tokens.token()

    assert raised.value.status_code == refusal.status
    assert raised.value.error_code == refusal.code
