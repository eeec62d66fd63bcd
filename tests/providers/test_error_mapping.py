"""Every documented error of every provider maps to its typed error."""

from __future__ import annotations

import pytest

from provider_tokens import (
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    RateLimitError,
    ServerError,
    TokenEndpointError,
    UnsupportedGrantTypeError,
)
from provider_tokens.testing import ManualClock

from cases import BY_NAME, SECRET
from conftest import MockProvider, reply

PROBLEM = "application/problem+json"
AOZORA = "application/json;charset=UTF-8"


def problem(title: str) -> dict[str, str]:
    return {"title": title, "detail": f"detail of {title}", "instance": "/token"}


def oauth(error: str) -> dict[str, str]:
    return {"error": error, "error_description": f"detail of {error}"}


def moneykit(code: str) -> dict[str, str]:
    return {"error_code": code, "error_message": f"detail of {code}"}


def envelope(type_: str) -> dict[str, object]:
    return {
        "error": {
            "type": type_,
            "message": f"detail of {type_}",
            "uri": "https://sms.cx/e",
            "code": 1600,
        }
    }


def melio(code: str) -> dict[str, object]:
    return {"error": {"code": code, "message": f"detail of {code}"}}


# (provider, status, body, content type, class, provider code)
ERRORS = [
    (
        "gmo_payment",
        400,
        problem("invalid_parameter"),
        PROBLEM,
        InvalidRequestError,
        "invalid_parameter",
    ),
    (
        "gmo_payment",
        400,
        problem("missing_parameter"),
        PROBLEM,
        InvalidRequestError,
        "missing_parameter",
    ),
    (
        "gmo_payment",
        401,
        problem("unauthorized_request"),
        PROBLEM,
        InvalidClientError,
        "unauthorized_request",
    ),
    (
        "gmo_payment",
        404,
        problem("resource_not_found"),
        PROBLEM,
        TokenEndpointError,
        "resource_not_found",
    ),
    (
        "gmo_payment",
        405,
        problem("method_not_allowed"),
        PROBLEM,
        InvalidRequestError,
        "method_not_allowed",
    ),
    (
        "gmo_payment",
        415,
        problem("unsupported_media_type"),
        PROBLEM,
        InvalidRequestError,
        "unsupported_media_type",
    ),
    (
        "gmo_payment",
        429,
        problem("too_many_requests"),
        PROBLEM,
        RateLimitError,
        "too_many_requests",
    ),
    (
        "gmo_payment",
        500,
        problem("internal_server_error"),
        PROBLEM,
        ServerError,
        "internal_server_error",
    ),
    (
        "gmo_payment",
        503,
        problem("service_unavailable"),
        PROBLEM,
        ServerError,
        "service_unavailable",
    ),
    ("gmo_aozora", 400, oauth("invalid_request"), AOZORA, InvalidRequestError, "invalid_request"),
    ("gmo_aozora", 400, oauth("invalid_grant"), AOZORA, InvalidGrantError, "invalid_grant"),
    ("gmo_aozora", 400, oauth("invalid_scope"), AOZORA, InvalidScopeError, "invalid_scope"),
    (
        "gmo_aozora",
        400,
        oauth("unsupported_grant_type"),
        AOZORA,
        UnsupportedGrantTypeError,
        "unsupported_grant_type",
    ),
    (
        "gmo_aozora",
        400,
        oauth("unauthorized_client"),
        AOZORA,
        InvalidClientError,
        "unauthorized_client",
    ),
    ("gmo_aozora", 400, oauth("invalid_client"), AOZORA, InvalidClientError, "invalid_client"),
    ("gmo_aozora", 401, oauth("invalid_client"), AOZORA, InvalidClientError, "invalid_client"),
    ("gmo_aozora", 500, oauth("server_error"), AOZORA, ServerError, "server_error"),
    (
        "moneykit",
        400,
        moneykit("api_error.auth.unauthorized"),
        None,
        InvalidRequestError,
        "api_error.auth.unauthorized",
    ),
    (
        "moneykit",
        401,
        moneykit("api_error.auth.unauthorized"),
        None,
        InvalidClientError,
        "api_error.auth.unauthorized",
    ),
    (
        "moneykit",
        422,
        {**moneykit("api_error.request.validation_failed"), "validation_errors": []},
        None,
        InvalidRequestError,
        "api_error.request.validation_failed",
    ),
    (
        "moneykit",
        429,
        moneykit("api_error.rate_limit_exceeded"),
        None,
        RateLimitError,
        "api_error.rate_limit_exceeded",
    ),
    ("smscx", 400, envelope("invalid_request"), None, InvalidRequestError, "invalid_request"),
    ("smscx", 400, envelope("invalid_scope"), None, InvalidScopeError, "invalid_scope"),
    (
        "smscx",
        400,
        envelope("unsupported_grant_type"),
        None,
        UnsupportedGrantTypeError,
        "unsupported_grant_type",
    ),
    ("smscx", 401, envelope("invalid_client"), None, InvalidClientError, "invalid_client"),
    ("smscx", 403, envelope("insufficient_scope"), None, InvalidScopeError, "insufficient_scope"),
    ("smscx", 405, envelope("invalid_method"), None, InvalidRequestError, "invalid_method"),
    ("smscx", 429, envelope("rate_limit"), None, RateLimitError, "rate_limit"),
    ("smscx", 500, envelope("server_error"), None, ServerError, "server_error"),
    ("melio", 400, melio("validation_error"), None, InvalidRequestError, "validation_error"),
    ("melio", 401, melio("unauthorized"), None, InvalidClientError, "unauthorized"),
    ("melio", 403, melio("forbidden"), None, TokenEndpointError, "forbidden"),
    ("melio", 404, melio("not_found"), None, TokenEndpointError, "not_found"),
    ("melio", 409, melio("conflict"), None, TokenEndpointError, "conflict"),
    ("melio", 500, melio("internal_error"), None, ServerError, "internal_error"),
]


@pytest.mark.parametrize(
    ("provider", "status", "body", "content_type", "cls", "code"),
    ERRORS,
    ids=[f"{p}-{s}-{c}" for p, s, _, _, _, c in ERRORS],
)
def test_documented_error_maps_to_its_class(
    provider: str,
    status: int,
    body: dict[str, object],
    content_type: str | None,
    cls: type[TokenEndpointError],
    code: str,
    clock: ManualClock,
) -> None:
    headers = {"content_type": content_type} if content_type else {}
    mock = MockProvider(reply(status, body, x_request_id="req-42", **headers))
    source = BY_NAME[provider].make(http_client=mock.client(), clock=clock, max_retries=0)

    with pytest.raises(TokenEndpointError) as caught:
        source.token()

    error = caught.value
    assert type(error) is cls
    assert (error.provider, error.status_code, error.error_code) == (provider, status, code)
    assert error.description == f"detail of {code}"
    assert error.request_id == "req-42"
    assert str(error) == f"{provider}: token endpoint answered {status} {code}: detail of {code}"
    assert SECRET not in repr(error)
    assert SECRET not in str(error.body)


def test_unknown_codes_fall_back_by_status(clock: ManualClock) -> None:
    mock = MockProvider(reply(401, oauth("brand_new_code"), content_type=AOZORA))
    source = BY_NAME["gmo_aozora"].make(http_client=mock.client(), clock=clock)
    with pytest.raises(InvalidClientError) as caught:
        source.token()
    assert caught.value.error_code == "brand_new_code"


def test_retry_after_is_read_from_a_429(clock: ManualClock) -> None:
    mock = MockProvider(
        reply(429, problem("too_many_requests"), content_type=PROBLEM, retry_after="120")
    )
    source = BY_NAME["gmo_payment"].make(http_client=mock.client(), clock=clock)
    with pytest.raises(RateLimitError) as caught:
        source.token()
    assert caught.value.retry_after == 120.0
    assert len(mock.requests) == 1  # over the 60 s cap: not waited for


def test_smscx_rate_limit_reset_gives_retry_after(clock: ManualClock) -> None:
    reset = int(clock.now().timestamp()) + 90
    mock = MockProvider(reply(429, envelope("rate_limit"), x_rate_limit_reset=str(reset)))
    source = BY_NAME["smscx"].make(http_client=mock.client(), clock=clock, max_retries=0)
    with pytest.raises(RateLimitError) as caught:
        source.token()
    assert caught.value.retry_after == 90.0
