"""The ``provider-tokens`` command (also ``python -m provider_tokens``).

Exit codes: 0 success; 2 usage error or missing credentials; 3 the token endpoint
refused (or answered with something unusable); 4 transport failure. Credentials
come only from environment variables; nothing printed on failure holds a secret.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from ._env import PROVIDERS, REQUIRED, VARIABLES
from ._exceptions import (
    ConfigurationError,
    MalformedResponseError,
    NoRefreshTokenError,
    TokenEndpointError,
    TokenError,
    TransportError,
)
from ._registry import PROVIDERS as DECLARED
from ._registry import get as declared
from ._token import AccessToken

if TYPE_CHECKING:
    from ._source import TokenSource

EXIT_OK, EXIT_USAGE, EXIT_REFUSED, EXIT_TRANSPORT = 0, 2, 3, 4

SCOPED = tuple(name for name, p in DECLARED.items() if p.scoped)


class UsageError(Exception):
    """A mistake on the command line or in the environment: exit 2."""


def _epilog() -> str:
    lines = ["credentials are read from the environment, never from the command line:"]
    for provider in PROVIDERS:
        required = REQUIRED[provider]
        names = [
            VARIABLES[provider][key] + ("" if key in required else " (optional)")
            for key in VARIABLES[provider]
        ]
        lines.append(f"  {provider:12} {', '.join(names)}")
    lines += [
        "",
        "exit codes: 0 success, 2 usage or missing credentials, "
        "3 the token endpoint refused, 4 transport failure",
    ]
    return "\n".join(lines)


def _titles() -> str:
    titles = [p.title for p in DECLARED.values()]
    return ", ".join(titles[:-1]) + " and " + titles[-1] if len(titles) > 1 else "".join(titles)


def _environments() -> str:
    names = dict.fromkeys(e for p in DECLARED.values() for e in p.environments)
    return ", ".join(names)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="provider-tokens",
        description="Access tokens for " + _titles() + ".",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    token = commands.add_parser(
        "token",
        help="fetch a token and print it",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    token.add_argument("provider", choices=PROVIDERS, metavar="PROVIDER", help=", ".join(PROVIDERS))
    token.add_argument("--scope", help=f"scope to request ({', '.join(SCOPED)})")
    token.add_argument("--environment", help=f"{_environments()} (as the provider has them)")
    token.add_argument("--base-url", help="token server base URL (overrides the environment)")
    token.add_argument(
        "--format",
        choices=("json", "header", "token"),
        default="json",
        help="json (default), an HTTP header line, or the bare token",
    )

    server = commands.add_parser("fake-server", help="run the fake providers until interrupted")
    server.add_argument("--host", default="127.0.0.1")
    server.add_argument("--port", type=int, default=0, help="0 picks a free port")

    commands.add_parser("demo", help="fetch a token from each fake provider and show them")
    return parser


def source_kwargs(
    provider: str, args: argparse.Namespace, env: Mapping[str, str]
) -> dict[str, Any]:
    """Constructor arguments for ``provider`` from the environment and the flags."""
    missing = [
        VARIABLES[provider][key]
        for key in REQUIRED[provider]
        if not env.get(VARIABLES[provider][key])
    ]
    if missing:
        raise UsageError(f"missing environment variable(s) for {provider}: {', '.join(missing)}")
    kwargs: dict[str, Any] = {
        key: env[var] for key, var in VARIABLES[provider].items() if env.get(var)
    }
    if args.base_url:
        kwargs["base_url"] = args.base_url
    if args.environment:
        allowed = declared(provider).environments
        if args.environment not in allowed:
            raise UsageError(f"--environment for {provider} must be one of: {', '.join(allowed)}")
        if len(allowed) > 1:  # a provider with one server takes no environment
            kwargs["environment"] = args.environment
    if args.scope:
        if provider not in SCOPED:
            raise UsageError(f"--scope applies to {' and '.join(SCOPED)} only")
        kwargs["scope"] = args.scope
    return kwargs


def _make(provider: str, kwargs: dict[str, Any]) -> TokenSource:
    return declared(provider).source_class()(**kwargs)


def render(provider: str, token: AccessToken, fmt: str, header: str) -> str:
    if fmt == "token":
        return token.access_token
    if fmt == "header":
        value = token.access_token if header != "Authorization" else f"Bearer {token.access_token}"
        return f"{header}: {value}"
    remaining = token.expires_in()
    return json.dumps(
        {
            "provider": provider,
            "access_token": token.access_token,
            "token_type": token.token_type,
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
            "expires_in": round(remaining) if remaining is not None else None,
            "scope": token.scope,
            "refresh_token": token.refresh_token,
        },
        indent=2,
    )


def describe(error: TokenError) -> str:
    """One line about a failure, from the error's own redacted fields and notes."""
    if isinstance(error, TokenEndpointError):
        parts = [
            f"provider={error.provider}",
            f"status={error.status_code}",
            f"error_code={error.error_code or '-'}",
            f"description={error.description or '-'}",
        ]
        line = "token endpoint refused: " + " ".join(parts)
    else:
        line = str(error)
    return "; ".join([line, *getattr(error, "__notes__", ())])


def exit_code(error: TokenError) -> int:
    if isinstance(error, TokenEndpointError | MalformedResponseError):
        return EXIT_REFUSED
    if isinstance(error, TransportError):
        return EXIT_TRANSPORT
    if isinstance(error, NoRefreshTokenError | ConfigurationError):
        return EXIT_USAGE
    return EXIT_REFUSED


def run_token(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    provider: str = args.provider
    try:
        source = _make(provider, source_kwargs(provider, args, env))
        with source:
            token = source.token()
    except UsageError as exc:
        print(f"provider-tokens: {exc}", file=err)
        return EXIT_USAGE
    except TokenError as exc:
        print(f"provider-tokens: {describe(exc)}", file=err)
        return exit_code(exc)
    print(render(provider, token, args.format, source.auth_header), file=out)
    old_refresh = env.get(VARIABLES[provider].get("refresh_token", ""), "")
    if (
        token.refresh_token
        and old_refresh
        and token.refresh_token != old_refresh
        and args.format != "json"
    ):
        # The refresh token rotated (GMO Aozora): the one in the environment is spent.
        print(f"export {VARIABLES[provider]['refresh_token']}={token.refresh_token}", file=err)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "token":
        return run_token(args, os.environ, sys.stdout, sys.stderr)
    from ._demo import run_demo, run_fake_server

    if args.command == "fake-server":
        return run_fake_server(args.host, args.port, sys.stdout)
    return run_demo(sys.stdout)
