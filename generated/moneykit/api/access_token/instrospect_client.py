from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_error_auth_response import APIErrorAuthResponse
from ...models.app_client_response import AppClientResponse
from ...types import Response, Unset


def _get_kwargs(
    *,
    money_kit_version: str | Unset = "2023-02-18",
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(money_kit_version, Unset):
        headers["MoneyKit-Version"] = money_kit_version

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/auth/introspect",
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> APIErrorAuthResponse | AppClientResponse | None:
    if response.status_code == 200:
        response_200 = AppClientResponse.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = APIErrorAuthResponse.from_dict(response.json())

        return response_401

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[APIErrorAuthResponse | AppClientResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    money_kit_version: str | Unset = "2023-02-18",
) -> Response[APIErrorAuthResponse | AppClientResponse]:
    """Introspect client

     Return information about the client that owns the access token. The operationId keeps the
    vendor's misspelling (`instrospect_client`). Authenticated with `Authorization: Bearer
    <access_token>`.

    Args:
        money_kit_version (str | Unset):  Default: '2023-02-18'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[APIErrorAuthResponse | AppClientResponse]
    """

    kwargs = _get_kwargs(
        money_kit_version=money_kit_version,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    money_kit_version: str | Unset = "2023-02-18",
) -> APIErrorAuthResponse | AppClientResponse | None:
    """Introspect client

     Return information about the client that owns the access token. The operationId keeps the
    vendor's misspelling (`instrospect_client`). Authenticated with `Authorization: Bearer
    <access_token>`.

    Args:
        money_kit_version (str | Unset):  Default: '2023-02-18'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        APIErrorAuthResponse | AppClientResponse
    """

    return sync_detailed(
        client=client,
        money_kit_version=money_kit_version,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    money_kit_version: str | Unset = "2023-02-18",
) -> Response[APIErrorAuthResponse | AppClientResponse]:
    """Introspect client

     Return information about the client that owns the access token. The operationId keeps the
    vendor's misspelling (`instrospect_client`). Authenticated with `Authorization: Bearer
    <access_token>`.

    Args:
        money_kit_version (str | Unset):  Default: '2023-02-18'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[APIErrorAuthResponse | AppClientResponse]
    """

    kwargs = _get_kwargs(
        money_kit_version=money_kit_version,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    money_kit_version: str | Unset = "2023-02-18",
) -> APIErrorAuthResponse | AppClientResponse | None:
    """Introspect client

     Return information about the client that owns the access token. The operationId keeps the
    vendor's misspelling (`instrospect_client`). Authenticated with `Authorization: Bearer
    <access_token>`.

    Args:
        money_kit_version (str | Unset):  Default: '2023-02-18'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        APIErrorAuthResponse | AppClientResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            money_kit_version=money_kit_version,
        )
    ).parsed
