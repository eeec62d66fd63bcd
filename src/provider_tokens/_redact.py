"""Redaction of credentials and tokens in reprs, error bodies and logs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ._registry import PROVIDERS

REDACTED = "<redacted>"

# Body members that carry a secret in OAuth bodies, plus those each provider
# declares (``Provider.sensitive_fields``), compared lower-cased. (An authorization
# `code` only travels in requests, which are never logged; in responses `code` is
# an error code.)
_OAUTH_SENSITIVE = {
    "access_token",
    "client_secret",
    "id_token",
    "password",
    "refresh_token",
    "token",
}
SENSITIVE_FIELDS = frozenset(
    _OAUTH_SENSITIVE.union(*(p.sensitive_fields for p in PROVIDERS.values()))
)


def is_sensitive_field(name: str) -> bool:
    return name.replace("-", "_").lower() in SENSITIVE_FIELDS


def redact(value: Any) -> Any:
    """A copy of a parsed JSON value with every sensitive member replaced."""
    if isinstance(value, Mapping):
        return {k: REDACTED if is_sensitive_field(str(k)) else redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


class RedactedMapping(Mapping[str, Any]):
    """A read-only view of a response body whose repr hides sensitive members.

    Item access returns the real values (``token.raw["id_token"]`` works); only
    ``repr``/``str`` are redacted, so printing a token never prints a secret.
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self._data = dict(data or {})

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return repr(redact(self._data))

    __str__ = __repr__
