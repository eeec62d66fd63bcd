"""Fake GMO-PG ``POST /token`` (specs/gmo_payment.yaml).

As the spec describes it: HTTP Basic with the shop ID and password, a form with
``grant_type=client_credentials`` and ``scope=openapi``; success is 201 with
``expires_in`` as a *string*; every error is an RFC 9457 problem
(``application/problem+json``) whose ``title`` is the error code. Pre-acceptance
errors come first, in the order: path (404), method (405), credentials (401),
content type (415); then the parameters (400).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._credentials import CREDENTIALS
from .._wire import FORM, FakeRequest, Reply, json_reply
from ._base import Endpoint, Handler

PROBLEM = "application/problem+json"

# The vendor `errors` tag: status to title, and the English detail the fake sends.
_TITLES = {
    400: ("invalid_request", "The request is invalid."),
    401: ("unauthorized_request", "The authentication information is invalid."),
    404: ("resource_not_found", "The API endpoint is invalid."),
    405: ("method_not_allowed", "The HTTP method is not allowed."),
    409: ("conflict", "The request conflicts with the current state."),
    415: ("unsupported_media_type", "The Content-Type is not supported."),
    429: ("too_many_requests", "The concurrent-processing limit was exceeded."),
    500: ("internal_server_error", "An unexpected error has occurred."),
    502: ("bad_gateway", "A bad response was received from an upstream server."),
    503: ("service_unavailable", "The service is under maintenance."),
}

# Each form parameter and the only value the spec allows for it.
_PARAMETERS = (("grant_type", "client_credentials"), ("scope", "openapi"))


class GmoPaymentEndpoint(Endpoint):
    name = "gmo_payment"
    success_statuses = (201,)

    def routes(self) -> Mapping[str, Mapping[str, Handler]]:
        return {"/token": {"POST": self._token}}

    def error(self, status: int, code: str | None = None, message: str | None = None) -> Reply:
        title, detail = _TITLES.get(status, ("internal_server_error", "An error has occurred."))
        problem = {"title": code or title, "detail": message or detail, "instance": "/token"}
        return json_reply(status, problem, content_type=PROBLEM)

    def wrong_types(self) -> dict[str, Any]:
        return {"access_token": 1234567890, "expires_in": ["3600"], "scope": None, "token_type": 1}

    def _token(self, request: FakeRequest) -> Reply:
        shop = CREDENTIALS[self.name]
        if request.basic() != (shop["shop_id"], shop["shop_pass"]):
            return self.error(401)
        if request.media_type != FORM:
            return self.error(415)
        for name, allowed in _PARAMETERS:
            value = request.form.get(name)
            if not value:
                return self.error(400, "missing_parameter", f"The parameter is required.({name})")
            if value != allowed:
                return self.error(
                    400, "invalid_parameter", f"The parameter value is invalid.({name})"
                )
        lifetime = self.ledger.lifetime(self.name)
        token = self.ledger.issue(
            "access", self.name, shop["shop_id"], "openapi", lifetime=lifetime
        )
        body = {
            "access_token": token,
            "expires_in": str(lifetime),
            "scope": "openapi",
            "token_type": "bearer",
        }
        return json_reply(self.success_status, body)


ENDPOINT = GmoPaymentEndpoint
