"""The data model: what a school writes once and what each pupil file adds.

Every model forbids unknown keys, so a misspelt key is reported instead of being
silently ignored. References between files (a place, a staff member, a subject,
a period) are checked against the school through the validation context: pass
``context={"school": school}`` when validating a pupil. Without a school (for
example when ``school.yaml`` itself is broken) the references are not checked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from transition_booklets.data.school_theme import SchoolTheme
from transition_booklets.data.suggest import did_you_mean

# ---------------------------------------------------------------------------
# Small value types
# ---------------------------------------------------------------------------

_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")
_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _parse_time(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        match = _TIME.match(value)
        if match:
            hour, minute = int(match.group(1)), int(match.group(2))
            if hour < 24 and minute < 60:
                return dt.time(hour, minute)
    suggested = _time_meant(value)
    if suggested is not None:
        written, meant = suggested
        message = (
            '{written} is read as a number, not a time; write the time in quotes on the 24-hour clock: "{meant}"'
            if isinstance(value, (int, float))
            else '{written} is not on the 24-hour clock; write it in quotes as "{meant}"'
        )
        raise PydanticCustomError("bad_time", message, {"written": written, "meant": meant})
    raise PydanticCustomError(
        "bad_time",
        '\'{value}\' is not a time; write times on the 24-hour clock in quotes, e.g. "08:45" or "13:30"',
        {"value": value},
    )


_TWELVE_HOUR = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?m\.?\s*$", re.I)


def _time_meant(value: Any) -> tuple[str, str] | None:
    """What a time written another way was meant to be: ``9.30`` (read as the number 9.3) → "09:30",
    ``10`` → "10:00", ``2pm`` → "14:00"; with how it was written. None when it cannot be told."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 <= value < 24:
        return str(value), f"{value:02d}:00"
    if isinstance(value, float) and 0 <= value < 24:
        hour = int(value)
        minute = round((value - hour) * 100)
        if minute < 60:
            return f"{hour}.{minute:02d}", f"{hour:02d}:{minute:02d}"
    if isinstance(value, str):
        match = _TWELVE_HOUR.match(value)
        if match:
            hour, minute = int(match.group(1)), int(match.group(2) or 0)
            if 1 <= hour <= 12 and minute < 60:
                hour = hour % 12 + (12 if match.group(3).lower() == "p" else 0)
                return f"'{value.strip()}'", f"{hour:02d}:{minute:02d}"
    return None


def _check_colour(value: str) -> str:
    if not _COLOUR.match(value):
        raise PydanticCustomError(
            "bad_colour",
            "'{value}' is not a colour; write it as a hex code in quotes, e.g. \"#1f5f8b\"",
            {"value": value},
        )
    return value.lower()


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise PydanticCustomError(
            "bad_id",
            "'{value}' cannot be used as an id; use lower-case letters, digits and dashes, e.g. 'science-lab'",
            {"value": value},
        )
    return value


_LOCALE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


def _check_locale(value: str) -> str:
    if not _LOCALE.match(value):
        raise PydanticCustomError(
            "bad_locale",
            "'{value}' is not a language; write a language tag, e.g. 'en-GB' (English) or 'cy-GB' (Welsh)",
            {"value": value},
        )
    return value


ClockTime = Annotated[dt.time, Field(json_schema_extra={"type": "string", "pattern": _TIME.pattern})]
Colour = Annotated[str, AfterValidator(_check_colour), Field(pattern=_COLOUR.pattern)]
Id = Annotated[str, AfterValidator(_check_id), Field(pattern=_ID.pattern)]
Text = Annotated[str, Field(min_length=1)]


def _listing(plural: str, known: list[str]) -> str:
    if not known:
        return f"; there are no {plural} in school.yaml yet, so add it under '{plural}:' there"
    shown = ", ".join(known[:12]) + (", …" if len(known) > 12 else "")
    return f"; use one of: {shown} (or add it under '{plural}:' in school.yaml)"


def _check_data_path(value: str, info: ValidationInfo) -> str:
    """A file inside the data folder: relative, no '..', no link that leads out, and present."""
    root = (info.context or {}).get("data_dir")
    if root is None:
        return value
    reason = data_path_problem(Path(root), value)
    if reason:
        raise PydanticCustomError("bad_path", "{reason}", {"reason": reason})
    return value


def data_path_problem(root: Path, value: str) -> str | None:
    """Why ``value`` cannot be used as a file of the data folder ``root``, or None."""
    candidate = Path(value)
    if candidate.is_absolute() or value.startswith(("/", "\\")) or (len(value) > 1 and value[1] == ":"):
        return f"'{value}' is an absolute path; give the path from the data folder, e.g. 'photos/khan.jpg'"
    if ".." in candidate.parts:
        return f"'{value}' leaves the data folder; put the file inside the data folder and give its path from there"
    full = root / candidate
    try:
        resolved = full.resolve(strict=True)
    except (OSError, RuntimeError):
        near = did_you_mean(candidate.name, [p.name for p in full.parent.iterdir()] if full.parent.is_dir() else [])
        return f"no file '{value}' in the data folder{near}; check the spelling and the folder"
    if not resolved.is_relative_to(root.resolve()):
        return f"'{value}' is a link that leads out of the data folder; copy the file into the data folder instead"
    if not resolved.is_file():
        return f"'{value}' is a folder, not a file"
    return None


DataPath = Annotated[str, AfterValidator(_check_data_path)]


def _reference(kind: str, plural: str, attribute: str) -> Callable[[str, ValidationInfo], str]:
    """A check that a string names an entry of the school's ``attribute`` mapping."""

    def check(value: str, info: ValidationInfo) -> str:
        school = (info.context or {}).get("school")
        if school is None:
            return value
        known = getattr(school, attribute)
        if value not in known:
            hint = did_you_mean(value, known)
            raise PydanticCustomError(
                "unknown_reference",
                "no {kind} '{value}' in school.yaml{hint}",
                {"kind": kind, "value": value, "hint": hint or _listing(plural, list(known))},
            )
        return value

    return check


PlaceId = Annotated[str, AfterValidator(_reference("place", "places", "places"))]
StaffId = Annotated[str, AfterValidator(_reference("staff member", "staff", "staff"))]
SubjectId = Annotated[str, AfterValidator(_reference("subject", "subjects", "subjects"))]
PeriodId = Annotated[str, AfterValidator(_reference("period", "periods", "period_ids"))]


class Model(BaseModel):
    """Base for every model: unknown keys are errors, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class TimeRange(Model):
    """Mixin behaviour: ``end`` must come after ``start`` when both are given."""

    @field_validator("end", check_fields=False)
    @classmethod
    def _end_after_start(cls, end: Any, info: ValidationInfo) -> Any:
        start = info.data.get("start")
        if end is not None and start is not None and end <= start:
            raise PydanticCustomError(
                "end_before_start",
                "ends at {end} but starts at {start}; the end must come after the start",
                {"end": str(end)[:5], "start": str(start)[:5]},
            )
        return end

    @field_validator("start", "end", mode="before", check_fields=False)
    @classmethod
    def _time(cls, value: Any) -> Any:
        return None if value is None else _parse_time(value)


class DateRange(Model):
    @field_validator("to", check_fields=False)
    @classmethod
    def _to_after_from(cls, to: Any, info: ValidationInfo) -> Any:
        start = info.data.get("from_")
        if to is not None and start is not None and to < start:
            raise PydanticCustomError(
                "end_before_start",
                "ends on {end} but starts on {start}; the end date must not be before the start date",
                {"end": to.isoformat(), "start": start.isoformat()},
            )
        return to


# ---------------------------------------------------------------------------
# School
# ---------------------------------------------------------------------------


class PlaceKind(StrEnum):
    entrance = "entrance"
    reception = "reception"
    toilets = "toilets"
    small_group_base = "small-group-base"
    worry_place = "worry-place"
    library = "library"
    canteen = "canteen"
    playground = "playground"
    classroom = "classroom"
    office = "office"
    hall = "hall"
    sports = "sports"
    medical = "medical"
    other = "other"


class PeriodKind(StrEnum):
    registration = "registration"
    lesson = "lesson"
    break_ = "break"
    lunch = "lunch"


class MapPosition(Model):
    """Where a place is on the school map, in percent of the map's width and height."""

    x: Annotated[float, Field(ge=0, le=100, description="Percent from the left edge of the map (0–100).")]
    y: Annotated[float, Field(ge=0, le=100, description="Percent from the top edge of the map (0–100).")]


class Place(Model):
    name: Text
    kind: PlaceKind = PlaceKind.other
    photo: DataPath | None = Field(None, description="Path of a photo, relative to the data folder.")
    photo_description: str | None = Field(
        None,
        description=(
            "What the photo shows, as a pupil will see it on arrival, e.g. 'Glass doors and a long desk "
            "with a bell': read out in place of the photo."
        ),
    )
    description: str | None = Field(None, description="What happens there, in a short sentence or two.")
    map: MapPosition | None = Field(None, description="Where it is on the school map.")
    directions: str | None = Field(None, description="How to get there, e.g. 'Up the stairs, first door on the left'.")


class StaffMember(Model):
    name: Text = Field(description="How pupils address them, e.g. 'Ms Khan'.")
    full_name: str | None = None
    role: str | None = None
    photo: DataPath | None = None
    pronouns: str | None = None


class Period(TimeRange):
    id: Id
    name: Text
    kind: PeriodKind = PeriodKind.lesson
    start: ClockTime
    end: ClockTime


def _check_icon(value: str) -> str:
    from transition_booklets.support.icons import icon_names, icon_path

    if icon_path(value) is None:
        hint = did_you_mean(value, icon_names())
        raise PydanticCustomError(
            "unknown_icon",
            "no icon called '{value}'{hint}; pick one from https://pictogrammers.com/library/mdi/ and write it "
            "as 'material/<name>'",
            {"value": value, "hint": hint},
        )
    return value


class Subject(Model):
    name: Text
    colour: Colour = "#5c6bc0"
    icon: Annotated[str, AfterValidator(_check_icon)] = Field(
        "material/book-open-variant", description="A Material Design icon name, e.g. 'material/calculator'."
    )


class Contact(Model):
    name: Text = Field(description="Who or what this is, e.g. 'School office' or 'Attendance line'.")
    phone: str | None = None
    email: str | None = None
    hours: str | None = Field(None, description="When to call, e.g. 'Monday to Friday, 8am to 4pm'.")
    about: str | None = Field(None, description="What to contact them about.")


class Colours(Model):
    primary: Colour = "#1f5f8b"
    accent: Colour = "#f2a900"


class SchoolMap(Model):
    image: DataPath = Field(description="Path of the map image, relative to the data folder.")
    description: str | None = Field(None, description="A sentence describing the map for people who cannot see it.")


class Weekday(StrEnum):
    monday = "monday"
    tuesday = "tuesday"
    wednesday = "wednesday"
    thursday = "thursday"
    friday = "friday"
    saturday = "saturday"
    sunday = "sunday"


WEEKDAYS: tuple[Weekday, ...] = tuple(Weekday)


class School(Model):
    name: Text
    short_name: str | None = None
    address: str | None = None
    website: str | None = Field(None, description="Shown as text and a link; nothing is ever fetched from it.")
    locale: Annotated[str, AfterValidator(_check_locale)] = Field(
        "en-GB", description="Language and region for words and dates, e.g. 'en-GB' or 'cy-GB'."
    )
    second_locale: Annotated[str, AfterValidator(_check_locale)] | None = Field(
        None,
        description=(
            "A bilingual school's second language, e.g. 'en-GB' beside 'cy-GB': every guide also comes in it, "
            "with a link between the two on every page. The booklet stays in the first language."
        ),
    )
    logo: DataPath | None = None
    colours: Colours = Colours()
    contacts: list[Contact] = Field(default_factory=list)
    map: SchoolMap | None = None
    places: dict[Id, Place] = Field(default_factory=dict)
    staff: dict[Id, StaffMember] = Field(default_factory=dict)
    periods: list[Period] = Field(default_factory=list, description="The school day, in order.")
    school_days: list[Weekday] = Field(
        default_factory=lambda: list(WEEKDAYS[:5]), description="The days the school is open."
    )
    subjects: dict[Id, Subject] = Field(default_factory=dict)
    keeping_in_touch: str | None = Field(None, description="How the school keeps in touch with every family.")
    how_to_use: list[Text] = Field(
        default_factory=list,
        description=(
            "How a family can use the guide with their child, in the school's own words, one step each; "
            "without it the family page and the booklet give the tool's five steps."
        ),
    )
    protect: bool = Field(False, description="Encrypt every pupil's site and booklets with a password (as --protect).")
    site_address: str | None = Field(
        None, description="The web address the pupils' folders are published under, for the family letters."
    )
    #: The data folder's ``theme/`` (see :mod:`~transition_booklets.data.school_theme`), set by the loader.
    _theme: SchoolTheme | None = PrivateAttr(None)

    #: The school's groups (``groups.yaml``), set by the loader.
    _groups: dict[str, Group] = PrivateAttr(default_factory=dict)

    @property
    def theme(self) -> SchoolTheme | None:
        return self._theme

    @property
    def groups(self) -> dict[str, Group]:
        return self._groups

    @property
    def period_ids(self) -> dict[str, Period]:
        return {period.id: period for period in self.periods}

    @field_validator("periods")
    @classmethod
    def _unique_periods(cls, periods: list[Period]) -> list[Period]:
        seen: set[str] = set()
        for period in periods:
            if period.id in seen:
                raise PydanticCustomError(
                    "duplicate_period",
                    "the period id '{id}' is used twice; give each period its own id",
                    {"id": period.id},
                )
            seen.add(period.id)
        return periods


# ---------------------------------------------------------------------------
# Pupil
# ---------------------------------------------------------------------------


class Photo(Model):
    file: DataPath = Field(description="Path of the photo, relative to the data folder.")
    consent: bool = Field(
        description="Whether the family agreed the photo may be used. Without consent it is not shown."
    )


class SettingKind(StrEnum):
    primary = "primary"
    secondary = "secondary"
    managed_move = "managed-move"  # from another school, by agreement, for a fresh start
    alternative_provision = "alternative-provision"
    special_school = "special-school"
    hospital_school = "hospital-school"
    home = "home"
    other = "other"


class PreviousSetting(Model):
    name: Text
    kind: SettingKind = SettingKind.other


class TrustedAdult(Model):
    name: Text
    role: str | None = Field(None, description="e.g. 'Teaching assistant at Oakfield Primary'.")
    stays: bool = Field(True, description="Whether they stay with the pupil for the whole visit.")


class FirstVisit(TimeRange):
    date: dt.date
    start: ClockTime | None = None
    end: ClockTime | None = None
    meet_at: PlaceId | None = Field(None, description="The place where the pupil is met.")
    met_by: StaffId | None = None
    trusted_adult: TrustedAdult | None = None
    what_happens: list[Text] = Field(default_factory=list)
    who_i_will_meet: list[StaffId] = Field(default_factory=list)
    places: list[PlaceId] = Field(default_factory=list, description="Places the pupil will see.")


class Recording(Model):
    file: DataPath = Field(
        description="An audio (.mp3, .m4a, .ogg) or video (.mp4, .webm) file, relative to the data folder."
    )
    transcript: Text = Field(description="The words of the recording, written out.")


class Keyworker(Model):
    staff: StaffId
    message: str | None = Field(None, description="A message to the pupil in the keyworker's own words.")
    where: PlaceId | None = Field(None, description="Where to find them.")
    when: str | None = Field(None, description="When to find them, e.g. 'Every morning at 8:40'.")
    welcome_recording: Recording | None = None


class SupportKind(StrEnum):
    buddy = "buddy"
    peer_mentor = "peer-mentor"
    adult = "adult"


class Buddy(Model):
    name: Text
    kind: SupportKind = SupportKind.buddy
    staff: StaffId | None = Field(None, description="For adult support, the staff member.")
    about: str | None = None
    when: str | None = None


class Slot(Model):
    """One period on one day: a lesson, or what is planned for a break."""

    subject: SubjectId | None = None
    place: PlaceId | None = None
    teacher: StaffId | None = None
    note: str | None = Field(None, description="e.g. 'With Ms Khan' or 'Quiet club'.")
    absent: bool = Field(
        False, description="Not in school this period: write `p5: not in school` (it also removes a group's lesson)."
    )


NOT_IN_SCHOOL = "not in school"
_SAME_AS = re.compile(r"^same\s+as\s+(\w+)$")
_DAY_RANGE = re.compile(r"^(\w+)\s+to\s+(\w+)$")


def _slot_entry(value: Any) -> Any:
    """``p5: not in school`` is a slot the pupil is away for."""
    if isinstance(value, str) and value.strip().lower() == NOT_IN_SCHOOL:
        return {"absent": True}
    return value


def _weekday(word: str, written: str) -> Weekday:
    try:
        return Weekday(word.lower())
    except ValueError:
        hint = did_you_mean(word.lower(), [day.value for day in WEEKDAYS])
        raise PydanticCustomError(
            "bad_day",
            "'{written}': '{word}' is not a day of the week{hint}",
            {"written": written, "word": word, "hint": hint},
        ) from None


def _days_of(key: Any) -> list[Weekday]:
    """``monday`` → [Monday]; ``monday to thursday`` → Monday … Thursday; ``every day`` → Monday … Friday."""
    text = str(key).strip()
    lowered = text.lower()
    if lowered == "every day":
        return list(WEEKDAYS[:5])
    match = _DAY_RANGE.match(lowered)
    if match:
        first, last = _weekday(match.group(1), text), _weekday(match.group(2), text)
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last)
        if end < start:
            raise PydanticCustomError("bad_day", "'{written}': write the days in week order", {"written": text})
        return list(WEEKDAYS[start : end + 1])
    return [_weekday(text, text)]


def expand_days(value: Any) -> Any:
    """Days written the short way: ``tuesday: same as monday``, ``monday to thursday:``, ``every day:``,
    ``wednesday: not in school``. Later lines win over earlier ones for the same day."""
    if not isinstance(value, dict):
        return value
    days: dict[str, Any] = {}
    copies: list[tuple[list[Weekday], str, str]] = []
    for key, day in value.items():
        targets = _days_of(key)
        if isinstance(day, str):
            text = day.strip().lower()
            same = _SAME_AS.match(text)
            if text == NOT_IN_SCHOOL:
                day = {}
            elif same:
                copies.append((targets, same.group(1), day))
                continue
            else:
                raise PydanticCustomError(
                    "bad_day",
                    "'{key}: {day}': a day is its periods, 'same as <day>' or 'not in school'",
                    {"key": key, "day": day},
                )
        for target in targets:
            days[target.value] = day
    for targets, source, written in copies:
        weekday = _weekday(source, written).value
        if weekday not in days:
            raise PydanticCustomError(
                "bad_day",
                "'{written}': {day} has no periods in this timetable to copy",
                {"written": written, "day": weekday},
            )
        for target in targets:
            days[target.value] = days[weekday]
    return days


_SCHEMA_DAY = "([Mm]onday|[Tt]uesday|[Ww]ednesday|[Tt]hursday|[Ff]riday|[Ss]aturday|[Ss]unday)"


class _ShortDaysSchema:
    """The schema an editor checks a timetable with: the short ways of writing days too
    (``monday to thursday:``, ``every day:``, ``tuesday: same as monday``, ``wednesday: not in school``)."""

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema: dict[str, Any] = handler(core_schema)
        schema["propertyNames"] = {"pattern": f"^({_SCHEMA_DAY}( to {_SCHEMA_DAY})?|[Ee]very day)$"}
        day = schema.get("additionalProperties")
        if isinstance(day, dict):
            text = {"type": "string", "pattern": f"^([Ss]ame as {_SCHEMA_DAY}|[Nn]ot in school)$"}
            schema["additionalProperties"] = {"anyOf": [day, text]}
        return schema


Day = dict[PeriodId, Annotated[Slot, BeforeValidator(_slot_entry)]]
Timetable = Annotated[dict[Weekday, Day], BeforeValidator(expand_days), _ShortDaysSchema()]


GroupId = Annotated[str, AfterValidator(_reference("group", "groups", "groups"))]


class Group(Model):
    """A tutor group, teaching set or nurture group whose pupils share a timetable (``groups.yaml``)."""

    name: Text = Field(description="As pupils and families know it, e.g. '7B'.")
    tutor: StaffId | None = Field(None, description="The group's tutor (a staff id).")
    base: PlaceId | None = Field(None, description="The group's base room (a place id).")
    timetable: Timetable | None = Field(None, description="The group's week, in the same form as a pupil's.")


class GroupsFile(Model):
    """``groups.yaml``: the school's groups, by id."""

    groups: dict[Id, Group] = Field(default_factory=dict)


class Phase(DateRange):
    name: Text = Field(description="e.g. 'Week 1: mornings in the Hub'.")
    from_: dt.date = Field(alias="from")
    to: dt.date | None = None
    summary: str | None = None
    what_happens: list[Text] = Field(default_factory=list)
    places: list[PlaceId] = Field(default_factory=list)
    timetable: Timetable | None = Field(
        None, description="This phase's own timetable; leave out to use the pupil's full timetable."
    )
    timetable_changes: Timetable | None = Field(
        None,
        description="Changes to the full timetable for this phase only, e.g. `p5: not in school` for short days.",
    )

    model_config = ConfigDict(populate_by_name=True)


class KeyPlace(Model):
    place: PlaceId
    note: str | None = Field(None, description="A personal note, e.g. 'You can come here whenever you need'.")
    when: str | None = None


class WorryPerson(Model):
    staff: StaffId
    note: str | None = None


class Worries(Model):
    people: list[WorryPerson] = Field(default_factory=list)
    place: PlaceId | None = None
    what_to_do: list[Text] = Field(default_factory=list)
    help_card: str | None = Field(
        None, description="The words on the help card, e.g. 'I need a break. Please let me go to the Hub.'"
    )
    calming_ideas: list[Text] = Field(default_factory=list)


class BreakProvision(Model):
    period: PeriodId
    plan: Text = Field(description="What is planned, e.g. 'Lego club in the library with Mr Evans'.")
    place: PlaceId | None = None


class SmallGroup(Model):
    name: Text
    place: PlaceId | None = None
    when: str | None = None
    about: str | None = None


class Mentoring(Model):
    mentor: StaffId
    when: str | None = Field(None, description="e.g. 'Fridays, period 5'.")
    focus: list[Text] = Field(default_factory=list)


class AboutMe(Model):
    like_about_me: list[Text] = Field(default_factory=list)
    important_to_me: list[Text] = Field(default_factory=list)
    support_me: list[Text] = Field(default_factory=list)
    interests: list[Text] = Field(default_factory=list)
    strengths: list[Text] = Field(default_factory=list)
    goals: list[Text] = Field(default_factory=list)


class Opinion(Model):
    """What one person thinks of the move: the pupil, a parent, or the last setting."""

    by: str | None = Field(None, description="Whose view this is, e.g. 'Mum (Sarah)'.")
    text: Text


class Views(Model):
    pupil: Opinion | None = None
    parent: Opinion | None = None
    setting: Opinion | None = None


class FamilyLiaison(Model):
    staff: StaffId
    how: str | None = Field(None, description="e.g. 'A phone call'.")
    how_often: str | None = Field(None, description="e.g. 'Every Friday afternoon for the first half term'.")


class Review(Model):
    date: dt.date
    time: ClockTime | None = None
    what: str | None = Field(None, description="e.g. 'Two-week review with Mum, Amy and Ms Khan'.")
    with_: list[str] = Field(default_factory=list, alias="with")

    model_config = ConfigDict(populate_by_name=True)

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value: Any) -> Any:
        return None if value is None else _parse_time(value)


class Agreement(Model):
    plan: list[Text] = Field(default_factory=list)
    rewards: list[Text] = Field(default_factory=list)
    sanctions: list[Text] = Field(default_factory=list)
    agreed_by: list[Text] = Field(default_factory=list, description="Who agreed, e.g. ['Amy', 'Mum', 'Ms Khan'].")
    agreed_on: dt.date | None = None


class Pupil(Model):
    name: Text = Field(description="The pupil's full name.")
    preferred_name: str | None = Field(None, description="What they like to be called; used on every page.")
    pronouns: str | None = None
    year: Annotated[int, Field(ge=0, le=14, description="Year group; 0 for Reception.")] | None = None
    start_date: dt.date | None = None
    photo: Photo | None = None
    previous_setting: PreviousSetting | None = None
    first_visit: FirstVisit | None = None
    keyworker: Keyworker | None = None
    buddy: Buddy | None = None
    phases: list[Phase] = Field(default_factory=list)
    first_day_story: list[Text] = Field(
        default_factory=list, description="Short sentences, e.g. 'When I arrive, Ms Khan meets me at Reception.'"
    )
    groups: list[GroupId] = Field(
        default_factory=list, description="The pupil's groups from groups.yaml, e.g. [7b]: their timetables are shared."
    )
    timetable: Timetable | None = Field(
        None,
        description="The full timetable, once all phases are done; with groups, only what differs from theirs.",
    )
    key_places: list[KeyPlace] = Field(default_factory=list)
    worries: Worries | None = None
    break_times: list[BreakProvision] = Field(default_factory=list)
    small_group: SmallGroup | None = None
    mentoring: Mentoring | None = None
    about_me: AboutMe | None = None
    views: Views | None = None
    family_liaison: FamilyLiaison | None = None
    family_language: Annotated[str, AfterValidator(_check_locale)] | None = Field(
        None,
        description=(
            "The language the family reads, e.g. 'pl' (Polish) or 'ur' (Urdu): the family page, the calendar "
            "and the letter come in it beside the school's language. What the school wrote stays as written."
        ),
    )
    reviews: list[Review] = Field(default_factory=list)
    agreed: Agreement | None = None
    what_to_bring: list[Text] = Field(default_factory=list)

    @property
    def called(self) -> str:
        """The name to use on every page."""
        return self.preferred_name or self.name.split()[0]
