"""Standard modules that importing a token source does not need, loaded on first use.

``asyncio`` costs ``from provider_tokens import MoneyKit`` about a tenth of what
``import httpx`` does, yet sync code never touches it. Modules that use it write::

    if TYPE_CHECKING:
        import asyncio
    else:
        from ._lazy import asyncio

and the module loads at the first ``asyncio.<name>`` lookup. Every lookup is then
forwarded to the module itself (a fraction of a microsecond), so that what is patched
there (``unittest.mock.patch("asyncio.sleep")``) is what the SDK sees.
"""

from __future__ import annotations

import importlib
import types
from typing import Any


class LazyModule(types.ModuleType):
    """Stands for the module of its name until a first attribute is looked up."""

    def __getattr__(self, name: str) -> Any:
        return getattr(importlib.import_module(self.__name__), name)


asyncio = LazyModule("asyncio")
