"""Fake Melio Platform API ``POST /auth/token`` (specs/melio.yaml).

No body; the partner key comes raw in ``API-Key``, ``Idempotency-Key`` is required
and ``Melio-Account`` optional (a known account, else 404). The body is camelCase
``{"data": {accessToken, expiresAt, refreshToken}}`` with an absolute UTC expiry.
The success status is unknown (the spec declares 200 and 201): 200 by default,
201 with ``set_success_status``.

Idempotency: a replay of an ``Idempotency-Key`` for the same account gets the first
answer again, the same token included, however long ago it was; the same key for
another account is a 409 conflict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .._credentials import CREDENTIALS
from .._ledger import Ledger
from .._wire import FakeRequest, Reply, json_reply
from ._base import Endpoint, Handler

_CODES = {
    400: ("validation_error", "Bad request"),
    401: ("unauthorized", "Invalid API key"),
    403: ("forbidden", "Forbidden"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    429: ("too_many_requests", "Too many requests"),
}


def iso_utc(epoch: float) -> str:
    """``2022-02-01T12:00:00.000Z``: milliseconds and ``Z``, as in the spec's example."""
    moment = dt.datetime.fromtimestamp(epoch, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class MelioEndpoint(Endpoint):
    name = "melio"
    success_statuses = (200, 201)

    def __init__(self, ledger: Ledger) -> None:
        super().__init__(ledger)
        # (API key, Idempotency-Key) -> (account, the first answer)
        self._answered: dict[tuple[str, str], tuple[str | None, Reply]] = {}

    def routes(self) -> Mapping[str, Mapping[str, Handler]]:
        return {"/auth/token": {"POST": self._token}}

    def error(self, status: int, code: str | None = None, message: str | None = None) -> Reply:
        default_code, default_message = _CODES.get(status, ("internal_error", "Internal error"))
        return json_reply(
            status, {"error": {"code": code or default_code, "message": message or default_message}}
        )

    def wrong_types(self) -> dict[str, Any]:
        return {"data": {"accessToken": 12345, "expiresAt": 1700000000, "refreshToken": None}}

    def reset(self) -> None:
        self._answered.clear()

    def _token(self, request: FakeRequest) -> Reply:
        api_key = CREDENTIALS[self.name]["api_key"]
        if request.headers.get("api-key") != api_key:
            return self.error(401, "unauthorized", "Invalid API key")
        idempotency_key = request.headers.get("idempotency-key", "").strip()
        if not idempotency_key:
            body = {
                "error": {
                    "code": "validation_error",
                    "message": "Missing Idempotency-Key header",
                    "data": [{"field": "Idempotency-Key"}],
                }
            }
            return json_reply(400, body)
        account = request.headers.get("melio-account") or None
        if account is not None and account != CREDENTIALS[self.name]["account_id"]:
            return self.error(404, "not_found", "Account not found")
        first = self._answered.get((api_key, idempotency_key))
        if first is not None:
            if first[0] == account:
                return first[1]
            return self.error(409, "conflict", "Idempotency-Key was used for another request")
        reply = self._issue(account)
        self._answered[(api_key, idempotency_key)] = (account, reply)
        return reply

    def _issue(self, account: str | None) -> Reply:
        lifetime = self.ledger.lifetime(self.name)
        client = account or "partner"
        access = self.ledger.issue("access", self.name, client, lifetime=lifetime)
        refresh = self.ledger.issue("refresh", self.name, client, lifetime=None)
        data = {
            "accessToken": access,
            "expiresAt": iso_utc(self.ledger.clock() + lifetime),
            "refreshToken": refresh,
        }
        return json_reply(self.success_status, {"data": data})


ENDPOINT = MelioEndpoint
