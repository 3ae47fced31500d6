"""``check``'s messages, each as a transition lead reads it: golden files in ``tests/golden/check/``.

Each case is one pupil file of ``tests/data/check/`` put beside the example school; the golden
file holds every line ``check`` prints about it (problems and warnings, with their lines) and
its closing line. ``UPDATE_GOLDEN=1`` rewrites them after an intended change.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, check_golden
from transition_booklets.commands import check_summary, run_check

CASES = sorted((Path(__file__).parent / "data" / "check").glob("*.yaml"))


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_each_message_of_check(
    case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "school"
    shutil.copytree(EXAMPLE, data, ignore=shutil.ignore_patterns("*-*.yaml"))  # the school, no pupils
    shutil.copy(case, data / case.name)
    monkeypatch.chdir(tmp_path)
    run_check(data.relative_to(tmp_path), [])
    printed = capsys.readouterr()
    lines = [line for line in (printed.err + printed.out).splitlines() if case.name in line]
    closing = [line for line in (printed.err + printed.out).splitlines() if line.startswith("school.yaml and ")]
    assert lines, "check says something about this file"
    check_golden(f"check/{case.stem}.txt", "\n".join([*lines, *closing]) + "\n")


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        (
            {"pupil_files": 4, "problems": 0, "files_with_problems": 0, "plans_checked": 4, "plans_ready": 4},
            "school.yaml and 4 pupil files read; no problems; 4 plans ready.",
        ),
        (
            {"pupil_files": 1, "problems": 0, "files_with_problems": 0, "plans_checked": 1, "plans_ready": 0},
            'school.yaml and 1 pupil file read; no problems; no plan ready yet, 1 needs more (see "What each plan '
            'still needs").',
        ),
        (
            {"pupil_files": 5, "problems": 3, "files_with_problems": 2, "plans_checked": 3, "plans_ready": 1},
            "school.yaml and 5 pupil files read; 3 problems to put right in 2 files (listed above, each with its "
            'line); 1 plan ready, 2 need more (see "What each plan still needs"); 2 not checked for readiness until '
            "their problems are put right.",
        ),
    ],
)
def test_the_closing_line_says_what_is_true(counts: dict[str, int], expected: str) -> None:
    """Never "All good" under "0 of 15 ready", never "0 of 1 pupil file are fine"."""
    assert check_summary(**counts) == expected


def test_no_style_leaves_the_easy_read_warnings_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "school"
    shutil.copytree(EXAMPLE, data, ignore=shutil.ignore_patterns("*-*.yaml"))
    shutil.copy(Path(__file__).parent / "data" / "check" / "easy-read.yaml", data / "easy-read.yaml")
    monkeypatch.chdir(tmp_path)
    assert run_check(Path("school"), [], style=True) == 0, "Easy Read warnings do not fail the check"
    assert "Easy Read:" in capsys.readouterr().err
    assert run_check(Path("school"), [], style=False) == 0
    assert "Easy Read:" not in capsys.readouterr().err
