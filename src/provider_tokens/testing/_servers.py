"""Local servers for this repository's tests and benchmarks: a free port, a redis-server.

Private (not in ``provider_tokens.testing.__all__``): it lives in the package only
because it is the one place both ``tests/`` (under pytest) and ``bench/`` (``python
-m bench``) can import from. Whether a missing redis-server skips or fails is the
caller's call; every wait here is bounded.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

REDIS_START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that was free a moment ago (the OS's pick for port 0).

    Another process may take it before it is used: for servers that cannot be
    handed an open socket or asked which port they chose.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def redis_server_binary() -> str | None:
    """The ``redis-server`` on ``PATH``, or ``None``."""
    return shutil.which("redis-server")


def _pong(port: int) -> bool:
    """Whether a redis-server on ``port`` answers ``PING`` (within a second)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate, then kill if it lingers; never waits unbounded."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)


@contextlib.contextmanager
def redis_server(
    binary: str | None = None, *, timeout: float = REDIS_START_TIMEOUT
) -> Iterator[str]:
    """A private, memory-only redis-server on a free loopback port; yields its URL.

    ``binary`` defaults to ``redis_server_binary()``; ``FileNotFoundError`` without
    one. ``RuntimeError`` if it exits or does not answer ``PING`` within ``timeout``
    seconds. Stopped (killed, if need be) on exit.
    """
    binary = binary or redis_server_binary()
    if binary is None:
        raise FileNotFoundError("redis-server is not installed (not on PATH)")
    port = free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(  # noqa: S603 - a redis-server binary, fixed arguments
        args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + timeout
        while not _pong(port):
            if process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {process.returncode} (port {port})")
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not answer within {timeout:g} s")
            time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(process)
