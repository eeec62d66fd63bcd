"""Caching and renewal of TokenSource, with a controllable clock (no sleeps)."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from provider_tokens import AccessToken, ServerError
from provider_tokens.testing import ManualClock

from cases import CASES, EXAMPLE, Case
from conftest import MockProvider, reply


def issued(lifetime: float = 3600, token: str = "tok") -> httpx.Response:
    """The example provider's success answer."""
    return EXAMPLE.success(token=token, lifetime=lifetime)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_token_is_cached_until_the_refresh_margin(case: Case, clock: ManualClock) -> None:
    mock = MockProvider(case.success())
    source = case.make(http_client=mock.client(), clock=clock)

    first = source.token()
    renew_in = case.lifetime - min(60.0, case.lifetime / 2)
    clock.advance(renew_in - 1)
    assert source.token() is first
    assert len(mock.requests) == 1

    clock.advance(1)
    second = source.token()
    assert len(mock.requests) == 2
    assert second.access_token == first.access_token  # same scripted body, new fetch


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_atoken_is_cached_too(case: Case, clock: ManualClock) -> None:
    mock = MockProvider(case.success())
    source = case.make(async_http_client=mock.async_client(), clock=clock)
    first = await source.atoken()
    assert await source.atoken() is first
    assert len(mock.requests) == 1


def test_refresh_margin_is_capped_at_half_the_lifetime(clock: ManualClock) -> None:
    mock = MockProvider(issued(lifetime=100))
    source = EXAMPLE.make(http_client=mock.client(), clock=clock, refresh_margin=60)
    source.token()
    clock.advance(49.9)  # a 60 s margin would renew at 40 s; half the lifetime is 50 s
    source.token()
    assert len(mock.requests) == 1
    clock.advance(0.1)
    source.token()
    assert len(mock.requests) == 2


def test_zero_margin_renews_only_at_expiry(clock: ManualClock) -> None:
    mock = MockProvider(issued(lifetime=100))
    source = EXAMPLE.make(http_client=mock.client(), clock=clock, refresh_margin=0)
    source.token()
    clock.advance(99.9)
    source.token()
    assert len(mock.requests) == 1


def test_expires_at_counts_from_when_the_request_was_sent(clock: ManualClock) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        clock.advance(5)  # the provider takes 5 s to answer
        return issued(lifetime=3600)

    mock = MockProvider(slow)
    source = EXAMPLE.make(http_client=mock.client(), clock=clock)
    token = source.token()
    assert token.expires_at == clock.start + dt.timedelta(seconds=3600)


def test_invalidate_without_a_token_drops_the_cache(clock: ManualClock) -> None:
    mock = MockProvider(issued(token="a"), issued(token="b"))
    source = EXAMPLE.make(http_client=mock.client(), clock=clock)
    assert source.token().access_token == "a"
    source.invalidate()
    assert source.token().access_token == "b"


def test_invalidate_with_a_token_only_clears_that_token(clock: ManualClock) -> None:
    mock = MockProvider(issued(token="a"), issued(token="b"), issued(token="c"))
    source = EXAMPLE.make(http_client=mock.client(), clock=clock)
    old = source.token()
    source.invalidate(old)
    new = source.token()
    assert new.access_token == "b"
    source.invalidate(old)  # stale: someone already replaced it
    assert source.token() is new
    assert len(mock.requests) == 2


def test_on_token_is_called_with_every_new_token(clock: ManualClock) -> None:
    seen: list[AccessToken] = []
    mock = MockProvider(issued(token="a"), issued(token="b"))
    source = EXAMPLE.make(http_client=mock.client(), clock=clock, on_token=seen.append)
    source.token()
    source.token()
    source.invalidate()
    source.token()
    assert [t.access_token for t in seen] == ["a", "b"]


def test_a_failing_on_token_callback_does_not_fail_the_caller(clock: ManualClock) -> None:
    def broken(token: AccessToken) -> None:
        raise RuntimeError("disk full")

    mock = MockProvider(issued())
    source = EXAMPLE.make(http_client=mock.client(), clock=clock, on_token=broken)
    assert source.token().access_token == "tok"


def test_failed_renewal_keeps_the_valid_token_and_backs_off(clock: ManualClock) -> None:
    mock = MockProvider(issued(lifetime=600, token="a"), reply(400, {"error_message": "no"}))
    source = EXAMPLE.make(http_client=mock.client(), clock=clock, max_retries=0)
    first = source.token()
    clock.advance(541)  # inside the 60 s margin, 59 s of validity left
    assert source.token() is first  # renewal failed; the old token is still good
    assert len(mock.requests) == 2
    clock.advance(10)  # back-off: half the remaining lifetime (29.5 s), so no new attempt
    assert source.token() is first
    assert len(mock.requests) == 2
    clock.advance(20)  # past the back-off: one more attempt
    assert source.token() is first
    assert len(mock.requests) == 3


def test_after_expiry_the_renewal_error_reaches_the_caller(clock: ManualClock) -> None:
    mock = MockProvider(issued(lifetime=600), reply(503, {"error_message": "down"}))
    source = EXAMPLE.make(http_client=mock.client(), clock=clock, max_retries=0)
    source.token()
    clock.advance(600)
    with pytest.raises(ServerError) as caught:
        source.token()
    assert caught.value.status_code == 503
