"""Contains all the data models used in inputs/outputs"""

from .api_error_auth_response import APIErrorAuthResponse
from .api_error_auth_unauthorized_response import APIErrorAuthUnauthorizedResponse
from .api_error_rate_limit_exceeded_response import APIErrorRateLimitExceededResponse
from .app_client_response import AppClientResponse
from .app_response import AppResponse
from .create_access_token_request import CreateAccessTokenRequest
from .create_access_token_response import CreateAccessTokenResponse
from .http_validation_error import HTTPValidationError
from .jwk import JWK
from .jwk_set import JWKSet
from .validation_error import ValidationError

__all__ = (
    "APIErrorAuthResponse",
    "APIErrorAuthUnauthorizedResponse",
    "APIErrorRateLimitExceededResponse",
    "AppClientResponse",
    "AppResponse",
    "CreateAccessTokenRequest",
    "CreateAccessTokenResponse",
    "HTTPValidationError",
    "JWK",
    "JWKSet",
    "ValidationError",
)
