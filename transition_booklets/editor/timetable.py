"""A week's timetable as a grid: one column for each school day, one cell for each period.

Each cell is a choice of subject (or "not in school" for that period), place and teacher, shown
by name and stored as ids, and a short note (what happens at break, "with Ms Khan"). Each day
is the day's own lessons, ``same as <an earlier day>`` or ``not in school``: written in the file
in those words, as a person would write them.

A pupil in groups (``groups: [7b]``) writes only what differs from the groups' week: an empty
cell shows what the group has there ("As 7B: Maths"), so nothing needs typing twice.

The same grid edits a pupil's ``timetable`` and a group's (``groups.yaml``). :func:`grid_of`
makes it from a file's plain data; :func:`timetable_from_form` reads back what the browser
sent; :func:`same_week` tells whether that is what the file already says (in any of its short
ways of writing days), so a grid saved unchanged leaves the file as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from transition_booklets.data.models import NOT_IN_SCHOOL, WEEKDAYS, Period, School, Weekday, expand_days

ABSENT = "@absent"  # the subject choice "not in school" (for this period)
OWN, DAY_OFF = "own", "absent"  # a day's choices besides "same as <day>"
SLOT_KEYS = ("subject", "place", "teacher", "note")


@dataclass
class Cell:
    """One period of one day: its choices now, and what the pupil's groups have there."""

    period: Period
    subject: str = ""  # a subject id, ABSENT, or "" (nothing, or the group's)
    place: str = ""
    teacher: str = ""
    note: str = ""
    from_groups: str = ""  # e.g. "7B: Maths", shown in an empty cell

    def name(self, day: Weekday, key: str) -> str:
        return f"tt.{day.value}.{self.period.id}.{key}"


@dataclass
class Column:
    day: Weekday
    mode: str = OWN  # OWN, DAY_OFF or a weekday it is the same as
    cells: list[Cell] = field(default_factory=list)

    @property
    def mode_name(self) -> str:
        return f"tt.{self.day.value}.mode"

    @property
    def earlier_days(self) -> list[Weekday]:
        return list(WEEKDAYS[: WEEKDAYS.index(self.day)])


@dataclass
class Grid:
    """The week, and the school's choices for its cells."""

    path: tuple[str, ...]  # where the timetable is in its file: ("timetable",) or ("groups", "7b", "timetable")
    columns: list[Column]
    subjects: list[tuple[str, str]]
    places: list[tuple[str, str]]
    staff: list[tuple[str, str]]
    present: bool = False  # the file has a timetable
    groups: list[str] = field(default_factory=list)  # names of the pupil's groups, whose week lies under this one
    problems: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return ".".join(self.path)


def _days(school: School) -> list[Weekday]:
    return [day for day in WEEKDAYS if day in school.school_days]


def _slot(value: Any) -> dict[str, Any]:
    """A slot as written (``{subject: maths, …}`` or ``not in school``) as plain keys."""
    if isinstance(value, str) and value.strip().lower() == NOT_IN_SCHOOL:
        return {"absent": True}
    return {str(key): item for key, item in value.items()} if isinstance(value, dict) else {}


def _expanded(timetable: Any) -> dict[str, dict[str, dict[str, Any]]]:
    """A written timetable with its short ways of writing days worked out (days → periods → slot)."""
    if not isinstance(timetable, dict):
        return {}
    try:
        days = expand_days({str(key): value for key, value in timetable.items()})
    except ValueError:  # written wrongly: ``check`` says how; the grid shows what it can
        days = {str(key): value for key, value in timetable.items() if str(key) in [day.value for day in WEEKDAYS]}
    week: dict[str, dict[str, dict[str, Any]]] = {}
    for day, periods in days.items():
        day_periods = periods if isinstance(periods, dict) else {}
        week[str(day)] = {str(period): _slot(slot) for period, slot in day_periods.items()}
    return week


def _group_hints(data: Any, school: School) -> tuple[list[str], dict[tuple[str, str], str]]:
    """The pupil's groups' names, and what they have in each (day, period), e.g. "7B: Maths"."""
    names: list[str] = []
    hints: dict[tuple[str, str], str] = {}
    chosen = data.get("groups") if isinstance(data, dict) else None
    for group_id in chosen if isinstance(chosen, list) else []:
        group = school.groups.get(str(group_id))
        if group is None:
            continue
        names.append(group.name)
        for day, periods in (group.timetable or {}).items():
            for period_id, slot in periods.items():
                what = (
                    "not in school"
                    if slot.absent
                    else (school.subjects[slot.subject].name if slot.subject in school.subjects else slot.note or "")
                )
                if what:
                    hints[(day.value, period_id)] = f"{group.name}: {what}"
    return names, hints


def grid_of(data: Any, path: tuple[str, ...], school: School, *, with_groups: bool = True) -> Grid:
    """The grid for the timetable at ``path`` in a file holding plain ``data``."""
    written: Any = data
    for key in path:
        written = written.get(key) if isinstance(written, dict) else None
    raw_days = {str(key).strip().lower(): value for key, value in written.items()} if isinstance(written, dict) else {}
    week = _expanded(written)
    groups, hints = _group_hints(data, school) if with_groups else ([], {})
    columns = []
    for day in _days(school):
        raw = raw_days.get(day.value)
        mode = OWN
        if isinstance(raw, str) and raw.strip().lower() == NOT_IN_SCHOOL:
            mode = DAY_OFF
        elif isinstance(raw, str) and raw.strip().lower().startswith("same as "):
            mode = raw.strip().lower().removeprefix("same as ").strip()
        elif day.value in week and not week[day.value] and raw is not None:
            mode = DAY_OFF
        column = Column(day, mode)
        slots = week.get(day.value, {})
        for period in school.periods:
            slot = slots.get(period.id, {})
            column.cells.append(
                Cell(
                    period,
                    subject=ABSENT if slot.get("absent") else str(slot.get("subject") or ""),
                    place=str(slot.get("place") or ""),
                    teacher=str(slot.get("teacher") or ""),
                    note=str(slot.get("note") or ""),
                    from_groups=hints.get((day.value, period.id), ""),
                )
            )
        columns.append(column)
    return Grid(
        path,
        columns,
        subjects=[(subject_id, subject.name) for subject_id, subject in school.subjects.items()],
        places=[(place_id, place.name) for place_id, place in school.places.items()],
        staff=[(staff_id, member.name) for staff_id, member in school.staff.items()],
        present=written is not None,
        groups=groups,
    )


def timetable_from_form(school: School, sent: dict[str, list[str]]) -> dict[str, Any] | None:
    """The timetable the grid sent, written as a person would (``same as monday``, ``not in school``);
    None when it is empty. Cells of a day that is the same as another, or not in school, are left out."""

    def value(name: str) -> str:
        return (sent.get(name) or [""])[-1].strip()

    timetable: dict[str, Any] = {}
    for day in _days(school):
        mode = value(f"tt.{day.value}.mode") or OWN
        if mode == DAY_OFF:
            timetable[day.value] = NOT_IN_SCHOOL
            continue
        if mode != OWN:
            timetable[day.value] = f"same as {mode}"
            continue
        periods: dict[str, Any] = {}
        for period in school.periods:
            cell = Cell(period)
            chosen = {key: value(cell.name(day, key)) for key in SLOT_KEYS}
            if chosen["subject"] == ABSENT:
                periods[period.id] = NOT_IN_SCHOOL
                continue
            slot = {key: text for key, text in chosen.items() if text}
            if slot:
                periods[period.id] = slot
        if periods:
            timetable[day.value] = periods
    return timetable or None


def same_week(written: Any, sent: dict[str, Any] | None) -> bool:
    """Whether the timetable ``sent`` means what the file's ``written`` one does."""
    return _expanded(written) == _expanded(sent) and (written is None) == (sent is None)


def sends_grid(sent: dict[str, list[str]]) -> bool:
    """Whether the form had a timetable grid in it (a form without one leaves the timetable alone)."""
    return any(name.startswith("tt.") for name in sent)
