"""pytest plugin: the ``fake_providers`` fixture, for your own test suites.

Registered as the ``pytest11`` entry point ``provider_tokens``, so it is loaded in
every pytest run where provider-tokens is installed; that is why this module
imports nothing heavy at import time (the fakes load when the fixture is used).
Without the entry point: ``pytest -p provider_tokens.testing.pytest_plugin``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ._fake import FakeProviders


@pytest.fixture
def fake_providers() -> Iterator[FakeProviders]:
    """Started ``FakeProviders`` on a free loopback port, stopped after the test.

    >>> def test_token(fake_providers):
    ...     from provider_tokens import MoneyKit
    ...     with MoneyKit(**fake_providers.credentials("moneykit")) as source:
    ...         assert source.token().access_token
    """
    from ._fake import FakeProviders

    with FakeProviders() as fake:
        yield fake
