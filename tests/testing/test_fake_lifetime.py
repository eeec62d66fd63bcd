"""Token lifetimes and expiry on the injectable clock: time moves, nothing sleeps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import pytest

from provider_tokens import GmoAozora, GmoPayment, InvalidGrantError, Melio, MoneyKit, Smscx
from provider_tokens.testing import CREDENTIALS, FakeProviders, ManualClock

from fake_support import MODES, clock

# Fixtures from fake_support, requested by name.
__all__ = ["clock"]


@pytest.fixture(params=MODES)
def fake(request: pytest.FixtureRequest, clock: ManualClock) -> Iterator[FakeProviders]:
    with FakeProviders(serve=request.param == "server", clock=clock.time) as fake:
        yield fake


def test_a_global_lifetime_applies_to_every_provider(clock: ManualClock) -> None:
    with FakeProviders(serve=False, lifetime=90, clock=clock.time) as fake:
        with GmoPayment(**fake.credentials("gmo_payment")) as gmo:
            assert gmo.token().raw["expires_in"] == "90"
        with Smscx(**fake.credentials("smscx")) as smscx:
            assert smscx.token().raw["expires_in"] == 90
        with Melio(**fake.credentials("melio"), clock=clock) as melio:
            expires_at = melio.token().expires_at
    assert expires_at is not None
    assert abs(expires_at.timestamp() - (clock.time() + 90)) < 0.001
    with pytest.raises(ValueError, match="positive"):
        FakeProviders(lifetime=0)


def test_set_lifetime_is_per_provider(fake: FakeProviders) -> None:
    fake.set_lifetime("moneykit", 2)

    with MoneyKit(**fake.credentials("moneykit")) as moneykit:
        assert moneykit.token().raw["expires_in"] == 2
    with Smscx(**fake.credentials("smscx")) as smscx:
        assert smscx.token().raw["expires_in"] == 86_400
    with pytest.raises(ValueError, match="positive"):
        fake.set_lifetime("moneykit", -1)


def test_tokens_expire_when_the_clock_moves(fake: FakeProviders, clock: ManualClock) -> None:
    fake.set_lifetime("smscx", 60)
    with Smscx(**fake.credentials("smscx")) as source:
        token = source.token()

    clock.advance(59)
    assert fake.is_valid_token("smscx", token.access_token)
    clock.advance(1)
    assert not fake.is_valid_token("smscx", token.access_token)
    assert not fake.is_valid_token("moneykit", token.access_token)  # wrong provider


def test_the_source_renews_before_the_fakes_expiry(fake: FakeProviders, clock: ManualClock) -> None:
    fake.set_lifetime("moneykit", 300)
    with MoneyKit(**fake.credentials("moneykit"), clock=clock, refresh_margin=60) as source:
        first = source.token()
        clock.advance(200)
        assert source.token() == first  # outside the margin: cached
        clock.advance(50)  # 250 s: inside the 60 s margin, still valid at the fake
        assert fake.is_valid_token("moneykit", first.access_token)
        second = source.token()

    assert second.access_token != first.access_token
    assert len(fake.requests("moneykit")) == 2


def test_introspection_after_expiry_makes_the_source_fetch_again(
    fake: FakeProviders, clock: ManualClock
) -> None:
    fake.set_lifetime("moneykit", 2)
    with MoneyKit(**fake.credentials("moneykit"), clock=clock, refresh_margin=0) as source:
        source.introspect()
        clock.advance(2)
        source.introspect()

    paths = [r.path for r in fake.requests("moneykit")]
    assert paths == ["/auth/token", "/auth/introspect", "/auth/token", "/auth/introspect"]


def test_aozora_refreshes_after_expiry(fake: FakeProviders, clock: ManualClock) -> None:
    fake.set_lifetime("gmo_aozora", 120)
    with GmoAozora(**fake.credentials("gmo_aozora"), clock=clock, refresh_margin=10) as source:
        first = source.exchange_code(fake.authorization_code())
        clock.advance(121)
        second = source.token()

    assert second.access_token != first.access_token
    assert fake.requests("gmo_aozora")[-1].form["grant_type"] == "refresh_token"


def test_an_authorization_code_expires_after_ten_minutes(
    fake: FakeProviders, clock: ManualClock
) -> None:
    code = fake.authorization_code()
    clock.advance(600)

    with (
        GmoAozora(**fake.credentials("gmo_aozora"), max_retries=0) as source,
        pytest.raises(InvalidGrantError),
    ):
        source.exchange_code(code)


def test_melio_expiry_is_absolute_on_the_fakes_clock(clock: ManualClock) -> None:
    clock.advance(86_400)  # a day ahead of the real time
    with (
        FakeProviders(serve=False, clock=clock.time) as fake,
        httpx.Client(transport=fake.transport()) as client,
    ):
        response = client.post(
            fake.base_url("melio") + "/auth/token",
            headers={"API-Key": CREDENTIALS["melio"]["api_key"], "Idempotency-Key": "k"},
        )

    expires_at = dt.datetime.fromisoformat(response.json()["data"]["expiresAt"])
    assert abs(expires_at.timestamp() - (clock.time() + 3600)) < 0.001
