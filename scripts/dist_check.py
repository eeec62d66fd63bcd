"""Build the sdist, then the wheel from that sdist, check both, and smoke-test the wheel.

    python scripts/dist_check.py            # make dist-check (part of make test)
    python scripts/dist_check.py --keep     # keep the temporary directory, and say where

``python -m build`` builds the sdist and then the wheel from the unpacked sdist, exactly
as pip does from PyPI, so anything the sdist lacks is missing from the wheel too. Then:

- ``twine check --strict`` on both;
- the sdist holds ``generated/<provider>/`` for every registered provider and LICENSE;
- the wheel holds exactly ``src/provider_tokens/`` (without the provider symlinks) plus
  each ``generated/<provider>/`` as ``provider_tokens/<provider>/``, every file once;
- the wheel is installed into a fresh venv in a temporary directory (pip's cache is
  reused), with pytest as the dev extra pins it and no other dev tool, and
  ``tests/dist/smoke.py`` runs there with ``python -I -W error`` (it runs a user's
  pytest suite against the installed pytest plugin).

Run it with the project's venv (it needs ``build`` and ``twine``, pinned in the dev
extra). ``--root`` checks another checkout of the project with this script.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMOKE = Path(__file__).resolve().parent.parent / "tests" / "dist" / "smoke.py"
PACKAGE = "provider_tokens"
SKIPPED_DIRS = {"__pycache__"}


class CheckFailed(Exception):
    pass


def run(cmd: list[str], *, cwd: Path | None = None, show: bool = False) -> str:
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise CheckFailed(f"{' '.join(cmd)} failed ({result.returncode}):\n{output}")
    if show:
        print(result.stdout.rstrip())
    return output


def tree_files(directory: Path) -> set[str]:
    """Files under ``directory``, relative to it; symlinked directories are not entered."""
    found = set()
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = [d for d in dirnames if d not in SKIPPED_DIRS]
        for name in filenames:
            path = Path(dirpath, name)
            if path.suffix != ".pyc":
                found.add(path.relative_to(directory).as_posix())
    return found


def providers(root: Path) -> list[str]:
    """The generated packages: every ``generated/<name>/`` with an ``__init__.py``."""
    return sorted(p.parent.name for p in (root / "generated").glob("*/__init__.py"))


def expected_wheel_files(root: Path) -> set[str]:
    src = root / "src" / PACKAGE
    expected = {f"{PACKAGE}/{f}" for f in tree_files(src)}
    for name in providers(root):
        if not (src / name).is_symlink():
            raise CheckFailed(f"src/{PACKAGE}/{name} should be a symlink to generated/{name}")
        expected |= {f"{PACKAGE}/{name}/{f}" for f in tree_files(root / "generated" / name)}
    return expected


def sdist_problems(sdist: Path, root: Path) -> list[str]:
    with tarfile.open(sdist) as tar:
        top = tar.getnames()[0].split("/")[0]
        names = {n.removeprefix(f"{top}/") for n in tar.getnames()}
    missing = [
        f"generated/{name}/__init__.py"
        for name in providers(root)
        if f"generated/{name}/__init__.py" not in names
    ]
    missing += [n for n in ("LICENSE", "CHANGELOG.md", "README.md", "PKG-INFO") if n not in names]
    return [f"{sdist.name} lacks {', '.join(missing)}"] if missing else []


def listing(paths: list[str], shown: int = 6) -> str:
    more = f", ... ({len(paths)} in all)" if len(paths) > shown else ""
    return ", ".join(paths[:shown]) + more


def wheel_problems(wheel: Path, root: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    twice = sorted(n for n, count in collections.Counter(names).items() if count > 1)
    info = f"{wheel.name.split('-py')[0]}.dist-info/"
    packaged = {n for n in names if not n.startswith(info)}
    expected = expected_wheel_files(root)
    problems = []
    if twice:
        problems.append(f"files twice: {listing(twice)}")
    if missing := sorted(expected - packaged):
        problems.append(f"no {listing(missing)}")
    if extra := sorted(packaged - expected):
        problems.append(f"unexpected files: {listing(extra)}")
    if f"{info}licenses/LICENSE" not in names:
        problems.append(f"no {info}licenses/LICENSE")
    return [f"{wheel.name} has {problem}" for problem in problems]


def dev_pin(root: Path, name: str) -> str:
    """``name``'s exact pin in ``root``'s dev extra (``pytest==9.2.0``): one version to bump."""
    with (root / "pyproject.toml").open("rb") as file:
        dev: list[str] = tomllib.load(file)["project"]["optional-dependencies"]["dev"]
    pins = [r for r in dev if "==" in r and r.partition("==")[0].strip().lower() == name]
    if len(pins) != 1:
        raise CheckFailed(f"the dev extra should pin {name}==<version> once, not {pins}")
    return pins[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--root", type=Path, default=ROOT, help="the project to check")
    args = parser.parse_args()
    root: Path = args.root.resolve()
    work = Path(tempfile.mkdtemp(prefix="provider-tokens-dist-"))
    started = time.monotonic()

    def step(message: str) -> None:
        print(f"dist-check [{time.monotonic() - started:5.1f}s] {message}", flush=True)

    try:
        dist = work / "dist"
        step("building the sdist, then the wheel from it")
        run([sys.executable, "-m", "build", "--outdir", str(dist), str(root)])
        (sdist,) = dist.glob("*.tar.gz")
        (wheel,) = dist.glob("*.whl")
        step(f"twine check --strict {sdist.name} {wheel.name}")
        twine = [sys.executable, "-m", "twine", "--no-color", "check", "--strict"]
        run([*twine, str(sdist), str(wheel)], show=True)
        if problems := sdist_problems(sdist, root) + wheel_problems(wheel, root):
            raise CheckFailed("\n  ".join(["the distributions are wrong:", *problems]))
        # The smoke runs the pytest plugin as a user would, so pytest goes in, at the version
        # the project tests with; no other dev tool does (pytest-asyncio would hide a plugin
        # that needs it). One pip run: one resolve.
        pytest = dev_pin(root, "pytest")
        step(f"installing the wheel and {pytest} into a fresh venv")
        venv = work / "venv"
        run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
        python = venv / "bin" / "python"
        pip = [sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check"]
        run([*pip, "install", "--quiet", str(wheel), pytest])
        step("smoke test")
        smoke = work / "smoke.py"  # out of the tree: nothing of the checkout on sys.path
        shutil.copy(SMOKE, smoke)
        run([str(python), "-I", "-W", "error", str(smoke)], cwd=work, show=True)
        step("OK")
    except CheckFailed as exc:
        step("FAILED")
        sys.exit(f"dist-check: {exc}")
    finally:
        if args.keep:
            print(f"dist-check: kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
