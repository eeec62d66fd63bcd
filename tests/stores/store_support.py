"""Shared pieces of the store tests: real redis-servers, a fleet of worker processes,
records to store, and calls made with a bounded wait."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from provider_tokens import AccessToken
from provider_tokens.stores import FileStore, MemoryStore, RedisStore, StoredToken, TokenStore
from provider_tokens.testing._servers import free_port, redis_server, redis_server_binary

if TYPE_CHECKING:
    from redis import Redis

# free_port is re-exported: store tests take it from here for a port nothing listens on.
__all__ = [
    "AnyStore",
    "Bounded",
    "Fleet",
    "LocalCluster",
    "OwnRedis",
    "free_port",
    "held_by_a_thread",
    "own_redis",
    "own_redis_cluster",
    "redis_cluster",
    "redis_url",
    "store",
    "stored",
]

WORKER = Path(__file__).with_name("fleet_worker.py")

AnyStore = MemoryStore | FileStore | RedisStore


def _installed(binary: str | None, name: str, package: str) -> str:
    """``binary``, the path found for ``name``; without one the test skips, except
    under CI (``CI`` set), where it fails."""
    if binary is None:
        message = f"{name} is not installed (make test installs Debian's {package})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return binary


def _redis_binary() -> str:
    return _installed(redis_server_binary(), "redis-server", "redis-server")


def _redis_cli() -> str:
    return _installed(shutil.which("redis-cli"), "redis-cli", "redis-tools")


# Bounds on starting a local cluster: each node's first answer, then the whole cluster.
CLUSTER_START = 10.0
CLUSTER_READY = 30.0


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _cluster_port() -> int:
    """A free port P whose cluster bus port, P + 10000, is free too (so P <= 55535)."""
    for _ in range(1000):
        port = random.randrange(20000, 55536)
        if _bindable(port) and _bindable(port + 10000):
            return port
    raise AssertionError("no free pair of ports for a cluster node")


class LocalCluster:
    """Three redis-server masters in cluster mode on free loopback ports, no replicas.

    ``url`` names the first node; ``kill(port)`` SIGKILLs one master. Every wait is
    bounded; ``close()`` stops every node.
    """

    def __init__(self, directory: Path, masters: int = 3) -> None:
        binary, cli = _redis_binary(), _redis_cli()
        self.ports: list[int] = []
        while len(self.ports) < masters:
            port = _cluster_port()
            if port not in self.ports:
                self.ports.append(port)
        self.procs: dict[int, subprocess.Popen[bytes]] = {}
        try:
            for port in self.ports:
                node = directory / f"node-{port}"
                node.mkdir(parents=True)
                args = [
                    binary, "--port", str(port), "--bind", "127.0.0.1",
                    "--cluster-enabled", "yes",
                    "--cluster-config-file", str(node / "nodes.conf"),
                    "--dir", str(node), "--save", "", "--appendonly", "no",
                ]  # fmt: skip
                self.procs[port] = subprocess.Popen(
                    args, cwd=node, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
            deadline = time.monotonic() + CLUSTER_START
            for port in self.ports:
                while not self._answers(port):
                    assert time.monotonic() < deadline, f"redis-server on {port} did not start"
                    time.sleep(0.02)
            subprocess.run(
                [cli, "--cluster", "create", *(f"127.0.0.1:{p}" for p in self.ports),
                 "--cluster-replicas", "0", "--cluster-yes"],
                check=True, capture_output=True, timeout=CLUSTER_READY,
            )  # fmt: skip
            deadline = time.monotonic() + CLUSTER_READY
            while not all(self._ok(port) for port in self.ports):
                assert time.monotonic() < deadline, "the cluster never reached cluster_state:ok"
                time.sleep(0.05)
        except BaseException:
            self.close()
            raise
        self.url = f"redis://127.0.0.1:{self.ports[0]}"

    @staticmethod
    def _client(port: int) -> Any:
        import redis

        return redis.Redis(port=port, socket_timeout=1.0, socket_connect_timeout=1.0)

    def _answers(self, port: int) -> bool:
        import redis

        try:
            with self._client(port) as client:
                return bool(client.ping())
        except redis.RedisError:
            return False

    def _ok(self, port: int) -> bool:
        import redis

        try:
            with self._client(port) as client:
                info = client.cluster("INFO")  # parsed: {"cluster_state": "ok", ...}
                return bool(info.get("cluster_state") == "ok")
        except redis.RedisError:
            return False

    def slot(self, name: str) -> int:
        """``name``'s hash slot, as the cluster says (``CLUSTER KEYSLOT``)."""
        with self._client(self.ports[0]) as client:
            return int(client.execute_command("CLUSTER KEYSLOT", name))

    def master_of(self, name: str) -> int:
        """The port of the master serving ``name``'s slot."""
        slot = self.slot(name)
        with self._client(self.ports[0]) as client:
            for start, end, master, *_ in client.execute_command("CLUSTER SLOTS"):
                if start <= slot <= end:
                    return int(master[1])
        raise AssertionError(f"no master serves slot {slot}")

    def kill(self, port: int) -> None:
        proc = self.procs[port]
        proc.kill()
        proc.wait(timeout=10)

    def close(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    """A local three-master Redis Cluster for this test session."""
    cluster = LocalCluster(tmp_path_factory.mktemp("redis-cluster"))
    try:
        yield cluster
    finally:
        cluster.close()


@pytest.fixture
def own_redis_cluster(tmp_path: Path) -> Iterator[LocalCluster]:
    """A local Redis Cluster of one test's own, whose masters it may kill."""
    cluster = LocalCluster(tmp_path / "redis-cluster")
    try:
        yield cluster
    finally:
        cluster.close()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real redis-server on a free loopback port, for this test session."""
    with redis_server(_redis_binary()) as url:
        yield url


@pytest.fixture(params=["memory", "file", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AnyStore]:
    """Each of the three stores, empty (Redis: the session's server, flushed)."""
    if request.param == "memory":
        yield MemoryStore()
    elif request.param == "file":
        yield FileStore(tmp_path / "tokens")
    else:
        import redis

        client = redis.Redis.from_url(request.getfixturevalue("redis_url"))
        client.flushdb()
        redis_store = RedisStore(client, lease=1.0)
        yield redis_store
        redis_store.close()
        client.close()


class OwnRedis:
    """A redis-server of one test's own, which it may stop (SIGSTOP) and resume."""

    def __init__(self, url: str) -> None:
        import redis

        self.url = url
        with redis.Redis.from_url(url) as client:
            self.pid = int(client.info("server")["process_id"])

    @contextlib.contextmanager
    def stopped(self) -> Iterator[None]:
        """The server frozen: connections are accepted by the kernel, never answered."""
        os.kill(self.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.kill(self.pid, signal.SIGCONT)

    def stats(self, field: str) -> int:
        import redis

        with redis.Redis.from_url(self.url) as client:
            return int(client.info()[field])


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    with redis_server(_redis_binary()) as url:
        server = OwnRedis(url)
        try:
            yield server
        finally:
            os.kill(server.pid, signal.SIGCONT)  # never left frozen for the shutdown


# How long a thread holding a lock waits to be let go, and is waited for.
HOLD_WAIT = 10.0


@contextlib.contextmanager
def held_by_a_thread(store: TokenStore, key: str = "k") -> Iterator[Callable[[], None]]:
    """``key``'s lock held by another thread through ``store`` (another ``FileStore``
    on the same directory stands for another process) until the release yielded is
    called, and released at the end in any case."""
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store.lock(key):
            holding.set()
            release.wait(HOLD_WAIT)

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert holding.wait(HOLD_WAIT)

    def let_go() -> None:
        release.set()
        thread.join(HOLD_WAIT)
        assert not thread.is_alive()

    try:
        yield let_go
    finally:
        let_go()


def stored(
    access: str = "a1",
    refresh: str | None = None,
    lifetime: float = 3600,
    now: dt.datetime | None = None,
) -> StoredToken:
    """A record as sources store it, good for ``lifetime`` seconds from ``now``."""
    now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    until = now + dt.timedelta(seconds=lifetime)
    token = AccessToken(access, expires_at=until, refresh_token=refresh)
    return StoredToken(token, issued_at=now, valid_until=until)


class Bounded:
    """``call()`` run on a daemon thread and waited for ``within`` seconds at most.

    A call that is still running then fails the test instead of hanging it (the
    thread is left behind, blocked, until whatever holds it lets go). ``elapsed`` is
    how long the call took.
    """

    def __init__(self, call: Callable[[], Any], within: float) -> None:
        self.value: Any = None
        self.error: BaseException | None = None
        self.elapsed = 0.0
        done = threading.Event()

        def run() -> None:
            started = time.monotonic()
            try:
                self.value = call()
            except BaseException as exc:
                self.error = exc
            finally:
                self.elapsed = time.monotonic() - started
                done.set()

        threading.Thread(target=run, daemon=True).start()
        if not done.wait(within):
            pytest.fail(f"still blocked after {within:g} s")

    def result(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


class Fleet:
    """Worker processes that each build a source and, on "go", ask for tokens at once."""

    def __init__(self, config: dict[str, Any], processes: int) -> None:
        self.procs = [
            subprocess.Popen(
                [sys.executable, str(WORKER), json.dumps(config)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(processes)
        ]

    def ready(self) -> None:
        for proc in self.procs:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line.strip() == "ready", (line, proc.stderr.read() if proc.stderr else "")

    def go(self) -> list[dict[str, Any]]:
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in self.procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            results.append(json.loads(out.splitlines()[-1]))
        return results

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()


@pytest.fixture(name="client")
def flushed_redis(redis_url: str) -> Iterator[Redis]:
    """``client``: a redis-py client on this session's server, its database emptied."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.close()


def until(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Wait (bounded) for another thread or process to get somewhere; fail if it never does."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"never happened within {within} s")
        time.sleep(0.005)
