"""Groups' timetables from a timetable export, written into ``groups.yaml``.

The export is in long form, one lesson a row: group, day, period, subject, room, teacher
(headers matched by meaning, as for pupil lists). Periods, subjects, rooms and teachers are
matched to ``school.yaml`` by id or by name ("Period 1" or ``p1``, "Maths" or ``maths``,
"Mr Nowak" or ``mr-nowak``), with "did you mean" for near misses. The import owns each listed
group's ``timetable`` (and makes the group if it is new); everything else in ``groups.yaml``,
comments included, stays as it was.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from transition_booklets.data.loader import GROUPS_FILE, load_school
from transition_booklets.data.models import WEEKDAYS, School
from transition_booklets.data.problems import display_path
from transition_booklets.data.suggest import did_you_mean
from transition_booklets.intake import yaml_files
from transition_booklets.intake.spreadsheets import Cell, fold, read_sheet
from transition_booklets.support.files import write_atomic

COLUMNS: Mapping[str, tuple[str, ...]] = {
    "group": ("group", "reggroup", "class", "form", "tutorgroup", "set", "teachinggroup", "classgroup"),
    "day": ("day", "weekday", "dayname", "dayofweek"),
    "period": ("period", "lesson", "periodname", "slot", "timeslot"),
    "subject": ("subject", "subjectname", "course"),
    "room": ("room", "roomname", "place", "location"),
    "teacher": ("teacher", "staff", "teachername", "staffname", "staffcode"),
}
_NOT_ID = re.compile(r"[^a-z0-9]+")


@dataclass
class TimetableReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.skipped


def looks_like_a_timetable(headers: list[str]) -> bool:
    folded = {fold(header) for header in headers}
    return any(alias in folded for alias in COLUMNS["day"]) and any(alias in folded for alias in COLUMNS["period"])


def _match(text: str, what: str, choices: Mapping[str, list[str]]) -> str:
    """The id whose id or one of whose names is ``text`` (folded), or ValueError with a suggestion."""
    wanted = fold(text)
    for key, names in choices.items():
        if wanted in {fold(key), *(fold(name) for name in names if name)}:
            return key
    everything = [name for key, names in choices.items() for name in (key, *names) if name]
    hint = did_you_mean(text, everything)
    return _refuse(f"no {what} '{text}' in school.yaml{hint}; add it there or correct the export")


def _refuse(message: str) -> str:
    raise ValueError(message)


def _day(text: str) -> str:
    wanted = fold(text)
    for day in WEEKDAYS:
        if wanted in (day.value, day.value[:3], day.value[:2]):
            return day.value
    hint = did_you_mean(text.lower(), [day.value for day in WEEKDAYS])
    return _refuse(f"'{text}' is not a day of the week{hint}")


def _group_id(name: str, existing: Mapping[str, str]) -> str:
    for group_id, group_name in existing.items():
        if fold(group_id) == fold(name) or fold(group_name) == fold(name):
            return group_id
    return _NOT_ID.sub("-", name.lower()).strip("-") or "group"


def import_timetable(data_dir: Path, source: Path, *, dry_run: bool = False) -> TimetableReport:
    """Write the timetables of the groups in ``source`` into ``groups.yaml``; with ``dry_run`` nothing is written."""
    school, problems = load_school(data_dir)
    if school is None:
        raise ValueError(
            "\n".join(str(problem) for problem in problems) + "\nput school.yaml (and groups.yaml) right first"
        )
    sheet = read_sheet(source)
    folded = {fold(header): header for header in sheet.headers if header}
    columns: dict[str, str] = {}
    for fact, aliases in COLUMNS.items():
        found = next((alias for alias in aliases if alias in folded), None)
        if found:
            columns[fact] = found
    missing = [fact for fact in ("group", "day", "period") if fact not in columns]
    if missing:
        raise ValueError(
            f"{display_path(source)}: no {', '.join(missing)} column; a timetable export needs group, day, period, "
            f"and subject, room and teacher where known. Its columns are: {', '.join(sheet.headers)}"
        )
    report = TimetableReport(ignored_columns=[header for key, header in folded.items() if key not in columns.values()])
    path = data_dir / GROUPS_FILE
    data = yaml_files.load(path) if path.is_file() else CommentedMap()
    groups = data.setdefault("groups", CommentedMap())
    known_names = {str(group_id): str(group.get("name", group_id)) for group_id, group in groups.items()}
    choices = _choices(school)
    timetables: dict[str, dict[str, dict[str, CommentedMap]]] = {}
    names: dict[str, str] = {}
    for number, cells in sheet.rows:
        try:
            group_name = _cell(cells, columns, "group") or _refuse("no group")
            group_id = _group_id(group_name, known_names)
            day = _day(_cell(cells, columns, "day") or _refuse("no day"))
            period = _match(_cell(cells, columns, "period") or _refuse("no period"), "period", choices["period"])
            lesson = CommentedMap()
            for fact, key, what in (
                ("subject", "subject", "subject"),
                ("room", "place", "room"),
                ("teacher", "teacher", "member of staff"),
            ):
                text = _cell(cells, columns, fact)
                if text:
                    lesson[key] = _match(text, what, choices[fact])
        except ValueError as error:
            report.skipped.append(f"{display_path(source)}:{number}: {error}")
            continue
        lesson.fa.set_flow_style()
        names.setdefault(group_id, group_name)
        timetables.setdefault(group_id, {}).setdefault(day, {})[period] = lesson
    period_order = [period.id for period in school.periods]
    for group_id, days in timetables.items():
        timetable = CommentedMap()
        for day in WEEKDAYS:
            if day.value in days:
                periods = CommentedMap()
                for period in sorted(days[day.value], key=period_order.index):
                    periods[period] = days[day.value][period]
                timetable[day.value] = periods
        if group_id not in groups:
            groups[group_id] = CommentedMap([("name", names[group_id]), ("timetable", timetable)])
            report.created.append(group_id)
        elif yaml_files.plain(groups[group_id].get("timetable")) != yaml_files.plain(timetable):
            groups[group_id]["timetable"] = timetable
            report.updated.append(group_id)
        else:
            report.unchanged.append(group_id)
    if (report.created or report.updated) and not dry_run:
        write_atomic(path, yaml_files.dump(data))
    return report


def _cell(cells: Mapping[str, Cell], columns: Mapping[str, str], fact: str) -> str:
    value = cells.get(columns[fact]) if fact in columns else None
    return " ".join(str(value).split()) if value is not None else ""


def _choices(school: School) -> dict[str, dict[str, list[str]]]:
    return {
        "period": {period.id: [period.name] for period in school.periods},
        "subject": {subject_id: [subject.name] for subject_id, subject in school.subjects.items()},
        "room": {place_id: [place.name] for place_id, place in school.places.items()},
        "teacher": {staff_id: [member.name, member.full_name or ""] for staff_id, member in school.staff.items()},
    }
