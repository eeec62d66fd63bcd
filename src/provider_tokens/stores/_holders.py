"""Which event loop holds each store lock taken through ``GuardedStore.alock``.

Kept per process, by (id of the store, key), for two cases a lock cannot see by
itself: a sync ``lock()`` on the holder's own loop thread would wait for a task that
cannot run while it waits (``BlockingCallError``); and a loop closed with the holder
still pending will never run it again, so its lock is reclaimed rather than waited
for (see ``exit_now``).
"""

from __future__ import annotations

import threading
from collections.abc import Coroutine
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING

from .._fork import forget_at_fork

if TYPE_CHECKING:
    import asyncio
else:
    from .._lazy import asyncio

Held = AbstractAsyncContextManager[None]


class Holders:
    def __init__(self) -> None:
        self._guard = threading.Lock()
        # The holder's loop, the thread that runs it, and the held lock.
        self._held: dict[tuple[int, str], tuple[asyncio.AbstractEventLoop, int, Held]] = {}

    def hold(self, store: object, key: str, loop: asyncio.AbstractEventLoop, held: Held) -> None:
        with self._guard:
            self._held[id(store), key] = (loop, threading.get_ident(), held)

    def forget(self, store: object, key: str, held: Held) -> None:
        with self._guard:
            entry = self._held.get((id(store), key))
            if entry is not None and entry[2] is held:
                del self._held[id(store), key]

    def on_this_thread(self, store: object, key: str) -> asyncio.AbstractEventLoop | None:
        """The loop holding the lock, if this thread is the one that runs it.

        Waiting here for such a lock can never end: its holder can only run on this
        thread, which would be the one waiting.
        """
        entry = self._held.get((id(store), key))
        return entry[0] if entry is not None and entry[1] == threading.get_ident() else None

    def abandoned(self, store: object, key: str) -> Held | None:
        """The lock a task of a since-closed event loop holds (then forgotten), if any."""
        if (id(store), key) not in self._held:  # the usual case, without the guard
            return None
        with self._guard:
            entry = self._held.get((id(store), key))
            if entry is None or not entry[0].is_closed():
                return None
            del self._held[id(store), key]
            return entry[2]

    def _after_fork_in_child(self) -> None:
        self._guard = threading.Lock()
        self._held = {}  # the child holds none of its parent's locks


HOLDERS = Holders()
forget_at_fork(HOLDERS)


def exit_now(held: Held) -> bool:
    """Leave ``held`` without an event loop, if its exit never waits (a ``LocalStore``
    lock's exit is a plain release): whether it could."""
    step = held.__aexit__(None, None, None)
    if not isinstance(step, Coroutine):
        return False
    try:
        step.send(None)
    except StopIteration:
        return True
    except Exception:  # a store's own failure to release: nothing more to do here
        return False
    step.close()  # it would wait for I/O on a loop: not possible here
    return False
