"""Contract: every token source's requests satisfy its spec, as Stoplight Prism reads it.

``prism mock specs/<provider>.yaml --errors`` validates each request against the
spec (security, headers, content type, body) and answers a violation with an
error status instead of an example, so a source whose request does not match its
spec raises instead of returning a token. Every answer is also checked for an
``sl-violations`` header, which Prism adds for violations of any severity. A valid
request gets the spec's own success example, which the source must parse.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx
import pytest

from provider_tokens import (
    GmoAozora,
    GmoPayment,
    InvalidClientError,
    InvalidRequestError,
    Melio,
    MoneyKit,
    Smscx,
    TokenEndpointError,
    TokenSource,
)
from provider_tokens.testing import CREDENTIALS, PROVIDERS, ManualClock

from contract_support import PrismMock, prism_executable, prism_mocks, success_example


@pytest.fixture(scope="module")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mapping[str, PrismMock]]:
    """One Prism mock per provider for the whole module, started in parallel."""
    executable = prism_executable()
    with prism_mocks(executable, tmp_path_factory.mktemp("prism")) as mocks:
        yield mocks


class Wire:
    """httpx clients for the sources under test; they record every answer Prism gives.

    ``on_request`` may alter each request on its way out (after the source's own
    credentials are on it). ``async with Wire() as wire`` closes the clients.
    """

    def __init__(self, on_request: Callable[[httpx.Request], None] | None = None) -> None:
        self.responses: list[httpx.Response] = []
        self._on_request = on_request
        self._client = httpx.Client(
            event_hooks={"request": [self._request], "response": [self._response]}
        )
        self._async_client = httpx.AsyncClient(
            event_hooks={"request": [self._arequest], "response": [self._aresponse]}
        )

    async def __aenter__(self) -> Wire:
        return self

    async def __aexit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        self._client.close()
        await self._async_client.aclose()
        if exc is not None:  # say what Prism found wrong with the requests, if anything
            for note in self.violations():
                exc.add_note(note)

    def violations(self) -> list[str]:
        return [
            f"Prism, on {r.request.method} {r.request.url.path} -> {r.status_code}: "
            + "; ".join(v["message"] for v in json.loads(r.headers["sl-violations"]))
            for r in self.responses
            if "sl-violations" in r.headers
        ]

    def _request(self, request: httpx.Request) -> None:
        if self._on_request is not None:
            self._on_request(request)

    async def _arequest(self, request: httpx.Request) -> None:
        self._request(request)

    def _response(self, response: httpx.Response) -> None:
        self.responses.append(response)

    async def _aresponse(self, response: httpx.Response) -> None:
        self._response(response)

    def clients(self) -> dict[str, Any]:
        return {"http_client": self._client, "async_http_client": self._async_client}

    def exchanges(self) -> list[tuple[str, str]]:
        return [(r.request.method, r.request.url.path) for r in self.responses]

    def assert_no_violations(self) -> None:
        assert self.responses, "no request reached Prism"
        assert self.violations() == []


# Each provider's token operation.
TOKEN_PATH = {
    "gmo_payment": "/token",
    "gmo_aozora": "/token",
    "moneykit": "/auth/token",
    "smscx": "/oauth/token",
    "melio": "/auth/token",
}


def melio_expiry() -> dt.datetime:
    """The ``expiresAt`` of Melio's success example (2022-02-01T12:00:00.000Z)."""
    value = success_example("melio", TOKEN_PATH["melio"])["data"]["expiresAt"]
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


# Constructor keywords that are not credentials, left as the fake has them.
_SETTINGS = {"redirect_uri", "auth_method", "account_id"}


def make_source(provider: str, base_url: str, wire: Wire, **extra: Any) -> TokenSource:
    """The provider's real token source, pointed at Prism.

    Prism takes any credential values; each source gets its own (a unique suffix),
    so that no token is shared between sources and every source asks Prism itself.
    """
    unique = uuid.uuid4().hex[:12]
    kwargs: dict[str, Any] = {
        key: value if key in _SETTINGS else f"{value}-{unique}"
        for key, value in CREDENTIALS[provider].items()
    }
    kwargs.update(wire.clients(), base_url=base_url, max_retries=0, **extra)
    if provider == "melio":
        # The example's absolute expiry lies in 2022: run the source an hour before it.
        # Nothing here waits on time (no retries), so a clock standing still will do.
        kwargs.setdefault("clock", ManualClock(melio_expiry() - dt.timedelta(hours=1)))
    if provider == "gmo_aozora":
        kwargs.setdefault("refresh_token", f"refresh-token-from-an-earlier-consent-{unique}")
    factories: dict[str, Callable[..., TokenSource]] = {
        "gmo_payment": GmoPayment,
        "gmo_aozora": GmoAozora,
        "moneykit": MoneyKit,
        "smscx": Smscx,
        "melio": Melio,
    }
    return factories[provider](**kwargs)


def example_token(provider: str) -> str:
    example = success_example(provider, TOKEN_PATH[provider])
    token = example["data"]["accessToken"] if provider == "melio" else example["access_token"]
    assert isinstance(token, str)
    return token


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_token_matches_the_spec(prism: Mapping[str, PrismMock], provider: str) -> None:
    """``token()`` then ``atoken()`` (a second source): one valid request each."""
    async with Wire() as wire:
        with make_source(provider, prism[provider].base_url, wire) as source:
            assert source.token().access_token == example_token(provider)
        async with make_source(provider, prism[provider].base_url, wire) as source:
            assert (await source.atoken()).access_token == example_token(provider)
    assert wire.exchanges() == [("POST", TOKEN_PATH[provider])] * 2
    wire.assert_no_violations()


@pytest.mark.parametrize("auth_method", ["basic", "post"])
async def test_gmo_aozora_both_grants(prism: Mapping[str, PrismMock], auth_method: str) -> None:
    """Code exchange and refresh, with Basic or with the credentials in the form."""
    expected = example_token("gmo_aozora")
    url = prism["gmo_aozora"].base_url
    async with Wire() as wire:
        with make_source("gmo_aozora", url, wire, auth_method=auth_method) as source:
            assert isinstance(source, GmoAozora)
            assert source.exchange_code("code-from-the-callback").access_token == expected
            source.invalidate()
            assert source.token().access_token == expected  # the refresh grant
        async with make_source("gmo_aozora", url, wire, auth_method=auth_method) as source:
            assert isinstance(source, GmoAozora)
            token = await source.aexchange_code("code-from-the-callback")
            assert token.access_token == expected
            source.invalidate()
            assert (await source.atoken()).access_token == expected
    wire.assert_no_violations()
    forms = [dict(httpx.QueryParams(r.request.content.decode())) for r in wire.responses]
    assert [form["grant_type"] for form in forms] == ["authorization_code", "refresh_token"] * 2
    in_form = auth_method == "post"
    assert all(("client_secret" in form) is in_form for form in forms)
    assert all(("authorization" in r.request.headers) is not in_form for r in wire.responses)


async def test_moneykit_introspect_and_jwks(prism: Mapping[str, PrismMock]) -> None:
    client_id = success_example("moneykit", "/auth/introspect", "get")["client_id"]
    kids = [k["kid"] for k in success_example("moneykit", "/.well-known/jwks.json", "get")["keys"]]
    url = prism["moneykit"].base_url
    async with Wire() as wire:
        with make_source("moneykit", url, wire) as source:
            assert isinstance(source, MoneyKit)
            assert source.introspect().client_id == client_id
            assert [key.kid for key in source.jwks().keys] == kids
        async with make_source("moneykit", url, wire) as source:
            assert isinstance(source, MoneyKit)
            assert (await source.aintrospect()).client_id == client_id
            assert [key.kid for key in (await source.ajwks()).keys] == kids
    assert (
        wire.exchanges()
        == [
            ("POST", "/auth/token"),
            ("GET", "/auth/introspect"),
            ("GET", "/.well-known/jwks.json"),
        ]
        * 2
    )
    wire.assert_no_violations()


async def test_melio_without_account(prism: Mapping[str, PrismMock]) -> None:
    async with Wire() as wire:
        with make_source("melio", prism["melio"].base_url, wire, account_id=None) as source:
            token = source.token()
    assert token.access_token == example_token("melio")
    assert token.expires_at == melio_expiry()
    wire.assert_no_violations()
    assert "melio-account" not in wire.responses[0].request.headers


# -- Prism really validates --------------------------------------------------------------

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
BASIC = {"Authorization": "Basic dXNlcjpwYXNz"}  # user:pass
MELIO = {"API-Key": "key", "Idempotency-Key": "b1c0f4b6-8d0e-4f57-9d4a-0a7c3c1f5a10"}

# provider, what is wrong, method, path, headers, body, the status Prism answers
BROKEN: list[tuple[str, str, str, str, dict[str, str], str, int]] = [
    ("gmo_payment", "no credentials", "POST", "/token", FORM,
     "grant_type=client_credentials&scope=openapi", 401),
    ("gmo_payment", "no scope", "POST", "/token", {**FORM, **BASIC},
     "grant_type=client_credentials", 400),
    ("gmo_payment", "JSON body", "POST", "/token",
     {**BASIC, "Content-Type": "application/json"},
     '{"grant_type": "client_credentials", "scope": "openapi"}', 415),
    ("gmo_aozora", "unknown grant_type", "POST", "/token", {**FORM, **BASIC},
     "grant_type=password", 400),
    ("gmo_aozora", "empty refresh_token", "POST", "/token", {**FORM, **BASIC},
     "grant_type=refresh_token&refresh_token=", 400),
    ("gmo_aozora", "Bearer instead of Basic", "POST", "/token",
     {**FORM, "Authorization": "Bearer abc"}, "grant_type=refresh_token&refresh_token=r", 401),
    ("moneykit", "no credentials", "POST", "/auth/token", FORM,
     "grant_type=client_credentials", 401),
    ("moneykit", "bad grant_type", "POST", "/auth/token", {**FORM, **BASIC},
     "grant_type=password", 422),
    ("moneykit", "introspect with Basic", "GET", "/auth/introspect", BASIC, "", 401),
    ("smscx", "no credentials", "POST", "/oauth/token", FORM,
     "grant_type=client_credentials", 401),
    ("smscx", "no grant_type", "POST", "/oauth/token", {**FORM, **BASIC}, "scope=sms", 400),
    ("melio", "no Idempotency-Key", "POST", "/auth/token", {"API-Key": "key"}, "", 400),
    ("melio", "no API-Key", "POST", "/auth/token",
     {"Idempotency-Key": MELIO["Idempotency-Key"]}, "", 401),
    ("melio", "Bearer instead of API-Key", "POST", "/auth/token",
     {"Authorization": "Bearer key", "Idempotency-Key": MELIO["Idempotency-Key"]}, "", 401),
]  # fmt: skip


@pytest.mark.parametrize(
    ("provider", "wrong", "method", "path", "headers", "body", "status"),
    BROKEN,
    ids=[f"{case[0]}-{case[1]}" for case in BROKEN],
)
def test_prism_rejects_a_request_that_breaks_the_spec(
    prism: Mapping[str, PrismMock],
    provider: str,
    wrong: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: str,
    status: int,
) -> None:
    response = httpx.request(
        method, prism[provider].base_url + path, headers=headers, content=body, timeout=10
    )
    assert response.status_code == status, response.text
    violations = json.loads(response.headers["sl-violations"])
    assert any(v["severity"] == "Error" for v in violations), violations


def _drop(header: str) -> Callable[[httpx.Request], None]:
    def hook(request: httpx.Request) -> None:
        del request.headers[header]

    return hook


@pytest.mark.parametrize(
    ("provider", "header", "status", "error"),
    [
        ("gmo_payment", "Authorization", 401, InvalidClientError),
        ("gmo_aozora", "Content-Type", 400, TokenEndpointError),
        ("moneykit", "Authorization", 401, InvalidClientError),
        ("smscx", "Authorization", 401, InvalidClientError),
        ("melio", "API-Key", 401, InvalidClientError),
        ("melio", "Idempotency-Key", 400, InvalidRequestError),
    ],
)
async def test_a_source_whose_request_breaks_the_spec_fails(
    prism: Mapping[str, PrismMock],
    provider: str,
    header: str,
    status: int,
    error: type[TokenEndpointError],
) -> None:
    """The same sources, with one header taken off each request on its way out."""
    async with Wire(on_request=_drop(header)) as wire:
        async with make_source(provider, prism[provider].base_url, wire) as source:
            with pytest.raises(error) as sync_error:
                source.token()
            with pytest.raises(error) as async_error:
                await source.atoken()
    assert sync_error.value.status_code == async_error.value.status_code == status
    assert len(wire.responses) == 2
    assert all("sl-violations" in r.headers for r in wire.responses)
