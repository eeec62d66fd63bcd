"""``Provider``: a declaration's own rules (the registered ones: tests/test_registry.py)."""

from __future__ import annotations

from typing import Any

import pytest

from provider_tokens import ConfigurationError, InvalidClientError, Provider


def declare(**overrides: Any) -> Provider:
    fields: dict[str, Any] = {
        "name": "example",
        "title": "Example",
        "source": "Example",
        "servers": {"production": "https://a.example", "sandbox": "https://b.example"},
        "variables": {"key": "EXAMPLE_KEY", "base_url": "EXAMPLE_BASE_URL"},
        "required": ("key",),
        "token_path": "/token",
    }
    return Provider(**(fields | overrides))


def test_the_server_is_the_base_url_or_the_environments_and_the_first_by_default() -> None:
    provider = declare()
    assert provider.server(None, None) == "https://a.example"
    assert provider.server("sandbox", None) == "https://b.example"
    assert provider.server("sandbox", "http://127.0.0.1:1") == "http://127.0.0.1:1"
    assert provider.environments == ("production", "sandbox")
    with pytest.raises(ConfigurationError, match="'production', 'sandbox'"):
        provider.server("staging", None)


def test_a_required_keyword_needs_a_variable() -> None:
    with pytest.raises(ConfigurationError, match="secret"):
        declare(required=("key", "secret"))


def test_codes_and_sensitive_fields_are_compared_lower_cased_and_frozen() -> None:
    provider = declare(
        error_codes={"Bad_Key": InvalidClientError}, sensitive_fields={"accessToken"}
    )
    assert provider.error_codes == {"bad_key": InvalidClientError}
    assert provider.sensitive_fields == frozenset({"accesstoken"})
    with pytest.raises(TypeError):
        provider.servers["x"] = "y"  # type: ignore[index]


def test_modules_follow_from_the_name() -> None:
    provider = declare()
    assert provider.source_module == "provider_tokens._providers.example._source"
    assert provider.endpoint_module == "provider_tokens.testing._endpoints.example"


def test_an_empty_base_url_counts_as_not_given() -> None:
    assert declare().server("sandbox", "") == "https://b.example"
