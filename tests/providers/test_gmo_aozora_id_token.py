"""GmoAozora verifies the ID token of an OpenID Connect answer before keeping anything.

HS256 with the client secret, ``aud`` the client_id, ``iss`` the bank's issuer,
``exp``/``iat`` within a minute's leeway on the source's clock, and the nonce given
to ``exchange_code``. The fake bank issues real ID tokens (nonce from the
authorization request); wrongly made ones come from a scripted endpoint.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import sys
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from provider_tokens import ConfigurationError, GmoAozora, IdTokenError, NoRefreshTokenError
from provider_tokens.stores import FileStore
from provider_tokens.testing import FakeProviders, ManualClock

from conftest import MockProvider, reply

CLIENT_ID = "aozora-client"
SECRET = "a-client-secret-of-at-least-thirty-two-bytes"
REDIRECT = "https://app.example/callback"
ISSUER = "https://api.gmo-aozora.com/"
NONCE = "n-0S6_WzA2Mj"
OIDC = "openid offline_access private:account"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def id_token(clock: ManualClock, *, secret: str = SECRET, alg: str = "HS256", **claims: Any) -> str:
    now = int(clock.time())
    payload = {
        "iss": ISSUER,
        "sub": "user-1",
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 3600,
        "nonce": NONCE,
        **claims,
    }
    payload = {k: v for k, v in payload.items() if v is not None}
    if alg == "HS256":
        return jwt.encode(payload, secret, algorithm="HS256")
    # Other algorithms, made by hand: what an attacker would send.
    signing_input = f"{b64(json.dumps({'alg': alg}).encode())}.{b64(json.dumps(payload).encode())}"
    mac = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac) if alg != 'none' else ''}"


def answer(token: str | None, *, refresh_token: str | None = "rt-2") -> httpx.Response:
    body: dict[str, Any] = {
        "access_token": "at-1",
        "token_type": "Bearer",
        "expires_in": 3600,
        "scope": OIDC,
    }
    if refresh_token:
        body["refresh_token"] = refresh_token
    if token is not None:
        body["id_token"] = token
    return reply(200, body)


def source(mock: MockProvider, clock: ManualClock, **options: Any) -> GmoAozora:
    return GmoAozora(
        CLIENT_ID,
        SECRET,
        redirect_uri=REDIRECT,
        base_url="https://bank.example/auth/v1",
        http_client=mock.client(),
        async_http_client=mock.async_client(),
        clock=clock,
        max_retries=0,
        **options,
    )


def refused(mock: MockProvider, clock: ManualClock, token: str | None, **options: Any) -> str:
    """The reason an exchange with ``nonce=NONCE`` answered by ``token`` is refused; and
    that nothing was kept."""
    with source(mock, clock, **options) as aozora:
        mock.responses = [answer(token)]
        with pytest.raises(IdTokenError) as caught:
            aozora.exchange_code("code-1", nonce=NONCE)
        error = caught.value
        assert error.__cause__ is None
        assert error.__context__ is None
        assert SECRET not in str(error)
        assert token is None or token not in str(error)
        with pytest.raises(NoRefreshTokenError):
            aozora.token()  # nothing cached, no refresh token kept
    return error.reason


def test_a_valid_id_token_gives_its_claims(clock: ManualClock) -> None:
    mock = MockProvider(answer(id_token(clock)))
    with source(mock, clock) as aozora:
        token = aozora.exchange_code("code-1", nonce=NONCE)
        assert token.id_claims is not None
        assert token.id_claims["nonce"] == NONCE
        assert token.id_claims["aud"] == CLIENT_ID
        assert aozora.token() is token  # cached, claims and all
    assert "sub" not in repr(token)


async def test_aexchange_code_verifies_too(clock: ManualClock) -> None:
    mock = MockProvider(answer(id_token(clock, nonce="another")))
    async with source(mock, clock) as aozora:
        with pytest.raises(IdTokenError) as caught:
            await aozora.aexchange_code("code-1", nonce=NONCE)
    assert caught.value.reason == "nonce"


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"aud": "another-client"}, "audience"),
        ({"aud": ["another-client"]}, "audience"),
        ({"aud": None}, "audience"),
        ({"nonce": "a-replayed-nonce"}, "nonce"),
        ({"nonce": None}, "nonce"),
        ({"iss": "https://evil.example/"}, "issuer"),
        ({"iss": None}, "claims"),
        ({"exp": None}, "claims"),
        ({"iat": None}, "claims"),
        ({"exp": "tomorrow"}, "claims"),
    ],
)
def test_wrong_claims_are_refused(
    clock: ManualClock, claims: dict[str, Any], expected: str
) -> None:
    assert refused(MockProvider(), clock, id_token(clock, **claims)) == expected


def test_an_expired_or_future_id_token_is_refused(clock: ManualClock) -> None:
    now = int(clock.time())
    assert refused(MockProvider(), clock, id_token(clock, exp=now - 61)) == "expired"
    assert refused(MockProvider(), clock, id_token(clock, iat=now + 61)) == "future"
    # Within the minute's leeway, either way.
    mock = MockProvider(answer(id_token(clock, exp=now - 59, iat=now + 59)))
    with source(mock, clock) as aozora:
        assert aozora.exchange_code("code-1", nonce=NONCE).id_claims is not None


def test_a_token_signed_with_another_secret_or_algorithm_is_refused(clock: ManualClock) -> None:
    other = "another-secret-of-at-least-thirty-two-bytes"
    assert refused(MockProvider(), clock, id_token(clock, secret=other)) == "signature"
    for alg in ("none", "HS512", "RS256", "ES256"):
        assert refused(MockProvider(), clock, id_token(clock, alg=alg)) == "algorithm", alg
    assert refused(MockProvider(), clock, "not.a.jwt") == "malformed"


def test_a_nonce_given_but_no_id_token_is_refused(clock: ManualClock) -> None:
    assert refused(MockProvider(), clock, None) == "missing"


def test_the_issuer_defaults_to_the_environments_with_or_without_slash(clock: ManualClock) -> None:
    for issuer in (ISSUER, ISSUER.rstrip("/")):
        mock = MockProvider(answer(id_token(clock, iss=issuer)))
        with source(mock, clock) as aozora:
            assert aozora.exchange_code("code-1", nonce=NONCE).id_claims is not None
    staging = "https://stg-api.gmo-aozora.com/"
    assert refused(MockProvider(), clock, id_token(clock, iss=staging)) == "issuer"
    mock = MockProvider(answer(id_token(clock, iss=staging)))
    with source(mock, clock, environment="staging") as aozora:
        assert aozora.exchange_code("code-1", nonce=NONCE).id_claims is not None
    # An issuer given is matched exactly.
    custom = "https://sunabar.example/"
    assert refused(MockProvider(), clock, id_token(clock), issuer=custom) == "issuer"
    mock = MockProvider(answer(id_token(clock, iss=custom)))
    with source(mock, clock, issuer=custom) as aozora:
        assert aozora.exchange_code("code-1", nonce=NONCE).id_claims is not None


def test_without_a_nonce_the_id_token_is_verified_but_its_nonce_not_checked(
    clock: ManualClock,
) -> None:
    mock = MockProvider(answer(id_token(clock, nonce="whatever")))
    with source(mock, clock) as aozora:
        assert aozora.exchange_code("code-1").id_claims is not None
    mock = MockProvider(answer(id_token(clock, aud="another-client")))
    with source(mock, clock) as aozora, pytest.raises(IdTokenError):
        aozora.exchange_code("code-1")
    mock = MockProvider(answer(None))
    with source(mock, clock) as aozora:
        assert aozora.exchange_code("code-1").id_claims is None  # plain OAuth


def test_a_refresh_verifies_its_id_token_without_a_nonce(clock: ManualClock) -> None:
    mock = MockProvider(answer(id_token(clock, nonce=None)))
    with source(mock, clock, refresh_token="rt-1") as aozora:
        assert aozora.token().id_claims is not None


@pytest.mark.parametrize("store", ["private", "file"])
def test_a_refresh_whose_id_token_fails_keeps_the_new_refresh_token(
    clock: ManualClock, store: str, tmp_path: Path
) -> None:
    good = answer(id_token(clock, nonce=None), refresh_token="rt-2")
    bad = answer(id_token(clock, nonce=None, aud="another-client"), refresh_token="rt-3")
    mock = MockProvider(good, bad, answer(None, refresh_token="rt-4"))
    options: dict[str, Any] = {"store": FileStore(tmp_path)} if store == "file" else {}
    with source(mock, clock, refresh_token="rt-1", **options) as aozora:
        aozora.token()  # rt-1 -> rt-2, kept in the store
        clock.advance(3600)
        with pytest.raises(IdTokenError):
            aozora.token()  # rt-2 -> rt-3, its ID token refused
        if store == "private":
            aozora.token()  # renews with rt-3
    if store == "file":
        # Another process on the same store renews with rt-3, not the spent rt-2.
        with source(mock, clock, **options) as other:
            other.token()
    sent = [mock.form(i)["refresh_token"] for i in range(len(mock.requests))]
    assert sent[:3] == ["rt-1", "rt-2", "rt-3"]


def test_without_the_extra_a_nonce_is_refused_before_the_code_is_spent(
    clock: ManualClock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    mock = MockProvider(answer(id_token(clock)))
    monkeypatch.setitem(sys.modules, "jwt", None)
    with source(mock, clock) as aozora:
        with pytest.raises(ConfigurationError, match=r"provider-tokens\[jwt\]"):
            aozora.exchange_code("code-1", nonce=NONCE)
        assert mock.requests == []
        # Without a nonce the code is exchanged; the ID token is left unverified, said.
        with caplog.at_level(logging.WARNING, logger="provider_tokens"):
            assert aozora.exchange_code("code-1").id_claims is None
    assert "not verified" in caplog.text


# -- against the fake bank ------------------------------------------------------------------


@pytest.mark.parametrize("auth_method", ["basic", "post"])
def test_the_fakes_id_tokens_carry_the_authorization_nonce(auth_method: Any) -> None:
    with FakeProviders() as fake:
        credentials = fake.credentials("gmo_aozora", auth_method=auth_method)
        with GmoAozora(**credentials) as aozora:
            code = fake.authorization_code(OIDC, nonce=NONCE, auth_method=auth_method)
            token = aozora.exchange_code(code, nonce=NONCE)
            assert token.id_claims is not None
            assert token.id_claims["nonce"] == NONCE
            code = fake.authorization_code(OIDC, nonce="another", auth_method=auth_method)
            with pytest.raises(IdTokenError) as caught:
                aozora.exchange_code(code, nonce=NONCE)
            assert caught.value.reason == "nonce"


def test_an_id_token_of_the_fake_expires_with_its_clock() -> None:
    clock = ManualClock()
    with FakeProviders(clock=clock.time) as fake:
        fake.set_lifetime("gmo_aozora", 600)
        credentials = fake.credentials("gmo_aozora")
        code = fake.authorization_code(OIDC, nonce=NONCE)
        with GmoAozora(**credentials, clock=clock) as aozora:
            aozora.exchange_code(code, nonce=NONCE)
            clock.advance(600 + 61)
            # The refresh's ID token is new: verified without a nonce, and valid.
            assert aozora.token().id_claims is not None


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 10**400])
def test_times_that_are_no_finite_number_are_refused(clock: ManualClock, value: Any) -> None:
    assert refused(MockProvider(), clock, id_token(clock, exp=value)) == "claims"
    assert refused(mock := MockProvider(), clock, id_token(clock, iat=value)) == "claims"
    assert mock.requests  # the code was sent: the check is on the answer


def test_a_nonce_claim_that_cannot_be_encoded_is_a_nonce_mismatch(clock: ManualClock) -> None:
    assert refused(MockProvider(), clock, id_token(clock, nonce="\ud800")) == "nonce"


@pytest.mark.parametrize("nonce", ["\ud800", "naïve", "tab\t", "line\n"])
def test_a_nonce_that_is_no_printable_ascii_is_refused_before_the_code_is_sent(
    clock: ManualClock, nonce: str
) -> None:
    mock = MockProvider(answer(id_token(clock)))
    with source(mock, clock) as aozora, pytest.raises(ConfigurationError, match="nonce"):
        aozora.exchange_code("code-1", nonce=nonce)
    assert mock.requests == []


def test_an_authorized_party_other_than_this_client_is_refused(clock: ManualClock) -> None:
    token = id_token(clock, aud=[CLIENT_ID, "another-client"], azp="another-client")
    assert refused(MockProvider(), clock, token) == "audience"
    mock = MockProvider(answer(id_token(clock, aud=[CLIENT_ID, "other"], azp=CLIENT_ID)))
    with source(mock, clock) as aozora:
        assert aozora.exchange_code("code-1", nonce=NONCE).id_claims is not None


def test_id_claims_pickle_and_copy_with_the_token(clock: ManualClock) -> None:
    import copy
    import pickle

    mock = MockProvider(answer(id_token(clock)))
    with source(mock, clock) as aozora:
        token = aozora.exchange_code("code-1", nonce=NONCE)
    for copied in (pickle.loads(pickle.dumps(token)), copy.deepcopy(token), copy.copy(token)):
        assert copied.id_claims == token.id_claims
    assert json.loads(json.dumps(token.id_claims)) == dict(token.id_claims or {})
