"""``python -m provider_tokens``: the provider-tokens command."""

from ._cli import main

raise SystemExit(main())
