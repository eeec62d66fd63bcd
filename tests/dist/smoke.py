"""Smoke test of an installed provider-tokens wheel, outside the source tree.

Run by ``scripts/dist_check.py`` (``make dist-check``) with ``python -I -W error`` in a
fresh virtual environment that holds the wheel built from the sdist and its
dependencies only. Not a pytest module: the main test run does not collect it.

It checks that the installed package is the wheel's (not a checkout), that every
registered provider's token source and generated client import, that each source gets a
token from ``FakeProviders``, that the ``provider-tokens`` console script runs and that
the pytest plugin's entry point is registered.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import pkgutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import provider_tokens
from provider_tokens._registry import PROVIDERS
from provider_tokens.testing import FakeProviders

DIST = "provider-tokens"
PLUGIN = "provider_tokens.testing.pytest_plugin"


def check_installed() -> None:
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    package = Path(provider_tokens.__file__).resolve().parent
    assert package.is_relative_to(site), f"provider_tokens imported from {package}, not {site}"
    assert (package / "py.typed").is_file(), "py.typed is missing"
    version = importlib.metadata.version(DIST)
    assert provider_tokens.__version__ == version, (provider_tokens.__version__, version)


def check_imports() -> None:
    for name, provider in PROVIDERS.items():
        generated = importlib.import_module(f"provider_tokens.{name}")
        for module in pkgutil.walk_packages(generated.__path__, f"{generated.__name__}."):
            importlib.import_module(module.name)
        assert getattr(provider_tokens, provider.source) is provider.source_class()


def check_tokens() -> None:
    with FakeProviders() as fake:
        for name, provider in PROVIDERS.items():
            kwargs = fake.credentials(name)
            if "refresh_token" in provider.required:
                kwargs["refresh_token"] = fake.refresh_token()
            with provider.source_class()(**kwargs) as source:
                token = source.token()
            assert token.access_token, name
            print(f"  {name}: {token.token_type} token, expires {token.expires_at}")


def check_entry_points() -> None:
    (script,) = importlib.metadata.entry_points(group="console_scripts", name="provider-tokens")
    assert script.value == "provider_tokens._cli:main", script
    (plugin,) = importlib.metadata.entry_points(group="pytest11", name="provider_tokens")
    assert plugin.value == PLUGIN, plugin
    # Loading the plugin needs pytest, which the wheel does not depend on.
    assert importlib.util.find_spec(PLUGIN) is not None, PLUGIN
    command = Path(sys.executable).parent / "provider-tokens"
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    result = subprocess.run(
        [str(command), "--help"], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: provider-tokens"), result.stdout


def main() -> None:
    check_installed()
    check_imports()
    check_tokens()
    check_entry_points()
    print(f"smoke: provider-tokens {provider_tokens.__version__} OK ({len(PROVIDERS)} providers)")


if __name__ == "__main__":
    main()
