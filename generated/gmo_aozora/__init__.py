"""A client library for accessing GMO Aozora Net Bank: authorization server (/ganb/api/auth/v1)"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
