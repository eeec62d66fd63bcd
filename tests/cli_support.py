"""Shared by the tests of the ``provider-tokens`` command (imported, not a conftest).

Fixtures, for a test module to import (and list in its ``__all__``): ``cli_fake``,
fake providers on loopback for the module; ``env``, the command's environment
variables for every provider pointing at it (and no others). ``run`` runs the command
in-process and returns its exit code, stdout and stderr.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from provider_tokens._cli import main
from provider_tokens._env import VARIABLES
from provider_tokens.testing import FakeProviders

__all__ = ["cli_fake", "env", "run"]


@pytest.fixture(scope="module")
def cli_fake() -> Iterator[FakeProviders]:
    with FakeProviders() as providers:
        yield providers


@pytest.fixture
def env(cli_fake: FakeProviders, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for variables in VARIABLES.values():
        for name in variables.values():
            monkeypatch.delenv(name, raising=False)
    values = cli_fake.environment()
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
