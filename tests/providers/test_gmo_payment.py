"""GMO-PG token source: wire format and quirks."""

from __future__ import annotations

import base64
from typing import Any

import pytest

import provider_tokens
from provider_tokens import ConfigurationError, GmoPayment, RateLimitError
from provider_tokens.testing import ManualClock

from case_gmo_payment import CASE, PROBLEM, problem
from conftest import MockProvider, reply


@pytest.mark.parametrize(
    ("environment", "host"), [("production", "oauth.mul-pay.jp"), ("test", "stg.oauth.mul-pay.jp")]
)
def test_token_request_on_the_oauth_host(environment: str, host: str) -> None:
    mock = MockProvider(CASE.success())
    GmoPayment("shop-1", "pa:ss+/é", environment=environment, http_client=mock.client()).token()  # type: ignore[arg-type]

    request = mock.requests[0]
    assert request.method == "POST"
    assert str(request.url) == f"https://{host}/token"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    # Plain RFC 7617: UTF-8, joined with a colon, no form-encoding first.
    assert (
        request.headers["authorization"]
        == "Basic " + base64.b64encode("shop-1:pa:ss+/é".encode()).decode()
    )
    assert mock.form() == {"grant_type": "client_credentials", "scope": "openapi"}


def test_string_expires_in_and_lowercase_bearer(clock: ManualClock) -> None:
    mock = MockProvider(CASE.success())
    token = CASE.make(http_client=mock.client(), clock=clock).token()
    assert token.token_type == "Bearer"
    assert token.expires_in(now=clock.now()) == 3600
    assert token.scope == "openapi"
    assert token.raw["expires_in"] == "3600"


def test_unknown_environment_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="unknown environment 'staging'"):
        GmoPayment("shop", "pass", environment="staging")  # type: ignore[arg-type]


def test_empty_credentials_are_refused_by_name() -> None:
    with pytest.raises(ConfigurationError, match="shop_pass must be a non-empty string"):
        GmoPayment("shop", "")


def test_retry_after_is_read_from_a_429(clock: ManualClock) -> None:
    mock = MockProvider(
        reply(429, problem("too_many_requests"), content_type=PROBLEM, retry_after="120")
    )
    source = CASE.make(http_client=mock.client(), clock=clock)
    with pytest.raises(RateLimitError) as caught:
        source.token()
    assert caught.value.retry_after == 120.0
    assert len(mock.requests) == 1  # over the 60 s cap: not waited for


@pytest.mark.parametrize("expires_in", [None, 0, "0"])
def test_default_ttl_applies_when_the_provider_gives_no_lifetime(
    clock: ManualClock, expires_in: object
) -> None:
    body = {"access_token": "gmo", "scope": "openapi", "token_type": "bearer"}
    if expires_in is not None:
        body["expires_in"] = expires_in  # type: ignore[assignment]
    mock = MockProvider(reply(201, body))
    source = CASE.make(http_client=mock.client(), clock=clock, default_ttl=120, refresh_margin=10)
    token = source.token()
    assert token.expires_at is None
    clock.advance(109)
    source.token()
    assert len(mock.requests) == 1
    clock.advance(1)
    source.token()
    assert len(mock.requests) == 2


def test_deep_imports_are_the_same_objects_as_attribute_access() -> None:
    from provider_tokens.gmo_payment.models import TokenResponse

    gmo_payment: Any = provider_tokens.gmo_payment
    assert gmo_payment.models.TokenResponse is TokenResponse
