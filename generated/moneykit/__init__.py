"""A client library for accessing MoneyKit auth endpoints (hand-written subset)"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
