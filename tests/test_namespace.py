"""The one-namespace package: deep imports, attribute access and lazy loading."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import provider_tokens
from provider_tokens._registry import NAMES


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_import_does_not_load_generated_packages() -> None:
    loaded = _run(
        "import sys, provider_tokens; "
        "print(sorted(m for m in sys.modules if m.startswith('provider_tokens.')))"
    )
    for name in NAMES:
        assert f"provider_tokens.{name}" not in loaded


@pytest.mark.parametrize("name", NAMES)
def test_attribute_access_loads_only_that_provider(name: str) -> None:
    loaded = _run(
        f"import sys, provider_tokens; provider_tokens.{name}.Client; "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('provider_tokens.'))))"
    ).split()
    assert f"provider_tokens.{name}" in loaded
    for other in NAMES:
        if other != name:
            assert f"provider_tokens.{other}" not in loaded


@pytest.mark.parametrize("name", NAMES)
def test_each_generated_client_is_reachable_by_attribute(name: str) -> None:
    module = getattr(provider_tokens, name)
    assert module.__name__ == f"provider_tokens.{name}"
    assert module.Client.__module__ == f"provider_tokens.{name}.client"
    assert module.AuthenticatedClient.__module__ == f"provider_tokens.{name}.client"


@pytest.mark.parametrize("name", NAMES)
def test_deep_imports_are_the_same_objects_as_attribute_access(name: str) -> None:
    # Each provider's own tests also import from its generated package by name.
    deep = importlib.import_module(f"provider_tokens.{name}.client")
    assert getattr(provider_tokens, name).client.Client is deep.Client


def test_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_provider"):
        provider_tokens.no_such_provider  # noqa: B018


def test_dir_lists_the_generated_namespaces() -> None:
    assert set(NAMES) <= set(dir(provider_tokens))
