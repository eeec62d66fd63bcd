"""SMS.CX: client credentials with the application ID and secret.

Quirks: success is 200; errors are ``{"error": {type, message, uri, code}}`` with
``type`` as the code (every token error has ``code`` 1600); tokens that "never"
expire may carry a zero or negative ``expires_in``, taken as unknown; 429 carries
``X-Rate-Limit-Reset`` (a Unix time) rather than ``Retry-After``.
"""

from __future__ import annotations

from typing import Any, Unpack

from ..._config import CommonOptions
from ..._fetch import Call, Plan
from ..._http import basic_auth
from ..._responses import Issued, Refusal, whole_seconds
from ..._source import TokenSource
from ...smscx import AuthenticatedClient
from ...smscx.api.oauth import get_access_token
from ...smscx.models import ErrorResponse, OauthTokenRequest, OauthTokenResponse
from ...smscx.models.oauth_token_request_grant_type import OauthTokenRequestGrantType
from ...smscx.types import UNSET
from .._common import fingerprint, require
from . import PROVIDER


class Smscx(TokenSource):
    """Tokens for the SMS.CX API."""

    registration = PROVIDER

    def __init__(
        self,
        application_id: str,
        application_secret: str,
        *,
        scope: str | None = None,
        base_url: str | None = None,
        **common: Unpack[CommonOptions],
    ) -> None:
        require(self.provider, application_id=application_id, application_secret=application_secret)
        super().__init__(base_url=PROVIDER.server(None, base_url), **common)
        self.application_id = application_id
        self._secret_id = fingerprint(application_secret)
        self.scope = scope
        self._body = OauthTokenRequest(
            grant_type=OauthTokenRequestGrantType.CLIENT_CREDENTIALS,
            scope=scope if scope else UNSET,
        )
        self._client = self._authenticated(
            AuthenticatedClient,
            basic_auth(application_id, application_secret),
        )

    def _plan(self) -> Plan:
        return Plan("client_credentials")

    def _request(self, plan: Plan) -> Call:
        return Call(get_access_token, self._client, {"body": self._body})

    def _read(self, plan: Plan, parsed: Any) -> Issued | Refusal | None:
        if isinstance(parsed, OauthTokenResponse):
            seconds = whole_seconds(parsed.expires_in)
            return Issued(
                access_token=parsed.access_token,
                token_type=parsed.token_type,
                # "Never expires" may come as 0 or a negative number: unknown.
                expires_in=None if seconds is not None and seconds <= 0 else parsed.expires_in,
                scope=parsed.scope,
            )
        if isinstance(parsed, ErrorResponse):
            return Refusal(parsed.error.type_, parsed.error.message)
        return None

    def api_client(self) -> AuthenticatedClient:
        """``provider_tokens.smscx``'s client with this source's token, for its generated
        operations (``client=``); close the source, not the client."""
        return self._authenticated(AuthenticatedClient, self)

    def _key_material(self) -> tuple[str, ...]:
        return (self.application_id, self._secret_id, self.scope or "")

    def _identity(self) -> dict[str, Any]:
        return {"application_id": self.application_id, "scope": self.scope}
