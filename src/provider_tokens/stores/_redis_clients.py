"""The redis-py clients a ``RedisStore`` makes from the one it is given.

Two kinds: a sync client whose every call gives up within a bound (a source's
``timeout``), and an async client on the same server for an event loop. Both are
built from the given client's connection settings; that client is never changed.
redis-py's default ``Retry`` (ten retries with backoff, on top of 5 s socket
timeouts) could turn one call to a stopped server into a minute, so the bounded
clients do not retry: the pool already reconnects a connection found dead.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import redis
    import redis.asyncio

# Connection settings that mean the same to redis.Redis and redis.asyncio.Redis
# (each is passed only if the installed redis-py's constructor takes it).
_SETTINGS = (
    "host",
    "port",
    "db",
    "username",
    "password",
    "credential_provider",
    "client_name",
    "protocol",
    "encoding",
    "encoding_errors",
    "decode_responses",
    "socket_timeout",
    "socket_connect_timeout",
    "socket_keepalive",
    "socket_keepalive_options",
    "health_check_interval",
    "ssl_keyfile",
    "ssl_certfile",
    "ssl_cert_reqs",
    "ssl_ca_certs",
    "ssl_ca_path",
    "ssl_ca_data",
    "ssl_check_hostname",
    "ssl_password",
    "ssl_min_version",
    "ssl_ciphers",
)

_TIMEOUTS = ("socket_timeout", "socket_connect_timeout")


def _known(client: redis.Redis) -> bool:
    """Whether the client's connections are ones these settings can rebuild."""
    import redis

    known = (redis.Connection, redis.SSLConnection, redis.UnixDomainSocketConnection)
    return client.connection_pool.connection_class in known


def _settings(client: redis.Redis, target: type[Any], bound: float | None) -> dict[str, Any]:
    import redis

    pool = client.connection_pool
    given = pool.connection_kwargs
    accepted = inspect.signature(target).parameters
    settings = {k: given[k] for k in _SETTINGS if k in given and k in accepted}
    if issubclass(pool.connection_class, redis.UnixDomainSocketConnection):
        settings["unix_socket_path"] = given.get("path")
    if issubclass(pool.connection_class, redis.SSLConnection):
        settings["ssl"] = True
    if bound is not None:
        # The client's own timeouts where shorter; unset (or redis-py's default) ones
        # are replaced by the bound.
        for name in _TIMEOUTS:
            own = given.get(name)
            settings[name] = bound if own is None else min(own, bound)
    return settings


def bounded_client(client: redis.Redis, bound: float) -> redis.Redis:
    """A client on ``client``'s server whose calls give up after about ``bound`` seconds.

    A Sentinel or custom connection class cannot be rebuilt from its settings:
    ``client`` itself is used, as bounded as its own settings make it.
    """
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    if not _known(client):
        return client
    settings = _settings(client, redis.Redis, bound)
    return redis.Redis(**settings, retry=Retry(NoBackoff(), 0))


def async_twin(client: redis.Redis, bound: float | None) -> redis.asyncio.Redis:
    """A redis.asyncio client on ``client``'s server (bounded like ``bounded_client``)."""
    import redis.asyncio
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    settings = _settings(client, redis.asyncio.Redis, bound)
    if bound is not None:
        settings["retry"] = Retry(NoBackoff(), 0)
    return redis.asyncio.Redis(**settings)
