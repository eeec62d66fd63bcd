"""Shared pieces of the store tests: real redis-servers, a fleet of worker processes,
records to store, and calls made with a bounded wait."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from provider_tokens import AccessToken
from provider_tokens.stores import FileStore, MemoryStore, RedisStore, StoredToken
from provider_tokens.testing._servers import free_port, redis_server, redis_server_binary

# free_port is re-exported: store tests take it from here for a port nothing listens on.
__all__ = [
    "AnyStore",
    "Bounded",
    "Fleet",
    "OwnRedis",
    "free_port",
    "own_redis",
    "redis_url",
    "store",
    "stored",
]

WORKER = Path(__file__).with_name("fleet_worker.py")

AnyStore = MemoryStore | FileStore | RedisStore


def _redis_binary() -> str:
    """redis-server's path; without one the test skips, except under CI (``CI`` set)."""
    binary = redis_server_binary()
    if binary is None:
        message = "redis-server is not installed (make test installs Debian's redis-server)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return binary


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
