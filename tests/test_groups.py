"""A whole intake without copy-and-paste: groups with shared timetables, days said plainly, the same words everywhere."""

from __future__ import annotations

from pathlib import Path

from tests.pdf_support import pdf_text
from tests.site_checks import page_text
from transition_booklets.build.pipeline import build_cohort
from transition_booklets.build.settings import BuildOptions
from transition_booklets.data.loader import load_cohort
from transition_booklets.data.timetables import full_timetable, timetable_of
from transition_booklets.view.pupil_view import build_view

GROUPS = """\
groups:
  7b:
    name: 7B
    tutor: ms-khan
    base: a-block
    timetable:
      every day:
        reg: {place: a-block, teacher: ms-khan, note: Registration}
        p1: {subject: maths, place: a-block, teacher: mr-nowak}
        p2: {subject: english, place: a-block, teacher: mrs-okafor}
      tuesday: same as monday
      friday:
        reg: {place: a-block, teacher: ms-khan, note: Registration}
        p1: {subject: science, place: science-lab, teacher: mr-hughes}
"""

PUPIL = """\
name: Tia Group
groups: [7b]
timetable:
  monday:
    p2: {place: the-hub, teacher: ms-khan, note: Hub time instead of English}
  wednesday:
    p2: not in school
"""


def build(data: Path, tmp_path: Path, *only: str, pdf: bool = False) -> None:
    options = BuildOptions(data_dir=data, out_dir=tmp_path / "site", staff_dir=tmp_path / "staff", only=list(only))
    options.pdf, options.jobs = pdf, 1
    result = build_cohort(options)
    assert result.ok, result.problems


def test_a_pupil_in_a_group_gets_its_timetable_with_their_own_slot_laid_over(example_copy: Path) -> None:
    (example_copy / "groups.yaml").write_text(GROUPS, encoding="utf-8")
    (example_copy / "tia-group.yaml").write_text(PUPIL, encoding="utf-8")
    cohort = load_cohort(example_copy, ["tia-group"])
    assert cohort.problems == [] and cohort.school is not None
    week = full_timetable(cohort.pupils[0].pupil, cohort.school)
    assert week is not None
    monday = {period: slot.subject or slot.place for period, slot in week["monday"].items()}
    assert monday == {"reg": "a-block", "p1": "maths", "p2": "the-hub"}, "the pupil's own p2, the group's others"
    assert week["tuesday"]["p2"].subject == "english", "Tuesday is the group's Monday, without the pupil's change"
    assert week["wednesday"]["p2"].absent and week["wednesday"]["p1"].subject == "maths"
    assert week["friday"]["p1"].subject == "science" and "p2" not in week["friday"]


def test_the_timetable_page_shows_the_groups_lessons_and_the_personal_change(
    example_copy: Path, tmp_path: Path
) -> None:
    (example_copy / "groups.yaml").write_text(GROUPS, encoding="utf-8")
    (example_copy / "tia-group.yaml").write_text(PUPIL, encoding="utf-8")
    build(example_copy, tmp_path, "tia-group")
    text = page_text(tmp_path / "site" / "tia-group" / "timetable.html")
    for expected in ("Maths", "English", "Science", "Hub time instead of English", "Registration"):
        assert expected in text, expected
    assert "My group: 7B · tutor Ms Khan · base room A block" in " ".join(text.split())


def test_a_group_file_with_a_mistake_is_located(example_copy: Path) -> None:
    broken = GROUPS.replace("teacher: mr-hughes", "teacher: mr-hugh")
    (example_copy / "groups.yaml").write_text(broken, encoding="utf-8")
    problems = [str(problem) for problem in load_cohort(example_copy).problems]
    line = broken.splitlines().index("        p1: {subject: science, place: science-lab, teacher: mr-hugh}") + 1
    assert any(
        f"groups.yaml:{line}:" in problem and "no staff member 'mr-hugh'" in problem and "mr-hughes" in problem
        for problem in problems
    ), problems


def test_an_unknown_group_in_a_pupil_file_is_located(example_copy: Path) -> None:
    (example_copy / "groups.yaml").write_text(GROUPS, encoding="utf-8")
    (example_copy / "tia-group.yaml").write_text(PUPIL.replace("[7b]", "[7c]"), encoding="utf-8")
    problems = [str(problem) for problem in load_cohort(example_copy, ["tia-group"]).problems]
    assert any("tia-group.yaml:2:" in problem and "no group '7c'" in problem for problem in problems), problems


def test_a_phase_may_change_the_full_timetable_for_its_weeks(example_copy: Path) -> None:
    (example_copy / "groups.yaml").write_text(GROUPS, encoding="utf-8")
    phased = PUPIL + (
        "phases:\n"
        "  - name: Week 1, mornings only\n"
        "    from: 2027-09-06\n"
        "    to: 2027-09-10\n"
        "    timetable_changes:\n"
        "      every day:\n"
        "        p2: not in school\n"
        "  - name: Then the full timetable\n"
        "    from: 2027-09-13\n"
    )
    (example_copy / "tia-group.yaml").write_text(phased, encoding="utf-8")
    cohort = load_cohort(example_copy, ["tia-group"])
    assert cohort.problems == [] and cohort.school is not None
    view = build_view(cohort.school, cohort.pupils[0].pupil, "tia-group")
    first = view["phases"][0]
    assert first["own_timetable"] and first["timetable"] is not None
    monday = next(day for day in first["timetable"]["days"] if day["weekday"] == "monday")
    assert [slot["period_id"] for slot in monday["slots"] if not slot["empty"]] == ["reg", "p1"]
    assert not view["phases"][1]["own_timetable"]


def test_the_site_and_the_booklet_say_the_same_for_a_day_not_in_school(example_copy: Path, tmp_path: Path) -> None:
    monday_only = (
        "name: Mo Day\n"
        "phases:\n"
        "  - name: Week 1\n"
        "    from: 2027-09-06\n"
        "    to: 2027-09-10\n"
        "    timetable:\n"
        "      monday:\n"
        "        p1: {subject: maths, place: a-block}\n"
        "  - name: After\n"
        "    from: 2027-09-13\n"
        "timetable:\n"
        "  every day:\n"
        "    p1: {subject: maths, place: a-block}\n"
    )
    (example_copy / "mo-day.yaml").write_text(monday_only, encoding="utf-8")
    build(example_copy, tmp_path, "mo-day", pdf=True)
    site = page_text(tmp_path / "site" / "mo-day" / "first-days.html") + page_text(
        tmp_path / "site" / "mo-day" / "timetable.html"
    )
    booklet = " ".join(pdf_text(tmp_path / "site" / "mo-day" / "booklet.pdf").split())
    assert "Not in school" in site
    assert "Not in school on Tuesday to Friday." in booklet
    for other_words in ("Not in school yet", "Nothing planned", "No school for you"):
        assert other_words not in site and other_words not in booklet


def test_the_print_pack_joins_each_groups_print_copies(example_copy: Path, tmp_path: Path) -> None:
    import pikepdf

    (example_copy / "groups.yaml").write_text(GROUPS + "  7c:\n    name: 7C\n", encoding="utf-8")
    for pupil_id, groups in (("amy-jones", "[7b]"), ("zofia-wisniewska", "[7b]"), ("kai-morgan", "[7c]")):
        path = example_copy / f"{pupil_id}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + f"groups: {groups}\n", encoding="utf-8")
    options = BuildOptions(data_dir=example_copy, out_dir=tmp_path / "site", staff_dir=tmp_path / "staff", jobs=1)
    options.print_pack = True
    result = build_cohort(options)
    assert result.ok, result.problems

    def pages(path: Path) -> int:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)

    copies = {pupil: pages(tmp_path / "site" / pupil / "booklet-print.pdf") for pupil in
              ("amy-jones", "jordan-reid", "kai-morgan", "zofia-wisniewska")}  # fmt: skip
    pack = tmp_path / "staff" / "print"
    assert pages(pack / "7b.pdf") == copies["amy-jones"] + copies["zofia-wisniewska"]
    assert pages(pack / "7c.pdf") == copies["kai-morgan"]
    assert pages(pack / "all.pdf") == sum(copies.values())
    cover = " ".join(pdf_text(pack / "7b-cover.pdf").split())
    assert "Booklets to print: 7B" in cover and "Amelia Jones" in cover and "Zofia" in cover
    assert not list((tmp_path / "site").rglob("*cover*")), "the print pack is never published"


TWO_GROUPS = GROUPS.replace(
    "groups:\n",
    "groups:\n  nurture:\n    name: Nurture\n    timetable:\n      thursday:\n        p2: {place: the-hub, teacher: ms-khan, note: Nurture group}\n",
    1,
)

PUPIL_TWO_GROUPS = """\
name: Tia Group
groups: [7b, nurture]
timetable:
  wednesday: not in school
  saturday:
    p1: {place: the-hub, note: Saturday club}
"""


def test_two_groups_a_day_not_in_school_and_a_day_the_groups_do_not_have(example_copy: Path) -> None:
    """Both groups' lessons (the later one's over the earlier one's), a whole day taken away, a day added."""
    (example_copy / "groups.yaml").write_text(TWO_GROUPS, encoding="utf-8")
    school = example_copy / "school.yaml"
    school.write_text(
        school.read_text(encoding="utf-8").replace("school_days: [", "school_days: [saturday, ", 1)
        if "school_days: [" in school.read_text(encoding="utf-8")
        else school.read_text(encoding="utf-8")
        + "\nschool_days: [monday, tuesday, wednesday, thursday, friday, saturday]\n",
        encoding="utf-8",
    )
    (example_copy / "tia-group.yaml").write_text(PUPIL_TWO_GROUPS, encoding="utf-8")
    cohort = load_cohort(example_copy, ["tia-group"])
    assert cohort.problems == [] and cohort.school is not None
    pupil = cohort.pupils[0].pupil
    week = full_timetable(pupil, cohort.school)
    assert week is not None
    assert week["thursday"]["p1"].subject == "maths", "7B's Thursday"
    assert week["thursday"]["p2"].note == "Nurture group", "the nurture group's slot over 7B's English"
    assert week["wednesday"] == {}, "not in school: none of the groups' lessons either"
    assert week["saturday"]["p1"].note == "Saturday club", "a day no group has"
    assert timetable_of(pupil, None, cohort.school) == week, "with no phase, the full week"
