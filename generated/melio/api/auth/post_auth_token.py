from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.post_auth_response import PostAuthResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    idempotency_key: str,
    melio_account: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Idempotency-Key"] = idempotency_key

    if not isinstance(melio_account, Unset):
        headers["Melio-Account"] = melio_account

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/auth/token",
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | PostAuthResponse | None:
    if response.status_code == 200:
        response_200 = PostAuthResponse.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = PostAuthResponse.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ErrorResponse.from_dict(response.json())

        return response_409

    if response.status_code == 500:
        response_500 = ErrorResponse.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | PostAuthResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    idempotency_key: str,
    melio_account: str | Unset = UNSET,
) -> Response[ErrorResponse | PostAuthResponse]:
    """Create an access token

     Create an access token that is scoped to a specific Account, and that can be used for client-side
    API
    calls without exposing the Partner's secret API key. Authenticated only with the `API-Key` header
    (the
    raw Partner secret). There is no request body. The token is used as `Authorization: Bearer <token>`.
    The operationId is derived from the Ruby method `post_auth_token`.

    Args:
        idempotency_key (str):
        melio_account (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | PostAuthResponse]
    """

    kwargs = _get_kwargs(
        idempotency_key=idempotency_key,
        melio_account=melio_account,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    idempotency_key: str,
    melio_account: str | Unset = UNSET,
) -> ErrorResponse | PostAuthResponse | None:
    """Create an access token

     Create an access token that is scoped to a specific Account, and that can be used for client-side
    API
    calls without exposing the Partner's secret API key. Authenticated only with the `API-Key` header
    (the
    raw Partner secret). There is no request body. The token is used as `Authorization: Bearer <token>`.
    The operationId is derived from the Ruby method `post_auth_token`.

    Args:
        idempotency_key (str):
        melio_account (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | PostAuthResponse
    """

    return sync_detailed(
        client=client,
        idempotency_key=idempotency_key,
        melio_account=melio_account,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    idempotency_key: str,
    melio_account: str | Unset = UNSET,
) -> Response[ErrorResponse | PostAuthResponse]:
    """Create an access token

     Create an access token that is scoped to a specific Account, and that can be used for client-side
    API
    calls without exposing the Partner's secret API key. Authenticated only with the `API-Key` header
    (the
    raw Partner secret). There is no request body. The token is used as `Authorization: Bearer <token>`.
    The operationId is derived from the Ruby method `post_auth_token`.

    Args:
        idempotency_key (str):
        melio_account (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | PostAuthResponse]
    """

    kwargs = _get_kwargs(
        idempotency_key=idempotency_key,
        melio_account=melio_account,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    idempotency_key: str,
    melio_account: str | Unset = UNSET,
) -> ErrorResponse | PostAuthResponse | None:
    """Create an access token

     Create an access token that is scoped to a specific Account, and that can be used for client-side
    API
    calls without exposing the Partner's secret API key. Authenticated only with the `API-Key` header
    (the
    raw Partner secret). There is no request body. The token is used as `Authorization: Bearer <token>`.
    The operationId is derived from the Ruby method `post_auth_token`.

    Args:
        idempotency_key (str):
        melio_account (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | PostAuthResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            idempotency_key=idempotency_key,
            melio_account=melio_account,
        )
    ).parsed
