"""AccessToken: normalisation, expiry arithmetic, and a repr without secrets."""

from __future__ import annotations

import datetime as dt
import json

import attrs
import pytest

from provider_tokens import AccessToken

from cases import CASES, Case, fetch

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("given", ["bearer", "Bearer", "BEARER", " bearer ", None, ""])
def test_token_type_bearer_is_normalised(given: str | None) -> None:
    assert AccessToken("t", token_type=given).token_type == "Bearer"


def test_other_token_types_are_kept() -> None:
    assert AccessToken("t", token_type="DPoP").token_type == "DPoP"


def test_expiry_arithmetic() -> None:
    token = AccessToken("t", expires_at=NOW + dt.timedelta(seconds=90))
    assert token.expires_in(now=NOW) == 90
    assert not token.is_expired(now=NOW)
    assert token.is_expired(leeway=90, now=NOW)
    assert token.is_expired(now=NOW + dt.timedelta(seconds=91))


def test_unknown_expiry_never_counts_as_expired() -> None:
    token = AccessToken("t")
    assert token.expires_in() is None
    assert not token.is_expired(leeway=10**9)


def test_expires_at_is_converted_to_utc() -> None:
    tokyo = dt.timezone(dt.timedelta(hours=9))
    token = AccessToken("t", expires_at=dt.datetime(2026, 11, 22, 21, 0, tzinfo=tokyo))
    assert token.expires_at == NOW
    assert token.expires_at is not None
    assert token.expires_at.tzinfo is dt.UTC


def test_naive_expiry_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        AccessToken("t", expires_at=dt.datetime(2026, 1, 1))


def test_is_frozen() -> None:
    token = AccessToken("t")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        token.access_token = "u"  # type: ignore[misc]


def test_repr_and_str_hide_the_tokens_but_raw_keeps_them() -> None:
    token = AccessToken(
        "ACCESS-CANARY",
        refresh_token="REFRESH-CANARY",
        scope="sms",
        raw={"access_token": "ACCESS-CANARY", "id_token": "ID-CANARY", "scope": "sms"},
    )
    for text in (repr(token), str(token), repr(token.raw), str(token.raw)):
        assert "CANARY" not in text
    assert "scope='sms'" in repr(token)
    assert token.raw["id_token"] == "ID-CANARY"
    assert dict(token.raw)["access_token"] == "ACCESS-CANARY"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_raw_is_the_body_as_received(case: Case) -> None:
    response = case.success()
    token = fetch(case, response)
    assert isinstance(token, AccessToken)
    # The JSON body parsed with json and nothing else: no model's re-serialisation.
    assert dict(token.raw) == json.loads(response.content)
    # Still redacted when shown.
    assert case.access_token not in repr(token.raw)
    assert case.access_token not in repr(token)
