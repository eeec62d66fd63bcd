"""Contains all the data models used in inputs/outputs"""

from .error import Error
from .error_response import ErrorResponse
from .post_auth_response import PostAuthResponse
from .post_auth_response_data import PostAuthResponseData

__all__ = (
    "Error",
    "ErrorResponse",
    "PostAuthResponse",
    "PostAuthResponseData",
)
