"""Fake MoneyKit webhooks: signed with the fake's own rotating ES256 keys, verified
here with PyJWT against the JWKS fetched over HTTP, in both servings."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jwt
import pytest

from provider_tokens import ConfigurationError
from provider_tokens.testing import ManualClock

from fake_support import MODES, Spec, Wire, clock, serving

# Fixtures from fake_support, requested by name.
__all__ = ["clock"]

SPEC = Spec("moneykit")
EXTRA = "pip install 'provider-tokens[jwt]'"


@pytest.fixture(params=MODES)
def wire(request: pytest.FixtureRequest, clock: ManualClock) -> Iterator[Wire]:
    with serving(request.param, clock=clock.time) as pair:
        yield pair


def fetch_jwks(wire: Wire) -> dict[str, dict[str, Any]]:
    """The served keys by kid, in the served order, checked against the spec."""
    fake, client = wire
    response = client.get(fake.base_url("moneykit") + "/.well-known/jwks.json")
    assert response.status_code == 200
    keys = SPEC.check("/.well-known/jwks.json", "GET", response)["keys"]
    return {key["kid"]: key for key in keys}


def verify(token: str, keys: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """What a webhook handler does: the key of the token's kid, then ES256 only."""
    key = jwt.PyJWK(dict(keys[jwt.get_unverified_header(token)["kid"]])).key
    claims: dict[str, Any] = jwt.decode(token, key, algorithms=["ES256"])
    return claims


def test_a_webhook_verifies_against_the_served_key_of_its_kid(
    wire: Wire, clock: ManualClock
) -> None:
    fake, _ = wire
    token, body = fake.moneykit_webhook(b'{"event":"link.connected"}')

    keys = fetch_jwks(wire)
    assert jwt.get_unverified_header(token) == {
        "alg": "ES256",
        "kid": fake.moneykit_webhook_kid,
        "typ": "JWT",
    }
    assert list(keys) == [fake.moneykit_webhook_kid]
    (key,) = keys.values()
    assert {k: key[k] for k in ("kty", "crv", "use", "alg")} == {
        "kty": "EC",
        "crv": "P-256",
        "use": "sig",
        "alg": "ES256",
    }
    assert "d" not in key  # public halves only
    assert body == b'{"event":"link.connected"}'
    assert verify(token, keys) == {
        "iat": int(clock.time()),
        "request_body_sha256": hashlib.sha256(body).hexdigest(),
    }


def test_after_a_rotation_both_kids_are_served_and_old_tokens_verify(wire: Wire) -> None:
    fake, _ = wire
    old_token, old_body = fake.moneykit_webhook(b"before")
    old_kid = fake.moneykit_webhook_kid

    new_kid = fake.rotate_moneykit_keys()
    new_token, new_body = fake.moneykit_webhook(b"after")

    assert new_kid == fake.moneykit_webhook_kid != old_kid
    assert jwt.get_unverified_header(new_token)["kid"] == new_kid
    keys = fetch_jwks(wire)
    assert list(keys) == [old_kid, new_kid]
    assert verify(old_token, keys)["request_body_sha256"] == hashlib.sha256(old_body).hexdigest()
    assert verify(new_token, keys)["request_body_sha256"] == hashlib.sha256(new_body).hexdigest()


def test_rotations_beyond_the_ring_drop_the_oldest_kid(wire: Wire) -> None:
    fake, _ = wire
    first_token, _ = fake.moneykit_webhook(b"x")
    first_kid = fake.moneykit_webhook_kid

    kids = [fake.rotate_moneykit_keys() for _ in range(3)]

    keys = fetch_jwks(wire)
    assert list(keys) == kids  # the current key and the two retired before it
    assert first_kid not in keys
    assert len({first_kid, *kids}) == 4
    with pytest.raises(KeyError):
        verify(first_token, keys)


def test_a_published_kid_signs_with_that_key_and_a_forged_one_is_not_found(wire: Wire) -> None:
    fake, _ = wire
    retired = fake.moneykit_webhook_kid
    fake.rotate_moneykit_keys()

    by_retired, _ = fake.moneykit_webhook(b"x", kid=retired)
    forged, _ = fake.moneykit_webhook(b"x", kid="forged-kid")

    keys = fetch_jwks(wire)
    assert jwt.get_unverified_header(by_retired)["kid"] == retired
    assert verify(by_retired, keys)
    assert jwt.get_unverified_header(forged)["kid"] == "forged-kid"
    assert "forged-kid" not in keys


@pytest.mark.parametrize(
    ("body", "sent"),
    [
        pytest.param(b"\x00raw\xff", b"\x00raw\xff", id="bytes"),
        pytest.param("h\u00e9llo", "h\u00e9llo".encode(), id="str-utf8"),
        pytest.param(
            {"event": "link.connected", "ids": [1, 2]},
            b'{"event":"link.connected","ids":[1,2]}',
            id="mapping-compact-json",
        ),
    ],
)
def test_body_forms(wire: Wire, body: Any, sent: bytes) -> None:
    fake, _ = wire
    token, payload = fake.moneykit_webhook(body)

    assert payload == sent
    assert verify(token, fetch_jwks(wire))["request_body_sha256"] == (
        hashlib.sha256(sent).hexdigest()
    )


def test_iat_overrides_the_clock_in_whole_seconds(wire: Wire, clock: ManualClock) -> None:
    fake, _ = wire
    iat = clock.time() - 3600.75

    token, _ = fake.moneykit_webhook(b"x", iat=iat)

    assert verify(token, fetch_jwks(wire))["iat"] == int(iat)


def test_iat_follows_the_fake_clock(wire: Wire, clock: ManualClock) -> None:
    fake, _ = wire
    before = jwt.decode(fake.moneykit_webhook(b"x")[0], options={"verify_signature": False})
    clock.advance(90)
    after = jwt.decode(fake.moneykit_webhook(b"x")[0], options={"verify_signature": False})

    assert after["iat"] - before["iat"] == 90


def test_reset_forgets_the_keys(wire: Wire) -> None:
    fake, _ = wire
    old = fake.moneykit_webhook_kid
    fake.rotate_moneykit_keys()

    fake.reset()

    assert list(fetch_jwks(wire)) == [fake.moneykit_webhook_kid]
    assert fake.moneykit_webhook_kid != old


def test_the_key_ring_repr_shows_kids_only(wire: Wire) -> None:
    fake, _ = wire
    kid = fake.moneykit_webhook_kid

    assert repr(fake._moneykit().keys) == f"KeyRing(provider='moneykit', kids=[{kid!r}])"


def test_signing_while_rotating_never_yields_an_unpublished_kid(wire: Wire) -> None:
    fake, client = wire
    url = fake.base_url("moneykit") + "/.well-known/jwks.json"
    # No key yet: the first uses race to make it, and must agree on one.
    start = threading.Barrier(51, timeout=30)

    def sign(i: int) -> tuple[str, set[str]]:
        start.wait()
        token, _ = fake.moneykit_webhook({"n": i})
        keys = client.get(url).json()["keys"]
        return token, {key["kid"] for key in keys}

    def rotate() -> None:
        start.wait()
        # Two rotations: every key ever made stays within the three published.
        fake.rotate_moneykit_keys()
        fake.rotate_moneykit_keys()

    with ThreadPoolExecutor(max_workers=51) as pool:
        rotation = pool.submit(rotate)
        results = list(pool.map(sign, range(50)))
        rotation.result()

    final = fetch_jwks(wire)
    assert len(final) == 3
    for token, served_after in results:
        kid = jwt.get_unverified_header(token)["kid"]
        assert kid in served_after
        assert kid in final
        verify(token, final)


def test_without_pyjwt_signing_names_the_extra_and_the_jwks_still_answers(
    wire: Wire, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, _ = wire
    monkeypatch.setitem(sys.modules, "jwt", None)

    with pytest.raises(ConfigurationError, match=re.escape(EXTRA)):
        fake.moneykit_webhook(b"x")
    with pytest.raises(ConfigurationError, match=re.escape(EXTRA)):
        fake.rotate_moneykit_keys()

    keys = fetch_jwks(wire)
    assert len(keys) == 1
    assert all(key["kty"] == "EC" and key["crv"] == "P-256" for key in keys.values())


def test_the_fake_imports_and_serves_without_the_extra() -> None:
    script = """
import sys
sys.modules["jwt"] = None
sys.modules["cryptography"] = None
import httpx
from provider_tokens import ConfigurationError
from provider_tokens.testing import FakeProviders
with FakeProviders(serve=False) as fake:
    with httpx.Client(transport=fake.transport()) as client:
        response = client.get(fake.base_url("moneykit") + "/.well-known/jwks.json")
    assert response.status_code == 200, response
    try:
        fake.moneykit_webhook(b"x")
    except ConfigurationError as error:
        print(error)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )

    assert done.returncode == 0, done.stderr
    assert EXTRA in done.stdout
