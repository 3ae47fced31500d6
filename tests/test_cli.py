from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_loader import BAD_PUPIL
from transition_booklets.cli import _with_default_command, main


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_check_passes_on_the_example() -> None:
    result = run("check")
    assert result.returncode == 0, result.stderr
    assert "school.yaml and 4 pupil files read; no problems; 2 plans ready, 2 need more" in result.stdout


def test_check_reports_a_bad_copy_with_lines_and_no_traceback(example_copy: Path) -> None:
    (example_copy / "amy-copy.yaml").write_text(
        "name: Amy Copy\nprefered_name: Amy\nstart_date: 2027-02-30\nkey_places:\n  - place: sciense-lab\n",
        encoding="utf-8",
    )
    result = run("check", "--data", str(example_copy))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "amy-copy.yaml:2:1 prefered_name: unknown key" in result.stderr
    assert "amy-copy.yaml:3:13 start_date: '2027-02-30' is not a real date" in result.stderr
    assert "amy-copy.yaml:5:12 key_places[0].place: no place 'sciense-lab'" in result.stderr


def test_build_goes_on_past_a_bad_pupil_and_exits_1(example_copy: Path, tmp_path: Path) -> None:
    shutil.copy(BAD_PUPIL, example_copy / "amy-copy.yaml")
    out = tmp_path / "out"
    result = run("--data", str(example_copy), "--out", str(out), "--staff-out", str(tmp_path / "staff"), "--no-pdf")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert (out / "amy-jones" / "index.html").is_file()
    assert not (out / "amy-copy").exists()
    assert "failed: amy-copy" in result.stderr


def test_new_writes_a_file_that_passes_check(example_copy: Path) -> None:
    result = run("new", "Zofia Nowak-Ali", "--data", str(example_copy))
    assert result.returncode == 0, result.stderr
    path = example_copy / "zofia-nowak-ali.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    assert 'name: "Zofia Nowak-Ali"' in text
    for section in (
        "first_visit:",
        "keyworker:",
        "phases:",
        "timetable:",
        "key_places:",
        "worries:",
        "break_times:",
        "mentoring:",
        "about_me:",
        "views:",
        "family_liaison:",
        "reviews:",
        "agreed:",
    ):
        assert f"# {section}" in text
    assert "ms-khan" in text  # the school's own ids are listed for the user
    assert run("check", "--data", str(example_copy), "zofia-nowak-ali").returncode == 0
    again = run("new", "Zofia Nowak-Ali", "--data", str(example_copy))
    assert again.returncode == 1 and "already exists" in again.stderr


def test_new_with_a_quote_in_the_name_still_passes_check(example_copy: Path) -> None:
    assert run("new", 'Seán "Jay" O\'Neill', "--data", str(example_copy)).returncode == 0
    assert run("check", "--data", str(example_copy), "sean-jay-o-neill").returncode == 0


@pytest.mark.parametrize(
    ("name", "pupil_id"),
    [
        ("محمد عبد الرحمن", "mhmd-bd-lrhmn"),
        ("李小龙", "li-xiao-long"),
        ("Ольга Петрова", "olga-petrova"),
        ("Siân Wyn ap Dafydd", "sian-wyn-ap-dafydd"),
    ],
)
def test_a_name_in_any_script_gets_an_id_of_its_own(example_copy: Path, name: str, pupil_id: str) -> None:
    """Not "pupil" for every name outside the Latin alphabet (two such pupils would share one file)."""
    result = run("new", name, "--data", str(example_copy))
    assert result.returncode == 0, result.stderr
    assert (example_copy / f"{pupil_id}.yaml").is_file()
    assert run("check", "--data", str(example_copy), pupil_id).returncode == 0


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], ["build"]),
        (["--data", "x"], ["build", "--data", "x"]),
        (["amy-jones"], ["build", "amy-jones"]),
        (["build", "--out", "o"], ["build", "--out", "o"]),
        (["check"], ["check"]),
        (["--help"], ["--help"]),
    ],
)
def test_build_is_the_default_command(argv: list[str], expected: list[str]) -> None:
    assert _with_default_command(argv) == expected


@pytest.mark.parametrize("command", [[], ["build"], ["check"], ["new"], ["serve"]])
def test_help_everywhere(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main([*command, "--help"])
    assert stopped.value.code == 0
    assert "usage:" in capsys.readouterr().out


def test_missing_data_folder_is_a_clear_message(tmp_path: Path) -> None:
    result = run("check", "--data", str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert "this data folder does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line for line in quick_start.splitlines() if line.strip()]
    assert len(commands) == 2
    assert commands[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_check_shows_readiness_and_warnings_without_failing() -> None:
    result = run("check")
    assert result.returncode == 0
    assert "Readiness of each plan" in result.stdout
    assert "kai-morgan" in result.stdout and "0/15" in result.stdout
    assert "warning: staff.miss-adeyemi.photo: Miss Adeyemi has no photo" in result.stderr


def test_build_writes_the_staff_report_outside_the_published_folder(tmp_path: Path) -> None:
    out, staff = tmp_path / "site", tmp_path / "staff"
    result = run("--out", str(out), "--staff-out", str(staff), "--no-pdf", "kai-morgan", "amy-jones")
    assert result.returncode == 0, result.stderr
    report = (staff / "index.html").read_text(encoding="utf-8")
    assert "Kai Morgan" in report and "Amelia Jones" in report
    assert (staff / "cohort-calendar.ics").is_file()
    assert not any(path.name in ("index.html", "cohort-calendar.ics") for path in out.iterdir())
    assert "2 built, 0 unchanged, 0 failed" in result.stderr


def test_protect_in_school_yaml_protects_a_cli_build_with_the_schools_passwords_and_address(
    example_copy: Path, tmp_path: Path
) -> None:
    """``protect: true`` in school.yaml, no ``--protect``: the build is protected all the same, with the
    passwords from ``--passwords`` and the family letter pointing at ``--address`` plus the folder's name."""
    from transition_booklets.protect.encrypt import decrypt_page
    from transition_booklets.protect.passwords import folder_name, load_or_create_secret

    school = example_copy / "school.yaml"
    school.write_text(school.read_text(encoding="utf-8") + "\nprotect: true\n", encoding="utf-8")
    passwords = tmp_path / "private" / "passwords.csv"
    passwords.parent.mkdir()
    passwords.write_text("pupil_id,password\njordan-reid,otter-maple-jordan-lantern-7\n", encoding="utf-8")
    out, staff = tmp_path / "site", tmp_path / "staff"
    result = run(
        "build", "--data", str(example_copy), "--out", str(out), "--staff-out", str(staff), "--no-pdf",
        "--passwords", str(passwords), "--address", "https://guides.example.org/transition/", "jordan-reid",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    folder = folder_name("jordan-reid", load_or_create_secret(staff / "folder-secret.key"))
    assert sorted(path.name for path in out.iterdir() if path.is_dir()) == [folder], "an unguessable folder name"
    page = (out / folder / "index.html").read_text(encoding="utf-8")
    assert "Jordan" not in page, "the page is sealed"
    assert "Hello Jordan!" in decrypt_page(page, "otter-maple-jordan-lantern-7"), "opened with the school's password"
    letter = (staff / "letters" / "jordan-reid.html").read_text(encoding="utf-8")
    assert f"https://guides.example.org/transition/{folder}/" in letter
    assert "otter-maple-jordan-lantern-7" in letter
