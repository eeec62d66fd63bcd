"""Serving the core over real HTTP on loopback (``http.server``), in a daemon thread.

Real sockets are what make this serving worth having: the token sources run their
own httpx clients, connection pools, timeouts and TLS-less loopback checks exactly
as in production, and another process (the CLI, a demo) can reach the fake too.
"""

from __future__ import annotations

import http.server
import selectors
import socket
import threading
import time
import urllib.parse
from typing import Any

import httpx

from ._core import Core


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real providers
    timeout = 30  # an idle keep-alive connection frees its thread after this
    # Headers and body go out in two writes; with Nagle on, the second waits for
    # the client's delayed ACK (~40 ms per request).
    disable_nagle_algorithm = True
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        target = urllib.parse.urlsplit(self.path)
        # http.server decodes header bytes as latin-1; hand httpx the original bytes
        # so that a UTF-8 value (a non-ASCII API key) arrives intact, not as a crash.
        headers = httpx.Headers(
            [(k.encode("latin-1"), v.encode("latin-1")) for k, v in self.headers.items()]
        )
        path = urllib.parse.unquote(target.path)
        reply = self.server.core.handle(self.command, path, target.query, headers, body)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.drop:
            # No status line at all: the client sees the connection close.
            self.close_connection = True
            return
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    # Every method reaches the core (a 405 there), as through the transport; a method
    # without a do_ handler would get http.server's own 501 instead.
    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve
    do_TRACE = do_QUERY = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: a test run's output is no place for an access log."""


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 overflows when a hundred clients connect at
    # once (a concurrency test, a fleet), and the kernel retries dropped SYNs only
    # after a second. Real token endpoints accept far more.
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], core: Core) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.core = core
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet about clients that hang up (a timed-out client during a delay fault)."""


class LoopbackServer:
    """One ``ThreadingHTTPServer`` on ``host:port`` (port 0: a free one).

    Its own accept loop instead of ``serve_forever``: ``stop`` wakes it through a
    socket pair and returns at once, where ``serve_forever`` polls (every test
    that starts a fake would pay for the poll interval).
    """

    def __init__(self, core: Core, host: str, port: int) -> None:
        self._server = _Server((host, port), core)
        self._wake_r, self._wake_w = socket.socketpair()
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name=f"fake-providers:{self.port}", daemon=True
        )
        self._thread.start()

    def _loop(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._server, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self._server and not self._stopping.is_set():
                        self._server.handle_request()  # readable: accepts without waiting

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        host = str(self._server.server_address[0])
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    def stop(self) -> None:
        self._stopping.set()
        self._wake_w.send(b"\0")
        self._thread.join(timeout=5)
        self._server.server_close()
        self._wake_r.close()
        self._wake_w.close()
