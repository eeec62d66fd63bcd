"""The pytest plugin: its fixture, in a user-like suite, the cost of importing it."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

import pytest

from provider_tokens._registry import PROVIDERS
from provider_tokens.testing import FakeProviders, pytest_plugin

from cases import EXAMPLE, fake_source

pytest_plugins = ["pytester"]

# The fixture, made visible to this module without the (not yet registered) entry point.
fake_providers = pytest_plugin.fake_providers


def test_fixture_yields_a_started_loopback_fake(fake_providers: FakeProviders) -> None:
    assert fake_providers.serve
    assert fake_providers.origin.startswith("http://127.0.0.1:")
    with fake_source(fake_providers, EXAMPLE.name) as source:
        source.token()

    token_path = PROVIDERS[EXAMPLE.name].token_path
    assert [r.path for r in fake_providers.requests(EXAMPLE.name)] == [token_path]


def test_fixture_in_a_users_suite(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Autoload off: the plugin is named explicitly, whether or not the entry point exists.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    source, name = EXAMPLE.source_class.__name__, EXAMPLE.name
    pytester.makepyfile(
        f"""
        from provider_tokens import {source}

        def test_token(fake_providers):
            with {source}(**fake_providers.credentials({name!r})) as source:
                assert source.token().access_token

        def test_fresh_fake_per_test(fake_providers):
            assert fake_providers.requests() == []
        """
    )

    result = pytester.runpytest_subprocess(
        "-p", "provider_tokens.testing.pytest_plugin", "-W", "error"
    )

    result.assert_outcomes(passed=2)


def test_importing_the_plugin_is_cheap() -> None:
    code = (
        "import sys, provider_tokens.testing.pytest_plugin\n"
        "heavy = {'httpx', 'http.server', 'socketserver', 'provider_tokens.testing._fake'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout

    assert out.strip() == "[]"


def test_entry_point_points_at_the_plugin() -> None:
    points = importlib.metadata.entry_points(group="pytest11", name="provider_tokens")
    if not points:
        pytest.skip("pytest11 entry point 'provider_tokens' not registered in pyproject yet")
    (point,) = points
    assert point.value == "provider_tokens.testing.pytest_plugin"
