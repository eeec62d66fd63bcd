"""What a forked child must not inherit from its parent: flights, locks, connections.

A child of ``fork`` starts with one thread, but with copies of every lock the
parent's other threads held and every fetch they had in flight: waiting on either
would wait for ever. Objects that hold such state register here and are told, in
the child only, to forget it (``_after_fork_in_child``). Pooled connections are
dropped, not closed: their sockets (and TLS state) are shared with the parent.
"""

from __future__ import annotations

import os
import threading
import weakref
from typing import Protocol


class ForkAware(Protocol):
    def _after_fork_in_child(self) -> None: ...


_guard = threading.Lock()
# Keyed by id: registered objects need not be hashable; a dead one drops out.
_objects: weakref.WeakValueDictionary[int, ForkAware] = weakref.WeakValueDictionary()


def forget_at_fork(obj: ForkAware) -> None:
    """Call ``obj._after_fork_in_child()`` in every child this process forks."""
    with _guard:
        _objects[id(obj)] = obj


def _before() -> None:
    _guard.acquire()


def _in_parent() -> None:
    _guard.release()


def _in_child() -> None:
    # The forking thread took the guard in ``_before`` and is the child's only thread.
    objects = list(_objects.values())
    _guard.release()
    for obj in objects:
        obj._after_fork_in_child()


if hasattr(os, "register_at_fork"):  # not on Windows, which cannot fork
    os.register_at_fork(before=_before, after_in_parent=_in_parent, after_in_child=_in_child)
