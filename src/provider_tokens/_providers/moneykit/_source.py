"""MoneyKit: client credentials, token introspection, the JWKS and webhook verification.

Quirks: success is 201; errors are ``{error_code, error_message}``; a 400 (bad
``grant_type``) reuses the ``api_error.auth.unauthorized`` code, so it is mapped by
status; one host serves sandbox and live (the key pair decides). Webhooks are
verified with the JWKS's keys (``_webhooks.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Unpack

from ..._config import CommonOptions
from ..._fetch import Call, Plan
from ..._http import basic_auth
from ..._responses import Issued, Refusal
from ..._source import TokenSource
from .._common import fingerprint, require
from . import KEYS_TTL, PROVIDER, SIGNATURE_HEADER

if TYPE_CHECKING:
    from ...moneykit import AuthenticatedClient
    from ...moneykit.models import AppClientResponse, JWKSet
    from ._webhooks import WebhookVerifier

# The generated client (``_wire``), the key set and the webhook checks load with the
# first source or the first webhook, not with the class (tests/test_import_cost.py).


def _es256_key(provider: str, member: Mapping[str, Any]) -> Any | None:
    from ._webhooks import es256_key

    return es256_key(provider, member)


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
        from ..._keyset import KeySet
        from . import _wire

        self._read_token = _wire.read_token
        self._token_call = _wire.token_call
        self._body = _wire.token_body(scope)
        self._client = self._authenticated(
            _wire.AuthenticatedClient,
            basic_auth(client_id, client_secret),
        )
        # Introspection authenticates with this source's own token (and its 401
        # replay); the JWKS takes no credentials.
        self._api = self._authenticated(_wire.AuthenticatedClient, self)
        self._public = self._bind(_wire.Client(base_url=self.base_url), None)
        self._keys = KeySet(
            provider=self.provider,
            fetch=lambda: [key.to_dict() for key in self.jwks().keys],
            afetch=self._ajwks_members,
            load=lambda member: _es256_key(self.provider, member),
            monotonic=self._clock.monotonic,
            budget=self._store_bounds[1],
            ttl=webhook_keys_ttl,
        )
        self._verifier: WebhookVerifier | None = None

    def _plan(self) -> Plan:
        return Plan("client_credentials")

    def _request(self, plan: Plan) -> Call:
        return self._token_call(self._client, self._body)

    def _read(self, plan: Plan, parsed: Any) -> Issued | Refusal | None:
        return self._read_token(parsed, self.scope)

    # -- introspection and JWKS (their operations load on first use) ----------------------

    def introspect(self) -> AppClientResponse:
        """What MoneyKit knows about this client (``GET /auth/introspect``)."""
        from ._wire import introspect_call, introspected

        return self._exchange.send(introspect_call(self._api), introspected)

    async def aintrospect(self) -> AppClientResponse:
        from ._wire import introspect_call, introspected

        return await self._exchange.asend(introspect_call(self._api), introspected)

    def jwks(self) -> JWKSet:
        """The keys that sign MoneyKit's webhook JWTs (``GET /.well-known/jwks.json``)."""
        from ._wire import jwks, jwks_call

        return self._exchange.send(jwks_call(self._public, self.client_id), jwks)

    async def ajwks(self) -> JWKSet:
        from ._wire import jwks, jwks_call

        return await self._exchange.asend(jwks_call(self._public, self.client_id), jwks)

    async def _ajwks_members(self) -> list[dict[str, Any]]:
        return [key.to_dict() for key in (await self.ajwks()).keys]

    # -- webhooks -------------------------------------------------------------------------

    def _webhooks(self) -> WebhookVerifier:
        # Made on first use (PyJWT's checks load with it); two threads racing here
        # make twins over the same key set, and one is kept.
        verifier = self._verifier
        if verifier is None:
            from ._webhooks import WebhookVerifier

            verifier = self._verifier = WebhookVerifier(
                provider=self.provider, keys=self._keys, now=self._clock.now
            )
        return verifier

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
        return self._webhooks().verify(body, verification_token)

    async def averify_webhook(self, body: bytes, verification_token: str) -> Mapping[str, Any]:
        """The asyncio twin of ``verify_webhook()``."""
        return await self._webhooks().averify(body, verification_token)

    def verify_webhook_request(
        self, headers: Mapping[str, str], body: bytes, *, header: str = SIGNATURE_HEADER
    ) -> Mapping[str, Any]:
        """``verify_webhook`` with the token read from a request's ``headers`` (any
        mapping: a framework's case-insensitive headers, or a dict) under ``header``.

        ``header`` defaults to ``MoneyKit-Signature``, the name in MoneyKit's example
        handler; MoneyKit does not document it publicly, so it can be changed here.
        """
        return self.verify_webhook(body, self._webhooks().header_token(headers, header))

    async def averify_webhook_request(
        self, headers: Mapping[str, str], body: bytes, *, header: str = SIGNATURE_HEADER
    ) -> Mapping[str, Any]:
        """The asyncio twin of ``verify_webhook_request()``."""
        return await self.averify_webhook(body, self._webhooks().header_token(headers, header))

    def api_client(self) -> AuthenticatedClient:
        """``provider_tokens.moneykit``'s client with this source's token, for its generated
        operations (``client=``); close the source, not the client."""
        from ._wire import AuthenticatedClient

        return self._authenticated(AuthenticatedClient, self)

    def _key_material(self) -> tuple[str, ...]:
        return (self.client_id, self._secret_id, self.scope or "")

    def _identity(self) -> dict[str, Any]:
        return {"client_id": self.client_id, "scope": self.scope}
