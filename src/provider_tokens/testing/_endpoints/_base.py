"""What every fake provider shares: routing, 404/405, and applying faults.

A provider module supplies its routes, its error shape (``error``), its success
content type and a wrong-types body; routing and fault handling live here once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TextIO

from ..._registry import PROVIDERS
from .._faults import Fault, Kind
from .._ledger import Ledger
from .._wire import JSON, FakeRequest, Reply, json_reply

if TYPE_CHECKING:
    from ..._token import AccessToken
    from .._fake import FakeProviders

Handler = Callable[[FakeRequest], Reply]


class Endpoint:
    """One fake provider; the core calls ``answer`` under its lock."""

    name: ClassVar[str]
    # The 2xx statuses the provider's spec declares for its token response; the
    # first is the default, the others can be chosen with `set_success_status`.
    success_statuses: ClassVar[tuple[int, ...]]
    success_content_type: ClassVar[str] = JSON
    # How the registered test clients authenticate, one client each.
    auth_methods: ClassVar[tuple[str, ...]] = ("basic",)

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.success_status = self.success_statuses[0]

    # -- what a provider module supplies ------------------------------------------

    def routes(self) -> Mapping[str, Mapping[str, Handler]]:
        """Spec path to HTTP method to handler."""
        raise NotImplementedError

    def error(self, status: int, code: str | None = None, message: str | None = None) -> Reply:
        """An error reply in this provider's shape; defaults derived from ``status``."""
        raise NotImplementedError

    def wrong_types(self) -> dict[str, Any]:
        """A success body with the right field names and wrong JSON types."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget per-provider state kept outside the ledger."""

    def credentials(self, auth_method: str) -> Mapping[str, str]:
        """The registered test client that authenticates with ``auth_method``
        (one of ``auth_methods``)."""
        return PROVIDERS[self.name].test_credentials

    def demo(self, fake: FakeProviders, out: TextIO) -> list[tuple[str, AccessToken]]:
        """What ``provider-tokens demo`` shows of this provider: rows of (label, token)."""
        source = PROVIDERS[self.name].source_class()
        with source(**fake.credentials(self.name)) as tokens:
            return [(self.name, tokens.token())]

    # -- shared -------------------------------------------------------------------

    def set_success_status(self, status: int) -> None:
        if status not in self.success_statuses:
            allowed = ", ".join(map(str, self.success_statuses))
            raise ValueError(f"{self.name}: the spec declares success status {allowed} only")
        self.success_status = status

    def answer(self, request: FakeRequest, fault: Fault | None) -> Reply:
        if fault is None:
            return self.handle(request)
        return self.apply(fault, request)

    def handle(self, request: FakeRequest) -> Reply:
        methods = self.routes().get(request.path)
        if methods is None:
            return self.error(404, message=f"No such endpoint: {request.path}")
        handler = methods.get(request.method)
        if handler is None:
            reply = self.error(405, message=f"Method {request.method} not allowed")
            return dataclasses.replace(
                reply, headers=(*reply.headers, ("Allow", ", ".join(methods)))
            )
        return handler(request)

    def apply(self, fault: Fault, request: FakeRequest) -> Reply:
        status = fault.http_status if fault.http_status is not None else self.success_status
        if fault.kind is Kind.DELAY:
            return dataclasses.replace(self.handle(request), delay=fault.seconds)
        if fault.kind is Kind.DROP:
            return Reply(0, drop=True)
        if fault.kind is Kind.STATUS:
            reply = self.error(status)
            return dataclasses.replace(reply, headers=(*reply.headers, *fault.headers))
        if fault.kind is Kind.WRONG_TYPES:
            return json_reply(status, self.wrong_types(), content_type=self.success_content_type)
        if fault.kind is Kind.REDIRECT:
            assert fault.location is not None
            return Reply(status, headers=(("Location", fault.location),))
        headers = (("Content-Type", fault.content_type),) if fault.content_type else ()
        return Reply(status, headers=headers, body=fault.content)


class CodeFlowEndpoint(Endpoint):
    """A provider whose tokens come from a user's authorization code.

    ``FakeProviders.authorization_code()`` and ``.refresh_token()`` mint grants
    through it, as if a user had consented in a browser.
    """

    #: The scope those grants carry unless told otherwise.
    default_scope: ClassVar[str]

    def issue_code(self, client_id: str, scope: str, nonce: str | None = None) -> str:
        raise NotImplementedError

    def issue_refresh_token(self, client_id: str, scope: str) -> str:
        raise NotImplementedError
