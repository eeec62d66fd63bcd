"""The seven measurements. Each returns a JSON-ready dict with its samples and medians.

Timed figures are collected in rounds: every contender runs once per round, in an
order rotated from round to round, warm-up rounds are run and thrown away, and a
ratio is the median of the per-round ratios (both sides of each from one round).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from bench import contenders as c
from bench.harness import ROOT, Rounds, Servers, median, rotated, timed
from provider_tokens._clients import _with_cookies
from provider_tokens.testing._servers import redis_server, redis_server_binary

# -- 1 and 2: the hot path --------------------------------------------------------------
#
# The CPU speed of a small VM drifts by a factor of two within seconds, so clients are
# interleaved finely: a round is a number of slices, each slice runs every client for
# a few requests (in an order rotated per slice), and a client's figure for the round
# is its total requests over its total time in that round.


def _sync_slice(client: httpx.Client, url: str, n: int) -> float:
    """Seconds for ``n`` sequential GETs. Every answer must be a 200."""
    get = client.get
    failed = 0
    started = time.perf_counter()
    for _ in range(n):
        if get(url).status_code != 200:
            failed += 1
    elapsed = time.perf_counter() - started
    if failed:
        raise RuntimeError(f"{failed} of {n} requests were not answered 200")
    return elapsed


async def _async_slice(client: httpx.AsyncClient, url: str, per_task: int, tasks: int) -> float:
    """Seconds for ``tasks`` tasks at once doing ``per_task`` GETs each."""

    async def task() -> int:
        failed = 0
        for _ in range(per_task):
            if (await client.get(url)).status_code != 200:
                failed += 1
        return failed

    started = time.perf_counter()
    failed = sum(await asyncio.gather(*(task() for _ in range(tasks))))
    elapsed = time.perf_counter() - started
    if failed:
        raise RuntimeError(f"{failed} of {per_task * tasks} requests were not answered 200")
    return elapsed


def _spread(values: list[float]) -> list[float]:
    """The 25th and 75th percentiles."""
    q = statistics.quantiles(values, n=4)
    return [q[0], q[2]]


def _hot_summary(rounds: Rounds, plan: HotPlan, token_requests: int) -> dict[str, Any]:
    names = list(rounds.samples)
    return {
        "plan": asdict(plan),
        "ratio_to_fixed_p25_p75": {
            k: _spread(rounds.ratios(k, c.FIXED)) for k in names if k != c.FIXED
        },
        "ours_to_peer_p25_p75": {
            k: _spread(rounds.ratios(c.OURS, k)) for k in names if k not in (c.FIXED, c.OURS)
        },
        "throughput": {k: rounds.median(k) for k in names},
        "us_per_request": {k: 1e6 / rounds.median(k) for k in names},
        "ratio_to_fixed": {k: rounds.ratio(k, c.FIXED) for k in names if k != c.FIXED},
        "ours_to_peer": {k: rounds.ratio(c.OURS, k) for k in names if k not in (c.FIXED, c.OURS)},
        "overhead_us_vs_fixed": {
            k: median(
                [
                    1e6 / a - 1e6 / b
                    for a, b in zip(rounds.samples[k], rounds.samples[c.FIXED], strict=True)
                ]
            )
            for k in names
            if k != c.FIXED
        },
        "token_requests_during_timed_runs": token_requests,
        "samples": rounds.samples,
    }


@dataclass(frozen=True)
class HotPlan:
    """A round: ``slices`` slices of ``per_slice`` requests per client (async: spread
    over ``tasks`` tasks at once)."""

    per_slice: int
    slices: int
    warmups: int
    repetitions: int
    tasks: int = 1

    @property
    def per_round(self) -> int:
        return self.per_slice * self.slices


def hot_path_sync(servers: Servers, plan: HotPlan, *, in_process: bool = False) -> dict[str, Any]:
    """``in_process``: the resource API served by an ``httpx.MockTransport`` (no sockets)."""
    base = servers.base_url("moneykit")
    clients = c.sync_contenders(base, c.resource_transport() if in_process else None)
    url = c.IN_PROCESS_URL if in_process else servers.resource_url
    rounds = Rounds(plan.warmups, plan.repetitions)
    try:
        before = servers.count("moneykit")
        for i, kept in rounds.indices():
            spent = dict.fromkeys((x.name for x in clients), 0.0)
            for k in range(plan.slices):
                for contender in rotated(clients, i + k):
                    spent[contender.name] += _sync_slice(contender.client, url, plan.per_slice)
            if kept:
                for name, seconds in spent.items():
                    rounds.add(name, plan.per_round / seconds)
        token_requests = servers.count("moneykit") - before
    finally:
        for contender in clients:
            contender.close()
    return _hot_summary(rounds, plan, token_requests)


def hot_path_async(servers: Servers, plan: HotPlan, *, in_process: bool = False) -> dict[str, Any]:
    base = servers.base_url("moneykit")
    url = c.IN_PROCESS_URL if in_process else servers.resource_url
    rounds = Rounds(plan.warmups, plan.repetitions)
    per_task = max(1, plan.per_slice // plan.tasks)

    async def run() -> int:
        clients = await c.async_contenders(base, c.resource_transport() if in_process else None)
        try:
            before = servers.count("moneykit")
            for i, kept in rounds.indices():
                spent = dict.fromkeys((x.name for x in clients), 0.0)
                for k in range(plan.slices):
                    for contender in rotated(clients, i + k):
                        spent[contender.name] += await _async_slice(
                            contender.client, url, per_task, plan.tasks
                        )
                if kept:
                    for name, seconds in spent.items():
                        rounds.add(name, per_task * plan.tasks * plan.slices / seconds)
            return servers.count("moneykit") - before
        finally:
            for contender in clients:
                await contender.close()

    return _hot_summary(rounds, plan, asyncio.run(run()))


# -- 3: cold start under concurrency -------------------------------------------------------


@dataclass
class ColdStart:
    """One contender's way to ask for a token, from a fresh (empty) state each trial."""

    name: str
    how: str
    # Builds fresh state, returns (ask, close).
    sync: Callable[[str], tuple[Callable[[], str], Callable[[], None]]]
    asyncio: Callable[
        [str], Awaitable[tuple[Callable[[], Awaitable[str]], Callable[[], Awaitable[None]]]]
    ]


def _flow_header(auth: httpx.Auth, url: str) -> str:
    request = next(auth.sync_auth_flow(httpx.Request("GET", url)))
    return request.headers["Authorization"]


async def _aflow_header(auth: httpx.Auth, url: str) -> str:
    flow = auth.async_auth_flow(httpx.Request("GET", url))
    try:
        request = await flow.__anext__()
    finally:
        await flow.aclose()
    return request.headers["Authorization"]


OURS_GIVEN = "provider-tokens, client passed in"
LEAST = "one shared raw POST"


# The raw POST of MoneyKit's token request: its form, Basic credentials and headers.
# The least a token layer can do: the first caller sends that POST, the others
# wait for its answer on an Event (threads) or the future itself (tasks: not even
# shielded from a caller's cancellation); no cache, no store, no error handling, and
# a client as lean as the sources' own (no environment lookups, no cookie work for
# answers that set none). The floor under any library's cold start on this machine.
def _post_of(base: str) -> dict[str, Any]:
    return {
        "url": c.token_url(base),
        "data": {"grant_type": "client_credentials"},
        "auth": (c.CLIENT_ID, c.CLIENT_SECRET),
        "headers": {"MoneyKit-Version": "2023-02-18"},
    }


def _least_sync(base: str) -> tuple[Callable[[], str], Callable[[], None]]:
    client, post = _with_cookies(httpx.Client(trust_env=False)), _post_of(base)
    first, landed, box = threading.Lock(), threading.Event(), [""]

    def ask() -> str:
        if not landed.is_set() and first.acquire(blocking=False):
            box[0] = str(client.post(**post).json()["access_token"])
            landed.set()
        landed.wait(30)
        return box[0]

    return ask, client.close


async def _least_async(
    base: str,
) -> tuple[Callable[[], Awaitable[str]], Callable[[], Awaitable[None]]]:
    client, post = _with_cookies(httpx.AsyncClient(trust_env=False)), _post_of(base)
    shared: list[asyncio.Future[str]] = []

    async def ask() -> str:
        if shared:
            return await shared[0]
        shared.append(asyncio.get_running_loop().create_future())
        shared[0].set_result(str((await client.post(**post)).json()["access_token"]))
        return shared[0].result()

    return ask, client.aclose


def _cold_contenders(resource_url: str) -> list[ColdStart]:
    # Authlib has no first token on demand (request() raises MissingTokenError
    # without one), so its empty cache is an expired token: what every caller meets
    # when the token runs out under load; ensure_active_token() is what request() calls.
    expired = {"access_token": "expired", "token_type": "bearer", "expires_at": 0}

    def ours_sync(base: str) -> tuple[Callable[[], str], Callable[[], None]]:
        source = c.our_source(base)
        return (lambda: source.token().access_token), source.close

    async def ours_async(
        base: str,
    ) -> tuple[Callable[[], Awaitable[str]], Callable[[], Awaitable[None]]]:
        source = c.our_source(base)

        async def ask() -> str:
            return (await source.atoken()).access_token

        return ask, source.aclose

    def ours_given_sync(base: str) -> tuple[Callable[[], str], Callable[[], None]]:
        client = httpx.Client()
        source = c.our_source(base, http_client=client)

        def close() -> None:
            source.close()
            client.close()

        return (lambda: source.token().access_token), close

    async def ours_given_async(
        base: str,
    ) -> tuple[Callable[[], Awaitable[str]], Callable[[], Awaitable[None]]]:
        client = httpx.AsyncClient()
        source = c.our_source(base, async_http_client=client)

        async def ask() -> str:
            return (await source.atoken()).access_token

        async def close() -> None:
            await source.aclose()
            await client.aclose()

        return ask, close

    def authlib_sync(base: str) -> tuple[Callable[[], str], Callable[[], None]]:
        client = c.authlib_sync(base, token=expired)

        def ask() -> str:
            client.ensure_active_token(client.token)
            return str(client.token["access_token"])

        return ask, client.close

    async def authlib_async(
        base: str,
    ) -> tuple[Callable[[], Awaitable[str]], Callable[[], Awaitable[None]]]:
        client = c.authlib_async(base, token=expired)

        async def ask() -> str:
            await client.ensure_active_token(client.token)
            return str(client.token["access_token"])

        return ask, client.aclose

    def peer_sync(base: str) -> tuple[Callable[[], str], Callable[[], None]]:
        c.clear_httpx_auth_cache()
        auth = c.httpx_auth_credentials(base)
        return (lambda: _flow_header(auth, resource_url)), lambda: None

    async def peer_async(
        base: str,
    ) -> tuple[Callable[[], Awaitable[str]], Callable[[], Awaitable[None]]]:
        c.clear_httpx_auth_cache()
        auth = c.httpx_auth_credentials(base)

        async def close() -> None:
            return None

        return (lambda: _aflow_header(auth, resource_url)), close

    def fixed_sync(base: str) -> tuple[Callable[[], str], Callable[[], None]]:
        return (lambda: c.FIXED_TOKEN), lambda: None

    async def fixed_async(
        base: str,
    ) -> tuple[Callable[[], Awaitable[str]], Callable[[], Awaitable[None]]]:
        async def ask() -> str:
            return c.FIXED_TOKEN

        async def close() -> None:
            return None

        return ask, close

    return [
        ColdStart(
            c.FIXED,
            "a token known beforehand (no request): the callers' and the event loop's own "
            "cost, the floor for the others",
            fixed_sync,
            fixed_async,
        ),
        ColdStart(
            LEAST,
            "one raw POST shared through a threading.Event / an asyncio future, on a lean "
            "client made beforehand: the least any token layer can do, the floor for the others",
            _least_sync,
            _least_async,
        ),
        ColdStart(
            c.OURS,
            "token() / await atoken(); the source builds its httpx client on first use",
            ours_sync,
            ours_async,
        ),
        ColdStart(
            OURS_GIVEN,
            "the same, with http_client= / async_http_client= built beforehand",
            ours_given_sync,
            ours_given_async,
        ),
        ColdStart(
            c.AUTHLIB,
            "ensure_active_token() on an expired token (sync: OAuth2Client, "
            "asyncio: AsyncOAuth2Client)",
            authlib_sync,
            authlib_async,
        ),
        ColdStart(
            c.HTTPX_AUTH,
            "the auth flow of OAuth2ClientCredentials (what httpx runs per request), "
            "process-wide cache cleared",
            peer_sync,
            peer_async,
        ),
    ]


def _threads_at_once(ask: Callable[[], str], threads: int) -> tuple[float, int]:
    """All threads ask at once (a barrier); seconds until the last has a token, distinct tokens."""
    barrier = threading.Barrier(threads + 1)
    finished = [0.0] * threads
    tokens = [""] * threads
    errors: list[BaseException] = []

    def call(i: int) -> None:
        barrier.wait()
        try:
            tokens[i] = ask()
        except BaseException as exc:
            errors.append(exc)
        finished[i] = time.perf_counter()

    workers = [threading.Thread(target=call, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    if errors:
        raise RuntimeError(f"{len(errors)} callers failed: {errors[0]!r}") from errors[0]
    return max(finished) - started, len(set(tokens))


async def _tasks_at_once(ask: Callable[[], Awaitable[str]], tasks: int) -> tuple[float, int, float]:
    """All tasks ask at once; seconds until the last has a token, distinct tokens, and
    the longest stall of the event loop meanwhile (a ticker task measures it)."""
    finished: list[float] = []
    stalls: list[float] = [0.0]
    stop = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            stalls.append(now - last - 0.001)
            last = now

    async def one() -> str:
        token = await ask()
        finished.append(time.perf_counter())
        return token

    tick = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    callers = [one() for _ in range(tasks)]
    started = time.perf_counter()
    try:
        tokens = await asyncio.gather(*callers)
    finally:
        stop.set()
        await tick
    return max(finished) - started, len(set(tokens)), max(stalls)


def cold_start(
    servers: Servers,
    *,
    threads: int,
    tasks: int,
    delay: float,
    warmups: int,
    repetitions: int,
) -> dict[str, Any]:
    base = servers.base_url("moneykit")
    contenders = _cold_contenders(servers.resource_url)
    rows: dict[str, dict[str, Any]] = {
        x.name: {"how": x.how, "threads": [], "asyncio": []} for x in contenders
    }

    def fresh_server() -> None:
        servers.reset()
        servers.delay("moneykit", delay)
        # This process holds every contender's objects: a full collection that falls
        # inside a trial (25-30 ms here) would be measured as the contender's.
        gc.collect()

    for i in range(warmups + repetitions):
        kept = i >= warmups
        for contender in rotated(contenders, i):
            fresh_server()
            ask, close = contender.sync(base)
            try:
                seconds, distinct = _threads_at_once(ask, threads)
            finally:
                close()
            if kept:
                rows[contender.name]["threads"].append(
                    {
                        "token_requests": servers.count("moneykit"),
                        "seconds": seconds,
                        "distinct_tokens": distinct,
                    }
                )

            fresh_server()

            async def run_async(x: ColdStart = contender) -> tuple[float, int, float]:
                aask, aclose = await x.asyncio(base)
                try:
                    return await _tasks_at_once(aask, tasks)
                finally:
                    await aclose()

            seconds, distinct, stall = asyncio.run(run_async())
            if kept:
                rows[contender.name]["asyncio"].append(
                    {
                        "token_requests": servers.count("moneykit"),
                        "seconds": seconds,
                        "distinct_tokens": distinct,
                        "longest_loop_stall": stall,
                    }
                )
    servers.reset()
    for row in rows.values():
        for mode in ("threads", "asyncio"):
            trials = row[mode]
            row[f"{mode}_token_requests"] = median([t["token_requests"] for t in trials])
            row[f"{mode}_token_requests_range"] = [
                min(t["token_requests"] for t in trials),
                max(t["token_requests"] for t in trials),
            ]
            row[f"{mode}_seconds"] = median([t["seconds"] for t in trials])
        stalls = [t["longest_loop_stall"] for t in row["asyncio"]]
        row["asyncio_longest_loop_stall"] = median(stalls)
    return {"threads": threads, "tasks": tasks, "endpoint_delay": delay, "contenders": rows}


# -- 4: one token fetch ------------------------------------------------------------------


RAW_POST = "raw httpx.Client.post"
RAW_APOST = "raw httpx.AsyncClient.post"
ASYNC_OURS = f"{c.OURS} (atoken)"


def single_fetch(
    servers: Servers, per_round: int, warmups: int, repetitions: int
) -> dict[str, Any]:
    """One token fetch on an empty cache against a raw POST of the same form, sync and
    async, alternating call by call on warm keep-alive clients."""
    base = servers.base_url("moneykit")
    post = _post_of(base)
    source = c.our_source(base)
    raw = httpx.Client()

    def ours() -> float:
        source.invalidate()  # an empty cache, in memory and in the store
        started = time.perf_counter()
        source.token()
        return time.perf_counter() - started

    def plain() -> float:
        started = time.perf_counter()
        response = raw.post(**post)
        response.json()
        elapsed = time.perf_counter() - started
        _checked(response)
        return elapsed

    rounds = Rounds(warmups, repetitions)
    try:
        for name, fn, latencies in _alternating(
            rounds, per_round, [(c.OURS, ours), (RAW_POST, plain)]
        ):
            latencies[name].append(fn())
    finally:
        source.close()
        raw.close()
    arounds = Rounds(warmups, repetitions)
    asyncio.run(_async_fetch(base, arounds, per_round, post))
    return {
        "fetches_per_round": per_round,
        "latency_ms": {k: 1e3 * rounds.median(k) for k in rounds.samples},
        "ratio": rounds.ratio(c.OURS, RAW_POST),
        "async_latency_ms": {k: 1e3 * arounds.median(k) for k in arounds.samples},
        "async_ratio": arounds.ratio(ASYNC_OURS, RAW_APOST),
        "samples": rounds.samples,
        "async_samples": arounds.samples,
    }


async def _async_fetch(base: str, rounds: Rounds, per_round: int, post: dict[str, Any]) -> None:
    """``single_fetch``'s asyncio half: ``await atoken()`` against ``AsyncClient.post``."""
    source = c.our_source(base)
    raw = httpx.AsyncClient()

    async def ours() -> float:
        await source.ainvalidate()
        started = time.perf_counter()
        await source.atoken()
        return time.perf_counter() - started

    async def plain() -> float:
        started = time.perf_counter()
        response = await raw.post(**post)
        response.json()
        elapsed = time.perf_counter() - started
        _checked(response)
        return elapsed

    try:
        for name, fn, latencies in _alternating(
            rounds, per_round, [(ASYNC_OURS, ours), (RAW_APOST, plain)]
        ):
            latencies[name].append(await fn())
    finally:
        await source.aclose()
        await raw.aclose()


def _checked(response: httpx.Response) -> None:
    if response.status_code != 201 or not response.json()["access_token"]:
        raise RuntimeError(f"raw token request answered {response.status_code}")


F = TypeVar("F")


def _alternating(
    rounds: Rounds, per_round: int, pairs: list[tuple[str, F]]
) -> Iterator[tuple[str, F, dict[str, list[float]]]]:
    """Each round's calls, who goes first alternating call by call: the caller runs
    ``fn`` and appends its seconds to ``latencies[name]``; each kept round's medians
    go to ``rounds`` once its calls are done."""
    for i, kept in rounds.indices():
        latencies: dict[str, list[float]] = {name: [] for name, _ in pairs}
        for k in range(per_round):
            for name, fn in rotated(pairs, i + k):
                yield name, fn, latencies
        if kept:
            for name, values in latencies.items():
                rounds.add(name, median(values))


# -- 5: a fleet of processes ---------------------------------------------------------------

# The same worker the fleet tests run, its callers threads or asyncio tasks.
FLEET_MODES = ("threads", "asyncio")
WORKER = Path(__file__).resolve().parent.parent / "tests" / "stores" / "fleet_worker.py"


def _local_cluster(directory: Path) -> Any:
    """Three redis-server masters in cluster mode (the tests' ``LocalCluster``), or why
    there is none."""
    if shutil.which("redis-cli") is None:
        return "redis-cli is not installed"
    stores_tests = str(ROOT / "tests" / "stores")
    if stores_tests not in sys.path:
        sys.path.insert(0, stores_tests)
    # A test helper, found by path (a plain import type-checks differently on its own).
    support: Any = importlib.import_module("store_support")
    return support.LocalCluster(directory)


def _fleet_once(config: dict[str, Any], processes: int) -> tuple[float, int, int]:
    """Start the workers, release them at once; seconds until all have answered,
    calls answered, distinct tokens."""
    procs = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and scripts
            [sys.executable, str(WORKER), json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            if line != "ready":
                raise RuntimeError(f"fleet worker did not start: {line!r}")
        started = time.perf_counter()
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            assert proc.stdout is not None
            results.append(json.loads(proc.stdout.readline()))
        elapsed = time.perf_counter() - started
        for proc in procs:
            _, err = proc.communicate(timeout=60)
            if proc.returncode != 0:
                raise RuntimeError(f"fleet worker failed: {err}")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    calls = sum(int(r["calls"]) for r in results)
    distinct = len({t for r in results for t in r["tokens"]})
    return elapsed, calls, distinct


def fleet(
    servers: Servers,
    *,
    processes: int,
    callers: int,
    delay: float,
    warmups: int,
    repetitions: int,
) -> dict[str, Any]:
    base = servers.base_url("moneykit")
    rows: dict[str, Any] = {}
    redis_binary = redis_server_binary()
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp, contextlib.ExitStack() as stack:
        stores: dict[str, dict[str, Any]] = {
            "MemoryStore": {"store": "memory"},
            "FileStore": {"store": "file"},
        }
        if redis_binary is not None:
            redis_url = stack.enter_context(redis_server(redis_binary))
            stores["RedisStore"] = {"store": "redis", "url": redis_url}
            cluster = _local_cluster(Path(tmp) / "cluster")
            if isinstance(cluster, str):
                for mode in FLEET_MODES:
                    rows[f"RedisStore on a cluster, {mode}"] = {"skipped": cluster}
            else:
                stack.callback(cluster.close)
                stores["RedisStore on a cluster"] = {"store": "redis-cluster", "url": cluster.url}
        else:
            for mode in FLEET_MODES:
                rows[f"RedisStore, {mode}"] = {"skipped": "redis-server is not installed"}
        for (store_name, extra), mode in itertools.product(stores.items(), FLEET_MODES):
            name = f"{store_name}, {mode}"
            trials = []
            for i in range(warmups + repetitions):
                servers.reset()
                servers.delay("moneykit", delay)
                config = {
                    "provider": "moneykit",
                    "credentials": {"client_id": c.CLIENT_ID, "client_secret": c.CLIENT_SECRET},
                    "base_url": base,
                    "callers": callers,
                    "mode": mode,
                    **extra,
                }
                cold = f"{mode}-{i}"  # a cold store each time
                if extra["store"] == "file":
                    config["path"] = str(Path(tmp) / f"tokens-{cold}")
                elif extra["store"] in ("redis", "redis-cluster"):
                    config["prefix"] = f"bench-{cold}:"
                seconds, calls, distinct = _fleet_once(config, processes)
                if calls != processes * callers:
                    raise RuntimeError(f"{name}: {calls} calls answered, not {processes * callers}")
                if i >= warmups:
                    trials.append(
                        {
                            "token_requests": servers.count("moneykit"),
                            "seconds": seconds,
                            "distinct_tokens": distinct,
                        }
                    )
            rows[name] = {
                "token_requests": median([t["token_requests"] for t in trials]),
                "token_requests_range": [
                    min(t["token_requests"] for t in trials),
                    max(t["token_requests"] for t in trials),
                ],
                "seconds": median([t["seconds"] for t in trials]),
                "trials": trials,
            }
    servers.reset()
    return {
        "processes": processes,
        "callers_per_process": callers,
        "endpoint_delay": delay,
        "stores": rows,
    }


# -- 6: import cost ------------------------------------------------------------------------


def _import_env(pycache: str) -> dict[str, str]:
    """Imports are timed as installed code runs: from bytecode. pip compiles what it
    installs; a checkout under PYTHONDONTWRITEBYTECODE (as here) would compile this
    package's modules at every import, and only them. Every side gets one private
    bytecode cache, written by the warm-up rounds."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": pycache}


def _wall(code: str, env: dict[str, str]) -> float:
    """Wall seconds of ``python -c code``, from spawn to exit."""
    started = time.perf_counter()
    proc = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], cwd=tempfile.gettempdir(), check=False, env=env
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"python -c {code!r} exited {proc.returncode}")
    return elapsed


# Peak RSS from inside: VmHWM belongs to the process's own address space, where
# ru_maxrss (wait4, getrusage) keeps the high-water mark of the parent it forked from.
_PEAK = ";print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"


def _peak_kib(code: str, env: dict[str, str]) -> int:
    proc = subprocess.run(  # noqa: S603 - our own interpreter and scripts
        [sys.executable, "-c", code + _PEAK],
        cwd=tempfile.gettempdir(),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"python -c {code!r} exited {proc.returncode}: {proc.stderr}")
    return int(proc.stdout.split()[-1])


USER_IMPORT = "from provider_tokens import MoneyKit"
IMPORTS = ["pass", "import httpx", "import provider_tokens", USER_IMPORT]
BASELINE = "import httpx"


def import_cost(warmups: int, repetitions: int) -> dict[str, Any]:
    """Each round runs every command twice: once timed exactly as given, once to read
    its peak memory (the same command plus a read of /proc/self/status)."""
    wall = Rounds(warmups, repetitions)
    memory = Rounds(warmups, repetitions)
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as pycache:
        env = _import_env(pycache)
        for i, kept in wall.indices():
            for code in rotated(IMPORTS, i):
                seconds = _wall(code, env)
                kib = _peak_kib(code, env)
                if kept:
                    wall.add(code, seconds)
                    memory.add(code, kib)
    compared = [k for k in IMPORTS if k not in ("pass", BASELINE)]
    return {
        "baseline": BASELINE,
        "wall_ms": {k: 1e3 * wall.median(k) for k in IMPORTS},
        "peak_rss_mib": {k: memory.median(k) / 1024 for k in IMPORTS},
        "ratio_wall": {k: wall.ratio(k, BASELINE) for k in compared},
        "ratio_memory": {k: memory.ratio(k, BASELINE) for k in compared},
        "samples": {"wall": wall.samples, "peak_rss_kib": memory.samples},
    }


# -- 7: regeneration -----------------------------------------------------------------------

_GENERATE = """
import pathlib, sys, tempfile
sys.path.insert(0, sys.argv[1])
import generate
with tempfile.TemporaryDirectory(prefix="bench-generate-") as out:
    generate.generate_into(pathlib.Path(out))
"""


def regeneration(warmups: int, repetitions: int) -> dict[str, Any]:
    """What ``make generate`` does for the five specs, into a temporary directory.

    ``scripts/generate.py``'s ``generate_into``: the version check and the five
    generator runs in parallel, then the manifest; only the final swap into
    ``generated/`` is left out, so the benchmark never rewrites the work tree.
    """
    runs: list[float] = []
    for i in range(warmups + repetitions):
        seconds, proc = timed(
            lambda: subprocess.run(  # noqa: S603 - our own interpreter and scripts
                [sys.executable, "-c", _GENERATE, str(ROOT / "scripts")],
                capture_output=True,
                text=True,
                check=False,
                cwd=ROOT,
            )
        )
        if proc.returncode != 0:
            raise RuntimeError(f"generation failed:\n{proc.stdout}\n{proc.stderr}")
        if i >= warmups:
            runs.append(seconds)
    specs = sorted(p.name for p in (ROOT / "specs").glob("*.yaml") if p.name != "generator.yaml")
    return {"specs": specs, "seconds": median(runs), "samples": runs}
