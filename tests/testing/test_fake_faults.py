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
from provider_tokens.testing._endpoints import endpoint_class

from cases import CASES, EXAMPLE, OTHER, Case
from fake_support import client, fake, make_source

# Fixtures from fake_support, requested by name.
__all__ = ["client", "fake"]

# The provider these tests fault, by default (a provider's error shapes are its own tests').
NAME = EXAMPLE.name


def ok(case: Case) -> int:
    """The status of the case's provider's normal answer to a token request."""
    return endpoint_class(case.name).success_statuses[0]


def raw_post(fake: FakeProviders, client: httpx.Client, case: Case = EXAMPLE) -> httpx.Response:
    """A valid token request, without the SDK in between."""
    return case.raw_token(fake, client)


# -- status faults ------------------------------------------------------------------------


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
    fake.inject(NAME, Fault.status(503, retry_after="0"))
    policy = RetryPolicy(max_retries=1)

    with make_source(fake, NAME, retry_policy=policy) as source:
        token = source.token()

    assert fake.is_valid_token(NAME, token.access_token)
    assert [r.fault is not None for r in fake.requests(NAME)] == [True, False]


def test_times_and_until_cleared(fake: FakeProviders, client: httpx.Client) -> None:
    fake.inject(NAME, Fault.status(500), times=2)
    fake.inject(NAME, Fault.status(502), times=None)

    statuses = [raw_post(fake, client).status_code for _ in range(4)]
    fake.clear_faults(NAME)
    statuses.append(raw_post(fake, client).status_code)

    assert statuses == [500, 500, 502, 502, ok(EXAMPLE)]


def test_faults_are_per_provider(fake: FakeProviders, client: httpx.Client) -> None:
    fake.inject(NAME, Fault.status(500))

    assert raw_post(fake, client, OTHER).status_code == ok(OTHER)
    assert fake.requests(NAME) == []


# -- delay ----------------------------------------------------------------------------------


def test_delay_holds_the_normal_answer_back(fake: FakeProviders, client: httpx.Client) -> None:
    fake.inject(NAME, Fault.delay(0.1))

    started = time.perf_counter()
    response = raw_post(fake, client)
    elapsed = time.perf_counter() - started

    assert response.status_code == ok(EXAMPLE)
    assert 0.1 <= elapsed < 0.3


async def test_delay_past_the_timeout_is_a_token_timeout(fake: FakeProviders) -> None:
    fake.inject(NAME, Fault.delay(0.15))

    async with make_source(fake, NAME, timeout=0.05) as source:
        with pytest.raises(TokenTimeoutError) as raised:
            await source.atoken()

    assert isinstance(raised.value.__cause__, httpx.ReadTimeout)
    assert len(fake.requests(NAME)) == 1


# -- drop -----------------------------------------------------------------------------------


def test_drop_closes_without_a_response(fake: FakeProviders, client: httpx.Client) -> None:
    fake.inject(NAME, Fault.drop())

    with pytest.raises(httpx.RemoteProtocolError):
        raw_post(fake, client)

    assert raw_post(fake, client).status_code == ok(EXAMPLE)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_drop_is_a_transport_error_async(fake: FakeProviders, provider: str) -> None:
    fake.inject(provider, Fault.drop())

    async with make_source(fake, provider) as source:
        with pytest.raises(TransportError) as raised:
            await source.atoken()

    assert isinstance(raised.value.__cause__, httpx.RemoteProtocolError)
    assert fake.requests(provider)[-1].fault == Fault.drop()


# Not a refresh that may have spent its refresh token: that one is not sent again.
@pytest.mark.parametrize("case", [c for c in CASES if c.retries_sent_requests], ids=str)
def test_a_dropped_client_credentials_request_is_retried(fake: FakeProviders, case: Case) -> None:
    fake.inject(case.name, Fault.drop())
    policy = RetryPolicy(max_retries=1, initial_delay=0.0)

    with make_source(fake, case.name, retry_policy=policy) as source:
        assert source.token().access_token

    assert len(fake.requests(case.name)) == 2


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
    fake.inject(NAME, Fault.html(503))
    fake.inject(NAME, Fault.truncated_json())
    fake.inject(NAME, Fault.empty(201))
    fake.inject(NAME, Fault.wrong_types())
    fake.inject(NAME, Fault.redirect("https://elsewhere.invalid/", status=307))

    html, truncated, empty, wrong, redirect = (raw_post(fake, client) for _ in range(5))

    assert (html.status_code, html.headers["content-type"]) == (503, "text/html; charset=utf-8")
    assert b"<html>" in html.content
    assert truncated.status_code == ok(EXAMPLE)
    with pytest.raises(ValueError):
        truncated.json()
    assert (empty.status_code, empty.content) == (201, b"")
    assert empty.headers["content-type"] == "application/json"
    assert isinstance(EXAMPLE.members(wrong.json())[EXAMPLE.fields["expires_in"]], str)
    assert (redirect.status_code, redirect.headers["location"]) == (
        307,
        "https://elsewhere.invalid/",
    )


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
        fake.inject(NAME, Fault.drop(), times=0)
    with pytest.raises(ValueError, match="unknown provider"):
        fake.inject("paypal", Fault.drop())
