"""Contract: the fake providers answer as their specs say, as Schemathesis reads the specs.

For each spec, Schemathesis generates requests (the spec's examples, its coverage
cases, then fuzzing; valid and invalid inputs; with and without the right
credentials) and sends them to ``FakeProviders`` on loopback. Every answer must pass
``not_a_server_error``, ``status_code_conformance`` (no undocumented status),
``content_type_conformance``, ``response_schema_conformance`` and
``response_headers_conformance``.

Generated input rarely gets past the fake's checks where the spec alone cannot
produce a valid request (a live GMO Aozora code or refresh token), so each success
path is also exercised by hand-made requests, validated the same way, and every
documented error status by injecting it (``Fault.status``).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis import BaseSchema, Case
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from provider_tokens.testing import (
    CREDENTIALS,
    GMO_AOZORA_POST_CREDENTIALS,
    PROVIDERS,
    FakeProviders,
    Fault,
)

from contract_support import load_spec, spec_path

CONFORMANCE: list[CheckFunction] = [
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
CHECKS: list[CheckFunction] = [not_a_server_error, *CONFORMANCE]
MAX_EXAMPLES = 60  # fuzzing examples per operation (examples and coverage cases come on top)
SEED = 20261122
TIMEOUT = 10.0  # seconds, per request

# MoneyKit's introspection needs a token the fake issued; the schema's Bearer
# credentials are this placeholder, swapped for a live token before each call.
LIVE_BEARER = "contract-test-live-bearer"

AOZORA = CREDENTIALS["gmo_aozora"]


def _basic(provider: str, user: str, password: str) -> dict[str, str]:
    return {"username": CREDENTIALS[provider][user], "password": CREDENTIALS[provider][password]}


# Credentials per security scheme, as each spec names its schemes. Schemathesis
# puts them on the generated requests, and also leaves them off or spoils them.
AUTH: dict[str, dict[str, dict[str, str]]] = {
    "gmo_payment": {"Password": _basic("gmo_payment", "shop_id", "shop_pass")},
    "gmo_aozora": {"BasicAuth": _basic("gmo_aozora", "client_id", "client_secret")},
    "moneykit": {
        "HTTPBasic": _basic("moneykit", "client_id", "client_secret"),
        "OAuth2ClientCredentials": {"bearer": LIVE_BEARER},
    },
    "smscx": {"BasicAuth": _basic("smscx", "application_id", "application_secret")},
    "melio": {"ApiKey": {"api_key": CREDENTIALS["melio"]["api_key"]}},
}


def load_schema(provider: str) -> BaseSchema:
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            "auth": {"openapi": AUTH[provider]},
        }
    )
    return schemathesis.openapi.from_path(spec_path(provider), config=config)


SCHEMAS: dict[str, BaseSchema] = {provider: load_schema(provider) for provider in PROVIDERS}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeProviders]:
    with FakeProviders() as providers:
        yield providers


def moneykit_token(fake: FakeProviders) -> str:
    """A fresh MoneyKit access token from ``fake`` (a plain request: no source, no cache)."""
    client = CREDENTIALS["moneykit"]
    response = httpx.post(
        fake.base_url("moneykit") + "/auth/token",
        auth=(client["client_id"], client["client_secret"]),
        data={"grant_type": "client_credentials"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["access_token"]
    return token


@pytest.fixture(scope="module")
def live_bearer(fake: FakeProviders) -> str:
    """A MoneyKit access token the module's fake issued (and still honours)."""
    return moneykit_token(fake)


def prepare(case: Case[Any], live_bearer: str) -> None:
    """Adjust a generated case where the spec alone cannot make it meaningful."""
    if case.headers and case.headers.get("Authorization") == f"Bearer {LIVE_BEARER}":
        case.headers["Authorization"] = f"Bearer {live_bearer}"
    if case.operation.path == "/authorization":
        # Only the registered client and redirect URI get a redirect (RFC 6749
        # §4.1.2.1); the fake's answer to any other is covered below, as a known gap.
        case.query = {
            **(case.query or {}),
            "client_id": AOZORA["client_id"],
            "redirect_uri": AOZORA["redirect_uri"],
        }


def call_and_validate(
    case: Case[Any], fake: FakeProviders, provider: str, checks: list[CheckFunction] = CHECKS
) -> Any:
    # allow_redirects=False: GET /authorization answers 302 to the client's redirect URI.
    return case.call_and_validate(
        base_url=fake.base_url(provider), checks=checks, allow_redirects=False, timeout=TIMEOUT
    )


def _generated_test(provider: str) -> Callable[..., None]:
    def test(case: Case[Any], fake: FakeProviders, live_bearer: str) -> None:
        prepare(case, live_bearer)
        call_and_validate(case, fake, provider)

    test.__name__ = test.__qualname__ = f"test_{provider}_fake_conforms"
    test.__doc__ = f"Generated requests to the {provider} fake get documented answers."
    parametrized: Callable[..., None] = SCHEMAS[provider].parametrize()(test)
    return parametrized


test_gmo_payment_fake_conforms = _generated_test("gmo_payment")
test_gmo_aozora_fake_conforms = _generated_test("gmo_aozora")
test_moneykit_fake_conforms = _generated_test("moneykit")
test_smscx_fake_conforms = _generated_test("smscx")
test_melio_fake_conforms = _generated_test("melio")


# -- success paths (and real refusals), by hand ---------------------------------------


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def operation_case(provider: str, method: str, path: str, **kwargs: Any) -> Case[Any]:
    case: Case[Any] = SCHEMAS[provider][path][method].Case(**kwargs)
    return case


def _hand_made(fake: FakeProviders, name: str) -> tuple[str, Case[Any]]:
    """The provider and the request called ``name``."""
    form = "application/x-www-form-urlencoded"
    gmo, mk, sms = CREDENTIALS["gmo_payment"], CREDENTIALS["moneykit"], CREDENTIALS["smscx"]
    melio, post = CREDENTIALS["melio"], GMO_AOZORA_POST_CREDENTIALS
    aozora_basic = {"Authorization": basic(AOZORA["client_id"], AOZORA["client_secret"])}
    if name == "gmo_payment-token":
        return "gmo_payment", operation_case(
            "gmo_payment",
            "POST",
            "/token",
            headers={"Authorization": basic(gmo["shop_id"], gmo["shop_pass"])},
            body={"grant_type": "client_credentials", "scope": "openapi"},
            media_type=form,
        )
    if name == "gmo_aozora-refresh":
        return "gmo_aozora", operation_case(
            "gmo_aozora",
            "POST",
            "/token",
            headers=aozora_basic,
            body={"grant_type": "refresh_token", "refresh_token": fake.refresh_token()},
            media_type=form,
        )
    if name == "gmo_aozora-code":
        body = {
            "grant_type": "authorization_code",
            "code": fake.authorization_code(),
            "redirect_uri": AOZORA["redirect_uri"],
        }
        return "gmo_aozora", operation_case(
            "gmo_aozora", "POST", "/token", headers=aozora_basic, body=body, media_type=form
        )
    if name == "gmo_aozora-code-openid-post":
        scope = "openid private:account offline_access"
        body = {
            "grant_type": "authorization_code",
            "code": fake.authorization_code(scope, nonce="n-0S6_WzA2Mj", auth_method="post"),
            "redirect_uri": post["redirect_uri"],
            "client_id": post["client_id"],
            "client_secret": post["client_secret"],
        }
        return "gmo_aozora", operation_case(
            "gmo_aozora", "POST", "/token", body=body, media_type=form
        )
    if name == "gmo_aozora-authorization":
        query = {
            "client_id": AOZORA["client_id"],
            "redirect_uri": AOZORA["redirect_uri"],
            "response_type": "code",
            "scope": "private:account offline_access",
            "state": "af0ifjsldkj",
            "nonce": "n-0S6_WzA2Mj",
        }
        return "gmo_aozora", operation_case("gmo_aozora", "GET", "/authorization", query=query)
    if name == "moneykit-token":
        return "moneykit", operation_case(
            "moneykit",
            "POST",
            "/auth/token",
            headers={"Authorization": basic(mk["client_id"], mk["client_secret"])},
            body={"grant_type": "client_credentials", "scope": "link:data:read"},
            media_type=form,
        )
    if name == "moneykit-introspect":
        bearer = moneykit_token(fake)
        return "moneykit", operation_case(
            "moneykit",
            "GET",
            "/auth/introspect",
            headers={"Authorization": f"Bearer {bearer}", "MoneyKit-Version": "2023-02-18"},
        )
    if name == "moneykit-introspect-unknown-token":
        return "moneykit", operation_case(
            "moneykit", "GET", "/auth/introspect", headers={"Authorization": "Bearer not-issued"}
        )
    if name == "gmo_aozora-refresh-replayed":
        refresh_token = fake.refresh_token()
        body = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        first = operation_case(
            "gmo_aozora", "POST", "/token", headers=aozora_basic, body=body, media_type=form
        )
        assert call_and_validate(first, fake, "gmo_aozora").status_code == 200
        return "gmo_aozora", operation_case(  # the same, spent, refresh token again
            "gmo_aozora", "POST", "/token", headers=aozora_basic, body=body, media_type=form
        )
    if name == "moneykit-jwks":
        return "moneykit", operation_case(
            "moneykit", "GET", "/.well-known/jwks.json", headers={"X-Client-Id": mk["client_id"]}
        )
    if name == "smscx-token":
        return "smscx", operation_case(
            "smscx",
            "POST",
            "/oauth/token",
            headers={"Authorization": basic(sms["application_id"], sms["application_secret"])},
            body={"grant_type": "client_credentials", "scope": "sms otp"},
            media_type=form,
        )
    if name == "melio-token":
        headers = {
            "API-Key": melio["api_key"],
            "Idempotency-Key": "5e0b1c4c-5f0e-4a53-8a3b-6f1d2c3b4a59",
            "Melio-Account": melio["account_id"],
        }
        return "melio", operation_case("melio", "POST", "/auth/token", headers=headers)
    raise LookupError(name)


# Each hand-made request and the status it must get.
HAND_MADE = [
    ("gmo_payment-token", 201),
    ("gmo_aozora-refresh", 200),
    ("gmo_aozora-refresh", 201),
    ("gmo_aozora-code", 200),
    ("gmo_aozora-refresh-replayed", 400),
    ("gmo_aozora-code-openid-post", 200),
    ("gmo_aozora-authorization", 302),
    ("moneykit-token", 201),
    ("moneykit-introspect", 200),
    ("moneykit-introspect-unknown-token", 401),
    ("moneykit-jwks", 200),
    ("smscx-token", 200),
    ("melio-token", 200),
    ("melio-token", 201),
]


@pytest.mark.parametrize(("name", "status"), HAND_MADE, ids=[f"{n}-{s}" for n, s in HAND_MADE])
def test_hand_made_request_conforms(fake_providers: FakeProviders, name: str, status: int) -> None:
    """Each success path (and a few real refusals) answers as the spec says."""
    provider, case = _hand_made(fake_providers, name)
    if case.method == "POST" and status < 300:  # answer a token request with this status
        fake_providers.set_success_status(provider, status)
    response = call_and_validate(case, fake_providers, provider)
    assert response.status_code == status, response.text
    if name == "gmo_aozora-authorization":
        location = response.headers["location"][0]
        assert location.startswith(AOZORA["redirect_uri"] + "?code=")
    if name == "gmo_aozora-code-openid-post":
        assert {"id_token", "refresh_token"} <= set(response.json())


# -- error paths, injected -----------------------------------------------------------


def _documented_errors() -> list[tuple[str, str, str, int]]:
    """Every (provider, method, path, status >= 400) the specs declare."""
    found = []
    for provider in PROVIDERS:
        for path, methods in load_spec(provider)["paths"].items():
            for method, operation in methods.items():
                for status in operation["responses"]:
                    if status.isdigit() and int(status) >= 400:
                        found.append((provider, method.upper(), path, int(status)))
    return found


ERRORS = _documented_errors()


@pytest.mark.parametrize(
    ("provider", "method", "path", "status"),
    ERRORS,
    ids=[f"{p}-{m}{path}-{s}" for p, m, path, s in ERRORS],
)
def test_injected_error_conforms(
    fake_providers: FakeProviders, provider: str, method: str, path: str, status: int
) -> None:
    """The fake's body for each documented error status has the documented shape.

    ``not_a_server_error`` is left out here: the 5xx are the point.
    """
    case = operation_case(provider, method, path)
    fake_providers.inject(provider, Fault.status(status))
    response = call_and_validate(case, fake_providers, provider, checks=CONFORMANCE)
    assert response.status_code == status


# -- the authorization endpoint's refusals ------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"client_id": "unknown-client", "redirect_uri": AOZORA["redirect_uri"]},
        {"client_id": AOZORA["client_id"], "redirect_uri": "https://evil.example/cb"},
    ],
    ids=["unknown-client", "unregistered-redirect-uri"],
)
def test_gmo_aozora_authorization_refusal_conforms(
    fake_providers: FakeProviders, query: dict[str, str]
) -> None:
    """RFC 6749 §4.1.2.1: no redirect to an unverified address; a documented 400 instead."""
    case = operation_case(
        "gmo_aozora",
        "GET",
        "/authorization",
        query={**query, "response_type": "code", "scope": "private:account", "state": "s"},
    )
    response = call_and_validate(case, fake_providers, "gmo_aozora")
    assert response.status_code == 400
