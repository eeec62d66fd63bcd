"""``FileStore``: tokens shared by the processes of one machine, through files."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from ._base import LocalStore, StoredToken, StoreError


class FileStore(LocalStore):
    """One file per key under ``path``, written atomically, readable by the owner only.

    Each key also has a lock file; ``lock`` takes an exclusive ``fcntl.flock`` on it,
    so one process fetches while the others wait and then read its result. The kernel
    drops the lock when its holder dies, however it dies. Tokens are stored in plain
    text (mode 0600, directory 0700): treat the directory like a credentials file.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create token directory {self.path}: {exc.strerror}") from exc

    def _file(self, key: str, suffix: str) -> Path:
        return self.path / (re.sub(r"[^A-Za-z0-9_.-]", "_", key) + suffix)

    def get(self, key: str) -> StoredToken | None:
        try:
            data = self._file(key, ".json").read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"cannot read {self.path}: {exc.strerror}") from exc
        return StoredToken.from_json(data)  # corrupt: None, as if missing

    def put(self, key: str, value: StoredToken) -> None:
        target = self._file(key, ".json")
        # Write a private temporary file beside the target, then rename it over:
        # readers see the old token or the new one, never half of one.
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

    def _open_lock(self, key: str) -> int:
        try:
            return os.open(self._file(key, ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StoreError(f"cannot open lock file in {self.path}: {exc.strerror}") from exc

    def _wait_lock(self, key: str) -> Callable[[], None]:
        fd = self._open_lock(key)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        return functools.partial(os.close, fd)  # closing releases the lock

    def _try_lock(self, key: str) -> Callable[[], None] | None:
        fd = self._open_lock(key)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        except BaseException:
            os.close(fd)
            raise
        return functools.partial(os.close, fd)

    def __repr__(self) -> str:
        return f"FileStore({str(self.path)!r})"
