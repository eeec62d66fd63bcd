from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
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
) -> Problem | TokenResponse | None:
    if response.status_code == 201:
        response_201 = TokenResponse.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 405:
        response_405 = Problem.from_dict(response.json())

        return response_405

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | TokenResponse]:
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
) -> Response[Problem | TokenResponse]:
    """アクセストークン発行 (issue access token)

     Issues an access token for the access-token authentication method of the OpenAPI type
    (vendor: "アクセストークン方式の認証に利用するアクセストークンを発行するために呼び出すAPIです").

    - Base URL: `https://oauth.mul-pay.jp` (production) or `https://stg.oauth.mul-pay.jp` (test),
      not `openapi.mul-pay.jp`.
    - Client authentication: HTTP Basic with the shop ID (ショップID) as username and the shop
      password (ショップパスワード) as password, i.e. `Authorization: Basic base64(shopId:shopPass)`
      (RFC 7617). This is the only header the vendor declares on `/token`.
    - `Content-Type` must be `application/x-www-form-urlencoded` (all other GMO-PG APIs use
      `application/json`). Accept: `application/json, application/problem+json`.
    - `Idempotency-Key` and `X-MP-Version` are not declared on `/token`; they belong to the
      payment APIs and are presumably ignored here.
    - Success is 201 Created, not 200. `expires_in` is a string (e.g. `"3600"`) and `token_type`
      is lowercase `bearer`; both depart from RFC 6749.

    Args:
        body (TokenRequest): アクセストークン発行(/token)のリクエストパラメーター (form parameters of the token
            request).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TokenResponse]
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
) -> Problem | TokenResponse | None:
    """アクセストークン発行 (issue access token)

     Issues an access token for the access-token authentication method of the OpenAPI type
    (vendor: "アクセストークン方式の認証に利用するアクセストークンを発行するために呼び出すAPIです").

    - Base URL: `https://oauth.mul-pay.jp` (production) or `https://stg.oauth.mul-pay.jp` (test),
      not `openapi.mul-pay.jp`.
    - Client authentication: HTTP Basic with the shop ID (ショップID) as username and the shop
      password (ショップパスワード) as password, i.e. `Authorization: Basic base64(shopId:shopPass)`
      (RFC 7617). This is the only header the vendor declares on `/token`.
    - `Content-Type` must be `application/x-www-form-urlencoded` (all other GMO-PG APIs use
      `application/json`). Accept: `application/json, application/problem+json`.
    - `Idempotency-Key` and `X-MP-Version` are not declared on `/token`; they belong to the
      payment APIs and are presumably ignored here.
    - Success is 201 Created, not 200. `expires_in` is a string (e.g. `"3600"`) and `token_type`
      is lowercase `bearer`; both depart from RFC 6749.

    Args:
        body (TokenRequest): アクセストークン発行(/token)のリクエストパラメーター (form parameters of the token
            request).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TokenResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: TokenRequest,
) -> Response[Problem | TokenResponse]:
    """アクセストークン発行 (issue access token)

     Issues an access token for the access-token authentication method of the OpenAPI type
    (vendor: "アクセストークン方式の認証に利用するアクセストークンを発行するために呼び出すAPIです").

    - Base URL: `https://oauth.mul-pay.jp` (production) or `https://stg.oauth.mul-pay.jp` (test),
      not `openapi.mul-pay.jp`.
    - Client authentication: HTTP Basic with the shop ID (ショップID) as username and the shop
      password (ショップパスワード) as password, i.e. `Authorization: Basic base64(shopId:shopPass)`
      (RFC 7617). This is the only header the vendor declares on `/token`.
    - `Content-Type` must be `application/x-www-form-urlencoded` (all other GMO-PG APIs use
      `application/json`). Accept: `application/json, application/problem+json`.
    - `Idempotency-Key` and `X-MP-Version` are not declared on `/token`; they belong to the
      payment APIs and are presumably ignored here.
    - Success is 201 Created, not 200. `expires_in` is a string (e.g. `"3600"`) and `token_type`
      is lowercase `bearer`; both depart from RFC 6749.

    Args:
        body (TokenRequest): アクセストークン発行(/token)のリクエストパラメーター (form parameters of the token
            request).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TokenResponse]
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
) -> Problem | TokenResponse | None:
    """アクセストークン発行 (issue access token)

     Issues an access token for the access-token authentication method of the OpenAPI type
    (vendor: "アクセストークン方式の認証に利用するアクセストークンを発行するために呼び出すAPIです").

    - Base URL: `https://oauth.mul-pay.jp` (production) or `https://stg.oauth.mul-pay.jp` (test),
      not `openapi.mul-pay.jp`.
    - Client authentication: HTTP Basic with the shop ID (ショップID) as username and the shop
      password (ショップパスワード) as password, i.e. `Authorization: Basic base64(shopId:shopPass)`
      (RFC 7617). This is the only header the vendor declares on `/token`.
    - `Content-Type` must be `application/x-www-form-urlencoded` (all other GMO-PG APIs use
      `application/json`). Accept: `application/json, application/problem+json`.
    - `Idempotency-Key` and `X-MP-Version` are not declared on `/token`; they belong to the
      payment APIs and are presumably ignored here.
    - Success is 201 Created, not 200. `expires_in` is a string (e.g. `"3600"`) and `token_type`
      is lowercase `bearer`; both depart from RFC 6749.

    Args:
        body (TokenRequest): アクセストークン発行(/token)のリクエストパラメーター (form parameters of the token
            request).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TokenResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
