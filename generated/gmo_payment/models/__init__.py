"""Contains all the data models used in inputs/outputs"""

from .problem import Problem
from .token_request import TokenRequest
from .token_request_grant_type import TokenRequestGrantType
from .token_request_scope import TokenRequestScope
from .token_response import TokenResponse

__all__ = (
    "Problem",
    "TokenRequest",
    "TokenRequestGrantType",
    "TokenRequestScope",
    "TokenResponse",
)
