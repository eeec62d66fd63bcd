from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.authorization_response_type import AuthorizationResponseType
from ...models.error_response import ErrorResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    client_id: str,
    redirect_uri: str,
    response_type: AuthorizationResponseType,
    scope: str,
    state: str,
    nonce: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["client_id"] = client_id

    params["redirect_uri"] = redirect_uri

    json_response_type = response_type.value
    params["response_type"] = json_response_type

    params["scope"] = scope

    params["state"] = state

    params["nonce"] = nonce

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/authorization",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | ErrorResponse | None:
    if response.status_code == 302:
        response_302 = cast(Any, None)
        return response_302

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | ErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    client_id: str,
    redirect_uri: str,
    response_type: AuthorizationResponseType,
    scope: str,
    state: str,
    nonce: str | Unset = UNSET,
) -> Response[Any | ErrorResponse]:
    """Authorization endpoint (browser redirect)

     Front-channel OAuth 2.0 / OpenID Connect authorization endpoint. The client does not call it
    over HTTP: it builds this URL (GET with a query string) and redirects the user's browser to
    it. Declared for documentation; the wrapper builds the URL itself. The official SDKs only
    build the URL (Java/Ruby `authorization` / `authorizationGetUrl`); the Python doc's
    "POST /authorization" is wrong, every implementation builds a GET query string.
    There is no client authentication. The "Content-Type/Accept: application/json;charset=UTF-8"
    in the generated docs is a generator artifact.

    Result: a 302 redirect to `redirect_uri`. On success the redirect carries `code` (1-128) and
    `state` (1-128) as query parameters (vendor model `AuthorizationResponse`); the SDK docs say
    "Return type: null (empty response body)". On error it carries `error`, `error_description`,
    `error_uri` and `state` (see `ErrorResponse`) as query parameters; that is an assumption
    per RFC 6749 §4.1.2.1.

    Args:
        client_id (str):
        redirect_uri (str):
        response_type (AuthorizationResponseType):
        scope (str):
        state (str):
        nonce (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorResponse]
    """

    kwargs = _get_kwargs(
        client_id=client_id,
        redirect_uri=redirect_uri,
        response_type=response_type,
        scope=scope,
        state=state,
        nonce=nonce,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    client_id: str,
    redirect_uri: str,
    response_type: AuthorizationResponseType,
    scope: str,
    state: str,
    nonce: str | Unset = UNSET,
) -> Any | ErrorResponse | None:
    """Authorization endpoint (browser redirect)

     Front-channel OAuth 2.0 / OpenID Connect authorization endpoint. The client does not call it
    over HTTP: it builds this URL (GET with a query string) and redirects the user's browser to
    it. Declared for documentation; the wrapper builds the URL itself. The official SDKs only
    build the URL (Java/Ruby `authorization` / `authorizationGetUrl`); the Python doc's
    "POST /authorization" is wrong, every implementation builds a GET query string.
    There is no client authentication. The "Content-Type/Accept: application/json;charset=UTF-8"
    in the generated docs is a generator artifact.

    Result: a 302 redirect to `redirect_uri`. On success the redirect carries `code` (1-128) and
    `state` (1-128) as query parameters (vendor model `AuthorizationResponse`); the SDK docs say
    "Return type: null (empty response body)". On error it carries `error`, `error_description`,
    `error_uri` and `state` (see `ErrorResponse`) as query parameters; that is an assumption
    per RFC 6749 §4.1.2.1.

    Args:
        client_id (str):
        redirect_uri (str):
        response_type (AuthorizationResponseType):
        scope (str):
        state (str):
        nonce (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorResponse
    """

    return sync_detailed(
        client=client,
        client_id=client_id,
        redirect_uri=redirect_uri,
        response_type=response_type,
        scope=scope,
        state=state,
        nonce=nonce,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    client_id: str,
    redirect_uri: str,
    response_type: AuthorizationResponseType,
    scope: str,
    state: str,
    nonce: str | Unset = UNSET,
) -> Response[Any | ErrorResponse]:
    """Authorization endpoint (browser redirect)

     Front-channel OAuth 2.0 / OpenID Connect authorization endpoint. The client does not call it
    over HTTP: it builds this URL (GET with a query string) and redirects the user's browser to
    it. Declared for documentation; the wrapper builds the URL itself. The official SDKs only
    build the URL (Java/Ruby `authorization` / `authorizationGetUrl`); the Python doc's
    "POST /authorization" is wrong, every implementation builds a GET query string.
    There is no client authentication. The "Content-Type/Accept: application/json;charset=UTF-8"
    in the generated docs is a generator artifact.

    Result: a 302 redirect to `redirect_uri`. On success the redirect carries `code` (1-128) and
    `state` (1-128) as query parameters (vendor model `AuthorizationResponse`); the SDK docs say
    "Return type: null (empty response body)". On error it carries `error`, `error_description`,
    `error_uri` and `state` (see `ErrorResponse`) as query parameters; that is an assumption
    per RFC 6749 §4.1.2.1.

    Args:
        client_id (str):
        redirect_uri (str):
        response_type (AuthorizationResponseType):
        scope (str):
        state (str):
        nonce (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorResponse]
    """

    kwargs = _get_kwargs(
        client_id=client_id,
        redirect_uri=redirect_uri,
        response_type=response_type,
        scope=scope,
        state=state,
        nonce=nonce,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    client_id: str,
    redirect_uri: str,
    response_type: AuthorizationResponseType,
    scope: str,
    state: str,
    nonce: str | Unset = UNSET,
) -> Any | ErrorResponse | None:
    """Authorization endpoint (browser redirect)

     Front-channel OAuth 2.0 / OpenID Connect authorization endpoint. The client does not call it
    over HTTP: it builds this URL (GET with a query string) and redirects the user's browser to
    it. Declared for documentation; the wrapper builds the URL itself. The official SDKs only
    build the URL (Java/Ruby `authorization` / `authorizationGetUrl`); the Python doc's
    "POST /authorization" is wrong, every implementation builds a GET query string.
    There is no client authentication. The "Content-Type/Accept: application/json;charset=UTF-8"
    in the generated docs is a generator artifact.

    Result: a 302 redirect to `redirect_uri`. On success the redirect carries `code` (1-128) and
    `state` (1-128) as query parameters (vendor model `AuthorizationResponse`); the SDK docs say
    "Return type: null (empty response body)". On error it carries `error`, `error_description`,
    `error_uri` and `state` (see `ErrorResponse`) as query parameters; that is an assumption
    per RFC 6749 §4.1.2.1.

    Args:
        client_id (str):
        redirect_uri (str):
        response_type (AuthorizationResponseType):
        scope (str):
        state (str):
        nonce (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            client_id=client_id,
            redirect_uri=redirect_uri,
            response_type=response_type,
            scope=scope,
            state=state,
            nonce=nonce,
        )
    ).parsed
