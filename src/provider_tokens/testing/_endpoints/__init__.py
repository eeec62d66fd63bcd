"""The fake providers, one module each (``<name>.py``, declaring ``ENDPOINT``), on a
shared base (``_base.Endpoint``). Which ones exist comes from the registry."""

from __future__ import annotations

import importlib

from ..._provider import Provider
from ..._registry import PROVIDERS
from .._ledger import Ledger
from ._base import CodeFlowEndpoint, Endpoint

__all__ = ["CodeFlowEndpoint", "Endpoint", "build", "endpoint_class"]


def endpoint_class(provider: str | Provider) -> type[Endpoint]:
    """The fake endpoint class of ``provider`` (its module's ``ENDPOINT``); an
    ``ImportError`` if the module is missing or declares no such class."""
    declared = PROVIDERS[provider] if isinstance(provider, str) else provider
    module = importlib.import_module(declared.endpoint_module)
    cls = getattr(module, "ENDPOINT", None)
    if not (isinstance(cls, type) and issubclass(cls, Endpoint)) or cls.name != declared.name:
        raise ImportError(f"{module.__name__} must set ENDPOINT to its Endpoint class")
    return cls


def build(ledger: Ledger) -> dict[str, Endpoint]:
    """One endpoint per provider, keyed by provider name, sharing ``ledger``."""
    return {name: endpoint_class(name)(ledger) for name in PROVIDERS}
