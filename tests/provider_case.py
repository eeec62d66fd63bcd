"""What a provider's case module declares: ``CASE = Case(...)``, for the all-provider tests.

Each registered provider has ``tests/providers/case_<name>.py`` declaring one ``Case``,
the way it declares one ``Provider`` in the package; ``cases`` collects them by the
registry's names. A case holds what the tests that run against every provider need
to know about this one and cannot read from its ``Provider``: a scripted success
answer for ``MockProvider``, where the token is in a body, its documented errors,
what the fake refuses, and a valid raw token request to the fake.

Not in ``cases`` itself: a case module imports these types while ``cases`` imports
the case modules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from provider_tokens import TokenEndpointError, TokenSource
from provider_tokens._registry import PROVIDERS

if TYPE_CHECKING:
    from provider_tokens.testing import FakeProviders

__all__ = ["OAUTH_FIELDS", "SECRET", "Case", "DocumentedError", "Refusal"]

# The secret every MockProvider case is built with; it must never show.
SECRET = "s3cr3t-Canary:+/=%é"

# Token members of an RFC 6749 body: generic name -> member name.
OAUTH_FIELDS: Mapping[str, str] = {
    "access_token": "access_token",
    "token_type": "token_type",
    "expires_in": "expires_in",
    "refresh_token": "refresh_token",
}


@dataclass(frozen=True)
class DocumentedError:
    """One documented error answer of the token endpoint and what it must become."""

    status: int
    body: Mapping[str, Any]
    #: None: the default JSON content type.
    content_type: str | None
    error: type[TokenEndpointError]
    #: The provider's error code, as ``TokenEndpointError.error_code``.
    code: str

    def __str__(self) -> str:
        return f"{self.status}-{self.code}"


@dataclass(frozen=True)
class Refusal:
    """What the fake answers a source built with ``overrides`` on the fake's credentials."""

    overrides: Mapping[str, str]
    error: type[TokenEndpointError]
    status: int
    code: str


@dataclass(frozen=True)
class Case:
    """One provider, for the tests that run against every provider."""

    name: str
    #: The source's keyword arguments in the MockProvider tests (the scripted answers
    #: accept any credentials).
    credentials: Mapping[str, str]
    #: The provider's success answer for an access token and a lifetime in seconds
    #: (counted from ``conftest.START``, the ``clock`` fixture's start).
    issue: Callable[[str, float], httpx.Response]
    #: What ``success()`` issues unless told otherwise.
    access_token: str
    lifetime: float
    #: The constructor keyword of the credential that is the secret.
    secret: str
    #: A valid token request straight to the fake (no source in between).
    raw_token: Callable[[FakeProviders, httpx.Client], httpx.Response]
    #: Every documented error of the token endpoint.
    errors: tuple[DocumentedError, ...]
    #: The fake's answer to a wrong secret (``overrides`` has ``secret``).
    wrong_secret: Refusal
    #: Other requests the fake refuses (a scope it does not grant, ...).
    refusals: tuple[Refusal, ...] = ()
    #: The constructor keyword of the client's ID, if it authenticates with Basic.
    client: str | None = None
    #: Header and prefix that carry the token to the resource APIs.
    header: str = "Authorization"
    scheme: str = "Bearer "
    #: Where the token members of a success body are: generic name -> member name
    #: (only those the provider has), inside ``envelope`` if there is one.
    fields: Mapping[str, str] = field(default_factory=lambda: OAUTH_FIELDS)
    envelope: str | None = None
    #: A negative ``expires_in`` means "never expires", an unknown lifetime.
    negative_lifetime_is_unknown: bool = False
    #: Whether a token request that may have reached the provider is sent again.
    retries_sent_requests: bool = True
    #: A scope the fake grants, for a provider that takes one.
    scope: str | None = None
    #: What ``provider-tokens demo`` shows of it; the provider's name as a row if empty.
    demo_lines: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.name

    @property
    def source_class(self) -> type[TokenSource]:
        return PROVIDERS[self.name].source_class()

    def make(self, **options: Any) -> TokenSource:
        """The source on ``credentials``, with ``options`` (which may replace any)."""
        return self.source_class(**{**self.credentials, **options})

    def success(self, token: str | None = None, lifetime: float | None = None) -> httpx.Response:
        return self.issue(
            self.access_token if token is None else token,
            self.lifetime if lifetime is None else lifetime,
        )

    def members(self, body: Any) -> Any:
        """The part of a success body that holds the token members."""
        return body[self.envelope] if self.envelope else body

    def demo(self) -> tuple[str, ...]:
        return self.demo_lines or (f"\n{self.name} ",)
