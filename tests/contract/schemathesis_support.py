"""Shared by the Schemathesis contract tests: each spec as a schema, and how to check
an answer of the fakes against it.

Each spec's security schemes get the fake's test credentials (Basic: the client's ID
and secret; an API key: the secret; a bearer token: ``LIVE_BEARER``, a placeholder
``prepare`` swaps for a token the fake issued), so Schemathesis puts them on the
generated requests, and also leaves them off or spoils them.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import cache
from typing import Any

from schemathesis import BaseSchema, Case, Config, openapi
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from provider_tokens.testing import CREDENTIALS, FakeProviders

from cases import BY_NAME
from contract_support import load_spec, spec_path

__all__ = [
    "CHECKS",
    "CONFORMANCE",
    "LIVE_BEARER",
    "TIMEOUT",
    "basic",
    "call_and_validate",
    "operation_case",
    "prepare",
    "schema",
    "security",
]

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

# Where an operation needs a token the fake issued, the schema's Bearer credentials
# are this placeholder, swapped for a live token before each call.
LIVE_BEARER = "contract-test-live-bearer"


def _used_schemes(spec: dict[str, Any]) -> set[str]:
    """The security schemes some operation (or the whole spec) requires."""
    requirements = list(spec.get("security", []))
    for methods in spec["paths"].values():
        for operation in methods.values():
            if isinstance(operation, dict):
                requirements += operation.get("security", [])
    return {name for requirement in requirements for name in requirement}


def security(provider: str) -> dict[str, dict[str, str]]:
    """Credentials for each security scheme the provider's spec uses."""
    spec = load_spec(provider)
    case, credentials = BY_NAME[provider], CREDENTIALS[provider]
    schemes = spec["components"]["securitySchemes"]
    auth: dict[str, dict[str, str]] = {}
    for name in sorted(_used_schemes(spec)):
        scheme = schemes[name]
        if scheme["type"] == "http" and scheme["scheme"] == "basic":
            assert case.client is not None, f"{provider}: a Basic scheme, but no client ID"
            auth[name] = {
                "username": credentials[case.client],
                "password": credentials[case.secret],
            }
        elif scheme["type"] == "apiKey":
            auth[name] = {"api_key": credentials[case.secret]}
        else:  # a bearer token: http bearer, or oauth2
            auth[name] = {"bearer": LIVE_BEARER}
    return auth


@cache
def schema(provider: str) -> BaseSchema:
    config = Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            "auth": {"openapi": security(provider)},
        }
    )
    return openapi.from_path(spec_path(provider), config=config)


@cache
def _query_credentials(provider: str, path: str, method: str) -> dict[str, str]:
    """The registered test client's values for the operation's query parameters that
    are named after one of its credentials (``client_id``, ``redirect_uri``)."""
    spec = load_spec(provider)
    names = set()
    operation = spec["paths"].get(path, {}).get(method.lower(), {})  # coverage: other methods
    for declared in operation.get("parameters", []):
        parameter = declared
        while "$ref" in parameter:
            target: Any = spec
            for part in parameter["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            parameter = target
        if parameter.get("in") == "query":
            names.add(parameter["name"])
    return {key: value for key, value in CREDENTIALS[provider].items() if key in names}


def prepare(case: Case[Any], provider: str, live_bearer: Callable[[], str]) -> None:
    """Adjust a generated case where the spec alone cannot make it meaningful."""
    if case.headers and case.headers.get("Authorization") == f"Bearer {LIVE_BEARER}":
        case.headers["Authorization"] = f"Bearer {live_bearer()}"
    registered = _query_credentials(provider, case.operation.path, case.method)
    if registered:
        # Only the registered client and redirect URI get a redirect from an
        # authorization endpoint (RFC 6749 §4.1.2.1); the fake's answer to any other is
        # covered by the provider's own contract tests, as a known gap.
        case.query = {**(case.query or {}), **registered}


def call_and_validate(
    case: Case[Any], fake: FakeProviders, provider: str, checks: list[CheckFunction] = CHECKS
) -> Any:
    # allow_redirects=False: an authorization endpoint answers 302 to the redirect URI.
    return case.call_and_validate(
        base_url=fake.base_url(provider), checks=checks, allow_redirects=False, timeout=TIMEOUT
    )


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def operation_case(provider: str, method: str, path: str, **kwargs: Any) -> Case[Any]:
    case: Case[Any] = schema(provider)[path][method].Case(**kwargs)
    return case
