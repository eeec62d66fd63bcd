"""How ``FileStore`` waits for a key's lock with a deadline: woken when it is released.

``flock`` cannot wait with a deadline, and a thread blocked in it cannot be
interrupted (closing its descriptor does not wake it), so waiting is done with
``LOCK_NB`` tries and something to wake up for between them:

- **Another process's holder**: an inotify watch (Linux, through ``ctypes``) on the
  key's lock file. A holder releases by closing its descriptor, and the kernel
  reports that close (``IN_CLOSE_*``) to the watch; the waiter ``poll``\\ s the
  inotify descriptor with its deadline (or, async, the event loop watches it with
  ``add_reader``) and tries again at once. The kernel reports the close just
  before it drops a lock that was not unlocked first, so a try that fails right
  after a wake-up is retried after 1 ms, doubling. ``FileStore`` unlocks before it
  closes, so its own releases never need that. Closing an inotify descriptor
  waits for an RCU grace period (10-25 ms), so up to ``Watches.KEEP`` idle ones
  are kept per process and pointed at the next lock file waited for.
- **Another thread or task of this process**: ``Gates``, one turn per key. Only the
  caller whose turn it is opens the lock file and watches it; the others wait on a
  ``threading.Event`` (threads) or a future (tasks), and a release hands the turn
  to the next one, who is woken at once.

No helper thread is involved, so nothing can be left blocked in ``flock`` when a
caller gives up: a waiter takes the lock itself, with a ``LOCK_NB`` try, in the
same step that ends its wait, so a cancelled task or an expired deadline holds
nothing. Polling remains the fallback, every ``FALLBACK`` seconds at most: where
inotify is missing (not Linux, or ``fs.inotify.max_user_instances`` used up), for a
release inotify cannot see (a lock file on a network filesystem), and for a turn
whose owner was a task of an event loop closed since (taken over at the next
check).

The alternatives weighed: a helper thread per wait blocked in ``flock(LOCK_EX)``
(or ``F_OFD_SETLKW``, which does not exclude ``flock`` holders of older versions)
cannot be bounded: once its caller gives up it stays blocked, one thread per
abandoned wait, for as long as the other holder keeps the lock, with no way to
interrupt it short of a signal. A shared "released" lock waited on with blocking
``flock`` has the same problem. An inotify watch on the lock file has none: it
is a descriptor, waited on with the caller's own deadline, closed with the wait.

Measured on a 2-CPU Linux machine (8 processes x 25 callers, one ``FileStore``
directory, the endpoint answering after 300 ms; median seconds until the last
process has its token, one token request each time): threads 0.50 -> 0.40, asyncio
0.46 -> 0.41. The last process now has it within ~10-20 ms of the first release;
one process alone takes 0.37 there (start-up and the HTTP round trip).
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import math
import os
import select
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .._fork import forget_at_fork
from ._base import pause

if TYPE_CHECKING:
    import asyncio
else:
    from .._lazy import asyncio

# How long a waiter sleeps at most between checks when nothing wakes it.
FALLBACK = 0.05
# After a wake-up that did not get the lock: retry soon, then back off to FALLBACK.
RETRY = 0.001

_IN_NONBLOCK = os.O_NONBLOCK
_IN_CLOEXEC = os.O_CLOEXEC
_IN_CLOSE = 0x00000008 | 0x00000010  # IN_CLOSE_WRITE | IN_CLOSE_NOWRITE
_IN_DELETE_SELF = 0x00000400
_IN_DONT_FOLLOW = 0x02000000


def _note(what: str) -> None:
    """Each step of a wait for the lock file: "wait" before it sleeps, then "wake"
    (its file was closed) or "poll" (it was not; or no watch). A hook for tests."""


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.inotify_init1.argtypes = [ctypes.c_int]
        libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        libc.inotify_rm_watch.argtypes = [ctypes.c_int, ctypes.c_int]
    except (OSError, AttributeError):
        return None
    return libc


_LIBC = _libc()


class Watch:
    """An inotify instance, watching one lock file for closes by any process.

    Closing an inotify descriptor waits for an RCU grace period (10-25 ms here), on
    the path of the caller that just got the lock; so instances are not closed but
    given back to ``WATCHES`` and pointed at the next file waited for.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.wd = -1  # the watch on the current file
        self.token: object = None  # its owner's record of it

    def point_at(self, path: str | os.PathLike[str]) -> bool:
        """Watch ``path`` (only): whether it could.

        Never followed through a link: the watch only decides when to try again, the
        lock itself is taken on the descriptor ``FileStore`` opened.
        """
        assert _LIBC is not None
        mask = _IN_CLOSE | _IN_DELETE_SELF | _IN_DONT_FOLLOW
        wd: int = _LIBC.inotify_add_watch(self.fd, os.fsencode(path), mask)
        if self.wd not in (-1, wd):  # another file (or the same name, another inode)
            _LIBC.inotify_rm_watch(self.fd, self.wd)
        self.wd = wd
        self.drain()  # what happened before this wait: the caller tries next anyway
        return wd >= 0

    def drain(self) -> bool:
        """Whether anything happened since the last drain (read and forgotten)."""
        seen = False
        while True:
            try:
                if not os.read(self.fd, 4096):
                    return seen
            except BlockingIOError:
                return seen
            seen = True

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a close: whether one came."""
        poller = select.poll()
        poller.register(self.fd, select.POLLIN)
        poller.poll(math.ceil(timeout * 1000))
        return self.drain()

    async def await_(self, timeout: float) -> bool:
        loop = asyncio.get_running_loop()
        readable = loop.create_future()

        def ready() -> None:
            if not readable.done():
                readable.set_result(None)

        try:
            loop.add_reader(self.fd, ready)
        except NotImplementedError:  # a loop that cannot watch descriptors: poll
            await asyncio.sleep(timeout)
            return self.drain()
        try:
            await asyncio.wait({readable}, timeout=timeout)
        finally:
            loop.remove_reader(self.fd)
            readable.cancel()
        return self.drain()

    def close(self) -> None:
        os.close(self.fd)


class Watches:
    """This process's inotify instances: at most ``KEEP`` idle, and at most ``KEEP``
    in use at once. The kernel's limit (``max_user_instances``, often 128) is per
    user, shared with every other program of that user: waits beyond ``KEEP`` poll
    rather than take that share."""

    KEEP = 8

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._idle: list[tuple[str, Watch]] = []
        self._in_use = 0

    def take(self, path: str | os.PathLike[str]) -> Watch | None:
        """A watch on ``path``, or ``None`` where there can be none (then poll)."""
        if _LIBC is None:
            return None
        name = os.fspath(path)
        with self._guard:
            if self._in_use >= self.KEEP:
                return None  # this process's share is taken: poll
            found = [i for i, (watched, _) in enumerate(self._idle) if watched == name]
            watch = self._idle.pop(found[-1] if found else -1)[1] if self._idle else None
            self._in_use += 1
        if watch is None:
            fd = _LIBC.inotify_init1(_IN_NONBLOCK | _IN_CLOEXEC)
            if fd < 0:  # out of inotify instances: poll
                with self._guard:
                    self._in_use -= 1
                return None
            watch = Watch(fd)
        if not watch.point_at(name):
            self.give(name, watch)
            return None
        return watch

    def give(self, path: str | os.PathLike[str], watch: Watch) -> None:
        with self._guard:
            self._in_use -= 1
            self._idle.append((os.fspath(path), watch))
            extra = self._idle[: -self.KEEP] if len(self._idle) > self.KEEP else []
            del self._idle[: len(extra)]
        for _, old in extra:
            old.close()

    def _after_fork_in_child(self) -> None:
        # Shared with the parent: a read here would take its events, a watch removed
        # here would be removed there. Closing these copies is cheap (not the last).
        self._guard = threading.Lock()
        self._in_use = 0  # the waits that used them are the parent's
        idle, self._idle = self._idle, []
        for _, watch in idle:
            with contextlib.suppress(OSError):
                watch.close()


WATCHES = Watches()
forget_at_fork(WATCHES)


# -- turns of this process's callers, per key -------------------------------------


class _Turn:
    """One key's turn: who has it, and who waits for it (their wake-ups, in order)."""

    __slots__ = ("loop", "owner", "waiters")

    def __init__(self) -> None:
        self.owner: object | None = None
        # The owner's event loop, for a task: once it is closed, the task never
        # runs again, and the turn is free.
        self.loop: asyncio.AbstractEventLoop | None = None
        self.waiters: collections.deque[_Waiter] = collections.deque()

    def free(self) -> bool:
        return self.owner is None or (self.loop is not None and self.loop.is_closed())


class _Waiter:
    """A thread waiting for its turn: woken through an event."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def wake(self) -> bool:
        self.event.set()
        return True

    def reset(self) -> None:
        self.event.clear()


class _TaskWaiter(_Waiter):
    """A task waiting for its turn: woken through a future of its loop, from any thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.future: asyncio.Future[None] = loop.create_future()

    def _set(self) -> None:
        if not self.future.done():
            self.future.set_result(None)

    def wake(self) -> bool:
        try:
            self.loop.call_soon_threadsafe(self._set)
        except RuntimeError:  # its loop is closed: it will never take the turn
            return False
        return True

    def reset(self) -> None:
        if self.future.done():
            self.future = self.loop.create_future()


class Gates:
    """Per key, whose turn it is among this process's callers to take the file lock.

    The turn is taken before the lock file is touched and given back after it is
    released, so that one caller per process, per key, contends for the lock (and
    watches its file); a release wakes the next waiter directly.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._turns: dict[str, _Turn] = {}

    def _take(self, key: str, loop: asyncio.AbstractEventLoop | None) -> object | None:
        # Under the mutex.
        turn = self._turns.get(key)
        if turn is None:
            turn = self._turns[key] = _Turn()
        if not turn.free():
            return None
        token = turn.owner = object()
        turn.loop = loop
        return token

    def try_enter(self, key: str) -> object | None:
        """The turn, if it is free now: its token, for ``leave``."""
        with self._mutex:
            return self._take(key, None)

    def enter(self, key: str, deadline: float | None) -> object:
        """The turn, waiting for it until ``deadline``, or ``LockTimeoutError``."""
        with self._mutex:
            token = self._take(key, None)
            if token is not None:
                return token
            waiter = _Waiter()
            self._turns[key].waiters.append(waiter)
        try:
            while True:
                waiter.event.wait(FALLBACK if deadline is None else pause(deadline, FALLBACK))
                with self._mutex:
                    if (token := self._again(key, waiter, None)) is not None:
                        return token
        finally:
            self._forget(key, waiter)

    async def aenter(self, key: str, deadline: float | None) -> object:
        loop = asyncio.get_running_loop()
        with self._mutex:
            token = self._take(key, loop)
            if token is not None:
                return token
            waiter = _TaskWaiter(loop)
            self._turns[key].waiters.append(waiter)
        try:
            while True:
                limit = FALLBACK if deadline is None else pause(deadline, FALLBACK)
                await asyncio.wait({waiter.future}, timeout=limit)
                with self._mutex:
                    if (token := self._again(key, waiter, loop)) is not None:
                        return token
        finally:
            self._forget(key, waiter)

    def _again(
        self, key: str, waiter: _Waiter, loop: asyncio.AbstractEventLoop | None
    ) -> object | None:
        # Under the mutex: the turn if free, else back to the head of the queue.
        token = self._take(key, loop)
        if token is None:
            waiter.reset()
            waiters = self._turns[key].waiters
            if waiter not in waiters:
                waiters.appendleft(waiter)
        return token

    def _forget(self, key: str, waiter: _Waiter) -> None:
        # The waiter is done (with the turn or not): out of the queue, and if it was
        # woken for a turn it will not take, the turn goes on to the next one.
        with self._mutex:
            turn = self._turns.get(key)
            if turn is None:
                return
            if waiter in turn.waiters:
                turn.waiters.remove(waiter)
            if turn.free():
                self._pass_on(key, turn)

    def leave(self, key: str, token: object) -> None:
        with self._mutex:
            turn = self._turns.get(key)
            if turn is None or turn.owner is not token:  # taken over (its loop closed)
                return
            turn.owner = turn.loop = None
            self._pass_on(key, turn)

    def _pass_on(self, key: str, turn: _Turn) -> None:
        # Under the mutex, the turn free: wake the next waiter that can still run.
        while turn.waiters:
            if turn.waiters.popleft().wake():
                return
        if turn.owner is None:
            del self._turns[key]  # nobody holds or waits: forget the key


def try_until(attempt: Callable[[], bool], watch: Watch | None, deadline: float | None) -> None:
    """``attempt()`` until it succeeds, waking on ``watch`` (or polling) in between;
    ``LockTimeoutError`` at ``deadline``."""
    delay = FALLBACK if watch is not None else RETRY
    while not attempt():
        limit = delay if deadline is None else pause(deadline, delay)
        _note("wait")
        if watch is not None and watch.wait(limit):
            _note("wake")
            delay = RETRY
        else:
            _note("poll")
            if watch is None:
                time.sleep(limit)
            delay = min(delay * 2, FALLBACK)


async def atry_until(
    attempt: Callable[[], bool], watch: Watch | None, deadline: float | None
) -> None:
    delay = FALLBACK if watch is not None else RETRY
    while not attempt():
        limit = delay if deadline is None else pause(deadline, delay)
        _note("wait")
        if watch is not None and await watch.await_(limit):
            _note("wake")
            delay = RETRY
        else:
            _note("poll")
            if watch is None:
                await asyncio.sleep(limit)
            delay = min(delay * 2, FALLBACK)


__all__ = ["FALLBACK", "WATCHES", "Gates", "Watch", "atry_until", "try_until"]
