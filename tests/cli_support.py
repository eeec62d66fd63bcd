"""Shared by the tests of the ``provider-tokens`` command (imported, not a conftest).

Fixtures, for a test module to import (and list in its ``__all__``): ``cli_fake``,
fake providers on loopback for the module; ``env``, the command's environment
variables for every provider pointing at it (and no others). ``run`` runs the command
in-process and returns its exit code, stdout and stderr; ``run_process`` runs it in
another process, and ``fake_server`` runs ``fake-server`` there for a ``with`` block.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from provider_tokens._cli import main
from provider_tokens._env import VARIABLES
from provider_tokens.testing import FakeProviders

__all__ = ["cli_fake", "env", "fake_server", "free_port", "outward_address", "run", "run_process"]


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


def outward_address() -> str | None:
    """This machine's IPv4 address on its default route (not loopback), if it has one.

    A UDP ``connect`` only picks the route and the source address: nothing is sent.
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(("192.0.2.1", 9))  # TEST-NET-1
            address = str(sock.getsockname()[0])
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def free_port() -> int:
    """A port nobody listens on (bound for a moment, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def fake_server(*args: str) -> Iterator[tuple[list[str], dict[str, str]]]:
    """``provider-tokens fake-server ARGS`` in another process: its ``#`` lines and
    the variables of its ``export`` lines; stopped with Ctrl-C (SIGINT), exit 0."""
    command = [sys.executable, "-m", "provider_tokens", "fake-server", *args]
    expected = sum(len(v) for v in VARIABLES.values())
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, start_new_session=True
    ) as server:
        try:
            assert server.stdout is not None
            comments: list[str] = []
            exports: dict[str, str] = {}
            while len(exports) < expected:
                line = server.stdout.readline()
                assert line, "fake-server exited early"
                if line.startswith("#"):
                    comments.append(line.rstrip("\n"))
                    continue
                name, _, value = line.removeprefix("export ").strip().partition("=")
                exports[name] = shlex.split(value)[0]
            yield comments, exports
        finally:
            os.killpg(server.pid, signal.SIGINT)
            assert server.wait(timeout=10) == 0


def run_process(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``provider-tokens ARGV`` in another process, with ``env`` over this one's."""
    return subprocess.run(
        [sys.executable, "-m", "provider_tokens", *argv],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )
