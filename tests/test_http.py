"""The guarded HTTP path of token requests: timeouts, redirects, size, plain http."""

from __future__ import annotations

import re
import ssl
from collections.abc import Iterator

import httpx
import pytest

from provider_tokens import ConfigurationError, MalformedResponseError
from provider_tokens._http import MAX_BODY_BYTES, basic_auth
from provider_tokens.testing import ManualClock

from cases import EXAMPLE
from conftest import MockProvider, reply

CASE = EXAMPLE


def test_every_token_request_carries_the_timeout(clock: ManualClock) -> None:
    mock = MockProvider(CASE.success())
    CASE.make(http_client=mock.client(), clock=clock, timeout=2.5).token()
    assert mock.requests[0].extensions["timeout"] == dict.fromkeys(
        ("connect", "read", "write", "pool"), 2.5
    )


def test_redirects_are_not_followed(clock: ManualClock) -> None:
    mock = MockProvider(reply(302, b"", location="https://evil.example/steal"), CASE.success())
    with pytest.raises(
        MalformedResponseError, match=re.escape("redirected (302) to 'evil.example'")
    ):
        CASE.make(http_client=mock.client(), clock=clock).token()
    assert len(mock.requests) == 1


def test_an_oversized_body_is_refused_without_reading_it_all(clock: ManualClock) -> None:
    produced = 0

    def endless() -> Iterator[bytes]:
        nonlocal produced
        while produced < 10 * MAX_BODY_BYTES:
            produced += 64 * 1024
            yield b" " * (64 * 1024)

    mock = MockProvider(lambda request: httpx.Response(201, content=endless()))
    with pytest.raises(MalformedResponseError, match="exceeds"):
        CASE.make(http_client=mock.client(), clock=clock).token()
    assert produced <= MAX_BODY_BYTES + 64 * 1024


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/mk", "http://localhost:1/x", "http://[::1]:9/y"]
)
def test_plain_http_is_allowed_to_loopback(url: str) -> None:
    assert CASE.make(base_url=url).base_url == url.rstrip("/")


def test_plain_http_elsewhere_is_refused_unless_allowed() -> None:
    with pytest.raises(ConfigurationError, match=re.escape("plain http to example.com")):
        CASE.make(base_url="http://example.com")
    source = CASE.make(base_url="http://example.com", allow_insecure_http=True)
    assert source.base_url == "http://example.com"


@pytest.mark.parametrize("url", ["ftp://example.com", "example.com"])
def test_base_url_must_be_absolute_http(url: str) -> None:
    with pytest.raises(ConfigurationError, match="absolute http"):
        CASE.make(base_url=url)


@pytest.mark.parametrize(
    ("keyword", "value"),
    [("timeout", 0), ("refresh_margin", -1), ("default_ttl", 0), ("max_retries", -1)],
)
def test_bad_common_keywords_are_configuration_errors(keyword: str, value: float) -> None:
    with pytest.raises(ConfigurationError, match=keyword):
        CASE.make(**{keyword: value})


def test_tls_is_verified_by_default() -> None:
    source = CASE.make()
    pool = source._clients.sync()._transport._pool  # type: ignore[attr-defined]
    assert pool._ssl_context.verify_mode == ssl.CERT_REQUIRED
    source.close()


@pytest.mark.parametrize("secret", ["a:b", "p+l/u=s%", "日本語", "sp ace"])
def test_basic_auth_encodings(secret: str) -> None:
    import base64

    plain = basic_auth("id", secret)
    request = httpx.Request("POST", "https://x")
    next(plain.auth_flow(request))
    assert base64.b64decode(request.headers["authorization"][6:]).decode() == f"id:{secret}"

    assert repr(plain) == "HeaderAuth('Authorization')"
