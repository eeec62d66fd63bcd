"""One worker of a benchmark fleet (mirrors tests/stores/fleet_worker.py).

``python bench/bench_fleet_worker.py CONFIG_JSON``: builds a MoneyKit source on the
configured store, prints "ready", waits for "go" on stdin, then asks for a token from
``callers`` threads at once (a barrier) and prints a JSON summary of what they got.
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any

from provider_tokens import MoneyKit
from provider_tokens.stores import FileStore, MemoryStore, RedisStore, TokenStore


def make_store(config: dict[str, Any]) -> TokenStore:
    if config["store"] == "memory":
        return MemoryStore()
    if config["store"] == "file":
        return FileStore(config["path"])
    import redis

    return RedisStore(redis.Redis.from_url(config["url"]), prefix=config["prefix"])


def main() -> None:
    config = json.loads(sys.argv[1])
    source = MoneyKit(
        config["client_id"],
        config["client_secret"],
        base_url=config["base_url"],
        store=make_store(config),
    )
    callers = int(config["callers"])
    print("ready", flush=True)
    sys.stdin.readline()
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
    print(json.dumps({"calls": len(tokens), "tokens": sorted(set(tokens))}), flush=True)


if __name__ == "__main__":
    main()
