"""One success case per provider, for tests that run against all five sources."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from provider_tokens import GmoAozora, GmoPayment, Melio, MoneyKit, Smscx, TokenSource

from conftest import at, reply

SECRET = "s3cr3t-Canary:+/=%é"


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[..., TokenSource]
    success: Callable[[], httpx.Response]
    lifetime: float
    header: str = "Authorization"
    scheme: str = "Bearer "

    def __str__(self) -> str:
        return self.name


def _aozora(**common: Any) -> GmoAozora:
    return GmoAozora(
        "aozora-client",
        SECRET,
        redirect_uri="https://app.example/callback",
        refresh_token="refresh-1",
        **common,
    )


CASES = [
    Case(
        "gmo_payment",
        lambda **c: GmoPayment("shop-1", SECRET, **c),
        lambda: reply(
            201,
            {
                "access_token": "gmo-access",
                "expires_in": "3600",
                "scope": "openapi",
                "token_type": "bearer",
            },
        ),
        3600,
    ),
    Case(
        "gmo_aozora",
        _aozora,
        lambda: reply(
            200,
            {
                "access_token": "aozora-access",
                "refresh_token": "refresh-2",
                "scope": "private:account offline_access",
                "token_type": "Bearer",
                "expires_in": 2592000,
            },
            content_type="application/json;charset=UTF-8",
        ),
        2592000,
        header="x-access-token",
        scheme="",
    ),
    Case(
        "moneykit",
        lambda **c: MoneyKit("mk-client", SECRET, **c),
        lambda: reply(
            201, {"access_token": "mk-access", "token_type": "bearer", "expires_in": 3600}
        ),
        3600,
    ),
    Case(
        "smscx",
        lambda **c: Smscx("sms-app", SECRET, **c),
        lambda: reply(
            200,
            {
                "access_token": "sms-access",
                "expires_in": 86400,
                "token_type": "Bearer",
                "scope": "sms",
            },
            x_request_id="req-1",
        ),
        86400,
    ),
    Case(
        "melio",
        lambda **c: Melio(SECRET, account_id="acc-1", **c),
        # One hour after the `clock` fixture's start (conftest.START).
        lambda: reply(
            200,
            {
                "data": {
                    "accessToken": "melio-access",
                    "expiresAt": at(3600, suffix=".000Z"),
                    "refreshToken": "melio-refresh",
                }
            },
        ),
        3600,
    ),
]

BY_NAME = {case.name: case for case in CASES}
