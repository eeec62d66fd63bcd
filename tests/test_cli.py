"""The provider-tokens command: output formats, exit codes, and no secrets on failure."""

from __future__ import annotations

import json

import pytest

from provider_tokens._cli import main
from provider_tokens._env import VARIABLES
from provider_tokens._registry import NAMES, PROVIDERS
from provider_tokens.testing import CREDENTIALS, FakeProviders, Fault

from cases import CASES, EXAMPLE, Case
from cli_support import cli_fake, env, fake_server, free_port, run, run_process

# Fixtures from cli_support, requested by name.
__all__ = ["cli_fake", "env"]

# Each provider with each keyword its command cannot do without.
REQUIRED = [(name, key) for name, p in PROVIDERS.items() for key in p.required]


def _misuse() -> list[tuple[str, ...]]:
    """A --scope for each provider that takes none, and for each an environment that
    another provider has and it has not."""
    every = [e for p in PROVIDERS.values() for e in p.environments]
    argvs: list[tuple[str, ...]] = []
    for name, provider in PROVIDERS.items():
        if not provider.scoped:
            argvs.append(("token", name, "--scope", "openapi"))
        foreign = [e for e in every if e not in provider.environments]
        if foreign:
            argvs.append(("token", name, "--environment", foreign[0]))
    return argvs


@pytest.mark.parametrize("provider", NAMES)
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


@pytest.mark.parametrize("case", CASES, ids=str)
def test_header_format(case: Case, env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "token", case.name, "--format", "header")
    assert code == 0
    assert out.startswith(f"{case.header}: {case.scheme}")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bare_token_format(
    case: Case, env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    scope = ("--scope", case.scope) if case.scope else ()
    code, out, _ = run(capsys, "token", case.name, "--format", "token", *scope)
    assert code == 0
    assert out.strip()
    assert " " not in out.strip()


@pytest.mark.parametrize(("provider", "key"), REQUIRED, ids=["-".join(r) for r in REQUIRED])
def test_missing_credentials_name_the_variable(
    provider: str,
    key: str,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    variable = VARIABLES[provider][key]
    monkeypatch.delenv(variable)
    code, out, err = run(capsys, "token", provider)
    assert (code, out) == (2, "")
    assert variable in err


@pytest.mark.parametrize("argv", _misuse(), ids=" ".join)
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


@pytest.mark.parametrize("case", CASES, ids=str)
def test_refusal_exits_3_with_details_and_no_secret(
    case: Case,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    refusal = case.wrong_secret
    monkeypatch.setenv(VARIABLES[case.name][case.secret], "wrong-CANARY-secret")
    code, out, err = run(capsys, "token", case.name)
    assert (code, out) == (3, "")
    assert f"provider={case.name} status={refusal.status} error_code={refusal.code}" in err
    assert "description=" in err
    assert "CANARY" not in err


def test_transport_failure_exits_4(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()  # nobody listens on it
    code, out, err = run(capsys, "token", EXAMPLE.name, "--base-url", f"http://127.0.0.1:{port}")
    assert (code, out) == (4, "")
    assert err == (
        f"provider-tokens: {EXAMPLE.name}: cannot connect to 127.0.0.1:{port}: connection refused\n"
    )
    assert CREDENTIALS[EXAMPLE.name][EXAMPLE.secret] not in err


@pytest.mark.parametrize("provider", NAMES)
def test_a_broken_response_exits_3(
    provider: str, cli_fake: FakeProviders, env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    cli_fake.inject(provider, Fault.html(200))
    code, _, err = run(capsys, "token", provider)
    assert code == 3
    assert err.startswith(f"provider-tokens: {provider}: ")


def test_help_names_every_credential_variable(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["token", "--help"])
    out = capsys.readouterr().out
    for variables in VARIABLES.values():
        for name in variables.values():
            assert name in out


def test_fake_server_and_token_from_another_process() -> None:
    # `provider-tokens fake-server` in one process, `provider-tokens token` in another.
    with fake_server("--port", "0") as (comments, exports):
        assert comments[0].startswith("# fake providers on http://127.0.0.1:")
        assert len(comments) == 1  # loopback: nothing more to say
        done = run_process("token", EXAMPLE.name, env=exports)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["provider"] == EXAMPLE.name


def test_demo_shows_every_provider(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo")
    assert code == 0
    for case in CASES:
        for line in case.demo():
            assert line in out


def test_a_failure_line_carries_the_errors_notes() -> None:
    from provider_tokens import ServerError
    from provider_tokens._cli import describe

    error = ServerError("p: 503", provider="p", status_code=503)
    error.add_note("not retried: the refresh_token request may have reached the provider")
    line = describe(error)
    assert line.startswith("the provider failed (503): provider=p status=503")
    assert line.endswith("; not retried: the refresh_token request may have reached the provider")
