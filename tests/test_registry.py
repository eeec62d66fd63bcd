"""The registry is complete: every registered provider has all its pieces, and nothing
provider-shaped is left without a registered provider.

Each check is a function of the repository root and a ``Provider`` that returns the
problems it finds (an empty list when there are none), so that it runs once per
registered provider here, and against a broken copy of a piece, or a made-up
``Provider``, below, to show that it does report what it is there to report.
"""

from __future__ import annotations

import importlib
import inspect
import shutil
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

import provider_tokens
from provider_tokens import Provider, TokenSource
from provider_tokens._registry import NAMES, PROVIDERS
from provider_tokens.testing._endpoints import endpoint_class

ROOT = Path(__file__).resolve().parent.parent

# Where each provider's own tests are, besides its case (providers/case_<name>.py).
OWN_TESTS = (
    "providers/test_{}.py",
    "testing/test_fake_{}.py",
    "generated/test_wire_{}.py",
    "contract/test_contract_{}.py",
)


# -- the checks --------------------------------------------------------------------------


def spec_problems(root: Path, provider: Provider) -> list[str]:
    """``specs/<name>.yaml`` exists, has the token path, and lists the provider's servers."""
    path = root / "specs" / f"{provider.name}.yaml"
    if not path.is_file():
        return [f"{provider.name}: no spec {path.relative_to(root)}"]
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems = []
    if provider.token_path not in spec.get("paths", {}):
        problems.append(f"{provider.name}: token path {provider.token_path} is not in its spec")
    if "servers" in spec:
        listed = {server["url"] for server in spec["servers"]}
        problems += [
            f"{provider.name}: server {environment} {url} is not among the spec's servers"
            for environment, url in provider.servers.items()
            if url not in listed
        ]
    return problems


def package_problems(root: Path, provider: Provider) -> list[str]:
    """The generated package and the symlink ``src/provider_tokens/<name>`` to it exist."""
    generated = root / "generated" / provider.name
    link = root / "src" / "provider_tokens" / provider.name
    problems = []
    if not (generated / "__init__.py").is_file():
        problems.append(f"{provider.name}: no generated package {generated.relative_to(root)}")
    if not link.is_symlink():
        problems.append(f"{provider.name}: {link.relative_to(root)} is not a symlink")
    elif link.resolve() != generated.resolve():
        problems.append(f"{provider.name}: {link.relative_to(root)} does not point to generated/")
    return problems


def import_problems(provider: Provider) -> list[str]:
    """``provider_tokens.<name>`` imports, as the generated client."""
    try:
        package = importlib.import_module(f"provider_tokens.{provider.name}")
    except ImportError as exc:
        return [f"{provider.name}: provider_tokens.{provider.name} does not import: {exc}"]
    if not hasattr(package, "Client"):
        return [f"{provider.name}: provider_tokens.{provider.name} has no Client"]
    return []


def declaration_problems(provider: Provider) -> list[str]:
    """The provider module declares it; its source class exists, is a TokenSource
    registered as it, is exported, and takes what the declaration says it takes."""
    name = provider.name
    try:
        declared = importlib.import_module(f"provider_tokens._providers.{name}").PROVIDER
        module = importlib.import_module(provider.source_module)
    except (ImportError, AttributeError) as exc:
        return [f"{name}: no provider module declaring PROVIDER: {exc}"]
    problems = []
    if declared != provider:
        problems.append(f"{name}: provider_tokens._providers.{name}.PROVIDER is another Provider")
    cls = getattr(module, provider.source, None)
    if not isinstance(cls, type) or not issubclass(cls, TokenSource):
        return [*problems, f"{name}: {provider.source_module} has no TokenSource {provider.source}"]
    if cls.registration != provider or cls.provider != name:
        problems.append(f"{name}: {provider.source}.registration is not this Provider")
    parameters = inspect.signature(cls).parameters
    if getattr(provider_tokens, provider.source, None) is not cls:
        problems.append(f"{name}: provider_tokens.{provider.source} is not its source class")
    problems += [
        f"{name}: variable key {key!r} is not a keyword of {provider.source}"
        for key in provider.variables
        if key not in parameters
    ]
    problems += [
        f"{name}: test credential {key!r} is not a keyword of {provider.source}"
        for key in provider.test_credentials
        if key not in parameters
    ]
    if provider.scoped != ("scope" in parameters):
        problems.append(f"{name}: scoped={provider.scoped}, but {provider.source} disagrees")
    if (len(provider.servers) > 1) != ("environment" in parameters):
        problems.append(f"{name}: {len(provider.servers)} servers, but {provider.source} disagrees")
    return problems


def fake_problems(provider: Provider) -> list[str]:
    """The fake endpoint module declares its Endpoint class."""
    try:
        endpoint_class(provider)
    except ImportError as exc:
        return [f"{provider.name}: no fake endpoint module declaring ENDPOINT: {exc}"]
    return []


def readme_problems(root: Path, provider: Provider) -> list[str]:
    """The README's table of the command's variables has the provider's row: its name,
    the required variables, then the optional ones in parentheses."""
    prefix = f"| `{provider.name}` |"
    rows = [
        line
        for line in (root / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith(prefix)
    ]
    if len(rows) != 1:
        return [f"{provider.name}: {len(rows)} README rows start with {prefix!r}, not 1"]
    required, _, optional = rows[0].removeprefix(prefix).partition("(")
    return [
        f"{provider.name}: README row lacks `{variable}`"
        + ("" if key in provider.required else " (in parentheses)")
        for key, variable in provider.variables.items()
        if f"`{variable}`" not in (required if key in provider.required else optional)
    ]


def own_test_problems(root: Path, provider: Provider) -> list[str]:
    """The provider has its case and its own test modules."""
    wanted = ["providers/case_{}.py", *OWN_TESTS]
    return [
        f"{provider.name}: no tests/{pattern.format(provider.name)}"
        for pattern in wanted
        if not (root / "tests" / pattern.format(provider.name)).is_file()
    ]


def unregistered(root: Path, names: tuple[str, ...]) -> list[str]:
    """Specs and provider cases whose provider is not registered."""
    specs = [p.stem for p in (root / "specs").glob("*.yaml") if p.name != "generator.yaml"]
    cases = [p.stem.removeprefix("case_") for p in (root / "tests" / "providers").glob("case_*.py")]
    return [f"specs/{n}.yaml: not registered" for n in sorted(specs) if n not in names] + [
        f"tests/providers/case_{n}.py: not registered" for n in sorted(cases) if n not in names
    ]


# -- every registered provider passes them -------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_the_spec_matches_the_declaration(name: str) -> None:
    assert spec_problems(ROOT, PROVIDERS[name]) == []


@pytest.mark.parametrize("name", NAMES)
def test_the_generated_package_is_in_place_and_imports(name: str) -> None:
    assert package_problems(ROOT, PROVIDERS[name]) == []
    assert import_problems(PROVIDERS[name]) == []


@pytest.mark.parametrize("name", NAMES)
def test_the_provider_module_declares_a_consistent_source(name: str) -> None:
    assert declaration_problems(PROVIDERS[name]) == []


@pytest.mark.parametrize("name", NAMES)
def test_the_fake_endpoint_exists(name: str) -> None:
    assert fake_problems(PROVIDERS[name]) == []
    assert endpoint_class(name).name == name


@pytest.mark.parametrize("name", NAMES)
def test_the_readme_lists_its_variables(name: str) -> None:
    assert readme_problems(ROOT, PROVIDERS[name]) == []


@pytest.mark.parametrize("name", NAMES)
def test_it_has_its_own_tests(name: str) -> None:
    assert own_test_problems(ROOT, PROVIDERS[name]) == []


def test_every_spec_and_case_has_a_registered_provider() -> None:
    assert unregistered(ROOT, NAMES) == []


# -- and each check reports what it is there to report ---------------------------------------

EXAMPLE = PROVIDERS[NAMES[0]]
# A provider nobody registered: no spec, no package, no modules, no fake, no tests.
UNKNOWN = attrs.evolve(EXAMPLE, name="no_such_provider")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the pieces the file checks read: specs, README, tests' file names,
    and the generated packages with their symlinks."""
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    for name in NAMES:
        for pattern in ("providers/case_{}.py", *OWN_TESTS):
            path = tmp_path / "tests" / pattern.format(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
        (tmp_path / "generated" / name).mkdir(parents=True)
        (tmp_path / "generated" / name / "__init__.py").touch()
        (tmp_path / "src" / "provider_tokens").mkdir(parents=True, exist_ok=True)
        (tmp_path / "src" / "provider_tokens" / name).symlink_to(f"../../generated/{name}")
    for name in NAMES:  # the copy passes, before each test breaks it
        provider = PROVIDERS[name]
        assert spec_problems(tmp_path, provider) == package_problems(tmp_path, provider) == []
        assert readme_problems(tmp_path, provider) == own_test_problems(tmp_path, provider) == []
    assert unregistered(tmp_path, NAMES) == []
    return tmp_path


def _edit_spec(tree: Path, name: str, edit: Any) -> None:
    path = tree / "specs" / f"{name}.yaml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(spec)
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")


def test_spec_check_reports_a_missing_spec_path_or_server(tree: Path) -> None:
    name = EXAMPLE.name
    assert spec_problems(tree, UNKNOWN) == ["no_such_provider: no spec specs/no_such_provider.yaml"]

    _edit_spec(tree, name, lambda spec: spec["paths"].pop(EXAMPLE.token_path))
    assert spec_problems(tree, EXAMPLE) == [
        f"{name}: token path {EXAMPLE.token_path} is not in its spec"
    ]

    moved = attrs.evolve(EXAMPLE, servers={"production": "https://elsewhere.invalid"})
    assert spec_problems(tree, moved) == [
        f"{name}: token path {EXAMPLE.token_path} is not in its spec",
        f"{name}: server production https://elsewhere.invalid is not among the spec's servers",
    ]
    (tree / "specs" / f"{name}.yaml").unlink()
    assert spec_problems(tree, EXAMPLE) == [f"{name}: no spec specs/{name}.yaml"]


def test_package_check_reports_a_missing_package_or_symlink(tree: Path) -> None:
    name = EXAMPLE.name
    link = tree / "src" / "provider_tokens" / name
    assert package_problems(tree, UNKNOWN) == [
        "no_such_provider: no generated package generated/no_such_provider",
        "no_such_provider: src/provider_tokens/no_such_provider is not a symlink",
    ]
    link.unlink()
    link.symlink_to(f"../../generated/{NAMES[1]}")
    assert package_problems(tree, EXAMPLE) == [
        f"{name}: src/provider_tokens/{name} does not point to generated/"
    ]
    link.unlink()
    shutil.rmtree(tree / "generated" / name)
    assert package_problems(tree, EXAMPLE) == [
        f"{name}: no generated package generated/{name}",
        f"{name}: src/provider_tokens/{name} is not a symlink",
    ]


def test_import_check_reports_a_package_that_does_not_import() -> None:
    (problem,) = import_problems(UNKNOWN)
    assert problem.startswith("no_such_provider: provider_tokens.no_such_provider does not import")


def test_declaration_check_reports_each_disagreement() -> None:
    name, source = EXAMPLE.name, EXAMPLE.source
    (missing,) = declaration_problems(UNKNOWN)
    assert missing.startswith("no_such_provider: no provider module declaring PROVIDER")

    assert declaration_problems(attrs.evolve(EXAMPLE, source="NoSuchSource")) == [
        f"{name}: provider_tokens._providers.{name}.PROVIDER is another Provider",
        f"{name}: {EXAMPLE.source_module} has no TokenSource NoSuchSource",
    ]
    retitled = attrs.evolve(EXAMPLE, title="Another title")
    assert declaration_problems(retitled) == [
        f"{name}: provider_tokens._providers.{name}.PROVIDER is another Provider",
        f"{name}: {source}.registration is not this Provider",
    ]
    unknown_key = attrs.evolve(
        EXAMPLE,
        variables={**EXAMPLE.variables, "no_such_keyword": "NO_SUCH_VARIABLE"},
        test_credentials={**EXAMPLE.test_credentials, "no_such_credential": "x"},
        scoped=not EXAMPLE.scoped,
        servers={"only": "https://only.invalid"}
        if len(EXAMPLE.servers) > 1
        else {**EXAMPLE.servers, "another": "https://another.invalid"},
    )
    assert declaration_problems(unknown_key) == [
        f"{name}: provider_tokens._providers.{name}.PROVIDER is another Provider",
        f"{name}: {source}.registration is not this Provider",
        f"{name}: variable key 'no_such_keyword' is not a keyword of {source}",
        f"{name}: test credential 'no_such_credential' is not a keyword of {source}",
        f"{name}: scoped={not EXAMPLE.scoped}, but {source} disagrees",
        f"{name}: {len(unknown_key.servers)} servers, but {source} disagrees",
    ]


def test_declaration_check_reports_a_source_that_is_not_exported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(provider_tokens, EXAMPLE.source, TokenSource)
    assert declaration_problems(EXAMPLE) == [
        f"{EXAMPLE.name}: provider_tokens.{EXAMPLE.source} is not its source class"
    ]


def test_fake_check_reports_a_missing_endpoint() -> None:
    (problem,) = fake_problems(UNKNOWN)
    assert problem.startswith("no_such_provider: no fake endpoint module")


def test_readme_check_reports_a_missing_row_or_variable(tree: Path) -> None:
    name = EXAMPLE.name
    readme = tree / "README.md"
    required = EXAMPLE.variables[EXAMPLE.required[0]]
    text = readme.read_text(encoding="utf-8")
    readme.write_text(text.replace(f"`{required}`", "`SOMETHING_ELSE`"), encoding="utf-8")
    assert readme_problems(tree, EXAMPLE) == [f"{name}: README row lacks `{required}`"]
    row = next(line for line in text.splitlines() if line.startswith(f"| `{name}` |"))
    optional = [v for k, v in EXAMPLE.variables.items() if k not in EXAMPLE.required]
    readme.write_text(text.replace(row, row.replace("(", "")), encoding="utf-8")
    assert readme_problems(tree, EXAMPLE) == [
        f"{name}: README row lacks `{variable}` (in parentheses)" for variable in optional
    ]
    readme.write_text(text.replace(f"| `{name}` |", "| `renamed` |"), encoding="utf-8")
    assert readme_problems(tree, EXAMPLE) == [
        f"{name}: 0 README rows start with '| `{name}` |', not 1"
    ]


def test_test_file_check_reports_missing_tests(tree: Path) -> None:
    name = EXAMPLE.name
    (tree / "tests" / "providers" / f"case_{name}.py").unlink()
    (tree / "tests" / "testing" / f"test_fake_{name}.py").unlink()
    assert own_test_problems(tree, EXAMPLE) == [
        f"{name}: no tests/providers/case_{name}.py",
        f"{name}: no tests/testing/test_fake_{name}.py",
    ]


def test_unregistered_reports_a_spec_or_case_without_a_provider(tree: Path) -> None:
    (tree / "specs" / "paypal.yaml").write_text("openapi: 3.1.0\n")
    (tree / "tests" / "providers" / "case_stripe.py").touch()
    assert unregistered(tree, NAMES) == [
        "specs/paypal.yaml: not registered",
        "tests/providers/case_stripe.py: not registered",
    ]
    assert set(unregistered(tree, NAMES[1:])) == {
        f"specs/{NAMES[0]}.yaml: not registered",
        "specs/paypal.yaml: not registered",
        f"tests/providers/case_{NAMES[0]}.py: not registered",
        "tests/providers/case_stripe.py: not registered",
    }
