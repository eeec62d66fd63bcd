"""A fake provider's own rotating ES256 signing keys, published as a JWKS.

PyJWT and cryptography come with the optional ``provider-tokens[jwt]`` extra, so
they are imported only when a key is made or used: ``provider_tokens.testing``
imports without them, and only signing says what to install.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._jws import jose

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey


def body_bytes(body: bytes | str | Mapping[str, Any]) -> bytes:
    """The raw bytes a webhook carries: a mapping as compact JSON, a str as UTF-8."""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(dict(body), separators=(",", ":")).encode("utf-8")


class _Key:
    """One private key and its public JWK; the repr names the kid only."""

    def __init__(self, kid: str, private: EllipticCurvePrivateKey, jwk: dict[str, Any]) -> None:
        self.kid = kid
        self.private = private
        self.jwk = jwk

    def __repr__(self) -> str:
        return f"_Key(kid={self.kid!r})"


class KeyRing:
    """EC P-256 keys: the newest signs, the ``keep`` retired before it stay published.

    A verifier caches the JWKS (MoneyKit's, up to 24 hours), so a retired key must
    stay listed a while or tokens it signed just before a rotation stop verifying.
    The first key is made on first use. Thread-safe on its own, so test threads
    sign without the fake's core lock; the JWKS route, under that lock, takes this
    one inside it, never the other way round.
    """

    def __init__(self, provider: str, *, keep: int = 2) -> None:
        self.provider = provider
        self.keep = keep
        self._lock = threading.Lock()
        self._keys: list[_Key] = []  # oldest first; the last one signs
        self._made = 0  # never reset, so a kid is never reused within one fake

    @property
    def current_kid(self) -> str:
        with self._lock:
            return self._current().kid

    def rotate(self) -> str:
        """Retire the signing key for a new one; the new kid."""
        with self._lock:
            self._keys.append(self._make())
            del self._keys[: -(self.keep + 1)]
            return self._keys[-1].kid

    def jwks(self) -> dict[str, Any]:
        """``{"keys": [...]}``: the published public keys, the signing one last."""
        with self._lock:
            self._current()  # a first fetch publishes the key that will sign
            return {"keys": [dict(key.jwk) for key in self._keys]}

    def sign(self, claims: Mapping[str, Any], kid: str | None = None) -> str:
        """A compact ES256 JWS of ``claims`` with header ``{alg, kid, typ: JWT}``.

        ``kid`` names a published key to sign with (a retired one, say); any other
        value is written into the header over the current key's signature, a
        forgery whose kid no JWKS lists.
        """
        jose(self.provider, needed_for="signing fake webhooks")
        import jwt

        with self._lock:
            key = next((k for k in self._keys if k.kid == kid), None) or self._current()
            return jwt.encode(
                dict(claims), key.private, algorithm="ES256", headers={"kid": kid or key.kid}
            )

    def clear(self) -> None:
        """Forget every key; the next use makes a fresh one."""
        with self._lock:
            self._keys.clear()

    def _current(self) -> _Key:
        # Made under the lock: two first uses racing must not publish different keys.
        if not self._keys:
            self._keys.append(self._make())
        return self._keys[-1]

    def _make(self) -> _Key:
        jose(self.provider, needed_for="signing fake webhooks")
        from cryptography.hazmat.primitives.asymmetric import ec
        from jwt.algorithms import ECAlgorithm

        self._made += 1
        kid = f"fake-{self.provider}-key-{self._made}-{secrets.token_hex(4)}"
        private = ec.generate_private_key(ec.SECP256R1())
        jwk = ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
        assert isinstance(jwk, dict)  # as_dict=True; the declared type also allows str
        return _Key(kid, private, {**jwk, "kid": kid, "use": "sig", "alg": "ES256"})

    def __repr__(self) -> str:
        with self._lock:
            kids = [key.kid for key in self._keys]
        return f"KeyRing(provider={self.provider!r}, kids={kids!r})"
