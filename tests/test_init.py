"""A school's own data folder, outside the tool: `init`, `new` in the user's words, and where outputs go."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from transition_booklets.cli import program_name

SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def tool(*args: str, cwd: Path, how: str = "module") -> subprocess.CompletedProcess[str]:
    """Run the command as a user would: ``python -m transition_booklets`` or ``python build.py``."""
    start = (
        [sys.executable, "-m", "transition_booklets"] if how == "module" else [sys.executable, str(ROOT / "build.py")]
    )
    return subprocess.run([*start, *args], cwd=cwd, capture_output=True, text=True, check=False)


def schema_of(path: Path) -> Path:
    """The file a YAML file's ``$schema`` line points at, from the file's own folder."""
    match = SCHEMA_LINE.match(path.read_text(encoding="utf-8").splitlines()[0])
    assert match, f"{path} has no $schema line"
    return (path.parent / match.group(1)).resolve()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_init_new_check_and_build_from_a_folder_outside_the_tool(tmp_path: Path) -> None:
    school = tmp_path / "school"
    school.mkdir()
    made = tool("init", "my-school", cwd=school)
    assert made.returncode == 0, made.stderr
    data = school / "my-school"
    assert (data / "images").is_dir() and (data / "START-HERE.md").is_file()
    assert "python -m transition_booklets check --data my-school" in made.stdout
    start_here = (data / "START-HERE.md").read_text(encoding="utf-8")
    assert 'python -m transition_booklets new "Full Name" --data my-school' in start_here
    assert schema_of(data / "school.yaml") == (data / "schema" / "school.schema.json").resolve()
    assert json.loads((data / "schema" / "school.schema.json").read_text(encoding="utf-8"))["title"].startswith(
        "School"
    )

    new = tool("new", "Tyler Brooks", "--data", "my-school", cwd=school)
    assert new.returncode == 0, new.stderr
    assert new.stdout.strip().endswith("then run: python -m transition_booklets check --data my-school")
    pupil = data / "tyler-brooks.yaml"
    assert schema_of(pupil).is_file() and schema_of(pupil) == (data / "schema" / "pupil.schema.json").resolve()

    # The command `new` printed, as it printed it.
    printed = new.stdout.strip().split("then run: python -m transition_booklets ", 1)[1].split()
    checked = tool(*printed, cwd=school)
    assert checked.returncode == 0, checked.stderr
    assert "school.yaml and 1 pupil file read; no problems" in checked.stdout

    built = tool("--data", "my-school", "-q", cwd=school)
    assert built.returncode == 0, built.stderr
    assert "Traceback" not in built.stderr
    assert (school / "my-school-site" / "tyler-brooks" / "index.html").is_file()
    assert (school / "my-school-site" / "tyler-brooks" / "booklet.pdf").is_file()
    assert (school / "my-school-staff" / "index.html").is_file()
    assert sorted(path.name for path in data.iterdir()) == [
        "START-HERE.md",
        "images",
        "schema",
        "school.yaml",
        "tyler-brooks.yaml",
    ], "nothing is built inside the data folder"
    assert "pupils' sites: my-school-site" in built.stderr


def test_init_example_copies_the_example_school_with_schemas_that_resolve(tmp_path: Path) -> None:
    made = tool("init", "--example", "riverside", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    data = tmp_path / "riverside"
    for path in data.glob("*.yaml"):
        assert schema_of(path).is_file(), path.name
    assert tool("check", "--data", "riverside", cwd=tmp_path).returncode == 0


def test_init_never_writes_into_a_folder_that_has_files(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine", encoding="utf-8")
    result = tool("init", "mine", cwd=tmp_path)
    assert result.returncode == 1 and "already exists and is not empty" in result.stderr
    assert [path.name for path in (tmp_path / "mine").iterdir()] == ["notes.txt"]


def test_a_build_refreshes_the_data_folders_schemas_after_an_upgrade(tmp_path: Path) -> None:
    assert tool("init", "my-school", cwd=tmp_path).returncode == 0
    stale = tmp_path / "my-school" / "schema" / "pupil.schema.json"
    stale.write_text("{}", encoding="utf-8")  # as an older version of the tool wrote it
    assert tool("--data", "my-school", "--no-pdf", "-q", cwd=tmp_path).returncode == 0
    assert json.loads(stale.read_text(encoding="utf-8"))["title"].startswith("Pupil")


@pytest.mark.parametrize("out", ["my-school", "my-school/site", "."])
def test_outputs_that_overlap_the_data_folder_are_refused_and_nothing_is_touched(tmp_path: Path, out: str) -> None:
    assert tool("init", "my-school", cwd=tmp_path).returncode == 0
    before = snapshot(tmp_path / "my-school")
    result = tool("--data", "my-school", "--out", out, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "must be separate folders" in result.stderr or "staff-only files must be kept apart" in result.stderr
    assert snapshot(tmp_path / "my-school") == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["my-school"], "no output folder was made"


def test_a_staff_folder_inside_the_data_folder_is_refused(tmp_path: Path) -> None:
    assert tool("init", "my-school", cwd=tmp_path).returncode == 0
    result = tool("--data", "my-school", "--staff-out", "my-school/staff", cwd=tmp_path)
    assert result.returncode == 1 and "must be separate folders" in result.stderr
    assert not (tmp_path / "my-school" / "staff").exists()


def test_a_word_that_is_neither_a_command_nor_a_pupil_is_a_usage_mistake(tmp_path: Path) -> None:
    assert tool("init", "my-school", cwd=tmp_path).returncode == 0
    typo = tool("inti", "--data", "my-school", cwd=tmp_path)
    assert typo.returncode == 2
    assert "no pupil or command 'inti'" in typo.stderr and "did you mean 'init'" in typo.stderr
    assert not (tmp_path / "my-school-site").exists()


def test_usage_lines_name_the_program_as_it_was_run(tmp_path: Path) -> None:
    assert tool("--help", cwd=tmp_path).stdout.startswith("usage: python -m transition_booklets")
    assert tool("--help", cwd=tmp_path, how="build.py").stdout.startswith("usage: python build.py")
    assert program_name("/home/lead/.local/bin/transition-booklets") == "transition-booklets"
    mistyped = tool("check", "--data", cwd=tmp_path, how="build.py")
    assert mistyped.returncode == 2 and "usage: python build.py check" in mistyped.stderr
