"""LazyModule: a standard module imported at its first attribute lookup, then forwarded."""

from __future__ import annotations

import subprocess
import sys


def test_the_module_loads_at_the_first_lookup_and_patches_reach_it() -> None:
    probe = """
import sys
from unittest import mock
from provider_tokens._lazy import LazyModule
lazy = LazyModule("decimal")
before = "decimal" in sys.modules
value = lazy.Decimal("1.5")
import decimal
with mock.patch("decimal.Decimal", "patched"):
    patched = lazy.Decimal == "patched"
print(before, "decimal" in sys.modules, lazy.Decimal is decimal.Decimal,
      patched, type(value) is decimal.Decimal)
"""
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["False", "True", "True", "True", "True"]


def test_introspecting_the_stand_in_loads_nothing() -> None:
    probe = """
import sys
from provider_tokens._lazy import LazyModule
lazy = LazyModule("decimal")
print(lazy.__name__, repr(lazy).startswith("<module 'decimal'"), "decimal" in sys.modules)
"""
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["decimal", "True", "False"]


def test_patching_the_stand_in_itself_works_and_leaves_nothing_behind() -> None:
    probe = """
from unittest import mock
from provider_tokens._lazy import LazyModule
lazy = LazyModule("decimal")
real = lazy.Decimal
with mock.patch.object(lazy, "Decimal", "patched"):
    during = lazy.Decimal
print(during, lazy.Decimal is real, "Decimal" in vars(lazy))
"""
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["patched", "True", "False"]
