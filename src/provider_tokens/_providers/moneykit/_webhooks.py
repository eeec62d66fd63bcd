"""MoneyKit's webhooks: ES256 JWTs signed with the keys of its JWKS.

As MoneyKit's example handler (moneykit/examples, ``webhook_verification.py``) and
Plaid's documented design, which it follows, verify them: the request carries a
JWT in the ``MoneyKit-Signature`` header (the example's name: MoneyKit does not
document it publicly); its header has ``alg`` ES256 and a ``kid`` naming a key of
the JWKS; its claims have ``iat``, accepted within five minutes either way, and
``request_body_sha256``, the hex SHA-256 of the raw request body.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from ..._exceptions import ConfigurationError, WebhookVerificationError
from ..._jws import Checks, Signed, jose
from ..._keyset import KeySet, UnknownKey
from . import KEYS_TTL, SIGNATURE_HEADER

__all__ = ["ALGORITHM", "KEYS_TTL", "LEEWAY", "SIGNATURE_HEADER", "WebhookVerifier", "es256_key"]

ALGORITHM = "ES256"
LEEWAY = 300.0  # iat, either way: MoneyKit's example allows five minutes
_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")


def es256_key(provider: str, member: Mapping[str, Any]) -> Any | None:
    """The public key of a JWKS member usable for ES256 (EC P-256, for signing), or None."""
    if member.get("kty") != "EC" or member.get("crv") != "P-256":
        return None
    if member.get("use") not in (None, "sig") or member.get("alg") not in (None, ALGORITHM):
        return None
    if "d" in member:  # a private key has no business in a JWKS: not MoneyKit's
        return None
    jwt = jose(provider)
    try:
        return jwt.PyJWK(dict(member), algorithm=ALGORITHM).key
    except (jwt.PyJWTError, ValueError, TypeError):  # not a valid P-256 point
        return None


class WebhookVerifier:
    """Verifies one source's webhooks with the keys it fetches (``KeySet``)."""

    def __init__(self, *, provider: str, keys: KeySet, now: Callable[[], Any]) -> None:
        self.keys = keys
        self._now = now
        self._checks = Checks(provider, WebhookVerificationError, "webhook")

    def verify(self, body: bytes, token: str) -> Mapping[str, Any]:
        signed, kid = self._read(body, token)
        key: Any = None
        age: float | None = None
        try:
            key = self.keys.key(kid)
        except UnknownKey as exc:
            age = exc.age
        if key is None:
            self._unknown(kid, age)
        return self._claims(signed, key, body)

    async def averify(self, body: bytes, token: str) -> Mapping[str, Any]:
        signed, kid = self._read(body, token)
        key: Any = None
        age: float | None = None
        try:
            key = await self.keys.akey(kid)
        except UnknownKey as exc:
            age = exc.age
        if key is None:
            self._unknown(kid, age)
        return self._claims(signed, key, body)

    def header_token(self, headers: Mapping[str, str], name: str) -> str:
        """The token in header ``name`` of ``headers`` (any mapping; case-insensitive)."""
        jose(self._checks.provider)  # without the extra: ConfigurationError first
        value = headers.get(name)
        if value is None:
            wanted = name.lower()
            value = next((v for k, v in headers.items() if k.lower() == wanted), None)
        if not value:
            self._checks.fail("missing", f"request has no {name} header")
        return value

    # -- the checks ---------------------------------------------------------------------

    def _read(self, body: bytes, token: str) -> tuple[Signed, str]:
        checks = self._checks
        if not isinstance(body, bytes | bytearray):
            raise ConfigurationError(
                f"{checks.provider}: pass the webhook's body as the bytes received "
                f"(its hash is signed), not a {type(body).__name__}",
                provider=checks.provider,
            )
        jose(checks.provider)  # without the extra: ConfigurationError, whatever the input
        if not token:
            checks.fail("missing", "has no verification token")
        signed = checks.parse(token)
        checks.algorithm(signed, ALGORITHM)
        kid = signed.header.get("kid")
        if not isinstance(kid, str) or not kid:
            checks.fail("malformed", "header has no kid")
        return signed, kid

    def _unknown(self, kid: str, age: float | None) -> NoReturn:
        fetched = "" if age is None else f" (fetched {age:.0f} s ago)"
        shown = kid if len(kid) <= 64 and kid.isprintable() else f"{kid[:64]!r}..."
        self._checks.fail("unknown_key", f"is signed with key {shown!r}, not in the JWKS{fetched}")

    def _claims(self, signed: Signed, key: Any, body: bytes) -> Mapping[str, Any]:
        checks = self._checks
        checks.signature(signed, ALGORITHM, key)
        claims = signed.claims
        now = self._now()
        checks.issued_at(claims, now, leeway=LEEWAY, max_age=LEEWAY)
        checks.expiry(claims, now, leeway=LEEWAY, required=False)
        signed_hash = checks.string(claims, "request_body_sha256")
        actual = hashlib.sha256(body).hexdigest()
        if not _SHA256_HEX.fullmatch(signed_hash) or not checks.same(signed_hash.lower(), actual):
            checks.fail("body", "body does not match its signed SHA-256 (request_body_sha256)")
        return claims  # read-only already (``Claims``)
