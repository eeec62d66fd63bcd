"""The provider-tokens command: output formats, exit codes, and no secrets on failure."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from provider_tokens._cli import main
from provider_tokens._env import VARIABLES
from provider_tokens.testing import CREDENTIALS, FakeProviders, Fault


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeProviders]:
    with FakeProviders() as providers:
        yield providers


@pytest.fixture
def env(fake: FakeProviders, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for variables in VARIABLES.values():
        for name in variables.values():
            monkeypatch.delenv(name, raising=False)
    values = fake.environment()
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("provider", ["gmo_payment", "gmo_aozora", "moneykit", "smscx", "melio"])
def test_token_prints_json(
    provider: str, env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "token", provider)
    assert (code, err) == (0, "")
    printed = json.loads(out)
    assert printed["provider"] == provider
    assert printed["token_type"] == "Bearer"
    assert printed["access_token"]
    assert printed["expires_in"] > 0


def test_header_and_bare_token_formats(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "token", "moneykit", "--format", "header")
    assert code == 0
    assert out.startswith("Authorization: Bearer ")
    code, out, _ = run(capsys, "token", "smscx", "--format", "token", "--scope", "sms")
    assert code == 0
    assert out.strip()
    assert " " not in out.strip()


def test_gmo_aozora_header_and_rotated_refresh_token(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "token", "gmo_aozora", "--format", "header")
    assert code == 0
    assert out.startswith("x-access-token: ")
    # The refresh token in the environment is now spent: say which one replaces it.
    assert err.startswith("export GMO_AOZORA_REFRESH_TOKEN=")
    assert env["GMO_AOZORA_REFRESH_TOKEN"] not in err


def test_missing_credentials_name_the_variable(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("MONEYKIT_CLIENT_SECRET")
    code, out, err = run(capsys, "token", "moneykit")
    assert (code, out) == (2, "")
    assert "MONEYKIT_CLIENT_SECRET" in err


@pytest.mark.parametrize(
    "argv",
    [
        ("token", "gmo_payment", "--scope", "openapi"),
        ("token", "moneykit", "--environment", "sandbox"),
        ("token", "melio", "--environment", "staging"),
    ],
)
def test_flag_misuse_is_a_usage_error(
    argv: tuple[str, ...], env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.startswith("provider-tokens: ")


def test_unknown_provider_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["token", "paypal"])
    assert caught.value.code == 2


def test_refusal_exits_3_with_details_and_no_secret(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SMSCX_APPLICATION_SECRET", "wrong-CANARY-secret")
    code, out, err = run(capsys, "token", "smscx")
    assert (code, out) == (3, "")
    assert "provider=smscx status=401 error_code=invalid_client" in err
    assert "description=" in err
    assert "CANARY" not in err


def test_transport_failure_exits_4(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, out, err = run(capsys, "token", "moneykit", "--base-url", f"http://127.0.0.1:{port}")
    assert (code, out) == (4, "")
    assert "ConnectError" in err
    assert CREDENTIALS["moneykit"]["client_secret"] not in err


def test_a_broken_response_exits_3(
    fake: FakeProviders, env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    fake.inject("melio", Fault.html(200))
    code, _, err = run(capsys, "token", "melio")
    assert code == 3
    assert err.startswith("provider-tokens: melio: ")


def test_help_names_every_credential_variable(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["token", "--help"])
    out = capsys.readouterr().out
    for variables in VARIABLES.values():
        for name in variables.values():
            assert name in out


def test_fake_server_and_token_from_another_process() -> None:
    # `provider-tokens fake-server` in one process, `provider-tokens token` in another.
    command = [sys.executable, "-m", "provider_tokens", "fake-server", "--port", "0"]
    expected = sum(len(v) for v in VARIABLES.values())
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, start_new_session=True
    ) as server:
        try:
            assert server.stdout is not None
            assert server.stdout.readline().startswith("# fake providers on http://127.0.0.1:")
            exports: dict[str, str] = {}
            while len(exports) < expected:
                name, _, value = (
                    server.stdout.readline().removeprefix("export ").strip().partition("=")
                )
                exports[name] = value.strip("'")
            done = subprocess.run(
                [sys.executable, "-m", "provider_tokens", "token", "moneykit"],
                capture_output=True,
                text=True,
                env={**os.environ, **exports},
                timeout=60,
                check=False,
            )
            assert done.returncode == 0, done.stderr
            assert json.loads(done.stdout)["provider"] == "moneykit"
        finally:
            os.killpg(server.pid, signal.SIGINT)
            assert server.wait(timeout=10) == 0


def test_demo_shows_every_provider(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo")
    assert code == 0
    for row in [
        "gmo_payment",
        "moneykit",
        "smscx",
        "melio",
        "gmo_aozora (code)",
        "gmo_aozora (refresh)",
    ]:
        assert f"\n{row} " in out
    assert "refresh token rotated: yes" in out
