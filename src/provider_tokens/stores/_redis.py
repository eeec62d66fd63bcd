"""``RedisStore``: tokens shared by every machine that reaches one Redis."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from ._base import StoredToken, StoreError

if TYPE_CHECKING:
    import redis
    import redis.asyncio

# Delete the lock only if we still hold it: a holder whose lease ran out must not
# release the lock a later holder took.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# Drop an access token only if it is still the stored one. An entry with a refresh
# token is kept, its access token marked unusable: losing the refresh token would
# send the user through the authorization flow again.
_DISCARD = """
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local ok, value = pcall(cjson.decode, raw)
if not ok or value['access_token'] ~= ARGV[1] then return 0 end
if value['refresh_token'] and value['refresh_token'] ~= cjson.null then
  value['valid_until'] = value['issued_at']
  redis.call('SET', KEYS[1], cjson.encode(value), 'KEEPTTL')
  return 1
end
return redis.call('DEL', KEYS[1])
"""


# Connection settings that mean the same to redis.Redis and redis.asyncio.Redis.
_PORTABLE = (
    "host",
    "port",
    "db",
    "username",
    "password",
    "socket_timeout",
    "socket_connect_timeout",
    "socket_keepalive",
    "client_name",
    "ssl",
    "ssl_ca_certs",
    "ssl_certfile",
    "ssl_keyfile",
    "ssl_cert_reqs",
)


class RedisStore:
    """Tokens in Redis, with a lock per key that outlives no holder by more than ``lease``.

    A value lives as long as its token (``PX``), except one carrying a refresh token
    (GMO Aozora): that is kept with no expiry, since the refresh token's own lifetime
    is unknown. The lock is ``SET NX PX lease`` with a unique value, released by a
    compare-and-delete script; waiters poll with backoff until it is free (the holder
    saved the token, or died and its lease ran out), then re-read the value.

    ``client`` is a ``redis.Redis``; the async methods use ``async_client`` (a
    ``redis.asyncio.Redis``), by default one built from the same connection settings.
    Requires the ``redis`` extra: ``pip install provider-tokens[redis]``.
    """

    def __init__(
        self,
        client: redis.Redis,
        prefix: str = "provider-tokens:",
        *,
        async_client: redis.asyncio.Redis | None = None,
        lease: float = 60.0,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.lease = lease
        self._async_client = async_client
        self._release = client.register_script(_RELEASE)
        self._discard = client.register_script(_DISCARD)

    @contextlib.asynccontextmanager
    async def _aclient(self) -> AsyncIterator[redis.asyncio.Redis]:
        """The async client given, or a short-lived one built from the sync client's
        settings: redis.asyncio connections belong to the event loop that opened
        them, and the store is only used around fetches, which are rare."""
        if self._async_client is not None:
            yield self._async_client
            return
        import redis.asyncio

        settings = self.client.connection_pool.connection_kwargs
        client = redis.asyncio.Redis(**{k: settings[k] for k in _PORTABLE if k in settings})
        try:
            yield client
        finally:
            await client.aclose()

    def _key(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def _lock_key(self, key: str) -> str:
        return f"{self.prefix}lock:{key}"

    @staticmethod
    def _ttl_ms(value: StoredToken) -> int | None:
        if value.token.refresh_token:
            return None
        remaining = value.valid_until - dt.datetime.now(dt.UTC)
        return max(1, int(remaining.total_seconds() * 1000))

    # -- sync -------------------------------------------------------------------------

    def get(self, key: str) -> StoredToken | None:
        with _errors():
            data: Any = self.client.get(self._key(key))
        return None if data is None else StoredToken.from_json(data)

    def put(self, key: str, value: StoredToken) -> None:
        with _errors():
            self.client.set(self._key(key), value.to_json(), px=self._ttl_ms(value))

    def discard(self, key: str, access_token: str) -> None:
        with _errors():
            self._discard(keys=[self._key(key)], args=[access_token])

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        name, token = self._lock_key(key), uuid.uuid4().hex
        lease_ms = int(self.lease * 1000)
        delay = 0.01
        with _errors():
            while not self.client.set(name, token, nx=True, px=lease_ms):
                time.sleep(delay)
                delay = min(delay * 2, 0.2)
        try:
            yield
        finally:
            with _errors():
                self._release(keys=[name], args=[token])

    # -- async ------------------------------------------------------------------------

    async def aget(self, key: str) -> StoredToken | None:
        with _errors():
            async with self._aclient() as client:
                data: Any = await client.get(self._key(key))
        return None if data is None else StoredToken.from_json(data)

    async def aput(self, key: str, value: StoredToken) -> None:
        with _errors():
            async with self._aclient() as client:
                await client.set(self._key(key), value.to_json(), px=self._ttl_ms(value))

    async def adiscard(self, key: str, access_token: str) -> None:
        with _errors():
            async with self._aclient() as client:
                await client.eval(_DISCARD, 1, self._key(key), access_token)

    @contextlib.asynccontextmanager
    async def alock(self, key: str) -> AsyncIterator[None]:
        name, token = self._lock_key(key), uuid.uuid4().hex
        lease_ms = int(self.lease * 1000)
        delay = 0.01
        with _errors():
            async with self._aclient() as client:
                while not await client.set(name, token, nx=True, px=lease_ms):
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 0.2)
        try:
            yield
        finally:
            with _errors():
                async with self._aclient() as client:
                    await client.eval(_RELEASE, 1, name, token)

    def __repr__(self) -> str:
        return f"RedisStore(prefix={self.prefix!r}, lease={self.lease})"


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """Redis failures as ``StoreError`` (no server, timeouts, refused scripts)."""
    import redis

    try:
        yield
    except redis.RedisError as exc:
        raise StoreError(f"redis: {type(exc).__name__}") from exc
