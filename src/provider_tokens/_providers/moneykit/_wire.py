"""The MoneyKit source's side of the generated client ``provider_tokens.moneykit``.

Loaded by the first ``MoneyKit(...)``, not with the class: ``from provider_tokens
import MoneyKit`` imports neither the generated client nor its models
(tests/test_import_cost.py). Introspection's and the JWKS's operations load on
their first call.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..._exceptions import InvalidRequestError, TokenEndpointError
from ..._fetch import Call
from ..._responses import Issued, Refusal, given
from ...moneykit import AuthenticatedClient, Client
from ...moneykit.api.access_token import create_access_token
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

__all__ = [
    "AuthenticatedClient",
    "Client",
    "introspect_call",
    "introspected",
    "jwks",
    "jwks_call",
    "read_token",
    "token_body",
    "token_call",
]

_Error = (
    APIErrorAuthResponse
    | APIErrorAuthUnauthorizedResponse
    | APIErrorRateLimitExceededResponse
    | HTTPValidationError
)
# A bad grant_type comes back as 400 with the *unauthorized* code.
_BY_STATUS: Mapping[int, type[TokenEndpointError]] = MappingProxyType({400: InvalidRequestError})


def token_body(scope: str | None) -> CreateAccessTokenRequest:
    return CreateAccessTokenRequest(
        grant_type="client_credentials", scope=scope if scope else UNSET
    )


def token_call(client: AuthenticatedClient, body: CreateAccessTokenRequest) -> Call:
    return Call(create_access_token, client, {"body": body})


def read_token(parsed: Any, scope: str | None) -> Issued | Refusal | None:
    if isinstance(parsed, CreateAccessTokenResponse):
        return Issued(
            access_token=parsed.access_token,
            token_type=parsed.token_type,
            expires_in=parsed.expires_in,
            scope=scope,
        )
    return _refusal(parsed)


def introspect_call(api: AuthenticatedClient) -> Call:
    from ...moneykit.api.access_token import instrospect_client

    return Call(instrospect_client, api)


def jwks_call(public: Client, client_id: str) -> Call:
    from ...moneykit.api.access_token import get_well_known_jwks

    return Call(get_well_known_jwks, public, {"x_client_id": client_id})


def _refusal(parsed: object) -> Refusal | None:
    if isinstance(parsed, _Error):
        return Refusal(given(parsed.error_code), given(parsed.error_message), _BY_STATUS)
    return None


def introspected(parsed: object) -> AppClientResponse | Refusal | None:
    return parsed if isinstance(parsed, AppClientResponse) else _refusal(parsed)


def jwks(parsed: object) -> JWKSet | Refusal | None:
    return parsed if isinstance(parsed, JWKSet) else _refusal(parsed)
