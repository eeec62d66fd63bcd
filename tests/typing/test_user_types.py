"""``mypy --strict`` on a user's script (``user_script.py``), and the script run.

The script passes; variants with a misspelled credential key, credentials of the
wrong provider, or the wrong generated client fail with the expected error code,
so the typing under test (``FakeProviders.credentials`` overloads, ``api_client()``)
is what makes the difference.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
SCRIPT = HERE / "user_script.py"
ROOT = HERE.parent.parent

# (name, text replaced in the script, its replacement, (mypy's error code, message part))
WRONG = [
    (
        "misspelled_key",
        '    with MoneyKit(**fake.credentials("moneykit")) as source:\n',
        '    credentials = fake.credentials("moneykit")\n'
        '    credentials["client_secert"] = "typo"\n'
        "    with MoneyKit(**credentials) as source:\n",
        ("typeddict-unknown-key", '"MoneyKitCredentials" has no key "client_secert"'),
    ),
    (
        "wrong_provider",
        'MoneyKit(**fake.credentials("moneykit"))',
        'MoneyKit(**fake.credentials("smscx"))',
        ("misc", 'Extra argument "application_id" from **args for "MoneyKit"'),
    ),
    (
        "wrong_api_client",
        "        smscx_api: SmscxClient = smscx.api_client()\n",
        "        smscx_api: SmscxClient = smscx.api_client()\n"
        "        instrospect_client.sync(client=smscx_api)\n",
        ("arg-type", "provider_tokens.smscx.client.AuthenticatedClient"),
    ),
    (
        "plain_client_with_auth",
        "instrospect_client.sync(client=api)",
        "instrospect_client.sync(client=provider_tokens.moneykit.Client("
        'base_url=source.base_url, httpx_args={"auth": source}))',
        ("arg-type", 'incompatible type "Client"; expected "AuthenticatedClient"'),
    ),
]


def _mypy(cache: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache), *map(str, files)],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy-cache")


def test_the_user_script_passes_mypy_strict(mypy_cache: Path) -> None:
    result = _mypy(mypy_cache, SCRIPT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found in 1 source file" in result.stdout


def test_wrong_variants_fail_with_the_expected_codes(mypy_cache: Path, tmp_path: Path) -> None:
    text = SCRIPT.read_text()
    files: dict[str, Path] = {}
    for name, old, new, _ in WRONG:
        assert text.count(old) == 1, name
        variant = text.replace(old, new)
        files[name] = tmp_path / f"wrong_{name}.py"
        files[name].write_text(variant)
    result = _mypy(mypy_cache, *files.values())
    assert result.returncode == 1, result.stdout + result.stderr
    for name, _, _, (code, part) in WRONG:
        errors = re.findall(
            rf"^{re.escape(str(files[name]))}:\d+: error: (.*)  \[([\w-]+)\]$",
            result.stdout,
            re.MULTILINE,
        )
        assert [c for _, c in errors] == [code], (name, result.stdout)
        assert part in errors[0][0], (name, result.stdout)


def test_the_user_script_runs_against_the_fake() -> None:
    result = subprocess.run(
        [sys.executable, "-W", "error", str(SCRIPT)],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == ["FAKE MoneyKit app", "4", "FAKE-aozora-user-0001"]
