"""The source's own HTTP clients: one per event loop, closed with it, never shared by races.

These run against the fake providers over real sockets: pooled connections that
belong to a dead event loop are what broke a second ``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from provider_tokens import AccessToken, TokenSource
from provider_tokens._clients import HttpClients, _Cookies, _with_cookies
from provider_tokens.testing import FakeProviders

from cases import EXAMPLE, fake_source


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeProviders]:
    with FakeProviders() as running:
        yield running


def source(fake: FakeProviders) -> TokenSource:
    return fake_source(fake, EXAMPLE.name)


async def fresh(src: TokenSource) -> AccessToken:
    await src.ainvalidate()
    return await src.atoken()


def test_one_source_works_across_event_loops_one_after_another(fake: FakeProviders) -> None:
    src = source(fake)
    tokens = [asyncio.run(fresh(src)) for _ in range(3)]
    assert len({t.access_token for t in tokens}) == 3
    assert all(fake.is_valid_token(EXAMPLE.name, t.access_token) for t in tokens)


def test_one_source_works_from_four_loops_at_once(fake: FakeProviders) -> None:
    src = source(fake)
    start = threading.Barrier(4, timeout=10)
    results: list[object] = []

    async def job() -> list[AccessToken]:
        return [await fresh(src) for _ in range(5)]

    def run() -> None:
        start.wait()
        try:
            results.extend(asyncio.run(job()))
        except BaseException as exc:
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads)
    assert len(results) == 20
    assert all(isinstance(r, AccessToken) for r in results), results


def test_the_client_of_a_loop_is_closed_when_the_loop_shuts_down(fake: FakeProviders) -> None:
    src = source(fake)
    seen: list[httpx.AsyncClient] = []

    async def job() -> None:
        await src.atoken()
        seen.append(await src._clients.async_())

    unraisable: list[Any] = []
    previous, sys.unraisablehook = sys.unraisablehook, unraisable.append
    try:
        asyncio.run(job())
        gc.collect()
    finally:
        sys.unraisablehook = previous
    assert seen[0].is_closed
    assert unraisable == []


async def test_each_running_loop_gets_its_own_client(fake: FakeProviders) -> None:
    src = source(fake)
    here = await src._clients.async_()
    assert await src._clients.async_() is here

    async def elsewhere() -> httpx.AsyncClient:
        return await src._clients.async_()

    there = await asyncio.to_thread(asyncio.run, elsewhere())
    assert there is not here
    assert there.is_closed  # its loop has ended
    assert not here.is_closed
    await src.aclose()
    assert here.is_closed


async def test_aclose_closes_a_client_of_another_running_loop(fake: FakeProviders) -> None:
    src = source(fake)
    ready, finish = threading.Event(), threading.Event()
    theirs: list[httpx.AsyncClient] = []

    async def other_loop() -> None:
        theirs.append(await src._clients.async_())
        ready.set()
        while not finish.is_set():
            await asyncio.sleep(0.01)

    thread = threading.Thread(target=asyncio.run, args=(other_loop(),))
    thread.start()
    assert await asyncio.to_thread(ready.wait, 10)
    await src.aclose()
    for _ in range(500):
        if theirs[0].is_closed:
            break
        await asyncio.sleep(0.01)
    finish.set()
    await asyncio.to_thread(thread.join, 10)
    assert theirs[0].is_closed


def test_racing_first_calls_build_one_sync_client(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[httpx.Client] = []
    original = httpx.Client.__init__
    gate = threading.Barrier(8, timeout=10)
    # Two builders meet here at once if nothing keeps them apart; one alone waits
    # out the short timeout.
    inside = threading.Barrier(2, timeout=0.5)

    def slow_init(self: httpx.Client, *args: Any, **kwargs: Any) -> None:
        built.append(self)
        with contextlib.suppress(threading.BrokenBarrierError):
            inside.wait()
        original(self, *args, **kwargs)

    monkeypatch.setattr(httpx.Client, "__init__", slow_init)
    clients = HttpClients(
        provider="example", base_url="https://example.test", timeout=5, sync=None, async_=None
    )
    got: list[httpx.Client] = []

    def first_call() -> None:
        gate.wait()
        got.append(clients.sync())

    threads = [threading.Thread(target=first_call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len({id(c) for c in got}) == 1
    assert len(built) == 1
    clients.close()


def test_clients_of_loops_closed_by_hand_are_not_kept(fake: FakeProviders) -> None:
    clients = HttpClients(
        provider="example", base_url=fake.origin, timeout=5, sync=None, async_=None
    )
    for _ in range(5):
        loop = asyncio.new_event_loop()
        loop.run_until_complete(clients.async_())  # no request: no socket to leak
        loop.close()  # without shutting down its async generators
        del loop
    gc.collect()
    assert len(clients._own_async) <= 1  # the last one, until another loop comes


def _tls_context(client: httpx.Client | httpx.AsyncClient) -> object:
    # httpx's transport -> httpcore's pool -> the SSLContext its connections use.
    transport: Any = client._transport
    return transport._pool._ssl_context


def test_clients_of_our_own_share_one_tls_context(
    fake: FakeProviders, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Loading the CA bundle holds the GIL for tens of milliseconds: once a process.
    from provider_tokens import _clients

    built: list[object] = []
    create = httpx.create_ssl_context

    def counted(*args: Any, **kwargs: Any) -> Any:
        built.append(context := create(*args, **kwargs))
        return context

    monkeypatch.setattr(httpx, "create_ssl_context", counted)
    monkeypatch.setattr(_clients, "_TLS", _clients._SharedTls())
    contexts = []
    for base_url in ("https://api.example.com", "https://other.example.com/v1"):
        src = fake_source(fake, EXAMPLE.name, base_url=base_url)  # built, never sent
        contexts.append(_tls_context(src._clients.sync()))
        for _ in range(2):  # two event loops, one client each

            async def own(s: TokenSource = src) -> httpx.AsyncClient:
                return await s._clients.async_()

            contexts.append(_tls_context(asyncio.run(own())))
        src.close()
    assert len(built) == 1
    assert all(context is built[0] for context in contexts)


def test_a_plain_http_source_loads_no_ca_bundle_and_trusts_nothing(
    fake: FakeProviders, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ssl

    from provider_tokens import _clients

    monkeypatch.setattr(_clients, "_TLS", _clients._SharedTls())
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    src = source(fake)  # http://127.0.0.1
    src.token()
    context = _tls_context(src._clients.sync())
    src.close()
    assert _clients._TLS.context is None  # no CA bundle loaded
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0  # a TLS peer could never verify
    # With a proxy in the environment, TLS may happen (to the proxy): the real bundle.
    monkeypatch.setenv("HTTPS_PROXY", "https://proxy.example:3128")
    monkeypatch.setenv("HTTP_PROXY", "https://proxy.example:3128")
    assert _clients._TLS.for_url("http://127.0.0.1:8000").cert_store_stats()["x509_ca"] > 0


def test_clients_of_our_own_keep_cookies_but_skip_answers_that_set_none(
    fake: FakeProviders, monkeypatch: pytest.MonkeyPatch
) -> None:
    """httpx hands every answer to the jar through urllib shims (~17 µs); ours looks
    only at answers that set a cookie, and keeps and sends those as httpx does."""
    jarred: list[httpx.Response] = []
    extract = httpx.Cookies.extract_cookies

    def counted(self: httpx.Cookies, response: httpx.Response) -> None:
        jarred.append(response)
        extract(self, response)

    monkeypatch.setattr(httpx.Cookies, "extract_cookies", counted)
    seen: list[str | None] = []

    def endpoint(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("cookie"))
        headers = {"set-cookie": "lb=node-2; Path=/"} if len(seen) == 2 else {}
        return httpx.Response(200, headers=headers)

    client = _with_cookies(httpx.Client(transport=httpx.MockTransport(endpoint)))
    for _ in range(3):
        client.get("https://api.example/x")
    assert seen == [None, None, "lb=node-2"]
    assert len(jarred) == 1  # only the answer that set one
    client.close()
    with source(fake) as mine:
        assert isinstance(mine._clients.sync().cookies, _Cookies)
