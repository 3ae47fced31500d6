"""Shared test helpers: a copy of the example school to change, and golden files."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "pupils"
GOLDEN = Path(__file__).resolve().parent / "golden"
POPPLER = ("pdftotext", "pdffonts", "pdftoppm", "pdfimages", "pdfinfo")


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI (``CI`` set, as ``.ci/run`` does) a missing poppler is a failure: the booklet tests
    would otherwise be skipped and a broken booklet pass unseen. On a laptop they are skipped."""
    from tests.browser_support import in_ci

    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    if missing and in_ci():
        raise pytest.UsageError(
            f"CI is set and {', '.join(missing)} (poppler-utils) is missing: install it (apt-get install "
            "poppler-utils). In CI a missing tool fails the run instead of skipping the booklet tests."
        )


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A private copy of the example data folder that a test may change."""
    target = tmp_path / "pupils"
    shutil.copytree(EXAMPLE, target)
    return target


@pytest.fixture
def write_pupil(example_copy: Path) -> Callable[[str, str], Path]:
    """Write one pupil file into the example copy: ``write_pupil("amy-copy", yaml_text)``."""

    def write(pupil_id: str, text: str) -> Path:
        path = example_copy / f"{pupil_id}.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def check_golden(name: str, actual: str) -> None:
    """Compare with ``tests/golden/<name>``; ``UPDATE_GOLDEN=1`` rewrites it instead."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1" or not path.exists():
        if not path.exists() and os.environ.get("UPDATE_GOLDEN") != "1":
            pytest.fail(f"golden file {path} is missing; run with UPDATE_GOLDEN=1 to create it")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from {path}; if the change is intended, run with UPDATE_GOLDEN=1"
