from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.token_request import TokenRequest
from ...models.token_response import TokenResponse
from ...types import Response


def _get_kwargs(
    *,
    body: TokenRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/token",
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | TokenResponse | None:
    if response.status_code == 200:
        response_200 = TokenResponse.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = TokenResponse.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 500:
        response_500 = ErrorResponse.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | TokenResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: TokenRequest,
) -> Response[ErrorResponse | TokenResponse]:
    """Token endpoint (code exchange and refresh)

     Exchanges an authorization code (`grant_type=authorization_code`) or a refresh token
    (`grant_type=refresh_token`) for tokens. swagger operationId: `tokenUsingPOST`.

    Request `Content-Type` is `application/x-www-form-urlencoded` (every official implementation
    sends a form; Java documents the header as "application/x-www-form-urlencodedに固定").
    Accept: `application/json;charset=UTF-8`.

    Client authentication is fixed per client at registration:
    - `client_secret_basic`: `Authorization: Basic base64(client_id:client_secret)` (security
      scheme `BasicAuth`).
    - `client_secret_post`: `client_id` and `client_secret` in the form body; no credentials
      header. OpenAPI has no security-scheme type for body credentials, so this alternative
      appears as the empty requirement `{}` in `security`.
    The official Node and Go refresh functions send both the Basic header and the body
    credentials.

    Refresh: whether the refresh token rotates is unknown; treat it as rotating (never retry a
    refresh grant after an ambiguous failure; store any new `refresh_token`).

    Args:
        body (TokenRequest): Form parameters of `POST /token`. One schema covers both grants: only
            `grant_type` is
            required and the conditional fields are optional, with their conditions below. (The vendor
            swagger marks `code` required for both grants; that is a model bug.)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | TokenResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: TokenRequest,
) -> ErrorResponse | TokenResponse | None:
    """Token endpoint (code exchange and refresh)

     Exchanges an authorization code (`grant_type=authorization_code`) or a refresh token
    (`grant_type=refresh_token`) for tokens. swagger operationId: `tokenUsingPOST`.

    Request `Content-Type` is `application/x-www-form-urlencoded` (every official implementation
    sends a form; Java documents the header as "application/x-www-form-urlencodedに固定").
    Accept: `application/json;charset=UTF-8`.

    Client authentication is fixed per client at registration:
    - `client_secret_basic`: `Authorization: Basic base64(client_id:client_secret)` (security
      scheme `BasicAuth`).
    - `client_secret_post`: `client_id` and `client_secret` in the form body; no credentials
      header. OpenAPI has no security-scheme type for body credentials, so this alternative
      appears as the empty requirement `{}` in `security`.
    The official Node and Go refresh functions send both the Basic header and the body
    credentials.

    Refresh: whether the refresh token rotates is unknown; treat it as rotating (never retry a
    refresh grant after an ambiguous failure; store any new `refresh_token`).

    Args:
        body (TokenRequest): Form parameters of `POST /token`. One schema covers both grants: only
            `grant_type` is
            required and the conditional fields are optional, with their conditions below. (The vendor
            swagger marks `code` required for both grants; that is a model bug.)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | TokenResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: TokenRequest,
) -> Response[ErrorResponse | TokenResponse]:
    """Token endpoint (code exchange and refresh)

     Exchanges an authorization code (`grant_type=authorization_code`) or a refresh token
    (`grant_type=refresh_token`) for tokens. swagger operationId: `tokenUsingPOST`.

    Request `Content-Type` is `application/x-www-form-urlencoded` (every official implementation
    sends a form; Java documents the header as "application/x-www-form-urlencodedに固定").
    Accept: `application/json;charset=UTF-8`.

    Client authentication is fixed per client at registration:
    - `client_secret_basic`: `Authorization: Basic base64(client_id:client_secret)` (security
      scheme `BasicAuth`).
    - `client_secret_post`: `client_id` and `client_secret` in the form body; no credentials
      header. OpenAPI has no security-scheme type for body credentials, so this alternative
      appears as the empty requirement `{}` in `security`.
    The official Node and Go refresh functions send both the Basic header and the body
    credentials.

    Refresh: whether the refresh token rotates is unknown; treat it as rotating (never retry a
    refresh grant after an ambiguous failure; store any new `refresh_token`).

    Args:
        body (TokenRequest): Form parameters of `POST /token`. One schema covers both grants: only
            `grant_type` is
            required and the conditional fields are optional, with their conditions below. (The vendor
            swagger marks `code` required for both grants; that is a model bug.)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | TokenResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: TokenRequest,
) -> ErrorResponse | TokenResponse | None:
    """Token endpoint (code exchange and refresh)

     Exchanges an authorization code (`grant_type=authorization_code`) or a refresh token
    (`grant_type=refresh_token`) for tokens. swagger operationId: `tokenUsingPOST`.

    Request `Content-Type` is `application/x-www-form-urlencoded` (every official implementation
    sends a form; Java documents the header as "application/x-www-form-urlencodedに固定").
    Accept: `application/json;charset=UTF-8`.

    Client authentication is fixed per client at registration:
    - `client_secret_basic`: `Authorization: Basic base64(client_id:client_secret)` (security
      scheme `BasicAuth`).
    - `client_secret_post`: `client_id` and `client_secret` in the form body; no credentials
      header. OpenAPI has no security-scheme type for body credentials, so this alternative
      appears as the empty requirement `{}` in `security`.
    The official Node and Go refresh functions send both the Basic header and the body
    credentials.

    Refresh: whether the refresh token rotates is unknown; treat it as rotating (never retry a
    refresh grant after an ambiguous failure; store any new `refresh_token`).

    Args:
        body (TokenRequest): Form parameters of `POST /token`. One schema covers both grants: only
            `grant_type` is
            required and the conditional fields are optional, with their conditions below. (The vendor
            swagger marks `code` required for both grants; that is a model bug.)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | TokenResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
