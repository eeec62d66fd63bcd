"""Validate every provider spec against the OpenAPI 3.1 schema."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

SPECS = Path(__file__).resolve().parent.parent / "specs"


def main() -> int:
    failed = 0
    specs = sorted(p for p in SPECS.glob("*.yaml") if p.name != "generator.yaml")
    for spec in specs:
        try:
            validate(yaml.safe_load(spec.read_text(encoding="utf-8")))
        except OpenAPIValidationError as exc:
            failed += 1
            print(f"{spec.name}: INVALID: {exc.message}", file=sys.stderr)
        else:
            print(f"{spec.name}: valid OpenAPI 3.1")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
