"""Specs validate, the generated packages match them, and drift is detected."""

from __future__ import annotations

import hashlib
import importlib
import json
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import generate  # noqa: E402

SPECS = sorted(p for p in (ROOT / "specs").glob("*.yaml") if p.name != "generator.yaml")


def test_there_is_one_spec_per_provider() -> None:
    assert [p.stem for p in SPECS] == ["gmo_aozora", "gmo_payment", "melio", "moneykit", "smscx"]


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_spec_is_valid_openapi_31(spec: Path) -> None:
    document = yaml.safe_load(spec.read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.1")
    validate(document)


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_generated_package_imports_and_is_typed(spec: Path) -> None:
    package = importlib.import_module(f"provider_tokens.{spec.stem}")
    assert package.Client is not None
    assert (ROOT / "generated" / spec.stem / "py.typed").is_file()


def test_manifest_records_pinned_versions_and_spec_hashes() -> None:
    manifest = json.loads((ROOT / "generated" / "MANIFEST.json").read_text())
    assert manifest["generator"] == "openapi-python-client==0.29.1"
    assert manifest["ruff"] == "ruff==0.17.6"
    assert manifest["specs"] == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in SPECS}


def test_diff_trees_reports_edits_additions_and_removals(tmp_path: Path) -> None:
    committed, fresh = tmp_path / "committed", tmp_path / "fresh"
    shutil.copytree(ROOT / "generated" / "smscx", committed / "smscx")
    shutil.copytree(ROOT / "generated" / "smscx", fresh / "smscx")
    assert generate.diff_trees(committed, fresh) == []

    (committed / "smscx" / "client.py").write_text("# edited by hand\n")
    (committed / "smscx" / "stray.py").write_text("")
    (committed / "smscx" / "types.py").unlink()
    assert generate.diff_trees(committed, fresh) == [
        "differs: smscx/client.py",
        "not produced by the specs: smscx/stray.py",
        "missing: smscx/types.py",
    ]
