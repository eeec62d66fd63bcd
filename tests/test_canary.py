"""The canary: no secret, API key, access token or refresh token ever shows.

Every source is driven against the fake providers through success, each kind of
error, retries and the 401 replay, with logging at DEBUG; then every log record,
exception message and repr, every repr of what the public API returned, and the
command's output on failure are searched for the credentials and the tokens issued.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from provider_tokens import RetryPolicy, TokenError, TokenSource
from provider_tokens._cli import main
from provider_tokens._env import VARIABLES
from provider_tokens._registry import NAMES
from provider_tokens.testing import CREDENTIALS, FakeProviders, Fault

from cases import BY_NAME, fake_source

WRONG = "CANARY-wrong-Secret:+/=%é"
FAULTS = [
    Fault.html(502),
    Fault.truncated_json(200),
    Fault.wrong_types(200),
    Fault.empty(200),
    Fault.redirect("https://elsewhere.example/?token=x"),
    Fault.drop(),
    Fault.status(429, retry_after="1"),
]


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeProviders]:
    with FakeProviders(serve=False) as providers:
        yield providers


class Seen:
    """Everything that was shown, and every secret that must not be in it."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.secrets: set[str] = {WRONG}

    def show(self, *objects: object) -> None:
        for obj in objects:
            self.texts += [repr(obj), str(obj)]
            if isinstance(obj, BaseException):
                self.texts.append(repr(vars(obj)))

    def keep(self, *values: str | None) -> None:
        self.secrets.update(v for v in values if v)


def _source(fake: FakeProviders, provider: str, **overrides: Any) -> TokenSource:
    policy = RetryPolicy(initial_delay=0.0, jitter=lambda: 1.0, max_retry_after=0.5)
    return fake_source(fake, provider, **overrides, retry_policy=policy)


def _drive(fake: FakeProviders, provider: str, seen: Seen) -> None:
    case = BY_NAME[provider]
    source = _source(fake, provider)
    seen.keep(CREDENTIALS[provider][case.secret])
    seen.keep(getattr(source, "_refresh_token", None))  # the one it started with, if any

    if case.retries_sent_requests:  # a refresh, say, is never retried once sent
        fake.inject(provider, Fault.status(503))  # retried, then success
    token = source.token()
    seen.keep(token.access_token, token.refresh_token, token.raw.get("id_token"))
    seen.show(source, token, token.raw)

    # The 401 replay: the API refuses the first token.
    answers = [401, 200]

    def api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(answers.pop(0))

    with httpx.Client(auth=source, transport=httpx.MockTransport(api)) as client:
        seen.show(client.get("https://api.example/resource"))
    replayed = source.token()
    seen.keep(replayed.access_token, replayed.refresh_token)

    for fault in FAULTS:
        source.invalidate()
        fake.inject(provider, fault, times=None)
        with pytest.raises(TokenError) as caught:
            source.token()
        fake.clear_faults(provider)
        seen.show(caught.value)

    wrong = _source(fake, provider, **{case.secret: WRONG})
    with pytest.raises(TokenError) as refused:
        wrong.token()
    seen.show(wrong, refused.value)


@pytest.mark.parametrize("provider", NAMES)
def test_no_secret_anywhere(
    fake: FakeProviders,
    provider: str,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    seen = Seen()
    _drive(fake, provider, seen)

    # The command, failing with a wrong secret against a real fake server.
    with FakeProviders() as server:
        for name, value in server.environment(provider).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv(VARIABLES[provider][BY_NAME[provider].secret], WRONG)
        assert main(["token", provider]) == 3
    out, err = capsys.readouterr()
    seen.texts += [out, err]

    seen.texts += [r.getMessage() for r in caplog.records]
    seen.texts += [str(r.exc_info[1]) for r in caplog.records if r.exc_info]
    assert len(caplog.records) >= 10
    assert len(seen.secrets) >= 4
    leaks = {s for s in seen.secrets for text in seen.texts if s in text}
    assert leaks == set()
