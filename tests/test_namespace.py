"""The one-namespace package: deep imports, attribute access and lazy loading."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

import provider_tokens

PROVIDERS = ["gmo_aozora", "gmo_payment", "melio", "moneykit", "smscx"]


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_import_does_not_load_generated_packages() -> None:
    loaded = _run(
        "import sys, provider_tokens; "
        "print(sorted(m for m in sys.modules if m.startswith('provider_tokens.')))"
    )
    for name in PROVIDERS:
        assert f"provider_tokens.{name}" not in loaded


def test_attribute_access_loads_only_that_provider() -> None:
    loaded = _run(
        "import sys, provider_tokens; provider_tokens.moneykit.Client; "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('provider_tokens.'))))"
    ).split()
    assert "provider_tokens.moneykit" in loaded
    assert "provider_tokens.smscx" not in loaded


@pytest.mark.parametrize("name", PROVIDERS)
def test_each_generated_client_is_reachable_by_attribute(name: str) -> None:
    module = getattr(provider_tokens, name)
    assert module.__name__ == f"provider_tokens.{name}"
    assert module.Client.__module__ == f"provider_tokens.{name}.client"
    assert module.AuthenticatedClient.__module__ == f"provider_tokens.{name}.client"


def test_deep_imports_are_the_same_objects_as_attribute_access() -> None:
    from provider_tokens.gmo_payment.models import TokenResponse
    from provider_tokens.moneykit.api.access_token import create_access_token

    moneykit: Any = provider_tokens.moneykit
    gmo_payment: Any = provider_tokens.gmo_payment
    assert moneykit.api.access_token.create_access_token is create_access_token
    assert gmo_payment.models.TokenResponse is TokenResponse


def test_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_provider"):
        provider_tokens.no_such_provider  # noqa: B018


def test_dir_lists_the_generated_namespaces() -> None:
    assert set(PROVIDERS) <= set(dir(provider_tokens))
