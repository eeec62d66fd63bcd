"""GMO Payment Gateway: client credentials on its own ``oauth`` host.

Quirks: the token host is ``oauth.mul-pay.jp``, not the payment API host; success
is 201; ``expires_in`` is a string; ``token_type`` is lowercase ``bearer``; errors
are RFC 9457 problems whose ``title`` is the error code.
"""

from __future__ import annotations

from typing import Any, Literal, Unpack

from ..._config import CommonOptions
from ..._fetch import Call, Plan
from ..._http import basic_auth
from ..._responses import Issued, Refusal, given
from ..._source import TokenSource
from ...gmo_payment import AuthenticatedClient
from ...gmo_payment.api.token import token as token_op
from ...gmo_payment.models import Problem, TokenRequest, TokenResponse
from ...gmo_payment.models.token_request_grant_type import TokenRequestGrantType
from ...gmo_payment.models.token_request_scope import TokenRequestScope
from .._common import fingerprint, require
from . import PROVIDER

_BODY = TokenRequest(
    grant_type=TokenRequestGrantType.CLIENT_CREDENTIALS, scope=TokenRequestScope.OPENAPI
)


class GmoPayment(TokenSource):
    """Tokens for GMO-PG's OpenAPI type, with the shop ID and shop password."""

    registration = PROVIDER

    def __init__(
        self,
        shop_id: str,
        shop_pass: str,
        *,
        environment: Literal["production", "test"] = "production",
        base_url: str | None = None,
        **common: Unpack[CommonOptions],
    ) -> None:
        require(self.provider, shop_id=shop_id, shop_pass=shop_pass)
        super().__init__(base_url=PROVIDER.server(environment, base_url), **common)
        self.shop_id = shop_id
        self._secret_id = fingerprint(shop_pass)
        self.environment = environment
        # Plain RFC 7617 Basic, as GMO-PG documents it.
        self._client = self._authenticated(
            AuthenticatedClient,
            basic_auth(shop_id, shop_pass),
        )

    def _plan(self) -> Plan:
        return Plan("client_credentials")

    def _request(self, plan: Plan) -> Call:
        return Call(token_op, self._client, {"body": _BODY})

    def _read(self, plan: Plan, parsed: Any) -> Issued | Refusal | None:
        if isinstance(parsed, TokenResponse):
            return Issued(
                access_token=given(parsed.access_token),
                token_type=given(parsed.token_type),
                expires_in=given(parsed.expires_in),
                scope=given(parsed.scope),
            )
        if isinstance(parsed, Problem):
            return Refusal(given(parsed.title), given(parsed.detail))
        return None

    def api_client(self) -> AuthenticatedClient:
        """``provider_tokens.gmo_payment``'s client with this source's token, for its generated
        operations (``client=``); close the source, not the client."""
        return self._authenticated(AuthenticatedClient, self)

    def _key_material(self) -> tuple[str, ...]:
        return (self.shop_id, self._secret_id)

    def _identity(self) -> dict[str, Any]:
        return {"shop_id": self.shop_id, "environment": self.environment}
