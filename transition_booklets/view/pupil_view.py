"""The pupil's view: the school and pupil joined into one plain, JSON-ready structure.

Both the site templates (Jinja) and the booklet (Typst, as a JSON file)
read this same structure, so a page and the booklet never disagree. References are
resolved here (a place id becomes the place's name, photo, description and map
position), dates become words in the school's language, and key places get the
numbers that match the pins on the map.

Its parts are typed in :mod:`~transition_booklets.view.sections`. Images appear as
``{"type": "image", "source": <path in the data folder> | None, "alt": …, "initials": …,
"colour": …}``; the output stages turn ``source`` into files. ``places`` lists every place a
page links to and ``files`` every file of the data folder the outputs show, so no later stage
has to search the view for them.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, Literal

from transition_booklets.data.models import (
    WEEKDAYS,
    Place,
    Pupil,
    School,
    SettingKind,
    Slot,
    StaffMember,
    SupportKind,
    Timetable,
)
from transition_booklets.data.models import (
    Phase as PhaseModel,
)
from transition_booklets.data.timetables import full_timetable, timetable_of
from transition_booklets.data.translations import TRANSLATIONS, school_translations, translated
from transition_booklets.support.icons import PLACE_KIND_ICONS
from transition_booklets.view.sections import Day, ImageRef, Person, Phase, PupilView
from transition_booklets.view.sections import Place as PlaceView
from transition_booklets.view.sections import Slot as SlotView
from transition_booklets.view.sections import Timetable as TimetableView
from transition_booklets.view.words import Words, has_words, language_of

PLACEHOLDER_COLOURS = ["#1f5f8b", "#2e7d32", "#6a1b9a", "#ad1457", "#00695c", "#4e342e", "#283593", "#bf360c"]


def initials(name: str) -> str:
    """``Ms Ayesha Khan`` → ``AK``; ``Li Wei (李伟)`` → ``LW``; ``محمد علي`` → ``مع``.

    The first letters of the first and the last word that begin with a letter (of any script),
    titles skipped; brackets, quotes and dashes around words do not count.
    """
    titles = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir"}
    # A part in brackets is the name again in another form ("Li Wei (李伟)"): set aside unless it is all there is.
    outside = _BRACKETED.sub(" ", name)
    name = outside if any(char.isalpha() for char in outside) else name
    words = [word.strip(_AROUND_WORDS) for word in name.replace(".", " ").split()]
    words = [word for word in words if word and word[0].isalpha()]
    named = [word for word in words if word.lower() not in titles] or words
    if not named:
        return "?"
    first, last = named[0], named[-1]
    if len(named) == 1:
        return first[0].upper()  # one word (李伟, Madonna): its first letter
    return (first[0] + last[0]).upper()


_AROUND_WORDS = "()[]{}\"'“”‘’«»-‐–—,;:!?"
_BRACKETED = re.compile(r"[(\[（【][^)\]）】]*[)\]）】]")


def placeholder_colour(name: str) -> str:
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return PLACEHOLDER_COLOURS[digest[0] % len(PLACEHOLDER_COLOURS)]


def image(
    source: str | None,
    alt: str,
    name_for_placeholder: str = "",
    icon: str | None = None,
    *,
    file: Literal["school", "pupil"] = "pupil",
    field: str = "",
) -> ImageRef:
    """An image for the outputs; ``file`` ("school" or "pupil") and ``field`` say where it was named."""
    return {
        "type": "image",
        "file": file,
        "field": field,
        "source": source,
        "alt": alt,
        "initials": initials(name_for_placeholder) if name_for_placeholder else "",
        "colour": placeholder_colour(name_for_placeholder or alt),
        "icon": icon,
    }


class _ViewBuilder:
    """Builds one pupil's view, remembering the places and files it shows on the way."""

    def __init__(self, school: School, pupil: Pupil, pupil_id: str, locale: str | None = None) -> None:
        self.school = school
        self.pupil = pupil
        self.pupil_id = pupil_id
        self.words = Words(locale, school.theme) if locale else Words.for_school(school)
        self.place_numbers: dict[str, int] = {}
        self.places: dict[str, PlaceView] = {}  # every place shown, first one of each id
        self.files: set[str] = set()  # every data-folder file shown

    def _shown(self, image: ImageRef) -> ImageRef:
        if image["source"]:
            self.files.add(image["source"])
        return image

    # -- people and places --------------------------------------------------

    def person(self, staff_id: str | None) -> Person | None:
        if staff_id is None:
            return None
        member: StaffMember = self.school.staff[staff_id]
        return {
            "id": staff_id,
            "name": member.name,
            "full_name": member.full_name or member.name,
            "role": member.role or "",
            "pronouns": member.pronouns or "",
            "photo": self._shown(
                image(
                    member.photo,
                    str(self.words["photo_of"]).format(name=member.name),
                    member.full_name or member.name,
                    file="school",
                    field=f"staff.{staff_id}.photo",
                )
            ),
        }

    def place(self, place_id: str | None) -> PlaceView | None:
        if place_id is None:
            return None
        place: Place = self.school.places[place_id]
        icon = PLACE_KIND_ICONS.get(place.kind.value, "material/map-marker")
        shown: PlaceView = {
            "type": "place",
            "id": place_id,
            "name": place.name,
            "kind": place.kind.value,
            "icon": icon,
            "description": place.description or "",
            "directions": place.directions or "",
            "photo": self._shown(
                image(
                    place.photo,
                    # What the pupil will see there, which helps them know it; else what it is.
                    place.photo_description or str(self.words["photo_of"]).format(name=place.name),
                    icon=icon,
                    file="school",
                    field=f"places.{place_id}.photo",
                )
            ),
            "map": {"x": place.map.x, "y": place.map.y} if place.map else None,
            "number": self.place_numbers.get(place_id),
        }
        self.places.setdefault(place_id, shown)
        return shown

    # -- sections -----------------------------------------------------------

    def key_places(self) -> list[PlaceView]:
        """The pupil's places, numbered for the map: chosen places first, then any others they visit."""
        chosen: list[tuple[str, str | None, str | None]] = [
            (entry.place, entry.note, entry.when) for entry in self.pupil.key_places
        ]
        seen = {place_id for place_id, _, _ in chosen}
        extra: list[str] = []
        keyworker = self.pupil.keyworker
        worries = self.pupil.worries
        for candidate in (
            keyworker.where if keyworker else None,
            worries.place if worries else None,
            self.pupil.small_group.place if self.pupil.small_group else None,
        ):
            if candidate and candidate not in seen:
                extra.append(candidate)
                seen.add(candidate)
        if not chosen and not extra:
            # A pupil with nothing chosen yet still sees the places that matter most to everyone.
            for place_id, place in self.school.places.items():
                if place.kind.value in ("reception", "entrance", "toilets", "small-group-base", "worry-place"):
                    extra.append(place_id)
        result = []
        for number, (place_id, note, when) in enumerate(chosen + [(p, None, None) for p in extra], start=1):
            self.place_numbers[place_id] = number
            resolved = self.place(place_id)
            assert resolved is not None
            resolved["number"] = number
            resolved["note"] = note or ""
            resolved["when"] = when or ""
            result.append(resolved)
        return result

    def slot(self, period_id: str, slot: Slot | None) -> SlotView:
        if slot is not None and slot.absent:  # "not in school" for this period: shown like a free period
            slot = None
        period = self.school.period_ids[period_id]
        subject = self.school.subjects.get(slot.subject) if slot and slot.subject else None
        return {
            "period_id": period_id,
            "period": period.name,
            "kind": period.kind.value,
            "start": period.start.strftime("%H:%M"),
            "end": period.end.strftime("%H:%M"),
            "time": self.words.time_range(period.start, period.end),
            "subject": (
                {"id": slot.subject, "name": subject.name, "colour": subject.colour, "icon": subject.icon}
                if subject and slot and slot.subject
                else None
            ),
            "place": self.place(slot.place) if slot else None,
            "teacher": self.person(slot.teacher) if slot else None,
            "note": (slot.note or "") if slot else "",
            "empty": slot is None,
        }

    def timetable(self, timetable: Timetable | None) -> TimetableView | None:
        if not timetable:
            return None
        days: list[Day] = []
        for weekday in WEEKDAYS:
            if weekday not in timetable and weekday not in self.school.school_days:
                continue
            day = timetable.get(weekday)
            if day is None and weekday not in self.school.school_days:
                continue
            slots = [self.slot(period.id, (day or {}).get(period.id)) for period in self.school.periods]
            # Trim the periods after the pupil's last planned one (e.g. home at lunch in a phased start).
            while slots and slots[-1]["empty"]:
                slots.pop()
            days.append(
                {
                    "weekday": weekday.value,
                    "weekday_index": WEEKDAYS.index(weekday),
                    "name": self.words["weekdays"][WEEKDAYS.index(weekday)],
                    "slots": slots,
                    "in_school": bool(slots),
                }
            )
        return {"days": days}

    def phase(self, index: int, phase: PhaseModel) -> Phase:
        timetable = timetable_of(self.pupil, phase, self.school)
        return {
            "number": index + 1,
            "name": phase.name,
            "from": phase.from_.isoformat(),
            "to": phase.to.isoformat() if phase.to else None,
            "dates": self.words.date_range(phase.from_, phase.to),
            "from_text": self.words.date(phase.from_),
            "summary": phase.summary or "",
            "what_happens": list(phase.what_happens),
            "places": [self.place(place_id) for place_id in phase.places],
            "timetable": self.timetable(timetable),
            "own_timetable": phase.timetable is not None or phase.timetable_changes is not None,
        }

    def views(self) -> dict[str, Any] | None:
        """What the pupil, the family and the last setting said, with the last setting's heading in words
        that fit where the pupil comes from: "What Northgate Learning Centre said", "What my tutor or
        home educator said" for a pupil taught at home (whatever the setting is called), and "What my
        last school said" when the plan does not say."""
        pupil, words = self.pupil, self.words
        if pupil.views is None:
            return None
        views: dict[str, Any] = pupil.views.model_dump()
        setting = pupil.previous_setting
        if setting is None:
            label = str(words["view_setting"])
        elif setting.kind is SettingKind.home:
            label = str(words["view_setting_home"])
        else:
            label = str(words["view_setting_named"]).format(setting=setting.name)
        views["setting_label"] = label
        return views

    def build(self) -> PupilView:
        school, pupil, words = self.school, self.pupil, self.words
        key_places = self.key_places()
        visit = pupil.first_visit
        keyworker = pupil.keyworker
        worries = pupil.worries
        buddy = pupil.buddy
        photo = pupil.photo if pupil.photo and pupil.photo.consent else None
        periods_by_id = school.period_ids
        view: PupilView = {
            "id": self.pupil_id,
            "name": pupil.name,
            "called": pupil.called,
            "pronouns": pupil.pronouns or "",
            "year": pupil.year,
            "start_date": pupil.start_date.isoformat() if pupil.start_date else None,
            "start_date_text": words.date(pupil.start_date),
            "photo": self._shown(
                image(
                    photo.file if photo else None,
                    str(words["photo_of"]).format(name=pupil.called),
                    pupil.name,
                    field="photo.file",
                )
            ),
            "previous_setting": pupil.previous_setting.model_dump(mode="json") if pupil.previous_setting else None,
            "school": {
                "name": school.name,
                "short_name": school.short_name or school.name,
                "address": school.address or "",
                "website": school.website or "",
                "locale": school.locale,
                "language": words.language,
                "logo": self._shown(image(school.logo, f"{school.name} logo", file="school", field="logo")),
                "colours": school.colours.model_dump(),
                "contacts": [contact.model_dump() for contact in school.contacts],
                "keeping_in_touch": school.keeping_in_touch or "",
                "how_to_use": list(school.how_to_use),
                "map": (
                    {"source": school.map.image, "description": school.map.description or ""} if school.map else None
                ),
            },
            "key_places": key_places,
            "first_visit": None,
            "keyworker": None,
            "buddy": None,
            "phases": [self.phase(index, phase) for index, phase in enumerate(pupil.phases)],
            "first_day_story": list(pupil.first_day_story),
            "timetable": self.timetable(full_timetable(pupil, school)),
            "groups": [
                {
                    "id": group_id,
                    "name": school.groups[group_id].name,
                    "tutor": self.person(school.groups[group_id].tutor),
                    "base": self.place(school.groups[group_id].base),
                }
                for group_id in pupil.groups
                if group_id in school.groups
            ],
            "worries": None,
            "help_card": "",  # set below, with the worries
            "break_times": [
                {
                    "period": periods_by_id[item.period].name,
                    "time": words.time_range(periods_by_id[item.period].start, periods_by_id[item.period].end),
                    "kind": periods_by_id[item.period].kind.value,
                    "plan": item.plan,
                    "place": self.place(item.place),
                }
                for item in pupil.break_times
            ],
            "small_group": (
                {
                    "name": pupil.small_group.name,
                    "place": self.place(pupil.small_group.place),
                    "when": pupil.small_group.when or "",
                    "about": pupil.small_group.about or "",
                }
                if pupil.small_group
                else None
            ),
            "mentoring": (
                {
                    "mentor": self.person(pupil.mentoring.mentor),
                    "when": pupil.mentoring.when or "",
                    "focus": list(pupil.mentoring.focus),
                }
                if pupil.mentoring
                else None
            ),
            "about_me": pupil.about_me.model_dump() if pupil.about_me else None,
            "views": self.views(),
            "family_liaison": (
                {
                    "person": self.person(pupil.family_liaison.staff),
                    "how": pupil.family_liaison.how or "",
                    "how_often": pupil.family_liaison.how_often or "",
                }
                if pupil.family_liaison
                else None
            ),
            "reviews": [
                {
                    "date": review.date.isoformat(),
                    "date_text": words.date(review.date),
                    "time": review.time.strftime("%H:%M") if review.time else None,
                    "time_text": words.time(review.time),
                    "what": review.what or "",
                    "with": list(review.with_),
                }
                for review in pupil.reviews
            ],
            "agreed": (
                {
                    **pupil.agreed.model_dump(mode="json"),
                    "agreed_on_text": words.date(pupil.agreed.agreed_on),
                }
                if pupil.agreed
                else None
            ),
            "what_to_bring": list(pupil.what_to_bring),
            "places": [],
            "files": [],
        }
        if visit:
            view["first_visit"] = {
                "date": visit.date.isoformat(),
                "date_text": words.date(visit.date),
                "start": visit.start.strftime("%H:%M") if visit.start else None,
                "end": visit.end.strftime("%H:%M") if visit.end else None,
                "time_text": words.time_range(visit.start, visit.end),
                "meet_at": self.place(visit.meet_at),
                "met_by": self.person(visit.met_by),
                "trusted_adult": visit.trusted_adult.model_dump() if visit.trusted_adult else None,
                "what_happens": list(visit.what_happens),
                "who_i_will_meet": [self.person(staff_id) for staff_id in visit.who_i_will_meet],
                "places": [self.place(place_id) for place_id in visit.places],
            }
        if keyworker:
            view["keyworker"] = {
                "person": self.person(keyworker.staff),
                "message": keyworker.message or "",
                "where": self.place(keyworker.where),
                "when": keyworker.when or "",
                "recording": (
                    {"file": keyworker.welcome_recording.file, "transcript": keyworker.welcome_recording.transcript}
                    if keyworker.welcome_recording
                    else None
                ),
            }
        if worries:
            view["worries"] = {
                "people": [{"person": self.person(entry.staff), "note": entry.note or ""} for entry in worries.people],
                "place": self.place(worries.place),
                "what_to_do": list(worries.what_to_do),
                "help_card": worries.help_card or "",
                "calming_ideas": list(worries.calming_ideas),
            }
        # The help card's words, the same on the site and in the booklet (every pupil has a card): the
        # plan's own, or a default that names the keyworker only when there is one.
        view["help_card"] = (
            worries.help_card
            if worries and worries.help_card
            else str(words["help_card_default" if keyworker else "booklet_help_card_default"])
        )
        if buddy:
            view["buddy"] = {
                "name": buddy.name,
                "kind": buddy.kind.value,
                "is_adult": buddy.kind is SupportKind.adult,
                "person": self.person(buddy.staff),
                "about": buddy.about or "",
                "when": buddy.when or "",
            }
        if school.map:
            self.files.add(school.map.image)
        if keyworker and keyworker.welcome_recording:
            self.files.add(keyworker.welcome_recording.file)
        view["places"] = sorted(self.places.values(), key=lambda place: place["name"])
        if pupil.family_language:  # the school's own translations for the family page (see site.pages)
            self.files.add(f"{TRANSLATIONS}/{language_of(pupil.family_language)}.yaml")
        view["files"] = sorted(self.files)
        return view


def family_view(
    school: School, pupil: Pupil, pupil_id: str, data_dir: Path, *, besides: str
) -> tuple[PupilView, Words] | None:
    """The pupil's view and words in their family's own language (``family_language``), with the school's
    translations of what it wrote; None when there is none, it is ``besides`` (the guide's language), or
    the tool has no words in it."""
    words = family_words(school, pupil, besides=besides)
    if words is None:
        return None
    view = build_view(school, pupil, pupil_id, locale=words.locale)
    return translated(view, school_translations(data_dir, words.language)), words


def family_words(school: School, pupil: Pupil, *, besides: str) -> Words | None:
    """The words in the family's own language (``family_language``); None when there is none, it is
    ``besides`` (the guide's language), or the tool and the school's theme have no words in it."""
    locale = pupil.family_language
    if not locale or language_of(locale) == language_of(besides) or not has_words(locale, school.theme):
        return None
    return Words(locale, school.theme)


def build_view(school: School, pupil: Pupil, pupil_id: str, *, locale: str | None = None) -> PupilView:
    """Join the school and one pupil into the structure the pages and the booklet read.

    ``locale``: another language for the view's own words and dates (the family's, for the
    family page), instead of the school's.
    """
    return _ViewBuilder(school, pupil, pupil_id, locale).build()
