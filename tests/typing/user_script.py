"""A user's script, kept to ``mypy --strict`` and run by ``test_user_types.py``.

Each source is built from the fake's typed credentials, gives a token, and hands
out its generated ``AuthenticatedClient`` (``api_client()``); MoneyKit's, the one
provider here with a resource operation, calls introspection through it. A webhook
the fake signed is verified, and a GMO Aozora code exchanged with its nonce.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import provider_tokens.moneykit
from provider_tokens import AccessToken, GmoAozora, GmoPayment, Melio, MoneyKit, Smscx
from provider_tokens.gmo_aozora import AuthenticatedClient as AozoraClient
from provider_tokens.gmo_payment import AuthenticatedClient as PaymentClient
from provider_tokens.melio import AuthenticatedClient as MelioClient
from provider_tokens.moneykit.api.access_token import instrospect_client
from provider_tokens.moneykit.models import AppClientResponse
from provider_tokens.smscx import AuthenticatedClient as SmscxClient
from provider_tokens.testing import FakeProviders


def moneykit(fake: FakeProviders) -> str:
    with MoneyKit(**fake.credentials("moneykit")) as source:
        token: AccessToken = source.token()
        api: provider_tokens.moneykit.AuthenticatedClient = source.api_client()
        answer = instrospect_client.sync(client=api)
        assert isinstance(answer, AppClientResponse), answer
        assert fake.is_valid_token("moneykit", token.access_token)
        app_name: str = answer.app.app_name
        token_, body = fake.moneykit_webhook({"webhook_event": "link.state_changed"})
        claims: Mapping[str, Any] = source.verify_webhook_request(
            {MoneyKit.webhook_header: token_}, body
        )
        assert claims["request_body_sha256"]
        return app_name


def aozora_login(fake: FakeProviders) -> str:
    with GmoAozora(**fake.credentials("gmo_aozora")) as aozora:
        code = fake.authorization_code("openid private:account", nonce="n-1")
        claims = aozora.exchange_code(code, nonce="n-1").id_claims
        assert claims is not None
        subject: str = claims["sub"]
        return subject


def others(fake: FakeProviders) -> list[str]:
    tokens: list[str] = []
    with GmoPayment(**fake.credentials("gmo_payment")) as payment:
        payment_api: PaymentClient = payment.api_client()
        assert payment_api.get_httpx_client() is not None
        tokens.append(payment.token().access_token)
    with Melio(**fake.credentials("melio")) as melio:
        melio_api: MelioClient = melio.api_client()
        assert melio_api.get_httpx_client() is not None
        tokens.append(melio.token().access_token)
    with Smscx(**fake.credentials("smscx")) as smscx:
        smscx_api: SmscxClient = smscx.api_client()
        assert smscx_api.get_httpx_client() is not None
        tokens.append(smscx.token().access_token)
    aozora_credentials = fake.credentials("gmo_aozora", auth_method="post")
    with GmoAozora(
        **aozora_credentials, refresh_token=fake.refresh_token(auth_method="post")
    ) as aozora:
        aozora_api: AozoraClient = aozora.api_client()
        assert aozora_api.get_httpx_client() is not None
        tokens.append(aozora.token().access_token)
    return tokens


def main() -> None:
    with FakeProviders() as fake:
        print(moneykit(fake))
        print(len(others(fake)))
        print(aozora_login(fake))


if __name__ == "__main__":
    main()
