from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_error_auth_unauthorized_response import APIErrorAuthUnauthorizedResponse
from ...models.api_error_rate_limit_exceeded_response import APIErrorRateLimitExceededResponse
from ...models.create_access_token_request import CreateAccessTokenRequest
from ...models.create_access_token_response import CreateAccessTokenResponse
from ...models.http_validation_error import HTTPValidationError
from ...types import Response, Unset


def _get_kwargs(
    *,
    body: CreateAccessTokenRequest,
    money_kit_version: str | Unset = "2023-02-18",
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(money_kit_version, Unset):
        headers["MoneyKit-Version"] = money_kit_version

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/auth/token",
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> (
    APIErrorAuthUnauthorizedResponse
    | APIErrorRateLimitExceededResponse
    | CreateAccessTokenResponse
    | HTTPValidationError
    | None
):
    if response.status_code == 201:
        response_201 = CreateAccessTokenResponse.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = APIErrorAuthUnauthorizedResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = APIErrorAuthUnauthorizedResponse.from_dict(response.json())

        return response_401

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = APIErrorRateLimitExceededResponse.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[
    APIErrorAuthUnauthorizedResponse
    | APIErrorRateLimitExceededResponse
    | CreateAccessTokenResponse
    | HTTPValidationError
]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateAccessTokenRequest,
    money_kit_version: str | Unset = "2023-02-18",
) -> Response[
    APIErrorAuthUnauthorizedResponse
    | APIErrorRateLimitExceededResponse
    | CreateAccessTokenResponse
    | HTTPValidationError
]:
    """Create an access token

     Exchange the client_id and client_secret for a short-lived access token (client-credentials grant).
    The credentials are sent with HTTP Basic (`Authorization: Basic base64(client_id:client_secret)`)
    or,
    alternatively, as the `client_id`/`client_secret` form fields. The vendor operationId before 2024-08
    was `generate_access_token`. Success is 201, not 200.

    Args:
        money_kit_version (str | Unset):  Default: '2023-02-18'.
        body (CreateAccessTokenRequest): Form body of `POST /auth/token`. Every field is optional;
            credentials normally travel in the HTTP Basic header instead of
            `client_id`/`client_secret`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[APIErrorAuthUnauthorizedResponse | APIErrorRateLimitExceededResponse | CreateAccessTokenResponse | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        body=body,
        money_kit_version=money_kit_version,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: CreateAccessTokenRequest,
    money_kit_version: str | Unset = "2023-02-18",
) -> (
    APIErrorAuthUnauthorizedResponse
    | APIErrorRateLimitExceededResponse
    | CreateAccessTokenResponse
    | HTTPValidationError
    | None
):
    """Create an access token

     Exchange the client_id and client_secret for a short-lived access token (client-credentials grant).
    The credentials are sent with HTTP Basic (`Authorization: Basic base64(client_id:client_secret)`)
    or,
    alternatively, as the `client_id`/`client_secret` form fields. The vendor operationId before 2024-08
    was `generate_access_token`. Success is 201, not 200.

    Args:
        money_kit_version (str | Unset):  Default: '2023-02-18'.
        body (CreateAccessTokenRequest): Form body of `POST /auth/token`. Every field is optional;
            credentials normally travel in the HTTP Basic header instead of
            `client_id`/`client_secret`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        APIErrorAuthUnauthorizedResponse | APIErrorRateLimitExceededResponse | CreateAccessTokenResponse | HTTPValidationError
    """

    return sync_detailed(
        client=client,
        body=body,
        money_kit_version=money_kit_version,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateAccessTokenRequest,
    money_kit_version: str | Unset = "2023-02-18",
) -> Response[
    APIErrorAuthUnauthorizedResponse
    | APIErrorRateLimitExceededResponse
    | CreateAccessTokenResponse
    | HTTPValidationError
]:
    """Create an access token

     Exchange the client_id and client_secret for a short-lived access token (client-credentials grant).
    The credentials are sent with HTTP Basic (`Authorization: Basic base64(client_id:client_secret)`)
    or,
    alternatively, as the `client_id`/`client_secret` form fields. The vendor operationId before 2024-08
    was `generate_access_token`. Success is 201, not 200.

    Args:
        money_kit_version (str | Unset):  Default: '2023-02-18'.
        body (CreateAccessTokenRequest): Form body of `POST /auth/token`. Every field is optional;
            credentials normally travel in the HTTP Basic header instead of
            `client_id`/`client_secret`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[APIErrorAuthUnauthorizedResponse | APIErrorRateLimitExceededResponse | CreateAccessTokenResponse | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        body=body,
        money_kit_version=money_kit_version,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: CreateAccessTokenRequest,
    money_kit_version: str | Unset = "2023-02-18",
) -> (
    APIErrorAuthUnauthorizedResponse
    | APIErrorRateLimitExceededResponse
    | CreateAccessTokenResponse
    | HTTPValidationError
    | None
):
    """Create an access token

     Exchange the client_id and client_secret for a short-lived access token (client-credentials grant).
    The credentials are sent with HTTP Basic (`Authorization: Basic base64(client_id:client_secret)`)
    or,
    alternatively, as the `client_id`/`client_secret` form fields. The vendor operationId before 2024-08
    was `generate_access_token`. Success is 201, not 200.

    Args:
        money_kit_version (str | Unset):  Default: '2023-02-18'.
        body (CreateAccessTokenRequest): Form body of `POST /auth/token`. Every field is optional;
            credentials normally travel in the HTTP Basic header instead of
            `client_id`/`client_secret`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        APIErrorAuthUnauthorizedResponse | APIErrorRateLimitExceededResponse | CreateAccessTokenResponse | HTTPValidationError
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            money_kit_version=money_kit_version,
        )
    ).parsed
