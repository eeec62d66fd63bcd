"""The public names: exactly what __all__ says, and all of them importable."""

from __future__ import annotations

import provider_tokens
from provider_tokens import (
    ConfigurationError,
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    MalformedResponseError,
    NoRefreshTokenError,
    RateLimitError,
    ServerError,
    TokenEndpointError,
    TokenError,
    TokenTimeoutError,
    TransportError,
    UnsupportedGrantTypeError,
)
from provider_tokens._registry import PROVIDERS

# Every registered provider's source class is public, beside these.
EXPECTED = {p.source for p in PROVIDERS.values()} | {
    "AccessToken",
    "BlockingCallError",
    "Call",
    "Clock",
    "CommonOptions",
    "ConfigurationError",
    "IdTokenError",
    "InvalidClientError",
    "InvalidGrantError",
    "InvalidRequestError",
    "InvalidScopeError",
    "Issued",
    "MalformedResponseError",
    "NoRefreshTokenError",
    "Plan",
    "Provider",
    "RateLimitError",
    "Refusal",
    "RetryPolicy",
    "ServerError",
    "SystemClock",
    "TokenEndpointError",
    "TokenError",
    "TokenSource",
    "TokenTimeoutError",
    "TransportError",
    "UnsupportedGrantTypeError",
    "WebhookVerificationError",
}


def test_all_is_exactly_the_public_names_and_sorted() -> None:
    assert set(provider_tokens.__all__) == EXPECTED
    assert provider_tokens.__all__ == sorted(provider_tokens.__all__)


def test_every_public_name_resolves() -> None:
    for name in provider_tokens.__all__:
        assert getattr(provider_tokens, name).__name__ == name


def test_public_classes_are_documented() -> None:
    for name in provider_tokens.__all__:
        assert getattr(provider_tokens, name).__doc__, name


def test_error_tree() -> None:
    endpoint = [
        InvalidClientError,
        InvalidGrantError,
        InvalidRequestError,
        InvalidScopeError,
        RateLimitError,
        ServerError,
        UnsupportedGrantTypeError,
    ]
    assert all(issubclass(cls, TokenEndpointError) for cls in endpoint)
    others = [
        TokenEndpointError,
        MalformedResponseError,
        TransportError,
        NoRefreshTokenError,
        ConfigurationError,
    ]
    assert all(issubclass(cls, TokenError) for cls in others)
    assert issubclass(TokenTimeoutError, TransportError)
    # Builtins callers may already catch.
    assert issubclass(TokenTimeoutError, TimeoutError)
    assert issubclass(ConfigurationError, ValueError)


def test_docstring_tree_names_every_error() -> None:
    from provider_tokens import _exceptions

    doc = _exceptions.__doc__ or ""
    for name in provider_tokens.__all__:
        if name.endswith("Error"):
            assert name in doc, name


def test_public_classes_belong_to_the_package_as_users_see_them() -> None:
    import pickle

    for name in provider_tokens.__all__:
        value = getattr(provider_tokens, name)
        if isinstance(value, type):
            assert value.__module__ == "provider_tokens", name
    error = provider_tokens.InvalidGrantError("gone", provider="example", status_code=400)
    assert repr(type(error)) == "<class 'provider_tokens.InvalidGrantError'>"
    assert type(pickle.loads(pickle.dumps(error))) is provider_tokens.InvalidGrantError
