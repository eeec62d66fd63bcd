"""Fleets of processes on a shared store: one token request per fleet.

8 worker processes x 25 threads (or asyncio tasks) ask for a token (of the example
provider) at the same moment, against the fake provider server; the server counts the requests.
The stores: FileStore, RedisStore on one server, and on a local Redis Cluster.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from provider_tokens.testing import CREDENTIALS, FakeProviders, Fault

from cases import EXAMPLE
from store_support import Fleet, redis_cluster, redis_url

__all__ = ["redis_cluster", "redis_url"]  # the fixtures, used by name

PROCESSES, CALLERS = 8, 25
NAME = EXAMPLE.name


def _config(
    fake: FakeProviders, store: str, tmp_path: Path, request: pytest.FixtureRequest
) -> dict[str, Any]:
    config: dict[str, Any] = {
        "provider": NAME,
        "credentials": dict(CREDENTIALS[NAME]),
        "base_url": fake.base_url(NAME),
        "store": store,
        "callers": CALLERS,
        "mode": "threads",
    }
    if store == "file":
        config["path"] = str(tmp_path / "tokens")
    elif store == "redis":
        config["url"] = request.getfixturevalue("redis_url")
    elif store == "redis-cluster":
        # A local three-master Redis Cluster; the session's, so a key prefix of its own.
        config["url"] = request.getfixturevalue("redis_cluster").url
        config["prefix"] = f"fleet-{uuid.uuid4().hex[:8]}:"
    return config


@pytest.mark.parametrize("mode", ["threads", "asyncio"])
@pytest.mark.parametrize("store", ["file", "redis", "redis-cluster"])
def test_one_token_request_per_fleet(
    store: str, mode: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    with FakeProviders() as fake:
        # Hold every answer back a little, so that all 8 processes are asking at once.
        fake.inject(NAME, Fault.delay(0.3), times=None)
        fleet = Fleet({**_config(fake, store, tmp_path, request), "mode": mode}, PROCESSES)
        try:
            fleet.ready()
            results = fleet.go()
        finally:
            fleet.close()
        requests = len(fake.requests(NAME))

    assert requests == 1
    assert sum(r["calls"] for r in results) == PROCESSES * CALLERS
    assert len({token for r in results for token in r["tokens"]}) == 1


def test_without_a_shared_store_each_process_fetches(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # The baseline the shared stores improve on: the default MemoryStore is per process.
    with FakeProviders() as fake:
        fake.inject(NAME, Fault.delay(0.3), times=None)
        config = {**_config(fake, "memory", tmp_path, request), "store": "memory"}
        fleet = Fleet(config, PROCESSES)
        try:
            fleet.ready()
            results = fleet.go()
        finally:
            fleet.close()
        requests = len(fake.requests(NAME))
    assert requests == PROCESSES
    assert all(len(r["tokens"]) == 1 for r in results)


@pytest.mark.parametrize("store", ["file", "redis"])
def test_a_killed_lock_holder_does_not_block_the_others(
    store: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    with FakeProviders() as fake:
        config = {**_config(fake, store, tmp_path, request), "callers": 1, "lease": 1.0}
        fake.inject(NAME, Fault.delay(5), times=1)  # the holder hangs mid-fetch
        holder = Fleet(config, 1)
        try:
            holder.ready()
            for proc in holder.procs:
                assert proc.stdin is not None
                proc.stdin.write("go\n")
                proc.stdin.flush()
            deadline = time.monotonic() + 10
            while not fake.requests(NAME):
                assert time.monotonic() < deadline, "the holder never sent its request"
                time.sleep(0.01)
            os.kill(holder.procs[0].pid, signal.SIGKILL)
        finally:
            holder.close()

        started = time.monotonic()
        others = Fleet({**config, "callers": 5}, 2)
        try:
            others.ready()
            results = others.go()
        finally:
            others.close()
        waited = time.monotonic() - started

    assert len({token for r in results for token in r["tokens"]}) == 1
    assert len(fake.requests(NAME)) == 2  # the dead holder's, and one more
    # flock dies with its holder; a Redis lock waits out its 1 s lease.
    assert waited < 10
