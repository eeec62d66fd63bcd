"""A client library for accessing Melio Platform API token endpoint (hand-written subset)"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
