"""The three stores against one contract, on a real filesystem and a real Redis."""

from __future__ import annotations

import asyncio
import datetime as dt
import stat
import threading
from pathlib import Path

import pytest

from provider_tokens import AccessToken
from provider_tokens.stores import FileStore, RedisStore, StoredToken, TokenStore

from store_support import redis_url, store

__all__ = ["redis_url", "store"]  # the fixtures, used by name


def record(access: str = "a1", refresh: str | None = None, lifetime: float = 3600) -> StoredToken:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    token = AccessToken(
        access, expires_at=now + dt.timedelta(seconds=lifetime), refresh_token=refresh
    )
    return StoredToken(token, issued_at=now, valid_until=now + dt.timedelta(seconds=lifetime))


def test_round_trip(store: TokenStore) -> None:
    assert store.get("k") is None
    value = record(refresh="r1")
    store.put("k", value)
    loaded = store.get("k")
    assert loaded == value
    assert loaded is not None
    assert loaded.token.refresh_token == "r1"


async def test_async_round_trip(store: TokenStore) -> None:
    await store.aput("k", record("async"))
    loaded = await store.aget("k")
    assert loaded is not None
    assert loaded.token.access_token == "async"


def test_discard_compares_before_it_clears(store: TokenStore) -> None:
    store.put("k", record("current"))
    store.discard("k", "stale")
    assert store.get("k") is not None
    store.discard("k", "current")
    assert store.get("k") is None


async def test_discard_keeps_the_refresh_token(store: TokenStore) -> None:
    store.put("k", record("current", refresh="r9"))
    await store.adiscard("k", "current")
    kept = store.get("k")
    assert kept is not None
    assert kept.token.refresh_token == "r9"
    assert kept.valid_until <= kept.issued_at  # the access token is no longer usable


def test_lock_excludes_other_holders(store: TokenStore) -> None:
    inside, overlaps = 0, 0
    guard = threading.Lock()

    def hold() -> None:
        nonlocal inside, overlaps
        with store.lock("k"):
            with guard:
                inside += 1
                overlaps = max(overlaps, inside)
            threading.Event().wait(0.01)  # hold it while others try
            with guard:
                inside -= 1

    threads = [threading.Thread(target=hold) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert overlaps == 1


async def test_async_lock_excludes_and_never_blocks_the_loop(store: TokenStore) -> None:
    order: list[str] = []

    async def hold(name: str) -> None:
        async with store.alock("k"):
            order.append(f"{name}+")
            await asyncio.sleep(0.01)
            order.append(f"{name}-")

    await asyncio.gather(hold("a"), hold("b"), hold("c"))
    assert all(order[i][0] == order[i + 1][0] for i in range(0, len(order), 2))


def test_file_store_is_private_and_atomic(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "tokens")
    store.put("provider:key", record())
    files = [p for p in (tmp_path / "tokens").iterdir() if p.suffix == ".json"]
    assert [p.name for p in files] == ["provider_key.json"]  # no temporary files left
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "tokens").stat().st_mode) == 0o700


@pytest.mark.parametrize("garbage", [b"", b"{not json", b'{"format": 1}', b"[]", b'{"format": 99}'])
def test_a_corrupt_file_is_missing(tmp_path: Path, garbage: bytes) -> None:
    store = FileStore(tmp_path)
    (tmp_path / "k.json").write_bytes(garbage)
    assert store.get("k") is None


def test_redis_values_expire_with_their_token_unless_they_hold_a_refresh_token(
    redis_url: str,
) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    store = RedisStore(client, prefix="ttl-test:")
    store.put("plain", record(lifetime=120))
    store.put("aozora", record(refresh="r1", lifetime=120))
    assert 110_000 < client.pttl("ttl-test:plain") <= 120_000
    assert client.pttl("ttl-test:aozora") == -1  # kept while the refresh token may be used
    client.close()


def test_redis_lock_is_released_only_by_its_holder(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    store = RedisStore(client, prefix="lock-test:", lease=5.0)
    with store.lock("k"):
        assert 0 < client.pttl("lock-test:lock:k") <= 5000
        client.set("lock-test:lock:k", "someone-else")  # our lease ran out; another took it
    assert client.get("lock-test:lock:k") == b"someone-else"
    client.close()


def test_a_corrupt_redis_value_is_missing(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.set("corrupt-test:k", b"\xff\xfe garbage")
    assert RedisStore(client, prefix="corrupt-test:").get("k") is None
    client.close()


def test_stored_json_holds_no_secret() -> None:
    text = record(refresh="r1").to_json()
    assert set(__import__("json").loads(text)) == {
        "format", "access_token", "token_type", "expires_at", "scope",
        "refresh_token", "raw", "issued_at", "valid_until",
    }  # fmt: skip
