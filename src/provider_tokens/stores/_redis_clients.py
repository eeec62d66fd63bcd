"""The redis-py clients a ``RedisStore`` makes from the one it is given.

Two kinds: a sync client whose every call gives up within a bound (a source's
``timeout``), and an async client on the same server for an event loop. Both are
built from the given client's connection settings; that client is never changed.
redis-py's default ``Retry`` (ten retries with backoff, on top of 5 s socket
timeouts) could turn one call to a stopped server into a minute, so the bounded
clients do not retry: the pool already reconnects a connection found dead.

A ``redis.cluster.RedisCluster`` is rebuilt the same way, as a cluster (sync) or a
``redis.asyncio.cluster.RedisCluster`` (async) on the same nodes. A third kind is the
plain connection the store's lock notifier listens on (``listener``).
"""

from __future__ import annotations

import contextlib
import inspect
from typing import TYPE_CHECKING, Any, Union, cast

if TYPE_CHECKING:
    import redis
    import redis.asyncio
    import redis.cluster
    from redis.client import PubSub

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
    # CLIENT SETINFO's name and version: the given client's (an upstream it names
    # included), and redis-py does not look its own version up again (~2 ms a client).
    "driver_info",
)

_TIMEOUTS = ("socket_timeout", "socket_connect_timeout")


# How long the notifier's connection may take to connect, or to answer a read.
_LISTENER_BOUND = 2.0


# What a RedisStore is given: a server's client, or a cluster's.
Client = Union["redis.Redis", "redis.cluster.RedisCluster"]


def is_cluster(client: object) -> bool:
    """Whether ``client`` is a ``redis.cluster.RedisCluster``."""
    import redis.cluster

    return isinstance(client, redis.cluster.RedisCluster)


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


def _cluster_settings(
    client: redis.cluster.RedisCluster, accepted: set[str] | None, bound: float | None
) -> dict[str, Any]:
    """A cluster client's node connection settings (``accepted``: the target's
    parameters, or None for any of ``_SETTINGS``), bounded like ``_settings``."""
    given = dict(client.nodes_manager.connection_kwargs)
    if "driver_info" not in given:  # computed by each node's client
        with contextlib.suppress(AttributeError, KeyError):
            node: Any = client.get_default_node()  # type: ignore[no-untyped-call,unused-ignore]
            node_pool: Any = node.redis_connection.connection_pool
            given["driver_info"] = node_pool.connection_kwargs["driver_info"]
    settings = {
        k: given[k]
        for k in (*_SETTINGS, "ssl")
        if k in given and (accepted is None or k in accepted)
    }
    if bound is not None:
        for name in _TIMEOUTS:
            own = given.get(name)
            settings[name] = bound if own is None else min(own, bound)
    return settings


def _nodes(client: redis.cluster.RedisCluster) -> list[tuple[str, int]]:
    nodes: list[Any] = client.get_nodes()  # type: ignore[no-untyped-call,unused-ignore]
    return [(node.host, int(node.port)) for node in nodes]


def bounded_client(client: Client, bound: float) -> Client:
    """A client on ``client``'s server whose calls give up after about ``bound`` seconds.

    A Sentinel or custom connection class cannot be rebuilt from its settings:
    ``client`` itself is used, as bounded as its own settings make it. So is a
    cluster that cannot be reached now (building a cluster client asks a node for
    the slots).
    """
    import redis
    from redis.backoff import NoBackoff
    from redis.exceptions import RedisClusterException
    from redis.retry import Retry

    if is_cluster(client):
        import redis.cluster

        cluster: Any = client
        node: Any = redis.cluster.ClusterNode
        try:
            return _reusing_commands(cluster)(
                startup_nodes=[node(h, p) for h, p in _nodes(cluster)],
                retry=Retry(NoBackoff(), 0),
                **_cluster_settings(cluster, None, bound),
            )
        except (redis.RedisError, RedisClusterException):  # no node answers (not a RedisError)
            return client
    plain = cast("redis.Redis", client)
    if not _known(plain):
        return client
    settings = _settings(plain, redis.Redis, bound)
    return redis.Redis(**settings, retry=Retry(NoBackoff(), 0))


def async_twin(client: Client, bound: float | None) -> redis.asyncio.Redis:
    """A redis.asyncio client on ``client``'s server (bounded like ``bounded_client``);
    for a cluster, a ``redis.asyncio.cluster.RedisCluster`` on its nodes."""
    import redis.asyncio
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    if is_cluster(client):
        import redis.asyncio.cluster

        cluster: Any = client
        accepted = set(inspect.signature(redis.asyncio.cluster.RedisCluster).parameters)
        nodes = [redis.asyncio.cluster.ClusterNode(h, p) for h, p in _nodes(cluster)]
        extra: dict[str, Any] = {} if bound is None else {"retry": Retry(NoBackoff(), 0)}
        twin = redis.asyncio.cluster.RedisCluster(
            startup_nodes=nodes, **_cluster_settings(cluster, accepted, bound), **extra
        )
        table = _command_table(cluster)
        if table is not None and hasattr(twin, "commands_parser"):
            twin.commands_parser = _async_parser(table)
        return twin  # type: ignore[return-value]
    settings = _settings(cast("redis.Redis", client), redis.asyncio.Redis, bound)
    if bound is not None:
        settings["retry"] = Retry(NoBackoff(), 0)
    return redis.asyncio.Redis(**settings)


# A cluster client reads the server's command table (``COMMAND``: some 240 commands,
# parsed in Python, ~40 ms of CPU) to route commands by their keys. The clients made
# here take the table the given client already read: the same servers, the same
# commands. Without it (another redis-py's layout), they read it themselves.


def _command_table(cluster: Any) -> dict[str, Any] | None:
    table = getattr(getattr(cluster, "commands_parser", None), "commands", None)
    return table if isinstance(table, dict) and table else None


def _reusing_commands(cluster: Any) -> type[redis.cluster.RedisCluster]:
    """``RedisCluster``, or a subclass whose ``command()`` (what its constructor asks
    for the table) answers with ``cluster``'s table."""
    import redis.cluster

    found = _command_table(cluster)
    if found is None:
        return redis.cluster.RedisCluster
    table: dict[str, Any] = found

    class Cluster(redis.cluster.RedisCluster):
        def command(self, *args: Any, **kwargs: Any) -> Any:
            return dict(table)  # a copy: the parser renames entries in what it gets

    return Cluster


def _async_parser(table: dict[str, Any]) -> Any:
    """An async cluster's command parser that starts from ``table``; any later
    reading (a command it does not know) asks the server."""
    from redis._parsers import AsyncCommandsParser

    class Parser(AsyncCommandsParser):
        async def initialize(self, node: Any = None) -> None:
            nonlocal table
            if node is not None:
                self.node = node
            if table:
                self.commands, table = dict(table), {}
            else:
                await super().initialize(node)

    return Parser()


def listener(client: Client, attempt: int) -> tuple[PubSub, redis.Redis | None]:
    """A pub/sub for the lock notifier, and the client made for it (None: ``client``'s own).

    A plain connection, bounded by ``_LISTENER_BOUND``, without retries: on a
    cluster, to one of its nodes (the next one at each ``attempt``), since a
    cluster delivers every classic ``PUBLISH`` to every node.
    """
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    no_retry = Retry(NoBackoff(), 0)
    if is_cluster(client):
        cluster: Any = client
        nodes = _nodes(cluster)
        host, port = nodes[attempt % len(nodes)]
        settings = _cluster_settings(cluster, None, _LISTENER_BOUND)
        settings.pop("db", None)
        own = redis.Redis(host=host, port=port, **settings, retry=no_retry)
        return _pubsub(own), own
    plain = cast("redis.Redis", client)
    if not _known(plain):
        return _pubsub(plain), None
    own = redis.Redis(**_settings(plain, redis.Redis, _LISTENER_BOUND), retry=no_retry)
    return _pubsub(own), own


def _pubsub(client: redis.Redis) -> PubSub:
    pubsub: PubSub = client.pubsub()  # type: ignore[no-untyped-call,unused-ignore]
    return pubsub
