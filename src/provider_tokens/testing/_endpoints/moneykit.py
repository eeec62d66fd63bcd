"""Fake MoneyKit ``POST /auth/token``, ``GET /auth/introspect`` and the JWKS (specs/moneykit.yaml).

Client credentials by HTTP Basic (or, as the spec allows, the form fields); success
is 201. Errors are ``{error_code, error_message}``; a bad ``grant_type`` is a 400
that reuses ``api_error.auth.unauthorized``, exactly as the vendor does. A scope
outside the client's scopes is refused like bad credentials (401), since MoneyKit's
only documented token error is "not permitted". Introspection accepts the fake's
own live tokens and tells an expired one (``api_error.auth.expired_access_token``)
from an unknown one (``api_error.auth.unauthorized``).

The JWKS lists the fake's own rotating ES256 keys, which sign its webhooks
(``sign_webhook``): the signing key plus the last retired ones. Without the
``jwt`` extra it serves ``FALLBACK_JWKS`` instead and cannot sign.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from ..._exceptions import ConfigurationError
from .._credentials import CREDENTIALS
from .._ledger import Ledger
from .._signing import KeyRing
from .._wire import FakeRequest, Reply, json_reply
from ._base import Endpoint, Handler

# What the test client may ask for; an empty or omitted scope grants all of them.
MONEYKIT_SCOPES = (
    "link_session:create",
    "link:data:read",
    "link:data:refresh",
    "institutions:read",
)
APP_ID = "00000000-fa4e-4000-8000-000000000001"
APP_NAME = "FAKE MoneyKit app"

# Retired keys still published: a verifier may cache the JWKS for up to 24 hours.
RETIRED_KEYS_KEPT = 2

# Without the jwt extra the fake cannot make keys; it publishes this public P-256
# key (RFC 7515 appendix A.3) instead, whose private half it does not hold.
FALLBACK_JWKS = {
    "keys": [
        {
            "kty": "EC",
            "crv": "P-256",
            "kid": "fake-moneykit-key-1",
            "use": "sig",
            "alg": "ES256",
            "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
        }
    ]
}

_CODES = {
    400: ("api_error.auth.unauthorized", "Accounts access not permitted"),
    401: ("api_error.auth.unauthorized", "Accounts access not permitted"),
    404: ("api_error.not_found", "Not found"),
    405: ("api_error.method_not_allowed", "Method not allowed"),
    422: ("api_error.request.validation_failed", "Request validation error"),
    429: ("api_error.rate_limit_exceeded", "Rate limit exceeded"),
}


class MoneyKitEndpoint(Endpoint):
    name = "moneykit"
    success_statuses = (201,)

    def __init__(self, ledger: Ledger) -> None:
        super().__init__(ledger)
        self.keys = KeyRing(self.name, keep=RETIRED_KEYS_KEPT)

    def reset(self) -> None:
        self.keys.clear()

    def sign_webhook(self, body: bytes, *, iat: float | None, kid: str | None) -> str:
        """The verification JWT of a webhook carrying ``body``: ES256 over
        ``{iat, request_body_sha256}``, by the current key unless ``kid`` says otherwise."""
        claims = {
            "iat": int(self.ledger.clock() if iat is None else iat),
            "request_body_sha256": hashlib.sha256(body).hexdigest(),
        }
        return self.keys.sign(claims, kid)

    def routes(self) -> Mapping[str, Mapping[str, Handler]]:
        return {
            "/auth/token": {"POST": self._token},
            "/auth/introspect": {"GET": self._introspect},
            "/.well-known/jwks.json": {"GET": self._jwks},
        }

    def error(self, status: int, code: str | None = None, message: str | None = None) -> Reply:
        default_code, default_message = _CODES.get(
            status, ("api_error.internal_server_error", "Internal server error")
        )
        body: dict[str, Any] = {
            "error_code": code or default_code,
            "error_message": message or default_message,
        }
        if status == 422:
            # MoneyKit's request-validation error (HTTPValidationError) lists the failures.
            body["validation_errors"] = [
                {"location": ["body"], "message": message or default_message, "type": "value_error"}
            ]
        return json_reply(status, body)

    def wrong_types(self) -> dict[str, Any]:
        return {"access_token": ["not", "a", "string"], "token_type": 1, "expires_in": "an hour"}

    def _token(self, request: FakeRequest) -> Reply:
        client = CREDENTIALS[self.name]
        pair = request.basic() or (
            request.form.get("client_id", ""),
            request.form.get("client_secret", ""),
        )
        if pair != (client["client_id"], client["client_secret"]):
            return self.error(401, message="Invalid client credentials")
        grant_type = request.form.get("grant_type", "client_credentials")
        if grant_type != "client_credentials":
            return self.error(400, message=f"Unsupported grant_type: {grant_type}")
        requested = request.form.get("scope", "").split()
        refused = [s for s in requested if s not in MONEYKIT_SCOPES]
        if refused:
            return self.error(401, message=f"Scope not permitted: {' '.join(refused)}")
        scope = " ".join(requested or MONEYKIT_SCOPES)
        lifetime = self.ledger.lifetime(self.name)
        token = self.ledger.issue(
            "access", self.name, client["client_id"], scope, lifetime=lifetime
        )
        body = {"access_token": token, "token_type": "bearer", "expires_in": lifetime}
        return json_reply(self.success_status, body)

    def _introspect(self, request: FakeRequest) -> Reply:
        grant = self.ledger.find(request.bearer(), kind="access", provider=self.name)
        if grant is None:
            return self.error(401, message="Invalid access token")
        if self.ledger.expired(grant):
            return self.error(401, "api_error.auth.expired_access_token", "Access token expired")
        body = {
            "client_id": grant.client_id,
            "client_name": f"{APP_NAME} (sandbox)",
            "scope": grant.scope,
            "app": {"app_id": APP_ID, "name": APP_NAME, "id": APP_ID, "app_name": APP_NAME},
        }
        return json_reply(200, body)

    def _jwks(self, request: FakeRequest) -> Reply:
        try:
            return json_reply(200, self.keys.jwks())
        except ConfigurationError:
            return json_reply(200, FALLBACK_JWKS)


ENDPOINT = MoneyKitEndpoint
