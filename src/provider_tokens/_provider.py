"""``Provider``: what the SDK knows about one provider, declared once as a value.

Each provider's package (``provider_tokens._providers.<name>``) declares one
``PROVIDER = Provider(...)``; ``_registry`` lists them. The namespace and its lazy
loading, the environment variables, the command, the demo, the fakes, the error
codes and redaction all read these values instead of naming providers. A
declaration is plain data: loading one never imports the generated client, so
``import provider_tokens`` stays cheap.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs

from ._exceptions import ConfigurationError, TokenEndpointError

if TYPE_CHECKING:
    from ._source import TokenSource

__all__ = ["Provider"]


def _strings(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


def _codes(
    value: Mapping[str, type[TokenEndpointError]],
) -> Mapping[str, type[TokenEndpointError]]:
    return MappingProxyType({k.lower(): v for k, v in value.items()})


def _names(value: Iterable[str]) -> frozenset[str]:
    return frozenset(v.lower() for v in value)


@attrs.frozen
class Provider:
    """One provider, as the rest of the SDK sees it.

    ``name`` is everything's key: the spec ``specs/<name>.yaml``, the generated
    package ``provider_tokens.<name>``, the source module
    ``provider_tokens._providers.<name>._source`` (holding the class ``source``), the
    fake endpoint ``provider_tokens.testing._endpoints.<name>`` and the fake's URL
    prefix ``/<name>``.
    """

    name: str
    #: Human name, for help texts and tables.
    title: str
    #: The token source class in the provider's ``_source`` module.
    source: str
    #: Environment name to token server base URL; the first is the default.
    servers: Mapping[str, str] = attrs.field(converter=_strings)
    #: Constructor keyword to the environment variable the command reads it from.
    variables: Mapping[str, str] = attrs.field(converter=_strings)
    #: The keywords in ``variables`` without which there is no source.
    required: tuple[str, ...]
    #: The token endpoint's path in the spec (below the base URL).
    token_path: str
    #: Whether the source takes a ``scope`` (the command's ``--scope``).
    scoped: bool = False
    #: Access token lifetime (seconds) the fake issues by default.
    fake_lifetime: int = 3600
    #: Keyword arguments of a source registered with the fake, ``base_url`` aside.
    test_credentials: Mapping[str, str] = attrs.field(factory=dict, converter=_strings)
    #: The provider's own error codes (lower-case) that the OAuth ones do not cover.
    error_codes: Mapping[str, type[TokenEndpointError]] = attrs.field(
        factory=dict, converter=_codes
    )
    #: Response body members that carry a secret, beyond the OAuth ones.
    sensitive_fields: frozenset[str] = attrs.field(factory=frozenset, converter=_names)

    def __attrs_post_init__(self) -> None:
        unknown = [key for key in self.required if key not in self.variables]
        if unknown:
            raise ConfigurationError(
                f"{self.name}: required keys without a variable: {unknown}", provider=self.name
            )

    @property
    def environments(self) -> tuple[str, ...]:
        """The environments the provider's constructor accepts, default first."""
        return tuple(self.servers)

    @property
    def source_module(self) -> str:
        return f"provider_tokens._providers.{self.name}._source"

    def source_class(self) -> type[TokenSource]:
        """The token source class; importing it loads the generated client."""
        cls: type[TokenSource] = getattr(importlib.import_module(self.source_module), self.source)
        return cls

    @property
    def endpoint_module(self) -> str:
        return f"provider_tokens.testing._endpoints.{self.name}"

    def server(self, environment: str | None, base_url: str | None) -> str:
        """``base_url`` if given, else the server for ``environment`` (the default if None).

        An empty ``base_url`` counts as not given, as an empty environment variable does.
        """
        if base_url:
            return base_url
        if environment is None:
            return next(iter(self.servers.values()))
        try:
            return self.servers[environment]
        except KeyError:
            known = ", ".join(repr(e) for e in self.servers)
            raise ConfigurationError(
                f"{self.name}: unknown environment {environment!r}; expected one of {known}",
                provider=self.name,
            ) from None
