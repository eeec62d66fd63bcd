"""SMS.CX token source: wire format and quirks."""

from __future__ import annotations

import pytest

from provider_tokens import RateLimitError, Smscx
from provider_tokens.testing import ManualClock

from case_smscx import CASE, envelope
from conftest import MockProvider, reply


@pytest.mark.parametrize(("scope", "form"), [(None, {}), ("sms otp", {"scope": "sms otp"})])
def test_token_request(scope: str | None, form: dict[str, str]) -> None:
    mock = MockProvider(CASE.success())
    Smscx("app", "sec", scope=scope, http_client=mock.client()).token()
    request = mock.requests[0]
    assert (request.method, str(request.url)) == ("POST", "https://api.sms.cx/oauth/token")
    assert request.headers["authorization"] == "Basic YXBwOnNlYw=="
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert mock.form() == {"grant_type": "client_credentials", **form}


@pytest.mark.parametrize("expires_in", [0, -1])
def test_never_expiring_tokens_use_the_default_lifetime(
    expires_in: int, clock: ManualClock
) -> None:
    body = {"access_token": "t", "expires_in": expires_in, "token_type": "Bearer", "scope": "sms"}
    mock = MockProvider(reply(200, body))
    source = CASE.make(http_client=mock.client(), clock=clock, default_ttl=600)
    assert source.token().expires_at is None
    clock.advance(600 - 60)
    source.token()
    assert len(mock.requests) == 2


def test_smscx_rate_limit_reset_gives_retry_after(clock: ManualClock) -> None:
    reset = int(clock.now().timestamp()) + 90
    mock = MockProvider(reply(429, envelope("rate_limit"), x_rate_limit_reset=str(reset)))
    source = CASE.make(http_client=mock.client(), clock=clock, max_retries=0)
    with pytest.raises(RateLimitError) as caught:
        source.token()
    assert caught.value.retry_after == 90.0
