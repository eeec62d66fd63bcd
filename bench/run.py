"""``make bench``: provider-tokens against raw httpx, Authlib and httpx-auth, side by side.

Runs the seven measurements in one process on this machine, prints the configuration
and Markdown tables to stdout, and writes every sample to ``bench/results/latest.json``.
Absolute timings drift between runs and machines; the ratios are what to compare, and
both sides of each ratio come from the same round of the same run.

    python -m bench                 # everything (a few minutes on 2 cores)
    python -m bench --quick         # small numbers, to try the runner itself
    python -m bench --only 1,2,4    # some items only
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import contenders as c
from bench import items
from bench.harness import ROOT, Servers, machine

RESULTS = ROOT / "bench" / "results" / "latest.json"
DASH = "\u2013"  # en dash, for empty cells and ranges
TIMES = "\u00d7"
COMMAND = "make bench"


@dataclass
class Config:
    # Hot path: requests per slice, slices per round, warm-up rounds, measured rounds.
    hot_sync: tuple[int, int, int, int] = (50, 10, 2, 20)
    hot_async: tuple[int, int, int, int] = (200, 3, 1, 10)
    hot_concurrency: int = 100
    inproc_sync: tuple[int, int, int, int] = (100, 10, 2, 20)
    inproc_async: tuple[int, int, int, int] = (200, 5, 2, 20)
    cold_threads: int = 100
    cold_tasks: int = 1000
    cold_endpoint_delay: float = 0.05
    cold_warmups: int = 1
    cold_repetitions: int = 5  # a median of 3 moved by one slow trial (a GC pass)
    fetch_per_round: int = 100
    fetch_warmups: int = 1
    fetch_repetitions: int = 7
    fleet_processes: int = 8
    fleet_callers: int = 25
    fleet_endpoint_delay: float = 0.3
    fleet_warmups: int = 1
    fleet_repetitions: int = 5
    import_warmups: int = 2
    import_repetitions: int = 15
    generate_warmups: int = 1
    generate_repetitions: int = 3

    def plan(self, name: str) -> items.HotPlan:
        per_slice, slices, warmups, repetitions = getattr(self, name)
        tasks = self.hot_concurrency if name.endswith("async") else 1
        return items.HotPlan(per_slice, slices, warmups, repetitions, tasks)

    @classmethod
    def quick(cls) -> Config:
        return cls(
            hot_sync=(50, 4, 1, 5),
            hot_async=(200, 2, 1, 3),
            inproc_sync=(100, 4, 1, 5),
            inproc_async=(200, 2, 1, 5),
            cold_warmups=0,
            cold_repetitions=1,
            cold_endpoint_delay=0.02,
            fetch_per_round=20,
            fetch_warmups=1,
            fetch_repetitions=3,
            fleet_warmups=0,
            fleet_repetitions=1,
            import_warmups=1,
            import_repetitions=5,
            generate_warmups=0,
            generate_repetitions=1,
        )


def redis_version() -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        return "not installed"
    out = subprocess.run(  # noqa: S603 - redis-server from PATH, fixed arguments
        [binary, "--version"], capture_output=True, text=True, check=False
    )
    for word in out.stdout.split():
        if word.startswith("v="):
            return word[2:]
    return out.stdout.strip()


def environment_notes() -> list[str]:
    notes = []
    if importlib.util.find_spec("sniffio") is None:
        notes.append(
            "sniffio is not installed, so httpcore's current_async_library() retries "
            "`import sniffio` (a failed import, a sys.path scan) on each of its async lock "
            "operations, about 13 per AsyncClient request: part of every async figure here"
        )
    return notes


# -- Markdown --------------------------------------------------------------------------------


def _n(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _summary(results: dict[str, Any]) -> list[str]:
    cfg = results["config"]
    out: list[str] = []
    rows: list[list[str]] = []
    hs, ha = results.get("hot_sync"), results.get("hot_async")
    for label, hot in (
        ("1 | hot path, `httpx.Client(auth=source)`, token cached (req/s)", hs),
        (
            f"1 | hot path, `httpx.AsyncClient(auth=source)`, {cfg['hot_concurrency']} tasks "
            "(req/s)",
            ha,
        ),
    ):
        if hot is None:
            continue
        ratio = hot["ratio_to_fixed"][c.OURS]
        rows.append(
            [
                *label.split(" | "),
                _n(hot["throughput"][c.OURS]),
                "fixed `Authorization` header",
                _n(hot["throughput"][c.FIXED]),
                _ratio_cell(ratio, hot["ratio_to_fixed_p25_p75"][c.OURS]),
                "≥ 0.97",
                _met(ratio >= 0.97),
            ]
        )
    for kind, hot in (("Client", hs), ("AsyncClient", ha)):
        if hot is None:
            continue
        for peer, what in (
            (c.AUTHLIB, "Authlib `OAuth2Client`" if hot is hs else "Authlib `AsyncOAuth2Client`"),
            (c.HTTPX_AUTH, "httpx-auth `OAuth2ClientCredentials`"),
        ):
            ratio = hot["ours_to_peer"][peer]
            rows.append(
                [
                    "2",
                    f"same workload, `{kind}` (req/s)",
                    _n(hot["throughput"][c.OURS]),
                    what,
                    _n(hot["throughput"][peer]),
                    _ratio_cell(ratio, hot["ours_to_peer_p25_p75"][peer]),
                    "≥ 1.0",
                    _met(ratio >= 1.0),
                ]
            )
    rows += _cold_rows(results)
    if "single_fetch" in results:
        sf = results["single_fetch"]
        for how, ours, theirs, latency, ratio in (
            ("`token()`", c.OURS, items.RAW_POST, sf["latency_ms"], sf["ratio"]),
            (
                "`await atoken()`",
                items.ASYNC_OURS,
                items.RAW_APOST,
                sf["async_latency_ms"],
                sf["async_ratio"],
            ),
        ):
            rows.append(
                [
                    "4",
                    f"one token fetch, empty cache, {how} (ms)",
                    _n(latency[ours], 3),
                    f"raw `{theirs.removeprefix('raw ')}`, same form",
                    _n(latency[theirs], 3),
                    f"{ratio:.3f}",
                    "≤ 1.05",
                    _met(ratio <= 1.05),
                ]
            )
    rows += _fleet_rows(results)
    if "imports" in results:
        im = results["imports"]
        for key, target in (("import provider_tokens", 1.3), (items.USER_IMPORT, 1.2)):
            for what, unit, ratios in (
                ("wall time (ms)", "wall_ms", im["ratio_wall"]),
                ("peak memory (MiB)", "peak_rss_mib", im["ratio_memory"]),
            ):
                rows.append(
                    [
                        "6",
                        f'`python -c "{key}"`, {what}',
                        _n(im[unit][key], 1),
                        '`python -c "import httpx"`',
                        _n(im[unit]["import httpx"], 1),
                        f"{ratios[key]:.3f}",
                        f"≤ {target}",
                        _met(ratios[key] <= target),
                    ]
                )
    if "regeneration" in results:
        rg = results["regeneration"]
        rows.append(
            [
                "7",
                f"`make generate`, {len(rg['specs'])} specs (s)",
                _n(rg["seconds"], 2),
                DASH,
                DASH,
                DASH,
                DASH,
                DASH,
            ]
        )
    out.append(
        _table(
            [
                "#",
                "measurement",
                "provider-tokens",
                "compared with",
                "theirs",
                "ratio ours / theirs (p25\u2013p75)",
                "target",
                "met",
            ],
            rows,
        )
    )
    return out


def _cold_rows(results: dict[str, Any]) -> list[list[str]]:
    """Item 3's targets: the source with its own client has every caller served within
    10 ms of the endpoint's latency, and stalls its loop at most 2 ms more than the
    fixed-header floor does."""
    if "cold_start" not in results:
        return []
    cs = results["cold_start"]
    ours, floor = cs["contenders"][c.OURS], cs["contenders"][c.FIXED]
    delay_ms = 1e3 * cs["endpoint_delay"]
    rows = []
    for mode, callers in (("threads", cs["threads"]), ("asyncio", cs["tasks"])):
        seconds = ours[f"{mode}_seconds"]
        unit = "threads" if mode == "threads" else "tasks"
        rows.append(
            [
                "3",
                f"cold start, {callers} {unit}, own client: time until all have a token (ms)",
                _n(1e3 * seconds, 1),
                "the endpoint's latency",
                _n(delay_ms, 0),
                f"{1e3 * seconds - delay_ms:+.1f} ms",
                "≤ +10 ms",
                _met(1e3 * seconds - delay_ms <= 10),
            ]
        )
    least = cs["contenders"].get(items.LEAST)
    if least is not None:
        for mode, callers in (("threads", cs["threads"]), ("asyncio", cs["tasks"])):
            unit = "threads" if mode == "threads" else "tasks"
            theirs = least[f"{mode}_seconds"]
            rows.append(
                [
                    "3",
                    f"the same, {callers} {unit}: over the least a token layer can do (ms)",
                    _n(1e3 * ours[f"{mode}_seconds"], 1),
                    "one shared raw POST",
                    _n(1e3 * theirs, 1),
                    f"{1e3 * (ours[f'{mode}_seconds'] - theirs):+.1f} ms",
                    DASH,
                    DASH,
                ]
            )
    stall, floor_stall = ours["asyncio_longest_loop_stall"], floor["asyncio_longest_loop_stall"]
    rows.append(
        [
            "3",
            f"cold start, {cs['tasks']} tasks: longest event-loop stall (ms)",
            _n(1e3 * stall, 1),
            "fixed header, same tasks",
            _n(1e3 * floor_stall, 1),
            f"{1e3 * (stall - floor_stall):+.1f} ms",
            "≤ +2 ms",
            _met(stall - floor_stall <= 0.002),
        ]
    )
    return rows


def _fleet_rows(results: dict[str, Any]) -> list[list[str]]:
    """Item 5's targets: every process has its token within 1.2 times the endpoint's
    latency, with exactly one token request."""
    if "fleet" not in results:
        return []
    fl = results["fleet"]
    delay = fl["endpoint_delay"]
    rows = []
    for name, row in fl["stores"].items():
        # MemoryStore is one process's: a fleet on it fetches once per process.
        if "skipped" in row or name.startswith("MemoryStore"):
            continue
        ratio = row["seconds"] / delay
        one = row["token_requests_range"] == [1, 1]
        rows.append(
            [
                "5",
                f"fleet, `{name}`: every process has its token (ms; token requests)",
                f"{_n(1e3 * row['seconds'], 0)} ({_n(row['token_requests'])})",
                "the endpoint's latency",
                _n(1e3 * delay, 0),
                f"{ratio:.2f}",
                "≤ 1.2, 1 request",
                _met(ratio <= 1.2 and one),
            ]
        )
    return rows


def _ratio_cell(value: float, spread: list[float]) -> str:
    return f"{value:.3f} ({spread[0]:.2f}{DASH}{spread[1]:.2f})"


def _hot_detail_table(hs: dict[str, Any] | None, ha: dict[str, Any] | None) -> str:
    rows: list[list[str]] = []
    for name in (c.FIXED, c.OURS, c.AUTHLIB, c.HTTPX_AUTH):
        row = [name]
        for hot in (hs, ha):
            if hot is None:
                row += [DASH] * 4
                continue
            overhead = hot["overhead_us_vs_fixed"].get(name)
            if name == c.OURS:
                ratio = _ratio_cell(
                    hot["ratio_to_fixed"][c.OURS], hot["ratio_to_fixed_p25_p75"][c.OURS]
                )
                ratio += " of fixed"
            elif name == c.FIXED:
                ratio = DASH
            else:
                ratio = _ratio_cell(hot["ours_to_peer"][name], hot["ours_to_peer_p25_p75"][name])
            row += [
                _n(hot["throughput"][name]),
                _n(hot["us_per_request"][name], 1),
                DASH if overhead is None else f"{overhead:+.1f}",
                ratio,
            ]
        rows.append(row)
    return _table(
        [
            "client",
            "sync req/s",
            "sync µs/req",
            "sync µs over fixed",
            "sync: ours / client",
            "async req/s",
            "async µs/req",
            "async µs over fixed",
            "async: ours / client",
        ],
        rows,
    )


def _hot_detail(results: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for title, sync_key, async_key in (
        (
            "1, 2 · Hot path per client, loopback servers (medians; µs over fixed and "
            "ratios per round, with their 25th\u201375th percentiles):",
            "hot_sync",
            "hot_async",
        ),
        (
            "1, 2 · The same through an in-process transport (`httpx.MockTransport`: no "
            "sockets, no connection pool), which leaves the clients' own per-request work:",
            "inproc_sync",
            "inproc_async",
        ),
    ):
        hs, ha = results.get(sync_key), results.get(async_key)
        if hs is not None or ha is not None:
            out += ["", title, "", _hot_detail_table(hs, ha)]
    return out


def _cold_table(results: dict[str, Any]) -> list[str]:
    out: list[str] = []
    if "cold_start" in results:
        cs = results["cold_start"]
        cold_rows = []
        for name, row in cs["contenders"].items():

            def requests(mode: str, r: dict[str, Any] = row) -> str:
                low, high = r[f"{mode}_token_requests_range"]
                median = _n(r[f"{mode}_token_requests"])
                return median if low == high else f"{median} ({low}{DASH}{high})"

            cold_rows.append(
                [
                    name,
                    requests("threads"),
                    _n(1e3 * row["threads_seconds"], 1),
                    requests("asyncio"),
                    _n(1e3 * row["asyncio_seconds"], 1),
                    _n(1e3 * row["asyncio_longest_loop_stall"], 1),
                ]
            )
        out += [
            "",
            f"3 · Cold start: {cs['threads']} threads, then {cs['tasks']} asyncio tasks, asking "
            f"for a token at once on an empty cache; the token endpoint answers after "
            f"{1e3 * cs['endpoint_delay']:.0f} ms (medians):",
            "",
            _table(
                [
                    "client",
                    f"{cs['threads']} threads: token requests",
                    "time until all have one (ms)",
                    f"{cs['tasks']} tasks: token requests",
                    "time until all have one (ms)",
                    "longest event-loop stall (ms)",
                ],
                cold_rows,
            ),
        ]
    return out


def _fleet_table(results: dict[str, Any]) -> list[str]:
    out: list[str] = []
    if "fleet" in results:
        fl = results["fleet"]
        fleet_rows = []
        for name, row in fl["stores"].items():
            if "skipped" in row:
                fleet_rows.append([f"`{name}`", row["skipped"], DASH])
                continue
            low, high = row["token_requests_range"]
            count = _n(row["token_requests"])
            fleet_rows.append(
                [
                    f"`{name}`",
                    count if low == high else f"{count} ({low}{DASH}{high})",
                    _n(1e3 * row["seconds"], 0),
                ]
            )
        out += [
            "",
            f"5 · Fleet: {fl['processes']} processes {TIMES} {fl['callers_per_process']} threads "
            "or asyncio tasks, "
            f"cold store, token endpoint answering after {1e3 * fl['endpoint_delay']:.0f} ms "
            "(medians):",
            "",
            _table(
                ["store", "token requests", "time until every process has its token (ms)"],
                fleet_rows,
            ),
        ]
    return out


def _import_table(results: dict[str, Any]) -> list[str]:
    out: list[str] = []
    if "imports" in results:
        im = results["imports"]
        import_rows = [
            [
                f'`python -c "{name}"`',
                _n(im["wall_ms"][name], 1),
                _n(im["peak_rss_mib"][name], 1),
                f"{im['ratio_wall'][name]:.3f}" if name in im["ratio_wall"] else DASH,
                f"{im['ratio_memory'][name]:.3f}" if name in im["ratio_memory"] else DASH,
            ]
            for name in im["wall_ms"]
        ]
        out += [
            "",
            "6 · Import cost, one fresh interpreter per run (medians):",
            "",
            _table(
                ["command", "wall (ms)", "peak RSS (MiB)", "wall / httpx", "memory / httpx"],
                import_rows,
            ),
        ]
    return out


def render(results: dict[str, Any]) -> str:
    out: list[str] = []
    for part in (_summary, _hot_detail, _cold_table, _fleet_table, _import_table):
        out += part(results)
    return "\n".join(out)


def render_config(results: dict[str, Any]) -> str:
    m = results["machine"]
    cfg = results["config"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items())
    plans = "; ".join(
        f"{label}: {p['per_slice']} GETs per slice"
        + (f" from {p['tasks']} tasks at once" if p["tasks"] > 1 else "")
        + f", {p['slices']} slices per round, {p['warmups']} warm-up + {p['repetitions']} rounds"
        for label, key in (
            ("loopback sync", "hot_sync"),
            ("loopback async", "hot_async"),
            ("in-process sync", "inproc_sync"),
            ("in-process async", "inproc_async"),
        )
        if key in results
        for p in [results[key]["plan"]]
    )
    lines = [
        f"provider-tokens benchmarks, {results['date']}:",
        "",
        f"- machine: {m['cores']} cores ({m['cpu']}), {m['platform']}, "
        f"{m['implementation']} {m['python']}",
        f"- versions: {versions}, redis-server {results['redis_server']}",
        f"- command: `{results['command']}` ({results['duration_s']:.0f} s)",
        "- servers: one separate process (`bench/bench_server.py`) runs the fake providers "
        "(`provider_tokens.testing.FakeProviders`, loopback `ThreadingHTTPServer`: the "
        "MoneyKit token endpoint, Basic credentials, 201) and the resource API the GETs hit "
        "(`bench/bench_resource.py`, asyncio, answers 200 only with a Bearer token; every "
        "status is checked); token requests are counted by the fake",
        "- hot path (1, 2): every client has its token before the clock starts. A round "
        "is a number of slices; a slice runs every client for a few requests, in an order "
        "rotated from slice to slice (the CPU speed of this VM drifts within seconds); a "
        "client's figure for a round is its requests over its time in that round; warm-up "
        "rounds are discarded; figures are medians over rounds, ratios the median of "
        f"per-round ratios. {plans}. All clients with httpx's defaults (limits, timeouts)",
        f"- cold start (3): {cfg['cold_threads']} threads behind a barrier, then "
        f"{cfg['cold_tasks']} tasks in one `gather`, fresh client state, a reset fake and "
        f"`gc.collect()` before each trial, token endpoint delayed "
        f"{cfg['cold_endpoint_delay']} s; "
        f"{cfg['cold_warmups']} warm-up trial(s) discarded, median of "
        f"{cfg['cold_repetitions']}",
        f"- one fetch (4): `invalidate()` then `token()` vs `httpx.Client.post` + `.json()` "
        f"of the same form, headers and Basic credentials on a warm keep-alive client, "
        f"alternating, then the same with `ainvalidate()`/`atoken()` and "
        f"`httpx.AsyncClient.post`; {cfg['fetch_per_round']} of each per round, "
        f"{cfg['fetch_warmups']} warm-up round(s), {cfg['fetch_repetitions']} rounds",
        f"- fleet (5): {cfg['fleet_processes']} processes {TIMES} {cfg['fleet_callers']} threads, "
        "then as many asyncio tasks (`tests/stores/fleet_worker.py`), token endpoint delayed "
        f"{cfg['fleet_endpoint_delay']} s so that all ask at once; "
        f"{cfg['fleet_warmups']} warm-up, {cfg['fleet_repetitions']} measured per store",
        f"- imports (6): {cfg['import_warmups']} warm-up rounds, {cfg['import_repetitions']} "
        "rounds; each command runs once for its wall time (spawn to exit) and once more to "
        "read its peak RSS (VmHWM from /proc/self/status at exit); from bytecode, as "
        "installed code runs (a private `PYTHONPYCACHEPREFIX`, written by the warm-ups)",
        f"- regeneration (7): `scripts/generate.py`'s `generate_into` (what `make generate` "
        f"runs) into a temporary directory, so `generated/` is never rewritten; "
        f"{cfg['generate_warmups']} warm-up, {cfg['generate_repetitions']} runs",
    ]
    lines += [f"- note: {note}" for note in results["notes"]]
    return "\n".join(lines)


# -- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small numbers, for a trial run")
    parser.add_argument("--only", default="1,2,3,4,5,6,7", help="comma-separated item numbers")
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the results")
    args = parser.parse_args(argv)
    only = {int(x) for x in args.only.split(",") if x.strip()}
    config = Config.quick() if args.quick else Config()
    command = COMMAND if not (args.quick or argv) else "python -m bench " + " ".join(argv or [])

    started = time.perf_counter()
    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": command,
        "machine": machine(),
        "redis_server": redis_version(),
        "config": asdict(config),
    }
    steps: list[tuple[int, str, Callable[[Servers], Any]]] = [
        (1, "hot_sync", lambda s: items.hot_path_sync(s, config.plan("hot_sync"))),
        (1, "hot_async", lambda s: items.hot_path_async(s, config.plan("hot_async"))),
        (
            1,
            "inproc_sync",
            lambda s: items.hot_path_sync(s, config.plan("inproc_sync"), in_process=True),
        ),
        (
            1,
            "inproc_async",
            lambda s: items.hot_path_async(s, config.plan("inproc_async"), in_process=True),
        ),
        (
            3,
            "cold_start",
            lambda s: items.cold_start(
                s,
                threads=config.cold_threads,
                tasks=config.cold_tasks,
                delay=config.cold_endpoint_delay,
                warmups=config.cold_warmups,
                repetitions=config.cold_repetitions,
            ),
        ),
        (
            4,
            "single_fetch",
            lambda s: items.single_fetch(
                s, config.fetch_per_round, config.fetch_warmups, config.fetch_repetitions
            ),
        ),
        (
            5,
            "fleet",
            lambda s: items.fleet(
                s,
                processes=config.fleet_processes,
                callers=config.fleet_callers,
                delay=config.fleet_endpoint_delay,
                warmups=config.fleet_warmups,
                repetitions=config.fleet_repetitions,
            ),
        ),
    ]
    with Servers() as servers:
        for number, key, step in steps:
            # Items 1 and 2 share their runs: the peers run in the same rounds.
            if number in only or (number == 1 and 2 in only):
                print(f"# running {key} ...", file=sys.stderr, flush=True)
                results[key] = step(servers)
    if 6 in only:
        print("# running imports ...", file=sys.stderr, flush=True)
        results["imports"] = items.import_cost(config.import_warmups, config.import_repetitions)
    if 7 in only:
        print("# running regeneration ...", file=sys.stderr, flush=True)
        results["regeneration"] = items.regeneration(
            config.generate_warmups, config.generate_repetitions
        )
    results["duration_s"] = time.perf_counter() - started
    results["notes"] = [*c.IMPORT_NOTES, *environment_notes()]

    text = render_config(results) + "\n\n" + render(results)
    print(text)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({**results, "markdown": text}, indent=2) + "\n")
    print(f"\n(results written to {args.json})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
