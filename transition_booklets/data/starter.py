"""The starter pupil file written by ``transition-booklets new "Full Name"``.

Every section is there, commented, with the school's own ids listed beside it, so a
transition lead can fill it in without the documentation open. As written it passes
``check``: only the name is required.
"""

from __future__ import annotations

import re
import unicodedata

from transition_booklets.data.models import School

STARTER = """\
# yaml-language-server: $schema={schema}
#
# {name}'s transition plan. Fill in what you know; leave the rest for later.
# To use a section, remove the '# ' at the start of its lines (keep the indentation).
# Check your work with:  {check}
#
# Ids you can use from school.yaml:
#   places:   {places}
#   staff:    {staff}
#   subjects: {subjects}
#   periods:  {periods}

name: {quoted_name}
# preferred_name: {first}       # what they like to be called; used on every page
# pronouns: they/them
# year: 7                       # year group; 0 for Reception
# start_date: 2027-01-05        # their first full day (YYYY-MM-DD)
# photo:
#   file: images/pupils/{pupil_id}.jpg
#   consent: true               # only shown when the family agreed
# previous_setting:
#   name: Oakfield Primary School
#   kind: primary               # primary, secondary, managed-move, alternative-provision, special-school,
#                               # hospital-school, home, other

# --- The first visit: with a trusted adult who stays --------------------------
# first_visit:
#   date: 2026-12-08
#   start: "10:00"              # times in quotes, 24-hour clock
#   end: "11:30"
#   meet_at: {place}            # a place id
#   met_by: {person}            # a staff id
#   trusted_adult:
#     name: Mrs Patel
#     role: Teaching assistant at their current school
#     stays: true
#   what_happens:
#     - Mrs Patel comes with you and stays with you.
#     - You have a tour and meet your keyworker.
#   who_i_will_meet: [{person}]
#   places: [{place}]

# --- The keyworker: who, and where and when to find them ----------------------
# keyworker:
#   staff: {person}
#   message: Hello! I'm your keyworker. Come and find me whenever you need.
#   where: {place}
#   when: Every morning at 8:40
#   welcome_recording:          # optional: an audio or video file from the school
#     file: media/welcome.mp3
#     transcript: The words of the recording, written out.

# --- Extra support in the first days: a buddy, peer mentor or adult ------------
# buddy:
#   name: Priya
#   kind: buddy                 # buddy, peer-mentor or adult
#   about: Priya is in Year 8 and will meet you at break.
#   when: Break times in the first two weeks

# --- The phased plan: each step with dates, and its own timetable if it differs -
# phases:
#   - name: "Week 1: mornings in the small-group base"
#     from: 2027-01-05
#     to: 2027-01-08
#     summary: Mornings only, then home at lunch.
#     what_happens:
#       - You start each day with your keyworker.
#     places: [{place}]
#     timetable:                # leave out to use the full timetable below
#       monday:
#         {period}: {{subject: {subject}, place: {place}, teacher: {person}}}
#   - name: Full timetable
#     from: 2027-02-01

# first_day_story:
#   - When I arrive, my keyworker meets me at Reception.

# --- The full timetable: day -> period -> lesson --------------------------------
# timetable:
#   monday:
#     {period}: {{subject: {subject}, place: {place}, teacher: {person}}}

# --- Key places, with a personal note each (numbered on the map) ---------------
# key_places:
#   - place: {place}
#     note: You can come here whenever you need.
#     when: Every morning

# --- If I'm worried: people, a place, what to do, the help card ----------------
# worries:
#   people:
#     - staff: {person}
#       note: Your keyworker.
#   place: {place}
#   what_to_do:
#     - Show your help card to any adult.
#   help_card: I need a short break. Please let me go to the quiet room.
#   calming_ideas:
#     - Listening to music

# --- Structured break and lunch times, small-group provision, mentoring --------
# break_times:
#   - period: {period}
#     plan: Lego club in the library.
#     place: {place}
# small_group:
#   name: Nurture group
#   place: {place}
#   when: Every morning
#   about: A small group with a familiar adult.
# mentoring:
#   mentor: {person}
#   when: Fridays at 8:40
#   focus: [What went well this week]

# --- About me, in their own words, and the views gathered ----------------------
# about_me:
#   like_about_me: [I am kind.]
#   important_to_me: [My family.]
#   support_me: [Tell me about changes before they happen.]
#   interests: [Drawing]
#   strengths: [Art]
#   goals: [Join a club.]
# views:
#   pupil: {{by: {first}, text: What they said about moving school.}}
#   parent: {{by: Mum, text: What the family said.}}
#   setting: {{by: Their current school, text: What the current setting said.}}

# --- Keeping in touch with the family, reviews and what was agreed -------------
# family_liaison:
#   staff: {person}
#   how: A phone call
#   how_often: Every Friday
# reviews:
#   - date: 2027-01-15
#     time: "15:30"
#     what: Two-week review with the family and keyworker
# agreed:
#   plan: [Can use a help card to take a break.]
#   rewards: [A postcard home.]
#   sanctions: [A quiet word first.]
#   agreed_by: [{first}, Mum, the keyworker]
#   agreed_on: 2026-12-01
# what_to_bring:
#   - PE kit
"""


def _latin(name: str) -> bool:
    return all("LATIN" in unicodedata.name(char, "") for char in name if char.isalpha())


def _spelt_out(name: str) -> str:
    """A name in any script in the letters of an id: ``محمد`` → ``mhmd``; each Chinese, Japanese or
    Korean syllable a word of its own (``李小龙`` → ``li xiao long``)."""
    from anyascii import anyascii

    words = []
    for char in name:
        if char.isascii():
            words.append(char)
        elif unicodedata.name(char, "").startswith(("CJK", "HANGUL", "HIRAGANA", "KATAKANA")):
            words.append(f" {anyascii(char)} ")
        else:
            words.append(anyascii(char))
    return "".join(words)


def pupil_id_for(name: str) -> str:
    """An id for a name, as a person would type it: ``Zofia Wiśniewska`` → ``zofia-wisniewska``,
    ``محمد عبد الرحمن`` → ``mhmd-bd-lrhmn``, ``李小龙`` → ``li-xiao-long``. A name in the Latin
    alphabet keeps the ids it always had (accents dropped); any other script is spelt out."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    if not _latin(name):
        plain = _spelt_out(name).replace("'", "").replace("`", "")
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    return slug[:64].strip("-") or "pupil"


def _first(ids: list[str], fallback: str) -> str:
    return ids[0] if ids else fallback


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_starter(
    name: str,
    pupil_id: str,
    school: School | None,
    schema: str = "schema/pupil.schema.json",
    check: str = "transition-booklets check",
) -> str:
    """The starter file; ``schema`` is its ``$schema`` path and ``check`` the command to check it, as the user types it."""
    places = list(school.places) if school else []
    staff = list(school.staff) if school else []
    subjects = list(school.subjects) if school else []
    periods = [period.id for period in school.periods] if school else []
    lessons = [period.id for period in school.periods if period.kind.value == "lesson"] if school else []
    return STARTER.format(
        schema=schema,
        check=check,
        name=name,
        quoted_name=_quote(name),
        first=name.split()[0] if name.split() else name,
        pupil_id=pupil_id,
        places=", ".join(places) or "(none yet)",
        staff=", ".join(staff) or "(none yet)",
        subjects=", ".join(subjects) or "(none yet)",
        periods=", ".join(periods) or "(none yet)",
        place=_first(places, "reception"),
        person=_first(staff, "ms-khan"),
        subject=_first(subjects, "maths"),
        period=_first(lessons or periods, "p1"),
    )
