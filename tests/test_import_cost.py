"""What ``from provider_tokens import MoneyKit`` leaves unloaded (module presence, not time).

The class is cheap to import: its generated client and models load with the first
``MoneyKit(...)``, introspection's and the JWKS's operations with their first call,
and the webhook checks (PyJWT) with the first webhook. Each check runs in a fresh
interpreter, so that nothing another test imported counts.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Loaded by none of: the class, the token path, the command line's imports.
NEVER = [
    "dateutil",
    "jwt",
    "provider_tokens._cli",
    "provider_tokens._demo",
    "provider_tokens.stores._redis",
    "provider_tokens.stores._redis_clients",
    "provider_tokens.testing",
    "redis",
]

# Loaded on first use, not with the class.
DEFERRED = [
    "asyncio",  # by the first async call (provider_tokens._lazy)
    "ctypes",  # FileStore's waiting
    "provider_tokens.stores._file",
    "provider_tokens._jws",
    "provider_tokens._keyset",
    "provider_tokens._providers.moneykit._webhooks",
    "provider_tokens._providers.moneykit._wire",
    "provider_tokens.moneykit",
    "provider_tokens.moneykit.api.access_token.create_access_token",
    "provider_tokens.moneykit.api.access_token.get_well_known_jwks",
    "provider_tokens.moneykit.api.access_token.instrospect_client",
    "provider_tokens.moneykit.client",
    "provider_tokens.moneykit.models",
]

# Loaded by a source, and only by its first introspection or JWKS request.
ON_FIRST_CALL = [
    "provider_tokens.moneykit.api.access_token.get_well_known_jwks",
    "provider_tokens.moneykit.api.access_token.instrospect_client",
    "provider_tokens._providers.moneykit._webhooks",
]


def _loaded(code: str, names: list[str]) -> list[str]:
    """The modules of ``names`` in ``sys.modules`` after ``code``, in a fresh interpreter."""
    probe = (
        f"{code}\nimport json, sys\nprint(json.dumps([n for n in {names!r} if n in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize(
    "code",
    ["from provider_tokens import MoneyKit", "import provider_tokens; provider_tokens.MoneyKit"],
)
def test_importing_the_class_loads_none_of_the_deferred_modules(code: str) -> None:
    assert _loaded(code, NEVER + DEFERRED) == []


def test_a_source_loads_its_token_operation_but_not_the_rarer_ones() -> None:
    code = (
        "from provider_tokens import MoneyKit\n"
        "MoneyKit(client_id='id', client_secret='secret', base_url='https://mk.example').close()"
    )
    loaded = _loaded(code, NEVER + DEFERRED)
    assert "provider_tokens.moneykit.api.access_token.create_access_token" in loaded
    assert [name for name in loaded if name in NEVER + ON_FIRST_CALL] == []


def test_the_rarer_operations_load_on_first_use() -> None:
    # The webhook checks load with the first webhook, whether or not PyJWT is installed.
    code = (
        "from provider_tokens import MoneyKit\n"
        "source = MoneyKit(client_id='id', client_secret='secret', base_url='https://mk.example')\n"
        "try:\n"
        "    source.verify_webhook(b'{}', '')\n"
        "except Exception:\n"
        "    pass\n"
        "source.close()"
    )
    loaded = _loaded(code, ON_FIRST_CALL)
    assert loaded == ["provider_tokens._providers.moneykit._webhooks"]


# What httpx's transports import when they are first built or first lock: the source
# imports them at construction instead of in its first token request.
TRANSPORTS = ["httpcore", "h11", "anyio._backends._asyncio"]
MAKE = "MoneyKit(client_id='id', client_secret='secret', base_url='https://mk.example')"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (f"from provider_tokens import MoneyKit\n{MAKE}", ["httpcore", "h11"]),
        (f"import asyncio\nfrom provider_tokens import MoneyKit\n{MAKE}", TRANSPORTS),
        ("from provider_tokens import MoneyKit", []),
    ],
    ids=["sync program", "program that imported asyncio", "the class alone"],
)
def test_a_source_with_clients_of_its_own_loads_the_transports_when_made(
    code: str, expected: list[str]
) -> None:
    assert _loaded(code, TRANSPORTS) == expected
