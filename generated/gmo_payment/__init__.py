"""A client library for accessing GMO Payment Gateway: PGマルチペイメントサービス OpenAPIタイプ, token endpoint"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
