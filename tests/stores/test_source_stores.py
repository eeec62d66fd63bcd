"""Token sources on stores: sharing, keys, rotation across processes, failing stores."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from provider_tokens import GmoAozora, MoneyKit
from provider_tokens.stores import FileStore, MemoryStore, RedisStore, StoredToken, default_store
from provider_tokens.testing import FakeProviders, ManualClock

from cases import BY_NAME, SECRET
from conftest import MockProvider

CASE = BY_NAME["moneykit"]


def test_sources_with_the_same_credentials_share_the_default_store() -> None:
    mock = MockProvider(CASE.success())
    first = CASE.make(http_client=mock.client())
    second = CASE.make(http_client=mock.client())
    assert first.token().access_token == second.token().access_token
    assert len(mock.requests) == 1
    assert first.store_key == second.store_key


@pytest.mark.parametrize(
    "other",
    [
        {"client_secret": "another-secret"},
        {"client_id": "another-client"},
        {"scope": "link:data:read"},
        {"base_url": "https://sandbox.moneykit.invalid"},
    ],
)
def test_different_credentials_never_share(other: dict[str, str]) -> None:
    mock = MockProvider(CASE.success())
    base = {"client_id": "mk-client", "client_secret": SECRET}
    MoneyKit(**base, http_client=mock.client()).token()  # type: ignore[arg-type]
    MoneyKit(**{**base, **other}, http_client=mock.client()).token()  # type: ignore[arg-type]
    assert len(mock.requests) == 2


def test_the_store_key_holds_no_secret() -> None:
    key = CASE.make().store_key
    assert key.startswith("moneykit:")
    assert SECRET not in key
    assert "mk-client" not in key


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
    assert source.token().access_token == "mk-access"
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
        assert source.token().access_token == "mk-access"
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
    assert (await source.atoken()).access_token == "mk-access"
    await source.ainvalidate()
    assert (await source.atoken()).access_token == "mk-access"
    await dead_async.aclose()


def test_a_rotated_refresh_token_travels_through_the_store(tmp_path: Path) -> None:
    # Two processes (two sources, one FileStore) started with the same refresh token.
    with FakeProviders(serve=False) as fake:
        stale = fake.refresh_token()
        shared = FileStore(tmp_path)
        kwargs = fake.credentials("gmo_aozora")
        a = GmoAozora(**kwargs, refresh_token=stale, store=shared)
        b = GmoAozora(**kwargs, refresh_token=stale, store=shared)
        first = a.token()  # refreshes with `stale`, which is now spent
        assert b.token().access_token == first.access_token  # read from the store
        b.invalidate()  # say the API refused it: b must refresh with A's new token
        second = b.token()
        forms = [r.form for r in fake.requests("gmo_aozora")]
    assert second.access_token != first.access_token
    assert [f["refresh_token"] for f in forms] == [stale, first.refresh_token]
