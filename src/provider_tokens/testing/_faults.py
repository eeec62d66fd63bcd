"""Faults: what a fake provider does instead of (or before) answering normally.

A ``Fault`` is a small frozen value that says *what* goes wrong; which provider it
hits and for how many requests is said when it is injected
(``FakeProviders.inject(provider, fault, times=1)``). Bodies that depend on the
provider (an error shaped like that provider's errors, a success body with wrong
field types) are rendered when the fault fires, so one ``Fault`` fits every provider.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import enum
from collections.abc import Mapping


class Kind(enum.Enum):
    """What a fault does."""

    STATUS = "status"  # the provider's own error body for this status
    DELAY = "delay"  # answer normally, but only after a real delay
    DROP = "drop"  # close the connection without answering
    BODY = "body"  # exactly these bytes, with this content type
    WRONG_TYPES = "wrong_types"  # a success-shaped body whose fields have the wrong types
    REDIRECT = "redirect"  # a redirect to `location`


@dataclasses.dataclass(frozen=True)
class Fault:
    """One way for a fake provider to misbehave; build it with the class methods.

    ``http_status`` of ``None`` means "the provider's normal success status" (so
    ``Fault.truncated_json()`` breaks a 201 for MoneyKit and a 200 for SMS.CX).
    """

    kind: Kind
    http_status: int | None = None
    content: bytes = dataclasses.field(default=b"", repr=False)
    content_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    seconds: float = 0.0
    location: str | None = None

    @classmethod
    def status(
        cls,
        status: int,
        *,
        retry_after: int | str | dt.datetime | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Fault:
        """An error ``status`` with that provider's own error body.

        ``retry_after`` becomes a ``Retry-After`` header: seconds as given, or an
        aware ``datetime`` formatted as an HTTP-date. ``headers`` are added as is
        (e.g. SMS.CX's ``X-Rate-Limit-Reset``).
        """
        extra = list((headers or {}).items())
        if isinstance(retry_after, dt.datetime):
            extra.append(("Retry-After", email.utils.format_datetime(retry_after, usegmt=True)))
        elif retry_after is not None:
            extra.append(("Retry-After", str(retry_after)))
        return cls(Kind.STATUS, http_status=status, headers=tuple(extra))

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        """Process the request normally, but hold the answer back for ``seconds``.

        The token is issued (and a refresh token spent) before the wait, as on a
        slow server: a client that times out meanwhile has still used its grant.
        """
        if seconds < 0:
            raise ValueError("delay seconds must be zero or more")
        return cls(Kind.DELAY, seconds=seconds)

    @classmethod
    def drop(cls) -> Fault:
        """Close the connection without any response; nothing is processed."""
        return cls(Kind.DROP)

    @classmethod
    def body(
        cls, status: int | None, content: bytes, content_type: str | None = "application/json"
    ) -> Fault:
        """Answer ``status`` with exactly ``content``; no ``Content-Type`` when it is ``None``."""
        return cls(Kind.BODY, http_status=status, content=content, content_type=content_type)

    @classmethod
    def html(cls, status: int = 502) -> Fault:
        """An HTML error page, as a proxy or load balancer in front of the provider sends."""
        page = (
            f"<!DOCTYPE html><html><head><title>{status} Error</title></head>"
            f"<body><h1>{status} Error</h1><p>upstream unavailable</p></body></html>"
        )
        return cls.body(status, page.encode(), "text/html; charset=utf-8")

    @classmethod
    def truncated_json(cls, status: int | None = None) -> Fault:
        """A JSON body cut off mid-way (a connection lost while the body was sent)."""
        return cls.body(status, b'{"access_token": "trunc')

    @classmethod
    def wrong_types(cls, status: int | None = None) -> Fault:
        """That provider's success body, with its fields of the wrong JSON types."""
        return cls(Kind.WRONG_TYPES, http_status=status)

    @classmethod
    def empty(cls, status: int | None = None) -> Fault:
        """A JSON content type with an empty body."""
        return cls.body(status, b"")

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Fault:
        """A redirect: token clients must not follow it (credentials would travel along)."""
        if not 300 <= status < 400:
            raise ValueError("a redirect status is 3xx")
        return cls(Kind.REDIRECT, http_status=status, location=location)
