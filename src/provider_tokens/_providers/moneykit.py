"""MoneyKit: client credentials, plus token introspection and the JWKS.

Quirks: success is 201; errors are ``{error_code, error_message}``; a 400 (bad
``grant_type``) reuses the ``api_error.auth.unauthorized`` code, so it is mapped by
status; one host serves sandbox and live (the key pair decides).
"""

from __future__ import annotations

from typing import Any, Unpack

from .._exceptions import InvalidRequestError, TokenError
from .._http import basic_auth
from .._responses import Issued, given
from .._source import CommonOptions, Plan, TokenSource
from ..moneykit import AuthenticatedClient, Client
from ..moneykit.api.access_token import (
    create_access_token,
    get_well_known_jwks,
    instrospect_client,
)
from ..moneykit.models import (
    APIErrorAuthResponse,
    APIErrorAuthUnauthorizedResponse,
    APIErrorRateLimitExceededResponse,
    AppClientResponse,
    CreateAccessTokenRequest,
    CreateAccessTokenResponse,
    HTTPValidationError,
    JWKSet,
)
from ..moneykit.types import UNSET, Response
from ._common import fingerprint, require

SERVER = "https://api.moneykit.com"

_Error = (
    APIErrorAuthResponse
    | APIErrorAuthUnauthorizedResponse
    | APIErrorRateLimitExceededResponse
    | HTTPValidationError
)
_TokenResult = (
    APIErrorAuthUnauthorizedResponse
    | APIErrorRateLimitExceededResponse
    | CreateAccessTokenResponse
    | HTTPValidationError
)


class MoneyKit(TokenSource):
    """Tokens for the MoneyKit API."""

    provider = "moneykit"

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        scope: str | None = None,
        base_url: str | None = None,
        **common: Unpack[CommonOptions],
    ) -> None:
        require(self.provider, client_id=client_id, client_secret=client_secret)
        super().__init__(base_url=base_url or SERVER, **common)
        self.client_id = client_id
        self._secret_id = fingerprint(client_secret)
        self.scope = scope
        basic = basic_auth(client_id, client_secret)
        self._body = CreateAccessTokenRequest(
            grant_type="client_credentials", scope=scope if scope else UNSET
        )
        self._client = self._bind(
            AuthenticatedClient(base_url=self.base_url, token="", prefix=""), basic
        )
        # Introspection authenticates with this source's own token (and its 401
        # replay); the JWKS takes no credentials.
        self._api = self._bind(
            AuthenticatedClient(base_url=self.base_url, token="", prefix=""), self
        )
        self._public = self._bind(Client(base_url=self.base_url), None)

    def _plan(self) -> Plan:
        return Plan("client_credentials")

    def _send(self, plan: Plan) -> Issued:
        return self._read(create_access_token.sync_detailed(client=self._client, body=self._body))

    async def _asend(self, plan: Plan) -> Issued:
        return self._read(
            await create_access_token.asyncio_detailed(client=self._client, body=self._body)
        )

    def _read(self, response: Response[_TokenResult]) -> Issued:
        parsed = response.parsed
        if isinstance(parsed, CreateAccessTokenResponse):
            return Issued(
                access_token=parsed.access_token,
                token_type=parsed.token_type,
                expires_in=parsed.expires_in,
                scope=self.scope,
                raw=parsed.to_dict(),
            )
        raise self._error(parsed)

    def _error(self, parsed: object) -> TokenError:
        if isinstance(parsed, _Error):
            return self._endpoint_error(
                code=given(parsed.error_code),
                description=given(parsed.error_message),
                # A bad grant_type comes back as 400 with the *unauthorized* code.
                by_status={400: InvalidRequestError},
            )
        return self._unexpected("undocumented status")

    # -- introspection and JWKS ----------------------------------------------------

    def introspect(self) -> AppClientResponse:
        """What MoneyKit knows about this client (``GET /auth/introspect``)."""
        return self._call(
            lambda: self._introspected(instrospect_client.sync_detailed(client=self._api))
        )

    async def aintrospect(self) -> AppClientResponse:
        async def call() -> AppClientResponse:
            return self._introspected(await instrospect_client.asyncio_detailed(client=self._api))

        return await self._acall(call)

    def jwks(self) -> JWKSet:
        """The keys that sign MoneyKit's webhook JWTs (``GET /.well-known/jwks.json``)."""
        return self._call(
            lambda: self._jwks(
                get_well_known_jwks.sync_detailed(client=self._public, x_client_id=self.client_id)
            )
        )

    async def ajwks(self) -> JWKSet:
        async def call() -> JWKSet:
            response = await get_well_known_jwks.asyncio_detailed(
                client=self._public, x_client_id=self.client_id
            )
            return self._jwks(response)

        return await self._acall(call)

    def _introspected(
        self, response: Response[APIErrorAuthResponse | AppClientResponse]
    ) -> AppClientResponse:
        if isinstance(response.parsed, AppClientResponse):
            return response.parsed
        raise self._error(response.parsed)

    def _jwks(self, response: Response[JWKSet]) -> JWKSet:
        if isinstance(response.parsed, JWKSet):
            return response.parsed
        raise self._error(response.parsed)

    def _key_material(self) -> tuple[str, ...]:
        return (self.client_id, self._secret_id, self.scope or "")

    def _identity(self) -> dict[str, Any]:
        return {"client_id": self.client_id, "scope": self.scope}
