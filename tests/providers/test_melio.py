"""Melio token source: API key, idempotency keys, absolute expiry."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from provider_tokens import MalformedResponseError, Melio
from provider_tokens.testing import ManualClock

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
