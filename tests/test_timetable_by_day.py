"""Every day of every timetable, on the site and in the booklet, holds that day's lessons in order.

Checked day by day: for each timetable a pupil has (each phase with its own, then the full one),
each school day's section on the site and that day's page (or column of the week's page) in the
booklet are found by the day's name, and their lessons compared, in order, with the pupil's plan.
A subject that is on several days cannot stand in for a missing one.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE
from tests.pdf_support import page_sizes, pdf_text, words_on
from transition_booklets.build.pipeline import build_cohort
from transition_booklets.build.settings import BuildOptions
from transition_booklets.data.loader import load_cohort
from transition_booklets.view.pupil_view import build_view

PUPILS = sorted(path.stem for path in EXAMPLE.glob("*.yaml") if path.name != "school.yaml")
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
TIME = re.compile(r"^\d{1,2}(:\d\d)?(am|pm)$")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("by-day")
    result = build_cohort(BuildOptions(EXAMPLE, out / "site", out / "staff", pdf=True, jobs=1))
    assert not result.problems, result.problems
    return out / "site"


@pytest.fixture(scope="module")
def views() -> dict[str, Any]:
    cohort = load_cohort(EXAMPLE)
    assert cohort.school is not None
    return {record.id: build_view(cohort.school, record.pupil, record.id) for record in cohort.pupils}


def timetables(view: Any) -> list[tuple[str, str, Any]]:
    """(site section id, booklet title, timetable) for each timetable the pupil has, in page order."""
    found = [
        (f"phase-{phase['number']}", f"Timetable: {phase['name']}", phase["timetable"])
        for phase in view["phases"]
        if phase["own_timetable"] and phase["timetable"]
    ]
    if view["timetable"]:
        found.append(("full-timetable", "My full timetable", view["timetable"]))
    return found


def lessons(day: Any) -> list[str]:
    """What each slot of a day is called where it is shown: the subject, or the period (Break, Lunch)."""
    return [slot["subject"]["name"] if slot["subject"] else slot["period"] for slot in day["slots"]]


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def site_days(page: str, section: str) -> list[tuple[str, list[str]]]:
    """Each day of one timetable section of the site's timetable page: its name and its lessons."""
    match = re.search(rf'<section id="{section}"[^>]*>(.*?)</section>', page, re.S)
    assert match, f"no section {section}"
    days = []
    for day in re.findall(r'<details class="tb-day".*?</details>', match.group(1), re.S):
        summary = re.search(r"<summary>(.*?)<span", day, re.S)
        assert summary
        days.append((_text(summary.group(1)), [_text(s) for s in re.findall(r'"tb-slot__subject">(.*?)</span>', day)]))
    return days


def test_every_example_timetable_covers_the_school_week(views: dict[str, Any]) -> None:
    """The plan behind the checks below: every timetable has each school day once, in order."""
    cohort = load_cohort(EXAMPLE)
    assert cohort.school is not None
    week = [day.value.capitalize() for day in cohort.school.school_days]
    counted = 0
    for view in views.values():
        for _, _, table in timetables(view):
            assert [day["name"] for day in table["days"]] == week
            counted += 1
    assert counted >= 4, "Amy's, Jordan's two phases and full timetable at least"


@pytest.mark.parametrize("pupil", PUPILS)
def test_each_day_on_the_site_has_its_own_lessons(built: Path, views: dict[str, Any], pupil: str) -> None:
    page = (built / pupil / "timetable.html").read_text(encoding="utf-8")
    for section, _, table in timetables(views[pupil]):
        expected = [(day["name"], lessons(day) if day["in_school"] else []) for day in table["days"]]
        assert site_days(page, section) == expected, f"{pupil} {section}"


def _day_label_covers(label: str) -> list[str]:
    """The days a booklet label names: "Monday", "Tuesday to Friday", "Monday and Wednesday"."""
    if " to " in label:
        first, last = label.split(" to ")
        return WEEKDAYS[WEEKDAYS.index(first) : WEEKDAYS.index(last) + 1]
    return [part.strip() for part in re.split(r",| and ", label) if part.strip()]


def _in_order(needles: list[str], lines: list[str]) -> bool:
    position = 0
    for needle in needles:
        while position < len(lines) and not lines[position].startswith(needle):
            position += 1
        if position == len(lines):
            return False
        position += 1
    return True


def _week_columns(reading: Path, page: int) -> dict[str, list[str]]:
    """The week's page read by its layout: for each day column, the lesson in each period's row."""
    words = [(x0, y0, x1, word) for word, x0, y0, x1, _ in words_on(reading, page)]
    header_y = min(y0 for x0, y0, x1, word in words if word in WEEKDAYS)
    header = sorted((x0, x1, word) for x0, y0, x1, word in words if abs(y0 - header_y) < 2)
    labels: list[tuple[float, str]] = []  # each column's left edge and its label
    previous_end = 0.0
    for x0, x1, word in header:
        if labels and x0 - previous_end < 8:
            labels[-1] = (labels[-1][0], f"{labels[-1][1]} {word}")
        else:
            labels.append((x0, word))
        previous_end = x1
    rows = sorted(y0 for x0, y0, x1, word in words if TIME.match(word) and x1 < labels[0][0])
    cells: dict[str, list[str]] = {label: [] for _, label in labels}
    for index, row in enumerate(rows):
        # A row reaches halfway to the next: its words sit around its time (a two-line name above and below).
        top = (rows[index - 1] + row) / 2 if index else header_y + 10
        bottom = (row + rows[index + 1]) / 2 if index + 1 < len(rows) else row + 30
        texts = []
        for column, (left, _label) in enumerate(labels):
            right = labels[column + 1][0] if column + 1 < len(labels) else 1e9
            inside = sorted(
                (y0, x0, word) for x0, y0, x1, word in words if left - 6 <= x0 < right - 6 and top <= y0 < bottom
            )
            texts.append(" ".join(word for _, _, word in inside))
        joined = " ".join(text for text in texts if text)
        if re.match(r"^[^·]+ · \d", joined):  # a break or lunch the whole week has: one cell across, with its time
            texts = [joined] * len(texts)
        for (_, label), text in zip(labels, texts, strict=True):
            cells[label].append(text)
    return cells


@pytest.mark.parametrize("pupil", PUPILS)
def test_each_day_in_the_booklet_has_its_own_lessons(built: Path, views: dict[str, Any], pupil: str) -> None:
    reading = built / pupil / "booklet.pdf"
    pages = pdf_text(reading).split("\f")
    flat = [" ".join(text.split()) for text in pages]
    sideways = [width > height for width, height in page_sizes(reading)]
    found_any = False
    for _, title, table in timetables(views[pupil]):
        start = next(number for number, text in enumerate(flat) if text.startswith(title))
        days = {day["name"]: day for day in table["days"]}
        school_days = [name for name, day in days.items() if day["in_school"]]
        if sideways[start]:
            # The week on one page: each day's column holds that day's lessons, row by row.
            columns = _week_columns(reading, start + 1)
            seen = [name for label in columns for name in _day_label_covers(label)]
            assert seen == school_days, f"{pupil}: the week's columns are {list(columns)}"
            for label, cells in columns.items():
                for name in _day_label_covers(label):
                    expected = lessons(days[name])
                    assert len(cells) == len(expected), f"{pupil} {name}: {cells}"
                    for cell, lesson in zip(cells, expected, strict=True):
                        assert cell.startswith(lesson), f"{pupil} {name}: {cell!r} is not {lesson!r}"
            found_any = True
            continue
        # A page a day (days with the same lessons share one), each headed by the days it is for.
        covered: list[str] = []
        number = start
        while len(covered) < len(school_days):
            lines = [line.strip() for line in pages[number].splitlines() if line.strip()]
            labels = [line for line in lines if line.split(" ")[0] in WEEKDAYS and _day_label_covers(line)[0] in days]
            assert labels, f"{pupil} {title}: page {number + 1} names no day"
            label = labels[0]
            names = _day_label_covers(label)
            for name in names:
                assert _in_order(lessons(days[name]), lines[lines.index(label) + 1 :]), (
                    f"{pupil} {title}: {name}'s lessons not on page {number + 1}"
                )
            covered += names
            number += 1
        assert covered == school_days, f"{pupil} {title}: {covered}"
        found_any = True
    assert found_any or not timetables(views[pupil])
