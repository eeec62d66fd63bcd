"""MoneyKit: client credentials, token introspection, the JWKS and webhook verification.

Quirks: success is 201; errors are ``{error_code, error_message}``; a 400 (bad
``grant_type``) reuses the ``api_error.auth.unauthorized`` code, so it is mapped by
status; one host serves sandbox and live (the key pair decides). Webhooks are
verified with the JWKS's keys (``_webhooks.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Unpack

from ..._config import CommonOptions
from ..._exceptions import InvalidRequestError, TokenEndpointError
from ..._fetch import Call, Plan
from ..._http import basic_auth
from ..._keyset import KeySet
from ..._responses import Issued, Refusal, given
from ..._source import TokenSource
from ...moneykit import AuthenticatedClient, Client
from ...moneykit.api.access_token import (
    create_access_token,
    get_well_known_jwks,
    instrospect_client,
)
from ...moneykit.models import (
    APIErrorAuthResponse,
    APIErrorAuthUnauthorizedResponse,
    APIErrorRateLimitExceededResponse,
    AppClientResponse,
    CreateAccessTokenRequest,
    CreateAccessTokenResponse,
    HTTPValidationError,
    JWKSet,
)
from ...moneykit.types import UNSET
from .._common import fingerprint, require
from . import PROVIDER
from ._webhooks import KEYS_TTL, SIGNATURE_HEADER, WebhookVerifier, es256_key

_Error = (
    APIErrorAuthResponse
    | APIErrorAuthUnauthorizedResponse
    | APIErrorRateLimitExceededResponse
    | HTTPValidationError
)
# A bad grant_type comes back as 400 with the *unauthorized* code.
_BY_STATUS: Mapping[int, type[TokenEndpointError]] = MappingProxyType({400: InvalidRequestError})


def _refusal(parsed: object) -> Refusal | None:
    if isinstance(parsed, _Error):
        return Refusal(given(parsed.error_code), given(parsed.error_message), _BY_STATUS)
    return None


class MoneyKit(TokenSource):
    """Tokens for the MoneyKit API, and verification of MoneyKit's webhooks.

    ``webhook_keys_ttl``: how long a webhook signing key from the JWKS is trusted
    after the JWKS last listed it (12 h; at most 24 h, as MoneyKit asks).
    """

    registration = PROVIDER
    #: The request header that carries a webhook's verification token (the name in
    #: MoneyKit's example handler; MoneyKit does not document it publicly).
    webhook_header = SIGNATURE_HEADER

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        scope: str | None = None,
        base_url: str | None = None,
        webhook_keys_ttl: float = KEYS_TTL,
        **common: Unpack[CommonOptions],
    ) -> None:
        require(self.provider, client_id=client_id, client_secret=client_secret)
        super().__init__(base_url=PROVIDER.server(None, base_url), **common)
        self.client_id = client_id
        self._secret_id = fingerprint(client_secret)
        self.scope = scope
        self._body = CreateAccessTokenRequest(
            grant_type="client_credentials", scope=scope if scope else UNSET
        )
        self._client = self._authenticated(
            AuthenticatedClient,
            basic_auth(client_id, client_secret),
        )
        # Introspection authenticates with this source's own token (and its 401
        # replay); the JWKS takes no credentials.
        self._api = self._authenticated(AuthenticatedClient, self)
        self._public = self._bind(Client(base_url=self.base_url), None)
        self._webhooks = WebhookVerifier(
            provider=self.provider,
            keys=KeySet(
                provider=self.provider,
                fetch=lambda: [key.to_dict() for key in self.jwks().keys],
                afetch=self._ajwks_members,
                load=lambda member: es256_key(self.provider, member),
                monotonic=self._clock.monotonic,
                budget=self._store_bounds[1],
                ttl=webhook_keys_ttl,
            ),
            now=self._clock.now,
        )

    def _plan(self) -> Plan:
        return Plan("client_credentials")

    def _request(self, plan: Plan) -> Call:
        return Call(create_access_token, self._client, {"body": self._body})

    def _read(self, plan: Plan, parsed: Any) -> Issued | Refusal | None:
        if isinstance(parsed, CreateAccessTokenResponse):
            return Issued(
                access_token=parsed.access_token,
                token_type=parsed.token_type,
                expires_in=parsed.expires_in,
                scope=self.scope,
            )
        return _refusal(parsed)

    # -- introspection and JWKS ----------------------------------------------------------

    def _introspect_call(self) -> Call:
        return Call(instrospect_client, self._api)

    def _jwks_call(self) -> Call:
        return Call(get_well_known_jwks, self._public, {"x_client_id": self.client_id})

    def introspect(self) -> AppClientResponse:
        """What MoneyKit knows about this client (``GET /auth/introspect``)."""
        return self._exchange.send(self._introspect_call(), _introspected)

    async def aintrospect(self) -> AppClientResponse:
        return await self._exchange.asend(self._introspect_call(), _introspected)

    def jwks(self) -> JWKSet:
        """The keys that sign MoneyKit's webhook JWTs (``GET /.well-known/jwks.json``)."""
        return self._exchange.send(self._jwks_call(), _jwks)

    async def ajwks(self) -> JWKSet:
        return await self._exchange.asend(self._jwks_call(), _jwks)

    async def _ajwks_members(self) -> list[dict[str, Any]]:
        return [key.to_dict() for key in (await self.ajwks()).keys]

    # -- webhooks -------------------------------------------------------------------------

    def verify_webhook(self, body: bytes, verification_token: str) -> Mapping[str, Any]:
        """The verified claims of a MoneyKit webhook, or ``WebhookVerificationError``.

        ``body`` is the request body exactly as received (bytes: its SHA-256 is
        signed); ``verification_token`` is the JWT from the ``MoneyKit-Signature``
        header. The token must be ES256-signed by a key of MoneyKit's JWKS (fetched
        once and cached; refetched for an unknown ``kid``, at most once a minute),
        issued within five minutes of now, and sign this body's SHA-256. A JWKS
        that cannot be fetched raises the fetch's error (``TransportError``,
        ``ServerError``...): answer those with a 5xx, so that MoneyKit retries.
        Needs ``provider-tokens[jwt]``.
        """
        return self._webhooks.verify(body, verification_token)

    async def averify_webhook(self, body: bytes, verification_token: str) -> Mapping[str, Any]:
        """The asyncio twin of ``verify_webhook()``."""
        return await self._webhooks.averify(body, verification_token)

    def verify_webhook_request(
        self, headers: Mapping[str, str], body: bytes, *, header: str = SIGNATURE_HEADER
    ) -> Mapping[str, Any]:
        """``verify_webhook`` with the token read from a request's ``headers`` (any
        mapping: a framework's case-insensitive headers, or a dict) under ``header``.

        ``header`` defaults to ``MoneyKit-Signature``, the name in MoneyKit's example
        handler; MoneyKit does not document it publicly, so it can be changed here.
        """
        return self.verify_webhook(body, self._webhooks.header_token(headers, header))

    async def averify_webhook_request(
        self, headers: Mapping[str, str], body: bytes, *, header: str = SIGNATURE_HEADER
    ) -> Mapping[str, Any]:
        """The asyncio twin of ``verify_webhook_request()``."""
        return await self.averify_webhook(body, self._webhooks.header_token(headers, header))

    def api_client(self) -> AuthenticatedClient:
        """``provider_tokens.moneykit``'s client with this source's token, for its generated
        operations (``client=``); close the source, not the client."""
        return self._authenticated(AuthenticatedClient, self)

    def _key_material(self) -> tuple[str, ...]:
        return (self.client_id, self._secret_id, self.scope or "")

    def _identity(self) -> dict[str, Any]:
        return {"client_id": self.client_id, "scope": self.scope}


def _introspected(parsed: object) -> AppClientResponse | Refusal | None:
    return parsed if isinstance(parsed, AppClientResponse) else _refusal(parsed)


def _jwks(parsed: object) -> JWKSet | Refusal | None:
    return parsed if isinstance(parsed, JWKSet) else _refusal(parsed)
