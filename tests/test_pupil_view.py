"""The pupil's view for plans the example school does not have: what a page and the booklet are given
when a section is missing, when nothing is chosen yet, or when the pupil comes from home.

The example pupils' views are compared whole with golden files (``test_view_golden.py``); these
tests change one thing in a copy of an example plan and look at what that changes.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import EXAMPLE
from transition_booklets.data.loader import load_cohort
from transition_booklets.data.models import PreviousSetting, Pupil, SettingKind, Slot, Weekday
from transition_booklets.view.pupil_view import (
    PLACEHOLDER_COLOURS,
    build_view,
    family_view,
    family_words,
    image,
    initials,
    placeholder_colour,
)

COHORT = load_cohort(EXAMPLE)
SCHOOL = COHORT.school
assert SCHOOL is not None
PLANS = {record.id: record.pupil for record in COHORT.pupils}


def view_of(pupil_id: str, **changes: Any) -> Any:
    pupil = PLANS[pupil_id].model_copy(update=changes)
    assert SCHOOL is not None
    return build_view(SCHOOL, pupil, pupil_id)


# ---- the last setting's heading ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "heading"),
    [
        (
            PreviousSetting(name="Northgate Learning Centre", kind=SettingKind.alternative_provision),
            "What Northgate Learning Centre said",
        ),
        (
            PreviousSetting(name="Oakfield Primary School", kind=SettingKind.primary),
            "What Oakfield Primary School said",
        ),
        (PreviousSetting(name="Home education", kind=SettingKind.home), "What my tutor or home educator said"),
        (None, "What my last school said"),
    ],
)
def test_the_last_setting_s_words_are_headed_by_where_the_pupil_comes_from(
    setting: PreviousSetting | None, heading: str
) -> None:
    view = view_of("jordan-reid", previous_setting=setting)
    assert view["views"]["setting_label"] == heading
    assert view["previous_setting"] == (setting.model_dump(mode="json") if setting else None)


def test_a_plan_without_views_has_no_views_section() -> None:
    assert view_of("jordan-reid", views=None)["views"] is None


# ---- places -----------------------------------------------------------------------------------


def test_a_pupil_with_no_places_chosen_yet_sees_the_places_that_matter_to_everyone() -> None:
    assert SCHOOL is not None
    view = view_of("amy-jones", key_places=[], keyworker=None, worries=None, small_group=None)
    everyone = [
        place_id
        for place_id, place in SCHOOL.places.items()
        if place.kind.value in ("reception", "entrance", "toilets", "small-group-base", "worry-place")
    ]
    assert len(everyone) >= 3
    assert [place["id"] for place in view["key_places"]] == everyone
    assert [place["number"] for place in view["key_places"]] == list(range(1, len(everyone) + 1))
    assert all(place["note"] == "" and place["when"] == "" for place in view["key_places"])


def test_the_keyworker_s_room_and_the_worry_place_follow_the_chosen_places_once_each() -> None:
    plan = PLANS["jordan-reid"]
    assert plan.keyworker and plan.keyworker.where and plan.worries and plan.worries.place
    chosen = [entry.place for entry in plan.key_places]
    view = view_of("jordan-reid")
    ids = [place["id"] for place in view["key_places"]]
    assert ids[: len(chosen)] == chosen
    assert len(ids) == len(set(ids)), "no place twice"
    assert {plan.keyworker.where, plan.worries.place} <= set(ids)
    # Each place keeps its number wherever else it is shown (the pins on the map match).
    numbers = {place["id"]: place["number"] for place in view["key_places"]}
    assert view["keyworker"]["where"]["number"] == numbers[plan.keyworker.where]
    assert numbers == {place_id: index for index, place_id in enumerate(ids, start=1)}
    places = view["places"]
    assert [place["name"] for place in places] == sorted(place["name"] for place in places)
    assert len({place["id"] for place in places}) == len(places)


# ---- the help card, the buddy, photos and files -------------------------------------------------


def test_the_help_card_says_the_plan_s_words_or_names_the_keyworker_only_when_there_is_one() -> None:
    plan = PLANS["jordan-reid"]
    assert plan.worries is not None
    own = view_of("jordan-reid", worries=plan.worries.model_copy(update={"help_card": "I need a break, please."}))
    assert own["help_card"] == "I need a break, please." == own["worries"]["help_card"]
    unset = plan.worries.model_copy(update={"help_card": None})
    assert view_of("jordan-reid", worries=unset)["help_card"] == "I need help. Please can I talk to my keyworker?"
    assert view_of("jordan-reid", worries=unset, keyworker=None)["help_card"] == "I need some help, please."
    assert view_of("jordan-reid", worries=None, keyworker=None)["help_card"] == "I need some help, please."


def test_an_adult_buddy_is_marked_as_an_adult_and_a_pupil_buddy_is_not() -> None:
    assert view_of("jordan-reid")["buddy"]["is_adult"] is True
    assert view_of("amy-jones")["buddy"]["is_adult"] is False
    assert view_of("amy-jones", buddy=None)["buddy"] is None


def test_a_photo_without_consent_is_not_shown_and_not_copied() -> None:
    plan = PLANS["amy-jones"]
    assert plan.photo is not None and plan.photo.consent
    shown = view_of("amy-jones")
    assert shown["photo"]["source"] == plan.photo.file and plan.photo.file in shown["files"]
    refused = view_of("amy-jones", photo=plan.photo.model_copy(update={"consent": False}))
    assert refused["photo"]["source"] is None and plan.photo.file not in refused["files"]
    assert refused["photo"]["initials"] == "AJ" and refused["photo"]["alt"] == "Photo of Amy"


def test_the_files_a_view_shows_are_listed_once_and_only_those() -> None:
    assert SCHOOL is not None and SCHOOL.map is not None
    plan = PLANS["jordan-reid"]
    assert plan.keyworker and plan.keyworker.welcome_recording
    view = view_of("jordan-reid")
    assert view["files"] == sorted(set(view["files"]))
    assert {SCHOOL.map.image, plan.keyworker.welcome_recording.file} <= set(view["files"])
    quiet = view_of("jordan-reid", keyworker=plan.keyworker.model_copy(update={"welcome_recording": None}))
    assert plan.keyworker.welcome_recording.file not in quiet["files"]
    assert quiet["keyworker"]["recording"] is None
    assert "translations/pl.yaml" in view_of("zofia-wisniewska")["files"]
    assert not any(name.startswith("translations/") for name in view["files"])


def test_sections_a_plan_leaves_out_are_empty_not_missing() -> None:
    view = view_of(
        "jordan-reid",
        first_visit=None,
        keyworker=None,
        worries=None,
        buddy=None,
        small_group=None,
        mentoring=None,
        family_liaison=None,
        agreed=None,
        about_me=None,
        reviews=[],
        break_times=[],
        phases=[],
    )
    for section in (
        "first_visit",
        "keyworker",
        "worries",
        "buddy",
        "small_group",
        "mentoring",
        "family_liaison",
        "agreed",
        "about_me",
    ):
        assert view[section] is None, section
    assert view["reviews"] == [] and view["break_times"] == [] and view["phases"] == []


# ---- timetables ---------------------------------------------------------------------------------


def test_each_day_shows_its_lessons_up_to_the_last_and_a_day_away_is_marked() -> None:
    """Monday: registration, then maths, then (after a period away) nothing more: shown up to maths.
    Tuesday: not in school. Wednesday to Friday: no lessons planned. Saturday: a club, though the
    school is shut. Sunday: not in the plan and not a school day, so not shown at all."""
    assert SCHOOL is not None
    subject = next(iter(SCHOOL.subjects))
    place = next(iter(SCHOOL.places))
    teacher = next(iter(SCHOOL.staff))
    first, second, third = (period.id for period in SCHOOL.periods[:3])
    week = {
        Weekday.monday: {
            second: Slot(subject=subject, place=place, teacher=teacher, note="Bring a ruler"),
            third: Slot(absent=True),
        },
        Weekday.tuesday: {first: Slot(absent=True)},
        Weekday.saturday: {first: Slot(note="Saturday club")},
    }
    assert Weekday.saturday not in SCHOOL.school_days and Weekday.sunday not in SCHOOL.school_days
    days = {day["name"]: day for day in view_of("amy-jones", timetable=week, groups=[])["timetable"]["days"]}
    assert list(days) == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    assert [day["weekday_index"] for day in days.values()] == [0, 1, 2, 3, 4, 5]
    monday = days["Monday"]["slots"]
    assert [slot["period_id"] for slot in monday] == [first, second]
    assert monday[0]["empty"] and monday[0]["subject"] is None and monday[0]["place"] is None
    assert (monday[0]["teacher"], monday[0]["note"]) == (None, ""), "a free period says nothing"
    lesson = monday[1]
    assert (
        not lesson["empty"]
        and lesson["subject"]["id"] == subject
        and lesson["subject"]["name"] == SCHOOL.subjects[subject].name
    )
    assert lesson["place"]["id"] == place and lesson["teacher"]["id"] == teacher and lesson["note"] == "Bring a ruler"
    period = SCHOOL.period_ids[second]
    assert (lesson["start"], lesson["end"]) == (period.start.strftime("%H:%M"), period.end.strftime("%H:%M"))
    assert [days[name]["in_school"] for name in days] == [True, False, False, False, False, True]
    assert all(days[name]["slots"] == [] for name in ("Tuesday", "Wednesday", "Thursday", "Friday"))
    club = days["Saturday"]["slots"]
    assert len(club) == 1 and club[0]["note"] == "Saturday club" and club[0]["subject"] is None and not club[0]["empty"]
    assert view_of("amy-jones", timetable=None, groups=[])["timetable"] is None
    assert view_of("amy-jones", timetable={}, groups=[])["timetable"] is None


def test_an_image_without_a_name_has_no_initials_and_takes_its_colour_from_its_words() -> None:
    logo = image("images/logo.png", "Hillside logo", file="school", field="logo")
    assert logo == {
        "type": "image",
        "file": "school",
        "field": "logo",
        "source": "images/logo.png",
        "alt": "Hillside logo",
        "initials": "",
        "colour": placeholder_colour("Hillside logo"),
        "icon": None,
    }
    person = image(None, "Photo of Amy", "Amelia Jones")
    assert (person["initials"], person["colour"], person["file"]) == ("AJ", placeholder_colour("Amelia Jones"), "pupil")
    assert placeholder_colour("Amelia Jones") in PLACEHOLDER_COLOURS
    assert len({placeholder_colour(name) for name in ("Amy", "Jordan", "Kai", "Zosia", "Ms Khan", "Mr Obi")}) > 1


# ---- the family's own language ------------------------------------------------------------------


def test_the_family_page_speaks_the_family_s_language_when_the_tool_has_its_words() -> None:
    assert SCHOOL is not None
    zosia: Pupil = PLANS["zofia-wisniewska"]
    words = family_words(SCHOOL, zosia, besides="en-GB")
    assert words is not None and words.language == "pl"
    assert family_words(SCHOOL, zosia, besides="pl") is None, "not when the guide is in it already"
    assert family_words(SCHOOL, zosia.model_copy(update={"family_language": None}), besides="en-GB") is None
    assert family_words(SCHOOL, zosia.model_copy(update={"family_language": "tlh"}), besides="en-GB") is None
    translated = family_view(SCHOOL, zosia, "zofia-wisniewska", EXAMPLE, besides="en-GB")
    assert translated is not None
    view, said = translated
    assert said.language == "pl" and view["school"]["language"] == "pl"
    assert view["start_date_text"] != view_of("zofia-wisniewska")["start_date_text"], "the date in Polish"
    assert family_view(SCHOOL, zosia, "zofia-wisniewska", EXAMPLE, besides="pl") is None
    assert view["id"] == "zofia-wisniewska"
    assert "Sekretariat szkoły" in json.dumps(view, ensure_ascii=False), "the school's own Polish for its words"
    assert "Sekretariat szkoły" not in json.dumps(view_of("zofia-wisniewska"), ensure_ascii=False)


# ---- initials, for a person or a pupil without a photo -------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ms Ayesha Khan", "AK"),
        ("Li Wei (李伟)", "LW"),
        ("李伟", "李"),
        ("(李伟)", "李"),  # a name only in brackets is still the name
        ("محمد علي", "مع"),
        ("Siân Ŵyn ap Dafydd", "SD"),
        ('"Dai" Jones', "DJ"),
        ("Ms Anne-Marie Smith-Jones", "AS"),
        ("Олена Коваль", "ОК"),
        ("Mr Tom Obi", "TO"),
        ("Mrs Priya Patel", "PP"),
        ("Miss Jo Lee", "JL"),
        ("Mx Sam Kay", "SK"),
        ("Dr. A. N. Other", "AO"),
        ("Prof Ada Byron", "AB"),
        ("Sir Lenny Henry", "LH"),
        ("MS AYESHA KHAN", "AK"),
        ("Mr. J.R.R. Tolkien", "JT"),
        ("Ann [Annie] Lee", "AL"),
        ("Madonna", "M"),
        ("Ms", "M"),  # only a title: better than nothing
        ("- 7 -", "?"),
        ("", "?"),
    ],
)
def test_initials_come_from_letters_of_any_script_without_titles(name: str, expected: str) -> None:
    assert initials(name) == expected


# ---- what a plan leaves unsaid is empty, never a placeholder ------------------------------------


def test_words_a_plan_leaves_out_are_empty_text() -> None:
    """Every optional sentence left out reaches the pages and the booklet as "" (which they leave out)."""
    assert SCHOOL is not None
    plan = PLANS["jordan-reid"]
    assert plan.keyworker and plan.buddy and plan.worries and plan.small_group and plan.mentoring
    assert plan.family_liaison and plan.reviews and plan.phases
    bare = {
        "keyworker": plan.keyworker.model_copy(update={"message": None, "when": None}),
        "buddy": plan.buddy.model_copy(update={"about": None, "when": None}),
        "worries": plan.worries.model_copy(update={"help_card": None}),
        "small_group": plan.small_group.model_copy(update={"when": None, "about": None}),
        "mentoring": plan.mentoring.model_copy(update={"when": None}),
        "family_liaison": plan.family_liaison.model_copy(update={"how": None, "how_often": None}),
        "reviews": [review.model_copy(update={"what": None}) for review in plan.reviews],
        "phases": [phase.model_copy(update={"summary": None}) for phase in plan.phases],
    }
    school = SCHOOL.model_copy(update={"address": None, "website": None, "keeping_in_touch": None})
    view = build_view(school, plan.model_copy(update=bare), "jordan-reid")
    said = {
        "keyworker message": view["keyworker"]["message"],
        "keyworker when": view["keyworker"]["when"],
        "buddy about": view["buddy"]["about"],
        "buddy when": view["buddy"]["when"],
        "worries help card": view["worries"]["help_card"],
        "small group when": view["small_group"]["when"],
        "small group about": view["small_group"]["about"],
        "mentoring when": view["mentoring"]["when"],
        "family liaison how": view["family_liaison"]["how"],
        "family liaison how often": view["family_liaison"]["how_often"],
        "school address": view["school"]["address"],
        "school website": view["school"]["website"],
        "keeping in touch": view["school"]["keeping_in_touch"],
        **{f"review {index}": review["what"] for index, review in enumerate(view["reviews"])},
        **{f"phase {phase['number']}": phase["summary"] for phase in view["phases"]},
    }
    assert {what: text for what, text in said.items() if text != ""} == {}
    assert view["help_card"] == "I need help. Please can I talk to my keyworker?", "the card itself has words"


def test_a_place_or_a_person_the_school_says_little_about_has_empty_words_and_no_map_pin() -> None:
    assert SCHOOL is not None
    plan = PLANS["jordan-reid"]
    assert plan.keyworker and plan.keyworker.where and plan.keyworker.staff
    where, staff = plan.keyworker.where, plan.keyworker.staff
    places = {**SCHOOL.places, where: SCHOOL.places[where].model_copy(update={"map": None, "description": None})}
    people = {**SCHOOL.staff, staff: SCHOOL.staff[staff].model_copy(update={"role": None})}
    assert SCHOOL.map is not None
    school = SCHOOL.model_copy(
        update={"places": places, "staff": people, "map": SCHOOL.map.model_copy(update={"description": None})}
    )
    view = build_view(school, plan, "jordan-reid")
    room = view["keyworker"]["where"]
    assert (room["map"], room["description"]) == (None, "")
    assert view["keyworker"]["person"]["role"] == ""
    assert view["school"]["map"] == {"source": SCHOOL.map.image, "description": ""}
    assert build_view(SCHOOL.model_copy(update={"map": None}), plan, "jordan-reid")["school"]["map"] is None
