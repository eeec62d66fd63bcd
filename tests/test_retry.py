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


# What str.isdigit() or float() take but delta-seconds are not: other scripts' digits
# (superscript, Arabic-Indic, fullwidth, Devanagari), signs, exponents, NaN and
# infinities, and strings that look like a date to a lenient parser.
NOT_DELTA_SECONDS = [
    "²",
    "1²",
    "١٢",
    "\uff11\uff12",  # fullwidth
    "१२",
    "-5",
    "+5",
    "1e999",
    "1e3",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "0x10",
    "1_000",
    "1.",
    ".5",
    "1.2.3",
    "Sunday",
    "5 5",
]


@pytest.mark.parametrize("value", NOT_DELTA_SECONDS)
def test_only_ascii_delta_seconds_or_an_http_date_count(value: str) -> None:
    assert parse_retry_after(value, now=NOW) is None
    assert parse_retry_after(f" {value} ", now=NOW) is None


@pytest.mark.parametrize("value", ["9" * 400, "9" * 5000, "99999999999.5"])
def test_a_huge_retry_after_counts_as_2_to_the_31(value: str) -> None:
    # RFC 9111 §1.2.2: a delta-seconds too large to represent is 2**31. Finite, so
    # the error's retry_after stays a number, and far past any cap: not waited for.
    assert parse_retry_after(value, now=NOW) == 2.0**31


@pytest.mark.parametrize(
    "value",
    [
        *NOT_DELTA_SECONDS,
        "٣" * 10,  # Arabic-Indic digits: int() reads them as an epoch
        "9" * 5000,  # more digits than int() reads
        "1700000000.5",
        "",
    ],
)
def test_a_reset_epoch_is_ascii_digits_or_nothing(value: str) -> None:
    assert parse_reset_epoch(value, now=NOW) is None


@pytest.mark.parametrize("value", ["²", "١٢", "9" * 400, "1e999", "-5", "NaN", "Sunday"])
@pytest.mark.parametrize("header", ["retry-after", "x-rate-limit-reset"])
def test_a_hostile_wait_header_is_a_typed_error_with_a_finite_or_no_wait(
    clock: ManualClock, header: str, value: str
) -> None:
    # Sent as UTF-8 bytes, as a server may; httpx reads them back as text.
    response = httpx.Response(
        429,
        headers=[(header.encode(), value.encode()), (b"content-type", b"application/json")],
        content=b'{"error_code": "x", "error_message": "later"}',
    )
    mock = MockProvider(response)
    with pytest.raises(RateLimitError) as caught:
        CASE.make(http_client=mock.client(), clock=clock, max_retries=0).token()
    wait = caught.value.retry_after
    assert wait is None or 0 <= wait <= 2**31


def test_budget_bounds_every_attempt_and_every_wait() -> None:
    policy = RetryPolicy(max_retries=2, max_delay=8.0, max_retry_after=60.0)
    # 3 attempts of 4 phases (pool, connect, write, read) at 10 s, and 2 waits of
    # at most 60 s (a Retry-After, longer than any backoff).
    assert policy.budget(10.0) == 3 * 4 * 10.0 + 2 * 60.0
    assert RetryPolicy(max_retries=0).budget(5.0) == 20.0  # one attempt, no wait
    assert RetryPolicy(max_retries=1, max_delay=90.0, max_retry_after=30.0).budget(1.0) == 98.0


def test_budget_covers_the_longest_waits_the_policy_can_choose(clock: ManualClock) -> None:
    policy = RetryPolicy(max_retries=3, max_delay=2.0, max_retry_after=5.0, jitter=lambda: 1.0)
    mock = MockProvider(
        unavailable(429, retry_after="5"),
        unavailable(503),
        unavailable(429, retry_after="5"),
        unavailable(503),
    )
    with pytest.raises(ServerError):
        CASE.make(http_client=mock.client(), clock=clock, retry_policy=policy).token()
    assert len(mock.requests) == 4
    assert sum(clock.sleeps) <= policy.budget(0.0) == 3 * 5.0


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
