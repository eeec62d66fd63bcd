"""Local fakes of the registered providers' token endpoints, for tests and demos.

``FakeProviders`` serves faithful fakes of every registered provider (statuses,
bodies and content types as in ``specs/``), either on a loopback HTTP server or
in-process as an httpx transport, with request recording, fault injection and an
injectable clock::

    from provider_tokens import MoneyKit
    from provider_tokens.testing import FakeProviders, Fault

    with FakeProviders() as fake:                    # http://127.0.0.1:PORT/<provider>
        with MoneyKit(**fake.credentials("moneykit")) as source:
            token = source.token()
            fake.inject("moneykit", Fault.status(503, retry_after="2"))
        assert fake.requests("moneykit")[0].form["grant_type"] == "client_credentials"

    with FakeProviders(serve=False) as fake:         # no socket: an httpx transport
        MoneyKit(**fake.credentials("moneykit")).token()

``ManualClock`` is time that moves only when told (``advance``; sleeps are recorded,
not slept): pass it as a source's ``clock`` and its ``time`` as the fake's, and one
``advance`` expires a token on both sides.

In pytest, the ``fake_providers`` fixture (``provider_tokens.testing.pytest_plugin``)
yields a started ``FakeProviders``. Only the cheap names load with this package;
the fakes themselves load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .._env import PROVIDERS
from ._credentials import (
    CREDENTIALS,
    GmoAozoraCredentials,
    GmoPaymentCredentials,
    MelioCredentials,
    MoneyKitCredentials,
    SmscxCredentials,
)
from ._faults import Fault

if TYPE_CHECKING:
    from ._clock import ManualClock
    from ._endpoints.gmo_aozora import GMO_AOZORA_POST_CREDENTIALS
    from ._fake import FakeProviders
    from ._transport import FakeTransport
    from ._wire import RecordedRequest

__all__ = [
    "CREDENTIALS",
    "GMO_AOZORA_POST_CREDENTIALS",
    "PROVIDERS",
    "FakeProviders",
    "FakeTransport",
    "Fault",
    "GmoAozoraCredentials",
    "GmoPaymentCredentials",
    "ManualClock",
    "MelioCredentials",
    "MoneyKitCredentials",
    "RecordedRequest",
    "SmscxCredentials",
]

_LAZY = {
    "GMO_AOZORA_POST_CREDENTIALS": "._endpoints.gmo_aozora",
    "FakeProviders": "._fake",
    "FakeTransport": "._transport",
    "ManualClock": "._clock",
    "RecordedRequest": "._wire",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
