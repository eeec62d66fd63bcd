"""MoneyKit.verify_webhook: ES256 JWTs checked against the JWKS, and the body's hash.

Two kinds of signer: keys this test makes itself (served as a JWKS through
``httpx.MockTransport``, so tokens can be tampered with or signed wrongly at will),
and the fake MoneyKit (``FakeProviders.moneykit_webhook``), over real HTTP. The
source's clock is a ManualClock wherever time matters; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import pickle
import sys
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from provider_tokens import ConfigurationError, MoneyKit, ServerError, WebhookVerificationError
from provider_tokens.testing import FakeProviders, ManualClock

WAIT = 10.0
BODY = b'{"webhook_event":"link.state_changed","link_id":"mk_link_1"}'
JWKS_PATH = "/.well-known/jwks.json"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Signer:
    """EC P-256 keys made here, their JWKS served by a MockTransport that counts."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.private: dict[str, ec.EllipticCurvePrivateKey] = {}
        self.listed: list[str] = []
        self.requests = 0
        self.status = 200
        self.gate: threading.Event | None = None
        self._lock = threading.Lock()

    def new_key(self, kid: str | None = None, *, listed: bool = True) -> str:
        kid = kid or f"kid-{uuid.uuid4().hex[:8]}"
        self.private[kid] = ec.generate_private_key(ec.SECP256R1())
        if listed:
            self.listed.append(kid)
        return kid

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid in self.listed:
            member = jwt.algorithms.ECAlgorithm.to_jwk(self.private[kid].public_key(), as_dict=True)
            keys.append({**member, "kid": kid, "use": "sig", "alg": "ES256"})
        return {"keys": keys}

    def sign(self, body: bytes = BODY, *, kid: str, iat: float | None = None, **claims: Any) -> str:
        payload = {
            "iat": int(self.clock.time()) if iat is None else iat,
            "request_body_sha256": hashlib.sha256(body).hexdigest(),
            **claims,
        }
        return jwt.encode(payload, self.private[kid], algorithm="ES256", headers={"kid": kid})

    def _answer(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == JWKS_PATH
        with self._lock:
            self.requests += 1
        return httpx.Response(self.status, json=self.jwks() if self.status == 200 else {})

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self.gate is not None:
            assert self.gate.wait(WAIT)
        return self._answer(request)

    async def ahandler(self, request: httpx.Request) -> httpx.Response:
        return self._answer(request)

    def source(self, **options: Any) -> MoneyKit:
        return MoneyKit(
            "client",
            "secret",
            base_url="https://api.moneykit.test",
            http_client=httpx.Client(transport=httpx.MockTransport(self.handler)),
            async_http_client=httpx.AsyncClient(transport=httpx.MockTransport(self.ahandler)),
            clock=self.clock,
            max_retries=0,
            **options,
        )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def signer(clock: ManualClock) -> Signer:
    return Signer(clock)


def reason(source: MoneyKit, token: str, body: bytes = BODY) -> str:
    with pytest.raises(WebhookVerificationError) as caught:
        source.verify_webhook(body, token)
    error = caught.value
    assert error.reason in WebhookVerificationError.REASONS
    assert error.__cause__ is None
    assert error.__context__ is None
    # No part of the token (its header, claims or signature) shows in the message.
    assert not [part for part in token.split(".") if len(part) >= 8 and part in str(error)]
    assert BODY.decode() not in str(error)
    return error.reason


def test_a_valid_webhook_gives_its_claims(signer: Signer, clock: ManualClock) -> None:
    kid = signer.new_key()
    with signer.source() as source:
        claims = source.verify_webhook(BODY, signer.sign(kid=kid))
    assert claims["request_body_sha256"] == hashlib.sha256(BODY).hexdigest()
    assert claims["iat"] == int(clock.time())
    assert signer.requests == 1


async def test_averify_webhook_gives_its_claims(signer: Signer) -> None:
    kid = signer.new_key()
    async with signer.source() as source:
        claims = await source.averify_webhook(BODY, signer.sign(kid=kid))
    assert claims["request_body_sha256"] == hashlib.sha256(BODY).hexdigest()
    assert signer.requests == 1


def test_a_tampered_body_is_refused(signer: Signer) -> None:
    kid = signer.new_key()
    with signer.source() as source:
        token = signer.sign(kid=kid)
        assert reason(source, token, BODY.replace(b"mk_link_1", b"mk_link_2")) == "body"
        assert reason(source, token, BODY + b" ") == "body"


def test_tampered_claims_are_refused(signer: Signer) -> None:
    kid = signer.new_key()
    header, _, signature = signer.sign(kid=kid).split(".")
    other = hashlib.sha256(b"another body").hexdigest()
    forged_claims = {"iat": int(signer.clock.time()), "request_body_sha256": other}
    forged = f"{header}.{b64(json.dumps(forged_claims).encode())}.{signature}"
    with signer.source() as source:
        assert reason(source, forged, b"another body") == "signature"


def test_a_signature_by_a_key_not_in_the_jwks_is_refused(signer: Signer) -> None:
    listed = signer.new_key()
    unlisted = signer.new_key(listed=False)
    with signer.source() as source:
        assert reason(source, signer.sign(kid=unlisted)) == "unknown_key"
        # A listed kid over another key's signature.
        header = b64(json.dumps({"alg": "ES256", "kid": listed, "typ": "JWT"}).encode())
        _, claims, signature = signer.sign(kid=unlisted).split(".")
        assert reason(source, f"{header}.{claims}.{signature}") == "signature"


def _hs256(key: bytes, header: dict[str, Any], claims: dict[str, Any]) -> str:
    # Built by hand: PyJWT refuses to sign HS256 with a PEM key, which is the attack.
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    mac = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


def test_alg_none_hs256_and_rs256_are_refused_whatever_the_header_says(signer: Signer) -> None:
    kid = signer.new_key()
    claims = {
        "iat": int(signer.clock.time()),
        "request_body_sha256": hashlib.sha256(BODY).hexdigest(),
    }
    pem = (
        signer.private[kid]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tokens = {
        "none": jwt.encode(claims, "", algorithm="none", headers={"kid": kid}),
        "HS256 keyed with the public key": _hs256(pem, {"alg": "HS256", "kid": kid}, claims),
        "RS256": jwt.encode(claims, rsa_key, algorithm="RS256", headers={"kid": kid}),
        "ES384 claimed": _hs256(b"x", {"alg": "ES384", "kid": kid}, claims),
        "no alg": _hs256(b"x", {"kid": kid}, claims),
    }
    with signer.source() as source:
        for name, token in tokens.items():
            assert reason(source, token) == "algorithm", name
    assert signer.requests == 0  # refused before any key is looked up


def test_iat_within_five_minutes_either_way(signer: Signer, clock: ManualClock) -> None:
    kid = signer.new_key()
    now = clock.time()
    with signer.source() as source:
        for offset in (-299, 0, 299):
            assert source.verify_webhook(BODY, signer.sign(kid=kid, iat=now + offset))
        assert reason(source, signer.sign(kid=kid, iat=now - 301)) == "stale"
        assert reason(source, signer.sign(kid=kid, iat=now + 301)) == "future"
        token = signer.sign(kid=kid)
        clock.advance(301)  # the same token, later: replayed
        assert reason(source, token) == "stale"


def test_missing_or_wrongly_typed_claims_are_refused(signer: Signer) -> None:
    kid = signer.new_key()
    key = signer.private[kid]
    now = int(signer.clock.time())
    digest = hashlib.sha256(BODY).hexdigest()
    cases: dict[str, dict[str, Any]] = {
        "no iat": {"request_body_sha256": digest},
        "iat a string": {"iat": str(now), "request_body_sha256": digest},
        "iat a bool": {"iat": True, "request_body_sha256": digest},
        "no hash": {"iat": now},
        "hash a number": {"iat": now, "request_body_sha256": 12},
    }
    with signer.source() as source:
        for name, claims in cases.items():
            token = jwt.encode(claims, key, algorithm="ES256", headers={"kid": kid})
            assert reason(source, token) == "claims", name
        expired = signer.sign(kid=kid, exp=now - 301)
        assert reason(source, expired) == "expired"


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("", "missing"),
        ("a.b", "malformed"),
        ("a.b.c.d", "malformed"),
        ("not-base64!.e30.e30", "malformed"),
        ("W10.e30.e30", "malformed"),  # a header that is a JSON array
        ("e30.e30.", "algorithm"),  # {} as header: a JWS, without alg
        ("é.é.é", "malformed"),
        ("x" * 20_000, "malformed"),
    ],
)
def test_malformed_tokens_are_refused(signer: Signer, token: str, expected: str) -> None:
    signer.new_key()
    with signer.source() as source:
        assert reason(source, token) == expected
    assert signer.requests == 0


def test_a_token_without_kid_is_malformed(signer: Signer) -> None:
    kid = signer.new_key()
    token = jwt.encode({"iat": 1}, signer.private[kid], algorithm="ES256")
    with signer.source() as source:
        assert reason(source, token) == "malformed"


def test_a_rotated_key_is_fetched_once_and_the_old_one_stays_within_its_ttl(
    signer: Signer, clock: ManualClock
) -> None:
    old = signer.new_key()
    with signer.source() as source:
        old_token = signer.sign(kid=old)
        source.verify_webhook(BODY, old_token)
        clock.advance(120)
        new = signer.new_key()
        signer.listed = [new]  # rotated: the JWKS lists only the new key
        source.verify_webhook(BODY, signer.sign(kid=new))
        assert signer.requests == 2
        source.verify_webhook(BODY, signer.sign(kid=old))  # cached, within its ttl
        source.verify_webhook(BODY, signer.sign(kid=new))
        assert signer.requests == 2
        clock.advance(12 * 3600)  # past the old key's ttl: gone after one refetch
        assert reason(source, signer.sign(kid=old)) == "unknown_key"
        assert signer.requests == 3


def test_the_key_ttl_is_configurable_up_to_24_hours(signer: Signer, clock: ManualClock) -> None:
    kid = signer.new_key()
    with signer.source(webhook_keys_ttl=600) as source:
        source.verify_webhook(BODY, signer.sign(kid=kid))
        clock.advance(600)
        source.verify_webhook(BODY, signer.sign(kid=kid))
    assert signer.requests == 2
    with pytest.raises(ConfigurationError, match="24 hours"):
        signer.source(webhook_keys_ttl=24 * 3600 + 1)


def test_a_thousand_tokens_with_random_kids_cost_at_most_two_jwks_requests(
    signer: Signer, clock: ManualClock
) -> None:
    kid = signer.new_key()
    with signer.source() as source:
        source.verify_webhook(BODY, signer.sign(kid=kid))
        clock.advance(3600)
        for _ in range(1000):
            forged = signer.new_key(listed=False)
            assert reason(source, signer.sign(kid=forged)) == "unknown_key"
            del signer.private[forged]
        source.verify_webhook(BODY, signer.sign(kid=kid))
    assert signer.requests == 2


def test_two_hundred_threads_on_a_cold_cache_make_one_jwks_request(signer: Signer) -> None:
    kid = signer.new_key()
    token = signer.sign(kid=kid)
    signer.gate = threading.Event()
    started = threading.Barrier(201, timeout=WAIT)
    with signer.source() as source:

        def verify() -> Any:
            started.wait()
            return source.verify_webhook(BODY, token)

        with ThreadPoolExecutor(200) as pool:
            futures = [pool.submit(verify) for _ in range(200)]
            started.wait()
            signer.gate.set()
            results = [f.result(timeout=WAIT) for f in futures]
    assert all(r["request_body_sha256"] == hashlib.sha256(BODY).hexdigest() for r in results)
    assert signer.requests == 1


async def test_a_thousand_tasks_on_a_cold_cache_make_one_jwks_request(signer: Signer) -> None:
    kid = signer.new_key()
    token = signer.sign(kid=kid)
    async with signer.source() as source:
        results = await asyncio.wait_for(
            asyncio.gather(*(source.averify_webhook(BODY, token) for _ in range(1000))), WAIT
        )
    assert len(results) == 1000
    assert signer.requests == 1


def test_a_jwks_that_cannot_be_fetched_raises_the_fetch_error(signer: Signer) -> None:
    kid = signer.new_key()
    signer.status = 503
    with signer.source() as source, pytest.raises(ServerError):
        source.verify_webhook(BODY, signer.sign(kid=kid))


def test_verify_webhook_request_reads_the_header_case_insensitively(signer: Signer) -> None:
    kid = signer.new_key()
    token = signer.sign(kid=kid)
    with signer.source() as source:
        assert MoneyKit.webhook_header == "MoneyKit-Signature"
        assert source.verify_webhook_request({"moneykit-signature": token}, BODY)
        assert source.verify_webhook_request(httpx.Headers({"MoneyKit-Signature": token}), BODY)
        assert source.verify_webhook_request({"X-Sig": token}, BODY, header="x-sig")
        with pytest.raises(WebhookVerificationError) as caught:
            source.verify_webhook_request({"Content-Type": "application/json"}, BODY)
        assert caught.value.reason == "missing"
        assert "MoneyKit-Signature" in str(caught.value)


async def test_averify_webhook_request(signer: Signer) -> None:
    kid = signer.new_key()
    async with signer.source() as source:
        claims = await source.averify_webhook_request(
            {"MoneyKit-Signature": signer.sign(kid=kid)}, BODY
        )
    assert claims["request_body_sha256"] == hashlib.sha256(BODY).hexdigest()


def test_a_body_that_is_not_bytes_is_a_configuration_error(signer: Signer) -> None:
    kid = signer.new_key()
    with signer.source() as source, pytest.raises(ConfigurationError, match="bytes"):
        source.verify_webhook(BODY.decode(), signer.sign(kid=kid))  # type: ignore[arg-type]


def test_the_error_pickles_with_its_reason(signer: Signer) -> None:
    kid = signer.new_key()
    with signer.source() as source, pytest.raises(WebhookVerificationError) as caught:
        source.verify_webhook(b"other", signer.sign(kid=kid))
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (type(copy), copy.reason, str(copy)) == (
        WebhookVerificationError,
        "body",
        str(caught.value),
    )


def test_without_the_extra_every_method_names_it(
    signer: Signer, monkeypatch: pytest.MonkeyPatch
) -> None:
    kid = signer.new_key()
    token = signer.sign(kid=kid)
    monkeypatch.setitem(sys.modules, "jwt", None)
    with signer.source() as source:
        calls: list[Callable[[], object]] = [
            lambda: source.verify_webhook(BODY, token),
            lambda: source.verify_webhook(BODY, ""),
            lambda: source.verify_webhook_request({}, BODY),
            lambda: asyncio.run(source.averify_webhook(BODY, token)),
        ]
        for call in calls:
            with pytest.raises(ConfigurationError, match=r"provider-tokens\[jwt\]"):
                call()
    assert signer.requests == 0


# -- against the fake MoneyKit --------------------------------------------------------------


def _jwks_requests(fake: FakeProviders) -> int:
    return sum(r.path == JWKS_PATH for r in fake.requests("moneykit"))


def test_the_fakes_webhooks_verify_and_a_rotation_costs_one_refetch() -> None:
    clock = ManualClock()
    with (
        FakeProviders(clock=clock.time) as fake,
        MoneyKit(**fake.credentials("moneykit"), clock=clock) as source,
    ):
        token, body = fake.moneykit_webhook({"webhook_event": "link.state_changed"})
        assert source.verify_webhook(body, token)["request_body_sha256"]
        assert source.verify_webhook_request({"MoneyKit-Signature": token}, body)
        clock.advance(60)  # an unknown kid is refetched at most once a minute
        fake.rotate_moneykit_keys()
        new_token, new_body = fake.moneykit_webhook(b"{}")
        assert source.verify_webhook(new_body, new_token)
        assert source.verify_webhook(body, token)  # signed by the old key, still cached
        assert _jwks_requests(fake) == 2
        forged, _ = fake.moneykit_webhook(b"{}", kid="not-a-kid-of-the-fake")
        with pytest.raises(WebhookVerificationError) as caught:
            source.verify_webhook(b"{}", forged)
        assert caught.value.reason == "unknown_key"
        assert _jwks_requests(fake) == 2  # refetched less than a minute ago


async def test_the_fakes_webhooks_verify_from_a_thousand_tasks_with_one_request() -> None:
    with FakeProviders() as fake:
        token, body = fake.moneykit_webhook({"webhook_event": "link.state_changed"})
        async with MoneyKit(**fake.credentials("moneykit")) as source:
            results = await asyncio.wait_for(
                asyncio.gather(*(source.averify_webhook(body, token) for _ in range(1000))), WAIT
            )
        assert len(results) == 1000
        assert _jwks_requests(fake) == 1


def test_a_webhook_the_fake_signed_long_ago_is_stale() -> None:
    clock = ManualClock()
    with FakeProviders(clock=clock.time) as fake:
        token, body = fake.moneykit_webhook(b"{}")
        with MoneyKit(**fake.credentials("moneykit"), clock=clock) as source:
            clock.advance(301)
            with pytest.raises(WebhookVerificationError) as caught:
                source.verify_webhook(body, token)
    assert caught.value.reason == "stale"


@pytest.mark.parametrize("iat", [float("nan"), float("inf"), -float("inf"), 10**400])
def test_times_that_are_no_finite_number_are_refused(signer: Signer, iat: Any) -> None:
    kid = signer.new_key()
    with signer.source() as source:
        assert reason(source, signer.sign(kid=kid, iat=iat)) == "claims"
        now = signer.clock.time()
        assert reason(source, signer.sign(kid=kid, iat=now, exp=iat)) == "claims"


@pytest.mark.parametrize("signed", ["\ud800" * 64, "ab" * 31 + "é", "A" * 64, "0" * 63])
def test_a_hash_claim_that_is_no_sha256_is_a_mismatch(signer: Signer, signed: str) -> None:
    kid = signer.new_key()
    with signer.source() as source:
        assert reason(source, signer.sign(kid=kid, request_body_sha256=signed)) == "body"


def test_the_hash_claim_may_be_upper_case(signer: Signer) -> None:
    kid = signer.new_key()
    upper = hashlib.sha256(BODY).hexdigest().upper()
    with signer.source() as source:
        assert source.verify_webhook(BODY, signer.sign(kid=kid, request_body_sha256=upper))


def test_jwks_members_that_are_no_public_p256_signing_key_are_not_used(signer: Signer) -> None:
    kid = signer.new_key()
    jwks = signer.jwks
    private_value = signer.private[kid].private_numbers().private_value
    d = b64(private_value.to_bytes(32, "big"))
    variants = {
        "with a private key": {"d": d},
        "for encryption": {"use": "enc"},
        "for another algorithm": {"alg": "ES384"},
        "on another curve": {"crv": "P-384"},
        "an RSA key": {"kty": "RSA"},
        "a point off the curve": {"y": b64(b"\x00" * 32)},
    }
    for name, change in variants.items():

        def changed(change: dict[str, str] = change) -> dict[str, Any]:
            return {"keys": [{**member, **change} for member in jwks()["keys"]]}

        signer.jwks = changed  # type: ignore[method-assign]
        with signer.source() as source:
            assert reason(source, signer.sign(kid=kid)) == "unknown_key", name


def test_the_claims_are_read_only_and_travel_like_a_dict(signer: Signer) -> None:
    kid = signer.new_key()
    with signer.source() as source:
        claims = source.verify_webhook(BODY, signer.sign(kid=kid))
    with pytest.raises(TypeError):
        claims["request_body_sha256"] = "0" * 64  # type: ignore[index]
    assert pickle.loads(pickle.dumps(claims)) == claims
    assert json.loads(json.dumps(claims)) == dict(claims)


def test_a_memoryview_body_is_a_configuration_error(signer: Signer) -> None:
    kid = signer.new_key()
    view = memoryview(BODY)[::2]  # not contiguous
    with signer.source() as source, pytest.raises(ConfigurationError, match="bytes"):
        source.verify_webhook(view, signer.sign(kid=kid))  # type: ignore[arg-type]
