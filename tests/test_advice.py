"""Warnings: each kind is triggered by a small data folder and goes away once fixed."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from PIL import Image

from transition_booklets.data.loader import Cohort, load_cohort
from transition_booklets.data.problems import Problem, Severity
from transition_booklets.staff.advice import cohort_warnings, pupil_uses, pupil_warnings

TODAY = dt.date(2026, 11, 27)

SCHOOL = """\
name: Test School
map:
  image: images/map.png
places:
  reception:
    name: Reception
    kind: reception
    photo: images/reception.jpg
    map: {x: 50, y: 90}
  the-hub:
    name: The Hub
    kind: small-group-base
    photo: images/hub.jpg
    map: {x: 70, y: 60}
  lab:
    name: Science lab
    kind: classroom
    photo: images/lab.jpg
    map: {x: 20, y: 20}
staff:
  ms-khan:
    name: Ms Khan
    photo: images/ms-khan.jpg
  mr-hughes:
    name: Mr Hughes
    photo: images/mr-hughes.jpg
periods:
  - {id: p1, name: Period 1, start: "09:00", end: "10:00"}
  - {id: p2, name: Period 2, start: "10:00", end: "11:00"}
school_days: [monday]  # a one-day week keeps the timetables here short
subjects:
  science: {name: Science}
"""

PUPIL = """\
name: Sam Test
start_date: 2027-01-05
first_visit:
  date: 2026-12-08
  meet_at: reception
  met_by: ms-khan
keyworker:
  staff: ms-khan
  where: the-hub
phases:
  - name: Week 1
    from: 2027-01-05
    to: 2027-01-08
  - name: Full timetable
    from: 2027-01-11
timetable:
  monday:
    p1: {subject: science, place: lab, teacher: mr-hughes}
key_places:
  - place: reception
  - place: the-hub
reviews:
  - date: 2027-01-15
"""

IMAGES = ("map.png", "reception.jpg", "hub.jpg", "lab.jpg", "ms-khan.jpg", "mr-hughes.jpg")


def make_cohort(tmp_path: Path, school: str = SCHOOL, pupil: str = PUPIL) -> Cohort:
    folder = tmp_path / "data"
    (folder / "images").mkdir(parents=True, exist_ok=True)
    for name in IMAGES:
        Image.new("RGB", (4, 4), "#336699").save(folder / "images" / name)
    (folder / "school.yaml").write_text(school, encoding="utf-8")
    (folder / "sam-test.yaml").write_text(pupil, encoding="utf-8")
    cohort = load_cohort(folder)
    assert not cohort.problems, [str(problem) for problem in cohort.problems]
    return cohort


def warnings_for(tmp_path: Path, school: str = SCHOOL, pupil: str = PUPIL, today: dt.date = TODAY) -> list[Problem]:
    cohort = make_cohort(tmp_path, school, pupil)
    found = pupil_warnings(cohort, cohort.pupils[0], today)
    assert all(problem.severity is Severity.warning for problem in found)
    return found


def fields(found: list[Problem]) -> list[str]:
    return [problem.field for problem in found]


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_a_complete_plan_has_no_warnings(tmp_path: Path) -> None:
    assert warnings_for(tmp_path) == []


def test_staff_without_photo(tmp_path: Path) -> None:
    school = SCHOOL.replace("    photo: images/mr-hughes.jpg\n", "")
    [warning] = warnings_for(tmp_path, school=school)
    assert warning.field == "staff.mr-hughes.photo"
    assert Path(warning.file).name == "school.yaml"
    assert (warning.line, warning.column) == (line_of(school, "mr-hughes:"), 3)
    assert "Mr Hughes has no photo" in warning.message
    assert "Sam's pages (sam-test)" in warning.message
    assert "(in the timetable)" in warning.message


def test_place_without_photo(tmp_path: Path) -> None:
    school = SCHOOL.replace("    photo: images/hub.jpg\n", "")
    [warning] = warnings_for(tmp_path, school=school)
    assert warning.field == "places.the-hub.photo"
    assert warning.line == line_of(school, "the-hub:")
    assert "(in the keyworker and the key places)" in warning.message


def test_main_places_shown_without_key_places_need_photos(tmp_path: Path) -> None:
    school = SCHOOL.replace("    photo: images/hub.jpg\n", "")
    found = warnings_for(tmp_path, school=school, pupil="name: Sam Test\n")
    assert fields(found) == ["places.the-hub.photo"]
    assert "among the school's main places, as no key places are chosen yet" in found[0].message


def test_unused_staff_and_places_without_photos_are_not_warned(tmp_path: Path) -> None:
    school = SCHOOL.replace(
        "    photo: images/mr-hughes.jpg\n", "    photo: images/mr-hughes.jpg\n  mr-lee:\n    name: Mr Lee\n"
    )
    school = school.replace("staff:\n", "  library:\n    name: Library\nstaff:\n")
    assert warnings_for(tmp_path, school=school) == []


def test_first_visit_in_the_past(tmp_path: Path) -> None:
    pupil = PUPIL.replace("date: 2026-12-08", "date: 2026-11-02")
    [warning] = warnings_for(tmp_path, pupil=pupil)
    assert warning.field == "first_visit.date"
    assert Path(warning.file).name == "sam-test.yaml"
    assert (warning.line, warning.column) == (line_of(pupil, "date: 2026-11-02"), 9)
    assert "2026-11-02" in warning.message
    # Today is the visit: not past. After the start date the visit is history, not a mistake.
    assert warnings_for(tmp_path, pupil=pupil, today=dt.date(2026, 11, 2)) == []
    assert warnings_for(tmp_path, pupil=pupil, today=dt.date(2027, 1, 6)) == []


def test_review_before_start(tmp_path: Path) -> None:
    pupil = PUPIL.replace("  - date: 2027-01-15", "  - date: 2027-01-15\n  - date: 2026-01-20")
    [warning] = warnings_for(tmp_path, pupil=pupil)
    assert warning.field == "reviews[1].date"
    assert warning.line == line_of(pupil, "2026-01-20")
    assert "before the start date (2027-01-05)" in warning.message


def test_lesson_in_a_place_not_on_the_map(tmp_path: Path) -> None:
    school = SCHOOL.replace("    map: {x: 20, y: 20}\n", "")
    [warning] = warnings_for(tmp_path, school=school)
    assert warning.field == "places.lab.map"
    assert warning.line == line_of(school, "  lab:")
    assert "(in the timetable)" in warning.message


def test_school_without_a_map(tmp_path: Path) -> None:
    school = SCHOOL.replace("map:\n  image: images/map.png\n", "")
    [warning] = warnings_for(tmp_path, school=school)
    assert warning.field == "map"
    assert (warning.line, warning.column) == (1, 1)
    assert "the school has no map" in warning.message


def test_phase_without_timetable(tmp_path: Path) -> None:
    pupil = PUPIL.split("timetable:\n")[0] + "key_places:" + PUPIL.split("key_places:")[1]
    found = warnings_for(tmp_path, pupil=pupil)
    assert fields(found) == ["phases[0].timetable", "phases[1].timetable"]
    assert found[0].line == line_of(pupil, "name: Week 1")
    assert "'Week 1' has no timetable" in found[0].message
    # A phase with its own timetable is fine without the full one.
    own = pupil.replace(
        "    to: 2027-01-08\n", "    to: 2027-01-08\n    timetable:\n      monday:\n        p1: {place: lab}\n"
    )
    assert fields(warnings_for(tmp_path, pupil=own)) == ["phases[1].timetable"]


def test_keyworker_without_where(tmp_path: Path) -> None:
    pupil = PUPIL.replace("  where: the-hub\n", "")
    [warning] = warnings_for(tmp_path, pupil=pupil)
    assert warning.field == "keyworker.where"
    assert (warning.line, warning.column) == (line_of(pupil, "keyworker:"), 1)


def test_cohort_warnings_report_a_school_fact_once(tmp_path: Path) -> None:
    school = SCHOOL.replace("    photo: images/mr-hughes.jpg\n", "")
    cohort = make_cohort(tmp_path, school=school)
    (cohort.data_dir / "amy-test.yaml").write_text(PUPIL.replace("Sam Test", "Amy Test"), encoding="utf-8")
    cohort = load_cohort(cohort.data_dir)
    found = cohort_warnings(cohort, TODAY)
    assert fields(found) == ["staff.mr-hughes.photo"]
    assert "the pages of amy-test and sam-test" in found[0].message
    assert len(pupil_warnings(cohort, cohort.pupils[0], TODAY)) == 1


def test_warning_text_names_file_line_and_field(tmp_path: Path) -> None:
    pupil = PUPIL.replace("  where: the-hub\n", "")
    [warning] = warnings_for(tmp_path, pupil=pupil)
    assert str(warning).endswith(warning.message)
    assert f"sam-test.yaml:{warning.line}:1 warning: keyworker.where:" in str(warning)


def test_uses_cover_every_section(tmp_path: Path) -> None:
    pupil = PUPIL + textwrap.dedent(
        """\
        worries:
          people: [{staff: mr-hughes}]
          place: the-hub
        mentoring: {mentor: mr-hughes}
        family_liaison: {staff: ms-khan}
        """
    )
    cohort = make_cohort(tmp_path, pupil=pupil)
    assert cohort.school is not None
    where = {use.where for use in pupil_uses(cohort.school, cohort.pupils[0].pupil)}
    assert {"worries.people[0].staff", "worries.place", "mentoring.mentor", "family_liaison.staff"} <= where


def test_today_defaults_to_the_real_date(tmp_path: Path) -> None:
    """Without a date given, "has the first visit passed?" is asked of the computer's own today."""
    real_today = dt.date.today()
    visit, start = real_today - dt.timedelta(days=1), real_today + dt.timedelta(days=30)
    pupil = PUPIL.replace("date: 2026-12-08", f"date: {visit.isoformat()}").replace(
        "start_date: 2027-01-05", f"start_date: {start.isoformat()}"
    )
    cohort = make_cohort(tmp_path, pupil=pupil)
    record = cohort.pupils[0]

    def passed(warnings: list[Problem]) -> bool:
        return any(warning.field == "first_visit.date" and "has passed" in warning.message for warning in warnings)

    assert passed(pupil_warnings(cohort, record)), "yesterday's visit, seen from today"
    assert passed(cohort_warnings(cohort))
    before = real_today - dt.timedelta(days=3)
    assert not passed(pupil_warnings(cohort, record, before)), "the same visit, seen from three days before it"
    assert not passed(cohort_warnings(cohort, before))


# ---------------------------------------------------------------------------
# Timetables that leave out days or periods without saying why
# ---------------------------------------------------------------------------

WEEK_SCHOOL = SCHOOL.replace("school_days: [monday]  # a one-day week keeps the timetables here short\n", "")


def test_a_timetable_with_monday_only_is_warned_about_at_its_line(tmp_path: Path) -> None:
    [warning] = warnings_for(tmp_path, school=WEEK_SCHOOL)
    assert warning.field == "timetable"
    assert warning.line == line_of(PUPIL, "timetable:")
    assert warning.message.startswith("Tuesday, Wednesday, Thursday, Friday are not in this timetable")
    assert "tuesday: not in school" in warning.message


def test_days_said_plainly_leave_nothing_to_warn_about(tmp_path: Path) -> None:
    pupil = PUPIL.replace(
        "    p1: {subject: science, place: lab, teacher: mr-hughes}\n",
        "    p1: {subject: science, place: lab, teacher: mr-hughes}\n  tuesday to thursday: same as monday\n"
        "  friday: not in school\n",
    )
    assert warnings_for(tmp_path, school=WEEK_SCHOOL, pupil=pupil) == []


def test_a_gap_between_lessons_is_warned_about_unless_it_is_said(tmp_path: Path) -> None:
    school = SCHOOL.replace(
        '  - {id: p2, name: Period 2, start: "10:00", end: "11:00"}\n',
        '  - {id: p2, name: Period 2, start: "10:00", end: "11:00"}\n'
        '  - {id: p3, name: Period 3, start: "11:00", end: "12:00"}\n',
    )
    gap = PUPIL.replace(
        "    p1: {subject: science, place: lab, teacher: mr-hughes}\n",
        "    p1: {subject: science, place: lab, teacher: mr-hughes}\n    p3: {subject: science, place: lab}\n",
    )
    [warning] = warnings_for(tmp_path, school=school, pupil=gap)
    assert warning.field == "timetable.monday" and warning.message.startswith("p2 on Monday has nothing planned")
    said = gap.replace("    p3: {subject", "    p2: not in school\n    p3: {subject")
    assert warnings_for(tmp_path, school=school, pupil=said) == []
