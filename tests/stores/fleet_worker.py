"""One worker of a fleet: a token source on a shared store, many callers at once.

Run by the fleet tests and by ``make bench`` (item 5) as
``python fleet_worker.py CONFIG_JSON``, the config naming the ``provider`` and its
``credentials`` (keyword arguments of its source); prints "ready",
waits for "go" on stdin, then asks for a token from ``callers`` threads (or asyncio
tasks) at once and prints the JSON summary of what they got, with ``seconds``: how
long after "go" this process had every token. ``"store": "redis-cluster"`` takes a
``url`` of one node of a Redis Cluster.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from typing import Any

from provider_tokens._registry import PROVIDERS
from provider_tokens.stores import FileStore, MemoryStore, RedisStore, TokenStore


def make_store(config: dict[str, Any]) -> TokenStore:
    if config["store"] == "memory":
        return MemoryStore()
    if config["store"] == "file":
        return FileStore(config["path"])
    import redis
    import redis.cluster

    client: Any = (
        redis.cluster.RedisCluster.from_url(config["url"])
        if config["store"] == "redis-cluster"
        else redis.Redis.from_url(config["url"])
    )
    return RedisStore(
        client,
        prefix=config.get("prefix", "provider-tokens:"),
        lease=config.get("lease", 60.0),
    )


def main() -> None:
    config = json.loads(sys.argv[1])
    source_class = PROVIDERS[config["provider"]].source_class()
    source = source_class(
        **config["credentials"], base_url=config["base_url"], store=make_store(config)
    )
    callers = config["callers"]
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.monotonic()
    if config.get("mode", "threads") == "threads":
        tokens: list[str] = []
        barrier = threading.Barrier(callers)

        def call() -> None:
            barrier.wait()
            tokens.append(source.token().access_token)

        threads = [threading.Thread(target=call) for _ in range(callers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:

        async def run() -> list[str]:
            found = await asyncio.gather(*(source.atoken() for _ in range(callers)))
            return [t.access_token for t in found]

        tokens = asyncio.run(run())
    seconds = time.monotonic() - started
    summary = {"calls": len(tokens), "tokens": sorted(set(tokens)), "seconds": seconds}
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
