"""Retries: which failures, how long between them (asserted, not slept)."""

from __future__ import annotations

import datetime as dt
import email.utils

import httpx
import pytest

from provider_tokens import (
    InvalidClientError,
    InvalidRequestError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    TokenTimeoutError,
    TransportError,
)
from provider_tokens._retry import parse_reset_epoch, parse_retry_after
from provider_tokens.testing import ManualClock

from cases import EXAMPLE
from conftest import START, MockProvider, reply

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
CASE = EXAMPLE
NO_JITTER = RetryPolicy(jitter=lambda: 1.0)


def unavailable(status: int = 503, **headers: str) -> httpx.Response:
    return reply(status, {"error_code": "x", "error_message": "later"}, **headers)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("0", 0.0),
        ("120", 120.0),
        ("1.5", 1.5),
        ("Sun, 22 Nov 2026 12:00:30 GMT", 30.0),  # IMF-fixdate
        ("Sunday, 22-Nov-26 12:00:30 GMT", 30.0),  # RFC 850
        ("Sun Nov 22 12:00:30 2026", 30.0),  # asctime
        ("Sun, 22 Nov 2026 11:00:00 GMT", 0.0),  # in the past: no wait
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


def test_parse_reset_epoch() -> None:
    assert parse_reset_epoch(str(int(NOW.timestamp()) + 45), now=NOW) == 45.0
    assert parse_reset_epoch("tomorrow", now=NOW) is None
    assert parse_reset_epoch("9" * 30, now=NOW) is None


def test_backoff_doubles_to_the_cap_with_jitter_in_range() -> None:
    assert [NO_JITTER.backoff(n) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 8, 8]
    low, high = RetryPolicy(jitter=lambda: 0.75), RetryPolicy()
    assert low.backoff(3) == 1.5
    assert all(1.5 <= high.backoff(3) <= 2.0 for _ in range(200))


def test_server_errors_are_retried_with_backoff(clock: ManualClock) -> None:
    mock = MockProvider(unavailable(503), unavailable(502), CASE.success())
    token = CASE.make(http_client=mock.client(), clock=clock, retry_policy=NO_JITTER).token()
    assert token.access_token == CASE.access_token
    assert len(mock.requests) == 3
    assert clock.sleeps == [0.5, 1.0]


async def test_async_retries_wait_the_same(clock: ManualClock) -> None:
    mock = MockProvider(unavailable(500), unavailable(504), CASE.success())
    source = CASE.make(async_http_client=mock.async_client(), clock=clock, retry_policy=NO_JITTER)
    assert (await source.atoken()).access_token == CASE.access_token
    assert clock.sleeps == [0.5, 1.0]


def test_retries_stop_at_max_retries(clock: ManualClock) -> None:
    mock = MockProvider(unavailable(503))
    with pytest.raises(ServerError):
        CASE.make(http_client=mock.client(), clock=clock, max_retries=3).token()
    assert len(mock.requests) == 4
    assert len(clock.sleeps) == 3


def test_max_retries_zero_tries_once(clock: ManualClock) -> None:
    mock = MockProvider(unavailable(503))
    with pytest.raises(ServerError):
        CASE.make(http_client=mock.client(), clock=clock, max_retries=0).token()
    assert len(mock.requests) == 1


@pytest.mark.parametrize(
    ("retry_after", "wait"),
    [
        ("3", 3.0),
        (email.utils.format_datetime(START + dt.timedelta(seconds=7), usegmt=True), 7.0),
        ("60", 60.0),
    ],
)
def test_retry_after_is_waited_for_exactly(
    clock: ManualClock, retry_after: str, wait: float
) -> None:
    mock = MockProvider(unavailable(429, retry_after=retry_after), CASE.success())
    CASE.make(http_client=mock.client(), clock=clock).token()
    assert clock.sleeps == [wait]


def test_a_retry_after_past_the_cap_is_raised_not_waited(clock: ManualClock) -> None:
    mock = MockProvider(unavailable(503, retry_after="61"), CASE.success())
    with pytest.raises(ServerError) as caught:
        CASE.make(http_client=mock.client(), clock=clock).token()
    assert caught.value.retry_after == 61.0
    assert clock.sleeps == []
    assert len(mock.requests) == 1


def test_the_cap_is_configurable(clock: ManualClock) -> None:
    mock = MockProvider(unavailable(429, retry_after="90"), CASE.success())
    policy = RetryPolicy(max_retry_after=120)
    CASE.make(http_client=mock.client(), clock=clock, retry_policy=policy).token()
    assert clock.sleeps == [90.0]


@pytest.mark.parametrize(
    ("status", "error"), [(400, InvalidRequestError), (401, InvalidClientError), (403, Exception)]
)
def test_client_errors_are_not_retried(
    clock: ManualClock, status: int, error: type[Exception]
) -> None:
    mock = MockProvider(unavailable(status), CASE.success())
    with pytest.raises(error):
        CASE.make(http_client=mock.client(), clock=clock).token()
    assert len(mock.requests) == 1


def test_429_without_retry_after_uses_backoff(clock: ManualClock) -> None:
    mock = MockProvider(unavailable(429), unavailable(429), unavailable(429))
    with pytest.raises(RateLimitError):
        CASE.make(http_client=mock.client(), clock=clock, retry_policy=NO_JITTER).token()
    assert clock.sleeps == [0.5, 1.0]


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("slow connect"),
        httpx.PoolTimeout("pool"),
    ],
)
def test_failures_before_sending_are_retried(clock: ManualClock, failure: Exception) -> None:
    mock = MockProvider(failure, CASE.success())
    CASE.make(http_client=mock.client(), clock=clock).token()
    assert len(mock.requests) == 2


def test_a_timeout_is_a_token_timeout_error_with_the_httpx_cause(clock: ManualClock) -> None:
    mock = MockProvider(httpx.ReadTimeout("slow"))
    with pytest.raises(TokenTimeoutError) as caught:
        CASE.make(http_client=mock.client(), clock=clock).token()
    assert isinstance(caught.value, TransportError)
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert "ReadTimeout" in str(caught.value)
