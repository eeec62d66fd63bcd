"""Standard modules that importing a token source does not need, loaded on first use.

``asyncio`` costs ``from provider_tokens import MoneyKit`` about a tenth of what
``import httpx`` does, yet sync code never touches it. Modules that use it write::

    if TYPE_CHECKING:
        import asyncio
    else:
        from ._lazy import asyncio

and the module loads at the first ``asyncio.<name>`` lookup. Every lookup is then
forwarded to the module itself, found in ``sys.modules``, so that what is patched
there (``unittest.mock.patch("asyncio.sleep")``) is what the SDK sees. Forwarding
happens in ``__getattribute__`` (some 0.3 µs a lookup): a ``__getattr__`` would only
run after the module's own lookup had failed, and building that ``AttributeError``
costs six times as much, on every ``asyncio.get_running_loop()`` of the async path.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

_own = types.ModuleType.__getattribute__


class LazyModule(types.ModuleType):
    """Stands for the module of its name, which loads at the first attribute looked up."""

    def __getattribute__(self, name: str) -> Any:
        # The stand-in's own attributes first: its ``__name__`` and ``__dict__``, and
        # what ``mock.patch.object`` sets on it.
        own = _own(self, "__dict__")
        if name in own:
            return own[name]
        if name == "__dict__":
            return own
        module = sys.modules.get(own["__name__"])
        if module is None:
            if name.startswith("__"):  # introspection of the stand-in: nothing to load
                return _own(self, name)
            module = importlib.import_module(own["__name__"])
        return getattr(module, name)


asyncio = LazyModule("asyncio")
