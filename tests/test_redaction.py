"""No secret or token in reprs, errors or log records (the full canary is issue-wide)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import pickle
import re
import types
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import httpx
import pytest

from provider_tokens import TokenEndpointError, TokenError, TokenSource, TransportError
from provider_tokens._registry import PROVIDERS
from provider_tokens.testing import FakeProviders, Fault, ManualClock

from cases import BY_NAME, CASES, SECRET, Case
from conftest import MockProvider, reply

ACCESS = "access-CANARY-7f3a"
REFRESH = "refresh-CANARY-9b1c"


def _success(case: Case) -> dict[str, Any]:
    body: dict[str, Any] = case.success().json()
    members = case.members(body)
    members[case.fields["access_token"]] = ACCESS
    if case.fields.get("refresh_token") in members:
        members[case.fields["refresh_token"]] = REFRESH
    return body


@pytest.mark.parametrize("case", CASES, ids=str)
def test_secrets_stay_out_of_reprs_errors_and_logs(
    case: Case, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="provider_tokens")
    success = case.success()
    # A request that may have reached the provider is not always sent again (a refresh
    # may have spent its refresh token): then fail before sending.
    first = reply(503, {"x": 1}) if case.retries_sent_requests else httpx.ConnectError("refused")
    mock = MockProvider(
        first,
        reply(success.status_code, _success(case), content_type=success.headers["content-type"]),
        reply(401, {"access_token": ACCESS, "client_secret": SECRET}),
    )
    source = case.make(http_client=mock.client(), clock=clock)

    token = source.token()
    source.invalidate()
    with pytest.raises(TokenError) as caught:
        source.token()

    assert token.access_token == ACCESS
    texts = [repr(source), str(source), repr(token), str(token), repr(token.raw)]
    texts += [str(caught.value), repr(caught.value), repr(caught.value.__dict__)]
    texts += [record.getMessage() for record in caplog.records]
    assert len(caplog.records) >= 2  # attempts and the retry were logged
    for text in texts:
        for canary in (SECRET, ACCESS, REFRESH):
            assert canary not in text


# -- the exception chain -----------------------------------------------------------------

# Where a secret may hide in an object graph: attributes, mappings, sequences. Code,
# classes and modules are not data; tracebacks (frames and their locals) are left out.
_NOT_DATA = (type, types.ModuleType, types.FunctionType, types.MethodType, types.TracebackType)


def _texts(value: Any, seen: set[int], depth: int = 0) -> Iterator[str | bytes]:
    """Every str and bytes reachable from ``value``, within a bounded depth."""
    if isinstance(value, str | bytes | bytearray):
        yield bytes(value) if isinstance(value, bytearray) else value
        return
    if depth > 8 or id(value) in seen or isinstance(value, _NOT_DATA):
        return
    seen.add(id(value))
    if isinstance(value, httpx.Headers):
        yield from _texts(value.raw, seen, depth + 1)
    if isinstance(value, httpx.Request):
        with contextlib.suppress(httpx.RequestNotRead):
            yield value.content
    if isinstance(value, Mapping):
        for key, item in list(value.items()):
            yield from _texts(key, seen, depth + 1)
            yield from _texts(item, seen, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in list(value):
            yield from _texts(item, seen, depth + 1)
    if hasattr(value, "__dict__"):
        yield from _texts(vars(value), seen, depth + 1)
    for slot in getattr(type(value), "__slots__", ()):
        yield from _texts(getattr(value, slot, None), seen, depth + 1)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception its ``__cause__``/``__context__`` reach, recursively."""
    todo, seen = [exc], set()
    while todo:
        link = todo.pop()
        if id(link) in seen:
            continue
        seen.add(id(link))
        yield link
        todo += [e for e in (link.__cause__, link.__context__) if e is not None]


def _forms(secret: str) -> set[str]:
    """How ``secret`` may be written down: as is, percent-encoded, JSON-escaped, as
    a bytes repr."""
    return {
        secret,
        urllib.parse.quote_plus(secret),
        urllib.parse.quote(secret, safe=""),
        json.dumps(secret)[1:-1],
        repr(secret.encode())[2:-1],
    }


def assert_no_secret_in_chain(exc: BaseException, secrets: Iterable[str]) -> None:
    """No secret in ``str``, ``repr``, attributes (through any depth of objects:
    an httpx error's request, its headers and content) or pickle of any link of
    ``exc``'s chain. A TokenError must pickle; other links may not pickle at all."""
    forms = {form for secret in secrets for form in _forms(secret)}
    for link in _chain(exc):
        texts: list[str | bytes] = [str(link), repr(link)]
        texts += _texts(link.args, set())
        texts += _texts(vars(link), set())
        try:
            texts.append(pickle.dumps(link))
        except (TypeError, AttributeError, pickle.PicklingError):
            assert not isinstance(link, TokenError), f"{link!r} does not pickle"
        for text in texts:
            for form in forms:
                found = form in text if isinstance(text, str) else form.encode() in text
                assert not found, f"{form!r} in {type(link).__name__}: {text!r}"


# The refresh token GMO Aozora's source is given, and sends in its form.
GRANT = "grant-CANARY-51d0"


def _secrets(case: Case) -> list[str]:
    """What ``case``'s source must never show: its credentials as sent, and the canaries."""
    found = [SECRET, "s3cr3t-Canary", ACCESS, REFRESH, GRANT]
    if case.client is not None:  # Basic credentials travel base64-encoded
        user = case.credentials[case.client]
        found.append(base64.b64encode(f"{user}:{SECRET}".encode()).decode())
    return found


def _source(case: Case, mock: MockProvider, **options: Any) -> TokenSource:
    options.setdefault("clock", ManualClock())
    if case.name == "gmo_aozora":  # the secret and the refresh token both in the form
        options.update(refresh_token=GRANT, auth_method="post")
    return case.make(http_client=mock.client(), max_retries=0, **options)


class Picky(httpx.TransportError):
    """A transport's own error whose constructor wants more than a message."""

    def __init__(self, message: str, *, code: int) -> None:
        super().__init__(message)
        self.code = code


class Unattached(httpx.HTTPError):
    """An httpx error httpx does not attach the request to: ``.request`` raises."""


def _failures(quoted: str) -> list[Exception]:
    """Every kind of transport failure; the protocol errors quote ``quoted`` as h11
    quotes a header value it refuses."""
    echo = f"Illegal header value {quoted.encode()!r}"
    return [
        httpx.ConnectError("[Errno 111] Connection refused"),
        httpx.ConnectTimeout("timed out"),
        httpx.PoolTimeout("no connection"),
        httpx.ReadTimeout("timed out"),
        httpx.WriteTimeout("timed out"),
        httpx.ReadError("reset"),
        httpx.WriteError("broken pipe"),
        httpx.CloseError("close"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.LocalProtocolError(echo),
        httpx.ProxyError(echo),
        httpx.UnsupportedProtocol("Request URL has an unsupported protocol 'ftp://'."),
        httpx.DecodingError("Error -3 while decompressing data"),
        Picky(echo, code=7),
        Unattached(echo),
    ]


FAILURE_NAMES = [type(f).__name__ for f in _failures("x")]


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("kind", range(len(FAILURE_NAMES)), ids=FAILURE_NAMES)
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_no_credential_in_the_chain_of_a_transport_failure(
    case: Case, kind: int, mode: str
) -> None:
    failure = _failures(SECRET)[kind]
    mock = MockProvider(failure)
    source = _source(case, mock, async_http_client=mock.async_client())
    with pytest.raises(TokenError) as caught:
        source.token() if mode == "sync" else asyncio.run(source.atoken())
    assert len(mock.requests) == 1
    cause = caught.value.__cause__
    assert type(cause) is type(failure) or type(failure) is Picky
    with pytest.raises(RuntimeError):
        _ = cause.request  # type: ignore[union-attr]
    assert_no_secret_in_chain(caught.value, _secrets(case))


def _truncated(case: Case) -> bytes:
    """A success body holding the canary token, cut off after it."""
    body = json.dumps(_success(case))
    return body[: body.index(ACCESS) + len(ACCESS) + 3].encode()


def _with_bad_expiry(case: Case) -> bytes:
    """A success body holding the canary token and an expiry that is no number or date
    (a superscript two: a digit to ``str.isdigit``, not to ``int``)."""
    body = _success(case)
    member = "expires_in" if "expires_in" in case.fields else "expires_at"
    case.members(body)[case.fields[member]] = "²"
    return json.dumps(body).encode()


MALFORMED: list[tuple[str, Any]] = [
    ("truncated", _truncated),
    ("token-only", lambda c: json.dumps(ACCESS).encode()),
    ("bad-expiry", _with_bad_expiry),
    ("text", lambda c: f"access_token={ACCESS}&refresh_token={REFRESH}".encode()),
]


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize(("name", "body"), MALFORMED, ids=[n for n, _ in MALFORMED])
@pytest.mark.parametrize("status", [None, 400, 502])
def test_no_token_in_the_chain_of_an_unusable_answer(
    case: Case, name: str, body: Any, status: int | None
) -> None:
    content = body(case)
    success = case.success()
    answer = reply(status or success.status_code, content, content_type="application/json")
    source = _source(case, MockProvider(answer))
    with pytest.raises(TokenError) as caught:
        source.token()
    assert_no_secret_in_chain(caught.value, _secrets(case))


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("status", [401, 400, 502])
@pytest.mark.parametrize("content_type", ["text/plain", "text/html", ""])
def test_a_text_error_body_is_not_kept(case: Case, status: int, content_type: str) -> None:
    # A provider or a proxy that echoes what it was sent, and a token, as text.
    text = (
        f"<html>invalid client secret {SECRET} for refresh_token={GRANT}; "
        f"last token was {ACCESS}, refresh with {REFRESH}</html>"
    )
    headers = {"content_type": content_type} if content_type else {}
    source = _source(case, MockProvider(reply(status, text, **headers)))
    with pytest.raises(TokenEndpointError) as caught:
        source.token()
    error = caught.value
    assert error.status_code == status
    size = len(text.encode())
    assert error.body == f"<{content_type or 'unlabelled'} body, {size} bytes, not kept>"
    assert_no_secret_in_chain(error, _secrets(case))


FAULTS: list[tuple[str, Fault | None]] = [
    ("wrong-secret", None),
    ("503", Fault.status(503, retry_after="²")),
    ("html", Fault.html()),
    ("truncated", Fault.body(None, b'{"access_token": "' + ACCESS.encode() + b'", "ex')),
    ("token-as-text", Fault.body(401, f"token={ACCESS}".encode(), "text/plain")),
    ("wrong-types", Fault.wrong_types()),
    ("empty", Fault.empty()),
    ("drop", Fault.drop()),
    ("redirect", Fault.redirect(f"https://elsewhere.example/cb?access_token={ACCESS}")),
]


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize(("name", "fault"), FAULTS, ids=[n for n, _ in FAULTS])
def test_no_credential_or_token_in_the_chain_of_the_fakes_failures(
    case: Case, name: str, fault: Fault | None
) -> None:
    with FakeProviders(serve=False) as fake:
        kwargs = fake.credentials(case.name)
        if "refresh_token" in PROVIDERS[case.name].required:
            kwargs["refresh_token"] = fake.refresh_token()
        if fault is None:
            kwargs.update(case.wrong_secret.overrides)
        else:
            fake.inject(case.name, fault)
        with pytest.raises(TokenError) as caught:
            case.source_class(**kwargs, max_retries=0).token()
    secrets = [v for k, v in kwargs.items() if re.search("secret|pass|key|token", k)]
    assert secrets
    assert_no_secret_in_chain(caught.value, [*secrets, ACCESS])


def test_a_credential_httpx_refuses_to_send_is_not_quoted_in_the_chain() -> None:
    # A key read from a file with its newline: h11 refuses the header, quoting it.
    with FakeProviders() as fake:
        key = fake.credentials("melio")["api_key"] + "\n"
        credentials: dict[str, Any] = {**fake.credentials("melio"), "api_key": key}
        source = BY_NAME["melio"].source_class(**credentials, max_retries=0)
        with pytest.raises(TransportError) as caught:
            source.token()
    assert type(caught.value.__cause__) is httpx.LocalProtocolError
    assert str(caught.value.__cause__) == "Illegal header value <redacted>"
    assert_no_secret_in_chain(caught.value, [key, key.strip()])
