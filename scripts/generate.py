"""Regenerate every provider client in generated/ from its spec, or check for drift.

    python scripts/generate.py            # rewrite generated/ (make generate)
    python scripts/generate.py --check    # regenerate elsewhere, fail on any difference

Each spec ``specs/<name>.yaml`` becomes the package ``generated/<name>/``, produced by
the pinned openapi-python-client with ``--meta none --fail-on-warning`` into a fresh
directory (never ``--overwrite``: it leaves stale files behind, generator.md trap 8).
``generated/MANIFEST.json`` records the generator and ruff versions and each spec's
sha256, so a spec edited without regeneration is caught even before the diff.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
CONFIG = SPECS / "generator.yaml"
GENERATED = ROOT / "generated"
MANIFEST = "MANIFEST.json"
GENERATOR_VERSION = "0.29.1"
RUFF_VERSION = "0.17.6"


def spec_paths() -> list[Path]:
    return sorted(p for p in SPECS.glob("*.yaml") if p != CONFIG)


def _tool_env() -> dict[str, str]:
    # The post-hooks call `ruff` by name: the venv's bin/ must come first on PATH,
    # or a different (or missing) ruff silently changes the output.
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def _version(cmd: list[str]) -> str:
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=_tool_env())
    return out.stdout.strip().split()[-1]


def check_tool_versions() -> None:
    found = {
        "openapi-python-client": _version(["openapi-python-client", "--version"]),
        "ruff": _version(["ruff", "--version"]),
    }
    wanted = {"openapi-python-client": GENERATOR_VERSION, "ruff": RUFF_VERSION}
    wrong = {k: v for k, v in found.items() if v != wanted[k]}
    if wrong:
        sys.exit(f"generate: pinned tool versions required {wanted}, found {found}")


def generate_one(spec: Path, out_root: Path) -> None:
    target = out_root / spec.stem
    shutil.rmtree(target, ignore_errors=True)
    result = subprocess.run(
        [
            "openapi-python-client",
            "generate",
            "--path",
            str(spec),
            "--config",
            str(CONFIG),
            "--meta",
            "none",
            "--output-path",
            str(target),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        env=_tool_env(),
        cwd=out_root,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{spec.name}: generation failed\n{result.stdout}\n{result.stderr}")


def manifest() -> str:
    data = {
        "generator": f"openapi-python-client=={GENERATOR_VERSION}",
        "ruff": f"ruff=={RUFF_VERSION}",
        "specs": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in spec_paths()},
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def generate_into(out_root: Path) -> None:
    check_tool_versions()
    specs = spec_paths()
    # One process per spec; each run is mostly interpreter start-up.
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(specs)) as pool:
        for future in [pool.submit(generate_one, s, out_root) for s in specs]:
            future.result()
    (out_root / MANIFEST).write_text(manifest())


def _files(root: Path) -> dict[Path, bytes]:
    return {
        p.relative_to(root): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def diff_trees(committed: Path, fresh: Path) -> list[str]:
    """Files that differ between the two trees, or exist on one side only."""
    old, new = _files(committed), _files(fresh)
    problems = [f"differs: {p}" for p in sorted(old.keys() & new.keys()) if old[p] != new[p]]
    problems += [f"not produced by the specs: {p}" for p in sorted(old.keys() - new.keys())]
    problems += [f"missing: {p}" for p in sorted(new.keys() - old.keys())]
    return problems


def check() -> int:
    with tempfile.TemporaryDirectory(prefix="provider-tokens-gen-") as tmp:
        fresh = Path(tmp)
        generate_into(fresh)
        problems = diff_trees(GENERATED, fresh)
    if problems:
        print("generated/ is out of date with specs/ (or was edited by hand):", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        print("Run `make generate` and commit the result.", file=sys.stderr)
        return 1
    print(f"generated/ is up to date with {len(spec_paths())} specs")
    return 0


def regenerate() -> int:
    # Build the new tree beside the old one, then swap, so a failed run leaves
    # generated/ untouched.
    staging = Path(tempfile.mkdtemp(prefix=".generated-", dir=ROOT))
    try:
        generate_into(staging)
        shutil.rmtree(GENERATED, ignore_errors=True)
        staging.rename(GENERATED)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    print(f"regenerated {len(spec_paths())} packages into {GENERATED.relative_to(ROOT)}/")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if generated/ is stale")
    args = parser.parse_args()
    try:
        return check() if args.check else regenerate()
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
