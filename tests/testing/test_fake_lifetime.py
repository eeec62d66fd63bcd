"""Token lifetimes and expiry on the injectable clock: time moves, nothing sleeps."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from provider_tokens._registry import NAMES, PROVIDERS
from provider_tokens.testing import FakeProviders, ManualClock

from cases import CASES, EXAMPLE, Case
from fake_support import MODES, clock, make_source

# Fixtures from fake_support, requested by name.
__all__ = ["clock"]


@pytest.fixture(params=MODES)
def fake(request: pytest.FixtureRequest, clock: ManualClock) -> Iterator[FakeProviders]:
    with FakeProviders(serve=request.param == "server", clock=clock.time) as fake:
        yield fake


def lifetime(fake: FakeProviders, provider: str, clock: ManualClock) -> float:
    """The lifetime of a new token from ``provider``'s fake, as its source reads it."""
    with make_source(fake, provider, clock=clock) as source:
        expires_at = source.token().expires_at
    assert expires_at is not None
    return expires_at.timestamp() - clock.time()


@pytest.mark.parametrize("provider", NAMES)
def test_a_global_lifetime_applies_to_every_provider(provider: str, clock: ManualClock) -> None:
    # Each provider's own fake tests check how its body says so.
    with FakeProviders(serve=False, lifetime=90, clock=clock.time) as fake:
        assert abs(lifetime(fake, provider, clock) - 90) < 0.001
    with pytest.raises(ValueError, match="positive"):
        FakeProviders(lifetime=0)


def test_set_lifetime_is_per_provider(fake: FakeProviders, clock: ManualClock) -> None:
    fake.set_lifetime(EXAMPLE.name, 2)

    for provider, declared in PROVIDERS.items():
        expected = 2 if provider == EXAMPLE.name else declared.fake_lifetime
        assert abs(lifetime(fake, provider, clock) - expected) < 0.001
    with pytest.raises(ValueError, match="positive"):
        fake.set_lifetime(EXAMPLE.name, -1)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_tokens_expire_when_the_clock_moves(
    fake: FakeProviders, clock: ManualClock, case: Case
) -> None:
    other = next(name for name in NAMES if name != case.name)
    fake.set_lifetime(case.name, 60)
    with make_source(fake, case.name) as source:
        token = source.token()

    clock.advance(59)
    assert fake.is_valid_token(case.name, token.access_token)
    clock.advance(1)
    assert not fake.is_valid_token(case.name, token.access_token)
    assert not fake.is_valid_token(other, token.access_token)  # wrong provider


def test_the_source_renews_before_the_fakes_expiry(fake: FakeProviders, clock: ManualClock) -> None:
    fake.set_lifetime(EXAMPLE.name, 300)
    with make_source(fake, EXAMPLE.name, clock=clock, refresh_margin=60) as source:
        first = source.token()
        clock.advance(200)
        assert source.token() == first  # outside the margin: cached
        clock.advance(50)  # 250 s: inside the 60 s margin, still valid at the fake
        assert fake.is_valid_token(EXAMPLE.name, first.access_token)
        second = source.token()

    assert second.access_token != first.access_token
    assert len(fake.requests(EXAMPLE.name)) == 2
