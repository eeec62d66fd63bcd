"""Recording, reset, credentials, environment, URLs and reprs of ``FakeProviders``."""

from __future__ import annotations

import inspect
import shlex
import threading

import httpx
import pytest

from provider_tokens import GmoAozora, MoneyKit
from provider_tokens.testing import (
    CREDENTIALS,
    GMO_AOZORA_POST_CREDENTIALS,
    PROVIDERS,
    FakeProviders,
    Fault,
    ManualClock,
)

from fake_support import CLASSES, client, fake

# Fixtures from fake_support, requested by name.
__all__ = ["client", "fake"]

SECRETS = [
    value
    for creds in (*CREDENTIALS.values(), GMO_AOZORA_POST_CREDENTIALS)
    for key, value in creds.items()
    if "secret" in key or "pass" in key or "key" in key
]


def test_requests_are_recorded_as_received() -> None:
    clock = ManualClock()
    with (
        FakeProviders(serve=False, clock=clock.time) as fake,
        httpx.Client(transport=fake.transport()) as client,
    ):
        client.post(
            fake.base_url("moneykit") + "/auth/token?debug=1",
            data={"grant_type": "client_credentials", "scope": "link:data:read"},
            headers={"MoneyKit-Version": "2023-02-18"},
            auth=("id", "secret"),
        )

    (sent,) = fake.requests("moneykit")
    assert (sent.provider, sent.method, sent.path) == ("moneykit", "POST", "/auth/token")
    assert sent.query == {"debug": "1"}
    assert sent.headers["moneykit-version"] == sent.headers["MONEYKIT-VERSION"] == "2023-02-18"
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
    assert [r.path for r in fake.requests("melio")] == ["/nowhere"]


def test_recording_is_thread_safe(fake: FakeProviders) -> None:
    def hammer() -> None:
        transport = None if fake.serve else fake.transport()
        with httpx.Client(transport=transport) as client:
            for _ in range(10):
                client.post(fake.base_url("smscx") + "/oauth/token")

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(fake.requests("smscx")) == 80


def test_reset_forgets_requests_faults_and_tokens(fake: FakeProviders) -> None:
    with MoneyKit(**fake.credentials("moneykit")) as source:
        token = source.token()
    fake.inject("moneykit", Fault.status(500), times=None)

    fake.reset()

    assert fake.requests() == []
    assert not fake.is_valid_token("moneykit", token.access_token)
    with MoneyKit(**fake.credentials("moneykit")) as source:
        assert source.token().access_token  # the fault is gone too


def test_unknown_prefix_is_404_and_not_recorded(fake: FakeProviders, client: httpx.Client) -> None:
    response = client.post(fake.origin + "/paypal/token")

    assert response.status_code == 404
    assert "/moneykit" in response.text
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


def test_post_credentials_exist_only_for_aozora(fake: FakeProviders) -> None:
    assert fake.credentials("gmo_aozora", auth_method="post")["auth_method"] == "post"
    with pytest.raises(ValueError, match="gmo_aozora"):
        fake.credentials("moneykit", auth_method="post")
    with pytest.raises(ValueError, match="unknown provider"):
        fake.credentials("paypal")


def test_environment_names_the_cli_variables(fake: FakeProviders) -> None:
    env = fake.environment()

    assert set(env) == {
        "GMO_PG_SHOP_ID", "GMO_PG_SHOP_PASS", "GMO_PG_BASE_URL",
        "GMO_AOZORA_CLIENT_ID", "GMO_AOZORA_CLIENT_SECRET", "GMO_AOZORA_REFRESH_TOKEN",
        "GMO_AOZORA_REDIRECT_URI", "GMO_AOZORA_AUTH_METHOD", "GMO_AOZORA_BASE_URL",
        "MONEYKIT_CLIENT_ID", "MONEYKIT_CLIENT_SECRET", "MONEYKIT_BASE_URL",
        "SMSCX_APPLICATION_ID", "SMSCX_APPLICATION_SECRET", "SMSCX_BASE_URL",
        "MELIO_API_KEY", "MELIO_ACCOUNT_ID", "MELIO_BASE_URL",
    }  # fmt: skip
    assert env["MONEYKIT_BASE_URL"] == fake.base_url("moneykit")
    assert fake.environment("melio") == {
        "MELIO_API_KEY": CREDENTIALS["melio"]["api_key"],
        "MELIO_ACCOUNT_ID": CREDENTIALS["melio"]["account_id"],
        "MELIO_BASE_URL": fake.base_url("melio"),
    }


def test_the_environment_refresh_token_works(fake: FakeProviders) -> None:
    env = fake.environment("gmo_aozora")
    transport = {} if fake.serve else {"http_client": fake.credentials("gmo_aozora")["http_client"]}

    with GmoAozora(
        env["GMO_AOZORA_CLIENT_ID"],
        env["GMO_AOZORA_CLIENT_SECRET"],
        redirect_uri=env["GMO_AOZORA_REDIRECT_URI"],
        base_url=env["GMO_AOZORA_BASE_URL"],
        refresh_token=env["GMO_AOZORA_REFRESH_TOKEN"],
        **transport,
    ) as source:
        assert source.token().refresh_token != env["GMO_AOZORA_REFRESH_TOKEN"]


def test_export_lines_parse_back_as_shell() -> None:
    with FakeProviders() as fake:
        lines = fake.export_lines()

    assert all(line.startswith("export ") for line in lines)
    parsed = dict(shlex.split(line)[1].split("=", 1) for line in lines)
    assert parsed["SMSCX_APPLICATION_ID"] == CREDENTIALS["smscx"]["application_id"]
    assert parsed["GMO_PG_BASE_URL"].endswith("/gmo_payment")
    with FakeProviders(serve=False) as fake, pytest.raises(RuntimeError, match="loopback"):
        fake.export_lines()


def test_server_lifecycle_and_configurable_port() -> None:
    fake = FakeProviders()
    with pytest.raises(RuntimeError, match="not serving"):
        fake.base_url("melio")
    assert "not started" in repr(fake)
    with fake:
        port = int(fake.origin.rsplit(":", 1)[1])
        httpx.post(fake.base_url("melio") + "/auth/token")
    with FakeProviders(port=port) as again:
        assert again.origin == f"http://127.0.0.1:{port}"
    assert fake.requests("melio")[0].path == "/auth/token"
    with pytest.raises(httpx.ConnectError):
        httpx.post(f"http://127.0.0.1:{port}/melio/auth/token")


def test_reprs_show_no_secrets(fake: FakeProviders, client: httpx.Client) -> None:
    for provider in PROVIDERS:
        fake.credentials(provider)
    client.post(
        fake.base_url("melio") + "/auth/token",
        headers={"API-Key": CREDENTIALS["melio"]["api_key"], "Idempotency-Key": "k"},
    )
    shown = repr(fake) + repr(fake.requests()) + repr(fake.transport())

    assert fake.origin in repr(fake)
    assert "api-key: <redacted>" in shown.lower()
    for secret in SECRETS:
        assert secret not in shown
