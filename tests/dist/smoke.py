"""Smoke test of an installed provider-tokens wheel, outside the source tree.

Run by ``scripts/dist_check.py`` (``make dist-check``) with ``python -I -W error`` in a
fresh virtual environment that holds the wheel built from the sdist, its dependencies
and pytest (pinned as in the dev extra), nothing else. Not a pytest module: the main
test run does not collect it.

It checks that the installed package is the wheel's (not a checkout), that every
registered provider's token source and generated client import, that each source gets a
token from ``FakeProviders``, that the ``provider-tokens`` console script runs, that
the pytest plugin's entry point is registered, and that a user's pytest suite, written
to a temporary directory, gets the ``fake_providers`` fixture from that entry point
alone and passes with every warning an error.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import pkgutil
import re
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import provider_tokens
from provider_tokens._registry import PROVIDERS
from provider_tokens.testing import FakeProviders

DIST = "provider-tokens"
PLUGIN = "provider_tokens.testing.pytest_plugin"

# A user's project: strict settings, and no ``-p`` for the plugin (the entry point must
# load it). No async test: ours has no async fixture or runner, and pytest fails an
# unmarked ``async def`` test; running one takes another plugin (pytest-asyncio, not
# installed, or anyio's, there only because httpx depends on anyio), not ours.
USER_PYTEST_INI = """\
[pytest]
addopts = -p no:cacheprovider
filterwarnings = error
"""
USER_TEST = '''\
from provider_tokens import MoneyKit


def test_moneykit_token(fake_providers):
    with MoneyKit(**fake_providers.credentials("moneykit")) as mk:
        token = mk.token()
    assert token.token_type == "Bearer"
    assert not token.is_expired()
    assert fake_providers.is_valid_token("moneykit", token.access_token)
    (request,) = fake_providers.requests("moneykit")
    assert request.form["grant_type"] == "client_credentials"
'''
USER_OUTCOMES = {"passed": 1}  # pytest's summary line for USER_TEST, counted


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
    # Loading the plugin needs pytest, which the wheel does not depend on; check_user_suite
    # loads it, through this entry point, in a pytest run of its own.
    assert importlib.util.find_spec(PLUGIN) is not None, PLUGIN
    command = Path(sys.executable).parent / "provider-tokens"
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    result = subprocess.run(
        [str(command), "--help"], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: provider-tokens"), result.stdout


def check_without_the_jwt_extra() -> None:
    """The wheel's own dependencies leave out PyJWT: verifying says which extra to install."""
    assert importlib.util.find_spec("jwt") is None, "PyJWT is installed without the extra"
    from provider_tokens import ConfigurationError, MoneyKit

    with FakeProviders() as fake, MoneyKit(**fake.credentials("moneykit")) as mk:
        assert mk.jwks().keys, "the fake's JWKS is empty"
        try:
            mk.verify_webhook(b"{}", "a.b.c")
        except ConfigurationError as error:
            assert "provider-tokens[jwt]" in str(error), error
        else:
            raise AssertionError("verify_webhook ran without PyJWT")
    print("  without [jwt]: verify_webhook names the extra")


def summary_outcomes(stdout: str) -> dict[str, int]:
    """Outcome counts in pytest's last line (``== 1 failed, 2 passed in 0.12s ==``)."""
    lines = stdout.strip().splitlines()
    summary = re.fullmatch(r"=+ (.+) in [\d.]+s(?: \([\d:]+\))? =+", lines[-1] if lines else "")
    if summary is None:
        return {}
    return {word: int(count) for count, word in re.findall(r"(\d+) (\w+)", summary[1])}


def check_user_suite() -> None:
    """A user's suite passes with ``fake_providers`` from the entry point, warnings as errors."""
    with tempfile.TemporaryDirectory(prefix="provider-tokens-user-") as directory:
        project = Path(directory)
        (project / "pytest.ini").write_text(USER_PYTEST_INI)
        (project / "test_user.py").write_text(USER_TEST)
        # The caller's PYTEST_ADDOPTS, PYTEST_PLUGINS or PYTEST_DISABLE_PLUGIN_AUTOLOAD
        # would change what is tested; -I keeps the checkout off sys.path, as here.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
        result = subprocess.run(
            [sys.executable, "-I", "-W", "error", "-m", "pytest"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    outcomes = summary_outcomes(result.stdout)
    assert result.returncode == 0 and outcomes == USER_OUTCOMES, (
        f"a user's pytest run gave {outcomes or 'no summary'} (exit {result.returncode}),"
        f" not {USER_OUTCOMES}:\n{result.stdout}{result.stderr}"
    )
    print(f"  pytest plugin: a user's suite, {result.stdout.strip().splitlines()[-1].strip('= ')}")


def main() -> None:
    check_installed()
    check_imports()
    check_tokens()
    check_entry_points()
    check_without_the_jwt_extra()
    check_user_suite()
    print(f"smoke: provider-tokens {provider_tokens.__version__} OK ({len(PROVIDERS)} providers)")


if __name__ == "__main__":
    main()
