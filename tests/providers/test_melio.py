"""Melio token source: API key, idempotency keys, absolute expiry."""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from provider_tokens import MalformedResponseError, Melio
from provider_tokens.testing import FakeProviders, ManualClock

from case_melio import CASE
from cases import fetch, with_fields
from conftest import START, MockProvider, at, reply


def _body(expires_at: str) -> dict[str, object]:
    return {"data": {"accessToken": "m", "expiresAt": expires_at, "refreshToken": "r"}}


@pytest.mark.parametrize(
    ("environment", "base"),
    [("production", "https://api.melio.com/v1"), ("sandbox", "https://api-sandbox.melio.com/v1")],
)
def test_token_request(environment: Any, base: str) -> None:
    mock = MockProvider(CASE.success())
    Melio(
        "partner-key", account_id="acc-9", environment=environment, http_client=mock.client()
    ).token()
    request = mock.requests[0]
    assert (request.method, str(request.url)) == ("POST", f"{base}/auth/token")
    assert request.headers["api-key"] == "partner-key"
    assert "authorization" not in request.headers
    assert request.headers["melio-account"] == "acc-9"
    assert uuid.UUID(request.headers["idempotency-key"]).version == 4
    assert request.content == b""
    assert "content-type" not in request.headers


def test_no_account_header_without_an_account() -> None:
    mock = MockProvider(CASE.success())
    Melio("partner-key", http_client=mock.client()).token()
    assert "melio-account" not in mock.requests[0].headers


def test_each_token_request_gets_a_new_idempotency_key(clock: ManualClock) -> None:
    mock = MockProvider(CASE.success())
    source = CASE.make(http_client=mock.client(), clock=clock)
    source.token()
    source.invalidate()
    source.token()
    keys = [r.headers["idempotency-key"] for r in mock.requests]
    assert len(set(keys)) == 2


def test_retries_reuse_the_idempotency_key(clock: ManualClock) -> None:
    mock = MockProvider(
        reply(503, {"error": {"code": "unavailable", "message": "later"}}), CASE.success()
    )
    CASE.make(http_client=mock.client(), clock=clock).token()
    keys = [r.headers["idempotency-key"] for r in mock.requests]
    assert len(keys) == 2
    assert keys[0] == keys[1]


def test_absolute_expiry_and_refresh_token_are_kept(clock: ManualClock) -> None:
    token = CASE.make(http_client=MockProvider(CASE.success()).client(), clock=clock).token()
    assert token.expires_at == START + dt.timedelta(hours=1)
    assert token.refresh_token == "melio-refresh"
    assert token.token_type == "Bearer"


def test_an_expiry_without_offset_is_utc(clock: ManualClock) -> None:
    mock = MockProvider(reply(200, _body(at(1800, suffix=""))))
    token = CASE.make(http_client=mock.client(), clock=clock).token()
    assert token.expires_at == START + dt.timedelta(minutes=30)


@pytest.mark.parametrize("expires_at", [at(-3600), "next tuesday"])
def test_a_past_or_unparseable_expiry_is_malformed(expires_at: str, clock: ManualClock) -> None:
    mock = MockProvider(reply(200, _body(expires_at)))
    with pytest.raises(MalformedResponseError):
        CASE.make(http_client=mock.client(), clock=clock).token()


@pytest.mark.parametrize("status", [200, 201])
def test_both_success_statuses(status: int, clock: ManualClock) -> None:
    mock = MockProvider(reply(status, _body(at(3600))))
    assert CASE.make(http_client=mock.client(), clock=clock).token().access_token == "m"


@pytest.mark.parametrize(
    "value", ["tomorrow", "2026-13-45T00:00:00Z", "2020-01-01T00:00:00Z", 1700000000, None]
)
def test_bad_melio_expiry_is_malformed(value: Any) -> None:
    assert isinstance(fetch(CASE, with_fields(CASE, expires_at=value)), MalformedResponseError)


# -- clocks that disagree ----------------------------------------------------------------


class Dated(httpx.BaseTransport):
    """The fake, answering with a ``Date`` header on its own clock, as any HTTP
    server with a clock does (RFC 9110 §6.6.1); the bare fake transport sends none."""

    def __init__(self, fake: FakeProviders, clock: ManualClock) -> None:
        self._inner = fake.transport()
        self._clock = clock

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        response.headers["Date"] = email.utils.format_datetime(self._clock.now(), usegmt=True)
        return response


@contextlib.contextmanager
def skewed(
    ahead: float, lifetime: int, *, dated: bool = True
) -> Iterator[tuple[FakeProviders, Melio, ManualClock, ManualClock]]:
    """The fake on one clock, a Melio source on another ``ahead`` seconds later."""
    provider_clock = ManualClock(START)
    host_clock = ManualClock(START + dt.timedelta(seconds=ahead))
    with FakeProviders(serve=False, clock=provider_clock.time) as fake:
        fake.set_lifetime("melio", lifetime)
        transport = Dated(fake, provider_clock) if dated else fake.transport()
        credentials: dict[str, Any] = {
            k: v for k, v in fake.credentials("melio").items() if "http" not in k
        }
        with (
            httpx.Client(transport=transport) as client,
            Melio(**credentials, http_client=client, clock=host_clock, max_retries=0) as source,
        ):
            yield fake, source, provider_clock, host_clock


@pytest.mark.parametrize(
    ("ahead", "lifetime"),
    [
        (5, 3),  # seconds ahead, a token of seconds
        (180, 60),  # minutes ahead
        (3600, 1800),  # an hour ahead, a token of half an hour
        (-180, 60),  # behind: the expiry would seem four minutes away
    ],
)
def test_the_providers_date_measures_an_absolute_expiry(ahead: float, lifetime: int) -> None:
    with skewed(ahead, lifetime) as (fake, source, provider_clock, host_clock):
        token = source.token()
        # The provider's lifetime, counted on this host's clock.
        assert token.expires_at == host_clock.now() + dt.timedelta(seconds=lifetime)
        assert source.token() == token  # cached

        for clock in (provider_clock, host_clock):
            clock.advance(lifetime)
        assert not fake.is_valid_token("melio", token.access_token)
        renewed = source.token()
        assert renewed != token
        assert fake.is_valid_token("melio", renewed.access_token)


def test_a_real_servers_date_header_is_read(clock: ManualClock) -> None:
    # The loopback fake's HTTP server stamps Date from the real clock; so does the fake's
    # own clock here, and the source's runs three minutes ahead.
    host_clock = ManualClock(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=3))
    with (
        FakeProviders(lifetime=60) as fake,
        Melio(**fake.credentials("melio"), clock=host_clock, max_retries=0) as source,
    ):
        token = source.token()
    assert token.expires_at is not None
    lifetime = (token.expires_at - host_clock.now()).total_seconds()
    assert 59 <= lifetime <= 61  # Date has whole seconds


def test_without_a_date_a_host_a_few_seconds_ahead_still_gets_its_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with skewed(5, 3, dated=False) as (fake, source, _, host_clock):
        token = source.token()
        assert fake.is_valid_token("melio", token.access_token)
        # How long it lives cannot be told: it is used now, and renewed on the next call.
        assert token.expires_at == host_clock.now() + dt.timedelta(seconds=1)
        host_clock.advance(1)
        assert source.token() != token
    assert "is 2 s before this host's clock" in caplog.text


def test_without_a_date_an_expiry_far_in_the_past_is_still_malformed() -> None:
    with skewed(600, 60, dated=False) as (_, source, _, _), pytest.raises(MalformedResponseError):
        source.token()


@pytest.mark.parametrize(
    ("date", "expires_at", "lifetime"),
    [
        (START - dt.timedelta(days=2), at(3600), 3600),  # Date not believed: this host's clock
        (START + dt.timedelta(seconds=2), at(3600), 3600),  # clocks agree: kept to the ms
    ],
)
def test_which_clock_an_expiry_is_read_on(
    clock: ManualClock, date: dt.datetime, expires_at: str, lifetime: float
) -> None:
    http_date = email.utils.format_datetime(date, usegmt=True)
    mock = MockProvider(reply(200, _body(expires_at), date=http_date))
    token = CASE.make(http_client=mock.client(), clock=clock).token()
    assert token.expires_at == START + dt.timedelta(seconds=lifetime)


@pytest.mark.parametrize("expires_at", [at(-10), at(2**31 + 10)])
def test_an_expiry_the_providers_own_date_rules_out_is_malformed(
    clock: ManualClock, expires_at: str
) -> None:
    # Already expired by the provider's own clock (this host's runs behind), or past
    # any lifetime taken at face value.
    http_date = email.utils.format_datetime(START, usegmt=True)
    mock = MockProvider(reply(200, _body(expires_at), date=http_date))
    clock_behind = ManualClock(START - dt.timedelta(minutes=1))
    with pytest.raises(MalformedResponseError, match="after the response's Date"):
        CASE.make(http_client=mock.client(), clock=clock_behind).token()


class _Recording(httpx.BaseTransport):
    """The fake's transport, keeping every response body as it arrived."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.bodies: list[bytes] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        body = response.read()
        self.bodies.append(body)
        return httpx.Response(response.status_code, headers=response.headers, content=body)


def test_raw_expires_at_is_the_string_the_provider_sent() -> None:
    with FakeProviders(serve=False) as fake:
        recording = _Recording(fake.transport())
        kwargs: dict[str, Any] = {
            **fake.credentials("melio"),
            "http_client": httpx.Client(transport=recording),
        }
        with Melio(**kwargs) as melio:
            token = melio.token()
    (body,) = recording.bodies
    sent = json.loads(body)["data"]["expiresAt"]
    assert sent.endswith("Z")  # as the fake sends it, not re-serialised as +00:00
    assert token.raw["data"]["expiresAt"] == sent
    # Byte for byte: the string, quoted as JSON, is in the body the fake sent.
    assert json.dumps(token.raw["data"]["expiresAt"]).encode() in body
    assert dict(token.raw) == json.loads(body)
