"""The HTTP exchange as the fake sees it, whichever way it is served.

The loopback server and the httpx transport both turn what they receive into a
``FakeRequest`` and send back the ``Reply`` the core produced, so the provider
behaviours are written once and cannot drift between the two servings.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import urllib.parse
from collections.abc import Mapping
from typing import Any

import httpx

from ._faults import Fault

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def media_type(headers: httpx.Headers) -> str:
    """The ``Content-Type`` without parameters, lower-cased (``""`` when absent)."""
    value: str = headers.get("content-type", "")
    return value.split(";", 1)[0].strip().lower()


def parse_form(headers: httpx.Headers, body: bytes) -> dict[str, str]:
    """The form fields of a form-encoded body; ``{}`` for any other body."""
    if media_type(headers) != FORM:
        return {}
    return dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


@dataclasses.dataclass(frozen=True)
class FakeRequest:
    """One request to one provider; ``path`` is the spec path (no provider prefix)."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: httpx.Headers
    body: bytes
    form: Mapping[str, str]

    @classmethod
    def build(
        cls, method: str, path: str, query: str, headers: httpx.Headers, body: bytes
    ) -> FakeRequest:
        return cls(
            method=method.upper(),
            path=path,
            query=dict(urllib.parse.parse_qsl(query, keep_blank_values=True)),
            headers=headers,
            body=body,
            form=parse_form(headers, body),
        )

    @property
    def media_type(self) -> str:
        return media_type(self.headers)

    def basic(self) -> tuple[str, str] | None:
        """The HTTP Basic user and password, or ``None`` when absent or malformed."""
        scheme, _, value = self.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, colon, password = decoded.partition(":")
        return (user, password) if colon else None

    def bearer(self) -> str | None:
        scheme, _, value = self.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return value.strip() or None


@dataclasses.dataclass(frozen=True)
class Reply:
    """What to send back: a response, possibly after ``delay`` seconds, or nothing (``drop``)."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    delay: float = 0.0
    drop: bool = False


def json_reply(
    status: int,
    payload: Any,
    *,
    content_type: str = JSON,
    headers: tuple[tuple[str, str], ...] = (),
) -> Reply:
    return Reply(
        status,
        headers=(("Content-Type", content_type), *headers),
        body=json.dumps(payload).encode(),
    )


_SECRET_HEADERS = frozenset({"authorization", "api-key", "cookie"})


@dataclasses.dataclass(frozen=True)
class RecordedRequest:
    """A request a fake provider received, as it arrived (faulted ones too).

    ``path`` is the spec path (``/auth/token``), ``headers`` look up names
    case-insensitively, ``form`` holds the fields of a form-encoded body (``{}``
    otherwise), ``time`` is the fake's clock when it arrived, and ``fault`` the
    fault that answered it, if any. ``repr`` leaves out credentials and bodies.
    """

    provider: str
    method: str
    path: str
    query: Mapping[str, str]
    headers: httpx.Headers
    form: Mapping[str, str]
    body: bytes
    time: float
    fault: Fault | None = None

    def __repr__(self) -> str:
        headers = [
            f"{name}: <redacted>" if name.lower() in _SECRET_HEADERS else f"{name}: {value}"
            for name, value in self.headers.items()
        ]
        return (
            f"RecordedRequest(provider={self.provider!r}, method={self.method!r}, "
            f"path={self.path!r}, headers={headers!r}, form_fields={sorted(self.form)!r}, "
            f"fault={self.fault!r})"
        )
