"""``FileStore``: tokens shared by the processes of one machine, through files."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import re
import stat
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .._fork import forget_at_fork
from ._base import LocalStore, StoredToken, StoreError
from ._file_wait import WATCHES, Gates, Watch, atry_until, try_until

# Tokens are small; a larger file is not one of ours (and is not read whole).
MAX_FILE = 1 << 20

# No symlinks followed, no blocking on a FIFO planted in the directory.
_OPEN_FLAGS = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class FileStore(LocalStore):
    """One file per key under ``path``, written atomically, readable by the owner only.

    Each key also has a lock file; ``lock`` takes an exclusive ``fcntl.flock`` on it,
    so one process fetches while the others wait and then read its result (woken
    when it is released, see ``_file_wait``; this process's own callers take turns
    in memory, one of them at a time on the file). The kernel
    drops the lock when its holder dies, however it dies, and a child made by
    ``fork`` does not keep its parent's locks. Tokens are stored in plain text (mode
    0600, directory 0700): treat the directory like a credentials file.

    Nothing in the directory is trusted to point elsewhere: a token or lock file that
    is a symbolic link (or not a regular file) is a ``StoreError``, never followed. A
    directory that others can write to is made 0700 if it is ours (and not a shared
    sticky one such as ``/tmp``), and refused otherwise.
    """

    # Its async get, put and release are its sync ones, returning at once, and its
    # lock wait bounds itself: the guard calls the sync ones from async code (a lock
    # free at once through ``_try_lock``) and times them after the fact (declared on
    # this class only, so that a subclass that really awaits keeps the guard's timers).
    _returns_at_once = True

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
            _make_private(self.path)
        except OSError as exc:
            raise StoreError(f"cannot create token directory {self.path}: {exc.strerror}") from exc
        # Descriptors of locks held or waited for in this process, and of their
        # watches: object -> descriptor (see _after_fork_in_child).
        self._held: dict[object, int] = {}
        self._held_guard = threading.Lock()
        # Whose turn it is among this process's callers, per key (see _file_wait).
        self._gates = Gates()
        forget_at_fork(self)

    def _file(self, key: str, suffix: str) -> Path:
        return self.path / (re.sub(r"[^A-Za-z0-9_.-]", "_", key) + suffix)

    def _open(self, path: Path, flags: int) -> int:
        """``path`` opened if it is a regular file and not a link; ``FileNotFoundError``
        if it does not exist; ``StoreError`` for anything else."""
        try:
            fd = os.open(path, flags | _OPEN_FLAGS, 0o600)
        except FileNotFoundError:
            raise
        except OSError as exc:
            if path.is_symlink():
                raise StoreError(f"{path.name} in {self.path} is a symbolic link") from exc
            raise StoreError(f"cannot open {path.name} in {self.path}: {exc.strerror}") from exc
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise StoreError(f"{path.name} in {self.path} is not a regular file")
        return fd

    def get(self, key: str) -> StoredToken | None:
        try:
            fd = self._open(self._file(key, ".json"), os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            with os.fdopen(fd, "rb") as handle:
                data = handle.read(MAX_FILE + 1)
        except OSError as exc:
            raise StoreError(f"cannot read {self.path}: {exc.strerror}") from exc
        return None if len(data) > MAX_FILE else StoredToken.from_json(data)  # corrupt: None

    def put(self, key: str, value: StoredToken) -> None:
        target = self._file(key, ".json")
        # Write a private temporary file beside the target, then rename it over:
        # readers see the old token or the new one, never half of one. A rename
        # replaces a symbolic link itself, never what it points to.
        try:
            fd, temporary = tempfile.mkstemp(dir=self.path, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:  # mkstemp: mode 0600
                    handle.write(value.to_json())
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temporary, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError as exc:
            raise StoreError(f"cannot write {self.path}: {exc.strerror}") from exc

    def _drop(self, key: str, access_token: str) -> None:
        # Under the key's lock: compare, then expire (keeping a refresh token) or delete.
        value = self.get(key)
        if value is None or value.token.access_token != access_token:
            return
        if value.token.refresh_token:
            self.put(key, value.expired())
        else:
            with contextlib.suppress(FileNotFoundError):
                self._file(key, ".json").unlink()

    # -- locks ------------------------------------------------------------------------

    def _open_lock(self, key: str) -> int:
        # O_CREAT with O_NOFOLLOW: created here, or opened, but never through a link.
        try:
            return self._open(self._file(key, ".lock"), os.O_RDWR | os.O_CREAT)
        except FileNotFoundError as exc:  # the directory itself has gone
            raise StoreError(f"cannot open lock file in {self.path}: {exc.strerror}") from exc

    def _flock(self, fd: int, flags: int) -> bool:
        try:
            fcntl.flock(fd, flags)
        except BlockingIOError:
            return False
        except OSError as exc:
            raise StoreError(f"cannot lock in {self.path}: {exc.strerror}") from exc
        return True

    # A wait with a deadline tries LOCK_NB and is woken in between by a release (an
    # inotify watch on the lock file; another caller of this process handing over
    # its turn): see _file_wait. A wait without one blocks in flock.

    def _wait_lock(self, key: str) -> Callable[[], None]:
        turn = self._gates.enter(key, None)
        token, fd = self._opened(key, turn)
        try:
            self._flock(fd, fcntl.LOCK_EX)
        except BaseException:
            self._gave_up(key, turn, token)
            raise
        return self._holding(key, turn, token)

    def _wait_lock_for(self, key: str, timeout: float) -> Callable[[], None]:
        deadline = time.monotonic() + timeout
        turn = self._gates.enter(key, deadline)
        token, fd = self._opened(key, turn)
        watch = None
        try:
            if not self._flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB):
                watch = self._watch(key)  # then tried again: no release goes unseen
                try_until(lambda: self._flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB), watch, deadline)
        except BaseException:
            self._gave_up(key, turn, token)
            raise
        finally:
            self._unwatch(key, watch)
        return self._holding(key, turn, token)

    async def _await_lock(self, key: str, deadline: float | None) -> Callable[[], None]:
        # Every step that takes something (the turn, the lock) returns without a
        # suspension point after it: a cancelled wait holds nothing.
        turn = await self._gates.aenter(key, deadline)
        token, fd = self._opened(key, turn)
        watch = None
        try:
            if not self._flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB):
                watch = self._watch(key)
                attempt = functools.partial(self._flock, fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                await atry_until(attempt, watch, deadline)
        except BaseException:
            self._gave_up(key, turn, token)
            raise
        finally:
            self._unwatch(key, watch)
        return self._holding(key, turn, token)

    def _try_lock(self, key: str) -> Callable[[], None] | None:
        turn = self._gates.try_enter(key)
        if turn is None:  # another caller of this process holds it, or is next
            return None
        token, fd = self._opened(key, turn)
        try:
            locked = self._flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BaseException:
            self._gave_up(key, turn, token)
            raise
        if not locked:
            self._gave_up(key, turn, token)
            return None
        return self._holding(key, turn, token)

    def _track(self, fd: int) -> object:
        """Record ``fd`` as open for a lock (held or waited for): a forked child closes it."""
        token = object()
        with self._held_guard:
            self._held[token] = fd
        return token

    def _untrack(self, token: object) -> int | None:
        """``fd``, no longer recorded; ``None`` after a fork (the child closed its copy,
        and the number may have been reused since)."""
        with self._held_guard:
            return self._held.pop(token, None)

    def _opened(self, key: str, turn: object) -> tuple[object, int]:
        try:
            fd = self._open_lock(key)
        except BaseException:
            self._gates.leave(key, turn)
            raise
        return self._track(fd), fd

    def _gave_up(self, key: str, turn: object, token: object) -> None:
        fd = self._untrack(token)
        if fd is not None:
            os.close(fd)
        self._gates.leave(key, turn)

    def _watch(self, key: str) -> Watch | None:
        watch = WATCHES.take(self._file(key, ".lock"))
        if watch is not None:
            watch.token = self._track(watch.fd)
        return watch

    def _unwatch(self, key: str, watch: Watch | None) -> None:
        if watch is not None and self._untrack(watch.token) is not None:
            WATCHES.give(self._file(key, ".lock"), watch)

    def _holding(self, key: str, turn: object, token: object) -> Callable[[], None]:
        """The release of a lock held through the descriptor recorded as ``token``."""

        def release() -> None:
            fd = self._untrack(token)
            if fd is None:  # gone after a fork
                return
            # Unlocked before it is closed: a waiter woken by the close finds it free.
            try:
                with contextlib.suppress(OSError):
                    fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
                self._gates.leave(key, turn)

        return release

    def _after_fork_in_child(self) -> None:
        # A flock belongs to the open file description, which the child shares: while
        # the child keeps its copies, the parent's locks outlive their release.
        # Close them (never unlock: that would release the parent's lock too), and
        # those the parent's threads were waiting with; none of their turns is ours.
        self._held_guard = threading.Lock()
        self._gates = Gates()
        held, self._held = self._held, {}
        for fd in held.values():
            with contextlib.suppress(OSError):
                os.close(fd)

    def __repr__(self) -> str:
        return f"FileStore({str(self.path)!r})"


def _make_private(path: Path) -> None:
    """Make the token directory writable by its owner only, or refuse it.

    Whoever can write to it can plant a link or another credential's token. Ours:
    set to 0700. Someone else's, or sticky (a shared directory such as ``/tmp``,
    which must not be closed to its other users): ``StoreError``.
    """
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return
        if info.st_uid != os.geteuid() or info.st_mode & stat.S_ISVTX:
            raise StoreError(
                f"token directory {path} is writable by other users and is not"
                " a private directory of this user: give FileStore one of its own"
            )
        os.fchmod(fd, 0o700)
    finally:
        os.close(fd)
