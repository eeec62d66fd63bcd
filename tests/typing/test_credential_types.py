"""The ``TypedDict`` of each provider's fake credentials matches its source and the fake."""

from __future__ import annotations

import inspect
import typing
from typing import Any

import httpx
import pytest

from provider_tokens._config import CommonOptions
from provider_tokens._registry import PROVIDERS
from provider_tokens.testing import FakeProviders
from provider_tokens.testing._credentials import CREDENTIAL_TYPES


def test_every_provider_has_one() -> None:
    assert set(CREDENTIAL_TYPES) == set(PROVIDERS)


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_its_keys_are_the_source_constructor_keywords(provider: str) -> None:
    source = PROVIDERS[provider].source_class()
    parameters = inspect.signature(source.__init__).parameters
    keywords = {n for n, p in parameters.items() if p.kind is not p.VAR_KEYWORD} - {"self"}
    typed: Any = CREDENTIAL_TYPES[provider]  # a TypedDict class
    hints = typing.get_type_hints(typed, localns={"httpx": httpx})
    assert set(hints) <= keywords | set(CommonOptions.__annotations__)
    # Every keyword the source requires is there.
    required = {n for n, p in parameters.items() if p.default is p.empty and n in keywords}
    assert required <= typed.__required_keys__
    # And each value's type is the source's (or the common options') annotation.
    source_hints = typing.get_type_hints(source.__init__) | typing.get_type_hints(CommonOptions)
    for key, hint in hints.items():
        wanted = source_hints[key]
        assert hint == wanted or hint in typing.get_args(wanted), (key, hint, wanted)


@pytest.mark.parametrize("serve", [True, False], ids=["loopback", "transport"])
@pytest.mark.parametrize(
    ("provider", "auth_method"),
    [(name, "basic") for name in sorted(PROVIDERS)] + [("gmo_aozora", "post")],
)
def test_the_fake_returns_what_it_declares(provider: str, auth_method: str, serve: bool) -> None:
    typed: Any = CREDENTIAL_TYPES[provider]  # a TypedDict class
    with FakeProviders(serve=serve) as fake:
        credentials = fake.credentials(provider, auth_method=auth_method)  # type: ignore[call-overload]
        clients = {"http_client", "async_http_client"}
        expected = typed.__required_keys__ | (set() if serve else clients)
        assert set(credentials) == expected
        assert typed.__optional_keys__ == clients
        extra: dict[str, Any] = {}
        if provider == "gmo_aozora":  # past the browser flow
            extra["refresh_token"] = fake.refresh_token(auth_method=auth_method)  # type: ignore[arg-type]
        with PROVIDERS[provider].source_class()(**credentials, **extra) as source:
            assert fake.is_valid_token(provider, source.token().access_token)
