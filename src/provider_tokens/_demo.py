"""``provider-tokens demo`` and ``provider-tokens fake-server``: the fakes, put to use."""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from ._token import AccessToken


def _short(token: str) -> str:
    # Enough to tell tokens apart on screen, not enough to use one.
    return f"{token[:6]}…{token[-4:]}" if len(token) > 12 else "…"


def _expiry(token: AccessToken) -> str:
    if token.expires_at is None:
        return "unknown"
    remaining = token.expires_in() or 0.0
    return f"{token.expires_at:%Y-%m-%d %H:%M:%SZ} (in {dt.timedelta(seconds=round(remaining))})"


def table(rows: list[tuple[str, AccessToken]]) -> str:
    header = ("provider", "token type", "expires", "scope", "token")
    lines = [
        (name, t.token_type, _expiry(t), t.scope or "-", _short(t.access_token)) for name, t in rows
    ]
    widths = [max(len(str(row[i])) for row in [header, *lines]) for i in range(len(header))]

    def fmt(row: tuple[str, ...]) -> str:
        return "  ".join(
            cell.ljust(width) for cell, width in zip(row, widths, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(header), rule, *(fmt(line) for line in lines)])


def run_demo(out: TextIO) -> int:
    """Fetch a token from each fake provider through the public token sources."""
    from ._registry import NAMES
    from .testing import FakeProviders
    from .testing._fake import demo_rows

    rows: list[tuple[str, AccessToken]] = []
    with FakeProviders() as fake:
        print(f"fake providers on {fake.origin}", file=out)
        for name in NAMES:
            # Each fake endpoint knows its provider's story (a code flow, say).
            rows += demo_rows(fake, name, out)
    print(file=out)
    print(table(rows), file=out)
    return 0
