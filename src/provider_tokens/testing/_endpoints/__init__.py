"""The five fake providers, one module each, on a shared base (``_base.Endpoint``)."""

from __future__ import annotations

from .._ledger import Ledger
from ._base import Endpoint
from .gmo_aozora import GmoAozoraEndpoint
from .gmo_payment import GmoPaymentEndpoint
from .melio import MelioEndpoint
from .moneykit import MoneyKitEndpoint
from .smscx import SmscxEndpoint

__all__ = [
    "Endpoint",
    "GmoAozoraEndpoint",
    "GmoPaymentEndpoint",
    "MelioEndpoint",
    "MoneyKitEndpoint",
    "SmscxEndpoint",
    "build",
]


def build(ledger: Ledger) -> dict[str, Endpoint]:
    """One endpoint per provider, keyed by provider name, sharing ``ledger``."""
    endpoints: list[Endpoint] = [
        GmoPaymentEndpoint(ledger),
        GmoAozoraEndpoint(ledger),
        MoneyKitEndpoint(ledger),
        SmscxEndpoint(ledger),
        MelioEndpoint(ledger),
    ]
    return {endpoint.name: endpoint for endpoint in endpoints}
