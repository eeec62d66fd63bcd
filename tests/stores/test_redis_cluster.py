"""RedisStore on a real local Redis Cluster (three masters, no replicas).

A token's names (value, lock, channel) carry the key as a hash tag, so they share a
slot and every script touches one slot; the sync path takes a
``redis.cluster.RedisCluster``, the async one builds a
``redis.asyncio.cluster.RedisCluster`` on the same nodes. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from provider_tokens import ConfigurationError
from provider_tokens.stores import RedisStore
from provider_tokens.stores import _redis as redis_module

from cases import EXAMPLE
from conftest import MockProvider
from store_support import Bounded, LocalCluster, own_redis_cluster, redis_cluster, stored, until

if TYPE_CHECKING:
    from redis.cluster import RedisCluster

__all__ = ["own_redis_cluster", "redis_cluster"]  # the fixtures, used by name

WAIT = 20.0
PROCESSES, CALLERS = 8, 25


def _client(cluster: LocalCluster) -> RedisCluster:
    import redis.cluster

    return redis.cluster.RedisCluster.from_url(cluster.url)


@pytest.fixture
def cluster_store(redis_cluster: LocalCluster) -> Iterator[RedisStore]:
    """A store on the session's cluster, under a prefix of this test's own."""
    client = _client(redis_cluster)
    store = RedisStore(client, prefix=f"t-{uuid.uuid4().hex[:8]}:", lease=1.0)
    yield store
    store.close()
    client.close()


def _names(store: RedisStore, key: str) -> list[str]:
    return [store._key(key), store._lock_key(key), store._channel(key)]


def test_the_names_of_one_token_share_a_slot(
    cluster_store: RedisStore, redis_cluster: LocalCluster
) -> None:
    slots = set()
    for i in range(20):
        names = _names(cluster_store, f"moneykit:{i:040x}")
        assert all("{moneykit:" in name for name in names)
        key_slots = {redis_cluster.slot(name) for name in names}
        assert len(key_slots) == 1
        slots |= key_slots
    assert len(slots) > 1  # the tag is the key, not the prefix: tokens spread
    # and the keys really are spread over the masters
    masters = {redis_cluster.master_of(cluster_store._key(f"k{i}")) for i in range(30)}
    assert len(masters) == 3


def test_a_prefix_with_a_brace_is_refused_on_a_cluster(cluster_store: RedisStore) -> None:
    with pytest.raises(ConfigurationError, match="brace"):
        RedisStore(cluster_store.client, prefix="app{1}:")


def test_get_put_lock_and_discard(cluster_store: RedisStore) -> None:
    store = cluster_store._bounded(5.0)
    assert store.get("k") is None
    store.put("k", stored("a1"))
    value = store.get("k")
    assert value is not None
    assert value.token.access_token == "a1"
    with store.lock("k", timeout=5):
        assert cluster_store.client.get(cluster_store._lock_key("k")) is not None
    assert cluster_store.client.get(cluster_store._lock_key("k")) is None
    store.discard("k", "not-the-stored-one")
    assert store.get("k") is not None
    store.discard("k", "a1")
    assert store.get("k") is None


async def test_the_async_twins(cluster_store: RedisStore) -> None:
    import redis.asyncio.cluster

    store = cluster_store._bounded(5.0)
    assert await store.aget("k") is None
    await store.aput("k", stored("a2"))
    value = await store.aget("k")
    assert value is not None
    assert value.token.access_token == "a2"
    async with store.alock("k", timeout=5):
        assert cluster_store.client.get(cluster_store._lock_key("k")) is not None
        async with store._aconn() as client:
            assert isinstance(client, redis.asyncio.cluster.RedisCluster)
    assert cluster_store.client.get(cluster_store._lock_key("k")) is None
    await store.adiscard("k", "a2")
    assert await store.aget("k") is None


def _calls(cluster: LocalCluster, command: str) -> int:
    """How many ``command`` calls (``cmdstat_`` name) the cluster's nodes have answered
    since their stats were last reset."""
    import redis

    calls = 0
    for port in cluster.ports:
        with redis.Redis(port=port) as node:
            stats: dict[str, dict[str, int]] = node.info("commandstats")
            calls += int(stats.get(f"cmdstat_{command}", {}).get("calls", 0))
    return calls


def _reset_stats(cluster: LocalCluster) -> None:
    import redis

    for port in cluster.ports:
        with redis.Redis(port=port) as node:
            node.config_resetstat()


def test_the_store_s_own_clients_take_the_command_table_the_given_one_read(
    redis_cluster: LocalCluster,
) -> None:
    """A cluster client reads ``COMMAND`` (~40 ms of parsing) to route by keys; the
    store's bounded and per-loop clients reuse what the given client read."""

    client = _client(redis_cluster)  # reads the table, once
    _reset_stats(redis_cluster)
    store = RedisStore(client, prefix=f"t-{uuid.uuid4().hex[:8]}:")
    mock = MockProvider(EXAMPLE.success(), EXAMPLE.success())
    source = EXAMPLE.make(
        http_client=mock.client(), async_http_client=mock.async_client(), store=store
    )
    source.token()  # the bounded sync client: get, lock, put, release
    source.invalidate()
    asyncio.run(source.atoken())  # a redis.asyncio cluster client of that loop
    assert len(mock.requests) == 2
    assert _calls(redis_cluster, "command") == 0
    store.close()
    client.close()


def test_a_source_on_a_cluster_store_connects_when_made_not_when_first_asked(
    redis_cluster: LocalCluster,
) -> None:
    """The store's bounded cluster client asks a node for the slots when it is made:
    with the source, so that its first token request does not wait for that."""
    client = _client(redis_cluster)
    store = RedisStore(client, prefix=f"t-{uuid.uuid4().hex[:8]}:")
    mock = MockProvider(EXAMPLE.success())
    source = EXAMPLE.make(http_client=mock.client(), store=store)
    _reset_stats(redis_cluster)
    source.token()
    assert len(mock.requests) == 1
    assert _calls(redis_cluster, "cluster|slots") + _calls(redis_cluster, "cluster|shards") == 0
    assert _calls(redis_cluster, "set") + _calls(redis_cluster, "eval") > 0  # it was used
    store.close()
    client.close()


def test_a_waiter_is_woken_by_the_release(
    cluster_store: RedisStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No polling to speak of: only the release's message can wake the waiter in time.
    monkeypatch.setattr(redis_module, "FALLBACK", 60.0)
    store = cluster_store._bounded(5.0)
    cluster_store.lease = store.lease = 60.0
    waiting = threading.Event()
    holder = store.lock("k", timeout=5)
    holder.__enter__()

    def wait() -> None:
        waiting.set()
        with store.lock("k", timeout=30):
            pass

    try:
        thread = threading.Thread(target=wait, daemon=True)
        thread.start()
        assert waiting.wait(WAIT)
        until(lambda: bool(store._notifier._waiters) and store._notifier.subscribed())
    finally:
        holder.__exit__(None, None, None)
    thread.join(WAIT)
    assert not thread.is_alive()


def test_a_killed_master(
    own_redis_cluster: LocalCluster, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cluster = own_redis_cluster
    client = _client(cluster)
    store = RedisStore(client, lease=5.0)
    mock = MockProvider(EXAMPLE.success())
    source = EXAMPLE.make(http_client=mock.client(), store=store, timeout=1.0)
    dead = cluster.master_of(store._key(source.store_key))
    survivor = next(f"k{i}" for i in range(100) if cluster.master_of(store._key(f"k{i}")) != dead)
    bounded = store._bounded(1.0)
    bounded.put(survivor, stored("before"))
    source.token()
    source.invalidate()
    assert len(mock.requests) == 1

    cluster.kill(dead)
    caplog.set_level(logging.WARNING, logger="provider_tokens")

    # A source whose key lives on the dead master still gets tokens: the store fails
    # fast (connection refused), is logged once and bypassed.
    for _ in range(3):
        call = Bounded(source.token, within=WAIT)
        assert call.result().access_token == EXAMPLE.access_token
        source.invalidate()
    assert len(mock.requests) == 4
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "token store" in warnings[0]

    # Keys on the surviving masters keep working (until the cluster marks the dead
    # master failed, after cluster-node-timeout: 15 s by default, then CLUSTERDOWN).
    value = Bounded(lambda: bounded.get(survivor), within=WAIT).result()
    assert value is not None
    assert value.token.access_token == "before"

    def lock_and_put() -> None:
        with bounded.lock(survivor, timeout=5):
            bounded.put(survivor, stored("after"))

    Bounded(lock_and_put, within=WAIT).result()
    after = bounded.get(survivor)
    assert after is not None
    assert after.token.access_token == "after"
    source.close()
    store.close()
    client.close()
    asyncio.run(asyncio.sleep(0))  # nothing async left behind


def test_a_source_is_made_and_works_while_its_cluster_is_down(
    own_redis_cluster: LocalCluster, caplog: pytest.LogCaptureFixture
) -> None:
    """A service starting while Redis is not up: the source is made (the store's
    cluster client cannot be, and that fallback is not kept for later sources) and
    fetches with the store bypassed, with one warning."""
    cluster = own_redis_cluster
    client = _client(cluster)  # made while the cluster was up
    store = RedisStore(client)
    for port in cluster.ports:
        cluster.kill(port)
    caplog.set_level(logging.WARNING, logger="provider_tokens")
    mock = MockProvider(EXAMPLE.success())
    made = Bounded(
        lambda: EXAMPLE.make(http_client=mock.client(), store=store, timeout=1.0), within=WAIT
    )
    source = made.result()
    call = Bounded(source.token, within=WAIT)
    assert call.result().access_token == EXAMPLE.access_token
    assert len(mock.requests) == 1
    assert len([r for r in caplog.records if "failed" in r.getMessage()]) == 1
    assert store._views == {}  # the fallback to your own client is not kept
    store.close()
    client.close()
