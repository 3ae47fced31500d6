"""The project's own habits, as configured in pyproject.toml: ruff and mypy clean, stages layered, no dead code."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_ruff_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _lint_imports(cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-c",
        "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())",
    ]
    env = {"PATH": "", "PYTHONPATH": str(pythonpath)}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)


def test_no_stage_imports_a_stage_above_it() -> None:
    result = _lint_imports(ROOT, ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_layers_contract(tmp_path: Path) -> None:
    """The contract is not a formality: reading the data may not depend on how the build runs."""
    shutil.copytree(
        ROOT / "transition_booklets", tmp_path / "transition_booklets", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    suggest = tmp_path / "transition_booklets" / "data" / "suggest.py"
    suggest.write_text(suggest.read_text(encoding="utf-8") + "\nfrom transition_booklets.build import settings\n")
    result = _lint_imports(tmp_path, tmp_path)
    assert result.returncode != 0
    assert "transition_booklets.data.suggest -> transition_booklets.build.settings" in result.stdout


def test_vulture_finds_no_dead_code() -> None:
    result = subprocess.run([sys.executable, "-m", "vulture"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_fails_when_poppler_is_missing_instead_of_skipping(tmp_path: Path) -> None:
    """With CI set (as .ci/run sets it), no poppler on the PATH stops the run; without CI it only skips."""
    only_python = tmp_path / "bin"
    only_python.mkdir()
    (only_python / "python").symlink_to(sys.executable)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_yaml_source.py"]
    environment = {"PATH": str(only_python), "HOME": str(tmp_path)}
    in_ci = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env={**environment, "CI": "true"})
    assert in_ci.returncode != 0 and "poppler-utils" in in_ci.stdout + in_ci.stderr
    local = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=environment)
    assert local.returncode == 0, local.stdout[-2000:]
