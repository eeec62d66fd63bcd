"""Every registered provider's ``Case``, for tests that run against all of them.

The cases live with each provider's tests, in ``tests/providers/case_<name>.py``
(``CASE = Case(...)``, see ``provider_case``); they are collected here by the
registry's names, so a registered provider without one fails every test that
imports this module. ``EXAMPLE`` is the one provider that tests of behaviour shared
by all providers use as their example.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from provider_tokens import AccessToken, TokenError, TokenSource
from provider_tokens._registry import NAMES, PROVIDERS
from provider_tokens.testing import ManualClock

from conftest import START, MockProvider, reply
from provider_case import SECRET, Case, DocumentedError, Refusal

if TYPE_CHECKING:
    from provider_tokens.testing import FakeProviders

__all__ = [
    "BY_NAME",
    "CASES",
    "EXAMPLE",
    "OTHER",
    "SECRET",
    "Case",
    "DocumentedError",
    "Refusal",
    "fake_source",
    "fetch",
    "load",
    "with_fields",
]

# Where the case modules are (pytest puts it on sys.path only once it imports a test there).
PROVIDER_TESTS = Path(__file__).resolve().parent / "providers"
if str(PROVIDER_TESTS) not in sys.path:
    sys.path.insert(0, str(PROVIDER_TESTS))


def load(name: str) -> Case:
    """The ``CASE`` of ``case_<name>``; an ImportError if it is missing or not ``name``'s."""
    module = importlib.import_module(f"case_{name}")
    case = getattr(module, "CASE", None)
    if not isinstance(case, Case) or case.name != name:
        raise ImportError(f"{module.__name__} must declare CASE = Case(name={name!r}, ...)")
    return case


CASES: list[Case] = [load(name) for name in NAMES]
BY_NAME: dict[str, Case] = {case.name: case for case in CASES}

# The example for behaviour every provider shares (retries, the HTTP guards, stores,
# the fake's machinery, ...): the one place that picks it.
EXAMPLE = BY_NAME["moneykit"]
# Any provider but the example, where a test needs two.
OTHER = next(case for case in CASES if case is not EXAMPLE)


def fake_source(fake: FakeProviders, name: str, **options: Any) -> TokenSource:
    """Provider ``name``'s source on ``fake``'s credentials, with ``options``.

    A provider that needs a refresh token (a user's earlier consent) gets a fresh one
    from the fake, unless ``options`` has one.
    """
    kwargs = fake.credentials(name)
    if "refresh_token" in PROVIDERS[name].required and "refresh_token" not in options:
        kwargs["refresh_token"] = fake.refresh_token()
    return BY_NAME[name].source_class(**{**kwargs, **options})


def fetch(case: Case, response: httpx.Response) -> AccessToken | TokenError:
    """What ``case``'s source makes of ``response``: a token, or the TokenError raised."""
    source = case.make(
        http_client=MockProvider(response).client(), clock=ManualClock(START), max_retries=0
    )
    try:
        return source.token()
    except TokenError as exc:
        return exc


def with_fields(case: Case, **fields: Any) -> httpx.Response:
    """The case's success response with some token fields (generic names, as in
    ``Case.fields``) replaced; None drops one."""
    success = case.success()
    body = success.json()
    target = case.members(body)
    for name, value in fields.items():
        member = case.fields.get(name, name)
        if value is None:
            target.pop(member, None)
        else:
            target[member] = value
    return reply(success.status_code, body, content_type=success.headers["content-type"])
