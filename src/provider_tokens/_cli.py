"""The ``provider-tokens`` command (also ``python -m provider_tokens``).

Exit codes (``EXIT_*`` below): 0 success; 2 usage or configuration error (a bad
flag, a missing credential, plain http to a non-loopback host without
``--allow-insecure-http``); 3 the token endpoint refused, rate-limited, failed or
answered with something unusable; 4 transport failure (DNS, connection refused,
timeout); 5 ``fake-server`` cannot serve (port in use, an address that is not this
machine's or does not resolve). Any other exit status (1) is a bug. Each failure is
one line on stderr. Credentials come only from environment variables; nothing
printed on failure holds a secret.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import math
import os
import re
import shlex
import socket
import sys
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

import httpx

from ._env import PROVIDERS, REQUIRED, VARIABLES
from ._exceptions import (
    ConfigurationError,
    MalformedResponseError,
    NoRefreshTokenError,
    RateLimitError,
    TokenEndpointError,
    TokenError,
    TransportError,
)
from ._http import _is_loopback as is_loopback
from ._registry import PROVIDERS as DECLARED
from ._registry import get as declared
from ._token import AccessToken

if TYPE_CHECKING:
    from ._source import TokenSource

EXIT_OK = 0  # the token was printed; the fake server was stopped with Ctrl-C
EXIT_USAGE = 2  # bad flags or environment, missing credentials, refused plain http
EXIT_REFUSED = 3  # the token endpoint answered with an error or something unusable
EXIT_TRANSPORT = 4  # no answer: DNS failure, connection refused or reset, timeout
EXIT_CANNOT_SERVE = 5  # fake-server: port in use, or an address it cannot listen on

# Set to 1 (or true/yes/on) for the effect of `token --allow-insecure-http`.
ALLOW_INSECURE_HTTP_ENV = "PROVIDER_TOKENS_ALLOW_INSECURE_HTTP"
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")
INSECURE_HINT = f"--allow-insecure-http (or {ALLOW_INSECURE_HTTP_ENV}=1)"

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
        "exit codes: 0 success, 2 usage or configuration error, 3 the token endpoint",
        "refused, rate-limited or failed, 4 transport failure (DNS, connection refused,",
        "timeout), 5 fake-server cannot serve (port in use, bad address)",
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
        "--allow-insecure-http",
        action="store_true",
        help="allow plain http to a host other than loopback (credentials travel "
        f"unencrypted); also {ALLOW_INSECURE_HTTP_ENV}=1",
    )
    token.add_argument(
        "--format",
        choices=("json", "header", "token"),
        default="json",
        help="json (default), an HTTP header line, or the bare token",
    )

    server = commands.add_parser(
        "fake-server",
        help="run the fake providers until interrupted",
        epilog="exit codes: 0 stopped with Ctrl-C, 2 usage error, 5 cannot serve "
        "(port in use, an address that is not this machine's)",
    )
    server.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; 0.0.0.0 or :: for every interface)",
    )
    server.add_argument("--port", type=_port, default=0, help="0 (default) picks a free port")

    commands.add_parser("demo", help="fetch a token from each fake provider and show them")
    return parser


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a number from 0 to 65535, not {text!r}")
    return port


def insecure_http_allowed(args: argparse.Namespace, env: Mapping[str, str]) -> bool:
    """``--allow-insecure-http``, or its environment variable set to a true value."""
    if getattr(args, "allow_insecure_http", False):
        return True
    value = env.get(ALLOW_INSECURE_HTTP_ENV, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise UsageError(f"{ALLOW_INSECURE_HTTP_ENV} must be 1 or 0, not {value!r}")


def _plain_http_host(base_url: str) -> str | None:
    """The host of a plain-http ``base_url`` that is not loopback, else ``None``."""
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL:
        return None  # the token source says what is wrong with it
    if url.scheme == "http" and url.host and not is_loopback(url.host):
        return url.host
    return None


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
    host = _plain_http_host(kwargs.get("base_url", ""))
    if host is not None:
        if not insecure_http_allowed(args, env):
            raise UsageError(
                f"refusing to send {provider} credentials over plain http to {host} "
                f"(not loopback); use https, or pass {INSECURE_HINT}"
            )
        kwargs["allow_insecure_http"] = True
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


def _seconds(value: float) -> str:
    return f"{math.ceil(value)} s"


def _endpoint_line(error: TokenEndpointError) -> str:
    status = error.status_code
    if status == 429 or isinstance(error, RateLimitError):
        wait = error.retry_after
        head = (
            f"rate limited; retry after {_seconds(wait)}"
            if wait is not None
            else "rate limited (no retry time given)"
        )
    elif 500 <= status <= 599:
        head = f"the provider failed ({status})"
        if error.retry_after is not None:
            head += f"; retry after {_seconds(error.retry_after)}"
    elif 400 <= status <= 499:
        head = "token endpoint refused"
    else:
        head = f"token endpoint answered {status}"
    parts = [
        f"provider={error.provider}",
        f"status={status}",
        f"error_code={error.error_code or '-'}",
        f"description={error.description or '-'}",
    ]
    return f"{head}: " + " ".join(parts)


_ERRNO = re.compile(r"^\[Errno -?\d+\]\s*")


def _reason(cause: BaseException) -> str:
    """What went wrong, from httpx's (already scrubbed) message: ``[Errno 111]
    Connection refused`` gives ``connection refused``."""
    text = _ERRNO.sub("", str(cause).strip()).strip()
    if not text:
        return type(cause).__name__
    if text.lower() == "connection refused":
        return "connection refused"
    return text


def _transport_line(error: TransportError, target: str | None) -> str:
    cause = error.__cause__
    if not isinstance(cause, httpx.HTTPError):
        return str(error)  # the HTTP client could not send at all: it says why
    where = target or "the token endpoint"
    if isinstance(cause, httpx.ConnectTimeout):
        line = f"cannot connect to {where}: timed out"
    elif isinstance(cause, httpx.TimeoutException):
        line = f"no answer from {where}: timed out ({type(cause).__name__})"
    elif isinstance(cause, httpx.ConnectError):
        line = f"cannot connect to {where}: {_reason(cause)}"
    else:
        line = f"connection to {where} failed: {_reason(cause)}"
    return f"{error.provider}: {line}"


def target_of(base_url: str) -> str | None:
    """``host`` or ``host:port`` of ``base_url``: never its user info, path or query."""
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL:
        return None
    if not url.host:
        return None
    host = f"[{url.host}]" if ":" in url.host else url.host
    return host if url.port is None else f"{host}:{url.port}"


def describe(error: TokenError, target: str | None = None) -> str:
    """One line about a failure, from the error's own redacted fields and notes;
    ``target`` (``host:port``, see ``target_of``) names where a transport failed."""
    if isinstance(error, TokenEndpointError):
        line = _endpoint_line(error)
    elif isinstance(error, TransportError):
        line = _transport_line(error, target)
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
    target: str | None = None
    try:
        kwargs = source_kwargs(provider, args, env)
        source = _make(provider, kwargs)
        target = target_of(source.base_url)
        if kwargs.get("allow_insecure_http"):
            print(
                f"provider-tokens: warning: sending {provider} credentials over plain http "
                f"to {target}",
                file=err,
            )
        with source:
            token = source.token()
    except UsageError as exc:
        print(f"provider-tokens: {exc}", file=err)
        return EXIT_USAGE
    except TokenError as exc:
        print(f"provider-tokens: {describe(exc, target)}", file=err)
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


_WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1"}  # noqa: S104 (matched, not bound)


def _origin(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _outward_address(family: socket.AddressFamily) -> str | None:
    """This machine's address on the interface of its default route, if it has one.

    A UDP ``connect`` only picks a route and a source address; nothing is sent.
    """
    probe = ("192.0.2.1", 9) if family == socket.AF_INET else ("2001:db8::1", 9)
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.connect(probe)
            address = str(sock.getsockname()[0])
    except OSError:
        return None
    return None if is_loopback(address) else address


def _cannot_serve(host: str, port: int, exc: OSError) -> str:
    where = f"{host}:{port}" if port else host
    if isinstance(exc, socket.gaierror):
        why = f"cannot resolve {host!r}: {_reason(exc)}"
    elif exc.errno == errno.EADDRINUSE:
        why = "address already in use; pick another --port, or 0 for a free one"
    elif exc.errno == errno.EADDRNOTAVAIL:
        why = f"{host} is not an address of this machine; try 127.0.0.1 or 0.0.0.0"
    elif exc.errno == errno.EACCES:
        why = f"not permitted to listen on port {port}; use a port above 1023, or 0"
    else:
        why = _reason(exc)
    return f"provider-tokens: cannot serve on {where}: {why}"


def serve_fakes(
    host: str, port: int, out: TextIO, err: TextIO, stop: threading.Event | None = None
) -> int:
    """``fake-server``: serve the fakes until interrupted (or ``stop`` is set), after
    printing ``export`` lines whose base URLs the ``token`` command accepts as they are."""
    from .testing import FakeProviders

    fake = FakeProviders(host=host, port=port)
    try:
        fake.start()
    except OSError as exc:  # also socket.gaierror: a host that does not resolve
        print(_cannot_serve(host, port, exc), file=err)
        return EXIT_CANNOT_SERVE
    except (UnicodeError, ValueError) as exc:  # a host the resolver cannot even encode
        print(f"provider-tokens: cannot serve on {host}: {exc}", file=err)
        return EXIT_CANNOT_SERVE
    try:
        listening = fake.origin
        bound = str(httpx.URL(listening).host)
        notes: list[str] = []
        origin = listening
        if bound in _WILDCARDS:
            bound_port = httpx.URL(listening).port or 0
            origin = _origin(_WILDCARDS[bound], bound_port)
            family = socket.AF_INET6 if ":" in bound else socket.AF_INET
            outward = _outward_address(family)
            elsewhere = (
                f"from other machines use {_origin(outward, bound_port)}"
                if outward
                else "from other machines use this machine's address"
            )
            notes.append(
                f"# listening on every interface ({listening}); {elsewhere}, and run "
                f"`provider-tokens token` there with {INSECURE_HINT}"
            )
        elif not is_loopback(bound):
            notes.append(
                f"# not loopback: run `provider-tokens token` with {INSECURE_HINT} "
                "(plain http, credentials unencrypted)"
            )
        print(f"# fake providers on {origin} (Ctrl-C to stop)", file=out)
        for line in notes:
            print(line, file=out)
        for name, value in fake.environment().items():
            shown = origin + value[len(listening) :] if value.startswith(listening) else value
            print(f"export {name}={shlex.quote(shown)}", file=out)
        out.flush()
        with contextlib.suppress(KeyboardInterrupt):
            (stop or threading.Event()).wait()
    finally:
        fake.stop()
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "token":
        return run_token(args, os.environ, sys.stdout, sys.stderr)
    if args.command == "fake-server":
        return serve_fakes(args.host, args.port, sys.stdout, sys.stderr)
    from ._demo import run_demo

    return run_demo(sys.stdout)
