"""Every public error pickles and copies whole: message, attributes and notes.

Process pools (``concurrent.futures.ProcessPoolExecutor``, multiprocessing, task
queues) send a worker's exception back pickled; an error that does not unpickle
breaks the pool. The classes are found by walking the package, so a new error is
checked without being listed here.
"""

from __future__ import annotations

import concurrent.futures
import copy
import datetime as dt
import importlib
import inspect
import multiprocessing
import pickle
import pkgutil
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import provider_tokens
from provider_tokens import InvalidClientError, TokenError, TransportError
from provider_tokens._registry import NAMES
from provider_tokens._responses import Refusal, endpoint_error


def _every_module() -> Iterator[str]:
    for module in pkgutil.walk_packages(provider_tokens.__path__, "provider_tokens."):
        top = module.name.split(".")[1]
        if top in NAMES or top == "__main__":  # generated clients; the command itself
            continue
        yield module.name


def _subclasses(cls: type[TokenError]) -> Iterator[type[TokenError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


for _name in _every_module():
    importlib.import_module(_name)

ERRORS = sorted(
    {TokenError}
    | {c for c in _subclasses(TokenError) if c.__module__.split(".")[0] == "provider_tokens"},
    key=lambda c: c.__qualname__,
)
# The walk must find at least every error the package exports.
_PUBLIC = {getattr(provider_tokens, name) for name in provider_tokens.__all__}
assert {c for c in _PUBLIC if isinstance(c, type) and issubclass(c, TokenError)} <= set(ERRORS)

# A value for each constructor parameter an error class may take; a parameter not
# here gets a string.
SAMPLE: dict[str, Any] = {
    "message": "example: token endpoint answered 401 invalid_client: bad client",
    "provider": "example",
    "status_code": 401,
    "error_code": "invalid_client",
    "description": "bad client",
    "body": {"error": "invalid_client", "access_token": "<redacted>", "items": [1, 2]},
    "request_id": "req-42",
    "retry_after": 2.5,
    "retryable": True,
    "request_sent": False,
}
ATTRIBUTES = [name for name in SAMPLE if name != "message"]


def build(cls: type[TokenError]) -> TokenError:
    """An instance of ``cls`` with every attribute its constructor takes, and two notes."""
    kwargs: dict[str, Any] = {}
    positional: list[Any] = []
    for name, parameter in inspect.signature(cls).parameters.items():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if name not in SAMPLE and parameter.default is not parameter.empty:
            continue
        value = SAMPLE.get(name, f"{name}-value")
        if parameter.kind is parameter.KEYWORD_ONLY:
            kwargs[name] = value
        else:
            positional.append(value)
    error = cls(*positional, **kwargs)
    error.add_note("first note")
    error.add_note("second note")
    return error


def assert_same(got: BaseException, want: TokenError) -> None:
    assert type(got) is type(want)
    assert got.args == want.args
    assert str(got) == str(want)
    assert vars(got) == vars(want)
    for name in ATTRIBUTES:
        assert getattr(got, name, None) == getattr(want, name, None), name
    assert got.__notes__ == want.__notes__ == ["first note", "second note"]


@pytest.mark.parametrize("cls", ERRORS, ids=lambda c: c.__name__)
def test_every_error_survives_pickling(cls: type[TokenError]) -> None:
    error = build(cls)
    for protocol in range(pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL + 1):
        assert_same(pickle.loads(pickle.dumps(error, protocol)), error)


@pytest.mark.parametrize("cls", ERRORS, ids=lambda c: c.__name__)
def test_every_error_copies_with_notes_of_its_own(cls: type[TokenError]) -> None:
    error = build(cls)
    error.__cause__ = httpx.ConnectError("refused")
    copied = copy.copy(error)
    assert_same(copied, error)
    assert copied is not error
    # In-process copies keep the cause (TransportError documents it as httpx's).
    assert copied.__cause__ is error.__cause__
    assert copied.__suppress_context__
    copied.add_note("only the copy's")
    assert error.__notes__ == ["first note", "second note"]
    assert_same(copy.deepcopy(error), error)


def test_a_subclass_with_a_constructor_of_its_own_pickles_too() -> None:
    # As a store's error does: positional arguments, and attributes set later.
    error = _OwnConstructor("redis://cache", "timed out")
    error.add_note("a note")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is _OwnConstructor
    assert (again.where, again.message, again.provider, again.__notes__) == (
        "redis://cache",
        "store redis://cache: timed out",
        "store",
        ["a note"],
    )


class _OwnConstructor(TokenError):
    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"store {where}: {what}", provider="store")
        self.where = where


def test_a_pickle_leaves_the_cause_context_and_traceback_behind() -> None:
    try:
        try:
            raise httpx.ConnectError("refused", request=httpx.Request("POST", "https://x"))
        except httpx.ConnectError as exc:
            raise TransportError("example: failed", provider="example") from exc
    except TransportError as exc:
        error = exc
    again = pickle.loads(pickle.dumps(error))
    assert again.__cause__ is None
    assert again.__context__ is None
    assert again.__traceback__ is None
    assert b"httpx" not in pickle.dumps(error)


# -- across a process pool -------------------------------------------------------------

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)


def refused() -> InvalidClientError:
    """A refusal as a source builds one from the provider's 401."""
    response = httpx.Response(
        401,
        json={"error": "invalid_client", "error_description": "bad client", "access_token": "t"},
        headers={"x-request-id": "req-7", "retry-after": "30"},
    )
    error = endpoint_error("example", response, Refusal("invalid_client", "bad client"), now=NOW)
    assert isinstance(error, InvalidClientError)
    error.add_note("not retried")
    return error


def _raise_refused() -> None:  # runs in the worker
    raise refused()


def _still_working() -> str:  # runs in the worker
    return "still working"


# spawn: a fresh interpreter unpickles by importing; fork: a copy of this one.
START_METHODS = [m for m in ("spawn", "fork") if m in multiprocessing.get_all_start_methods()]


@pytest.mark.parametrize("method", START_METHODS)
def test_a_workers_error_reaches_the_caller_whole_and_the_pool_keeps_working(
    method: str,
) -> None:
    context = multiprocessing.get_context(method)
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        with pytest.raises(InvalidClientError) as caught:
            pool.submit(_raise_refused).result(timeout=120)
        want = refused()
        got = caught.value
        assert type(got) is InvalidClientError
        assert (got.args, vars(got)) == (want.args, vars(want))
        assert (got.status_code, got.error_code, got.request_id, got.retry_after) == (
            401,
            "invalid_client",
            "req-7",
            30.0,
        )
        assert got.body == {
            "error": "invalid_client",
            "error_description": "bad client",
            "access_token": "<redacted>",
        }
        assert got.__notes__ == ["not retried"]
        assert pool.submit(_still_working).result(timeout=120) == "still working"
