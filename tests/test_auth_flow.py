"""Token sources as httpx.Auth: the header, and one replay after a 401."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from provider_tokens._cache import RENEWAL_BACKOFF
from provider_tokens.testing import ManualClock

from cases import CASES, EXAMPLE, Case
from conftest import MockProvider


class _Api(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """A resource API answering ``statuses`` in turn (then 200), recording each request
    as it was sent. Unlike MockTransport, it does not read streamed bodies into memory,
    as a real transport would not either."""

    def __init__(self, statuses: list[int], seen: list[httpx.Request]) -> None:
        self.statuses, self.seen = statuses, seen

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        # Copy: the auth flow mutates the same request object for the replay.
        body = request.read() if isinstance(request.stream, httpx.ByteStream) else b"<stream>"
        self.seen.append(
            httpx.Request(request.method, request.url, headers=request.headers, content=body)
        )
        status = self.statuses.pop(0) if self.statuses else 200
        return httpx.Response(status, json={"ok": status == 200})

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self.handle_request(request)


def _api(statuses: list[int], seen: list[httpx.Request]) -> _Api:
    return _Api(statuses, seen)


def _tokens(*names: str) -> MockProvider:
    """The example provider, issuing the access tokens ``names`` in turn."""
    return MockProvider(*(EXAMPLE.success(token=n) for n in names))


def _carried(requests: list[httpx.Request]) -> list[str]:
    return [r.headers[EXAMPLE.header] for r in requests]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_every_request_carries_the_providers_header(case: Case) -> None:
    mock = MockProvider(case.success())
    source = case.make(http_client=mock.client())
    seen: list[httpx.Request] = []
    with httpx.Client(auth=source, transport=_api([], seen)) as api:
        api.get("https://api.example/a")
        api.get("https://api.example/b")
    token = source.token().access_token
    assert [r.headers[case.header] for r in seen] == [case.scheme + token] * 2
    assert len(mock.requests) == 1


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_async_requests_carry_the_header(case: Case) -> None:
    mock = MockProvider(case.success())
    source = case.make(async_http_client=mock.async_client())
    seen: list[httpx.Request] = []
    async with httpx.AsyncClient(auth=source, transport=_api([], seen)) as api:
        await api.get("https://api.example/a")
    assert seen[0].headers[case.header] == case.scheme + (await source.atoken()).access_token


def test_a_401_invalidates_and_replays_once_with_a_new_token() -> None:
    source = EXAMPLE.make(http_client=_tokens("old", "new").client())
    seen: list[httpx.Request] = []
    with httpx.Client(auth=source, transport=_api([401], seen)) as api:
        response = api.post("https://api.example/x", content=b"payload")
    assert response.status_code == 200
    assert _carried(seen) == [EXAMPLE.scheme + "old", EXAMPLE.scheme + "new"]
    assert [r.content for r in seen] == [b"payload", b"payload"]


def test_a_second_401_is_returned_not_replayed_again() -> None:
    source = EXAMPLE.make(http_client=_tokens("a", "b", "c").client())
    seen: list[httpx.Request] = []
    with httpx.Client(auth=source, transport=_api([401, 401, 401], seen)) as api:
        response = api.get("https://api.example/x")
    assert response.status_code == 401
    assert len(seen) == 2


async def test_async_401_replay() -> None:
    source = EXAMPLE.make(async_http_client=_tokens("old", "new").async_client())
    seen: list[httpx.Request] = []
    async with httpx.AsyncClient(auth=source, transport=_api([401], seen)) as api:
        response = await api.get("https://api.example/x")
    assert response.status_code == 200
    assert _carried(seen) == [EXAMPLE.scheme + "old", EXAMPLE.scheme + "new"]


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
async def test_an_api_that_always_answers_401_costs_one_renewal_per_backoff(
    asynchronous: bool,
) -> None:
    clock = ManualClock()
    tokens = _tokens(*(f"t{i}" for i in range(20)))
    source = EXAMPLE.make(
        http_client=tokens.client(), async_http_client=tokens.async_client(), clock=clock
    )
    seen: list[httpx.Request] = []
    api_transport = _api([401] * 100, seen)

    async def calls(n: int) -> list[int]:
        if asynchronous:
            async with httpx.AsyncClient(auth=source, transport=api_transport) as api:
                return [(await api.get("https://api.example/x")).status_code for _ in range(n)]
        with httpx.Client(auth=source, transport=api_transport) as api:
            return [api.get("https://api.example/x").status_code for _ in range(n)]

    assert await calls(10) == [401] * 10
    # The first token, and one renewal after the first 401; the renewed token's
    # own 401s are the API's answer, not a reason to fetch again.
    assert len(tokens.requests) == 2
    clock.advance(RENEWAL_BACKOFF + 1)
    assert await calls(3) == [401] * 3
    assert len(tokens.requests) == 3


def test_a_streamed_body_is_not_replayed() -> None:
    source = EXAMPLE.make(http_client=_tokens("old", "new").client())
    seen: list[httpx.Request] = []

    def body() -> Iterator[bytes]:
        yield b"once"

    with httpx.Client(auth=source, transport=_api([401], seen)) as api:
        response = api.post("https://api.example/x", content=body())
    assert response.status_code == 401
    assert len(seen) == 1


def test_the_token_request_ignores_auth_set_on_the_users_client() -> None:
    # Passing the very client that uses the source as its auth must not recurse:
    # token requests carry the client credentials, not a bearer token.
    mock = _tokens("t")
    shared = httpx.Client(transport=mock.client()._transport)
    source = EXAMPLE.make(http_client=shared)
    shared.auth = source
    assert source.token().access_token == "t"
    assert EXAMPLE.client  # the example's client authenticates with Basic
    assert mock.requests[0].headers["authorization"].startswith("Basic ")
