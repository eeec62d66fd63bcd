"""Single flight: however many threads and tasks ask, one token request."""

from __future__ import annotations

import asyncio
import threading
import traceback
from collections.abc import Callable

import httpx
import pytest

from provider_tokens import (
    AccessToken,
    BlockingCallError,
    GmoAozora,
    InvalidClientError,
    TokenSource,
)

from cases import BY_NAME, CASES, EXAMPLE, Case
from conftest import MockProvider, reply

THREADS = 100
AOZORA = BY_NAME["gmo_aozora"]
TASKS = 1000


class Arrivals:
    """Counts callers that entered token(); the mock holds its answer until all have."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.count = 0
        self.all_in = threading.Event()
        self._lock = threading.Lock()

    def arrive(self) -> None:
        with self._lock:
            self.count += 1
            if self.count == self.expected:
                self.all_in.set()


def _run_threads(
    source: TokenSource, arrivals: Arrivals, n: int
) -> list[AccessToken | BaseException]:
    results: list[AccessToken | BaseException] = []
    lock = threading.Lock()

    def call() -> None:
        arrivals.arrive()
        try:
            result: AccessToken | BaseException = source.token()
        except Exception as exc:
            result = exc
        with lock:
            results.append(result)

    threads = [threading.Thread(target=call) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.parametrize("case", CASES, ids=str)
def test_threads_on_a_cold_cache_make_one_request(case: Case) -> None:
    arrivals = Arrivals(THREADS)
    mock = MockProvider(case.success())
    mock.gate = arrivals.all_in
    source = case.make(http_client=mock.client())

    results = _run_threads(source, arrivals, THREADS)

    assert len(mock.requests) == 1
    assert len(results) == THREADS
    assert len({id(r) for r in results}) == 1
    assert isinstance(results[0], AccessToken)


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_tasks_on_a_cold_cache_make_one_request(case: Case) -> None:
    mock = MockProvider(case.success())
    source = case.make(async_http_client=mock.async_client())

    results = await asyncio.gather(*(source.atoken() for _ in range(TASKS)))

    assert len(mock.requests) == 1
    assert len({id(r) for r in results}) == 1


async def test_threads_and_tasks_together_make_one_request() -> None:
    arrivals = Arrivals(THREADS + 1)
    mock = MockProvider(EXAMPLE.success(token="t", lifetime=60))
    mock.gate = arrivals.all_in
    source = EXAMPLE.make(http_client=mock.client(), async_http_client=mock.async_client())

    async def tasks() -> list[AccessToken]:
        arrivals.arrive()  # the tasks count as one arrival: they start together
        return await asyncio.gather(*(source.atoken() for _ in range(TASKS)))

    thread_results = asyncio.to_thread(_run_threads, source, arrivals, THREADS)
    from_threads, from_tasks = await asyncio.gather(thread_results, tasks())

    assert len(mock.requests) == 1
    assert {id(r) for r in [*from_threads, *from_tasks]} == {id(from_tasks[0])}


def test_a_failed_fetch_reaches_every_waiter_and_the_next_call_retries() -> None:
    arrivals = Arrivals(THREADS)
    mock = MockProvider(
        reply(401, {"error_code": "api_error.auth.unauthorized", "error_message": "bad"}),
        EXAMPLE.success(token="t", lifetime=60),
    )
    mock.gate = arrivals.all_in
    source = EXAMPLE.make(http_client=mock.client())

    results = _run_threads(source, arrivals, THREADS)

    assert len(mock.requests) == 1
    assert len(results) == THREADS
    assert all(isinstance(r, InvalidClientError) for r in results)
    assert source.token().access_token == "t"
    assert len(mock.requests) == 2


async def test_a_failed_fetch_reaches_every_task() -> None:
    mock = MockProvider(reply(401, {"error_message": "bad"}))
    source = EXAMPLE.make(async_http_client=mock.async_client())
    results = await asyncio.gather(*(source.atoken() for _ in range(TASKS)), return_exceptions=True)
    assert len(mock.requests) == 1
    assert all(isinstance(r, InvalidClientError) for r in results)


async def test_the_async_path_does_not_block_the_event_loop() -> None:
    # The provider answers only after another coroutine on the same loop has run:
    # a blocking fetch would never let it run, and the test would time out.
    other_ran = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.wait_for(other_ran.wait(), timeout=5)
        return EXAMPLE.success(token="t", lifetime=60)

    source = EXAMPLE.make(
        async_http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler))
    )

    async def other() -> None:
        other_ran.set()

    token, _ = await asyncio.gather(source.atoken(), other())
    assert token.access_token == "t"


async def test_a_cancelled_leader_does_not_cancel_the_fetch_for_others() -> None:
    release = asyncio.Event()
    calls = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        await release.wait()
        return EXAMPLE.success(token="t", lifetime=60)

    source = EXAMPLE.make(
        async_http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler))
    )
    leader = asyncio.ensure_future(source.atoken())
    await asyncio.sleep(0)
    follower = asyncio.ensure_future(source.atoken())
    await asyncio.sleep(0)
    leader.cancel()
    release.set()
    assert (await follower).access_token == "t"
    assert calls == 1


async def test_sync_token_inside_the_fetching_loop_fails_instead_of_deadlocking() -> None:
    release = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        await release.wait()
        return EXAMPLE.success(token="t", lifetime=60)

    source = EXAMPLE.make(
        async_http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler))
    )
    fetching = asyncio.ensure_future(source.atoken())
    await asyncio.sleep(0)  # let it start its fetch on this loop
    with pytest.raises(BlockingCallError, match="use `await atoken\\(\\)`") as caught:
        source.token()
    assert isinstance(caught.value, RuntimeError)  # as documented before it had a name
    release.set()
    assert (await fetching).access_token == "t"


# -- event loops that end, close or are cancelled under a fetch ---------------------------


def _hanging_async_client(started: threading.Event) -> httpx.AsyncClient:
    """An async client whose token request is entered, then never answered."""

    async def handler(request: httpx.Request) -> httpx.Response:
        started.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def test_a_thread_waiting_on_a_torn_down_loops_fetch_gets_a_token_not_its_cancellation() -> None:
    started, joined = threading.Event(), threading.Event()
    mock = MockProvider(EXAMPLE.success(token="from-the-thread", lifetime=60))
    source = EXAMPLE.make(
        http_client=mock.client(), async_http_client=_hanging_async_client(started)
    )
    join = source._cache.join

    def spy(flight: object) -> bool:  # only tells the test that the thread is waiting
        joined.set()
        return join(flight)  # type: ignore[arg-type]

    source._cache.join = spy  # type: ignore[method-assign]

    async def job() -> None:
        # Leads, and is left pending: asyncio.run cancels it on the way out.
        leader = asyncio.ensure_future(source.atoken())
        assert await asyncio.to_thread(started.wait, 5)
        waiter.start()
        assert await asyncio.to_thread(joined.wait, 5)
        assert not leader.done()

    outcome: list[object] = []
    waiter = threading.Thread(target=lambda: outcome.append(_call(source.token)))
    asyncio.run(job())
    waiter.join(10)
    assert not waiter.is_alive()
    assert [getattr(o, "access_token", o) for o in outcome] == ["from-the-thread"]


def test_a_fetch_whose_loop_was_closed_pending_is_abandoned_and_the_next_call_fetches() -> None:
    started = threading.Event()
    mock = MockProvider(EXAMPLE.success(token="after-the-dead-loop", lifetime=60))
    source = EXAMPLE.make(
        http_client=mock.client(), async_http_client=_hanging_async_client(started)
    )
    loop = asyncio.new_event_loop()
    pending = loop.create_task(source.atoken())
    loop.run_until_complete(asyncio.to_thread(started.wait, 5))
    loop.close()  # with the fetch still pending: nobody will ever land it

    outcome: list[object] = []
    caller = threading.Thread(target=lambda: outcome.append(_call(source.token)))
    caller.start()
    caller.join(10)
    assert not caller.is_alive()
    assert [getattr(o, "access_token", o) for o in outcome] == ["after-the-dead-loop"]
    assert len(mock.requests) == 1
    del pending


def _call(fn: Callable[[], AccessToken]) -> AccessToken | BaseException:
    try:
        return fn()
    except BaseException as exc:
        return exc


async def test_a_failed_fetch_gives_each_task_its_own_error() -> None:
    mock = MockProvider(reply(401, {"error_message": "bad"}))
    source = EXAMPLE.make(async_http_client=mock.async_client())
    results = await asyncio.gather(*(source.atoken() for _ in range(TASKS)), return_exceptions=True)
    assert len({id(r) for r in results}) == TASKS
    assert all(isinstance(r, InvalidClientError) for r in results)
    depth = {
        len(traceback.extract_tb(r.__traceback__)) for r in results if isinstance(r, Exception)
    }
    assert max(depth) < 20  # one shared object had ~3 frames more per waiter


async def test_sync_exchange_code_on_the_loop_while_atoken_refreshes_raises() -> None:
    release = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        await release.wait()
        return AOZORA.success(token="refreshed", lifetime=3600)

    source = AOZORA.make(
        async_http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        http_client=MockProvider(AOZORA.success(token="never")).client(),
    )
    refreshing = asyncio.ensure_future(source.atoken())
    await asyncio.sleep(0)  # let it start its fetch on this loop
    assert isinstance(source, GmoAozora)
    with pytest.raises(BlockingCallError, match="await atoken"):
        source.exchange_code("a-code")
    release.set()
    assert (await asyncio.wait_for(refreshing, 5)).access_token == "refreshed"


async def test_sync_token_on_the_loop_while_a_task_of_it_holds_the_store_lock_raises() -> None:
    release, started = asyncio.Event(), asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        started.set()
        await release.wait()
        return EXAMPLE.success(token="from-the-task", lifetime=3600)

    # Two sources with the same credentials share the store key and so its lock.
    fetching_source = EXAMPLE.make(
        async_http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler))
    )
    other = EXAMPLE.make(http_client=MockProvider(EXAMPLE.success(token="never")).client())
    assert other.store_key == fetching_source.store_key
    fetching = asyncio.ensure_future(fetching_source.atoken())
    await asyncio.wait_for(started.wait(), 5)
    with pytest.raises(BlockingCallError, match="await atoken"):
        other.token()
    release.set()
    assert (await asyncio.wait_for(fetching, 5)).access_token == "from-the-task"


def test_waiting_for_a_fetch_of_a_stopped_loop_of_this_thread_raises_not_hangs() -> None:
    started = threading.Event()
    source = EXAMPLE.make(
        http_client=MockProvider(EXAMPLE.success(token="never")).client(),
        async_http_client=_hanging_async_client(started),
    )
    loop = asyncio.new_event_loop()
    try:
        # A sync wrapper's timeout: the fetch stays pending on a loop that then stops.
        with pytest.raises(TimeoutError):
            loop.run_until_complete(asyncio.wait_for(source.atoken(), 0.5))
        assert started.is_set()
        # Only this thread can run that loop again: waiting here would never end,
        # and fetching anew could spend a rotating refresh token twice.
        with pytest.raises(BlockingCallError, match=r"not running|holds the token store"):
            source.token()

        async def from_another_loop() -> AccessToken:
            return await source.atoken()

        with pytest.raises(BlockingCallError):
            asyncio.run(from_another_loop())
    finally:
        loop.close()
    # Once that loop is closed, the fetch is given up and the next call fetches.
    source_token = _call(source.token)
    assert getattr(source_token, "access_token", source_token) == "never"


def test_a_sync_call_joining_a_thread_that_waits_for_this_loops_lock_raises() -> None:
    holding, release = threading.Event(), threading.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        holding.set()
        await asyncio.to_thread(release.wait, 10)
        return EXAMPLE.success(token="from-the-task", lifetime=3600)

    holder = EXAMPLE.make(async_http_client=httpx.AsyncClient(transport=httpx.MockTransport(slow)))
    other = EXAMPLE.make(http_client=MockProvider(EXAMPLE.success(token="t", lifetime=60)).client())
    thread_result: list[object] = []

    async def job() -> None:
        fetching = asyncio.ensure_future(holder.atoken())  # holds the shared store lock
        assert await asyncio.to_thread(holding.wait, 5)
        # A thread leads `other`'s fetch and waits for that lock ...
        leader = threading.Thread(target=lambda: thread_result.append(_call(other.token)))
        leader.start()
        for _ in range(500):
            if other._cache._flight is not None:
                break
            await asyncio.sleep(0.01)
        else:
            pytest.fail("the thread never led other's fetch")
        # ... so a sync call here, joining that fetch, would stop the lock's holder.
        with pytest.raises(BlockingCallError):
            other.token()
        release.set()
        assert (await asyncio.wait_for(fetching, 5)).access_token == "from-the-task"
        await asyncio.to_thread(leader.join, 10)

    asyncio.run(job())
    assert [getattr(r, "access_token", r) for r in thread_result] == ["from-the-task"]


async def test_a_leader_whose_fetch_task_is_cancelled_by_someone_else_still_gets_a_token() -> None:
    answered = 0
    entered = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal answered
        answered += 1
        if answered == 1:
            entered.set()
            await asyncio.Event().wait()
        return EXAMPLE.success(token="second", lifetime=60)

    source = EXAMPLE.make(
        async_http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler))
    )
    caller = asyncio.ensure_future(source.atoken())
    await asyncio.wait_for(entered.wait(), 5)
    for task in list(source._cache._tasks):  # e.g. a shutdown cancelling "all other tasks"
        task.cancel()
    assert (await asyncio.wait_for(caller, 5)).access_token == "second"
    assert answered == 2
