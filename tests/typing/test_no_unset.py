"""No generated ``Unset`` in the hand-written public API (signatures, fields, returns).

Generated models returned as they are (``MoneyKit.introspect()``'s
``AppClientResponse``) keep their spec's optional fields; this guards what we write.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator
from typing import Any

import pytest

import provider_tokens
import provider_tokens.testing


def _public(module: Any) -> Iterator[tuple[str, Any]]:
    for name in module.__all__:
        yield f"{module.__name__}.{name}", getattr(module, name)


def _annotations(name: str, obj: Any) -> Iterator[tuple[str, str]]:
    if inspect.isclass(obj):
        for klass in obj.__mro__:
            if (getattr(klass, "__module__", None) or "").startswith("provider_tokens"):
                for field, hint in vars(klass).get("__annotations__", {}).items():
                    yield f"{name}.{field}", str(hint)
        for attr, member in inspect.getmembers(obj):
            if attr.startswith("_") and attr != "__init__":
                continue
            target = member.fget if isinstance(member, property) else member
            module = getattr(target, "__module__", None) or ""
            if callable(target) and module.startswith("provider_tokens"):
                yield from _annotations(f"{name}.{attr}", target)
    elif callable(obj):
        with contextlib.suppress(TypeError, ValueError):  # builtins without one
            yield name, str(inspect.signature(obj))


@pytest.mark.parametrize(
    ("name", "obj"),
    [*_public(provider_tokens), *_public(provider_tokens.testing)],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_no_unset_in_public_annotations(name: str, obj: Any) -> None:
    leaks = [where for where, text in _annotations(name, obj) if "Unset" in text]
    assert leaks == []


def test_the_check_sees_signatures() -> None:
    seen = dict(_annotations("MoneyKit", provider_tokens.MoneyKit))
    assert "AppClientResponse" in seen["MoneyKit.introspect"]
    assert "AuthenticatedClient" in seen["MoneyKit.api_client"]
