"""SMS.CX: client credentials with the application ID and secret.

Quirks: success is 200; errors are ``{"error": {type, message, uri, code}}`` with
``type`` as the code (every token error has ``code`` 1600); tokens that "never"
expire may carry a zero or negative ``expires_in``, taken as unknown; 429 carries
``X-Rate-Limit-Reset`` (a Unix time) rather than ``Retry-After``.
"""

from __future__ import annotations

from typing import Any, Unpack

from .._http import basic_auth
from .._responses import Issued
from .._source import CommonOptions, Plan, TokenSource
from ..smscx import AuthenticatedClient
from ..smscx.api.oauth import get_access_token
from ..smscx.models import ErrorResponse, OauthTokenRequest, OauthTokenResponse
from ..smscx.models.oauth_token_request_grant_type import OauthTokenRequestGrantType
from ..smscx.types import UNSET, Response
from ._common import fingerprint, require

SERVER = "https://api.sms.cx"


class Smscx(TokenSource):
    """Tokens for the SMS.CX API."""

    provider = "smscx"
    _nonpositive_expiry_is_unknown = True

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
        super().__init__(base_url=base_url or SERVER, **common)
        self.application_id = application_id
        self._secret_id = fingerprint(application_secret)
        self.scope = scope
        auth = basic_auth(application_id, application_secret)
        self._body = OauthTokenRequest(
            grant_type=OauthTokenRequestGrantType.CLIENT_CREDENTIALS,
            scope=scope if scope else UNSET,
        )
        self._client = self._bind(
            AuthenticatedClient(base_url=self.base_url, token="", prefix=""), auth
        )

    def _plan(self) -> Plan:
        return Plan("client_credentials")

    def _send(self, plan: Plan) -> Issued:
        return self._read(get_access_token.sync_detailed(client=self._client, body=self._body))

    async def _asend(self, plan: Plan) -> Issued:
        return self._read(
            await get_access_token.asyncio_detailed(client=self._client, body=self._body)
        )

    def _read(self, response: Response[ErrorResponse | OauthTokenResponse]) -> Issued:
        parsed = response.parsed
        if isinstance(parsed, OauthTokenResponse):
            return Issued(
                access_token=parsed.access_token,
                token_type=parsed.token_type,
                expires_in=parsed.expires_in,
                scope=parsed.scope,
                raw=parsed.to_dict(),
            )
        if isinstance(parsed, ErrorResponse):
            raise self._endpoint_error(code=parsed.error.type_, description=parsed.error.message)
        raise self._unexpected("undocumented status")

    def _key_material(self) -> tuple[str, ...]:
        return (self.application_id, self._secret_id, self.scope or "")

    def _identity(self) -> dict[str, Any]:
        return {"application_id": self.application_id, "scope": self.scope}
