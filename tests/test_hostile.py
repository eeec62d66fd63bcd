"""Hostile and broken responses end in a TokenError, for every provider."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provider_tokens import (
    AccessToken,
    MalformedResponseError,
    ServerError,
    TokenEndpointError,
    TokenError,
)

from cases import CASES, Case, fetch, with_fields
from conftest import reply

HTML = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


def _success_status(case: Case) -> int:
    return case.success().status_code


HOSTILE: list[tuple[str, Any]] = [
    ("html-200", lambda c: reply(200, HTML, content_type="text/html")),
    ("html-success", lambda c: reply(_success_status(c), HTML, content_type="text/html")),
    ("html-400", lambda c: reply(400, HTML, content_type="text/html")),
    ("html-502", lambda c: reply(502, HTML, content_type="text/html")),
    ("empty", lambda c: reply(_success_status(c), b"")),
    ("truncated", lambda c: reply(_success_status(c), b'{"access_token": "abc", "expi')),
    ("list", lambda c: reply(_success_status(c), [1, 2])),
    ("string", lambda c: reply(_success_status(c), b'"token"')),
    ("number", lambda c: reply(_success_status(c), b"42")),
    ("null", lambda c: reply(_success_status(c), b"null")),
    ("no-token", lambda c: with_fields(c, access_token=None)),
    ("token-int", lambda c: with_fields(c, access_token=12345)),
    ("token-empty", lambda c: with_fields(c, access_token="")),
    ("token-null", lambda c: with_fields(c, access_token=None)),
    ("status-520", lambda c: reply(520, b"origin error")),
    ("status-999", lambda c: reply(999, b"?")),
    ("deep-json", lambda c: reply(_success_status(c), b"[" * 100_000 + b"]" * 100_000)),
    ("deep-json-400", lambda c: reply(400, b"[" * 100_000 + b"]" * 100_000)),
    ("deep-json-503", lambda c: reply(503, b'{"a":' * 50_000 + b"1" + b"}" * 50_000)),
]

EXPIRY: list[tuple[str, Any]] = [
    ("negative", -5),
    ("huge", 10**30),
    ("float", 3600.5),
    ("non-numeric", "an hour"),
    ("bool", True),
    ("object", {"s": 1}),
    # Digits to str.isdigit() but not ASCII: int() refuses the first, reads the others.
    ("superscript", "²"),
    ("arabic-indic", "٣٦٠٠"),
    ("fullwidth", "\uff13\uff16\uff10\uff10"),
    ("too-many-digits", "9" * 5000),  # more than int() reads
]


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize(("name", "make"), HOSTILE, ids=[n for n, _ in HOSTILE])
def test_hostile_response_is_a_token_error(case: Case, name: str, make: Any) -> None:
    outcome = fetch(case, make(case))
    assert isinstance(outcome, TokenError), outcome
    assert str(outcome).startswith(f"{case.name}: ")


# A relative lifetime (expires_in); an absolute one is its provider's own test.
@pytest.mark.parametrize("case", [c for c in CASES if "expires_in" in c.fields], ids=str)
@pytest.mark.parametrize(("name", "value"), EXPIRY, ids=[n for n, _ in EXPIRY])
def test_bad_expires_in_is_malformed(case: Case, name: str, value: Any) -> None:
    outcome = fetch(case, with_fields(case, expires_in=value))
    if case.negative_lifetime_is_unknown and name == "negative":
        assert isinstance(outcome, AccessToken)  # "never expires" → unknown lifetime
        assert outcome.expires_at is None
    else:
        assert isinstance(outcome, MalformedResponseError), outcome


@pytest.mark.parametrize("case", [c for c in CASES if "token_type" in c.fields], ids=str)
def test_unknown_token_type_is_kept_not_rejected(case: Case) -> None:
    outcome = fetch(case, with_fields(case, token_type="MAC-v2"))
    assert isinstance(outcome, AccessToken)
    assert outcome.token_type == "MAC-v2"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_html_502_keeps_its_status_class(case: Case) -> None:
    outcome = fetch(case, reply(502, HTML, content_type="text/html"))
    assert isinstance(outcome, ServerError)
    assert outcome.status_code == 502
    # Not JSON: the page is not kept (free text cannot be redacted), only described.
    assert outcome.body == f"<text/html body, {len(HTML)} bytes, not kept>"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
token_keys = st.sampled_from(
    [
        "access_token",
        "token_type",
        "expires_in",
        "scope",
        "refresh_token",
        "data",
        "accessToken",
        "expiresAt",
        "refreshToken",
        "error",
        "error_code",
        "error_message",
        "title",
        "detail",
        "type",
    ]
)
shaped = st.dictionaries(token_keys, json_values, max_size=6).map(lambda d: json.dumps(d).encode())
bodies = st.one_of(
    st.binary(max_size=200), json_values.map(lambda v: json.dumps(v).encode()), shaped
)
statuses = st.one_of(
    st.sampled_from([200, 201, 400, 401, 403, 404, 409, 415, 422, 429, 500, 503]),
    st.integers(100, 999),
)
content_types = st.sampled_from(
    [
        "application/json",
        "application/problem+json",
        "application/json;charset=UTF-8",
        "text/html",
        "",
        "text/plain",
    ]
)
headers = st.fixed_dictionaries(
    {},
    optional={
        "retry-after": st.text(max_size=30),
        "x-rate-limit-reset": st.text(max_size=30),
        "location": st.text(max_size=30),
        "x-request-id": st.text(max_size=30),
    },
)


@pytest.mark.parametrize("case", CASES, ids=str)
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(status=statuses, body=bodies, content_type=content_types, extra=headers)
def test_arbitrary_responses_give_a_token_or_a_token_error(
    case: Case, status: int, body: bytes, content_type: str, extra: dict[str, str]
) -> None:
    # Any printable text, sent as UTF-8 bytes as a server may (a "²" in Retry-After).
    sent = [(k.encode(), v.encode()) for k, v in extra.items() if v.isprintable()]
    if content_type:
        sent.append((b"content-type", content_type.encode()))
    outcome = fetch(case, httpx.Response(status, headers=sent, content=body))
    if isinstance(outcome, AccessToken):
        assert outcome.access_token.strip()
    else:
        assert isinstance(outcome, TokenError)
        if isinstance(outcome, TokenEndpointError):
            assert outcome.status_code == status
