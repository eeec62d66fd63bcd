"""LazyModule: a standard module imported at its first attribute lookup, then plain."""

from __future__ import annotations

import subprocess
import sys


def test_the_module_loads_at_the_first_lookup_and_its_names_are_its_own() -> None:
    probe = """
import sys
from provider_tokens._lazy import LazyModule
lazy = LazyModule("decimal")
before = "decimal" in sys.modules
value = lazy.Decimal("1.5")
import decimal
print(before, "decimal" in sys.modules, lazy.Decimal is decimal.Decimal,
      "Decimal" in vars(lazy), type(value) is decimal.Decimal)
"""
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["False", "True", "True", "True", "True"]
