"""Contains all the data models used in inputs/outputs"""

from .error import Error
from .error_response import ErrorResponse
from .oauth_token_request import OauthTokenRequest
from .oauth_token_request_grant_type import OauthTokenRequestGrantType
from .oauth_token_response import OauthTokenResponse

__all__ = (
    "Error",
    "ErrorResponse",
    "OauthTokenRequest",
    "OauthTokenRequestGrantType",
    "OauthTokenResponse",
)
