"""Shared by the contract tests: the specs, and Stoplight Prism mock servers over them.

The specs are read from ``specs/`` unless ``PROVIDER_TOKENS_CONTRACT_SPECS`` names
another directory holding the same five files (used to show that the contract
tests fail when a spec and the code disagree, without touching the real specs).

Prism is found through ``PROVIDER_TOKENS_PRISM`` (set by ``make pytest``), else at
``tools/prism/node_modules/.bin/prism`` (installed by ``make prism``). Without it
the Prism tests skip, except under CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest
import yaml

from provider_tokens.testing import PROVIDERS
from provider_tokens.testing._servers import free_port

ROOT = Path(__file__).resolve().parents[2]
PRISM_DEFAULT = ROOT / "tools" / "prism" / "node_modules" / ".bin" / "prism"
INSTALL_HINT = "install it with `make prism` (runs `npm ci` in tools/prism)"
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def specs_dir() -> Path:
    """Where the five specs are read from (``specs/``, or the override)."""
    override = os.environ.get("PROVIDER_TOKENS_CONTRACT_SPECS")
    return Path(override).resolve() if override else ROOT / "specs"


def spec_path(provider: str) -> Path:
    return specs_dir() / f"{provider}.yaml"


def load_spec(provider: str) -> dict[str, Any]:
    with spec_path(provider).open(encoding="utf-8") as file:
        spec: dict[str, Any] = yaml.safe_load(file)
    return spec


def success_example(provider: str, path: str, method: str = "post") -> dict[str, Any]:
    """The first example of the operation's lowest documented 2xx response.

    That is the body Prism answers a valid request with (static mode, no ``Prefer``).
    """
    responses: dict[str, Any] = load_spec(provider)["paths"][path][method]["responses"]
    for status in sorted(code for code in responses if code.startswith("2")):
        for content in responses[status].get("content", {}).values():
            examples = content.get("examples") or {}
            if examples:
                value: dict[str, Any] = next(iter(examples.values()))["value"]
                return value
    raise LookupError(f"{provider}: {method.upper()} {path} has no 2xx example")


# -- Prism ---------------------------------------------------------------------------


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def prism_executable() -> Path:
    """The Prism CLI; skips the calling test without it (fails under CI)."""
    configured = os.environ.get("PROVIDER_TOKENS_PRISM")
    candidate = Path(configured) if configured else PRISM_DEFAULT
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    where = f"PROVIDER_TOKENS_PRISM={configured}" if configured else str(PRISM_DEFAULT)
    message = f"Stoplight Prism not found ({where}); {INSTALL_HINT}"
    if in_ci():
        pytest.fail(f"{message}. CI is set: the Prism contract tests must run.", pytrace=False)
    pytest.skip(message)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class PrismMock:
    """One ``prism mock <spec> --errors`` process in its own process group."""

    provider: str
    spec: Path
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, prism: Path) -> None:
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                str(prism),
                "mock",
                str(self.spec),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--errors",
            ],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as one at teardown
        )

    def ready(self) -> bool:
        """Whether the port answers; raises if Prism has already exited."""
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(
                f"prism mock {self.spec.name} exited with {self.process.returncode}:\n{self.log()}"
            )
        return _answers(self.port)

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-4000:]
        except OSError:
            return "<no log>"

    def stop(self) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=STOP_TIMEOUT)
        if self._log is not None:
            self._log.close()
            self._log = None


@contextlib.contextmanager
def prism_mocks(
    prism: Path, log_dir: Path, providers: tuple[str, ...] = PROVIDERS
) -> Iterator[Mapping[str, PrismMock]]:
    """Start one Prism mock per provider, all at once; yield them when every port answers."""
    mocks = {
        p: PrismMock(p, spec_path(p), free_port(), log_dir / f"prism-{p}.log") for p in providers
    }
    try:
        for mock in mocks.values():
            mock.start(prism)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        waiting = set(mocks)
        while waiting:
            waiting = {p for p in waiting if not mocks[p].ready()}
            if waiting and time.monotonic() > deadline:
                logs = "\n".join(f"--- {p}:\n{mocks[p].log()}" for p in sorted(waiting))
                raise RuntimeError(
                    f"Prism did not listen within {STARTUP_TIMEOUT:.0f} s "
                    f"({', '.join(sorted(waiting))}):\n{logs}"
                )
            if waiting:
                time.sleep(0.1)
        yield mocks
    finally:
        for mock in mocks.values():
            mock.stop()
