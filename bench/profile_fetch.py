"""Where the time of one token fetch goes, layer by layer (benchmark item 4).

    python -m bench.profile_fetch                 # layer timings
    python -m bench.profile_fetch --pyinstrument  # and a pyinstrument profile of token()

The token endpoint is an in-process ``httpx.MockTransport`` answering MoneyKit's 201,
so only client-side work is timed. Four ways of getting a token, interleaved call by
call, each adding one layer to the one before:

1. ``raw``: ``httpx.Client.post`` of the form with Basic credentials, then ``.json()``;
2. ``guarded``: the same request through the source's guarded HTTP client (built by
   one ``httpx.Client``, sent through another, body streamed and re-wrapped);
3. ``generated``: the generated ``create_access_token.sync_detailed`` (models to and
   from dicts) on that guarded client;
4. ``token()``: ``invalidate()`` and then ``token()`` (single flight, the store and
   its lock, the ``AccessToken``).

pyinstrument is not a dependency: ``pip install pyinstrument`` to use the flag.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

import httpx

from bench import contenders as c
from provider_tokens.moneykit.api.access_token import create_access_token

BASE = "https://providers.fake.invalid/moneykit"
_BODY = json.dumps({"access_token": "A" * 43, "token_type": "bearer", "expires_in": 3600})


def _token_endpoint(request: httpx.Request) -> httpx.Response:
    return httpx.Response(201, content=_BODY, headers={"Content-Type": "application/json"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--pyinstrument", action="store_true")
    args = parser.parse_args(argv)

    client = httpx.Client(transport=httpx.MockTransport(_token_endpoint))
    source = c.our_source(BASE, http_client=client)
    url = c.token_url(BASE)
    form = {"grant_type": "client_credentials"}
    headers = {"MoneyKit-Version": "2023-02-18"}
    guarded = source._client.get_httpx_client()

    def raw() -> None:
        response = client.post(url, data=form, auth=(c.CLIENT_ID, c.CLIENT_SECRET), headers=headers)
        response.json()

    def through_guarded() -> None:
        guarded.post("/auth/token", data=form, headers=headers).json()

    def generated() -> None:
        create_access_token.sync_detailed(client=source._client, body=source._body)

    def token() -> None:
        source.token()

    layers: list[tuple[str, Callable[[], None]]] = [
        ("raw httpx.Client.post", raw),
        ("+ guarded HTTP client", through_guarded),
        ("+ generated client", generated),
        ("+ token source: token()", token),
    ]
    spent: dict[str, list[float]] = {name: [] for name, _ in layers}
    for i in range(args.calls + 200):
        for k in range(len(layers)):
            name, fn = layers[(i + k) % len(layers)]
            source.invalidate()
            started = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - started
            if i >= 200:  # warm-up calls
                spent[name].append(elapsed)

    print(f"median µs per fetch, {args.calls} interleaved calls each (client side only):")
    previous = None
    for name, _ in layers:
        value = statistics.median(spent[name]) * 1e6
        delta = "" if previous is None else f"  ({value - previous:+.1f})"
        print(f"  {name:<26} {value:7.1f}{delta}")
        previous = value

    if args.pyinstrument:
        from pyinstrument import Profiler  # type: ignore[import-not-found]

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
