"""The provider-tokens command's failures, against real sockets: one line each, with
its documented exit code, naming the host and the reason and never a credential."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from provider_tokens import ServerError
from provider_tokens._cli import (
    ALLOW_INSECURE_HTTP_ENV,
    EXIT_CANNOT_SERVE,
    EXIT_REFUSED,
    EXIT_TRANSPORT,
    EXIT_USAGE,
    describe,
    main,
)
from provider_tokens._registry import NAMES
from provider_tokens.testing import CREDENTIALS, FakeProviders, Fault

from cases import EXAMPLE
from cli_support import cli_fake, env, fake_server, free_port, outward_address, run, run_process

# Fixtures from cli_support, requested by name.
__all__ = ["cli_fake", "env"]

SECRET = CREDENTIALS[EXAMPLE.name][EXAMPLE.secret]
INSECURE = "--allow-insecure-http"


def _one_line(err: str) -> str:
    assert err.endswith("\n")
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err.rstrip("\n")


@pytest.fixture
def faults(cli_fake: FakeProviders) -> Iterator[FakeProviders]:
    yield cli_fake
    cli_fake.clear_faults()


# -- fake-server: cannot serve ------------------------------------------------------------


def test_fake_server_on_a_busy_port_exits_5(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out, err = run(capsys, "fake-server", "--port", str(port))
    assert (code, out) == (EXIT_CANNOT_SERVE, "")
    assert _one_line(err) == (
        f"provider-tokens: cannot serve on 127.0.0.1:{port}: address already in use; "
        "pick another --port, or 0 for a free one"
    )


def test_fake_server_on_an_address_not_this_machines_exits_5(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "fake-server", "--host", "203.0.113.7")  # TEST-NET-3
    assert (code, out) == (EXIT_CANNOT_SERVE, "")
    assert _one_line(err) == (
        "provider-tokens: cannot serve on 203.0.113.7: 203.0.113.7 is not an address of "
        "this machine; try 127.0.0.1 or 0.0.0.0"
    )


def test_fake_server_on_a_host_that_does_not_resolve_exits_5(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "fake-server", "--host", "fake.example.invalid")
    assert (code, out) == (EXIT_CANNOT_SERVE, "")
    assert _one_line(err).startswith(
        "provider-tokens: cannot serve on fake.example.invalid: "
        "cannot resolve 'fake.example.invalid': "
    )


@pytest.mark.parametrize("port", ["70000", "-1", "http"])
def test_fake_server_with_a_port_out_of_range_is_a_usage_error(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["fake-server", "--port", port])
    assert caught.value.code == EXIT_USAGE
    assert "a port is a number from 0 to 65535" in capsys.readouterr().err


def test_fake_server_on_every_interface_prints_urls_that_work() -> None:
    with fake_server("--host", "0.0.0.0", "--port", "0") as (comments, exports):
        assert comments[0].startswith("# fake providers on http://127.0.0.1:")
        assert any("every interface" in c and INSECURE in c for c in comments[1:])
        urls = [v for k, v in exports.items() if k.endswith("_BASE_URL")]
        assert urls
        assert all(u.startswith("http://127.0.0.1:") for u in urls)
        done = run_process("token", EXAMPLE.name, env=exports)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["provider"] == EXAMPLE.name


# -- token: plain http to a host other than loopback ----------------------------------------


def test_plain_http_to_another_host_is_refused_naming_the_flag(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = "http://198.51.100.7:8765/" + EXAMPLE.name
    code, out, err = run(capsys, "token", EXAMPLE.name, "--base-url", url)
    assert (code, out) == (EXIT_USAGE, "")
    assert _one_line(err) == (
        f"provider-tokens: refusing to send {EXAMPLE.name} credentials over plain http to "
        f"198.51.100.7 (not loopback); use https, or pass {INSECURE} "
        f"(or {ALLOW_INSECURE_HTTP_ENV}=1)"
    )


@pytest.fixture(scope="module")
def outward_fake() -> Iterator[tuple[FakeProviders, str]]:
    address = outward_address()
    if address is None:
        pytest.skip("this machine has no address but loopback")
    with FakeProviders(host="0.0.0.0") as fake:
        yield fake, fake.origin.replace("0.0.0.0", address)


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_plain_http_to_another_host_with_the_flag_or_variable(
    how: str,
    outward_fake: tuple[FakeProviders, str],
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, origin = outward_fake
    argv = ["token", EXAMPLE.name, "--base-url", f"{origin}/{EXAMPLE.name}"]
    if how == "flag":
        argv.append(INSECURE)
    else:
        monkeypatch.setenv(ALLOW_INSECURE_HTTP_ENV, "1")
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert json.loads(out)["provider"] == EXAMPLE.name
    host = origin.removeprefix("http://")
    assert _one_line(err) == (
        f"provider-tokens: warning: sending {EXAMPLE.name} credentials over plain http to {host}"
    )


@pytest.mark.parametrize("value", ["0", "", "false"])
def test_the_variable_set_false_still_refuses(
    value: str,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(ALLOW_INSECURE_HTTP_ENV, value)
    code, _, err = run(capsys, "token", EXAMPLE.name, "--base-url", "http://198.51.100.7")
    assert code == EXIT_USAGE
    assert INSECURE in err


def test_the_variable_set_to_nonsense_is_a_usage_error(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(ALLOW_INSECURE_HTTP_ENV, "maybe")
    code, out, err = run(capsys, "token", EXAMPLE.name, "--base-url", "http://198.51.100.7")
    assert (code, out) == (EXIT_USAGE, "")
    expected = f"provider-tokens: {ALLOW_INSECURE_HTTP_ENV} must be 1 or 0, not 'maybe'"
    assert _one_line(err) == expected


# -- token: transport failures name the host and the reason ----------------------------------


def test_a_refused_connection_names_host_port_and_reason(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    code, out, err = run(capsys, "token", EXAMPLE.name, "--base-url", f"http://[::1]:{port}/x")
    assert (code, out) == (EXIT_TRANSPORT, "")
    assert _one_line(err) == (
        f"provider-tokens: {EXAMPLE.name}: cannot connect to [::1]:{port}: connection refused"
    )


def test_a_dns_failure_names_the_host_and_the_reason(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"https://{SECRET}@api.example.invalid/token?key={SECRET}"  # no secret shows
    code, out, err = run(capsys, "token", EXAMPLE.name, "--base-url", url)
    assert (code, out) == (EXIT_TRANSPORT, "")
    line = _one_line(err)
    prefix = f"provider-tokens: {EXAMPLE.name}: cannot connect to api.example.invalid: "
    assert line.startswith(prefix)
    reason = line.removeprefix(prefix)
    assert reason
    assert "Errno" not in reason
    assert "ConnectError" not in reason
    assert SECRET not in err


# -- token: endpoint errors by status class ---------------------------------------------------


@pytest.mark.parametrize("provider", NAMES)
def test_rate_limited_shows_the_wait(
    provider: str, faults: FakeProviders, env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    faults.inject(provider, Fault.status(429, retry_after=120), times=None)
    code, out, err = run(capsys, "token", provider)
    assert (code, out) == (EXIT_REFUSED, "")
    line = _one_line(err)
    assert line.startswith("provider-tokens: rate limited; retry after 120 s: ")
    assert f"provider={provider} status=429 " in line


@pytest.mark.parametrize("provider", NAMES)
def test_a_503_is_the_provider_failing_not_a_refusal(
    provider: str, faults: FakeProviders, env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    faults.inject(provider, Fault.status(503), times=None)  # every retry too
    code, out, err = run(capsys, "token", provider)
    assert (code, out) == (EXIT_REFUSED, "")
    line = _one_line(err)
    assert line.startswith("provider-tokens: the provider failed (503): ")
    assert f"provider={provider} status=503 " in line
    assert "refused" not in line


def test_a_5xx_with_a_retry_after_shows_it() -> None:
    error = ServerError("p: 503", provider="p", status_code=503, retry_after=29.2)
    assert describe(error).startswith("the provider failed (503); retry after 30 s: provider=p")
