"""Fake GMO Aozora authorization server (specs/gmo_aozora.yaml).

``GET /authorization`` consents at once and redirects (302) with a single-use
code. ``POST /token`` exchanges that code, or a refresh token, for tokens; JSON is
sent as ``application/json;charset=UTF-8``. Client authentication is fixed per
client, as the bank registers it: the ``basic`` test client must send HTTP Basic,
the ``post`` one its credentials in the form (a consistent extra copy of the other
is tolerated, as the official Node SDK sends both). Refresh tokens rotate: every
refresh returns a new one and spends the old, so a replayed refresh token is
``invalid_grant``, which is the behaviour the SDK must survive. Codes and refresh
tokens belong to the client they were issued to: another client presenting one gets
``invalid_grant`` saying so.

Statuses follow RFC 6749 §5.2, as the spec assumes: ``invalid_client`` is 401 when
the client tried HTTP Basic and 400 otherwise; other errors are 400.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..._providers.gmo_aozora._id_token import ISSUERS
from .._credentials import CREDENTIALS
from .._ledger import CODE_LIFETIME
from .._wire import FORM, FakeRequest, Reply, json_reply
from ._base import CodeFlowEndpoint, Handler

if TYPE_CHECKING:
    from typing import TextIO

    from ..._token import AccessToken
    from .._fake import FakeProviders

JSON_UTF8 = "application/json;charset=UTF-8"
# The bank's production issuer, which a GmoAozora source expects by default.
ISSUER = ISSUERS["production"]
_NO_STORE = (("Cache-Control", "no-store"), ("Pragma", "no-cache"))
# GMO Aozora fixes client authentication per client at registration: this second
# client is registered for ``client_secret_post`` (credentials in the form).
GMO_AOZORA_POST_CREDENTIALS: Mapping[str, str] = MappingProxyType(
    {
        "client_id": "FAKE-aozora-post-client",
        "client_secret": "FAKE-aozora-post-secret",
        "redirect_uri": "https://app.fake.invalid/callback",
        "auth_method": "post",
    }
)
_CLIENTS: Mapping[str, Mapping[str, str]] = {
    c["client_id"]: c for c in (CREDENTIALS["gmo_aozora"], GMO_AOZORA_POST_CREDENTIALS)
}
_CODES = {400: "invalid_request", 401: "invalid_client", 403: "access_denied"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def id_token(claims: Mapping[str, Any], secret: str) -> str:
    """A compact JWT signed HS256 with the client secret, as the bank signs its ID tokens."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(dict(claims)).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    signature = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


class GmoAozoraEndpoint(CodeFlowEndpoint):
    name = "gmo_aozora"
    default_scope = "private:account offline_access"
    auth_methods = ("basic", "post")
    success_statuses = (200, 201)
    success_content_type = JSON_UTF8

    def routes(self) -> Mapping[str, Mapping[str, Handler]]:
        return {"/token": {"POST": self._token}, "/authorization": {"GET": self._authorize}}

    def error(self, status: int, code: str | None = None, message: str | None = None) -> Reply:
        body = {"error": code or _CODES.get(status, "server_error")}
        if message:
            body["error_description"] = message
        headers: tuple[tuple[str, str], ...] = _NO_STORE
        if status == 401:
            headers = (*headers, ("WWW-Authenticate", 'Basic realm="gmo_aozora"'))
        return json_reply(status, body, content_type=JSON_UTF8, headers=headers)

    def wrong_types(self) -> dict[str, Any]:
        return {"access_token": 42, "token_type": None, "expires_in": "thirty days", "scope": 7}

    def credentials(self, auth_method: str) -> Mapping[str, str]:
        if auth_method == "post":
            return GMO_AOZORA_POST_CREDENTIALS
        return super().credentials(auth_method)

    def demo(self, fake: FakeProviders, out: TextIO) -> list[tuple[str, AccessToken]]:
        """The browser flow's end (a code), then a refresh that rotates the refresh token."""
        from ..._providers.gmo_aozora._source import GmoAozora

        with GmoAozora(**fake.credentials(self.name)) as aozora:
            url = aozora.authorization_url("private:account offline_access", state="demo-state")
            print(f"{self.name} authorization URL: {url}", file=out)
            exchanged = aozora.exchange_code(fake.authorization_code())
            aozora.invalidate(exchanged)
            refreshed = aozora.token()
        rotated = refreshed.refresh_token != exchanged.refresh_token
        print(f"{self.name} refresh token rotated: {'yes' if rotated else 'no'}", file=out)
        return [(f"{self.name} (code)", exchanged), (f"{self.name} (refresh)", refreshed)]

    # -- grants issued outside HTTP (FakeProviders.authorization_code/refresh_token) --

    def issue_code(self, client_id: str, scope: str, nonce: str | None = None) -> str:
        client = _CLIENTS[client_id]
        return self.ledger.issue(
            "code",
            self.name,
            client_id,
            scope,
            lifetime=CODE_LIFETIME,
            redirect_uri=client["redirect_uri"],
            nonce=nonce,
        )

    def issue_refresh_token(self, client_id: str, scope: str) -> str:
        return self.ledger.issue("refresh", self.name, client_id, scope, lifetime=None)

    # -- GET /authorization ---------------------------------------------------------

    def _authorize(self, request: FakeRequest) -> Reply:
        query = request.query
        client = _CLIENTS.get(query.get("client_id", ""))
        # RFC 6749 §4.1.2.1: with an unknown client or redirect URI, never redirect.
        if client is None:
            return self.error(400, "invalid_request", "Unknown client_id")
        if query.get("redirect_uri") != client["redirect_uri"]:
            return self.error(400, "invalid_request", "redirect_uri is not registered")
        result: dict[str, str]
        if query.get("response_type") != "code":
            result = {
                "error": "unsupported_response_type"
                if query.get("response_type")
                else "invalid_request"
            }
        elif not query.get("scope") or not query.get("state"):
            result = {
                "error": "invalid_request",
                "error_description": "scope and state are required",
            }
        else:
            result = {
                "code": self.issue_code(client["client_id"], query["scope"], query.get("nonce"))
            }
        if query.get("state"):
            result["state"] = query["state"]
        separator = "&" if "?" in client["redirect_uri"] else "?"
        location = client["redirect_uri"] + separator + urllib.parse.urlencode(result)
        return Reply(302, headers=(("Location", location), ("Cache-Control", "no-store")))

    # -- POST /token ------------------------------------------------------------------

    def _token(self, request: FakeRequest) -> Reply:
        if request.media_type != FORM:
            return self.error(400, "invalid_request", "Content-Type must be a form")
        client = self._client(request)
        if isinstance(client, Reply):
            return client
        grant_type = request.form.get("grant_type")
        if not grant_type:
            return self.error(400, "invalid_request", "Missing grant_type")
        if grant_type == "authorization_code":
            return self._code_grant(request, client)
        if grant_type == "refresh_token":
            return self._refresh_grant(request, client)
        return self.error(400, "unsupported_grant_type", f"Unsupported grant_type: {grant_type}")

    def _client(self, request: FakeRequest) -> Mapping[str, str] | Reply:
        basic = request.basic()
        form_id, form_secret = request.form.get("client_id"), request.form.get("client_secret")
        client = _CLIENTS.get(basic[0] if basic else form_id or "")
        if client is not None:
            pair = (client["client_id"], client["client_secret"])
            via_form = (form_id, form_secret)
            if client["auth_method"] == "basic":
                ok = basic == pair and via_form in {(None, None), pair}
            else:
                ok = via_form == pair and basic in (None, pair)
            if ok:
                return client
        status = 401 if "authorization" in request.headers else 400
        return self.error(status, "invalid_client", "Client authentication failed")

    def _code_grant(self, request: FakeRequest, client: Mapping[str, str]) -> Reply:
        code, redirect_uri = request.form.get("code"), request.form.get("redirect_uri")
        if not code or not redirect_uri:
            return self.error(400, "invalid_request", "code and redirect_uri are required")
        if self._of_another_client(code, "code", client):
            return self.error(
                400, "invalid_grant", "Authorization code was issued to another client"
            )
        grant = self.ledger.live(code, kind="code", provider=self.name)
        if grant is None:
            return self.error(400, "invalid_grant", "Invalid authorization code")
        if redirect_uri != grant.redirect_uri:
            return self.error(400, "invalid_grant", "redirect_uri does not match")
        grant.spent = True
        return self._issue(client, grant.scope, grant.nonce)

    def _refresh_grant(self, request: FakeRequest, client: Mapping[str, str]) -> Reply:
        refresh_token = request.form.get("refresh_token")
        if not refresh_token:
            return self.error(400, "invalid_request", "Missing refresh_token")
        if self._of_another_client(refresh_token, "refresh", client):
            return self.error(400, "invalid_grant", "Refresh token was issued to another client")
        grant = self.ledger.live(refresh_token, kind="refresh", provider=self.name)
        if grant is None:
            return self.error(400, "invalid_grant", "Invalid or already used refresh token")
        scope = request.form.get("scope") or grant.scope
        if not set(scope.split()) <= set(grant.scope.split()):
            return self.error(400, "invalid_scope", "Scope exceeds the original grant")
        grant.spent = True  # rotation: the old refresh token is spent
        return self._issue(client, scope, None)

    def _of_another_client(self, value: str, kind: str, client: Mapping[str, str]) -> bool:
        """Whether ``value`` is a code or refresh token issued to a client other than
        ``client`` (RFC 6749 §4.1.3, §6: it is bound to the client it was issued to)."""
        grant = self.ledger.find(value, kind=kind, provider=self.name)
        return grant is not None and grant.client_id != client["client_id"]

    def _issue(self, client: Mapping[str, str], scope: str, nonce: str | None) -> Reply:
        lifetime = self.ledger.lifetime(self.name)
        client_id = client["client_id"]
        body: dict[str, Any] = {
            "access_token": self.ledger.issue(
                "access", self.name, client_id, scope, lifetime=lifetime
            ),
            "token_type": "Bearer",
            "expires_in": lifetime,
            "scope": scope,
        }
        scopes = scope.split()
        if "offline_access" in scopes:
            body["refresh_token"] = self.issue_refresh_token(client_id, scope)
        if "openid" in scopes:
            now = int(self.ledger.clock())
            claims: dict[str, Any] = {
                "iss": ISSUER,
                "sub": "FAKE-aozora-user-0001",
                "aud": client_id,
                "iat": now,
                "exp": now + lifetime,
            }
            if nonce is not None:
                claims["nonce"] = nonce
            body["id_token"] = id_token(claims, client["client_secret"])
        return json_reply(self.success_status, body, content_type=JSON_UTF8, headers=_NO_STORE)


ENDPOINT = GmoAozoraEndpoint
