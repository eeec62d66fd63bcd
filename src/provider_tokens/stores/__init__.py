"""Where token sources share tokens: in memory, in files, in Redis.

Every source takes ``store=``; by default it is the process-wide ``MemoryStore``,
shared by all sources with the same key (provider, token URL, client, scope and a
hash of the secret). ``FileStore(path)`` shares tokens between the processes of one
machine, ``RedisStore(client)`` between machines. Around a fetch the source takes the
store's lock and re-reads the store, so one process fetches and the others use its
token; GMO Aozora's rotated refresh tokens travel with it.

A store of your own implements ``TokenStore``; one whose operations are quick and
local can subclass ``LocalStore`` and get the async twins from it. Sources bound
every store call by their ``timeout`` and the wait for a lock by their whole fetch
budget (``stores._guard`` says how); a ``StoreError`` is a ``TokenError``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._base import LocalStore, LockTimeoutError, StoredToken, StoreError, TokenStore
from ._memory import MemoryStore, default_store

if TYPE_CHECKING:
    from ._file import FileStore
    from ._redis import RedisStore

__all__ = [
    "FileStore",
    "LocalStore",
    "LockTimeoutError",
    "MemoryStore",
    "RedisStore",
    "StoreError",
    "StoredToken",
    "TokenStore",
    "default_store",
]


def __getattr__(name: str) -> Any:
    # Loaded on first use: RedisStore needs redis-py, an optional extra, and
    # FileStore's waiting (inotify through ctypes) is not what a token source needs
    # to import.
    if name == "RedisStore":
        from ._redis import RedisStore

        return RedisStore
    if name == "FileStore":
        from ._file import FileStore

        return FileStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
