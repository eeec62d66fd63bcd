"""The one request-handling core behind both servings.

It routes ``/<provider>/<spec path>`` to that provider's endpoint, records the
request, fires the next injected fault, and answers, all under one lock: the
ledger and the per-provider state change atomically (two concurrent refreshes
with one rotating refresh token cannot both win), and nothing slow happens under
the lock, because delays and drops are carried out by the serving afterwards.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable

import httpx

from .._env import PROVIDERS
from ._credentials import check_provider
from ._endpoints import CodeFlowEndpoint, Endpoint, build
from ._faults import Fault
from ._ledger import Ledger
from ._wire import FakeRequest, RecordedRequest, Reply


class _Pending:
    """An injected fault and how many more requests it answers (``None``: until cleared)."""

    def __init__(self, fault: Fault, times: int | None) -> None:
        self.fault = fault
        self.remaining = times


class Core:
    def __init__(self, *, clock: Callable[[], float], lifetime: int | None) -> None:
        self.lock = threading.Lock()
        self.ledger = Ledger(clock, lifetime)
        self.endpoints: dict[str, Endpoint] = build(self.ledger)
        # The one provider whose grants come from a user's consent.
        self.code_flow = next(e for e in self.endpoints.values() if isinstance(e, CodeFlowEndpoint))
        self._records: list[RecordedRequest] = []
        self._faults: dict[str, collections.deque[_Pending]] = {
            p: collections.deque() for p in PROVIDERS
        }

    def handle(
        self, method: str, path: str, query: str, headers: httpx.Headers, body: bytes
    ) -> Reply:
        """Answer one request; ``path`` is the full path, ``/<provider>/...``."""
        provider, _, rest = path.lstrip("/").partition("/")
        endpoint = self.endpoints.get(provider)
        if endpoint is None:
            known = ", ".join(f"/{p}" for p in PROVIDERS)
            message = f"no fake provider at {path}; providers live under {known}\n"
            return Reply(404, (("Content-Type", "text/plain"),), message.encode())
        request = FakeRequest.build(method, "/" + rest, query, headers, body)
        with self.lock:
            fault = self._next_fault(provider)
            self._records.append(
                RecordedRequest(
                    provider=provider,
                    method=request.method,
                    path=request.path,
                    query=request.query,
                    headers=headers,
                    form=request.form,
                    body=body,
                    time=self.ledger.clock(),
                    fault=fault,
                )
            )
            return endpoint.answer(request, fault)

    def _next_fault(self, provider: str) -> Fault | None:
        queue = self._faults[provider]
        if not queue:
            return None
        pending = queue[0]
        if pending.remaining is not None:
            pending.remaining -= 1
            if pending.remaining <= 0:
                queue.popleft()
        return pending.fault

    # -- control, for FakeProviders ---------------------------------------------------

    def inject(self, provider: str, fault: Fault, times: int | None) -> None:
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for 'until cleared'")
        with self.lock:
            self._faults[check_provider(provider)].append(_Pending(fault, times))

    def clear_faults(self, provider: str | None) -> None:
        with self.lock:
            for name in PROVIDERS if provider is None else (check_provider(provider),):
                self._faults[name].clear()

    def records(self, provider: str | None) -> list[RecordedRequest]:
        with self.lock:
            if provider is None:
                return list(self._records)
            check_provider(provider)
            return [r for r in self._records if r.provider == provider]

    def reset(self) -> None:
        with self.lock:
            self._records.clear()
            for queue in self._faults.values():
                queue.clear()
            self.ledger.clear()
            for endpoint in self.endpoints.values():
                endpoint.reset()
