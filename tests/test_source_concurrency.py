"""Single flight: however many threads and tasks ask, one token request."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest

from provider_tokens import AccessToken, InvalidClientError, TokenSource

from cases import CASES, EXAMPLE, Case
from conftest import MockProvider, reply

THREADS = 100
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
    with pytest.raises(RuntimeError, match="use `await atoken\\(\\)`"):
        source.token()
    release.set()
    assert (await fetching).access_token == "t"
