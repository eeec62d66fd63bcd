from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.oauth_token_request import OauthTokenRequest
from ...models.oauth_token_response import OauthTokenResponse
from ...types import Response


def _get_kwargs(
    *,
    body: OauthTokenRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/oauth/token",
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | OauthTokenResponse | None:
    if response.status_code == 200:
        response_200 = OauthTokenResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response.json())

        return response_403

    if response.status_code == 405:
        response_405 = ErrorResponse.from_dict(response.json())

        return response_405

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ErrorResponse.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | OauthTokenResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: OauthTokenRequest,
) -> Response[ErrorResponse | OauthTokenResponse]:
    """Get an access token

     Client-credentials grant (RFC 6749 section 4.4). The client authenticates with HTTP Basic,
    `Authorization: Basic base64(APPLICATION_ID:APPLICATION_SECRET)`, e.g.
    `Authorization: Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3`
    [SRC: smscx/smscx-api-python-library@36fe3dab704a74cc3d3b813495a84cda5aa90110
    smscx_client/api/oauth_api.py].
    Success is 200. The token is then used on the resource APIs as `Authorization: Bearer
    <access_token>`.

    Assumed: the operationId. The SDKs use `getAccessToken` (PHP) and `get_access_token` (Python); the
    vendor's own ID is probably `GetAccessToken` (unverified).

    Args:
        body (OauthTokenRequest): Form body of `POST /oauth/token`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | OauthTokenResponse]
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
    body: OauthTokenRequest,
) -> ErrorResponse | OauthTokenResponse | None:
    """Get an access token

     Client-credentials grant (RFC 6749 section 4.4). The client authenticates with HTTP Basic,
    `Authorization: Basic base64(APPLICATION_ID:APPLICATION_SECRET)`, e.g.
    `Authorization: Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3`
    [SRC: smscx/smscx-api-python-library@36fe3dab704a74cc3d3b813495a84cda5aa90110
    smscx_client/api/oauth_api.py].
    Success is 200. The token is then used on the resource APIs as `Authorization: Bearer
    <access_token>`.

    Assumed: the operationId. The SDKs use `getAccessToken` (PHP) and `get_access_token` (Python); the
    vendor's own ID is probably `GetAccessToken` (unverified).

    Args:
        body (OauthTokenRequest): Form body of `POST /oauth/token`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | OauthTokenResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: OauthTokenRequest,
) -> Response[ErrorResponse | OauthTokenResponse]:
    """Get an access token

     Client-credentials grant (RFC 6749 section 4.4). The client authenticates with HTTP Basic,
    `Authorization: Basic base64(APPLICATION_ID:APPLICATION_SECRET)`, e.g.
    `Authorization: Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3`
    [SRC: smscx/smscx-api-python-library@36fe3dab704a74cc3d3b813495a84cda5aa90110
    smscx_client/api/oauth_api.py].
    Success is 200. The token is then used on the resource APIs as `Authorization: Bearer
    <access_token>`.

    Assumed: the operationId. The SDKs use `getAccessToken` (PHP) and `get_access_token` (Python); the
    vendor's own ID is probably `GetAccessToken` (unverified).

    Args:
        body (OauthTokenRequest): Form body of `POST /oauth/token`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | OauthTokenResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: OauthTokenRequest,
) -> ErrorResponse | OauthTokenResponse | None:
    """Get an access token

     Client-credentials grant (RFC 6749 section 4.4). The client authenticates with HTTP Basic,
    `Authorization: Basic base64(APPLICATION_ID:APPLICATION_SECRET)`, e.g.
    `Authorization: Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3`
    [SRC: smscx/smscx-api-python-library@36fe3dab704a74cc3d3b813495a84cda5aa90110
    smscx_client/api/oauth_api.py].
    Success is 200. The token is then used on the resource APIs as `Authorization: Bearer
    <access_token>`.

    Assumed: the operationId. The SDKs use `getAccessToken` (PHP) and `get_access_token` (Python); the
    vendor's own ID is probably `GetAccessToken` (unverified).

    Args:
        body (OauthTokenRequest): Form body of `POST /oauth/token`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | OauthTokenResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
