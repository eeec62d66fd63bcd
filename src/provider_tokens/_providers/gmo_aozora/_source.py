"""GMO Aozora Net Bank: authorization code and rotating refresh tokens.

Quirks: client authentication is fixed per client at registration, ``basic`` or
``post`` (credentials in the form); resource APIs take the token as
``x-access-token: <token>``; a refresh token comes only with ``offline_access``
and is treated as rotating: the newest one is kept, and a refresh (or a code
exchange) is never retried once it may have reached the bank. An ``id_token`` in
the answer (OpenID Connect scopes) is verified before the tokens are kept
(``_id_token.py``).
"""

from __future__ import annotations

import logging
from typing import Any, Literal, Unpack

import attrs

from ..._config import CommonOptions
from ..._exceptions import ConfigurationError, IdTokenError, NoRefreshTokenError
from ..._fetch import Call, Plan
from ..._http import basic_auth
from ..._jws import EXTRA, has_jose, jose
from ..._responses import Issued, Refusal, given
from ..._source import Rejected, TokenSource
from ..._token import AccessToken
from ...gmo_aozora import AuthenticatedClient
from ...gmo_aozora.api.authorization import authorization
from ...gmo_aozora.api.token import token as token_op
from ...gmo_aozora.models import ErrorResponse, TokenRequest, TokenResponse
from ...gmo_aozora.models.authorization_response_type import AuthorizationResponseType
from ...gmo_aozora.models.token_request_grant_type import TokenRequestGrantType
from ...gmo_aozora.types import UNSET
from ...stores._memory import MemoryStore
from .._common import fingerprint, require
from . import PROVIDER
from ._id_token import IdTokenRules, default_issuers

logger = logging.getLogger("provider_tokens")


class GmoAozora(TokenSource):
    """Tokens for GMO Aozora's APIs, from an authorization code or a refresh token.

    The token belongs to the user who authorized, so by default it is kept by this
    source alone. An ID token in an answer is verified (HS256 with the client
    secret, ``aud``, ``iss``, ``exp``, ``iat`` and, for ``exchange_code(code,
    nonce=...)``, the nonce); ``issuer`` replaces the environment's (by default
    ``https://api.gmo-aozora.com/`` or ``https://stg-api.gmo-aozora.com/``, with or
    without the trailing slash) and is then matched exactly.

    To share the token between processes (``store=FileStore(...)`` or
    ``RedisStore(...)``), give each user a stable ``user_id``: it is part of the store
    key, so two users of the same client never share a token.
    """

    registration = PROVIDER
    auth_header = "x-access-token"

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        redirect_uri: str | None = None,
        auth_method: Literal["basic", "post"] = "basic",
        environment: Literal["production", "staging"] = "production",
        base_url: str | None = None,
        refresh_token: str | None = None,
        user_id: str | None = None,
        issuer: str | None = None,
        **common: Unpack[CommonOptions],
    ) -> None:
        require(self.provider, client_id=client_id, client_secret=client_secret)
        if redirect_uri is not None:
            # Only the authorization URL and the code exchange send it; a source that
            # only refreshes needs none, but one given must be usable.
            require(self.provider, redirect_uri=redirect_uri)
        if auth_method not in ("basic", "post"):
            raise ConfigurationError(
                f"{self.provider}: auth_method must be 'basic' or 'post', got {auth_method!r}",
                provider=self.provider,
            )
        # Tokens here belong to one account holder, not to the client: two sources of
        # the same client may be two users. Without a store of the caller's choosing,
        # keep the token private to this source rather than in the process-wide store.
        if common.get("store") is None:
            common["store"] = MemoryStore()
        super().__init__(base_url=PROVIDER.server(environment, base_url), **common)
        self.client_id = client_id
        self.user_id = user_id
        self._secret_id = fingerprint(client_secret)
        self.redirect_uri = redirect_uri
        self.auth_method = auth_method
        self.environment = environment
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        if issuer is not None:
            require(self.provider, issuer=issuer)
        self._id_rules = IdTokenRules(
            provider=self.provider,
            client_id=client_id,
            client_secret=client_secret,
            issuers=(issuer,) if issuer is not None else default_issuers(environment),
        )
        auth = basic_auth(client_id, client_secret) if auth_method == "basic" else None
        self._client = self._authenticated(AuthenticatedClient, auth)

    def authorization_url(self, scope: str, state: str, nonce: str | None = None) -> str:
        """The front-channel URL to send the user's browser to.

        Ask for ``offline_access`` in ``scope`` to receive a refresh token. Needs
        ``redirect_uri``.
        """
        kwargs = authorization._get_kwargs(
            client_id=self.client_id,
            redirect_uri=self._redirect_uri("authorization_url()"),
            response_type=AuthorizationResponseType.CODE,
            scope=scope,
            state=state,
            nonce=nonce if nonce is not None else UNSET,
        )
        request = self._client.get_httpx_client().build_request(
            kwargs["method"], kwargs["url"], params=kwargs["params"]
        )
        return str(request.url)

    def exchange_code(self, code: str, *, nonce: str | None = None) -> AccessToken:
        """Trade an authorization code for tokens, and cache them. Needs ``redirect_uri``.

        ``nonce``: the one given to ``authorization_url`` (OpenID Connect). The ID
        token must then come back and carry it; any ID token is verified, and its
        claims are the result's ``id_claims``. A failed check raises
        ``IdTokenError`` and keeps nothing: the tokens may belong to another login.
        """
        return self._fetch_now(self._code_plan(code, nonce))

    async def aexchange_code(self, code: str, *, nonce: str | None = None) -> AccessToken:
        """The asyncio twin of ``exchange_code()``."""
        return await self._afetch_now(self._code_plan(code, nonce))

    def _redirect_uri(self, needed_by: str) -> str:
        if self.redirect_uri is None:
            raise ConfigurationError(
                f"{self.provider}: {needed_by} needs redirect_uri (the one registered with "
                "the bank); pass GmoAozora(..., redirect_uri=...)",
                provider=self.provider,
            )
        return self.redirect_uri

    def _code_plan(self, code: str, nonce: str | None) -> Plan:
        self._redirect_uri("exchange_code()")
        require(self.provider, code=code)
        params = {"code": code}
        if nonce is not None:
            require(self.provider, nonce=nonce)
            if not nonce.isprintable() or not nonce.isascii():
                # RFC 6749 §A.5-style: sent in a URL and signed back; refuse it before
                # the code is spent rather than fail to compare it after.
                raise ConfigurationError(
                    f"{self.provider}: nonce must be printable ASCII (e.g. "
                    "secrets.token_urlsafe())",
                    provider=self.provider,
                )
            jose(self.provider)  # without the extra, refuse before the code is spent
            params["nonce"] = nonce
        return Plan("authorization_code", params, spends_grant=True)

    def _plan(self) -> Plan:
        if not self._refresh_token:
            raise NoRefreshTokenError(
                f"{self.provider}: no valid access token and no refresh token; "
                "run the authorization flow (authorization_url, exchange_code)",
                provider=self.provider,
            )
        return Plan("refresh_token", {"refresh_token": self._refresh_token}, spends_grant=True)

    def _stored(self, token: AccessToken) -> None:
        if token.refresh_token:
            self._refresh_token = token.refresh_token

    def _verified(self, plan: Plan, token: AccessToken) -> AccessToken | Rejected:
        id_token, nonce = token.raw.get("id_token"), plan.params.get("nonce")
        if id_token is None:
            if nonce is None:
                return token
            return Rejected(
                IdTokenError(
                    f"{self.provider}: the answer has no id_token, though a nonce was given "
                    "(ask for OpenID Connect scopes, e.g. openid)",
                    provider=self.provider,
                    reason="missing",
                )
            )
        if nonce is None and not has_jose():
            logger.warning("%s: the answer's ID token is not verified: %s", self.provider, EXTRA)
            return token
        try:
            claims = self._id_rules.verify(id_token, nonce=nonce, now=self._clock.now())
        except IdTokenError as error:
            failure = error
        else:
            return attrs.evolve(token, id_claims=claims)
        # A refresh spent the refresh token it sent: keep the new one for the next
        # renewal (a code exchange keeps nothing: its tokens may be another login's).
        rotated = plan.grant == "refresh_token" and bool(token.refresh_token)
        return Rejected(failure, keep=token if rotated else None)

    def _body(self, plan: Plan) -> TokenRequest:
        grant = TokenRequestGrantType(plan.grant)
        post = self.auth_method == "post"
        return TokenRequest(
            grant_type=grant,
            code=plan.params.get("code", UNSET),
            redirect_uri=self._redirect_uri("exchange_code()")
            if grant is TokenRequestGrantType.AUTHORIZATION_CODE
            else UNSET,
            refresh_token=plan.params.get("refresh_token", UNSET),
            client_id=self.client_id if post else UNSET,
            client_secret=self._client_secret if post else UNSET,
        )

    def _request(self, plan: Plan) -> Call:
        return Call(token_op, self._client, {"body": self._body(plan)})

    def _read(self, plan: Plan, parsed: Any) -> Issued | Refusal | None:
        if isinstance(parsed, TokenResponse):
            return Issued(
                access_token=parsed.access_token,
                token_type=parsed.token_type,
                expires_in=parsed.expires_in,
                scope=parsed.scope,
                # No new refresh token in a refresh answer: the one sent stays valid.
                refresh_token=given(parsed.refresh_token) or plan.params.get("refresh_token"),
            )
        if isinstance(parsed, ErrorResponse):
            return Refusal(parsed.error, given(parsed.error_description))
        return None

    def api_client(self) -> AuthenticatedClient:
        """``provider_tokens.gmo_aozora``'s client with this source's token, for its generated
        operations (``client=``); close the source, not the client."""
        return self._authenticated(AuthenticatedClient, self)

    def _key_material(self) -> tuple[str, ...]:
        return (self.client_id, self._secret_id, self.user_id or "")

    def _header_value(self, token: AccessToken) -> str:
        return token.access_token

    def _identity(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "user_id": self.user_id,
            "auth_method": self.auth_method,
            "environment": self.environment,
        }
