"""Where the time of the hot path goes: self time per package, under pyinstrument.

    pip install pyinstrument   # not a dependency of the project
    python -m bench.profile_hot            # httpx.AsyncClient(auth=source), 100 tasks
    python -m bench.profile_hot --sync     # httpx.Client(auth=source)

Runs the benchmark's loopback workload for our client only (the servers in their own
process, so only the client is profiled) and prints the share of sampled self time by
package: how much of a request is the token layer, and how much httpx and below.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from typing import Any

import httpx

from bench import contenders as c
from bench.harness import Servers

GROUPS = (
    ("provider_tokens", "provider_tokens (the token layer)"),
    ("httpcore", "httpcore"),
    ("httpx", "httpx"),
    ("h11", "h11"),
    ("anyio", "anyio"),
    ("importlib", "failed imports (importlib)"),
    ("asyncio", "asyncio"),
)


WAITING = {"select", "poll", "epoll", "recv", "recv_into", "send", "sendall", "control"}


def _group(path: str, function: str) -> str:
    if function.rsplit(".", 1)[-1] in WAITING or "selectors.py" in path:
        return "socket I/O and waiting for the server"
    for key, label in GROUPS:
        if f"/{key}/" in path or f"<frozen {key}" in path:
            return label
    return "other (stdlib, builtins)"


def _self_times(frame: Any, into: Counter[str], parent: tuple[str, str] = ("", "")) -> None:
    # pyinstrument puts a function's own time in a synthetic "[self]" child frame.
    where = parent if frame.function == "[self]" else (frame.file_path or "", frame.function)
    into[_group(*where)] += frame.total_self_time
    for child in frame.children:
        _self_times(child, into, where)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sync", action="store_true")
    parser.add_argument("--requests", type=int, default=4000)
    args = parser.parse_args(argv)
    from pyinstrument import Profiler  # type: ignore[import-not-found]

    profiler = Profiler(interval=0.0002, async_mode="disabled")
    with Servers() as servers:
        url = servers.resource_url
        source = c.our_source(servers.base_url("moneykit"))
        if args.sync:
            with httpx.Client(auth=source) as client:
                client.get(url)
                profiler.start()
                for _ in range(args.requests):
                    client.get(url)
                profiler.stop()
            source.close()
        else:

            async def run() -> None:
                async with httpx.AsyncClient(auth=source) as client:

                    async def task(n: int) -> None:
                        for _ in range(n):
                            await client.get(url)

                    await asyncio.gather(*(task(2) for _ in range(100)))
                    profiler.start()
                    await asyncio.gather(*(task(args.requests // 100) for _ in range(100)))
                    profiler.stop()
                await source.aclose()

            asyncio.run(run())

    root = profiler.last_session.root_frame()
    shares: Counter[str] = Counter()
    _self_times(root, shares)
    total = sum(shares.values())
    kind = "httpx.Client(auth=source)" if args.sync else "httpx.AsyncClient(auth=source), 100 tasks"
    print(f"self time by package, {args.requests} GETs through {kind}:")
    for label, seconds in shares.most_common():
        print(f"  {label:<40} {100 * seconds / total:5.1f} %")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
