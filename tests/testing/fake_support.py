"""Helpers shared by the tests of ``provider_tokens.testing`` (imported, not a conftest).

Not a ``conftest.py``: mypy checks ``tests`` with one module per basename, and
``tests/conftest.py`` already exists.

* ``serving(mode)``: a started ``FakeProviders`` and an ``httpx.Client`` into it,
  for ``mode`` in ``MODES`` (the loopback server, or the in-process transport).
* Fixtures, for a test module to import (and list in its ``__all__``): ``fake``, a
  started ``FakeProviders`` in each of the ``MODES``; ``client``, a plain httpx client
  into ``fake``; ``wire``, the ``serving`` pair (a ``Wire``) in each of the ``MODES``;
  ``clock``, a fresh ``ManualClock`` starting now.
* ``CLASSES`` and ``make_source``: each registered provider's ``TokenSource`` class,
  and one built from the fake's credentials, without retries unless told otherwise.
* ``Spec``: the provider specs, to check a response's status, content type and
  body against what the spec declares for that path and method.
* The ``clock`` fixture's ``ManualClock`` serves both the fake (``clock=clock.time``,
  epoch seconds) and the token sources (``clock=clock``), so a test moves time on
  both sides at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from provider_tokens import TokenSource
from provider_tokens._registry import PROVIDERS
from provider_tokens.testing import FakeProviders, ManualClock

from cases import fake_source

SPECS = Path(__file__).resolve().parents[2] / "specs"
MODES = ("server", "transport")
CLASSES: dict[str, type[TokenSource]] = {
    name: provider.source_class() for name, provider in PROVIDERS.items()
}
Wire = tuple[FakeProviders, httpx.Client]


@contextlib.contextmanager
def serving(mode: str, **options: Any) -> Iterator[tuple[FakeProviders, httpx.Client]]:
    """A started fake in ``mode`` and a plain httpx client that reaches it."""
    with FakeProviders(serve=mode == "server", **options) as fake:
        transport = fake.transport() if mode == "transport" else None
        with httpx.Client(transport=transport, follow_redirects=False) as client:
            yield fake, client


@pytest.fixture(params=MODES)
def fake(request: pytest.FixtureRequest) -> Iterator[FakeProviders]:
    with FakeProviders(serve=request.param == "server") as fake:
        yield fake


@pytest.fixture
def client(fake: FakeProviders) -> Iterator[httpx.Client]:
    transport = None if fake.serve else fake.transport()
    with httpx.Client(transport=transport) as client:
        yield client


@pytest.fixture(params=MODES)
def wire(request: pytest.FixtureRequest) -> Iterator[Wire]:
    with serving(request.param) as pair:
        yield pair


def make_source(fake: FakeProviders, provider: str, **options: Any) -> TokenSource:
    """``provider``'s source on ``fake``'s credentials, with no retries unless ``options``
    say otherwise (``max_retries`` or ``retry_policy``).

    A provider that needs a refresh token also gets a fresh one from the fake.
    """
    retries = {} if {"max_retries", "retry_policy"} & options.keys() else {"max_retries": 0}
    return fake_source(fake, provider, **retries, **options)


@pytest.fixture
def clock() -> ManualClock:
    """Manual time, starting now: one ``advance`` moves the fake and the sources."""
    return ManualClock()


@cache
def _load(provider: str) -> dict[str, Any]:
    data = yaml.safe_load((SPECS / f"{provider}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


class Spec:
    """One provider's spec, as the source of truth for the fake's answers."""

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.doc = _load(provider)

    def responses(self, path: str, method: str) -> Mapping[str, Any]:
        operation = self.doc["paths"][path][method.lower()]
        responses: Mapping[str, Any] = operation["responses"]
        return responses

    def check(self, path: str, method: str, response: httpx.Response) -> Any:
        """Assert the response is declared by the spec; return its parsed JSON body."""
        declared = self.responses(path, method)
        status = str(response.status_code)
        assert status in declared, f"{self.provider} {method} {path}: {status} not in spec"
        content = declared[status].get("content")
        if content is None:  # e.g. the 302 of /authorization: no body
            assert response.content == b""
            return None
        media = response.headers["content-type"]
        assert media in content, f"content type {media!r} not among {sorted(content)}"
        body = json.loads(response.content)
        problems = validate(content[media]["schema"], body, self.doc)
        assert not problems, problems
        return body


_TYPES: Mapping[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}


def _is(value: Any, name: str) -> bool:
    if isinstance(value, bool) and name in {"integer", "number"}:
        return False
    return isinstance(value, _TYPES[name])


def validate(
    schema: Mapping[str, Any], value: Any, root: Mapping[str, Any], at: str = "$"
) -> list[str]:
    """The subset of JSON Schema the specs use: $ref, type, enum, required,
    properties, items, anyOf, minLength, maxLength and format date-time."""
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return validate(target, value, root, at)
    options = schema.get("anyOf", [])
    if options and all(validate(option, value, root, at) for option in options):
        return [f"{at}: matches no anyOf option"]
    types = schema.get("type")
    if types is not None:
        names = types if isinstance(types, list) else [types]
        if not any(_is(value, n) for n in names):
            return [f"{at}: {type(value).__name__} is not {types}"]
    problems = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{at}: {value!r} not in {schema['enum']}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            problems.append(f"{at}: shorter than minLength")
        if len(value) > schema.get("maxLength", len(value)):
            problems.append(f"{at}: longer than maxLength")
        if schema.get("format") == "date-time":
            try:
                dt.datetime.fromisoformat(value)
            except ValueError:
                problems.append(f"{at}: not a date-time")
    if isinstance(value, dict):
        problems += [f"{at}: missing {k!r}" for k in schema.get("required", []) if k not in value]
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                problems += validate(sub, value[key], root, f"{at}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            problems += validate(schema["items"], item, root, f"{at}[{i}]")
    return problems
