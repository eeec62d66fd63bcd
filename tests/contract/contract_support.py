"""Shared by the contract tests: the specs, and Stoplight Prism mock servers over them.

The specs are read from ``specs/`` unless ``PROVIDER_TOKENS_CONTRACT_SPECS`` names
another directory holding the same files, one per registered provider (used to show
that the contract tests fail when a spec and the code disagree, without touching the
real specs).

Prism is found through ``PROVIDER_TOKENS_PRISM`` (set by ``make pytest``), else at
``tools/prism/node_modules/.bin/prism`` (installed by ``make prism``). Without it
the Prism tests skip, except under CI (``CI`` set), where they fail.

The ``prism`` fixture (import it, and list it in the module's ``__all__``) is one
Prism mock per provider, started once for the whole session, whichever module asks
first. ``Wire`` and ``make_source`` build the real token sources pointed at them;
``assert_prism_rejects`` and ``assert_source_fails_without`` are the checks the shared
Prism tests run on each provider's requests.

Each registered provider's own contract module (``test_contract_<name>.py``) declares
the data the shared tests run over, read through ``provider_contract``: ``BROKEN``
(requests Prism must refuse), ``STRIPPED`` (a header taken off the source's requests,
the status and the error that follow), ``HAND_MADE`` (hand-made requests to the fake
and their statuses) with ``hand_made(fake, name)`` building each, and optionally
``check_hand_made(name, response)``, further checks on a hand-made request's answer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import json
import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import httpx
import pytest
import yaml

from provider_tokens import TokenEndpointError, TokenSource
from provider_tokens._registry import PROVIDERS as DECLARED
from provider_tokens.testing import CREDENTIALS, PROVIDERS, FakeProviders, ManualClock
from provider_tokens.testing._servers import free_port

from cases import BY_NAME

if TYPE_CHECKING:
    from schemathesis import Case, Response

__all__ = [
    "BASIC",
    "FORM",
    "Broken",
    "PrismMock",
    "ProviderContract",
    "Stripped",
    "Wire",
    "assert_prism_rejects",
    "assert_source_fails_without",
    "example_expiry",
    "example_token",
    "load_spec",
    "make_source",
    "prism",
    "prism_executable",
    "prism_mocks",
    "provider_contract",
    "spec_path",
    "success_example",
    "token_path",
]

ROOT = Path(__file__).resolve().parents[2]
PRISM_DEFAULT = ROOT / "tools" / "prism" / "node_modules" / ".bin" / "prism"
INSTALL_HINT = "install it with `make prism` (runs `npm ci` in tools/prism)"
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def specs_dir() -> Path:
    """Where the specs are read from (``specs/``, or the override)."""
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


_MOCKS = pytest.StashKey[Mapping[str, PrismMock]]()


@pytest.fixture(scope="module")
def prism(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Mapping[str, PrismMock]:
    """One Prism mock per provider, started in parallel on first use; shared by every
    module that asks, stopped when the session ends."""
    config = request.config
    if _MOCKS not in config.stash:
        executable = prism_executable()
        stack = contextlib.ExitStack()
        config.add_cleanup(stack.close)
        config.stash[_MOCKS] = stack.enter_context(
            prism_mocks(executable, tmp_path_factory.mktemp("prism"))
        )
    return config.stash[_MOCKS]


# -- the real token sources, pointed at Prism --------------------------------------------


class Wire:
    """httpx clients for the sources under test; they record every answer Prism gives.

    ``on_request`` may alter each request on its way out (after the source's own
    credentials are on it). ``async with Wire() as wire`` closes the clients.
    """

    def __init__(self, on_request: Callable[[httpx.Request], None] | None = None) -> None:
        self.responses: list[httpx.Response] = []
        self._on_request = on_request
        self._client = httpx.Client(
            event_hooks={"request": [self._request], "response": [self._response]}
        )
        self._async_client = httpx.AsyncClient(
            event_hooks={"request": [self._arequest], "response": [self._aresponse]}
        )

    async def __aenter__(self) -> Wire:
        return self

    async def __aexit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        self._client.close()
        await self._async_client.aclose()
        if exc is not None:  # say what Prism found wrong with the requests, if anything
            for note in self.violations():
                exc.add_note(note)

    def violations(self) -> list[str]:
        return [
            f"Prism, on {r.request.method} {r.request.url.path} -> {r.status_code}: "
            + "; ".join(v["message"] for v in json.loads(r.headers["sl-violations"]))
            for r in self.responses
            if "sl-violations" in r.headers
        ]

    def _request(self, request: httpx.Request) -> None:
        if self._on_request is not None:
            self._on_request(request)

    async def _arequest(self, request: httpx.Request) -> None:
        self._request(request)

    def _response(self, response: httpx.Response) -> None:
        self.responses.append(response)

    async def _aresponse(self, response: httpx.Response) -> None:
        self._response(response)

    def clients(self) -> dict[str, Any]:
        return {"http_client": self._client, "async_http_client": self._async_client}

    def exchanges(self) -> list[tuple[str, str]]:
        return [(r.request.method, r.request.url.path) for r in self.responses]

    def assert_no_violations(self) -> None:
        assert self.responses, "no request reached Prism"
        assert self.violations() == []


def token_path(provider: str) -> str:
    """The provider's token operation."""
    return DECLARED[provider].token_path


def example_token(provider: str) -> str:
    """The access token in the spec's success example of the token operation."""
    case = BY_NAME[provider]
    token = case.members(success_example(provider, token_path(provider)))
    value = token[case.fields["access_token"]]
    assert isinstance(value, str)
    return value


def example_expiry(provider: str) -> dt.datetime | None:
    """The absolute expiry in that example, for a provider that gives one."""
    case = BY_NAME[provider]
    if "expires_at" not in case.fields:
        return None
    token = case.members(success_example(provider, token_path(provider)))
    value: str = token[case.fields["expires_at"]]
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


# Constructor keywords that are not credentials, left as the fake has them.
_SETTINGS = {"redirect_uri", "auth_method", "account_id"}


def make_source(provider: str, base_url: str, wire: Wire, **extra: Any) -> TokenSource:
    """The provider's real token source, pointed at Prism.

    Prism takes any credential values; each source gets its own (a unique suffix),
    so that no token is shared between sources and every source asks Prism itself.
    A required credential the fake's test client has not (a refresh token from an
    earlier consent) is made up the same way.
    """
    unique = uuid.uuid4().hex[:12]
    kwargs: dict[str, Any] = {
        key: value if key in _SETTINGS else f"{value}-{unique}"
        for key, value in CREDENTIALS[provider].items()
    }
    kwargs.update(wire.clients(), base_url=base_url, max_retries=0, **extra)
    expiry = example_expiry(provider)
    if expiry is not None:
        # The example's absolute expiry may lie in the past: run the source an hour
        # before it. Nothing here waits on time (no retries): a clock standing still will do.
        kwargs.setdefault("clock", ManualClock(expiry - dt.timedelta(hours=1)))
    for key in DECLARED[provider].required:
        kwargs.setdefault(key, f"{key}-from-an-earlier-consent-{unique}")
    return BY_NAME[provider].source_class(**kwargs)


# -- the checks the shared Prism tests run on each provider's requests ----------------------

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
BASIC = {"Authorization": "Basic dXNlcjpwYXNz"}  # user:pass


def assert_prism_rejects(
    mock: PrismMock, method: str, path: str, headers: dict[str, str], body: str, status: int
) -> None:
    """Prism answers a request that breaks the spec with ``status`` and an Error violation."""
    response = httpx.request(
        method, mock.base_url + path, headers=headers, content=body, timeout=10
    )
    assert response.status_code == status, response.text
    violations = json.loads(response.headers["sl-violations"])
    assert any(v["severity"] == "Error" for v in violations), violations


def _drop(header: str) -> Callable[[httpx.Request], None]:
    def hook(request: httpx.Request) -> None:
        del request.headers[header]

    return hook


async def assert_source_fails_without(
    mock: PrismMock, header: str, status: int, error: type[TokenEndpointError]
) -> None:
    """The provider's source, with ``header`` taken off each request on its way out,
    gets ``status`` from Prism, as ``error``, sync and async."""
    async with Wire(on_request=_drop(header)) as wire:
        async with make_source(mock.provider, mock.base_url, wire) as source:
            with pytest.raises(error) as sync_error:
                source.token()
            with pytest.raises(error) as async_error:
                await source.atoken()
    assert sync_error.value.status_code == async_error.value.status_code == status
    assert len(wire.responses) == 2
    assert all("sl-violations" in r.headers for r in wire.responses)


# -- each provider's own contract module ---------------------------------------------------

# What is wrong, method, path, headers, body, the status Prism answers.
Broken = tuple[str, str, str, dict[str, str], str, int]
# The header taken off each request, the status Prism answers, the error the source raises.
Stripped = tuple[str, int, type[TokenEndpointError]]

CONTRACT_TESTS = Path(__file__).resolve().parent
# What every provider's contract module must declare.
REQUIRED = ("BROKEN", "STRIPPED", "HAND_MADE", "hand_made")


@dataclass(frozen=True)
class ProviderContract:
    """What ``test_contract_<name>.py`` declares for the shared contract tests."""

    name: str
    broken: list[Broken]
    stripped: list[Stripped]
    # Each hand-made request's name and the status it must get.
    hand_made_requests: list[tuple[str, int]]
    hand_made: Callable[[FakeProviders, str], Case[Any]]
    check_hand_made: Callable[[str, Response], None] | None


@cache
def provider_contract(name: str) -> ProviderContract:
    """Provider ``name``'s contract module, read; an ImportError if it is missing, is
    not the one in this directory, or lacks one of ``REQUIRED``.

    Pytest's "prepend" import mode puts this directory on ``sys.path`` and imports each
    test module by its basename, so this is the very module pytest collects.
    """
    module = importlib.import_module(f"test_contract_{name}")
    expected = CONTRACT_TESTS / f"test_contract_{name}.py"
    if module.__file__ is None or Path(module.__file__).resolve() != expected:
        raise ImportError(f"{module.__name__} is {module.__file__}, not {expected}")
    missing = [attribute for attribute in REQUIRED if not hasattr(module, attribute)]
    if missing:
        raise ImportError(
            f"{expected.name} must declare {', '.join(missing)} for the shared contract tests"
        )
    if not callable(module.hand_made):
        raise ImportError(f"{expected.name}: hand_made must be a function (fake, name)")
    return ProviderContract(
        name=name,
        broken=list(module.BROKEN),
        stripped=list(module.STRIPPED),
        hand_made_requests=list(module.HAND_MADE),
        hand_made=module.hand_made,
        check_hand_made=getattr(module, "check_hand_made", None),
    )
