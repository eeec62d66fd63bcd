"""Token sources on stores: sharing, keys, rotation across processes, failing stores."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from provider_tokens._registry import PROVIDERS
from provider_tokens.stores import FileStore, MemoryStore, RedisStore, StoredToken, default_store
from provider_tokens.testing import ManualClock

from cases import EXAMPLE, SECRET
from conftest import MockProvider
from store_support import Bounded, OwnRedis, own_redis

__all__ = ["own_redis"]  # the fixture, used by name

CASE = EXAMPLE


def _others() -> list[dict[str, str]]:
    """One change each of the example's credentials, scope and server."""
    declared = PROVIDERS[CASE.name]
    others = [{key: f"another-{key}"} for key in declared.required]
    if declared.scoped:
        others.append({"scope": "another-scope"})
    return [*others, {"base_url": "https://sandbox.provider.invalid"}]


def test_sources_with_the_same_credentials_share_the_default_store() -> None:
    mock = MockProvider(CASE.success())
    first = CASE.make(http_client=mock.client())
    second = CASE.make(http_client=mock.client())
    assert first.token().access_token == second.token().access_token
    assert len(mock.requests) == 1
    assert first.store_key == second.store_key


@pytest.mark.parametrize("other", _others(), ids="-".join)
def test_different_credentials_never_share(other: dict[str, str]) -> None:
    mock = MockProvider(CASE.success())
    CASE.make(http_client=mock.client()).token()
    CASE.make(**other, http_client=mock.client()).token()
    assert len(mock.requests) == 2


def test_the_store_key_holds_no_secret() -> None:
    key = CASE.make().store_key
    assert key.startswith(f"{CASE.name}:")
    assert SECRET in CASE.credentials.values()
    for value in CASE.credentials.values():  # the secret, and the client's name
        assert value not in key


def test_invalidate_drops_the_token_from_the_store() -> None:
    mock = MockProvider(CASE.success())
    source = CASE.make(http_client=mock.client())
    token = source.token()
    source.invalidate(token)
    assert default_store().get(source.store_key) is None


def test_a_corrupt_store_entry_is_fetched_again(tmp_path: Path) -> None:
    mock = MockProvider(CASE.success())
    source = CASE.make(http_client=mock.client(), store=FileStore(tmp_path))
    (tmp_path / (source.store_key.replace(":", "_") + ".json")).write_text("{corrupt")
    assert source.token().access_token == CASE.access_token
    assert len(mock.requests) == 1


def _dead_redis() -> RedisStore:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    from store_support import free_port

    return RedisStore(redis.Redis(port=free_port(), retry=Retry(NoBackoff(), 0)))


class CountingStore(MemoryStore):
    def __init__(self, store: RedisStore) -> None:
        super().__init__()
        self.inner, self.calls = store, 0

    def get(self, key: str) -> StoredToken | None:
        self.calls += 1
        return self.inner.get(key)


def test_an_unreachable_redis_warns_once_and_the_source_still_works(
    caplog: pytest.LogCaptureFixture, clock: ManualClock
) -> None:
    store = CountingStore(_dead_redis())
    mock = MockProvider(CASE.success())
    source = CASE.make(http_client=mock.client(), store=store, clock=clock)
    caplog.set_level(logging.WARNING, logger="provider_tokens")
    for _ in range(3):
        assert source.token().access_token == CASE.access_token
        source.invalidate()
    assert len(mock.requests) == 3
    assert store.calls == 1  # failed once, then bypassed
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "token store" in warnings[0].getMessage()

    clock.advance(30)  # the store is tried again after the pause
    source.token()
    assert store.calls == 2
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


async def test_an_unreachable_redis_on_the_async_path() -> None:
    import redis.asyncio
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    dead = _dead_redis()
    dead_async = redis.asyncio.Redis(
        port=dead.client.get_connection_kwargs()["port"], retry=Retry(NoBackoff(), 0)
    )
    store = RedisStore(dead.client, async_client=dead_async)
    mock = MockProvider(CASE.success())
    source = CASE.make(async_http_client=mock.async_client(), store=store)
    assert (await source.atoken()).access_token == CASE.access_token
    await source.ainvalidate()
    assert (await source.atoken()).access_token == CASE.access_token
    await dead_async.aclose()


def test_a_stopped_redis_costs_a_source_one_timeout(own_redis: OwnRedis) -> None:
    import redis

    # With redis-py's defaults (5 s socket timeouts, ten retries with backoff) the
    # store's calls waited on those, not on the source's own timeout.
    client = redis.Redis.from_url(own_redis.url)
    store = RedisStore(client)
    mock = MockProvider(CASE.success())
    source = CASE.make(http_client=mock.client(), store=store, timeout=0.5)
    source.token()
    source.invalidate()
    with own_redis.stopped():
        call = Bounded(source.token, within=60)
    assert call.result().access_token == CASE.access_token
    assert call.elapsed < 3
    assert len(mock.requests) == 2
    store.close()
    client.close()
