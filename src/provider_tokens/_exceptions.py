"""Errors raised by token sources.

The tree, status class first and the provider's own code as an attribute::

    TokenError                          base; .provider
    ├── TokenEndpointError              error status; .status_code .error_code .description
    │   │                               .body .request_id .retry_after
    │   ├── InvalidClientError          bad credentials (401, invalid_client, ...)
    │   ├── InvalidRequestError         malformed request (400, invalid_request, ...)
    │   ├── InvalidScopeError
    │   ├── InvalidGrantError           bad or spent code / refresh token
    │   ├── UnsupportedGrantTypeError
    │   ├── RateLimitError              429; .retry_after
    │   └── ServerError                 5xx
    ├── MalformedResponseError          a response that cannot be used (2xx without a token,
    │                                   non-JSON body, bad expiry, too large, redirect)
    ├── TransportError                  connection error or timeout, or a client that cannot
    │   │                               send; __cause__ is httpx's exception, copied without
    │   │                               the request
    │   └── TokenTimeoutError           also a builtin TimeoutError
    ├── NoRefreshTokenError             GMO Aozora: nothing to renew the token with
    ├── WebhookVerificationError        MoneyKit: a webhook that fails verification; .reason
    ├── IdTokenError                    GMO Aozora: an ID token that fails verification; .reason
    ├── BlockingCallError               also a RuntimeError: a sync call on an event loop
    │                                   would wait for a fetch or lock held by that loop
    └── ConfigurationError              also a ValueError: bad constructor arguments

``error_code`` is the provider's own code: the OAuth ``error`` (GMO Aozora), the
problem ``title`` (GMO-PG), ``error_code`` (MoneyKit), ``error.type`` (SMS.CX) and
``error.code`` (Melio). Messages name the provider, the status and the code, and
never contain a credential or a token.

Every error pickles and copies with its message, its attributes and its notes
(``add_note``), whatever its constructor, so it crosses a process pool intact. A
pickle leaves out ``__cause__``, ``__context__`` and ``__traceback__``, which may
hold httpx objects; ``copy.copy`` keeps ``__cause__`` and ``__context__``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

E = TypeVar("E", bound="TokenError")


def _rebuild(cls: type[E], args: tuple[Any, ...], state: dict[str, Any]) -> E:
    """An error of ``cls`` with ``args`` and attributes ``state``, its constructor
    not called: pickle cannot pass keyword-only arguments, and a subclass's
    constructor may take anything."""
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class TokenError(Exception):
    """Base class of every error a token source raises."""

    def __init__(
        self, message: str, *, provider: str, retryable: bool = False, request_sent: bool = True
    ) -> None:
        super().__init__(message)
        self.provider = provider
        # What the retry policy decides from (``RetryPolicy.decide``): whether the
        # same request may succeed if sent again, and whether this one may have
        # reached the provider (and so spent a refresh token or a code).
        self.retryable = retryable
        self.request_sent = request_sent

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    def __reduce__(self) -> tuple[Any, ...]:
        # BaseException's own reduce calls cls(*args), which no subclass accepts.
        return (_rebuild, (type(self), self.args, self._state()))

    def __copy__(self) -> Self:
        copied = _rebuild(type(self), self.args, self._state())
        copied.__cause__ = self.__cause__  # TransportError documents its cause
        copied.__context__ = self.__context__
        copied.__suppress_context__ = self.__suppress_context__
        return copied

    def _state(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if isinstance(state.get("__notes__"), list):
            # Each copy its own list: a note added to one is not added to the others.
            state["__notes__"] = list(state["__notes__"])
        return state


class TokenEndpointError(TokenError):
    """The token endpoint answered with an error status.

    ``body`` is the JSON error body with its sensitive members redacted; any other
    body is not kept, only described (``"<text/html body, 52 bytes, not kept>"``).
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status_code: int,
        error_code: str | None = None,
        description: str | None = None,
        body: Mapping[str, Any] | list[Any] | str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message, provider=provider, retryable=retryable)
        self.status_code = status_code
        self.error_code = error_code
        self.description = description
        self.body = body
        self.request_id = request_id
        self.retry_after = retry_after


class InvalidClientError(TokenEndpointError):
    """The client credentials were refused."""


class InvalidRequestError(TokenEndpointError):
    """The provider found the token request malformed."""


class InvalidScopeError(TokenEndpointError):
    """The requested scope is invalid, unknown or not granted."""


class InvalidGrantError(TokenEndpointError):
    """The authorization code or refresh token is invalid, expired or already used."""


class UnsupportedGrantTypeError(TokenEndpointError):
    """The provider does not support the grant type for this client."""


class RateLimitError(TokenEndpointError):
    """429: too many requests; ``retry_after`` says how long to wait, if known."""


class ServerError(TokenEndpointError):
    """5xx: the provider failed."""


class MalformedResponseError(TokenError):
    """A response that cannot be used: not JSON, no token, a bad expiry, too large."""

    def __init__(self, message: str, *, provider: str, status_code: int | None = None) -> None:
        super().__init__(message, provider=provider)
        self.status_code = status_code


class TransportError(TokenError):
    """The token request failed in transport, or the HTTP client could not send it
    (closed, or an async client of a closed or another event loop: not retryable).

    ``__cause__`` is httpx's exception (or the client's ``RuntimeError``), copied
    without its ``.request``, whose headers carry the credentials, and with any
    quoted value in its message left out (h11 quotes a header value it refuses).
    """


class TokenTimeoutError(TransportError, TimeoutError):
    """The token request timed out."""


class NoRefreshTokenError(TokenError):
    """No valid access token and no refresh token: run the authorization flow again."""


class BlockingCallError(TokenError, RuntimeError):
    """A sync call made on a running event loop would wait for that same loop.

    ``token()``, ``invalidate()`` or ``GmoAozora.exchange_code()`` called from async
    code while a task of the same loop is fetching, or holds the store's lock for the
    same key: blocking would stop the very task it waits for. Use the ``a``-twin
    (``await atoken()``) or an ``httpx.AsyncClient`` inside async code.
    """


class _SignedDataError(TokenError):
    """Signed data that failed verification; ``reason`` says which check, one of
    ``REASONS``. Nothing was sent: never retryable. The message names the check,
    never the token, the body or a key, and the error has no ``__cause__`` or
    ``__context__`` (the JOSE library's own exception is not kept)."""

    REASONS: frozenset[str] = frozenset()

    def __init__(self, message: str, *, provider: str, reason: str) -> None:
        super().__init__(message, provider=provider, request_sent=False)
        self.reason = reason


class WebhookVerificationError(_SignedDataError):
    """A MoneyKit webhook failed verification (``MoneyKit.verify_webhook``).

    ``reason``: ``missing`` (no verification token), ``malformed``, ``algorithm``
    (not ES256), ``unknown_key`` (its ``kid`` is not in the JWKS, even after a
    refetch), ``signature``, ``stale`` or ``future`` (``iat`` beyond the leeway),
    ``expired`` (an ``exp`` passed), ``claims`` (a required claim missing or of
    the wrong type) or ``body`` (the body's SHA-256 is not the signed one).
    Answer it with a 4xx: the request is not MoneyKit's, or not as MoneyKit sent it.
    """

    REASONS = frozenset(
        {"missing", "malformed", "algorithm", "unknown_key", "signature", "stale", "future"}
        | {"expired", "claims", "body"}
    )


class IdTokenError(_SignedDataError):
    """A GMO Aozora ID token failed verification (``GmoAozora.exchange_code``).

    ``reason``: ``missing`` (a nonce was given but no ``id_token`` came back),
    ``malformed``, ``algorithm`` (not HS256), ``signature`` (not signed with this
    client's secret), ``issuer``, ``audience``, ``expired``, ``future`` (``iat``),
    ``claims`` (a required claim missing or of the wrong type) or ``nonce``.
    """

    REASONS = frozenset(
        {"missing", "malformed", "algorithm", "signature", "issuer", "audience", "expired"}
        | {"future", "claims", "nonce"}
    )


class ConfigurationError(TokenError, ValueError):
    """A token source was configured with invalid arguments."""
