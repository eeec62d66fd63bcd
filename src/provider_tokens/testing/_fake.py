"""``FakeProviders``: the fake providers, their controls, and how to reach them."""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TextIO, overload

import httpx

from .._env import PROVIDERS
from .._exceptions import ConfigurationError
from .._registry import PROVIDERS as DECLARED
from ._core import Core
from ._credentials import (
    CREDENTIALS,
    ENVIRONMENT,
    GmoAozoraCredentials,
    GmoPaymentCredentials,
    MelioCredentials,
    MoneyKitCredentials,
    SmscxCredentials,
    check_provider,
)
from ._endpoints.moneykit import MoneyKitEndpoint
from ._faults import Fault
from ._server import LoopbackServer
from ._signing import body_bytes
from ._transport import FakeTransport
from ._wire import RecordedRequest

if TYPE_CHECKING:
    from .._token import AccessToken

# In-process serving: one origin, never resolvable (RFC 2606 reserves `.invalid`),
# so a request that escapes the fake transport fails instead of reaching anyone.
TRANSPORT_ORIGIN = "https://providers.fake.invalid"

AuthMethod = Literal["basic", "post"]


class FakeProviders:
    """Local fakes of every registered provider's token endpoints.

    ``serve=True`` (the default) starts a real HTTP server on ``host:port`` (a free
    port by default) when entered or ``start()``-ed; each provider lives under its
    own prefix, ``http://127.0.0.1:PORT/<provider>``. ``serve=False`` serves
    in-process through ``transport()`` only, under ``https://providers.fake.invalid/<provider>``.
    Both run the same core, so they behave identically.

    ``lifetime`` (seconds) overrides every provider's default token lifetime;
    ``clock`` (epoch seconds) is the fake's time, injectable so that tests expire
    tokens by moving it instead of sleeping.
    """

    def __init__(
        self,
        *,
        serve: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        lifetime: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if lifetime is not None and lifetime <= 0:
            raise ValueError("lifetime must be a positive number of seconds")
        self.serve = serve
        self._host = host
        self._port = port
        self._core = Core(clock=clock, lifetime=lifetime)
        self._transport = FakeTransport(self._core)
        self._server: LoopbackServer | None = None
        self._clients: list[httpx.Client] = []

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> FakeProviders:
        """Start serving on loopback (a no-op in transport mode or when already serving)."""
        if self.serve and self._server is None:
            self._server = LoopbackServer(self._core, self._host, self._port)
        return self

    def stop(self) -> None:
        """Stop the server and close the sync clients ``credentials()`` made."""
        if self._server is not None:
            self._server.stop()
            self._server = None
        for client in self._clients:
            client.close()
        self._clients.clear()

    def __enter__(self) -> FakeProviders:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        """Scheme, host and port that every provider's base URL starts with."""
        if not self.serve:
            return TRANSPORT_ORIGIN
        if self._server is None:
            raise RuntimeError("FakeProviders is not serving; use `with` or call start() first")
        return self._server.origin

    def base_url(self, provider: str) -> str:
        """What to pass as the token source's ``base_url``: ``<origin>/<provider>``."""
        return f"{self.origin}/{check_provider(provider)}"

    def transport(self) -> FakeTransport:
        """An ``httpx`` transport (sync and async) into the fakes, whichever the mode."""
        return self._transport

    # -- credentials and environment ------------------------------------------------------

    # A literal name is also a ``str``: the fallback's ``dict`` overlaps each
    # ``TypedDict`` by design (as in typeshed's ``open``), the first match wins.
    @overload
    def credentials(  # type: ignore[overload-overlap]
        self, provider: Literal["gmo_aozora"], *, auth_method: AuthMethod = ...
    ) -> GmoAozoraCredentials: ...
    @overload
    def credentials(  # type: ignore[overload-overlap]
        self, provider: Literal["gmo_payment"], *, auth_method: AuthMethod = ...
    ) -> GmoPaymentCredentials: ...
    @overload
    def credentials(  # type: ignore[overload-overlap]
        self, provider: Literal["melio"], *, auth_method: AuthMethod = ...
    ) -> MelioCredentials: ...
    @overload
    def credentials(  # type: ignore[overload-overlap]
        self, provider: Literal["moneykit"], *, auth_method: AuthMethod = ...
    ) -> MoneyKitCredentials: ...
    @overload
    def credentials(  # type: ignore[overload-overlap]
        self, provider: Literal["smscx"], *, auth_method: AuthMethod = ...
    ) -> SmscxCredentials: ...
    @overload
    def credentials(self, provider: str, *, auth_method: AuthMethod = ...) -> dict[str, Any]: ...
    def credentials(self, provider: str, *, auth_method: AuthMethod = "basic") -> Any:
        """Keyword arguments for that provider's token source, ``base_url`` included.

        In transport mode they include ``http_client`` and ``async_http_client``
        routed into the fake. ``auth_method="post"`` picks GMO Aozora's second
        client, registered for ``client_secret_post``.

        Given a literal provider name the result is a ``TypedDict`` of that source's
        keywords (``MoneyKitCredentials``, ...), so ``MoneyKit(**fake.credentials("moneykit"))``
        is type-checked; any other ``str`` gives a plain ``dict[str, Any]``.
        """
        kwargs: dict[str, Any] = dict(self._credentials(provider, auth_method))
        kwargs["base_url"] = self.base_url(provider)
        if not self.serve:
            client = httpx.Client(transport=self._transport)
            self._clients.append(client)
            kwargs["http_client"] = client
            kwargs["async_http_client"] = httpx.AsyncClient(transport=self._transport)
        return kwargs

    def environment(self, provider: str | None = None) -> dict[str, str]:
        """The CLI's environment variables for one provider, or for all of them.

        GMO Aozora's includes a freshly minted refresh token (the CLI cannot run the
        browser flow), so each call issues a new one.
        """
        env: dict[str, str] = {}
        for name in PROVIDERS if provider is None else (check_provider(provider),):
            values = dict(CREDENTIALS[name], base_url=self.base_url(name))
            if "refresh_token" in DECLARED[name].required:
                values["refresh_token"] = self.refresh_token()
            for key, variable in ENVIRONMENT[name].items():
                env[variable] = values[key]
        return env

    def export_lines(self) -> list[str]:
        """``export NAME=value`` lines for a shell, for the loopback server only."""
        if not self.serve:
            raise RuntimeError("export_lines() needs the loopback server (serve=True)")
        return [f"export {k}={shlex.quote(v)}" for k, v in self.environment().items()]

    # -- grants issued out of band --------------------------------------------------------

    def authorization_code(
        self,
        scope: str | None = None,
        nonce: str | None = None,
        *,
        auth_method: AuthMethod = "basic",
    ) -> str:
        """A single-use GMO Aozora code, as ``GET /authorization`` would redirect with,
        for the test client of ``auth_method``."""
        flow = self._core.code_flow
        client_id = self._credentials(flow.name, auth_method)["client_id"]
        with self._core.lock:
            return flow.issue_code(client_id, scope or flow.default_scope, nonce)

    def refresh_token(self, scope: str | None = None, *, auth_method: AuthMethod = "basic") -> str:
        """A live GMO Aozora refresh token, as if the user had authorized earlier.

        It belongs to the test client of ``auth_method`` (``credentials(...,
        auth_method=)``): the other client presenting it gets ``invalid_grant``,
        "issued to another client".
        """
        flow = self._core.code_flow
        client_id = self._credentials(flow.name, auth_method)["client_id"]
        with self._core.lock:
            return flow.issue_refresh_token(client_id, scope or flow.default_scope)

    def is_valid_token(self, provider: str, access_token: str) -> bool:
        """Whether the fake issued ``access_token`` for ``provider`` and it has not expired."""
        with self._core.lock:
            ledger = self._core.ledger
            return ledger.live(access_token, kind="access", provider=provider) is not None

    # -- webhooks signed by the fakes ------------------------------------------------------

    def moneykit_webhook(
        self,
        body: bytes | str | Mapping[str, Any],
        *,
        iat: float | None = None,
        kid: str | None = None,
    ) -> tuple[str, bytes]:
        """A MoneyKit webhook as the fake would send it: ``(verification JWT, body bytes)``,
        to test a webhook handler offline against ``base_url("moneykit")``'s JWKS.

        The JWT is ES256 with header ``{alg, kid, typ}`` and claims ``iat`` and
        ``request_body_sha256`` (lowercase hex SHA-256 of the body bytes). ``body``
        is sent as is if ``bytes``, UTF-8 if ``str``, compact JSON if a mapping.
        ``iat`` (epoch seconds) defaults to the fake's clock. ``kid`` picks a
        published key to sign with (a retired one, say); any other value goes into
        the header over the current key's signature: a forgery whose kid no JWKS lists.

        Needs the ``provider-tokens[jwt]`` extra (a ``ConfigurationError`` otherwise).
        """
        payload = body_bytes(body)
        return self._moneykit().sign_webhook(payload, iat=iat, kid=kid), payload

    def rotate_moneykit_keys(self) -> str:
        """Sign MoneyKit webhooks with a new key from now on; its kid.

        Like MoneyKit's, the JWKS keeps listing the last two retired keys (verifiers
        cache it for up to 24 hours), so webhooks signed just before still verify;
        older keys leave it. ``reset()`` forgets every key.
        """
        return self._moneykit().keys.rotate()

    @property
    def moneykit_webhook_kid(self) -> str:
        """The kid that signs MoneyKit webhooks now (the JWKS's last key)."""
        return self._moneykit().keys.current_kid

    def _moneykit(self) -> MoneyKitEndpoint:
        endpoint = self._core.endpoints["moneykit"]
        assert isinstance(endpoint, MoneyKitEndpoint)
        return endpoint

    # -- configuration, recording, faults -------------------------------------------------

    def set_lifetime(self, provider: str, seconds: int) -> None:
        """Lifetime of the access tokens ``provider`` issues from now on."""
        with self._core.lock:
            self._core.ledger.set_lifetime(provider, seconds)

    def set_success_status(self, provider: str, status: int) -> None:
        """Pick among the success statuses the spec declares (Melio, GMO Aozora: 200 or 201)."""
        with self._core.lock:
            self._core.endpoints[check_provider(provider)].set_success_status(status)

    def requests(self, provider: str | None = None) -> list[RecordedRequest]:
        """The requests received so far, oldest first; all providers' when ``None``."""
        return self._core.records(provider)

    def inject(self, provider: str, fault: Fault, *, times: int | None = 1) -> None:
        """Answer the next ``times`` requests to ``provider`` with ``fault``.

        ``times=None`` keeps it until ``clear_faults``. Faults queue: a second one
        fires once the first is used up. Faulted requests are recorded too.
        """
        self._core.inject(provider, fault, times)

    def clear_faults(self, provider: str | None = None) -> None:
        self._core.clear_faults(provider)

    def reset(self) -> None:
        """Forget requests, pending faults, and everything issued; configuration stays."""
        self._core.reset()

    def _credentials(self, provider: str, auth_method: AuthMethod) -> dict[str, str]:
        endpoint = self._core.endpoints[check_provider(provider)]
        if auth_method not in endpoint.auth_methods:
            having = [
                e.name for e in self._core.endpoints.values() if auth_method in e.auth_methods
            ]
            where = f"only exists for {', '.join(having)}" if having else "is unknown"
            raise ConfigurationError(
                f"auth_method={auth_method!r} {where}; {provider} has "
                f"{', '.join(map(repr, endpoint.auth_methods))}",
                provider=provider,
            )
        return dict(endpoint.credentials(auth_method))

    def __repr__(self) -> str:
        if not self.serve:
            return f"FakeProviders(serve=False, origin={TRANSPORT_ORIGIN!r})"
        where = self._server.origin if self._server is not None else "not started"
        return f"FakeProviders(serve=True, origin={where!r})"


def demo_rows(fake: FakeProviders, provider: str, out: TextIO) -> list[tuple[str, AccessToken]]:
    """What ``provider-tokens demo`` shows of ``provider``: its fake endpoint's story."""
    return fake._core.endpoints[check_provider(provider)].demo(fake, out)
