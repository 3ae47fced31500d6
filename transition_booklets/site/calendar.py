"""The family's calendar file: the first visit, the first day and every review."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import datetime as dt
import hashlib
from dataclasses import replace
from pathlib import Path

from transition_booklets.support.ics import Event, calendar
from transition_booklets.view.sections import PupilView

FIXED_STAMP = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _uid(pupil_id: str, kind: str, day: str) -> str:
    digest = hashlib.sha256(f"{pupil_id}|{kind}|{day}".encode()).hexdigest()[:24]
    return f"{digest}@transition-booklets"


def _event(summary: str, day: str, time: str | None, end: str | None, location: str, uid: str) -> Event:
    date = dt.date.fromisoformat(day)
    if time:
        start = dt.datetime.combine(date, dt.time.fromisoformat(time))
        finish = dt.datetime.combine(date, dt.time.fromisoformat(end)) if end else start + dt.timedelta(hours=1)
        # FIXED_STAMP: deterministic, the same plan gives the same file
        return Event(uid, FIXED_STAMP, summary, start, finish, location=location)
    return Event(uid, FIXED_STAMP, summary, date, date + dt.timedelta(days=1), location=location)


# The calendar's words in English; a strings file gives them in the school's (or the family's) language.
ENGLISH = {
    "calendar_first_visit": "{name}: first visit to {school}",
    "calendar_first_day": "{name}: first day at {school}",
    "calendar_review": "{name}: {what}",
    "calendar_review_default": "review",
    "calendar_name": "{name} at {school}",
}


def pupil_events(view: PupilView, words: Mapping[str, Any] | None = None) -> list[Event]:
    """The pupil's visit, first day and reviews, named in the school's language (``words``)."""
    said = {**ENGLISH, **{key: value for key, value in (words or {}).items() if key in ENGLISH}}
    school = view["school"]["name"]
    called = view["called"]
    events = []
    visit = view.get("first_visit")
    if visit:
        events.append(
            _event(
                str(said["calendar_first_visit"]).format(name=called, school=school),
                visit["date"],
                visit["start"],
                visit["end"],
                school,
                _uid(view["id"], "visit", visit["date"]),
            )
        )
    start_date = view["start_date"]
    if start_date:
        events.append(
            _event(
                str(said["calendar_first_day"]).format(name=called, school=school),
                start_date,
                None,
                None,
                school,
                _uid(view["id"], "start", start_date),
            )
        )
    for review in view.get("reviews", []):
        events.append(
            _event(
                str(said["calendar_review"]).format(name=called, what=review["what"] or said["calendar_review_default"]),
                review["date"],
                review["time"],
                None,
                school,
                _uid(view["id"], "review", review["date"] + (review["time"] or "")),
            )
        )
    return events


def write_pupil_calendar(
    view: PupilView,
    path: Path,
    words: Mapping[str, Any] | None = None,
    family: tuple[PupilView, Any] | None = None,
) -> Path:
    """The family's calendar file; with ``family`` (the view and words in their own language) each event is
    named in both."""
    said = {**ENGLISH, **{key: value for key, value in (words or {}).items() if key in ENGLISH}}
    name = str(said["calendar_name"]).format(name=view["called"], school=view["school"]["short_name"])
    events = pupil_events(view, words)
    if family is not None:
        theirs = pupil_events(family[0], family[1].all())
        events = [replace(event, summary=f"{own.summary} · {event.summary}") for event, own in zip(events, theirs, strict=True)]
    path.write_bytes(calendar(name, "-//transition-booklets//EN", events))
    return path
