"""Every documented error of every provider maps to its typed error.

The errors are each provider's own (``Case.errors`` in ``case_<name>.py``); a
provider's other error quirks are tested in its own module.
"""

from __future__ import annotations

import pytest

from provider_tokens import TokenEndpointError
from provider_tokens.testing import ManualClock

from cases import CASES, SECRET, Case, DocumentedError
from conftest import MockProvider, reply

ERRORS = [(case, error) for case in CASES for error in case.errors]


@pytest.mark.parametrize(
    ("case", "documented"), ERRORS, ids=[f"{case}-{error}" for case, error in ERRORS]
)
def test_documented_error_maps_to_its_class(
    case: Case, documented: DocumentedError, clock: ManualClock
) -> None:
    provider, status, code = case.name, documented.status, documented.code
    headers = {"content_type": documented.content_type} if documented.content_type else {}
    mock = MockProvider(reply(status, dict(documented.body), x_request_id="req-42", **headers))
    source = case.make(http_client=mock.client(), clock=clock, max_retries=0)

    with pytest.raises(TokenEndpointError) as caught:
        source.token()

    error = caught.value
    assert type(error) is documented.error
    assert (error.provider, error.status_code, error.error_code) == (provider, status, code)
    assert error.description == f"detail of {code}"
    assert error.request_id == "req-42"
    assert str(error) == f"{provider}: token endpoint answered {status} {code}: detail of {code}"
    assert SECRET not in repr(error)
    assert SECRET not in str(error.body)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_every_provider_documents_its_errors(case: Case) -> None:
    assert case.errors
