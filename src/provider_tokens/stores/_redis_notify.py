"""Wake-ups for ``RedisStore``'s lock waiters, pushed by Redis instead of polled.

A holder that releases a lock (or stores a value) publishes on the key's channel,
in the same script: "released" or "put". A waiter told of a "put" may stop waiting
for the lock and read the value instead (``RedisStore.lock(..., until_put=True)``):
the processes waiting for a token then all read it at once, instead of taking the
lock one after another to find it there. In each process, one listener thread per store holds one
pub/sub connection with one pattern subscription covering every channel of the
store's prefix, made when the listener starts (lazily, at the first wait), so a
wait needs no subscribe round trip. The listener wakes the waiters of a key's
channel: a ``threading.Event`` for ``lock``, a future set through
``loop.call_soon_threadsafe`` for ``alock`` (any event loop).

No notification is lost between a failed attempt and the wait: a waiter registers
before it tries again, and the listener wakes every waiter whenever its
subscription is (re)confirmed, so an attempt always follows the moment from which
notifications are delivered. Polling remains the fallback: every wait also ends
after ``FALLBACK`` seconds (or at the lock's expiry, or the caller's deadline), so
a lost message, a dead listener or an unreachable server makes waiters poll, never
hang. The listener connects and reads with short bounds of its own, exits after
``IDLE`` seconds without waiters, at ``stop()`` (``RedisStore.close()``), and is
forgotten, never used, in a forked child.

Classic ``PUBLISH``/``PSUBSCRIBE``, also on a Redis Cluster: a cluster forwards every
classic message to every node, so one connection to any node hears them all (one
connection per process whatever the number of shards, on any Redis version). Sharded
pub/sub has no pattern subscription, and would need a connection to each shard
owning a waited-for key, resubscribed when slots move. The cost of the broadcast
is one message over the cluster bus per lock release: a few per token lifetime.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

from .._fork import forget_at_fork

if TYPE_CHECKING:
    import redis
    from redis.client import PubSub

# How long a waiter waits without a notification before trying again (the poll).
FALLBACK = 0.25
# The listener's read timeout: how soon it notices ``stop()`` or an idle spell.
_READ = 0.05
# Bounds on the listener's connect and subscribe; then it retries, backing off to 1 s.
_CONNECT = 2.0
# A listener without waiters for this long closes its connection and exits.
IDLE = 10.0
# How long ``stop()`` waits for the listener thread.
_JOIN = 1.0

# The listener thread's name: "<this> <prefix>".
LISTENER = "provider-tokens lock notifier"

# Parked in a forked child: the parent's pub/sub connection, never used or closed there.
_ABANDONED: list[object] = []


def glob_escape(text: str) -> str:
    """``text`` matched literally in a Redis glob pattern."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


class _Waiter:
    """A thread's wait for a channel. ``put``: a value was stored since it registered."""

    __slots__ = ("_event", "put")

    def __init__(self) -> None:
        self._event = threading.Event()
        self.put = False

    def notify(self, put: bool = False) -> None:
        self.put = self.put or put
        self._event.set()

    def wait(self, seconds: float) -> None:
        """Until notified (since the last wait) or ``seconds`` have passed."""
        self._event.wait(seconds)
        self._event.clear()


class _AsyncWaiter:
    """A task's wait for a channel; notified from the listener thread. ``put``: a
    value was stored since it registered."""

    __slots__ = ("_future", "_loop", "put")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._future: asyncio.Future[None] = loop.create_future()
        self.put = False

    def notify(self, put: bool = False) -> None:
        self.put = self.put or put  # a bool, set from the listener thread: read after the wake-up
        with contextlib.suppress(RuntimeError):  # its loop is closed: nobody to wake
            self._loop.call_soon_threadsafe(self._fire)

    def _fire(self) -> None:
        if not self._future.done():
            self._future.set_result(None)

    async def wait(self, seconds: float) -> None:
        """Until notified (since the last wait) or ``seconds`` have passed."""
        await asyncio.wait({self._future}, timeout=seconds)
        self._future = self._loop.create_future()


class Notifier:
    """One listener (thread and pub/sub connection) for a store, in this process.

    ``connect(attempt)`` makes a fresh pub/sub for the listener (each (re)connection), with
    the client it made for it (closed after it) or None; ``pattern`` covers the
    store's channels.
    """

    def __init__(
        self, connect: Callable[[int], tuple[PubSub, redis.Redis | None]], pattern: str
    ) -> None:
        self._connect = connect
        self._pattern = pattern
        self._reset()
        forget_at_fork(self)

    def _reset(self) -> None:
        self._guard = threading.Lock()
        self._waiters: dict[bytes, set[_Waiter | _AsyncWaiter]] = {}
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._subscribed = False  # the listener's subscription is confirmed (for tests)
        # Each listener's client and pub/sub, while it has them (a stopped listener may
        # still be closing its own while the next one starts).
        self._conns: list[list[Any]] = []

    def _after_fork_in_child(self) -> None:
        # The listener thread is the parent's; its socket is shared with the parent.
        _ABANDONED.append(self._conns)
        self._reset()

    def running(self) -> bool:
        with self._guard:
            return self._thread is not None and self._thread.is_alive()

    def subscribed(self) -> bool:
        """Whether a listener is running, its subscription confirmed."""
        return self._subscribed and self.running()

    @contextlib.contextmanager
    def waiting(self, channel: str) -> Iterator[_Waiter]:
        """A registered waiter for ``channel``: register, then try, then wait."""
        waiter = _Waiter()
        self._add(channel, waiter)
        try:
            yield waiter
        finally:
            self._remove(channel, waiter)

    @contextlib.asynccontextmanager
    async def awaiting(self, channel: str) -> AsyncIterator[_AsyncWaiter]:
        waiter = _AsyncWaiter(asyncio.get_running_loop())
        self._add(channel, waiter)
        try:
            yield waiter
        finally:
            self._remove(channel, waiter)

    def stop(self) -> None:
        """Stop the listener (a later wait starts another); waiters fall back to polling."""
        with self._guard:
            thread, self._thread = self._thread, None
            self._stop.set()
            self._stop = threading.Event()
        if thread is not None and thread is not threading.current_thread():
            thread.join(_JOIN)
        self._wake_all()

    def _add(self, channel: str, waiter: _Waiter | _AsyncWaiter) -> None:
        with self._guard:
            self._waiters.setdefault(channel.encode(), set()).add(waiter)
            if self._thread is None or not self._thread.is_alive():
                stop = self._stop
                self._thread = threading.Thread(
                    target=self._run, args=(stop,), name=f"{LISTENER} {self._pattern}", daemon=True
                )
                self._thread.start()

    def _remove(self, channel: str, waiter: _Waiter | _AsyncWaiter) -> None:
        key = channel.encode()
        with self._guard:
            waiters = self._waiters.get(key)
            if waiters is not None:
                waiters.discard(waiter)
                if not waiters:
                    del self._waiters[key]

    def _wake(self, channel: bytes, put: bool) -> None:
        with self._guard:
            waiters = list(self._waiters.get(channel, ()))
        for waiter in waiters:
            waiter.notify(put)

    def _wake_all(self) -> None:
        with self._guard:
            waiters = [w for ws in self._waiters.values() for w in ws]
        for waiter in waiters:
            waiter.notify()

    def _idle(self, stop: threading.Event, since: float) -> bool:
        """Whether to exit now (stopped, or idle for ``IDLE`` s); clears the thread if so."""
        with self._guard:
            if stop.is_set():
                return True
            if self._waiters or time.monotonic() - since < IDLE:
                return False
            if self._thread is threading.current_thread():
                self._thread = None
            return True

    def _run(self, stop: threading.Event) -> None:
        pid = os.getpid()
        backoff = 0.05
        idle_since = time.monotonic()
        conn: list[Any] = []
        attempts = 0
        with self._guard:
            self._conns.append(conn)
        try:
            while os.getpid() == pid:
                if self._waiters:
                    idle_since = time.monotonic()
                if self._idle(stop, idle_since):
                    return
                if not conn:
                    attempts += 1
                    if self._subscribe(stop, conn, attempts):
                        backoff = 0.05
                        self._subscribed = True
                        self._wake_all()  # notifications flow from now on: try again
                    else:
                        self._subscribed = False
                        _close(conn)
                        self._wake_all()  # they poll meanwhile
                        stop.wait(backoff)
                        backoff = min(backoff * 2, 1.0)
                    continue
                try:
                    message = conn[0].get_message(timeout=_READ)
                except Exception:  # connection lost: waiters poll until it is back
                    self._subscribed = False
                    _close(conn)
                    self._wake_all()
                    continue
                if message is not None and message.get("type") == "pmessage":
                    channel, data = message["channel"], message.get("data")
                    self._wake(
                        channel if isinstance(channel, bytes) else str(channel).encode(),
                        data in (b"put", "put"),  # bytes, or str with decode_responses
                    )
        finally:
            if os.getpid() == pid:
                self._subscribed = False
                _close(conn)
                with self._guard:
                    self._conns = [c for c in self._conns if c is not conn]

    def _subscribe(self, stop: threading.Event, conn: list[Any], attempt: int) -> bool:
        """Connect and subscribe, bounded by ``_CONNECT``; whether it is confirmed."""
        try:
            pubsub, client = self._connect(attempt)
            conn.append(pubsub)
            if client is not None:
                conn.append(client)
            pubsub.psubscribe(self._pattern)
            deadline = time.monotonic() + _CONNECT
            while time.monotonic() < deadline and not stop.is_set():
                message = pubsub.get_message(timeout=_READ)
                if message is not None and message.get("type") == "psubscribe":
                    return True
        except Exception:  # unreachable, refused, timed out: the caller backs off
            return False
        return False


def _close(conn: list[Any]) -> None:
    """Close a listener's pub/sub and client (emptying ``conn``)."""
    things = list(conn)
    conn.clear()
    for thing in things:
        with contextlib.suppress(Exception):
            thing.close()
