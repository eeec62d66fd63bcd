"""The benchmark's servers, in a process of their own (so no GIL is shared with the client).

* the fake providers (``provider_tokens.testing.FakeProviders``, its loopback
  ``ThreadingHTTPServer``): the token endpoints;
* the resource API of ``bench_resource`` (asyncio): what the authenticated GETs hit;
* a control channel on stdin/stdout, one JSON line per command, so that the runner
  can count the token requests that reached the fake, inject delays and reset it.

Run as ``python -m bench.bench_server`` from the project root. The first line out
is ``{"fake": ORIGIN, "resource": URL}``; then, per command line in::

    count PROVIDER            -> {"count": N}
    delay PROVIDER SECONDS    -> {"ok": true}   (every answer held back that long)
    clear                     -> {"ok": true}   (faults cleared)
    reset                     -> {"ok": true}   (requests, faults and issued tokens forgotten)

EOF on stdin stops everything.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading

from bench.bench_resource import serve
from provider_tokens.testing import FakeProviders, Fault


def _control(fake: FakeProviders, loop: asyncio.AbstractEventLoop, done: asyncio.Event) -> None:
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        command, args = words[0], words[1:]
        reply: dict[str, object]
        try:
            if command == "count":
                reply = {"count": len(fake.requests(args[0]))}
            elif command == "delay":
                fake.inject(args[0], Fault.delay(float(args[1])), times=None)
                reply = {"ok": True}
            elif command == "clear":
                fake.clear_faults()
                reply = {"ok": True}
            elif command == "reset":
                fake.reset()
                reply = {"ok": True}
            else:
                reply = {"error": f"unknown command {command!r}"}
        except Exception as exc:  # reported to the runner, which fails loudly
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(reply), flush=True)
    loop.call_soon_threadsafe(done.set)


async def _main() -> None:
    with FakeProviders() as fake:
        resource = await serve()
        port = resource.sockets[0].getsockname()[1]
        print(json.dumps({"fake": fake.origin, "resource": f"http://127.0.0.1:{port}"}), flush=True)
        done = asyncio.Event()
        loop = asyncio.get_running_loop()
        threading.Thread(target=_control, args=(fake, loop, done), daemon=True).start()
        await done.wait()
        resource.close()


if __name__ == "__main__":
    asyncio.run(_main())
