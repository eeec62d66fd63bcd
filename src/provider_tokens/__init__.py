"""provider-tokens: access tokens for GMO-PG, GMO Aozora, MoneyKit, SMS.CX and Melio."""

from __future__ import annotations

import importlib
from types import ModuleType

# The generated clients, one per provider. They load on first use so that
# `import provider_tokens` stays cheap.
_GENERATED = frozenset({"gmo_aozora", "gmo_payment", "melio", "moneykit", "smscx"})

__all__: list[str] = []


def __getattr__(name: str) -> ModuleType:
    if name in _GENERATED:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_GENERATED})
