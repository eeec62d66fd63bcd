"""A child made by ``os.fork()`` holds none of the locks its parent's threads held,
and its first calls read and lock the store as any process would.

The child reports one line through a pipe and ends with ``os._exit``; an alarm ends
it if it hangs. Every wait on either side is bounded.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from provider_tokens.stores import FileStore, MemoryStore
from provider_tokens.stores._base import LocalStore
from provider_tokens.stores._guard import GuardedStore
from provider_tokens.testing import ManualClock

from store_support import Bounded, held_by_a_thread, stored

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "fork"), reason="this platform cannot fork"),
    # Python 3.12+ warns about forking a process that has threads: that is the point.
    pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning"),
]

WAIT = 10.0
CHILD_ALARM = 5  # seconds: a child stuck on an inherited lock dies, and reports nothing


class Child:
    """A forked child running ``work(go)``, where ``go()`` waits for the parent's go."""

    def __init__(self, work: Callable[[Callable[[], None]], str]) -> None:
        self._report, report = os.pipe()
        go, self._go = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            signal.alarm(CHILD_ALARM)
            try:
                line = work(lambda: _readable(go, WAIT))
            except BaseException as exc:
                line = f"error {type(exc).__name__}"
            os.write(report, line.encode())
            os._exit(0)
        self.pid = pid
        os.close(report)
        os.close(go)

    def go(self) -> None:
        os.write(self._go, b"go")

    def alive(self) -> bool:
        return os.waitpid(self.pid, os.WNOHANG) == (0, 0)

    def report(self) -> str:
        _readable(self._report, WAIT)
        return os.read(self._report, 4096).decode()

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self._report)
        os.close(self._go)


def _readable(fd: int, within: float) -> None:
    ready, _, _ = select.select([fd], [], [], within)
    if not ready:
        raise TimeoutError(f"nothing to read within {within:g} s")


def locked_and_read(store: LocalStore) -> str:
    with store.lock("k"):
        got = store.get("k")
    return f"locked, read {got.token.access_token if got else None}"


def test_a_file_lock_held_at_fork_stays_with_the_parent(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "tokens")
    store.put("k", stored("shared"))
    with held_by_a_thread(store) as let_go:

        def in_the_child(go: Callable[[], None]) -> str:
            go()  # once the parent has let go, and taken the lock again
            return locked_and_read(store)

        child = Child(in_the_child)
        try:
            let_go()
            # flock belongs to the open file: were the child's copy still open, the
            # lock would outlive the parent thread's release until the child exits.
            retaken = Bounded(lambda: locked_and_read(store), within=WAIT / 2)
            assert child.alive()
            assert retaken.result() == "locked, read shared"
            child.go()
            assert child.report() == "locked, read shared"
        finally:
            child.close()


def test_a_memory_lock_held_at_fork_does_not_block_the_child() -> None:
    store = MemoryStore()
    store.put("k", stored("shared"))
    with held_by_a_thread(store):
        child = Child(lambda go: locked_and_read(store))
        try:
            assert child.report() == "locked, read shared"
        finally:
            child.close()


async def test_a_child_forked_under_an_async_lock_may_lock_in_sync() -> None:
    store = MemoryStore()
    store.put("k", stored("shared"))
    parent, other = (
        GuardedStore(store, key="k", provider="example", clock=ManualClock()) for _ in range(2)
    )

    def in_the_child(go: Callable[[], None]) -> str:
        # Still on this loop's thread, but the lock its task held is not the child's.
        with other.lock():
            return "locked"

    async with parent.alock():
        child = Child(in_the_child)
    try:
        assert child.report() == "locked"
    finally:
        child.close()
