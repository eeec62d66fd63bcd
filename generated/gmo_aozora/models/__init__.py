"""Contains all the data models used in inputs/outputs"""

from .authorization_response_type import AuthorizationResponseType
from .error_response import ErrorResponse
from .token_request import TokenRequest
from .token_request_grant_type import TokenRequestGrantType
from .token_response import TokenResponse

__all__ = (
    "AuthorizationResponseType",
    "ErrorResponse",
    "TokenRequest",
    "TokenRequestGrantType",
    "TokenResponse",
)
