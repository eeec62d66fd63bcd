"""Fake SMS.CX ``POST /oauth/token`` (specs/smscx.yaml).

HTTP Basic with the application ID and secret is the only accepted client
authentication; success is 200. Every answer carries ``X-Request-Id``; errors are
``{"error": {type, message, uri, code}}`` with ``code`` 1600, as on the token
endpoint. The checks run in the order credentials (401), ``grant_type`` (400
``invalid_request`` when missing, ``unsupported_grant_type`` otherwise), then
scope (400 ``invalid_scope`` for one the application was not given).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from .._credentials import CREDENTIALS
from .._wire import FakeRequest, Reply, json_reply
from ._base import Endpoint, Handler

# What the test application may ask for; an empty or omitted scope grants all of them.
SMSCX_SCOPES = ("sms", "groups", "templates", "otp", "reports")

ERRORS_URI = "https://sms.cx/sms-api-documentation/#section/Errors"
_TYPES = {
    400: ("invalid_request", "The request is invalid"),
    401: ("invalid_client", "Invalid client"),
    403: ("insufficient_scope", "Insufficient scope"),
    404: ("not_found", "Not found"),
    405: ("invalid_method", "Method not allowed"),
    429: ("rate_limit", "Too many requests"),
}


def _request_id() -> tuple[tuple[str, str], ...]:
    return (("X-Request-Id", uuid.uuid4().hex),)


class SmscxEndpoint(Endpoint):
    name = "smscx"
    success_statuses = (200,)

    def routes(self) -> Mapping[str, Mapping[str, Handler]]:
        return {"/oauth/token": {"POST": self._token}}

    def error(self, status: int, code: str | None = None, message: str | None = None) -> Reply:
        default_type, default_message = _TYPES.get(status, ("server_error", "Server error"))
        error = {
            "type": code or default_type,
            "message": message or default_message,
            "uri": ERRORS_URI,
            "code": 1600,
        }
        return json_reply(status, {"error": error}, headers=_request_id())

    def wrong_types(self) -> dict[str, Any]:
        return {"access_token": None, "expires_in": "one day", "token_type": 0, "scope": ["sms"]}

    def _token(self, request: FakeRequest) -> Reply:
        app = CREDENTIALS[self.name]
        if request.basic() != (app["application_id"], app["application_secret"]):
            return self.error(401, "invalid_client", "Invalid client credentials")
        grant_type = request.form.get("grant_type")
        if not grant_type:
            return self.error(
                400,
                "invalid_request",
                "The request is missing a required parameter (grant_type)",
            )
        if grant_type != "client_credentials":
            return self.error(
                400,
                "unsupported_grant_type",
                "The grant type is not supported (only client_credentials)",
            )
        requested = request.form.get("scope", "").split()
        if any(s not in SMSCX_SCOPES for s in requested):
            return self.error(
                400, "invalid_scope", "The requested scope is invalid, unknown, or malformed"
            )
        scope = " ".join(requested or SMSCX_SCOPES)
        lifetime = self.ledger.lifetime(self.name)
        token = self.ledger.issue(
            "access", self.name, app["application_id"], scope, lifetime=lifetime
        )
        body = {
            "access_token": token,
            "expires_in": lifetime,
            "token_type": "Bearer",
            "scope": scope,
        }
        return json_reply(self.success_status, body, headers=_request_id())


ENDPOINT = SmscxEndpoint
