"""Post-hook: put the "generated, do not edit" header on every .py file of a package.

    python3 "$PROVIDER_TOKENS_ROOT/scripts/add_generated_header.py" .

specs/generator.yaml runs this as its last post-hook, in the package that
openapi-python-client has just written (after ruff, so ruff never sees the header).
scripts/generate.py sets PROVIDER_TOKENS_ROOT and PROVIDER_TOKENS_SPEC (the spec the
package comes from, e.g. ``specs/moneykit.yaml``); the header text is
``generate.header()``. Standard library only.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# scripts/ is sys.path[0] when this file is run as a script.
from generate import SPEC_ENV, header


def add_header(package: Path, line: str) -> int:
    """Prefix every .py file under ``package`` with ``line``; return how many changed."""
    changed = 0
    first = line.encode("utf-8") + b"\n"
    for path in sorted(package.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        content = path.read_bytes()
        if content.startswith(first):
            continue
        path.write_bytes(first + content)
        changed += 1
    return changed


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: add_generated_header.py PACKAGE_DIR", file=sys.stderr)
        return 2
    package = Path(argv[0]).resolve()
    spec = os.environ.get(SPEC_ENV, "")
    problem = ""
    if not spec:
        problem = f"{SPEC_ENV} is not set; run scripts/generate.py"
    elif Path(spec).stem != package.name:
        # generate.py turns specs/<name>.yaml into <out>/<name>/: catch a mix-up.
        problem = f"{SPEC_ENV}={spec} does not match the package {package.name}/"
    if problem:
        print(f"add_generated_header: {problem}", file=sys.stderr)
        return 2
    add_header(package, header(spec))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
