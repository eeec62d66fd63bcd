"""One in-flight token fetch, awaited by threads and by tasks on any event loop.

A flight ends in one of three ways: a token, an error, or abandoned. It is
abandoned when its leader stops without an outcome: its task was cancelled (the
event loop it ran on was torn down), its loop was closed with the fetch pending,
or it ran past the fetch's whole budget. Waiters then start over, and one of them
leads a new fetch; nobody receives another caller's ``CancelledError``.

Every wait is bounded: waiters that do not share the leader's event loop check, a
few times a second, that the leader can still finish, and give up on it once
``deadline`` (on the source's clock) has passed: the flight is abandoned. Each
caller that receives the flight's error receives its own copy, so tracebacks do not
pile up on one shared exception object.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from ._exceptions import BlockingCallError

if TYPE_CHECKING:
    import asyncio
else:
    from ._lazy import asyncio

T = TypeVar("T")

# How often a waiter that cannot be woken by the leader's loop checks on it: one
# thread waiting on a flight does so every POLL, any other every IDLE_POLL (a hundred
# threads all waking every POLL would contend for the GIL with the leader reading its
# answer).
POLL = 0.05
IDLE_POLL = 1.0
# Tasks of one loop woken per pass of that loop when a flight ends: a thousand woken
# at once would stall the loop for milliseconds.
WAKE_BATCH = 100


class Flight(Generic[T]):
    """The outcome of one in-flight fetch, awaitable from threads and event loops.

    ``deadline`` is a reading of ``monotonic`` after which the fetch is given up.
    The outcome is a ``T``: a token, or whatever else is fetched once for many
    callers (a provider's signing keys).
    """

    def __init__(self, *, provider: str, monotonic: Callable[[], float], deadline: float) -> None:
        self._provider = provider
        self._monotonic = monotonic
        self.deadline = deadline
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._watched = False  # a thread waiting in ``wait()`` checks on the leader
        self.token: T | None = None
        self.error: BaseException | None = None
        self.abandoned = False
        # Who leads: the event loop an async leader fetches on (and the thread that
        # runs it), or a sync leader's thread.
        self.loop: asyncio.AbstractEventLoop | None = None
        self.loop_thread: int | None = None
        self.thread: threading.Thread | None = None

    def led_on(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop, self.loop_thread = loop, threading.get_ident()

    async def lead_in_task(
        self,
        land: Callable[[], Awaitable[None]],
        *,
        dropped: Callable[[], None],
        tasks: set[asyncio.Task[None]],
    ) -> bool:
        """The leader's ``land()`` (its fetch, which ends this flight) run in a task of
        its own, waited for: ``True`` once the flight landed, ``False`` if it ended
        without an outcome (then claim again).

        A cancelled leader cancels only its wait, never the fetch the others wait for.
        The task wakes the leader itself, as its last step (one event-loop pass sooner
        than ``asyncio.shield``, whose outer future a done-callback sets a pass later).
        A task cancelled by someone else (a shutdown cancelling "all other tasks") is
        no outcome and not the leader's error; one cancelled before its first step,
        ``land()`` never run, is ``dropped()``. ``tasks`` keeps the task alive (the loop
        holds only a weak reference) until it is done.
        """
        loop = asyncio.get_running_loop()
        ended: asyncio.Future[None] = loop.create_future()

        async def run() -> None:
            try:
                await land()
            finally:
                _wake(ended)

        def finished(task: asyncio.Task[None]) -> None:
            tasks.discard(task)
            if task.cancelled() and not self.done:
                dropped()
            _wake(ended)
            if not task.cancelled():
                # A bug's exception also ended the flight: callers get it from there.
                task.exception()

        task = loop.create_task(run())
        tasks.add(task)
        task.add_done_callback(finished)
        await ended
        return not self.abandoned

    # -- ending ------------------------------------------------------------------------

    def finish(self, token: T | None, error: BaseException | None) -> None:
        self._end(token, error, abandoned=False)

    def abandon(self) -> None:
        """End without an outcome: waiters start over."""
        self._end(None, None, abandoned=True)

    def _end(self, token: T | None, error: BaseException | None, *, abandoned: bool) -> None:
        with self._lock:
            if self._done.is_set():
                return
            self.token, self.error, self.abandoned = token, error, abandoned
            self._done.set()
            waiters, self._waiters = self._waiters, []
        if not waiters:
            return
        here = _running_loop()
        by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
        for loop, future in waiters:
            by_loop.setdefault(loop, []).append(future)
        for loop, futures in by_loop.items():
            if loop is here:
                _wake_in_turns(loop, futures)
            else:
                # A closed loop raises RuntimeError: nobody is waiting there any more.
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(_wake_in_turns, loop, futures)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def stranded(self) -> bool:
        """True if the leader can no longer land an outcome, or has run out of time."""
        if self._done.is_set():
            return False
        if self.loop is not None and self.loop.is_closed():
            return True
        if self.thread is not None and not self.thread.is_alive():
            return True
        return self._monotonic() > self.deadline

    # -- outcomes ----------------------------------------------------------------------

    def result(self) -> T:
        """The outcome, or this caller's own copy of the error."""
        if self.error is not None:
            raise own_copy(self.error)
        assert self.token is not None
        return self.token

    # -- waiting -----------------------------------------------------------------------

    def check_not_blocking_leader(self, *, awaiting: bool = False) -> None:
        """Refuse a wait for a fetch that can only run on this thread's event loop.

        A sync wait on the loop that is fetching would stop it; any wait for a
        fetch of a stopped loop of this thread would never end, since only this
        thread can run it. Abandoning that fetch instead could spend a rotating
        refresh token twice (GMO Aozora): the stopped request may have been sent.
        """
        loop = self.loop
        if loop is None or self.loop_thread != threading.get_ident() or loop.is_closed():
            return
        if loop.is_running():
            if awaiting:
                return  # a task of the same loop: an ordinary waiter
            raise BlockingCallError(
                f"{self._provider}: a sync call on the event loop while an async call "
                "(atoken(), averify_webhook()...) is fetching on it; use `await atoken()` "
                "(or the call's other a-twin, and httpx.AsyncClient) in async code",
                provider=self._provider,
            )
        raise BlockingCallError(
            f"{self._provider}: the token fetch in flight belongs to an event loop of this "
            "thread that is not running; run that loop until it is done "
            "(loop.run_until_complete(source.atoken())) or close it",
            provider=self._provider,
        )

    def wait(self) -> bool:
        """Block until the flight ends: ``True`` if it landed, ``False`` if abandoned.

        Returns ``False`` too when the leader is stranded; the caller then abandons
        the flight (``TokenCache.join``).
        """
        self.check_not_blocking_leader()
        if self.stranded():
            return False
        with self._lock:
            watching, self._watched = not self._watched, True
        try:
            while not self._done.wait(POLL if watching else IDLE_POLL):
                if self.stranded():
                    return False
        finally:
            if watching:
                self._watched = False  # a later waiter watches, if any is left
        return not self.abandoned

    async def wait_async(self) -> bool:
        """The asyncio twin of ``wait()``."""
        self.check_not_blocking_leader(awaiting=True)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            pending = not self._done.is_set()
            if pending:
                self._waiters.append((loop, future))
        if not pending:
            return not self.abandoned
        if self.loop is loop:
            # The leader's task runs here: it lands, or is cancelled and abandons,
            # before this loop can stop; its fetch is bounded by its own timeouts.
            await future
            return not self.abandoned
        while not self.stranded():
            done, _ = await asyncio.wait((future,), timeout=POLL)
            if done:
                return not self.abandoned
        return False


def own_copy(error: BaseException) -> BaseException:
    """A copy of ``error`` with the same attributes, cause and notes, for one caller.

    Raising one object in many callers chains every caller's frames onto its
    traceback; a copy starts clean. An error that cannot be copied is shared.
    """
    try:
        fresh = copy.copy(error)
    except Exception:
        return error
    if type(fresh) is not type(error):
        return error
    fresh.__cause__ = error.__cause__
    fresh.__context__ = error.__context__
    fresh.__suppress_context__ = error.__suppress_context__
    if hasattr(error, "__notes__"):
        fresh.__notes__ = list(error.__notes__)
    return fresh.with_traceback(None)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        # A future of a loop closed since (its task garbage-collected, never finished):
        # the loop refuses the wake-up, and there is nobody left on it to wake.
        with contextlib.suppress(RuntimeError):
            future.set_result(None)


def _wake_in_turns(loop: asyncio.AbstractEventLoop, futures: list[asyncio.Future[None]]) -> None:
    """Wake ``WAKE_BATCH`` of ``futures`` (all of ``loop``, running it) now, the rest at
    the loop's next passes: the loop serves its other tasks and timers between turns."""
    for future in futures[:WAKE_BATCH]:
        _wake(future)
    if len(futures) > WAKE_BATCH:
        loop.call_soon(_wake_in_turns, loop, futures[WAKE_BATCH:])
