"""GMO-PG token source: wire format and quirks."""

from __future__ import annotations

import base64

import pytest

from provider_tokens import ConfigurationError, GmoPayment
from provider_tokens.testing import ManualClock

from cases import BY_NAME
from conftest import MockProvider

CASE = BY_NAME["gmo_payment"]


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
