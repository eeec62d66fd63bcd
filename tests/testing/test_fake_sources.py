"""The SDK's token sources against the fakes: both servings, sync and async.

``Source(**fake.credentials(provider))`` must just work, and the fakes' errors
must come out as the SDK's typed errors.
"""

from __future__ import annotations

import urllib.parse
import uuid

import httpx
import pytest

from provider_tokens import (
    GmoAozora,
    InvalidClientError,
    InvalidGrantError,
    InvalidScopeError,
    MoneyKit,
    TokenEndpointError,
)
from provider_tokens.stores import MemoryStore
from provider_tokens.testing import CREDENTIALS, FakeProviders

from fake_support import CLASSES, fake, make_source

# Fixtures from fake_support, requested by name.
__all__ = ["fake"]

# The sources that need only credentials: GMO Aozora's also needs a code or a refresh token.
SOURCES = [provider for provider in CLASSES if provider != "gmo_aozora"]


@pytest.mark.parametrize("provider", SOURCES)
def test_sync_source_gets_and_caches_a_token(fake: FakeProviders, provider: str) -> None:
    with make_source(fake, provider) as tokens:
        first = tokens.token()
        again = tokens.token()

    assert fake.is_valid_token(provider, first.access_token)
    assert again.access_token == first.access_token
    assert len(fake.requests(provider)) == 1
    assert first.expires_in() is not None


@pytest.mark.parametrize("provider", SOURCES)
async def test_async_source_gets_and_caches_a_token(fake: FakeProviders, provider: str) -> None:
    async with make_source(fake, provider) as tokens:
        first = await tokens.atoken()
        again = await tokens.atoken()

    assert fake.is_valid_token(provider, first.access_token)
    assert again.access_token == first.access_token
    assert len(fake.requests(provider)) == 1


def test_melio_source_sends_account_and_a_uuid_idempotency_key(fake: FakeProviders) -> None:
    with make_source(fake, "melio") as tokens:
        tokens.token()

    (sent,) = fake.requests("melio")
    assert sent.headers["melio-account"] == CREDENTIALS["melio"]["account_id"]
    assert uuid.UUID(sent.headers["idempotency-key"]).version == 4
    assert sent.body == b""


@pytest.mark.parametrize(
    ("provider", "overrides", "error", "status", "code"),
    [
        ("gmo_payment", {"shop_pass": "wrong"}, InvalidClientError, 401, "unauthorized_request"),
        ("moneykit", {"client_secret": "wrong"}, InvalidClientError, 401, None),
        ("moneykit", {"scope": "link:delete"}, InvalidClientError, 401, None),
        ("smscx", {"application_secret": "wrong"}, InvalidClientError, 401, "invalid_client"),
        ("smscx", {"scope": "viber"}, InvalidScopeError, 400, "invalid_scope"),
        ("melio", {"api_key": "wrong"}, InvalidClientError, 401, "unauthorized"),
    ],
)
def test_fake_errors_become_typed_sdk_errors(
    fake: FakeProviders,
    provider: str,
    overrides: dict[str, str],
    error: type[TokenEndpointError],
    status: int,
    code: str | None,
) -> None:
    with make_source(fake, provider, **overrides) as tokens, pytest.raises(error) as raised:
        tokens.token()

    assert raised.value.status_code == status
    assert raised.value.error_code == (code or "api_error.auth.unauthorized")


def test_moneykit_introspection_and_jwks_through_the_source(fake: FakeProviders) -> None:
    with MoneyKit(**fake.credentials("moneykit")) as tokens:
        client = tokens.introspect()
        jwks = tokens.jwks()

    assert client.client_id == CREDENTIALS["moneykit"]["client_id"]
    assert client.app.app_name == "FAKE MoneyKit app"
    assert [key.kty for key in jwks.keys] == ["EC"]
    paths = [r.path for r in fake.requests("moneykit")]
    assert paths == ["/auth/token", "/auth/introspect", "/.well-known/jwks.json"]


def test_aozora_exchanges_a_code_then_refreshes(fake: FakeProviders) -> None:
    with GmoAozora(**fake.credentials("gmo_aozora"), max_retries=0) as tokens:
        first = tokens.exchange_code(fake.authorization_code())
        tokens.invalidate()
        second = tokens.token()

    code_request, refresh_request = fake.requests("gmo_aozora")
    assert code_request.form["grant_type"] == "authorization_code"
    assert refresh_request.form == {
        "grant_type": "refresh_token",
        "refresh_token": first.refresh_token,
    }
    assert second.access_token != first.access_token
    assert second.refresh_token not in (None, first.refresh_token)
    assert fake.is_valid_token("gmo_aozora", second.access_token)


async def test_aozora_async_with_the_post_client(fake: FakeProviders) -> None:
    kwargs = fake.credentials("gmo_aozora", auth_method="post")
    async with GmoAozora(**kwargs, max_retries=0) as tokens:
        first = await tokens.aexchange_code(fake.authorization_code(auth_method="post"))
        tokens.invalidate()
        second = await tokens.atoken()

    assert second.access_token != first.access_token
    for sent in fake.requests("gmo_aozora"):
        assert "authorization" not in sent.headers
        assert sent.form["client_id"] == kwargs["client_id"]


def test_aozora_spent_refresh_token_is_invalid_grant(fake: FakeProviders) -> None:
    stored = fake.refresh_token()
    with GmoAozora(**fake.credentials("gmo_aozora"), refresh_token=stored) as tokens:
        tokens.token()  # rotates: `stored` is now spent

    # Another process (its own store) still holding the old refresh token.
    elsewhere = MemoryStore()
    with (
        GmoAozora(**fake.credentials("gmo_aozora"), refresh_token=stored, store=elsewhere) as stale,
        pytest.raises(InvalidGrantError) as raised,
    ):
        stale.token()

    assert raised.value.status_code == 400
    assert raised.value.error_code == "invalid_grant"


def test_aozora_browser_flow_through_authorization_url(fake: FakeProviders) -> None:
    transport = fake.transport() if not fake.serve else None
    with (
        GmoAozora(**fake.credentials("gmo_aozora")) as tokens,
        httpx.Client(transport=transport) as browser,
    ):
        url = tokens.authorization_url(scope="private:account offline_access", state="s-1")
        redirect = browser.get(url)
        assert redirect.status_code == 302
        query = dict(
            urllib.parse.parse_qsl(urllib.parse.urlsplit(redirect.headers["location"]).query)
        )
        assert query["state"] == "s-1"
        token = tokens.exchange_code(query["code"])

    assert token.refresh_token
    assert fake.requests("gmo_aozora")[0].query["redirect_uri"] == tokens.redirect_uri
