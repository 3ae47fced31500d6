from __future__ import annotations

from pathlib import Path

import pytest

from transition_booklets.build import fingerprint, pipeline, workers
from transition_booklets.build.pipeline import build_cohort
from transition_booklets.build.settings import BuildOptions, in_shard, parse_shard

ALL = ["amy-jones", "jordan-reid", "kai-morgan", "zofia-wisniewska"]


def options_for(data: Path, tmp_path: Path, **changes: object) -> BuildOptions:
    options = BuildOptions(data_dir=data, out_dir=tmp_path / "site", staff_dir=tmp_path / "staff", pdf=False, jobs=2)
    for key, value in changes.items():
        setattr(options, key, value)
    return options


@pytest.fixture
def first_build(example_copy: Path, tmp_path: Path) -> BuildOptions:
    options = options_for(example_copy, tmp_path)
    result = build_cohort(options)
    assert result.ok and sorted(result.built) == ALL
    return options


def test_a_build_leaves_only_the_pupils_folders_and_zips(example_copy: Path, tmp_path: Path) -> None:
    """Working files (Typst's folders, half-built pupils) are gone once the build is over."""
    options = options_for(example_copy, tmp_path, pdf=True)
    assert sorted(build_cohort(options).built) == ALL
    published = sorted(path.name for path in options.out_dir.iterdir())
    assert published == sorted([*ALL, *(f"{pupil}.zip" for pupil in ALL)])
    typst_work = options.cache_dir / pipeline.TYPST_WORK
    assert not typst_work.exists() or not any(typst_work.iterdir())
    for pupil in ALL:
        names = {path.name for path in (options.out_dir / pupil).iterdir()}
        assert {"index.html", "booklet.pdf", "booklet-print.pdf", "calendar.ics"} <= names
        assert not {name for name in names if name.endswith(".md") or name.startswith(".") or name == "mkdocs.yml"}


def test_nothing_changed_rebuilds_nothing_and_touches_nothing(first_build: BuildOptions) -> None:
    page = first_build.out_dir / "amy-jones" / "index.html"
    before = page.stat().st_mtime_ns
    result = build_cohort(first_build)
    assert result.built == [] and sorted(result.unchanged) == ALL
    assert page.stat().st_mtime_ns == before


def test_editing_one_pupil_rebuilds_only_that_pupil(first_build: BuildOptions) -> None:
    path = first_build.data_dir / "zofia-wisniewska.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Zosia", "Zosia Z"), encoding="utf-8")
    result = build_cohort(first_build)
    assert result.built == ["zofia-wisniewska"]
    assert sorted(result.unchanged) == ["amy-jones", "jordan-reid", "kai-morgan"]


def test_a_comment_changes_nothing_a_pupil_sees(first_build: BuildOptions) -> None:
    path = first_build.data_dir / "kai-morgan.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# to do: ask about lunch\n", encoding="utf-8")
    assert build_cohort(first_build).built == []


def test_a_school_edit_no_pupil_sees_rebuilds_nobody_and_touches_nothing(first_build: BuildOptions) -> None:
    """Every view must be worked out again after school.yaml changes; only a changed view is rebuilt."""
    page = first_build.out_dir / "amy-jones" / "index.html"
    before = page.stat().st_mtime_ns
    school = first_build.data_dir / "school.yaml"
    school.write_text(school.read_text(encoding="utf-8") + "\n# a note for the transition team\n", encoding="utf-8")
    result = build_cohort(first_build)
    assert result.ok
    assert result.built == [] and sorted(result.unchanged) == ALL
    assert page.stat().st_mtime_ns == before
    assert build_cohort(first_build).built == []


def test_a_new_staff_photo_rebuilds_exactly_the_pupils_who_see_it(first_build: BuildOptions) -> None:
    photo = first_build.data_dir / "images" / "staff" / "mr-hughes.jpg"
    photo.write_bytes((first_build.data_dir / "images" / "staff" / "mr-evans.jpg").read_bytes())
    result = build_cohort(first_build)
    # Mr Hughes teaches Amy science and is Jordan's keyworker; Kai and Zosia never see him.
    assert result.built == ["amy-jones", "jordan-reid"]


def test_a_place_description_rebuilds_the_pupils_whose_pages_show_it(first_build: BuildOptions) -> None:
    school = first_build.data_dir / "school.yaml"
    text = school.read_text(encoding="utf-8")
    school.write_text(text.replace("Books, computers and quiet tables.", "Books, games and quiet tables."))
    result = build_cohort(first_build)
    assert result.built == ["amy-jones", "jordan-reid", "zofia-wisniewska"]
    assert "Books, games and quiet tables." in (first_build.out_dir / "zofia-wisniewska" / "places.html").read_text()


def test_a_change_to_the_tool_rebuilds_everyone(first_build: BuildOptions, monkeypatch: pytest.MonkeyPatch) -> None:
    # In this process only: worker processes started fresh would see the real tool again.
    first_build.jobs = 1
    monkeypatch.setattr(fingerprint, "tool_digest", lambda: "a newer version of the templates")
    assert sorted(build_cohort(first_build).built) == ALL


def test_force_rebuilds_everyone(first_build: BuildOptions) -> None:
    first_build.force = True
    assert sorted(build_cohort(first_build).built) == ALL


def test_a_deleted_output_folder_is_rebuilt(first_build: BuildOptions) -> None:
    import shutil

    shutil.rmtree(first_build.out_dir / "kai-morgan")
    assert build_cohort(first_build).built == ["kai-morgan"]


def test_a_failure_mid_pupil_keeps_the_previous_output(
    first_build: BuildOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = {path: path.read_bytes() for path in (first_build.out_dir / "amy-jones").rglob("*") if path.is_file()}
    original = workers.write_pupil_site

    def half_then_fail(cohort, record, view, folder, **kwargs):  # type: ignore[no-untyped-def]
        original(cohort, record, view, folder, **kwargs)
        (folder / "index.html").write_text("half written", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(workers, "write_pupil_site", half_then_fail)
    first_build.force = True
    first_build.jobs = 1
    first_build.only = ["amy-jones"]
    result = build_cohort(first_build)
    assert result.failed == ["amy-jones"]
    assert "could not be written" in str(result.problems[0]) and "disk full" in str(result.problems[0])
    after = {path: path.read_bytes() for path in (first_build.out_dir / "amy-jones").rglob("*") if path.is_file()}
    assert after == before
    assert [path.name for path in first_build.out_dir.iterdir() if path.name.startswith(".")] == []
    # It is tried again next time, as nothing good was recorded for it.
    monkeypatch.setattr(workers, "write_pupil_site", original)
    first_build.force = False
    assert build_cohort(first_build).built == ["amy-jones"]


def test_identical_files_are_stored_once_on_disk(first_build: BuildOptions) -> None:
    css = sorted(first_build.out_dir.glob("*/assets/stylesheets/main.*.css"))
    assert len(css) == 4
    assert len({path.stat().st_ino for path in css}) == 1
    assert css[0].stat().st_nlink >= 5  # four pupils and the shared store


@pytest.mark.parametrize("count", [1, 2, 3, 7])
def test_shards_cover_every_pupil_exactly_once(count: int) -> None:
    ids = [f"pupil-{number:03d}" for number in range(200)]
    slices = [[pupil for pupil in ids if in_shard(pupil, index, count)] for index in range(1, count + 1)]
    assert sorted(pupil for part in slices for pupil in part) == ids
    if count > 1:
        assert all(len(part) > 200 / count / 2 for part in slices)  # roughly even


def test_shard_builds_over_the_example_cover_everyone_once(example_copy: Path, tmp_path: Path) -> None:
    built: list[str] = []
    for index in (1, 2, 3):
        result = build_cohort(options_for(example_copy, tmp_path / str(index), shard=f"{index}/3"))
        assert result.ok
        built += result.built
    assert sorted(built) == ALL


@pytest.mark.parametrize("text", ["0/3", "4/3", "a/b", "3"])
def test_bad_shard_is_explained(text: str) -> None:
    with pytest.raises(ValueError, match="--shard"):
        parse_shard(text)


def test_a_protected_build_hides_folder_names_and_keeps_passwords_staff_side(
    example_copy: Path, tmp_path: Path
) -> None:
    options = options_for(example_copy, tmp_path, only=["amy-jones", "kai-morgan"])
    assert build_cohort(options).ok  # an open build first: its clear folders must go
    assert (options.out_dir / "amy-jones").is_dir()
    options.protect = True
    first = build_cohort(options)
    assert first.ok, first.problems
    published = sorted(path.name for path in options.out_dir.iterdir())
    assert not any("amy" in name or "kai" in name for name in published)
    assert len([name for name in published if not name.endswith(".zip")]) == 2
    passwords = (options.staff_dir / "passwords.csv").read_text(encoding="utf-8")
    assert "amy-jones" in passwords and (options.staff_dir / "letters" / "amy-jones.html").is_file()
    for path in options.out_dir.rglob("*"):
        if path.is_file():
            assert b"Amelia" not in path.read_bytes(), path
    # The same secret and passwords next time: the same addresses, nothing rebuilt.
    again = build_cohort(options)
    assert again.built == [] and sorted(path.name for path in options.out_dir.iterdir()) == published


def test_the_staff_folder_may_not_be_inside_the_published_one(example_copy: Path, tmp_path: Path) -> None:
    options = options_for(example_copy, tmp_path)
    options.staff_dir = options.out_dir / "staff"
    result = build_cohort(options)
    assert not result.ok and "inside the published folder" in str(result.problems[0])


PARALLEL_AFTER_TYPST = """
import sys
from pathlib import Path
from transition_booklets.booklet.typeset import write_booklets
from transition_booklets.data.loader import load_cohort
from transition_booklets.build.pipeline import build_cohort
from transition_booklets.build.settings import BuildOptions
from transition_booklets.view.pupil_view import build_view
data, out = Path(sys.argv[1]), Path(sys.argv[2])
cohort = load_cohort(data, ["kai-morgan"])
record = cohort.pupils[0]
write_booklets(build_view(cohort.school, record.pupil, record.id), out / "first", data_dir=data)
result = build_cohort(BuildOptions(data_dir=data, out_dir=out / "site", staff_dir=out / "staff", jobs=2,
                                   only=["kai-morgan", "zofia-wisniewska"]))
print(result.summary())
"""


def test_parallel_build_after_a_booklet_in_the_same_process_does_not_hang(example_copy: Path, tmp_path: Path) -> None:
    """Typst's threads do not survive a fork: a process that typeset before must not fork its workers."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    completed = subprocess.run(
        [sys.executable, "-c", PARALLEL_AFTER_TYPST, str(example_copy), str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "2 built, 0 unchanged, 0 failed" in completed.stdout


def test_a_picture_a_build_cannot_use_is_reported_with_its_file_line_and_field(
    example_copy: Path, tmp_path: Path
) -> None:
    """A failure while building names the line of the key, like a `check` problem, for the pupil's and the school's files."""
    (example_copy / "images" / "pupils" / "amy.jpg").write_text("not a picture", encoding="utf-8")
    (example_copy / "images" / "staff" / "ms-lewis.jpg").write_bytes(b"\xff\xd8\xff\xe0 cut short")
    result = build_cohort(options_for(example_copy, tmp_path, only=["amy-jones", "zofia-wisniewska"]))
    messages = [str(problem) for problem in result.problems]
    amy = next(message for message in messages if "amy-jones.yaml" in message)
    lines = (example_copy / "amy-jones.yaml").read_text(encoding="utf-8").splitlines()
    line = next(number for number, text in enumerate(lines, start=1) if "file: images/pupils/amy.jpg" in text)
    assert f"amy-jones.yaml:{line}:" in amy, amy
    assert " photo.file: 'images/pupils/amy.jpg'" in amy
    school_lines = (example_copy / "school.yaml").read_text(encoding="utf-8").splitlines()
    lewis = next(
        number for number, text in enumerate(school_lines, start=1) if "photo: images/staff/ms-lewis.jpg" in text
    )
    school_messages = [message for message in messages if f"school.yaml:{lewis}:" in message]
    assert school_messages and all(" staff.ms-lewis.photo: " in message for message in school_messages), messages
    assert sorted(result.failed) == ["amy-jones", "zofia-wisniewska"]
