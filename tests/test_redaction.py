"""No secret or token in reprs, errors or log records (the full canary is issue-wide)."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from provider_tokens import TokenError
from provider_tokens.testing import ManualClock

from cases import CASES, SECRET, Case
from conftest import MockProvider, reply

ACCESS = "access-CANARY-7f3a"
REFRESH = "refresh-CANARY-9b1c"


def _success(case: Case) -> dict[str, Any]:
    body: dict[str, Any] = case.success().json()
    members = case.members(body)
    members[case.fields["access_token"]] = ACCESS
    if case.fields.get("refresh_token") in members:
        members[case.fields["refresh_token"]] = REFRESH
    return body


@pytest.mark.parametrize("case", CASES, ids=str)
def test_secrets_stay_out_of_reprs_errors_and_logs(
    case: Case, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="provider_tokens")
    success = case.success()
    # A request that may have reached the provider is not always sent again (a refresh
    # may have spent its refresh token): then fail before sending.
    first = reply(503, {"x": 1}) if case.retries_sent_requests else httpx.ConnectError("refused")
    mock = MockProvider(
        first,
        reply(success.status_code, _success(case), content_type=success.headers["content-type"]),
        reply(401, {"access_token": ACCESS, "client_secret": SECRET}),
    )
    source = case.make(http_client=mock.client(), clock=clock)

    token = source.token()
    source.invalidate()
    with pytest.raises(TokenError) as caught:
        source.token()

    assert token.access_token == ACCESS
    texts = [repr(source), str(source), repr(token), str(token), repr(token.raw)]
    texts += [str(caught.value), repr(caught.value), repr(caught.value.__dict__)]
    texts += [record.getMessage() for record in caplog.records]
    assert len(caplog.records) >= 2  # attempts and the retry were logged
    for text in texts:
        for canary in (SECRET, ACCESS, REFRESH):
            assert canary not in text
