"""The test suite on every CPython 3.11+ on this machine: ``make test-pythons``.

One session per version, ``tests-3.11``, ``tests-3.12``, ``tests-3.13`` (and one for any
newer CPython pyenv has); those past 3.11 are tagged ``newer`` (``nox -t newer``). Each
interpreter is found under pyenv (``$PYENV_ROOT/versions/X.Y.Z/bin/pythonX.Y``, the
newest patch release), else on PATH (``pythonX.Y``, pyenv shims included only if they
run). A missing 3.11 fails its
session (3.11 is the oldest Python supported); any other missing version is skipped,
with a message.

Each session installs the project as ``make`` does (``-e .[dev,redis,jwt]``, pip's cache
reused, the virtualenv kept under ``.venv/nox/`` between runs) and runs pytest with the
environment it was given: ``make test-pythons`` passes ``PROVIDER_TOKENS_PRISM`` and
has installed redis-server. Arguments after ``--`` go to pytest, e.g.
``nox -s tests-3.12 -- -q -x tests/test_cache.py``. ``python noxfile.py`` lists the
interpreters found and fails if 3.11 is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import nox

REQUIRED = "3.11"
EXPECTED = ("3.11", "3.12", "3.13")

nox.options.envdir = ".venv/nox"
nox.options.reuse_venv = "yes"
nox.options.error_on_missing_interpreters = True
nox.options.download_python = "never"  # this machine's Pythons only
SESSIONS: list[str] = []  # filled in below: every tests-X.Y, nox's default
nox.options.sessions = SESSIONS


def _pyenv_root() -> Path:
    return Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")


def _runs_as(path: str, version: str) -> bool:
    """Whether ``path`` is a working CPython ``version`` (a pyenv shim may not be)."""
    check = "import sys; print(sys.implementation.name, '%d.%d' % sys.version_info[:2])"
    try:
        out = subprocess.run(  # noqa: S603 (an interpreter found on this machine)
            [path, "-c", check], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and out.stdout.split() == ["cpython", version]


def _pyenv_versions() -> dict[str, list[tuple[int, Path]]]:
    """pyenv's final CPython releases (X.Y.Z only), by X.Y, as (Z, path)."""
    found: dict[str, list[tuple[int, Path]]] = {}
    versions = _pyenv_root() / "versions"
    if not versions.is_dir():
        return found
    for entry in versions.iterdir():
        match = re.fullmatch(r"(3\.\d+)\.(\d+)", entry.name)
        if match:
            xy, z = match.group(1), int(match.group(2))
            found.setdefault(xy, []).append((z, entry / "bin" / f"python{xy}"))
    return found


PYENV = _pyenv_versions()


def find_python(version: str) -> str | None:
    """The newest working CPython ``version`` (X.Y): pyenv's first, then PATH's."""
    for _, path in sorted(PYENV.get(version, []), reverse=True):
        if os.access(path, os.X_OK) and _runs_as(str(path), version):
            return str(path)
    on_path = shutil.which(f"python{version}")
    if on_path and _runs_as(on_path, version):
        return on_path
    return None


def _versions() -> list[str]:
    """3.11, 3.12, 3.13 and any newer CPython pyenv has."""
    newer = {xy for xy in PYENV if int(xy.split(".")[1]) > 13}
    return sorted({*EXPECTED, *newer}, key=lambda xy: int(xy.split(".")[1]))


def _tests(version: str, python: str | None) -> None:
    # Tagged "newer" past 3.11, which make test has already run the suite on.
    tags = [] if version == REQUIRED else ["newer"]

    @nox.session(name=f"tests-{version}", python=python or False, tags=tags)
    def tests(session: nox.Session) -> None:
        """The test suite (pytest) on this CPython."""
        if python is None:
            message = f"no CPython {version} found (pyenv's {_pyenv_root()}/versions, or PATH)"
            if version == REQUIRED:
                session.error(f"{message}: {REQUIRED} is required")
            session.skip(message)
        if not os.environ.get("PROVIDER_TOKENS_PRISM"):
            session.warn("PROVIDER_TOKENS_PRISM is not set: run `make test-pythons`")
        session.install("--quiet", "-e", ".[dev,redis,jwt]")
        session.run("python", "--version")
        session.run("pytest", *(session.posargs or ["-q"]))

    SESSIONS.append(f"tests-{version}")


for _version in _versions():
    _tests(_version, find_python(_version))


if __name__ == "__main__":
    # `python noxfile.py`: the Pythons the sessions would use; exit 1 if 3.11 is missing.
    import sys

    found = {version: find_python(version) for version in _versions()}
    for version, path in found.items():
        missing = "missing (fails)" if version == REQUIRED else "missing (skipped)"
        print(f"tests-{version}: {path or missing}")
    if found[REQUIRED] is None:
        sys.exit(f"CPython {REQUIRED} is required and was not found")
