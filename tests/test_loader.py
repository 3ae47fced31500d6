from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, check_golden
from transition_booklets.data.loader import load_cohort

BAD_PUPIL = Path(__file__).parent / "data" / "bad-pupil.yaml"


def report(problems: list[object], root: Path) -> str:
    return "\n".join(str(problem).replace(str(root) + "/", "") for problem in problems) + "\n"


def test_example_school_loads_without_problems() -> None:
    cohort = load_cohort(EXAMPLE)
    assert cohort.problems == []
    assert [record.id for record in cohort.pupils] == ["amy-jones", "jordan-reid", "kai-morgan", "zofia-wisniewska"]
    assert cohort.school is not None
    assert len(cohort.school.places) >= 8
    assert len(cohort.school.staff) >= 5
    assert len(cohort.school.subjects) >= 8


def test_example_covers_the_three_journeys() -> None:
    cohort = load_cohort(EXAMPLE)
    pupils = {record.id: record.pupil for record in cohort.pupils}
    amy = pupils["amy-jones"]
    assert amy.year == 7 and amy.previous_setting and amy.previous_setting.kind.value == "primary"
    jordan = pupils["jordan-reid"]
    assert jordan.previous_setting and jordan.previous_setting.kind.value == "alternative-provision"
    assert jordan.first_visit and jordan.first_visit.trusted_adult and jordan.first_visit.trusted_adult.stays
    assert len(jordan.phases) >= 3 and jordan.phases[0].timetable
    kai = pupils["kai-morgan"]
    assert kai.model_dump(exclude_defaults=True) == {"name": "Kai Morgan"}


def test_bad_pupil_report_matches_golden(example_copy: Path) -> None:
    shutil.copy(BAD_PUPIL, example_copy / "amy-copy.yaml")
    cohort = load_cohort(example_copy)
    check_golden("errors/bad-pupil.txt", report(cohort.problems, example_copy.parent))


def test_every_problem_in_a_file_is_reported_with_its_line(
    example_copy: Path, write_pupil: Callable[[str, str], Path]
) -> None:
    write_pupil(
        "amy-copy",
        "name: Amy Copy\nprefered_name: Amy\nstart_date: 2027-02-30\nkey_places:\n  - place: sciense-lab\n",
    )
    cohort = load_cohort(example_copy)
    lines = [(problem.line, problem.field) for problem in cohort.problems]
    assert lines == [(2, "prefered_name"), (3, "start_date"), (5, "key_places[0].place")]
    messages = " ".join(problem.message for problem in cohort.problems)
    assert "did you mean 'preferred_name'?" in messages
    assert "not a real date" in messages
    assert "did you mean 'science-lab'?" in messages


def test_one_bad_pupil_does_not_stop_the_others(example_copy: Path, write_pupil: Callable[[str, str], Path]) -> None:
    write_pupil("broken", "name: [unclosed\n")
    cohort = load_cohort(example_copy)
    assert cohort.failed_ids == ["broken"]
    assert len(cohort.pupils) == 4
    assert cohort.problems[0].file.endswith("broken.yaml")
    assert cohort.problems[0].line == 2 or cohort.problems[0].line == 1


def test_problems_in_several_files_are_all_reported(
    example_copy: Path, write_pupil: Callable[[str, str], Path]
) -> None:
    write_pupil("one", "name: One\nyear: x\n")
    write_pupil("two", "nme: Two\n")
    cohort = load_cohort(example_copy)
    assert {Path(problem.file).name for problem in cohort.problems} == {"one.yaml", "two.yaml"}
    assert any("this is required but missing" in problem.message for problem in cohort.problems)


def test_broken_school_file_is_reported_and_pupils_are_still_read(example_copy: Path) -> None:
    school = example_copy / "school.yaml"
    school.write_text(school.read_text(encoding="utf-8").replace("kind: small-group-base", "kind: small-group"))
    cohort = load_cohort(example_copy)
    assert cohort.school is None
    assert any(
        problem.file.endswith("school.yaml") and "small-group-base" in problem.message for problem in cohort.problems
    )


def test_school_period_end_before_start(example_copy: Path) -> None:
    school = example_copy / "school.yaml"
    text = school.read_text(encoding="utf-8")
    school.write_text(text.replace('start: "09:00", end: "10:00"', 'start: "10:00", end: "09:00"'))
    cohort = load_cohort(example_copy)
    (problem,) = cohort.problems
    assert problem.field == "periods[1].end"
    assert "must come after the start" in problem.message


def test_phase_timetable_with_a_period_the_school_lacks(
    example_copy: Path, write_pupil: Callable[[str, str], Path]
) -> None:
    write_pupil(
        "phased",
        "name: P\nphases:\n  - name: Week 1\n    from: 2027-01-04\n    to: 2027-01-01\n"
        "    timetable:\n      monday:\n        p7: {subject: maths}\n",
    )
    cohort = load_cohort(example_copy)
    fields = {problem.field: problem for problem in cohort.problems}
    assert "must not be before the start date" in fields["phases[0].to"].message
    assert fields["phases[0].timetable.monday.p7"].line == 8
    assert "no period 'p7'" in fields["phases[0].timetable.monday.p7"].message


def test_photo_outside_the_data_folder_is_refused(example_copy: Path, write_pupil: Callable[[str, str], Path]) -> None:
    outside = example_copy.parent / "secret.jpg"
    outside.write_bytes(b"not really")
    (example_copy / "link.jpg").symlink_to(outside)
    write_pupil("escape", "name: E\nphoto: {file: link.jpg, consent: true}\n")
    write_pupil("absolute", f"name: A\nphoto: {{file: {outside}, consent: true}}\n")
    cohort = load_cohort(example_copy)
    messages = {Path(problem.file).stem: problem.message for problem in cohort.problems}
    assert "leads out of the data folder" in messages["escape"]
    assert "absolute path" in messages["absolute"]


def test_missing_photo_suggests_the_right_name(example_copy: Path, write_pupil: Callable[[str, str], Path]) -> None:
    write_pupil("typo", "name: T\nphoto: {file: images/pupils/amy.jpeg, consent: true}\n")
    (problem,) = load_cohort(example_copy).problems
    assert "did you mean 'amy.jpg'?" in problem.message


@pytest.mark.parametrize("name", ["Amy Jones.yaml", "UPPER.yaml"])
def test_file_names_that_cannot_be_ids(example_copy: Path, name: str) -> None:
    (example_copy / name).write_text("name: X\n", encoding="utf-8")
    cohort = load_cohort(example_copy)
    assert any("cannot be a pupil id" in problem.message for problem in cohort.problems)


def test_only_named_pupils_are_read_and_unknown_names_are_reported() -> None:
    cohort = load_cohort(EXAMPLE, ["kai-morgan", "amy-jone"])
    assert [record.id for record in cohort.pupils] == ["kai-morgan"]
    assert "did you mean 'amy-jones'?" in cohort.problems[0].message


def test_the_read_cache_gives_back_what_was_read_and_notices_edits(example_copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = load_cohort(example_copy, cache_dir=cache)
    again = load_cohort(example_copy, cache_dir=cache)
    assert [record.id for record in again.pupils] == [record.id for record in first.pupils]
    for fresh, kept in zip(first.pupils, again.pupils, strict=True):
        assert kept.pupil.model_dump() == fresh.pupil.model_dump()
        assert kept.positions.of(("name",)) == fresh.positions.of(("name",))
    amy = example_copy / "amy-jones.yaml"
    amy.write_text(amy.read_text(encoding="utf-8").replace("Amelia Jones", "Amelia Jonas"), encoding="utf-8")
    edited = load_cohort(example_copy, cache_dir=cache)
    assert {record.id: record.pupil.name for record in edited.pupils}["amy-jones"] == "Amelia Jonas"


def test_a_damaged_read_cache_is_ignored(example_copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_cohort(example_copy, cache_dir=cache)
    for kept in cache.iterdir():
        kept.write_bytes(b"not a pickle")
    cohort = load_cohort(example_copy, cache_dir=cache)
    assert not cohort.problems
    assert {record.id: record.pupil.name for record in cohort.pupils}["kai-morgan"] == "Kai Morgan"


def test_a_bad_file_stays_bad_when_read_from_the_cache(example_copy: Path, tmp_path: Path) -> None:
    shutil.copy(BAD_PUPIL, example_copy / "bad-pupil.yaml")
    first = load_cohort(example_copy, cache_dir=tmp_path / "cache")
    again = load_cohort(example_copy, cache_dir=tmp_path / "cache")
    assert again.failed_ids == first.failed_ids == ["bad-pupil"]
    assert [str(problem) for problem in again.problems] == [str(problem) for problem in first.problems]


READ_IN_WORKERS = """
import json, sys
import transition_booklets.support.parallel as parallel
from pathlib import Path
from transition_booklets.data.loader import load_cohort

pools = []
original = parallel.fork_pool
def counted(*args, **kwargs):
    pools.append(args)
    return original(*args, **kwargs)
parallel.fork_pool = counted
for cache in (Path(sys.argv[2]), Path(sys.argv[2])):  # the second time from what the workers kept
    cohort = load_cohort(Path(sys.argv[1]), cache_dir=cache, jobs=2)
print(json.dumps({
    "pupils": [[r.id, r.pupil.name, list(r.positions.of(("name",)))] for r in cohort.pupils],
    "failed": cohort.failed_ids,
    "problems": [str(problem) for problem in cohort.problems],
    "pools": len(pools),
}))
"""


def test_many_files_are_read_in_worker_processes_with_the_same_result(example_copy: Path, tmp_path: Path) -> None:
    """A large cohort is read by worker processes (in a fresh process, where forking is allowed)."""
    import json
    import subprocess
    import sys

    from transition_booklets.data.loader import PARALLEL_READ_FROM

    amy = (example_copy / "amy-jones.yaml").read_text(encoding="utf-8")
    for number in range(PARALLEL_READ_FROM + 6):
        name = f"Pupil Number{number}"
        (example_copy / f"pupil-{number:02d}.yaml").write_text(amy.replace("Amelia Jones", name), encoding="utf-8")
    shutil.copy(BAD_PUPIL, example_copy / "bad-pupil.yaml")

    one_by_one = load_cohort(example_copy, jobs=1)
    expected = {
        "pupils": [[r.id, r.pupil.name, list(r.positions.of(("name",)))] for r in one_by_one.pupils],
        "failed": one_by_one.failed_ids,
        "problems": [str(problem) for problem in one_by_one.problems],
    }
    cache = tmp_path / "cache"
    run = subprocess.run(
        [sys.executable, "-c", READ_IN_WORKERS, str(example_copy), str(cache)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path.cwd(),
    )
    found = json.loads(run.stdout)
    assert found.pop("pools") == 1  # the first reading used worker processes; the second, what they kept
    assert found == expected
    assert len(list(cache.glob("*.pickle"))) == PARALLEL_READ_FROM + 6 + 5  # every file kept, bad ones too


def test_two_files_for_one_pupil_are_refused_with_both_named(example_copy: Path) -> None:
    from transition_booklets.data.loader import load_cohort

    shutil.copy(example_copy / "amy-jones.yaml", example_copy / "amy-jones.yml")
    cohort = load_cohort(example_copy)
    messages = [str(problem) for problem in cohort.problems]
    assert sum("two files for the pupil 'amy-jones' (amy-jones.yaml and amy-jones.yml)" in m for m in messages) == 2
    assert "amy-jones" in cohort.failed_ids and "amy-jones" not in [record.id for record in cohort.pupils]


def test_a_locale_that_is_not_a_language_tag_is_refused(example_copy: Path) -> None:
    from transition_booklets.data.loader import load_cohort

    school = example_copy / "school.yaml"
    school.write_text(school.read_text(encoding="utf-8").replace("locale: en-GB", "locale: ../../etc/passwd"))
    problems = [str(problem) for problem in load_cohort(example_copy).problems]
    assert any("locale: '../../etc/passwd' is not a language" in problem for problem in problems), problems


def test_a_recording_that_became_a_link_out_of_the_data_folder_is_not_published(
    example_copy: Path, tmp_path: Path
) -> None:
    from transition_booklets.build.pipeline import build_cohort
    from transition_booklets.build.settings import BuildOptions

    options = BuildOptions(example_copy, tmp_path / "site", tmp_path / "staff", only=["jordan-reid"], pdf=False)
    assert build_cohort(options).ok  # read, checked and kept in the read cache
    secret = tmp_path / "secret.ogg"
    secret.write_bytes(b"OggS not for publishing")
    recording = example_copy / "media" / "mr-hughes-welcome.ogg"
    recording.unlink()
    recording.symlink_to(secret)
    options.force = True
    result = build_cohort(options)
    assert "jordan-reid" in result.failed
    assert any("leads out of the data folder" in str(problem) for problem in result.problems), result.problems
    assert b"not for publishing" not in b"".join(
        path.read_bytes() for path in (tmp_path / "site").rglob("*") if path.is_file()
    )
