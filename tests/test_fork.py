"""fork: a child inherits no flight, lock or pooled connection from its parent.

Each test forks for real (gunicorn --preload and multiprocessing's fork do the same)
and hears from the child through a pipe, waiting a bounded time.
"""

from __future__ import annotations

import gc
import json
import os
import select
import signal
import sys
import threading
import warnings
from collections.abc import Callable

import httpx
import pytest

from provider_tokens._clients import HttpClients
from provider_tokens._fork import forget_at_fork
from provider_tokens.testing import FakeProviders

from cases import EXAMPLE, fake_source
from conftest import MockProvider

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")

WAIT = 10.0


def in_child(work: Callable[[], object]) -> object:
    """Fork; the child runs ``work`` and sends back what it returned (or raised)."""
    read, write = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12+ warns about forking with threads running: that is the point here.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        os.close(read)
        try:
            result: object = work()
        except BaseException as exc:
            result = f"raised {type(exc).__name__}: {exc}"
        os.write(write, json.dumps(result, default=str).encode())
        os._exit(0)
    os.close(write)
    try:
        ready, _, _ = select.select([read], [], [], WAIT)
        if not ready:
            os.kill(pid, signal.SIGKILL)
            return "the child did not answer in time"
        return json.loads(os.read(read, 65536) or b'"no answer"')
    finally:
        os.close(read)
        os.waitpid(pid, 0)


def test_a_child_forked_mid_fetch_fetches_for_itself() -> None:
    entered, release = threading.Event(), threading.Event()
    answered = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal answered
        answered += 1
        if answered == 1:  # the parent's fetch: held until the test is done forking
            entered.set()
            release.wait(WAIT)
            return EXAMPLE.success(token="parent", lifetime=3600)
        return EXAMPLE.success(token="child", lifetime=3600)

    source = EXAMPLE.make(http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    parent = threading.Thread(target=source.token)
    parent.start()
    assert entered.wait(WAIT)

    from_child = in_child(lambda: source.token().access_token)
    release.set()
    parent.join(WAIT)

    assert from_child == "child"
    assert source.token().access_token == "parent"


def test_a_child_drops_the_parents_own_client_and_builds_one() -> None:
    clients = HttpClients(
        provider="example", base_url="https://example.test", timeout=5, sync=None, async_=None
    )
    parents = clients.sync()

    def child() -> list[bool]:
        # Dropped, not closed: closing would shut connections the parent still uses.
        return [clients.sync() is not parents, parents.is_closed]

    assert in_child(child) == [True, False]
    assert clients.sync() is parents
    clients.close()


def test_objects_are_told_in_the_child_only_and_dead_ones_are_skipped() -> None:
    class Aware:
        def __init__(self) -> None:
            self.forked = False

        def _after_fork_in_child(self) -> None:
            self.forked = True

    kept, dropped = Aware(), Aware()
    forget_at_fork(kept)
    forget_at_fork(dropped)
    del dropped

    assert in_child(lambda: kept.forked) is True
    assert kept.forked is False


def test_a_token_cached_before_the_fork_is_still_served_in_the_child() -> None:
    mock = MockProvider(EXAMPLE.success(token="cached", lifetime=3600))
    source = EXAMPLE.make(http_client=mock.client())
    source.token()

    def child() -> list[object]:
        return [source.token().access_token, len(mock.requests)]

    assert in_child(child) == ["cached", 1]


def test_a_child_does_not_warn_about_the_parents_sockets() -> None:
    with FakeProviders() as fake:
        source = fake_source(fake, EXAMPLE.name)
        source.token()  # the source's own client now pools a connection

        def child() -> list[object]:
            unraisable: list[str] = []
            sys.unraisablehook = lambda hook: unraisable.append(str(hook.exc_value))
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                source.invalidate()
                fresh = source.token()
                gc.collect()
            return [fresh.access_token != "", *unraisable]

        assert in_child(child) == [True]
        source.close()
