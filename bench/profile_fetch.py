"""Where the time of one token fetch goes, layer by layer (benchmark item 4).

    python -m bench.profile_fetch                 # layer timings, sync and async
    python -m bench.profile_fetch --pyinstrument  # and a pyinstrument profile of token()

The token endpoint is an in-process ``httpx.MockTransport`` answering MoneyKit's 201,
so only client-side work is timed. Five ways of getting a token, interleaved call by
call, each adding one layer to the one before, first with ``httpx.Client`` and then
with ``httpx.AsyncClient``:

1. ``raw``: ``post`` of the form with Basic credentials, then ``.json()``, on a plain
   client;
2. ``cookie jar``: the same on a client whose jar skips answers that set no cookie, as
   the source's own clients have it (``provider_tokens._clients``);
3. ``guarded``: the same request through the source's guarded HTTP client (built by
   one client, sent through that one, body streamed and re-wrapped);
4. ``generated``: the generated ``create_access_token`` operation (models to and from
   dicts) on that guarded client;
5. ``token()``: ``invalidate()`` and then ``token()`` / ``atoken()`` (single flight, the
   store and its lock, the ``AccessToken``, and for async the fetch's own task).

pyinstrument is not a dependency: ``pip install pyinstrument`` to use the flag.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable

import httpx

from bench import contenders as c
from provider_tokens._clients import _with_cookies
from provider_tokens.moneykit.api.access_token import create_access_token

BASE = "https://providers.fake.invalid/moneykit"
_BODY = json.dumps({"access_token": "A" * 43, "token_type": "bearer", "expires_in": 3600})
URL = c.token_url(BASE)
FORM = {"grant_type": "client_credentials"}
HEADERS = {"MoneyKit-Version": "2023-02-18"}
WARMUP = 200


def _token_endpoint(request: httpx.Request) -> httpx.Response:
    return httpx.Response(201, content=_BODY, headers={"Content-Type": "application/json"})


async def _async_token_endpoint(request: httpx.Request) -> httpx.Response:
    return _token_endpoint(request)


def _report(title: str, spent: dict[str, list[float]]) -> None:
    print(title)
    previous = None
    for name, values in spent.items():
        value = statistics.median(values) * 1e6
        delta = "" if previous is None else f"  ({value - previous:+.1f})"
        print(f"  {name:<28} {value:7.1f}{delta}")
        previous = value


def sync_layers(calls: int) -> dict[str, list[float]]:
    plain = httpx.Client(transport=httpx.MockTransport(_token_endpoint))
    client = _with_cookies(httpx.Client(transport=httpx.MockTransport(_token_endpoint)))
    source = c.our_source(BASE, http_client=client)
    guarded = source._client.get_httpx_client()

    def post(on: httpx.Client) -> Callable[[], None]:
        def call() -> None:
            on.post(URL, data=FORM, auth=(c.CLIENT_ID, c.CLIENT_SECRET), headers=HEADERS).json()

        return call

    def through_guarded() -> None:
        guarded.post("/auth/token", data=FORM, headers=HEADERS).json()

    def generated() -> None:
        create_access_token.sync_detailed(client=source._client, body=source._body)

    def token() -> None:
        source.token()

    layers: list[tuple[str, Callable[[], None]]] = [
        ("raw httpx.Client.post", post(plain)),
        ("+ cookie jar of our own", post(client)),
        ("+ guarded HTTP client", through_guarded),
        ("+ generated client", generated),
        ("+ token source: token()", token),
    ]
    spent: dict[str, list[float]] = {name: [] for name, _ in layers}
    for i in range(calls + WARMUP):
        for k in range(len(layers)):
            name, fn = layers[(i + k) % len(layers)]
            source.invalidate()
            started = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - started
            if i >= WARMUP:
                spent[name].append(elapsed)
    source.close()
    client.close()
    plain.close()
    return spent


async def async_layers(calls: int) -> dict[str, list[float]]:
    plain = httpx.AsyncClient(transport=httpx.MockTransport(_async_token_endpoint))
    client = _with_cookies(httpx.AsyncClient(transport=httpx.MockTransport(_async_token_endpoint)))
    source = c.our_source(BASE, async_http_client=client)
    guarded = source._client.get_async_httpx_client()

    def post(on: httpx.AsyncClient) -> Callable[[], Awaitable[None]]:
        async def call() -> None:
            auth = (c.CLIENT_ID, c.CLIENT_SECRET)
            (await on.post(URL, data=FORM, auth=auth, headers=HEADERS)).json()

        return call

    async def through_guarded() -> None:
        (await guarded.post("/auth/token", data=FORM, headers=HEADERS)).json()

    async def generated() -> None:
        await create_access_token.asyncio_detailed(client=source._client, body=source._body)

    async def token() -> None:
        await source.atoken()

    layers: list[tuple[str, Callable[[], Awaitable[None]]]] = [
        ("raw httpx.AsyncClient.post", post(plain)),
        ("+ cookie jar of our own", post(client)),
        ("+ guarded HTTP client", through_guarded),
        ("+ generated client", generated),
        ("+ token source: atoken()", token),
    ]
    spent: dict[str, list[float]] = {name: [] for name, _ in layers}
    for i in range(calls + WARMUP):
        for k in range(len(layers)):
            name, fn = layers[(i + k) % len(layers)]
            await source.ainvalidate()
            started = time.perf_counter()
            await fn()
            elapsed = time.perf_counter() - started
            if i >= WARMUP:
                spent[name].append(elapsed)
    await source.aclose()
    await client.aclose()
    await plain.aclose()
    return spent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--pyinstrument", action="store_true")
    args = parser.parse_args(argv)

    title = f"median µs per fetch, {args.calls} interleaved calls each (client side only)"
    _report(f"{title}, sync:", sync_layers(args.calls))
    _report(f"{title}, asyncio:", asyncio.run(async_layers(args.calls)))

    if args.pyinstrument:
        from pyinstrument import Profiler  # type: ignore[import-not-found]

        client = _with_cookies(httpx.Client(transport=httpx.MockTransport(_token_endpoint)))
        source = c.our_source(BASE, http_client=client)
        profiler = Profiler(interval=0.0001)
        profiler.start()
        for _ in range(args.calls):
            source.invalidate()
            source.token()
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False))
        source.close()
        client.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
