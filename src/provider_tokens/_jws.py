"""Signed tokens (compact JWS) checked with PyJWT, the optional ``[jwt]`` extra.

The checks shared by MoneyKit's webhooks (ES256, keys from a JWKS) and GMO Aozora's
ID tokens (HS256, the client secret): the algorithm is the caller's, never taken
from the token's header (no ``none``, no HS256 keyed with a public key); claims
about time are read on the source's clock, so tests can move it; each failure is
one error of the caller's type with a ``reason``, raised outside any ``except``
so that no library exception, or anything it holds, is chained to it.
"""

from __future__ import annotations

import datetime as dt
import hmac
import math
from collections.abc import Mapping
from types import ModuleType
from typing import Any, NoReturn

import attrs

from ._exceptions import ConfigurationError, _SignedDataError

EXTRA = "pip install 'provider-tokens[jwt]'"
# Longer tokens are refused before any parsing: a webhook header or an ID token is
# a few hundred bytes.
MAX_TOKEN = 16 * 1024


def _pyjwt() -> ModuleType | None:
    """PyJWT, if it is installed with its cryptography backend."""
    try:
        import jwt
        import jwt.algorithms
    except ImportError:
        return None
    return jwt if jwt.algorithms.has_crypto else None


def jose(provider: str, *, needed_for: str = "verifying signed tokens") -> ModuleType:
    """PyJWT, with its cryptography backend; or ``ConfigurationError`` naming the extra.

    Imported at each call, so that a test hiding PyJWT (``sys.modules["jwt"] = None``)
    is honoured even once it has been loaded."""
    jwt = _pyjwt()
    if jwt is None:
        raise ConfigurationError(
            f"{provider}: {needed_for} needs PyJWT with cryptography: {EXTRA}",
            provider=provider,
        )
    return jwt


def has_jose() -> bool:
    return _pyjwt() is not None


@attrs.frozen
class Signed:
    """A compact JWS split and decoded, its signature not yet checked."""

    header: Mapping[str, Any]
    claims: Mapping[str, Any]
    signing_input: bytes = attrs.field(repr=False)
    signature: bytes = attrs.field(repr=False)


@attrs.frozen
class Checks:
    """Verification on behalf of ``provider``, failing with ``error`` (a reason each)."""

    provider: str
    error: type[_SignedDataError]
    what: str  # "webhook", "ID token": how messages name the token

    def fail(self, reason: str, detail: str) -> NoReturn:
        raise self.error(
            f"{self.provider}: {self.what} {detail}", provider=self.provider, reason=reason
        )

    def parse(self, token: object) -> Signed:
        """``token``'s header, claims and signature; ``malformed`` if it is no JWS
        with JSON objects for header and claims."""
        jwt = jose(self.provider)
        usable = isinstance(token, str) and token.isascii() and len(token) <= MAX_TOKEN
        parsed = _parse(jwt, token) if usable else None  # type: ignore[arg-type]
        if parsed is None:
            self.fail("malformed", "is not a compact JWS (header.claims.signature)")
        return parsed

    def algorithm(self, signed: Signed, expected: str) -> None:
        alg = signed.header.get("alg")
        if alg != expected:
            shown = repr(alg)[:20] if isinstance(alg, str) else "missing"
            self.fail("algorithm", f"is signed with {shown}; only {expected} is accepted")

    def signature(self, signed: Signed, algorithm: str, key: Any) -> None:
        """The signature checked by PyJWT's ``algorithm`` with ``key``."""
        jwt = jose(self.provider)
        try:
            method = jwt.algorithms.get_default_algorithms()[algorithm]
            valid = bool(
                method.verify(signed.signing_input, method.prepare_key(key), signed.signature)
            )
        except Exception:  # a key or signature the algorithm cannot use: not valid
            valid = False
        if not valid:
            self.fail("signature", "signature does not verify")

    def string(self, claims: Mapping[str, Any], name: str) -> str:
        value = claims.get(name)
        if not isinstance(value, str):
            self.fail("claims", f"has no {name!r} claim (a string)")
        return value

    def time(self, claims: Mapping[str, Any], name: str, *, required: bool) -> float | None:
        value = claims.get(name)
        if value is None and not required:
            return None
        seconds = _seconds(value)
        if seconds is None:
            self.fail("claims", f"has no {name!r} claim (seconds since the epoch)")
        return seconds

    def same(self, given: str, expected: str) -> bool:
        """Whether two strings are equal, compared in constant time; any string (lone
        surrogates from JSON included) compares, none raises."""
        return hmac.compare_digest(_utf8(given), _utf8(expected))

    def issued_at(
        self, claims: Mapping[str, Any], now: dt.datetime, *, leeway: float, max_age: float | None
    ) -> None:
        """``iat`` present, not after ``now`` + leeway, and (``max_age``) not older."""
        iat = self.time(claims, "iat", required=True)
        assert iat is not None
        age = now.timestamp() - iat
        if age < -leeway:
            self.fail("future", f"was issued {-age:.0f} s in the future (iat)")
        if max_age is not None and age > max_age:
            self.fail("stale", f"was issued {age:.0f} s ago (iat); the limit is {max_age:.0f} s")

    def expiry(
        self, claims: Mapping[str, Any], now: dt.datetime, *, leeway: float, required: bool
    ) -> None:
        exp = self.time(claims, "exp", required=required)
        if exp is not None and now.timestamp() > exp + leeway:
            self.fail("expired", f"expired {now.timestamp() - exp:.0f} s ago (exp)")


class Claims(dict[str, Any]):
    """Verified claims: a ``dict`` that cannot be changed, so that the claims on a
    token or returned to several callers stay what was verified. It pickles, copies
    and serialises to JSON as a ``dict`` does."""

    def _read_only(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("verified claims are read-only; copy them with dict(claims)")

    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))

    def __copy__(self) -> Claims:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Claims:
        import copy

        return type(self)(copy.deepcopy(dict(self), memo))


def _seconds(value: object) -> float | None:
    """A NumericDate (RFC 7519 §2): a finite JSON number, not a bool."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        seconds = float(value)
    except OverflowError:  # an integer too large for a float
        return None
    return seconds if math.isfinite(seconds) else None


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _parse(jwt: ModuleType, token: str) -> Signed | None:
    try:
        parts = jwt.decode_complete(token, options={"verify_signature": False})
    except (jwt.PyJWTError, ValueError, TypeError, RecursionError):
        return None
    header, claims = parts["header"], parts["payload"]
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return Signed(
        header=Claims(header),
        claims=Claims(claims),
        signing_input=token.rsplit(".", 1)[0].encode("ascii"),
        signature=parts["signature"],
    )
