"""``TokenSource`` itself: what a subclass must declare."""

from __future__ import annotations

import pytest

from provider_tokens import TokenSource


def test_a_source_without_a_provider_says_so() -> None:
    class Orphan(TokenSource):
        pass

    with pytest.raises(TypeError, match="Orphan declares no provider"):
        Orphan(base_url="https://x.example")
