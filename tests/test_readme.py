"""Every ```python block in README.md runs, as written, against the fake providers.

How a block runs:

- It is compiled and ``exec``-ed on its own, in a fresh namespace that holds only the
  names the README leaves to the reader, "your credentials": ``client_id`` and
  ``client_secret`` (MoneyKit), ``shop_id`` and ``shop_pass`` (GMO-PG),
  ``application_id`` and ``application_secret`` (SMS.CX), ``api_key`` and
  ``account_id`` (Melio), ``aozora_client_id``, ``aozora_client_secret`` and
  ``redirect_uri`` (GMO Aozora), plus ``code_from_callback`` (a code from
  ``FakeProviders.authorization_code()``, what the redirect would bring back),
  ``oidc_code_from_callback`` and ``nonce_from_session`` (the same with OpenID
  Connect scopes, and the nonce it was issued with) and ``save_refresh_token`` (an
  ``on_token`` callback that keeps what it is given). The values are the fake's test
  credentials (``FakeProviders.credentials(name)``). The
  stores example also gets ``tokens_dir`` (under pytest's ``tmp_path``) and
  ``redis_url``, a private redis-server of this test's own (``provider_tokens.testing
  ._servers.redis_server``), only for a block that uses it; without redis-server
  installed that block is skipped, except under CI (``CI`` set), where it fails.
  Everything else (imports, ``asyncio.run``) is in the block itself.
- The examples show production code: no ``base_url``, no ``http_client``, the
  providers' real hosts. The test stands in for the internet instead, one layer
  below httpx's clients: ``httpx.HTTPTransport.handle_request`` and
  ``httpx.AsyncHTTPTransport.handle_async_request`` (what every ``httpx.Client`` and
  ``AsyncClient`` without a transport of its own ends in, the sources' own clients
  and the README's ``httpx.Client(auth=source)`` alike) are replaced, for the test,
  by a router, as respx does. A request to a provider's token server (the hosts and
  base paths in the registry, ``Provider.servers``) goes to the fake's in-process
  transport (``FakeProviders.transport()``) under ``/<provider>``, exactly as with
  ``base_url=fake.base_url(provider)``; a request to one of the resource APIs the
  README calls is answered ``{}`` only if it carries an access token the fake issued
  for that provider (``FakeProviders.is_valid_token``) and fails the block otherwise;
  loopback requests (the README's own ``FakeProviders()`` server) go through the real
  transport; anything else raises ``httpx.ConnectError``. Nothing in
  ``provider_tokens`` is patched: the sources build their URLs, credentials, retries
  and caches as they would in production.
- Closing is checked two ways. Every ``httpx.Client`` and ``AsyncClient`` made
  while the block runs is recorded (their ``__init__`` is wrapped), and each one
  that owns a network transport (``HTTPTransport``, ``AsyncHTTPTransport``: the
  sources' own clients and the README's) must be closed when the block ends; the
  router answers without opening sockets, so this is what notices a source or
  client left open. Clients on other transports hold nothing to release: the
  SDK's guard wrappers, and the ``FakeTransport`` clients ``FakeProviders(serve=False)
  .credentials()`` lends out. And warnings are recorded (``"always"``) while the
  block runs and through a ``gc.collect()`` after it, so a ``ResourceWarning`` from a
  finaliser (a loopback socket left open) fails the block as surely as an exception.
- A block whose first line is ``# not run: <reason>`` is only compiled, and the test
  is skipped with that reason.
- A block that defines ``test_*`` functions (the pytest example) is run, then each
  of those functions is called with the fixtures it names, from this test's pytest.
"""

from __future__ import annotations

import gc
import inspect
import os
import re
import urllib.parse
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from provider_tokens import AccessToken
from provider_tokens._registry import PROVIDERS
from provider_tokens.testing import CREDENTIALS, FakeProviders
from provider_tokens.testing._servers import redis_server, redis_server_binary

README = Path(__file__).resolve().parent.parent / "README.md"
NOT_RUN = "# not run:"
# The nonce an OpenID Connect example's session kept (its code carries it).
OIDC_NONCE = "nonce-kept-with-the-session"

# The resource APIs the README's examples call: (host, path) -> provider.
RESOURCE_APIS = {
    ("stg.openapi.mul-pay.jp", "/credit/getCardDetails"): "gmo_payment",
    ("api.sms.cx", "/numbers/lookup"): "smscx",
    ("stg-api.gmo-aozora.com", "/ganb/api/corporation/v1/accounts"): "gmo_aozora",
}
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@dataclass(frozen=True)
class Block:
    id: str
    line: int  # of the opening fence, 1-based
    code: str


def python_blocks(text: str) -> list[Block]:
    """The README's ```python blocks, each named by its section's heading and line."""
    blocks: list[Block] = []
    heading = "top"
    fence: str | None = None  # the info string of the open block, if any
    start, body = 0, list[str]()
    for number, line in enumerate(text.splitlines(), start=1):
        if fence is None:
            if line.startswith("#") and not line.startswith("#!"):
                heading = re.sub(r"[^a-z0-9]+", "-", line.lstrip("#").strip().lower()).strip("-")
            elif line.startswith("```"):
                fence, start, body = line[3:].strip(), number, []
        elif line.strip() == "```":
            if fence == "python":
                blocks.append(Block(f"{heading}-L{start}", start, "\n".join(body) + "\n"))
            fence = None
        else:
            body.append(line)
    assert fence is None, f"README.md: the block opened at line {start} is never closed"
    return blocks


BLOCKS = python_blocks(README.read_text(encoding="utf-8"))


def test_the_extractor_finds_the_blocks() -> None:
    text = "# A\n\n```python\nx = 1\n```\n\n```sh\n# not a heading\n```\n"
    text += "## B c\n```python\ny\n```\n"
    assert python_blocks(text) == [Block("a-L3", 3, "x = 1\n"), Block("b-c-L11", 11, "y\n")]
    assert len(BLOCKS) >= 5


# -- the stand-in internet -------------------------------------------------------------


def _token_servers() -> list[tuple[str, str, str]]:
    """(host, base path, provider) of every server in the registry, longest path first."""
    servers = []
    for name, provider in PROVIDERS.items():
        for url in provider.servers.values():
            parts = urllib.parse.urlsplit(url)
            servers.append((parts.hostname or "", parts.path.rstrip("/"), name))
    return sorted(servers, key=lambda server: -len(server[1]))


TOKEN_SERVERS = _token_servers()


class Internet:
    """Where a request to a real host ends up during a README block."""

    def __init__(self, fake: FakeProviders) -> None:
        self.fake = fake
        self.resource_calls: list[tuple[str, str]] = []
        self.clients: list[httpx.Client | httpx.AsyncClient] = []

    def open_clients(self) -> list[str]:
        """The recorded clients on a network transport that are not closed."""
        network = (httpx.HTTPTransport, httpx.AsyncHTTPTransport)
        return [
            f"{type(client).__name__} at {id(client):#x}"
            for client in self.clients
            if isinstance(client._transport, network) and not client.is_closed
        ]

    def route(self, request: httpx.Request, body: bytes) -> httpx.Request | httpx.Response:
        """The request to send into the fake, or the resource API's answer."""
        host, path = request.url.host, request.url.path
        provider = RESOURCE_APIS.get((host, path))
        if provider is not None:
            return self._resource(provider, request)
        for server_host, base, name in TOKEN_SERVERS:
            if host == server_host and (path == base or path.startswith(base + "/")):
                url = request.url.copy_with(
                    scheme="https", host="providers.fake.invalid", port=None,
                    path=f"/{name}{path[len(base):]}",
                )  # fmt: skip
                headers = [(k, v) for k, v in request.headers.multi_items() if k != "host"]
                return httpx.Request(
                    request.method, url, headers=headers, content=body,
                    extensions=request.extensions,
                )  # fmt: skip
        raise httpx.ConnectError(f"{host}{path} is not part of the README's test network")

    def _resource(self, provider: str, request: httpx.Request) -> httpx.Response:
        authorization = request.headers.get("authorization", "")
        token = request.headers.get("x-access-token") or authorization.removeprefix("Bearer ")
        assert self.fake.is_valid_token(provider, token), (
            f"{request.url.host}{request.url.path} was called without a live {provider} token"
        )
        self.resource_calls.append((provider, request.url.path))
        return httpx.Response(200, json={}, request=request)


@pytest.fixture
def internet(monkeypatch: pytest.MonkeyPatch) -> Iterator[Internet]:
    fake = FakeProviders(serve=False)
    transport = fake.transport()
    world = Internet(fake)
    real_sync = httpx.HTTPTransport.handle_request
    real_async = httpx.AsyncHTTPTransport.handle_async_request

    def handle_request(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        if request.url.host in LOOPBACK:
            return real_sync(self, request)
        routed = world.route(request, request.read())
        if isinstance(routed, httpx.Response):
            return routed
        return transport.handle_request(routed)

    async def handle_async_request(
        self: httpx.AsyncHTTPTransport, request: httpx.Request
    ) -> httpx.Response:
        if request.url.host in LOOPBACK:
            return await real_async(self, request)
        routed = world.route(request, await request.aread())
        if isinstance(routed, httpx.Response):
            return routed
        return await transport.handle_async_request(routed)

    real_client_init = httpx.Client.__init__
    real_async_client_init = httpx.AsyncClient.__init__

    def client_init(self: httpx.Client, *args: Any, **kwargs: Any) -> None:
        real_client_init(self, *args, **kwargs)
        world.clients.append(self)

    def async_client_init(self: httpx.AsyncClient, *args: Any, **kwargs: Any) -> None:
        real_async_client_init(self, *args, **kwargs)
        world.clients.append(self)

    monkeypatch.setattr(httpx.Client, "__init__", client_init)
    monkeypatch.setattr(httpx.AsyncClient, "__init__", async_client_init)
    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle_request)
    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", handle_async_request)
    with fake:
        yield world


@pytest.fixture
def readme_redis_url() -> Iterator[str]:
    binary = redis_server_binary()
    if binary is None:
        message = "redis-server is not installed (make test installs Debian's redis-server)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with redis_server(binary) as url:
        yield url


def reader_names(fake: FakeProviders, saved: list[AccessToken]) -> dict[str, Any]:
    """The names the README leaves to the reader, from the fake's test credentials."""
    aozora = CREDENTIALS["gmo_aozora"]
    return {
        "client_id": CREDENTIALS["moneykit"]["client_id"],
        "client_secret": CREDENTIALS["moneykit"]["client_secret"],
        "shop_id": CREDENTIALS["gmo_payment"]["shop_id"],
        "shop_pass": CREDENTIALS["gmo_payment"]["shop_pass"],
        "application_id": CREDENTIALS["smscx"]["application_id"],
        "application_secret": CREDENTIALS["smscx"]["application_secret"],
        "api_key": CREDENTIALS["melio"]["api_key"],
        "account_id": CREDENTIALS["melio"]["account_id"],
        "aozora_client_id": aozora["client_id"],
        "aozora_client_secret": aozora["client_secret"],
        "redirect_uri": aozora["redirect_uri"],
        "code_from_callback": fake.authorization_code(),
        "nonce_from_session": OIDC_NONCE,
        "oidc_code_from_callback": fake.authorization_code(
            "openid private:account offline_access", nonce=OIDC_NONCE
        ),
        "save_refresh_token": saved.append,
    }


@pytest.mark.parametrize("block", BLOCKS, ids=[block.id for block in BLOCKS])
def test_readme_block_runs(
    block: Block, internet: Internet, request: pytest.FixtureRequest
) -> None:
    code = compile(block.code, f"README.md:{block.line}", "exec")
    first = block.code.lstrip().splitlines()[0] if block.code.strip() else ""
    if first.startswith(NOT_RUN):
        pytest.skip(f"README.md line {block.line}: {first.removeprefix(NOT_RUN).strip()}")

    saved: list[AccessToken] = []
    namespace: dict[str, Any] = {"__name__": f"readme_L{block.line}"}
    namespace.update(reader_names(internet.fake, saved))
    names = set(code.co_names)
    if "tokens_dir" in names:
        namespace["tokens_dir"] = str(request.getfixturevalue("tmp_path") / "tokens")
    if "redis_url" in names:
        namespace["redis_url"] = request.getfixturevalue("readme_redis_url")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exec(code, namespace)
        for name, value in list(namespace.items()):
            if name.startswith("test_") and inspect.isfunction(value):
                fixtures = inspect.signature(value).parameters
                value(**{arg: request.getfixturevalue(arg) for arg in fixtures})
        namespace.clear()
        gc.collect()
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []
    assert internet.open_clients() == [], "httpx clients left open (a source not closed?)"
    if "on_token=save_refresh_token" in block.code:
        assert saved, "on_token was never called"
        assert saved[-1].refresh_token  # the rotated refresh token reached you


def test_every_stand_in_resource_api_is_one_the_readme_calls() -> None:
    """The router answers no more than the README's examples need."""
    code = "".join(block.code for block in BLOCKS if not block.code.startswith(NOT_RUN))
    for host, path in RESOURCE_APIS:
        assert host in code, host
        assert path in code, path
