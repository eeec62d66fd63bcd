"""GMO Aozora's ID tokens: HS256 JWTs signed with the client secret.

With OpenID Connect scopes the token response carries an ``id_token`` whose ``aud``
is the client_id, ``iss`` the bank's issuer (``JWT_ISSUER`` in the official SDKs)
and ``nonce`` the one sent to the authorization endpoint. The official SDKs write
the issuer with a trailing slash (Node, Python) or without (Java, Ruby): by default
both are accepted; an issuer given by the caller is matched exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ..._exceptions import IdTokenError
from ..._jws import Checks

ALGORITHM = "HS256"
LEEWAY = 60.0  # exp and iat: the bank's clock and ours may differ a little
ISSUERS = {
    "production": "https://api.gmo-aozora.com/",
    "staging": "https://stg-api.gmo-aozora.com/",
}


def default_issuers(environment: str) -> tuple[str, ...]:
    issuer = ISSUERS[environment]
    return (issuer, issuer.rstrip("/"))


@attrs.frozen
class IdTokenRules:
    """What a GMO Aozora ID token must satisfy for one client."""

    provider: str
    client_id: str
    client_secret: str = attrs.field(repr=False)
    issuers: tuple[str, ...]

    def verify(self, token: object, *, nonce: str | None, now: Any) -> Mapping[str, Any]:
        """The verified claims of ``token``, or ``IdTokenError`` saying which check failed.

        ``nonce``: the one sent to the authorization endpoint, checked when given (a
        refresh has none to check).
        """
        checks = Checks(self.provider, IdTokenError, "ID token")
        signed = checks.parse(token)
        checks.algorithm(signed, ALGORITHM)
        checks.signature(signed, ALGORITHM, self.client_secret.encode())
        claims = signed.claims
        issuer = checks.string(claims, "iss")
        if issuer not in self.issuers:
            checks.fail("issuer", f"was issued by {issuer[:80]!r}, not {self.issuers[0]!r}")
        if not _for(claims.get("aud"), claims.get("azp"), self.client_id):
            checks.fail("audience", "was issued to another client (aud, azp)")
        checks.expiry(claims, now, leeway=LEEWAY, required=True)
        checks.issued_at(claims, now, leeway=LEEWAY, max_age=None)
        if nonce is not None:
            sent = claims.get("nonce")
            if not isinstance(sent, str) or not checks.same(sent, nonce):
                checks.fail("nonce", "nonce is not the one sent with the authorization request")
        return claims  # read-only already (``Claims``)


def _for(audience: object, party: object, client_id: str) -> bool:
    # OpenID Connect Core §3.1.3.7: aud is the client_id, or a list that holds it;
    # an authorized party (azp), if named, is this client.
    if party is not None and party != client_id:
        return False
    if isinstance(audience, str):
        return audience == client_id
    return isinstance(audience, list) and client_id in audience
