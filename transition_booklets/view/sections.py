"""The parts of a pupil's view, as typed dicts: what the pages and the booklet may read, and nothing else.

At run time a view is plain JSON-ready data (dicts, lists, strings, numbers), so the Jinja
templates, the booklet's JSON and the fingerprint all take it as it is; these types let mypy
check every piece of code that builds or reads it. Pictures and places carry ``type``
(``"image"``, ``"place"``) so that code that walks the view finds them by what they are,
never by guessing from their set of keys.

Dates are ISO strings (``"2027-01-05"``) with a ``*_text`` companion in the school's
language; times are ``"HH:MM"`` with ``time_text``.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict


class ImageRef(TypedDict):
    """A picture: a file of the data folder (``source``), or None for initials or an icon."""

    type: Literal["image"]
    file: Literal["school", "pupil"]  # which YAML file named it, for messages
    field: str  # the key that named it, e.g. ``staff.ms-khan.photo``
    source: str | None
    alt: str
    initials: str
    colour: str
    icon: str | None


class Person(TypedDict):
    id: str
    name: str
    full_name: str
    role: str
    pronouns: str
    photo: ImageRef


class MapPoint(TypedDict):
    x: float
    y: float


class Place(TypedDict):
    type: Literal["place"]
    id: str
    name: str
    kind: str
    icon: str
    description: str
    directions: str
    photo: ImageRef
    map: MapPoint | None
    number: int | None  # the pin's number on the map, for the pupil's key places
    note: NotRequired[str]  # key places only
    when: NotRequired[str]


class Subject(TypedDict):
    id: str
    name: str
    colour: str
    icon: str | None


class Slot(TypedDict):
    period_id: str
    period: str
    kind: str
    start: str
    end: str
    time: str
    subject: Subject | None
    place: Place | None
    teacher: Person | None
    note: str
    empty: bool


class Day(TypedDict):
    weekday: str
    weekday_index: int
    name: str
    slots: list[Slot]
    in_school: bool


class Timetable(TypedDict):
    days: list[Day]


# "from" is a Python keyword, so Phase is declared in the functional form.
Phase = TypedDict(
    "Phase",
    {
        "number": int,
        "name": str,
        "from": str,
        "to": str | None,
        "dates": str,
        "from_text": str,
        "summary": str,
        "what_happens": list[str],
        "places": list[Place | None],
        "timetable": Timetable | None,
        "own_timetable": bool,
    },
)


class SchoolMap(TypedDict):
    source: str
    description: str


class SchoolPart(TypedDict):
    name: str
    short_name: str
    address: str
    website: str
    locale: str
    language: str
    logo: ImageRef
    colours: dict[str, str]
    contacts: list[dict[str, Any]]
    keeping_in_touch: str
    how_to_use: list[str]  # the school's own steps for using the guide at home (none: the tool's)
    map: SchoolMap | None


class FirstVisit(TypedDict):
    date: str
    date_text: str
    start: str | None
    end: str | None
    time_text: str
    meet_at: Place | None
    met_by: Person | None
    trusted_adult: dict[str, Any] | None
    what_happens: list[str]
    who_i_will_meet: list[Person | None]
    places: list[Place | None]


class Recording(TypedDict):
    file: str
    transcript: str


class Keyworker(TypedDict):
    person: Person | None
    message: str
    where: Place | None
    when: str
    recording: Recording | None


class WorryPerson(TypedDict):
    person: Person | None
    note: str


class Worries(TypedDict):
    people: list[WorryPerson]
    place: Place | None
    what_to_do: list[str]
    help_card: str
    calming_ideas: list[str]


class Buddy(TypedDict):
    name: str
    kind: str
    is_adult: bool
    person: Person | None
    about: str
    when: str


class BreakTime(TypedDict):
    period: str
    time: str
    kind: str
    plan: str
    place: Place | None


class SmallGroup(TypedDict):
    name: str
    place: Place | None
    when: str
    about: str


class Mentoring(TypedDict):
    mentor: Person | None
    when: str
    focus: list[str]


class FamilyLiaison(TypedDict):
    person: Person | None
    how: str
    how_often: str


# "with" is a Python keyword, so Review is declared in the functional form.
Review = TypedDict(
    "Review",
    {"date": str, "date_text": str, "time": str | None, "time_text": str, "what": str, "with": list[str]},
)


class GroupPart(TypedDict):
    """One of the pupil's groups (``groups.yaml``): a tutor group, a set, a nurture group."""

    id: str
    name: str
    tutor: Person | None
    base: Place | None


class PupilView(TypedDict):
    """One pupil joined with every school fact their pages and booklet show."""

    id: str
    name: str
    called: str
    pronouns: str
    year: int | None
    start_date: str | None
    start_date_text: str
    photo: ImageRef
    previous_setting: dict[str, Any] | None
    school: SchoolPart
    key_places: list[Place]
    first_visit: FirstVisit | None
    keyworker: Keyworker | None
    buddy: Buddy | None
    phases: list[Phase]
    first_day_story: list[str]
    timetable: Timetable | None
    groups: list[GroupPart]
    worries: Worries | None
    help_card: str  # the help card's words, the same on the site and in the booklet
    break_times: list[BreakTime]
    small_group: SmallGroup | None
    mentoring: Mentoring | None
    about_me: dict[str, Any] | None
    views: dict[str, Any] | None
    family_liaison: FamilyLiaison | None
    reviews: list[Review]
    agreed: dict[str, Any] | None
    what_to_bring: list[str]
    places: list[Place]  # every place a page links to, once each, by name: each link has a card to land on
    files: list[str]  # every file of the data folder the pages or booklet show (pictures, the map, the recording)
