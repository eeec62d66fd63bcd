"""The environment variables that hold each provider's credentials.

The CLI reads credentials only from these (never from argv, where they would
show in ``ps`` and shell history); the fake server prints them as ``export`` lines.
Each provider declares its own (``Provider.variables`` and ``.required``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ._registry import NAMES
from ._registry import PROVIDERS as _DECLARED

__all__ = ["PROVIDERS", "REQUIRED", "VARIABLES"]

# Provider names, in the order help texts list them.
PROVIDERS: tuple[str, ...] = NAMES
# provider -> constructor keyword -> variable. Keys in REQUIRED must be set.
VARIABLES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {name: p.variables for name, p in _DECLARED.items()}
)
REQUIRED: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {name: p.required for name, p in _DECLARED.items()}
)
