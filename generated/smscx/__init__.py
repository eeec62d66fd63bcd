"""A client library for accessing SMS.CX OAuth token endpoint (hand-written subset)"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
