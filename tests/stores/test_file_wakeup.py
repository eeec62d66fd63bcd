"""A ``FileStore`` lock waiter is woken when the lock is released, not at its next poll.

The fallback poll is made 30 s long here (``FALLBACK``), so a waiter that gets the
lock within the tests' bounded waits can only have been woken by the release; the
steps of each wait are recorded through ``_file_wait._note``. Another process's
holder is played by a second ``FileStore`` on the same directory (flock excludes
each open file, so it contends as another process would, while sharing nothing in
memory with the first).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import gc
import os
import select
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from provider_tokens.stores import FileStore, LockTimeoutError, _file_wait

from store_support import Bounded, held_by_a_thread, stored, until

WAIT = 10.0


@pytest.fixture
def steps(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The steps of every wait (``_note``), with the fallback poll out of reach."""
    seen: list[str] = []
    monkeypatch.setattr(_file_wait, "FALLBACK", 30.0)
    monkeypatch.setattr(_file_wait, "_note", seen.append)
    return seen


def held_elsewhere(
    path: Path, key: str = "k"
) -> contextlib.AbstractContextManager[Callable[[], None]]:
    """``key``'s lock held through another store on ``path``, as by another process,
    until the release yielded is called."""
    return held_by_a_thread(FileStore(path), key)


def open_lock_descriptors(store: FileStore) -> int:
    return len(store._held)


# -- woken by the release ------------------------------------------------------------


def test_a_waiting_thread_is_woken_by_the_release(tmp_path: Path, steps: list[str]) -> None:
    store = FileStore(tmp_path)
    order: list[str] = []
    with held_elsewhere(tmp_path) as let_go:

        def wait() -> None:
            with store.lock("k", timeout=WAIT):
                order.append("waiter has it")

        waiter = threading.Thread(target=wait)
        waiter.start()
        until(lambda: "wait" in steps)
        assert order == []  # still held elsewhere
        order.append("released")
        let_go()
        waiter.join(WAIT)  # far less than the 30 s poll
    assert order == ["released", "waiter has it"]
    assert steps == ["wait", "wake"]
    assert open_lock_descriptors(store) == 0


async def test_a_waiting_task_is_woken_by_the_release(tmp_path: Path, steps: list[str]) -> None:
    store = FileStore(tmp_path)
    order: list[str] = []

    async def wait() -> None:
        async with store.alock("k", timeout=WAIT):
            order.append("waiter has it")

    with held_elsewhere(tmp_path) as let_go:
        waiter = asyncio.create_task(wait())
        while "wait" not in steps:
            await asyncio.sleep(0.005)
        order.append("released")
        await asyncio.to_thread(let_go)
        async with asyncio.timeout(WAIT):
            await waiter
    assert order == ["released", "waiter has it"]
    assert steps == ["wait", "wake"]


def test_a_holder_that_closes_without_unlocking_wakes_the_waiter(
    tmp_path: Path, steps: list[str]
) -> None:
    # A process that dies: the kernel reports the close just before it drops the
    # lock; a waiter that tries too early retries shortly after, without a 30 s poll.
    store = FileStore(tmp_path)
    fd = os.open(tmp_path / "k.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    closed = False
    try:

        def wait() -> str:
            with store.lock("k", timeout=WAIT):
                return "locked"

        waiter = threading.Thread(target=wait)
        waiter.start()
        until(lambda: "wait" in steps)
        os.close(fd)
        closed = True
        waiter.join(WAIT)
        assert not waiter.is_alive()
    finally:
        if not closed:
            os.close(fd)
    assert steps[:2] == ["wait", "wake"]
    assert len(steps) <= 2 + 2 * 20  # a few quick retries at most


# -- one process: its callers take turns, in memory --------------------------------


def test_waiters_of_one_process_take_turns_without_threads_or_watches(
    tmp_path: Path, steps: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FileStore(tmp_path)
    watches: list[str] = []
    take = _file_wait.WATCHES.take

    def counted(path: str | os.PathLike[str]) -> _file_wait.Watch | None:
        watches.append(os.fspath(path))
        return take(path)

    monkeypatch.setattr(_file_wait.WATCHES, "take", counted)
    got: list[int] = []
    threads_before = threading.active_count()
    with held_elsewhere(tmp_path) as let_go:

        def wait(i: int) -> None:
            with store.lock("k", timeout=WAIT):
                got.append(i)

        waiters = [threading.Thread(target=wait, args=(i,)) for i in range(6)]
        for thread in waiters:
            thread.start()
        until(lambda: "wait" in steps and len(store._gates._turns["k"].waiters) == 5)
        # Only the waiters themselves (and the holder): no helper thread.
        assert threading.active_count() == threads_before + 1 + 6
        let_go()
        for thread in waiters:
            thread.join(WAIT)
    assert sorted(got) == list(range(6))
    assert len(watches) == 1  # one of them watched the file; the others were handed turns
    assert steps == ["wait", "wake"]
    assert store._gates._turns == {}  # nothing kept once nobody holds or waits


async def test_tasks_and_threads_of_one_process_are_handed_the_lock(
    tmp_path: Path, steps: list[str]
) -> None:
    store = FileStore(tmp_path)
    order: list[str] = []

    async def task(name: str) -> None:
        async with store.alock("k", timeout=WAIT):
            order.append(name)
            await asyncio.sleep(0)

    def thread() -> None:
        with store.lock("k", timeout=WAIT):
            order.append("thread")

    async with store.alock("k", timeout=WAIT):
        tasks = [asyncio.create_task(task(f"task{i}")) for i in range(3)]
        other = threading.Thread(target=thread)
        other.start()
        while len(store._gates._turns["k"].waiters) < 4:
            await asyncio.sleep(0.005)
    async with asyncio.timeout(WAIT):
        await asyncio.gather(*tasks)
    await asyncio.to_thread(other.join, WAIT)
    assert sorted(order) == ["task0", "task1", "task2", "thread"]
    assert steps == []  # never a wait on the file, never a poll: handed over each time


# -- bounds, cancellation, fork ------------------------------------------------------


@pytest.mark.parametrize("where", ["elsewhere", "in this process"])
def test_a_wait_still_ends_at_its_timeout(tmp_path: Path, where: str) -> None:
    store = FileStore(tmp_path)
    with contextlib.ExitStack() as stack:
        if where == "elsewhere":
            stack.enter_context(held_elsewhere(tmp_path))
        else:
            stack.enter_context(store.lock("k"))
        with pytest.raises(LockTimeoutError):
            with store.lock("k", timeout=0.05):
                pass

        async def wait() -> None:
            async with store.alock("k", timeout=0.05):
                pass

        with pytest.raises(LockTimeoutError):
            Bounded(lambda: asyncio.run(wait()), within=WAIT).result()
        held = 1 if where == "in this process" else 0
        assert open_lock_descriptors(store) == held
    assert store._gates._turns == {}
    with store.lock("k", timeout=0):
        pass


@pytest.mark.parametrize("where", ["elsewhere", "in this process"])
async def test_a_cancelled_waiting_task_leaves_the_lock_free(
    tmp_path: Path, steps: list[str], where: str
) -> None:
    store = FileStore(tmp_path)

    async def wait() -> None:
        async with store.alock("k", timeout=WAIT):
            pytest.fail("never got here")

    with contextlib.ExitStack() as stack:
        if where == "elsewhere":
            stack.enter_context(held_elsewhere(tmp_path))
        else:
            stack.enter_context(store.lock("k"))
        waiter = asyncio.create_task(wait())
        for _ in range(int(WAIT / 0.005)):
            turn = store._gates._turns.get("k")
            if "wait" in steps or (turn is not None and turn.waiters):
                break
            await asyncio.sleep(0.005)
        else:
            pytest.fail("the task never started waiting")
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
    # Released by its holder: free for anyone, the cancelled task holding nothing.
    assert open_lock_descriptors(store) == 0
    assert store._gates._turns == {}
    for each in (store, FileStore(tmp_path)):  # free in this process, and for others
        with each.lock("k", timeout=0):
            pass


def test_a_turn_left_by_a_task_of_a_closed_loop_is_taken_over(
    tmp_path: Path, steps: list[str]
) -> None:
    store = FileStore(tmp_path)
    with held_elsewhere(tmp_path) as let_go:
        loop = asyncio.new_event_loop()

        async def wait_for_ever() -> None:
            async with store.alock("k"):
                await asyncio.Event().wait()

        pending = loop.create_task(wait_for_ever())
        loop.run_until_complete(asyncio.sleep(0.05))
        assert "wait" in steps  # the task has the turn and waits for the file
        loop.close()
        let_go()

    def take() -> str:
        with store.lock("k", timeout=WAIT):
            return "taken"

    assert Bounded(take, within=WAIT).result() == "taken"
    del pending
    gc.collect()  # the abandoned task closes its descriptors, and takes nothing back
    assert open_lock_descriptors(store) == 0
    with store.lock("k", timeout=0):
        pass


@pytest.mark.skipif(not hasattr(os, "fork"), reason="this platform cannot fork")
@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")
def test_a_fork_during_a_wait(tmp_path: Path, steps: list[str]) -> None:
    store = FileStore(tmp_path)
    store.put("k", stored("shared"))
    got: list[str] = []
    with held_elsewhere(tmp_path) as let_go:

        def wait() -> None:
            with store.lock("k", timeout=WAIT):
                got.append("parent's waiter")

        waiter = threading.Thread(target=wait)
        waiter.start()
        until(lambda: "wait" in steps)
        report, child_end = os.pipe()
        go, parent_go = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: neither the waiter's turn nor its descriptors
            signal.alarm(5)
            line = "error"
            try:
                select.select([go], [], [], WAIT)
                with store.lock("k", timeout=WAIT / 2):
                    value = store.get("k")
                    line = f"locked, read {value.token.access_token if value else None}"
                    # Its own, not the parent's waiter's (its lock file and watch).
                    line += f", {len(store._held)} descriptor, {len(store._gates._turns)} turn"
                line += f"; then {len(store._held)}, {len(store._gates._turns)}"
            finally:
                os.write(child_end, line.encode())
                os._exit(0)
        os.close(child_end)
        os.close(go)
        try:
            let_go()
            waiter.join(WAIT)
            assert got == ["parent's waiter"]
            assert steps == ["wait", "wake"]  # the child took none of its wake-ups
            os.write(parent_go, b"go")
            assert select.select([report], [], [], WAIT)[0]
            line = os.read(report, 4096).decode()
            assert line == "locked, read shared, 1 descriptor, 1 turn; then 0, 0"
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(report)
            os.close(parent_go)


def _inotify_fds() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            count += os.readlink(f"/proc/self/fd/{fd}") == "anon_inode:inotify"
    return count


def test_many_keys_waited_on_at_once_take_at_most_keep_inotify_instances(
    tmp_path: Path,
) -> None:
    # The kernel's limit on inotify instances is per user (often 128), shared with
    # every other program: waits past this process's share poll instead.
    keep = _file_wait.WATCHES.KEEP
    holder, waiter = FileStore(tmp_path), FileStore(tmp_path)
    keys = [f"k{i}" for i in range(3 * keep)]
    peak: list[int] = []
    with contextlib.ExitStack() as held:
        for key in keys:
            held.enter_context(holder.lock(key))
        before = _inotify_fds()
        errors: list[BaseException] = []

        def wait(key: str) -> None:
            try:
                with waiter.lock(key, timeout=1.0):
                    errors.append(AssertionError(f"{key} was not held"))
            except LockTimeoutError:
                pass
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=wait, args=(key,)) for key in keys]
        for thread in threads:
            thread.start()
        while any(t.is_alive() for t in threads):
            peak.append(_inotify_fds() - before)
            threading.Event().wait(0.05)
        for thread in threads:
            thread.join(10)
    assert errors == []
    assert max(peak) <= keep
    assert _inotify_fds() <= keep
