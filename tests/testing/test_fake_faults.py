"""Every fault kind, in both servings, seen on the wire and through the SDK's sources."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import httpx
import pytest

from provider_tokens import (
    MalformedResponseError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    TokenTimeoutError,
    TransportError,
)
from provider_tokens.testing import PROVIDERS, FakeProviders, Fault

from fake_support import Spec, client, fake, make_source

# Fixtures from fake_support, requested by name.
__all__ = ["client", "fake"]


def raw_post(fake: FakeProviders, client: httpx.Client) -> httpx.Response:
    """A valid SMS.CX token request, without the SDK in between."""
    return client.post(
        fake.base_url("smscx") + "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=("FAKE-smscx-application", "FAKE-smscx-secret"),
    )


# -- status faults ------------------------------------------------------------------------


def test_status_fault_answers_once_in_the_providers_error_shape(
    fake: FakeProviders, client: httpx.Client
) -> None:
    fault = Fault.status(503, retry_after="2", headers={"X-Rate-Limit-Reset": "1700000000"})
    fake.inject("smscx", fault)

    faulted = raw_post(fake, client)
    normal = raw_post(fake, client)

    assert faulted.status_code == 503
    assert faulted.headers["retry-after"] == "2"
    assert faulted.headers["x-rate-limit-reset"] == "1700000000"
    assert faulted.json()["error"]["type"] == "server_error"
    assert normal.status_code == 200
    assert [r.fault for r in fake.requests("smscx")] == [fault, None]


def test_gmo_payment_503_is_the_spec_problem(fake: FakeProviders, client: httpx.Client) -> None:
    fake.inject("gmo_payment", Fault.status(503))

    response = client.post(fake.base_url("gmo_payment") + "/token")

    assert response.status_code == 503
    assert Spec("gmo_payment").check("/token", "POST", response)["title"] == "service_unavailable"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_503_with_retry_after_is_a_server_error(fake: FakeProviders, provider: str) -> None:
    fake.inject(provider, Fault.status(503, retry_after="2"))

    with make_source(fake, provider) as source, pytest.raises(ServerError) as raised:
        source.token()

    assert raised.value.status_code == 503
    assert raised.value.retry_after == 2.0


@pytest.mark.parametrize("provider", PROVIDERS)
def test_429_is_a_rate_limit_error_with_or_without_retry_after(
    fake: FakeProviders, provider: str
) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)
    fake.inject(provider, Fault.status(429, retry_after=later))
    fake.inject(provider, Fault.status(429))

    with make_source(fake, provider) as source:
        with pytest.raises(RateLimitError) as dated:
            source.token()
        with pytest.raises(RateLimitError) as bare:
            source.token()

    assert dated.value.retry_after is not None
    assert 25 < dated.value.retry_after <= 31
    assert bare.value.retry_after is None


def test_a_retried_fault_then_succeeds(fake: FakeProviders) -> None:
    fake.inject("moneykit", Fault.status(503, retry_after="0"))
    policy = RetryPolicy(max_retries=1)

    with make_source(fake, "moneykit", retry_policy=policy) as source:
        token = source.token()

    assert fake.is_valid_token("moneykit", token.access_token)
    assert [r.fault is not None for r in fake.requests("moneykit")] == [True, False]


def test_times_and_until_cleared(fake: FakeProviders, client: httpx.Client) -> None:
    fake.inject("smscx", Fault.status(500), times=2)
    fake.inject("smscx", Fault.status(502), times=None)

    statuses = [raw_post(fake, client).status_code for _ in range(4)]
    fake.clear_faults("smscx")
    statuses.append(raw_post(fake, client).status_code)

    assert statuses == [500, 500, 502, 502, 200]


def test_faults_are_per_provider(fake: FakeProviders, client: httpx.Client) -> None:
    fake.inject("moneykit", Fault.status(500))

    assert raw_post(fake, client).status_code == 200
    assert fake.requests("moneykit") == []


# -- delay ----------------------------------------------------------------------------------


def test_delay_holds_the_normal_answer_back(fake: FakeProviders, client: httpx.Client) -> None:
    fake.inject("smscx", Fault.delay(0.1))

    started = time.perf_counter()
    response = raw_post(fake, client)
    elapsed = time.perf_counter() - started

    assert response.status_code == 200
    assert 0.1 <= elapsed < 0.3


async def test_delay_past_the_timeout_is_a_token_timeout(fake: FakeProviders) -> None:
    fake.inject("melio", Fault.delay(0.15))

    async with make_source(fake, "melio", timeout=0.05) as source:
        with pytest.raises(TokenTimeoutError) as raised:
            await source.atoken()

    assert isinstance(raised.value.__cause__, httpx.ReadTimeout)
    assert len(fake.requests("melio")) == 1


# -- drop -----------------------------------------------------------------------------------


def test_drop_closes_without_a_response(fake: FakeProviders, client: httpx.Client) -> None:
    fake.inject("smscx", Fault.drop())

    with pytest.raises(httpx.RemoteProtocolError):
        raw_post(fake, client)

    assert raw_post(fake, client).status_code == 200


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_drop_is_a_transport_error_async(fake: FakeProviders, provider: str) -> None:
    fake.inject(provider, Fault.drop())

    async with make_source(fake, provider) as source:
        with pytest.raises(TransportError) as raised:
            await source.atoken()

    assert isinstance(raised.value.__cause__, httpx.RemoteProtocolError)
    assert fake.requests(provider)[-1].fault == Fault.drop()


def test_a_dropped_client_credentials_request_is_retried(fake: FakeProviders) -> None:
    fake.inject("gmo_payment", Fault.drop())
    policy = RetryPolicy(max_retries=1, initial_delay=0.0)

    with make_source(fake, "gmo_payment", retry_policy=policy) as source:
        assert source.token().access_token

    assert len(fake.requests("gmo_payment")) == 2


# -- bodies -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "error", "status"),
    [
        pytest.param(Fault.html(), ServerError, 502, id="html-502"),
        pytest.param(Fault.body(500, b"oops", "text/plain"), ServerError, 500, id="text-500"),
        pytest.param(Fault.truncated_json(), MalformedResponseError, None, id="truncated"),
        pytest.param(Fault.empty(), MalformedResponseError, None, id="empty"),
        pytest.param(Fault.wrong_types(), MalformedResponseError, None, id="wrong-types"),
        pytest.param(
            Fault.redirect("https://elsewhere.invalid/token"),
            MalformedResponseError,
            302,
            id="redirect",
        ),
    ],
)
@pytest.mark.parametrize("provider", PROVIDERS)
def test_malformed_answers_become_sdk_errors(
    fake: FakeProviders, provider: str, fault: Fault, error: type[Exception], status: int | None
) -> None:
    fake.inject(provider, fault)

    with make_source(fake, provider) as source, pytest.raises(error) as raised:
        source.token()

    assert type(raised.value) is error
    if status is not None:
        assert getattr(raised.value, "status_code", None) == status
    assert fake.requests(provider)[-1].fault == fault


def test_body_faults_on_the_wire(fake: FakeProviders, client: httpx.Client) -> None:
    fake.inject("smscx", Fault.html(503))
    fake.inject("smscx", Fault.truncated_json())
    fake.inject("smscx", Fault.empty(201))
    fake.inject("smscx", Fault.wrong_types())
    fake.inject("smscx", Fault.redirect("https://elsewhere.invalid/", status=307))

    html, truncated, empty, wrong, redirect = (raw_post(fake, client) for _ in range(5))

    assert (html.status_code, html.headers["content-type"]) == (503, "text/html; charset=utf-8")
    assert b"<html>" in html.content
    assert truncated.status_code == 200
    with pytest.raises(ValueError):
        truncated.json()
    assert (empty.status_code, empty.content) == (201, b"")
    assert empty.headers["content-type"] == "application/json"
    assert isinstance(wrong.json()["expires_in"], str)
    assert (redirect.status_code, redirect.headers["location"]) == (
        307,
        "https://elsewhere.invalid/",
    )


def test_wrong_types_keep_the_field_names_of_each_provider(fake: FakeProviders) -> None:
    for provider in PROVIDERS:
        fake.inject(provider, Fault.wrong_types())
    transport = None if fake.serve else fake.transport()
    with httpx.Client(transport=transport) as client:
        bodies = {p: client.post(fake.base_url(p) + "/x").json() for p in PROVIDERS}

    assert set(bodies["gmo_payment"]) == {"access_token", "expires_in", "scope", "token_type"}
    assert set(bodies["melio"]["data"]) == {"accessToken", "expiresAt", "refreshToken"}
    assert not isinstance(bodies["moneykit"]["expires_in"], int)


# -- the value class --------------------------------------------------------------------------


def test_fault_is_a_frozen_comparable_value() -> None:
    fault = Fault.status(429, retry_after=5)

    assert fault == Fault.status(429, retry_after="5")
    assert fault.headers == (("Retry-After", "5"),)
    assert hash(fault) == hash(Fault.status(429, retry_after=5))
    with pytest.raises(dataclasses.FrozenInstanceError):
        fault.http_status = 500  # type: ignore[misc]


def test_fault_arguments_are_checked(fake: FakeProviders) -> None:
    with pytest.raises(ValueError, match="delay"):
        Fault.delay(-1)
    with pytest.raises(ValueError, match="3xx"):
        Fault.redirect("https://x.invalid/", status=200)
    with pytest.raises(ValueError, match="times"):
        fake.inject("melio", Fault.drop(), times=0)
    with pytest.raises(ValueError, match="unknown provider"):
        fake.inject("paypal", Fault.drop())
