"""Melio Platform API: an Account-scoped token minted with the partner API key.

Quirks: no request body; the key goes raw in ``API-Key``; ``Idempotency-Key`` is
required (a new UUIDv4 per token request, the same across its retries); the body
is camelCase ``data.accessToken/expiresAt/refreshToken`` with an absolute expiry,
measured against the response's ``Date`` when this host's clock and the provider's
disagree (``absolute_lifetime``); the success status is unknown, so 200 and 201 are
both accepted. The refresh token is kept in ``AccessToken.refresh_token`` but not
used: no refresh endpoint is known, so a new token is minted with the API key instead.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal, Unpack

from ..._config import CommonOptions
from ..._fetch import Call, Plan
from ..._http import HeaderAuth
from ..._responses import Issued, Refusal
from ..._source import TokenSource
from ...melio import AuthenticatedClient
from ...melio.api.auth import post_auth_token
from ...melio.models import ErrorResponse, PostAuthResponse
from ...melio.types import UNSET
from .._common import fingerprint, require
from . import PROVIDER


class Melio(TokenSource):
    """Tokens for the Melio Platform API, scoped to ``account_id`` when given."""

    registration = PROVIDER

    def __init__(
        self,
        api_key: str,
        *,
        account_id: str | None = None,
        environment: Literal["production", "sandbox"] = "production",
        base_url: str | None = None,
        **common: Unpack[CommonOptions],
    ) -> None:
        require(self.provider, api_key=api_key)
        super().__init__(base_url=PROVIDER.server(environment, base_url), **common)
        self.account_id = account_id
        self._secret_id = fingerprint(api_key)
        self.environment = environment
        self._client = self._authenticated(
            AuthenticatedClient,
            HeaderAuth("API-Key", api_key),
        )

    def _plan(self) -> Plan:
        return Plan("api_key", {"idempotency_key": str(uuid.uuid4())})

    def _request(self, plan: Plan) -> Call:
        return Call(
            post_auth_token,
            self._client,
            {
                "idempotency_key": plan.params["idempotency_key"],
                "melio_account": self.account_id or UNSET,
            },
        )

    def _read(self, plan: Plan, parsed: Any) -> Issued | Refusal | None:
        if isinstance(parsed, PostAuthResponse):
            data = parsed.data
            expires_at = data.expires_at
            if isinstance(expires_at, dt.datetime) and expires_at.tzinfo is None:
                expires_at = expires_at.replace(tzinfo=dt.UTC)  # an offset-less time is UTC
            return Issued(
                access_token=data.access_token,
                expires_at=expires_at,
                refresh_token=data.refresh_token,
            )
        if isinstance(parsed, ErrorResponse):
            return Refusal(parsed.error.code, parsed.error.message)
        return None

    def api_client(self) -> AuthenticatedClient:
        """``provider_tokens.melio``'s client with this source's token, for its generated
        operations (``client=``); close the source, not the client."""
        return self._authenticated(AuthenticatedClient, self)

    def _key_material(self) -> tuple[str, ...]:
        return (self._secret_id, self.account_id or "")

    def _identity(self) -> dict[str, Any]:
        return {"account_id": self.account_id, "environment": self.environment}
