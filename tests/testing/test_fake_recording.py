"""Recording, reset, credentials, environment, URLs and reprs of ``FakeProviders``."""

from __future__ import annotations

import inspect
import shlex
import threading

import httpx
import pytest

from provider_tokens._registry import PROVIDERS as DECLARED
from provider_tokens.testing import CREDENTIALS, PROVIDERS, FakeProviders, Fault, ManualClock

from cases import EXAMPLE
from fake_support import CLASSES, client, fake, make_source

# Fixtures from fake_support, requested by name.
__all__ = ["client", "fake"]

# The provider these tests record, and its token endpoint.
NAME = EXAMPLE.name
TOKEN_PATH = DECLARED[NAME].token_path


def test_requests_are_recorded_as_received() -> None:
    clock = ManualClock()
    with (
        FakeProviders(serve=False, clock=clock.time) as fake,
        httpx.Client(transport=fake.transport()) as client,
    ):
        client.post(
            fake.base_url(NAME) + TOKEN_PATH + "?debug=1",
            data={"grant_type": "client_credentials", "scope": "link:data:read"},
            headers={"Api-Version": "2023-02-18"},
            auth=("id", "secret"),
        )

    (sent,) = fake.requests(NAME)
    assert (sent.provider, sent.method, sent.path) == (NAME, "POST", TOKEN_PATH)
    assert sent.query == {"debug": "1"}
    assert sent.headers["api-version"] == sent.headers["API-VERSION"] == "2023-02-18"
    assert sent.form == {"grant_type": "client_credentials", "scope": "link:data:read"}
    assert sent.body == b"grant_type=client_credentials&scope=link%3Adata%3Aread"
    assert sent.time == clock.time()
    assert sent.fault is None


def test_recording_over_the_wire_keeps_order_and_provider(
    fake: FakeProviders, client: httpx.Client
) -> None:
    for provider in PROVIDERS:
        client.post(fake.base_url(provider) + "/nowhere", json={"a": 1})

    assert [r.provider for r in fake.requests()] == list(PROVIDERS)
    assert all(r.form == {} and r.body == b'{"a":1}' for r in fake.requests())
    for provider in PROVIDERS:
        assert [r.path for r in fake.requests(provider)] == ["/nowhere"]


def test_recording_is_thread_safe(fake: FakeProviders) -> None:
    def hammer() -> None:
        transport = None if fake.serve else fake.transport()
        with httpx.Client(transport=transport) as client:
            for _ in range(10):
                client.post(fake.base_url(NAME) + TOKEN_PATH)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(fake.requests(NAME)) == 80


def test_reset_forgets_requests_faults_and_tokens(fake: FakeProviders) -> None:
    with make_source(fake, NAME) as source:
        token = source.token()
    fake.inject(NAME, Fault.status(500), times=None)

    fake.reset()

    assert fake.requests() == []
    assert not fake.is_valid_token(NAME, token.access_token)
    with make_source(fake, NAME) as source:
        assert source.token().access_token  # the fault is gone too


def test_unknown_prefix_is_404_and_not_recorded(fake: FakeProviders, client: httpx.Client) -> None:
    response = client.post(fake.origin + "/paypal/token")

    assert response.status_code == 404
    for provider in PROVIDERS:  # the known ones are named
        assert f"/{provider}" in response.text
    assert fake.requests() == []


@pytest.mark.parametrize("provider", PROVIDERS)
def test_credentials_are_constructor_kwargs(fake: FakeProviders, provider: str) -> None:
    kwargs = fake.credentials(provider)

    parameters = inspect.signature(CLASSES[provider]).parameters
    assert set(kwargs) - {"http_client", "async_http_client"} <= set(parameters)
    assert kwargs["base_url"] == f"{fake.origin}/{provider}"
    if fake.serve:
        assert kwargs["base_url"].startswith("http://127.0.0.1:")
        assert "http_client" not in kwargs
    else:
        assert kwargs["base_url"] == f"https://providers.fake.invalid/{provider}"
        assert isinstance(kwargs["http_client"], httpx.Client)
        assert isinstance(kwargs["async_http_client"], httpx.AsyncClient)


def test_environment_names_the_cli_variables(fake: FakeProviders) -> None:
    env = fake.environment()

    assert set(env) == {v for p in DECLARED.values() for v in p.variables.values()}
    for name, provider in DECLARED.items():
        variables = provider.variables
        assert env[variables["base_url"]] == fake.base_url(name)
        own = fake.environment(name)
        assert set(own) == set(variables.values())
        assert own[variables["base_url"]] == fake.base_url(name)
        for key, value in CREDENTIALS[name].items():
            if key in variables:
                assert own[variables[key]] == value


def test_export_lines_parse_back_as_shell() -> None:
    with FakeProviders() as fake:
        lines = fake.export_lines()

    assert all(line.startswith("export ") for line in lines)
    parsed = dict(shlex.split(line)[1].split("=", 1) for line in lines)
    for name, provider in DECLARED.items():
        variables = provider.variables
        for key, value in CREDENTIALS[name].items():
            if key in variables:
                assert parsed[variables[key]] == value
        assert parsed[variables["base_url"]].endswith(f"/{name}")
    with FakeProviders(serve=False) as fake, pytest.raises(RuntimeError, match="loopback"):
        fake.export_lines()


def test_server_lifecycle_and_configurable_port() -> None:
    fake = FakeProviders()
    with pytest.raises(RuntimeError, match="not serving"):
        fake.base_url(NAME)
    assert "not started" in repr(fake)
    with fake:
        port = int(fake.origin.rsplit(":", 1)[1])
        httpx.post(fake.base_url(NAME) + TOKEN_PATH)
    with FakeProviders(port=port) as again:
        assert again.origin == f"http://127.0.0.1:{port}"
    assert fake.requests(NAME)[0].path == TOKEN_PATH
    with pytest.raises(httpx.ConnectError):
        httpx.post(f"http://127.0.0.1:{port}/{NAME}{TOKEN_PATH}")
