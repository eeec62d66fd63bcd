"""``Exchange``: one call of a generated-style operation, its errors, and its retries.

The operation here is a minimal stand-in with the generated shape (``_get_kwargs``,
``_build_response``), so the tests see the exchange's own rules, for any provider.
"""

from __future__ import annotations

import asyncio
import gc
import json
import types
import warnings
from typing import Any

import attrs
import httpx
import pytest

from provider_tokens import (
    ConfigurationError,
    InvalidClientError,
    InvalidRequestError,
    InvalidScopeError,
    Issued,
    MalformedResponseError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    TokenTimeoutError,
    TransportError,
)
from provider_tokens._fetch import Call, Exchange, Plan
from provider_tokens._responses import Refusal
from provider_tokens.testing import FakeProviders, ManualClock

from cases import EXAMPLE


@attrs.frozen
class Parsed:
    status_code: int
    parsed: Any


def _build_response(*, client: Any, response: httpx.Response) -> Parsed:
    # Like generated code: documented statuses are parsed as JSON (which may raise).
    if response.status_code in (200, 400, 401):
        return Parsed(response.status_code, response.json())
    return Parsed(response.status_code, None)


OPERATION = types.SimpleNamespace(
    _get_kwargs=lambda **kw: {"method": "post", "url": "/token", "data": dict(kw)},
    _build_response=_build_response,
)


class Client:
    def __init__(self, handler: Any) -> None:
        self.requests: list[httpx.Request] = []

        def record(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            result: httpx.Response | Exception = handler(request)
            if isinstance(result, Exception):
                raise result
            return result

        self._sync = httpx.Client(base_url="https://x", transport=httpx.MockTransport(record))

    def get_httpx_client(self) -> httpx.Client:
        return self._sync

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        raise NotImplementedError

    def set_httpx_client(self, client: httpx.Client, /) -> None:
        self._sync = client

    def set_async_httpx_client(self, async_client: httpx.AsyncClient, /) -> None:
        raise NotImplementedError


def read(parsed: Any) -> Issued | Refusal | None:
    if isinstance(parsed, dict) and "access_token" in parsed:
        return Issued(access_token=parsed["access_token"])
    if isinstance(parsed, dict) and "error" in parsed:
        return Refusal(parsed["error"], parsed.get("error_description"))
    return None


def exchange(clock: ManualClock, retries: int = 2) -> Exchange:
    policy = RetryPolicy(max_retries=retries, jitter=lambda: 1.0)
    return Exchange(provider="example", clock=clock, retry=policy)


def answer(status: int, body: Any = None, **headers: str) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(
        status, content=content, headers={k.replace("_", "-"): v for k, v in headers.items()}
    )


def test_a_token_comes_back_with_when_it_was_sent() -> None:
    clock = ManualClock()
    client = Client(lambda r: answer(200, {"access_token": "t"}))
    call = Call(OPERATION, client, {"grant_type": "client_credentials"})
    got = exchange(clock).fetch(Plan("client_credentials"), call, read)
    assert got.value.access_token == "t"
    assert (got.sent_mono, got.sent_wall) == (clock.monotonic(), clock.now())
    assert client.requests[0].content == b"grant_type=client_credentials"


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, {"error": "invalid_client"}, InvalidClientError),
        (400, {"error": "something_new"}, InvalidRequestError),
        (400, b"<html>bad</html>", InvalidRequestError),  # not JSON: status class kept
        (200, b"<html>ok</html>", MalformedResponseError),
        (200, {"unexpected": 1}, MalformedResponseError),  # read() found nothing
        (400, {"error": ["not", "text"]}, InvalidRequestError),  # wrong member types
        (401, {"error": "invalid_client", "error_description": 7}, InvalidClientError),
        (302, {}, MalformedResponseError),
    ],
)
def test_answers_become_typed_errors_built_from_their_response(
    status: int, body: Any, error: type[Exception]
) -> None:
    client = Client(lambda r: answer(status, body, location="https://elsewhere/?code=x"))
    with pytest.raises(error) as caught:
        exchange(ManualClock()).send(Call(OPERATION, client), read)
    assert caught.value.__cause__ is None
    assert "code=x" not in str(caught.value)


def test_retryable_statuses_are_retried_after_the_policy_wait() -> None:
    clock = ManualClock()
    replies = iter(
        [answer(503, {}), answer(429, {}, retry_after="7"), answer(200, {"access_token": "t"})]
    )
    client = Client(lambda r: next(replies))
    got = exchange(clock).fetch(Plan("client_credentials"), Call(OPERATION, client), read)
    assert got.value.access_token == "t"
    assert clock.sleeps == [0.5, 7.0]


def test_the_last_error_is_raised_when_retries_run_out() -> None:
    clock = ManualClock()
    client = Client(lambda r: answer(500, {}))
    with pytest.raises(ServerError):
        exchange(clock, retries=1).fetch(Plan("client_credentials"), Call(OPERATION, client), read)
    assert len(client.requests) == 2
    assert clock.sleeps == [0.5]


def test_a_retry_after_past_the_cap_is_not_waited_for() -> None:
    clock = ManualClock()
    client = Client(lambda r: answer(429, {}, retry_after="3600"))
    with pytest.raises(RateLimitError) as caught:
        exchange(clock).fetch(Plan("client_credentials"), Call(OPERATION, client), read)
    assert caught.value.retry_after == 3600
    assert clock.sleeps == []


def test_a_request_that_spends_its_grant_is_not_retried_once_sent() -> None:
    clock = ManualClock()
    client = Client(lambda r: answer(503, {}))
    plan = Plan("refresh_token", {"refresh_token": "r"}, spends_grant=True)
    with pytest.raises(ServerError) as caught:
        exchange(clock).fetch(plan, Call(OPERATION, client), read)
    assert len(client.requests) == 1
    assert caught.value.__notes__ == [
        "not retried: the refresh_token request may have reached the provider, "
        "and what it sent may already be spent"
    ]
    assert "not retried" not in str(caught.value)  # the message itself is untouched


def test_a_request_that_never_left_is_retried_even_when_it_spends_its_grant() -> None:
    clock = ManualClock()
    outcomes = iter([httpx.ConnectError("refused"), answer(200, {"access_token": "t"})])
    client = Client(lambda r: next(outcomes))
    plan = Plan("authorization_code", {"code": "c"}, spends_grant=True)
    assert exchange(clock).fetch(plan, Call(OPERATION, client), read).value.access_token == "t"


@pytest.mark.parametrize(
    ("failure", "error", "sent", "retryable"),
    [
        (httpx.ConnectError("refused"), TransportError, False, True),
        (httpx.ConnectTimeout("slow"), TokenTimeoutError, False, True),
        (httpx.ReadTimeout("stuck"), TokenTimeoutError, True, False),
        (httpx.RemoteProtocolError("dropped"), TransportError, True, True),
    ],
)
def test_transport_failures_say_whether_the_request_left(
    failure: Exception, error: type[TransportError], sent: bool, retryable: bool
) -> None:
    client = Client(lambda r: failure)
    with pytest.raises(error) as caught:
        exchange(ManualClock()).send(Call(OPERATION, client), read)
    assert type(caught.value) is error
    assert (caught.value.request_sent, caught.value.retryable) == (sent, retryable)
    cause = caught.value.__cause__
    assert isinstance(cause, httpx.RequestError)
    assert type(cause) is type(failure)
    assert str(cause) == str(failure)
    # httpx's own exception carries the request, and so the credentials: left behind.
    assert caught.value.__context__ is None
    with pytest.raises(RuntimeError):
        _ = cause.request


def test_the_chain_holds_no_request_and_no_body() -> None:
    secret_body = b'{"access_token": "leaked-token"'  # truncated JSON holding a token
    client = Client(lambda r: answer(200, secret_body))
    with pytest.raises(MalformedResponseError) as caught:
        exchange(ManualClock()).send(Call(OPERATION, client), read)
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None


def test_a_header_value_that_is_not_ascii_is_a_configuration_error_that_hides_it() -> None:
    operation = types.SimpleNamespace(
        _get_kwargs=lambda **kw: {"method": "post", "url": "/token", "headers": dict(kw)},
        _build_response=_build_response,
    )
    client = Client(lambda r: answer(200, {"access_token": "t"}))
    with pytest.raises(ConfigurationError) as caught:
        exchange(ManualClock()).send(Call(operation, client, {"api-key": "sécret-kéy"}), read)
    assert "sécret" not in str(caught.value)
    assert caught.value.__context__ is None
    assert caught.value.__cause__ is None
    assert client.requests == []


def test_the_providers_own_codes_come_first_then_oauth_then_the_status() -> None:
    client = Client(lambda r: answer(400, {"error": "Bad_Key"}))
    own = Exchange(
        provider="example",
        clock=ManualClock(),
        retry=RetryPolicy(max_retries=0),
        codes={"bad_key": InvalidScopeError},
    )
    with pytest.raises(InvalidScopeError):
        own.send(Call(OPERATION, client), read)
    with pytest.raises(InvalidRequestError) as caught:
        exchange(ManualClock()).send(Call(OPERATION, client), read)
    assert type(caught.value) is InvalidRequestError
    assert caught.value.error_code == "Bad_Key"


def test_what_a_provider_read_never_shows_its_tokens() -> None:
    issued = Issued(access_token="t0k3n-value", refresh_token="r3fr3sh-value", raw={"a": 1})
    assert "t0k3n" not in repr(issued)
    assert "r3fr3sh" not in repr(issued)


def _any_json(*, client: Any, response: httpx.Response) -> Parsed:
    return Parsed(response.status_code, response.json())


class AsyncOnly:
    """A generated-style client that sends through ``client`` (async only)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._async = client

    def get_httpx_client(self) -> httpx.Client:
        raise NotImplementedError

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        return self._async

    def set_httpx_client(self, client: httpx.Client, /) -> None:
        raise NotImplementedError

    def set_async_httpx_client(self, async_client: httpx.AsyncClient, /) -> None:
        self._async = async_client


def _send_on_two_loops() -> BaseException:
    """A token request through one real ``AsyncClient`` in one ``asyncio.run``, then
    in another: what the second raised (its traceback cut, so that nothing keeps the
    abandoned connection alive)."""
    with FakeProviders() as fake:
        credentials = fake.credentials(EXAMPLE.name)
        operation = types.SimpleNamespace(
            _get_kwargs=lambda: {
                "method": "post",
                "url": fake.base_url(EXAMPLE.name) + "/auth/token",
                "data": {"grant_type": "client_credentials"},
                "auth": (credentials["client_id"], credentials["client_secret"]),
            },
            _build_response=_any_json,
        )
        client = httpx.AsyncClient()  # its pooled connection will belong to the first loop
        call = Call(operation, AsyncOnly(client))
        assert asyncio.run(exchange(ManualClock()).asend(call, read)).access_token
        try:
            asyncio.run(exchange(ManualClock()).asend(call, read))
        except BaseException as exc:  # what escapes, typed or not
            return exc.with_traceback(None)
    raise AssertionError("the second loop sent through the first loop's connection")


def test_an_async_client_of_a_closed_event_loop_is_a_transport_error() -> None:
    error = _send_on_two_loops()
    with warnings.catch_warnings():
        # The first loop's connection cannot be closed without that loop: let it go.
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()

    assert type(error) is TransportError, repr(error)
    assert (error.retryable, error.request_sent) == (False, True)
    assert "belongs to a closed or another event loop" in str(error)
    assert "its own httpx.AsyncClient" in str(error)
    # The RuntimeError, copied: nothing of its context or traceback comes along.
    assert type(error.__cause__) is RuntimeError
    assert error.__cause__.__context__ is None
    assert error.__cause__.__traceback__ is None
    assert error.__context__ is None


def test_a_closed_client_is_a_transport_error_that_says_so() -> None:
    client = Client(lambda r: answer(200, {"access_token": "t"}))
    client.get_httpx_client().close()
    with pytest.raises(TransportError, match="the HTTP client is closed") as caught:
        exchange(ManualClock()).fetch(Plan("client_credentials"), Call(OPERATION, client), read)
    assert not caught.value.retryable
    assert client.requests == []


def test_runtime_error_subclasses_are_not_taken_for_transport_failures() -> None:
    # A bug (NotImplementedError, RecursionError) must surface as itself.
    with pytest.raises(NotImplementedError):
        asyncio.run(exchange(ManualClock()).asend(Call(OPERATION, Client(answer)), read))
