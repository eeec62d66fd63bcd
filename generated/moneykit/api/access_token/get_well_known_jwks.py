from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.jwk_set import JWKSet
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    money_kit_version: str | Unset = "2023-02-18",
    x_client_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(money_kit_version, Unset):
        headers["MoneyKit-Version"] = money_kit_version

    if not isinstance(x_client_id, Unset):
        headers["X-Client-Id"] = x_client_id

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/.well-known/jwks.json",
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> JWKSet | None:
    if response.status_code == 200:
        response_200 = JWKSet.from_dict(response.json())

        return response_200

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[JWKSet]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    money_kit_version: str | Unset = "2023-02-18",
    x_client_id: str | Unset = UNSET,
) -> Response[JWKSet]:
    """Get JSON Web Key Set

     The JSON Web Key Set used to verify MoneyKit-issued tokens (webhook JWTs). No security since 2024-10
    (versions from 2023-12 to 2024-08 required OAuth2ClientCredentials). The vendor also declares a
    deprecated `Authorization` header parameter (an access token, superseded by `X-Client-Id`); it is
    not
    declared here because OpenAPI ignores header parameters named `Authorization`.
    The vendor operationId was `get_app_jwks` for a short time in 2024-08.

    Args:
        money_kit_version (str | Unset):  Default: '2023-02-18'.
        x_client_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[JWKSet]
    """

    kwargs = _get_kwargs(
        money_kit_version=money_kit_version,
        x_client_id=x_client_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    money_kit_version: str | Unset = "2023-02-18",
    x_client_id: str | Unset = UNSET,
) -> JWKSet | None:
    """Get JSON Web Key Set

     The JSON Web Key Set used to verify MoneyKit-issued tokens (webhook JWTs). No security since 2024-10
    (versions from 2023-12 to 2024-08 required OAuth2ClientCredentials). The vendor also declares a
    deprecated `Authorization` header parameter (an access token, superseded by `X-Client-Id`); it is
    not
    declared here because OpenAPI ignores header parameters named `Authorization`.
    The vendor operationId was `get_app_jwks` for a short time in 2024-08.

    Args:
        money_kit_version (str | Unset):  Default: '2023-02-18'.
        x_client_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        JWKSet
    """

    return sync_detailed(
        client=client,
        money_kit_version=money_kit_version,
        x_client_id=x_client_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    money_kit_version: str | Unset = "2023-02-18",
    x_client_id: str | Unset = UNSET,
) -> Response[JWKSet]:
    """Get JSON Web Key Set

     The JSON Web Key Set used to verify MoneyKit-issued tokens (webhook JWTs). No security since 2024-10
    (versions from 2023-12 to 2024-08 required OAuth2ClientCredentials). The vendor also declares a
    deprecated `Authorization` header parameter (an access token, superseded by `X-Client-Id`); it is
    not
    declared here because OpenAPI ignores header parameters named `Authorization`.
    The vendor operationId was `get_app_jwks` for a short time in 2024-08.

    Args:
        money_kit_version (str | Unset):  Default: '2023-02-18'.
        x_client_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[JWKSet]
    """

    kwargs = _get_kwargs(
        money_kit_version=money_kit_version,
        x_client_id=x_client_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    money_kit_version: str | Unset = "2023-02-18",
    x_client_id: str | Unset = UNSET,
) -> JWKSet | None:
    """Get JSON Web Key Set

     The JSON Web Key Set used to verify MoneyKit-issued tokens (webhook JWTs). No security since 2024-10
    (versions from 2023-12 to 2024-08 required OAuth2ClientCredentials). The vendor also declares a
    deprecated `Authorization` header parameter (an access token, superseded by `X-Client-Id`); it is
    not
    declared here because OpenAPI ignores header parameters named `Authorization`.
    The vendor operationId was `get_app_jwks` for a short time in 2024-08.

    Args:
        money_kit_version (str | Unset):  Default: '2023-02-18'.
        x_client_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        JWKSet
    """

    return (
        await asyncio_detailed(
            client=client,
            money_kit_version=money_kit_version,
            x_client_id=x_client_id,
        )
    ).parsed
