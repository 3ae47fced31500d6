"""Warnings: things a pupil or a parent would notice, though nothing is broken.

These are not errors: the pupil is still built. Each warning is a
:class:`~transition_booklets.data.problems.Problem` with ``severity=Severity.warning``
that points at the line to change. A warning about a fact of the pupil's file points
into the pupil file; a warning about a school fact (a photo, a map position) points
into ``school.yaml``, and says which pupil's pages show it.

The kinds of warning:

* a staff member or place that the pupil's pages show has no photo;
* the first visit is in the past although the pupil has not started yet;
* a review is before the start date;
* a place in the pupil's timetable or key places is not on the map (no ``map``
  position, or the school has no map);
* a phase has no timetable (neither its own nor the pupil's full timetable);
* the keyworker has no "where to find me" (``keyworker.where``);
* a text holds a character that no bundled font draws (a rare script, an emoji newer than
  the emoji font): the booklet prints a box (□) for a letter and leaves a symbol out, and a
  page depends on the reader's device.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from transition_booklets.data.loader import SCHOOL_FILE, Cohort, PupilRecord, school_positions
from transition_booklets.data.models import Pupil, School, Timetable
from transition_booklets.data.timetables import full_timetable, timetable_of
from transition_booklets.data.problems import BuildError, Problem, Severity, display_path, dotted
from transition_booklets.data.translations import school_translations
from transition_booklets.data.yaml_source import Location, Positions, YamlProblem, read_yaml
from transition_booklets.support.fonts import undrawable
from transition_booklets.view.words import available_languages, has_words, language_of

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------
# What a pupil's pages use
# ---------------------------------------------------------------------------

# Place kinds that every pupil is shown while their key places are not chosen yet (as in view.py).
DEFAULT_PLACE_KINDS = ("reception", "entrance", "toilets", "small-group-base", "worry-place")
NO_KEY_PLACES = "key_places (none chosen yet, so the main places of the school are shown)"


@dataclass(frozen=True)
class Use:
    """One mention of a staff member or a place in a pupil's file."""

    kind: str  # "staff" or "place"
    id: str
    location: Location
    on_map: bool = False  # shown as a pin on the map, or a place in the timetable

    @property
    def where(self) -> str:
        return dotted(self.location) if self.location else NO_KEY_PLACES


def _timetable_uses(timetable: Timetable | None, prefix: Location) -> Iterator[Use]:
    for weekday, day in (timetable or {}).items():
        for period_id, slot in day.items():
            at = (*prefix, weekday.value, period_id)
            if slot.place:
                yield Use("place", slot.place, (*at, "place"), on_map=True)
            if slot.teacher:
                yield Use("staff", slot.teacher, (*at, "teacher"))


def pupil_uses(school: School, pupil: Pupil) -> list[Use]:
    """Every staff member and place the pupil's pages and booklet show, in file order."""
    uses: list[Use] = []
    visit = pupil.first_visit
    if visit:
        if visit.meet_at:
            uses.append(Use("place", visit.meet_at, ("first_visit", "meet_at")))
        if visit.met_by:
            uses.append(Use("staff", visit.met_by, ("first_visit", "met_by")))
        uses += [Use("staff", s, ("first_visit", "who_i_will_meet", i)) for i, s in enumerate(visit.who_i_will_meet)]
        uses += [Use("place", p, ("first_visit", "places", i)) for i, p in enumerate(visit.places)]
    keyworker = pupil.keyworker
    if keyworker:
        uses.append(Use("staff", keyworker.staff, ("keyworker", "staff")))
        if keyworker.where:
            uses.append(Use("place", keyworker.where, ("keyworker", "where")))
    if pupil.buddy and pupil.buddy.staff:
        uses.append(Use("staff", pupil.buddy.staff, ("buddy", "staff")))
    for index, phase in enumerate(pupil.phases):
        uses += [Use("place", p, ("phases", index, "places", i)) for i, p in enumerate(phase.places)]
        uses += _timetable_uses(phase.timetable, ("phases", index, "timetable"))
    uses += _timetable_uses(pupil.timetable, ("timetable",))
    uses += [Use("place", e.place, ("key_places", i, "place"), on_map=True) for i, e in enumerate(pupil.key_places)]
    worries = pupil.worries
    if worries:
        uses += [Use("staff", e.staff, ("worries", "people", i, "staff")) for i, e in enumerate(worries.people)]
        if worries.place:
            uses.append(Use("place", worries.place, ("worries", "place")))
    uses += [Use("place", b.place, ("break_times", i, "place")) for i, b in enumerate(pupil.break_times) if b.place]
    if pupil.small_group and pupil.small_group.place:
        uses.append(Use("place", pupil.small_group.place, ("small_group", "place")))
    if pupil.mentoring:
        uses.append(Use("staff", pupil.mentoring.mentor, ("mentoring", "mentor")))
    if pupil.family_liaison:
        uses.append(Use("staff", pupil.family_liaison.staff, ("family_liaison", "staff")))
    pinned = (
        pupil.key_places
        or (keyworker and keyworker.where)
        or (worries and worries.place)
        or (pupil.small_group and pupil.small_group.place)
    )
    if not pinned:
        uses += [
            Use("place", place_id, (), on_map=True)
            for place_id, place in school.places.items()
            if place.kind.value in DEFAULT_PLACE_KINDS
        ]
    return uses


# ---------------------------------------------------------------------------
# Warnings
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _SchoolGap:
    """A missing school fact that one pupil's pages show."""

    location: Location  # in school.yaml
    field: str
    what: str
    effect: str  # what the pages show instead
    fix: str
    uses: tuple[str, ...]


# Each part of a pupil file in words, for saying where a staff member or place is shown.
_PARTS = {
    "first_visit": "the first visit", "keyworker": "the keyworker", "buddy": "the buddy",
    "phases": "the phases", "timetable": "the timetable", "key_places": "the key places",
    "worries": "the worries plan", "break_times": "break times", "small_group": "the small group",
    "mentoring": "mentoring", "family_liaison": "keeping in touch", "reviews": "the reviews",
    "agreed": "the agreed plan", "views": "the views", "about_me": "about me",
}  # fmt: skip


def _more(uses: tuple[str, ...]) -> str:
    """Where a staff member or place is shown, in words: "in the first visit and the timetable"."""
    parts = list(
        dict.fromkeys(
            "the school's main places, as no key places are chosen yet"
            if use == NO_KEY_PLACES
            else _PARTS.get(use.split(".")[0].split("[")[0], use)
            for use in uses
        )
    )
    words = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"among {words}" if words.startswith("the school's main places") else f"in {words}"


def _school_gaps(school: School, pupil: Pupil) -> list[_SchoolGap]:
    uses = pupil_uses(school, pupil)
    by_subject: dict[tuple[str, str], list[Use]] = {}
    for use in uses:
        by_subject.setdefault((use.kind, use.id), []).append(use)
    gaps: list[_SchoolGap] = []
    for (kind, item_id), found in by_subject.items():
        where = tuple(dict.fromkeys(use.where for use in found))
        if kind == "staff":
            member = school.staff.get(item_id)
            if member is not None and not member.photo:
                gaps.append(
                    _SchoolGap(
                        ("staff", item_id),
                        f"staff.{item_id}.photo",
                        f"{member.name} has no photo",
                        "initials instead",
                        f"add photo: (the path of a photo of {member.name}) under staff.{item_id}",
                        where,
                    )
                )
            continue
        place = school.places.get(item_id)
        if place is None:
            continue
        if not place.photo:
            gaps.append(
                _SchoolGap(
                    ("places", item_id),
                    f"places.{item_id}.photo",
                    f"{place.name} has no photo",
                    "an icon instead",
                    f"add photo: (the path of a photo of {place.name}) under places.{item_id}",
                    where,
                )
            )
        pinned = tuple(dict.fromkeys(use.where for use in found if use.on_map))
        if pinned and school.map is not None and place.map is None:
            gaps.append(
                _SchoolGap(
                    ("places", item_id),
                    f"places.{item_id}.map",
                    f"{place.name} is not on the map",
                    "no pin for it on the map",
                    f"add map: {{x: …, y: …}} under places.{item_id} (percent from the left and from the top "
                    "of the map picture)",
                    pinned,
                )
            )
    if school.map is None:
        pinned = tuple(dict.fromkeys(use.where for use in uses if use.on_map))
        if pinned:
            gaps.append(
                _SchoolGap(
                    (),
                    "map",
                    "the school has no map",
                    "no map of where the places are",
                    "add map: with image: (the path of a picture of the school map) to school.yaml",
                    pinned,
                )
            )
    return gaps


def _pupil_gaps(pupil: Pupil, school: School, today: dt.date) -> Iterator[tuple[Location, str, str]]:
    """(where in the pupil file, field, message) for facts of the pupil's own file."""
    name = pupil.called
    visit = pupil.first_visit
    not_started = pupil.start_date is None or pupil.start_date > today
    if visit and visit.date < today and not_started:
        yield (
            ("first_visit", "date"),
            "first_visit.date",
            f"the first visit date ({visit.date.isoformat()}) has passed and {name} has not started yet; if the "
            "visit has not happened, correct the date so the pages do not show a day that has gone",
        )
    keyworker = pupil.keyworker
    if keyworker and keyworker.where is None:
        yield (
            ("keyworker",),
            "keyworker.where",
            f"the keyworker has no 'where to find me', so {name}'s page cannot say where to go; add "
            "keyworker.where: (a place id)",
        )
    yield from _timetable_gaps(pupil, school)
    yield from _phase_order(pupil)
    for index, phase in enumerate(pupil.phases):
        if not timetable_of(pupil, phase, school):
            yield (
                ("phases", index),
                f"phases[{index}].timetable",
                f"'{phase.name}' has no timetable, and there is no full timetable either, so {name} cannot see "
                f"the lessons; add timetable: to this phase, or the full timetable: to the file",
            )
    if pupil.start_date:
        for index, review in enumerate(pupil.reviews):
            if review.date < pupil.start_date:
                yield (
                    ("reviews", index, "date"),
                    f"reviews[{index}].date",
                    f"this review ({review.date.isoformat()}) is before the start date "
                    f"({pupil.start_date.isoformat()}); check the year and the month",
                )


def _phase_order(pupil: Pupil) -> Iterator[tuple[Location, str, str]]:
    """Phases written out of order, or whose dates overlap: the pages would show two steps at once."""
    for index in range(1, len(pupil.phases)):
        before, phase = pupil.phases[index - 1], pupil.phases[index]
        if phase.from_ < before.from_:
            yield (
                ("phases", index, "from"),
                f"phases[{index}].from",
                f"'{phase.name}' starts ({phase.from_.isoformat()}) before '{before.name}' above it "
                f"({before.from_.isoformat()}); put the phases in the order they happen, or check the dates",
            )
        elif before.to is not None and phase.from_ <= before.to:
            yield (
                ("phases", index, "from"),
                f"phases[{index}].from",
                f"'{phase.name}' starts ({phase.from_.isoformat()}) before '{before.name}' ends "
                f"({before.to.isoformat()}), so both would be shown for those days; let one end before the next starts",
            )


def _timetable_gaps(pupil: Pupil, school: School) -> Iterator[tuple[Location, str, str]]:
    """School days and periods a timetable leaves out without saying why (``not in school`` says why)."""
    name = pupil.called
    checked: list[tuple[Location, str, Timetable | None]] = [(("timetable",), "timetable", full_timetable(pupil, school))]
    for index, phase in enumerate(pupil.phases):
        if phase.timetable is not None:
            checked.append((("phases", index, "timetable"), f"phases[{index}].timetable", phase.timetable))
        elif phase.timetable_changes is not None:
            where = ("phases", index, "timetable_changes")
            checked.append((where, f"phases[{index}].timetable_changes", timetable_of(pupil, phase, school)))
    lessons = [period.id for period in school.periods if period.kind.value == "lesson"]
    for location, field, timetable in checked:
        if not timetable:
            continue
        missing = [day for day in school.school_days if day not in timetable]
        if missing:
            days = ", ".join(day.value.capitalize() for day in missing)
            example = missing[0].value
            written = [day for day in timetable if day in school.school_days]
            like = f" (or {example}: same as {written[0].value})" if written else ""
            yield (
                location,
                field,
                f"{days} {'is' if len(missing) == 1 else 'are'} not in this timetable, so {name}'s pages and booklet "
                f"say {name} is not in school then; if that is right, say so: {example}: not in school; otherwise "
                f"add the day{like}",
            )
        for day in timetable:
            if day not in school.school_days:
                yield (
                    (*location, day.value),
                    f"{field}.{day.value}",
                    f"the school is not open on {day.value.capitalize()}s (school_days in school.yaml), so this day "
                    f"is never shown; take it out, or add {day.value} to school_days if the school is open then",
                )
        for day, slots in timetable.items():
            planned = [index for index, period in enumerate(lessons) if period in slots]
            if not planned:
                continue
            gaps = [period for period in lessons[planned[0] : planned[-1] + 1] if period not in slots]
            if gaps:
                listed = ", ".join(gaps)
                yield (
                    (*location, day.value),
                    f"{field}.{day.value}",
                    f"{listed} on {day.value.capitalize()} {'has' if len(gaps) == 1 else 'have'} nothing planned between "
                    f"lessons; add {'it' if len(gaps) == 1 else 'them'}, or write {gaps[0]}: not in school",
                )


# ---------------------------------------------------------------------------
# Characters no bundled font draws
# ---------------------------------------------------------------------------


def _texts(value: object, at: Location = ()) -> Iterator[tuple[Location, str]]:
    if isinstance(value, str):
        yield at, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, (*at, str(key)))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _texts(item, (*at, index))


def _shown(chars: list[str]) -> str:
    return ", ".join(f"{char} (U+{ord(char):04X})" for char in chars)


def drawing_warnings(file: str, data: object, positions: Positions) -> list[Problem]:
    """A warning at each text of ``data`` (a file's values) holding characters no bundled font draws."""
    warnings = []
    for location, text in _texts(data):
        missing = undrawable(text)
        if not missing:
            continue
        line, column = positions.of(location)
        emoji_only = all(unicodedata.category(char) == "So" for char in missing)
        effect = (
            "the booklet leaves it out, and the pages show it only where the reader's device has emoji"
            if emoji_only
            else "the booklet prints a box (□) in its place, and the pages show it only if the reader's device has a font for it"
        )
        warnings.append(
            Problem(
                file,
                line,
                column,
                dotted(location),
                f"no font in the guide or booklet can draw {_shown(missing)}, so {effect}; "
                "write it another way, or leave it if the pages are enough",
                Severity.warning,
            )
        )
    return warnings


def _pupil_values(record: PupilRecord) -> object:
    return record.pupil.model_dump(mode="json", by_alias=True, exclude_none=True)


def school_drawing_warnings(cohort: Cohort) -> list[Problem]:
    """Characters no font draws in ``school.yaml``'s texts (shown on many pupils' pages)."""
    if cohort.school is None or not _has_undrawable(cohort.data_dir / SCHOOL_FILE):
        return []
    values = cohort.school.model_dump(mode="json", by_alias=True, exclude_none=True)
    return drawing_warnings(display_path(cohort.data_dir / SCHOOL_FILE), values, school_positions(cohort.data_dir))


def cohort_drawing_warnings(cohort: Cohort) -> list[Problem]:
    """The drawing warnings of every pupil and of ``school.yaml``, for every build's output.

    A file's text is looked at first, so that only a pupil whose file has such a character is
    read in full (a build after one edit does not read the others' files again).
    """
    warnings = school_drawing_warnings(cohort)
    for record in sorted(cohort.pupils, key=lambda record: record.id):
        if _has_undrawable(record.path):
            warnings += drawing_warnings(display_path(record.path), _pupil_values(record), record.positions)
    return warnings


def _has_undrawable(path: Path) -> bool:
    try:
        return bool(undrawable(path.read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return False


def _language_warnings(record: PupilRecord, school: School) -> list[Problem]:
    """A family language the tool (and the school's theme) has no words for."""
    locale = record.pupil.family_language
    if not locale:
        return []
    language = language_of(locale)
    if has_words(locale, school.theme):
        try:
            school_translations(record.path.parent, language)
        except BuildError as error:  # the pupil's build says the same, and stops
            return [Problem(display_path(record.path), *record.positions.of(("family_language",)), "family_language",
                            f"its translations cannot be read: {error}", Severity.warning)]  # fmt: skip
        return []
    line, column = record.positions.of(("family_language",))
    known = ", ".join(available_languages())
    message = (
        f"the tool has no words in '{language}' yet, so the family page, calendar and letter stay in the "
        f"school's language; use one of {known}, or give the words in theme/strings/{language}.yaml"
    )
    return [Problem(display_path(record.path), line, column, "family_language", message, Severity.warning)]


def _own_warnings(record: PupilRecord, school: School, today: dt.date) -> list[Problem]:
    pupil_file = display_path(record.path)
    warnings = drawing_warnings(pupil_file, _pupil_values(record), record.positions) if _has_undrawable(record.path) else []
    warnings += _language_warnings(record, school)
    for location, field, message in _pupil_gaps(record.pupil, school, today):
        # A missing key is reported at its parent key's line ("keyworker:"), a value at the value.
        at_key = location == ("keyworker",) or location[-1] in ("timetable", "timetable_changes")
        line, column = record.positions.of(location, key=at_key)
        warnings.append(Problem(pupil_file, line, column, field, message, Severity.warning))
    return sorted(warnings, key=lambda problem: (problem.line, problem.column, problem.field))


def _whose(record: PupilRecord) -> str:
    return f"{record.pupil.called}'s pages ({record.id})"


def _school_problem(school_file: str, positions: Positions, gap: _SchoolGap, whose: str, uses: str) -> Problem:
    line, column = positions.of(gap.location, key=True) if gap.location else (1, 1)
    used = f" ({uses})" if uses else ""
    message = f"{gap.what}, so {whose} show {gap.effect}{used}; {gap.fix}"
    return Problem(school_file, line, column, gap.field, message, Severity.warning)


def pupil_warnings(cohort: Cohort, record: PupilRecord, today: dt.date | None = None) -> list[Problem]:
    """Warnings for one pupil: the pupil file's own, then the school facts the pupil's pages show."""
    school = cohort.school
    if school is None:
        return []
    today = today or dt.date.today()
    warnings = _own_warnings(record, school, today)
    warnings += school_drawing_warnings(cohort)
    gaps = _school_gaps(school, record.pupil)
    if gaps:
        positions = school_positions(cohort.data_dir)
        school_file = display_path(cohort.data_dir / SCHOOL_FILE)
        school_warnings = [
            _school_problem(school_file, positions, gap, _whose(record), _more(gap.uses)) for gap in gaps
        ]
        warnings += sorted(school_warnings, key=lambda problem: (problem.line, problem.column, problem.field))
    log.debug("%d warnings for %s", len(warnings), record.id)
    return warnings


def cohort_warnings(cohort: Cohort, today: dt.date | None = None) -> list[Problem]:
    """Warnings for every pupil, for ``check``: pupil files first, then one warning per school fact.

    A school fact (say, a photo missing for Miss Adeyemi) is reported once, naming every pupil whose
    pages show it, instead of once per pupil.
    """
    school = cohort.school
    if school is None:
        return []
    today = today or dt.date.today()
    records = sorted(cohort.pupils, key=lambda record: record.id)
    warnings: list[Problem] = []
    shared: dict[tuple[Location, str], tuple[_SchoolGap, list[PupilRecord]]] = {}
    for record in records:
        warnings += _own_warnings(record, school, today)
        for gap in _school_gaps(school, record.pupil):
            shared.setdefault((gap.location, gap.field), (gap, []))[1].append(record)
    positions = school_positions(cohort.data_dir)
    school_file = display_path(cohort.data_dir / SCHOOL_FILE)
    school_warnings = []
    for gap, pupils in shared.values():
        if len(pupils) == 1:
            problem = _school_problem(school_file, positions, gap, _whose(pupils[0]), _more(gap.uses))
        else:
            ids = [record.id for record in pupils]
            whose = "the pages of " + ", ".join(ids[:-1]) + " and " + ids[-1]
            problem = _school_problem(school_file, positions, gap, whose, "")
        school_warnings.append(problem)
    school_warnings += school_drawing_warnings(cohort)
    warnings += sorted(school_warnings, key=lambda problem: (problem.line, problem.column, problem.field))
    return warnings
