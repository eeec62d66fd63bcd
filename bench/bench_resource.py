"""A minimal resource API for the hot-path benchmarks: asyncio, HTTP/1.1 keep-alive.

Every request is answered from a prebuilt byte string: ``200 {"ok":true}`` when it
carries ``Authorization: Bearer <something>``, ``401`` otherwise (so a contender that
forgot the token is caught, and the runner checks every status). It costs far less
per request than the client under test, so the client's own cost is what shows.

Run on its own (``python bench/bench_resource.py``) it prints ``PORT`` and serves
until stdin closes; the benchmark server and the smoke tests use it that way.
"""

from __future__ import annotations

import asyncio
import sys

OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'
UNAUTHORIZED = (
    b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n"
    b'Content-Length: 25\r\n\r\n{"error":"invalid_token"}'
)
_BEARER = b"\r\nauthorization: bearer "


class ResourceProtocol(asyncio.Protocol):
    """One connection: answer each complete request in order (pipelining-safe)."""

    def __init__(self) -> None:
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self._buffer[:end].lower()
            length = 0
            start = head.find(b"\r\ncontent-length:")
            if start >= 0:
                stop = head.find(b"\r\n", start + 2)
                length = int(head[start + 17 : stop if stop >= 0 else None])
            if len(self._buffer) < end + 4 + length:
                return
            self._buffer = self._buffer[end + 4 + length :]
            authorized = head.find(_BEARER) >= 0
            assert self._transport is not None
            self._transport.write(OK if authorized else UNAUTHORIZED)


async def serve(host: str = "127.0.0.1", port: int = 0) -> asyncio.Server:
    loop = asyncio.get_running_loop()
    # asyncio sets TCP_NODELAY on accepted sockets.
    return await loop.create_server(ResourceProtocol, host, port, backlog=1024)


async def _main() -> None:
    server = await serve()
    print(server.sockets[0].getsockname()[1], flush=True)
    # Serve until whoever started us closes our stdin.
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(_main())
