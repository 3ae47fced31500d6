"""The calendar files: what a calendar app reads back from them."""

from __future__ import annotations

import datetime as dt

import icalendar

from transition_booklets.support import ics

STAMP = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _read(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_a_calendar_app_reads_back_every_field() -> None:
    events = [
        ics.Event(
            "a@x",
            STAMP,
            "Amy: first visit",
            dt.datetime(2027, 7, 1, 9, 30),
            dt.datetime(2027, 7, 1, 11, 0),
            description="Meet Miss Adeyemi; bring a pencil, please",
            location="Oakfield, Main gate",
            transparent=True,
        ),
        ics.Event("b@x", STAMP, "Amy: first day", dt.date(2027, 9, 2), dt.date(2027, 9, 3)),
    ]
    visit, first_day = _read(ics.calendar("Amy at Oakfield", "-//test//EN", events))
    assert visit.decoded("DTSTART") == dt.datetime(2027, 7, 1, 9, 30)  # floating: the school's local time
    assert visit.decoded("DTEND") == dt.datetime(2027, 7, 1, 11, 0)
    assert str(visit["DESCRIPTION"]) == "Meet Miss Adeyemi; bring a pencil, please"
    assert str(visit["LOCATION"]) == "Oakfield, Main gate"
    assert str(visit["TRANSP"]) == "TRANSPARENT"
    assert first_day.decoded("DTSTART") == dt.date(2027, 9, 2)  # an all-day event
    assert first_day.decoded("DTSTAMP") == STAMP
    assert "TRANSP" not in first_day


def test_long_lines_fold_at_75_octets_without_splitting_a_letter() -> None:
    summary = "Zofia Wiśniewska: " + "żółć " * 40 + "\nsecond line"
    data = ics.calendar("x", "-//test//EN", [ics.Event("c@x", STAMP, summary, dt.date(2027, 1, 4))])
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    data.decode("utf-8")  # every piece is whole UTF-8
    (event,) = _read(data)
    assert str(event["SUMMARY"]) == summary


def test_markup_like_text_is_kept_literally() -> None:
    text = "a\\b;c,d\r\ne BEGIN:VEVENT"
    (event,) = _read(ics.calendar("x", "-//t//EN", [ics.Event("d@x", STAMP, text, dt.date(2027, 1, 4))]))
    assert str(event["SUMMARY"]) == "a\\b;c,d\ne BEGIN:VEVENT"


def test_the_same_events_give_the_same_bytes() -> None:
    def make() -> bytes:
        return ics.calendar("x", "-//t//EN", [ics.Event("e@x", STAMP, "s", dt.date(2027, 1, 4))])

    assert make() == make()
    assert make().endswith(b"END:VCALENDAR\r\n")
