"""The staff-only cohort report: ``<staff>/index.html`` and ``<staff>/cohort-calendar.ics``.

One page for the transition lead: every pupil's readiness, how their build went, the
warnings, links to each pupil's site and booklets, and every visit, first day and
review of the cohort in date order (also as a calendar file to import).

The page is self-contained (inline CSS, no scripts, nothing fetched), marked
``noindex``, and every value from the data is escaped by Jinja2's autoescape. It holds
every pupil's name, so it belongs in the staff folder, never in the published site.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import os
import pickle
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import jinja2

from transition_booklets.support import ics
from transition_booklets.staff.advice import pupil_warnings
from transition_booklets.data.loader import GROUPS_FILE, SCHOOL_FILE, Cohort, PupilRecord
from transition_booklets.data.models import School
from transition_booklets.data.problems import BuildError, Problem
from transition_booklets.staff.readiness import LEGEND, SYMBOLS, PupilReadiness, Status, factors, pupil_readiness
from transition_booklets.support.templating import DataEnvironment
from transition_booklets.view.words import Words
from transition_booklets.support import resources
from transition_booklets.support.files import PRIVATE, write_atomic

log = logging.getLogger(__name__)

STAFF_COPIES = "booklets"  # in the staff folder: a protected build's clear booklets, one folder per pupil

TEMPLATES = resources.STAFF_TEMPLATES
REPORT_FILE = "index.html"
CALENDAR_FILE = "cohort-calendar.ics"
PARTS_FILE = "report-parts.pickle"  # in the build's cache folder
UID_DOMAIN = "staff.transition-booklets"

STATUS_WORDS = {Status.met: "in the plan", Status.missing: "something to add", Status.not_applicable: "not needed"}
BUILD_STATUSES = ("built", "unchanged", "failed", "not built")


# ---------------------------------------------------------------------------
# Build outcomes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: str
    problems: tuple[str, ...] = ()


class _BuildResultLike(Protocol):
    built: list[str]
    unchanged: list[str]
    failed: list[str]
    problems: list[Problem | BuildError]


def outcomes_from_result(result: _BuildResultLike) -> dict[str, dict[str, Any]]:
    """The ``outcomes`` mapping from a ``pipeline.BuildResult``.

    A problem is given to a failed pupil when its file is that pupil's file; a BuildError
    without per-file problems is given to every failed pupil whose id it mentions.
    """
    outcomes: dict[str, dict[str, Any]] = {}
    for status, ids in (("built", result.built), ("unchanged", result.unchanged), ("failed", result.failed)):
        for pupil_id in ids:
            outcomes[pupil_id] = {"status": status, "problems": []}
    for item in result.problems:
        problems = item.problems if isinstance(item, BuildError) and item.problems else [item]
        for problem in problems:
            if isinstance(problem, Problem):
                pupil_id = Path(problem.file).stem
                if pupil_id in outcomes:
                    outcomes[pupil_id]["problems"].append(str(problem))
                    continue
            text = str(problem)
            for pupil_id in result.failed:
                if pupil_id in text and pupil_id in outcomes:
                    outcomes[pupil_id]["problems"].append(text)
    return outcomes


def _outcome(pupil_id: str, outcomes: Mapping[str, Mapping[str, Any]], cohort: Cohort, site_dir: Path) -> Outcome:
    """This run's outcome; a pupil this run did not build is "unchanged" if their site is there."""
    given = outcomes.get(pupil_id)
    if given is not None:
        status = str(given.get("status", "not built"))
        return Outcome(status, tuple(str(problem) for problem in given.get("problems") or ()))
    if pupil_id in cohort.failed_ids:
        own = tuple(str(problem) for problem in cohort.problems if Path(problem.file).stem == pupil_id)
        return Outcome("failed", own)
    if (site_dir / pupil_id / "index.html").is_file():
        return Outcome("unchanged")
    return Outcome("not built")


# ---------------------------------------------------------------------------
# The cohort calendar
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEntry:
    date: dt.date
    start: dt.time | None
    end: dt.time | None
    pupil_id: str
    pupil_name: str
    kind: str  # "first-visit", "first-day" or "review"
    number: int  # which review (0 for the others)
    what: str
    details: str
    location: str

    @property
    def uid(self) -> str:
        suffix = f"{self.kind}-{self.number + 1}" if self.kind == "review" else self.kind
        return f"{self.pupil_id}-{suffix}@{UID_DOMAIN}"

    @property
    def sort_key(self) -> tuple[dt.date, bool, dt.time, str, int, int]:
        order = ("first-visit", "first-day", "review").index(self.kind)
        return (self.date, self.start is not None, self.start or dt.time(0), self.pupil_id, order, self.number)


def in_date_order(entries: Iterable[CalendarEntry]) -> list[CalendarEntry]:
    return sorted(entries, key=lambda entry: entry.sort_key)


def cohort_calendar(cohort: Cohort) -> list[CalendarEntry]:
    """Every first visit, first day and review of the cohort, in date and time order."""
    school = cohort.school
    if school is None:
        return []
    return in_date_order(entry for record in cohort.pupils for entry in pupil_calendar(school, record))


def pupil_calendar(school: School, record: PupilRecord) -> list[CalendarEntry]:
    """One pupil's first visit, first day and reviews."""
    entries: list[CalendarEntry] = []
    pupil, pupil_id = record.pupil, record.id
    visit = pupil.first_visit
    if visit:
        details: list[str] = []
        if visit.trusted_adult:
            stays = "comes and stays" if visit.trusted_adult.stays else "comes but does not stay"
            details.append(f"{visit.trusted_adult.name} {stays}")
        if visit.met_by:
            details.append(f"met by {school.staff[visit.met_by].name}")
        where = school.places[visit.meet_at].name if visit.meet_at else ""
        entries.append(
            CalendarEntry(
                visit.date,
                visit.start,
                visit.end,
                pupil_id,
                pupil.name,
                "first-visit",
                0,
                "First visit",
                "; ".join(details),
                where,
            )
        )
    if pupil.start_date:
        phase = pupil.phases[0].name if pupil.phases and pupil.phases[0].from_ == pupil.start_date else ""
        entries.append(
            CalendarEntry(pupil.start_date, None, None, pupil_id, pupil.name, "first-day", 0, "First day", phase, "")
        )
    for number, review in enumerate(pupil.reviews):
        about = review.what or ""
        # Name who comes, unless the description already does.
        others = [name for name in review.with_ if name.lower() not in about.lower()]
        if others:
            about = f"{about} (with {', '.join(others)})".strip()
        entries.append(
            CalendarEntry(review.date, review.time, None, pupil_id, pupil.name, "review", number, "Review", about, "")
        )
    return entries


def calendar_ics(entries: Sequence[CalendarEntry], school_name: str, today: dt.date) -> bytes:
    """The entries as an iCalendar file, the same bytes for the same entries and ``today``.

    Times are "floating" (the school's local time, as written in the files); a day without a
    time is an all-day event.
    """
    stamp = dt.datetime.combine(today, dt.time(0), tzinfo=dt.UTC)
    events = []
    for entry in entries:
        start: dt.date | dt.datetime = entry.date
        end: dt.date | dt.datetime | None = entry.date + dt.timedelta(days=1)
        if entry.start is not None:
            start = dt.datetime.combine(entry.date, entry.start)
            end = dt.datetime.combine(entry.date, entry.end) if entry.end is not None else None
        events.append(
            ics.Event(
                entry.uid,
                stamp,
                f"{entry.pupil_name}: {entry.what.lower()}",
                start,
                end,
                description=entry.details,
                location=entry.location,
                transparent=True,
            )
        )
    return ics.calendar(
        f"{school_name}: transition dates (staff)", "-//transition-booklets//staff cohort calendar//EN", events
    )


# ---------------------------------------------------------------------------
# Each pupil's part of the page, kept between builds
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PupilPart:
    """What the page shows of one pupil that depends only on their file, the school and the day."""

    name: str
    warnings: tuple[str, ...]
    readiness: PupilReadiness
    entries: tuple[CalendarEntry, ...]


def pupil_part(cohort: Cohort, record: PupilRecord, today: dt.date) -> PupilPart:
    assert cohort.school is not None
    return PupilPart(
        record.pupil.name,
        tuple(str(problem) for problem in pupil_warnings(cohort, record, today)),
        pupil_readiness(cohort.school, record),
        tuple(pupil_calendar(cohort.school, record)),
    )


def pupil_parts(
    cohort: Cohort,
    today: dt.date,
    cache_file: Path | None = None,
    known: Mapping[str, PupilPart] | None = None,
) -> dict[str, PupilPart]:
    """Every readable pupil's part, reusing the ones kept in ``cache_file`` whose inputs are unchanged.

    ``known``: parts already worked out for ``today`` (the build's workers make them for the pupils
    they build, while the pupil is in memory).

    A part is kept under a key made of the tool, the working folder (messages name files relative
    to it), ``school.yaml``, the pupil's file and the day. Rewriting the page after one pupil was
    edited then works out that pupil's warnings and readiness only.
    """
    if cohort.school is None:
        return {}
    known = known or {}
    if cache_file is None:
        return {record.id: known.get(record.id) or pupil_part(cohort, record, today) for record in cohort.pupils}
    from transition_booklets.support.files import cache_key, file_digest, signed, verified
    from transition_booklets.support.resources import tool_digest

    school, groups = file_digest(cohort.data_dir / SCHOOL_FILE), file_digest(cohort.data_dir / GROUPS_FILE)
    base = f"{tool_digest()}|{Path.cwd()}|{cohort.data_dir.resolve()}|{school}|{groups}"
    kept: dict[str, tuple[str, PupilPart]] = {}
    try:
        payload = verified(cache_key(cache_file.parent, create=False), cache_file.read_bytes())
        if payload is not None:  # not written by this tool: never unpickled
            kept = pickle.loads(payload)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError, TypeError, ImportError):
        kept = {}
    parts: dict[str, PupilPart] = {}
    fresh: dict[str, tuple[str, PupilPart]] = {}
    for record in cohort.pupils:
        key = hashlib.sha256(f"{base}|{file_digest(record.path)}|{today.isoformat()}".encode()).hexdigest()
        found = kept.get(record.id)
        if found is not None and found[0] == key:
            part = found[1]
        else:
            part = known.get(record.id) or pupil_part(cohort, record, today)
        parts[record.id] = part
        fresh[record.id] = (key, part)
    if fresh != kept:
        try:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            secret = cache_key(cache_file.parent)
            assert secret is not None
            payload = pickle.dumps(fresh, protocol=pickle.HIGHEST_PROTOCOL)
            write_atomic(cache_file, signed(secret, payload), mode=PRIVATE)
        except OSError:
            log.debug("could not keep the staff page's pupil parts in %s", cache_file)
    return parts


# ---------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return DataEnvironment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )


def _link(target: Path, staff_dir: Path) -> str | None:
    """``target`` relative to the staff folder (with forward slashes), or None when it is not there.

    Both are expected resolved already (see :func:`render_cohort_report`): resolving hundreds of
    links one by one was most of the time it took to rewrite the page.
    """
    if not target.is_file():
        return None
    return Path(os.path.relpath(target, staff_dir)).as_posix()


def _readiness_rows(readiness: Sequence[PupilReadiness]) -> list[dict[str, Any]]:
    rows = []
    for item in readiness:
        rows.append(
            {
                "id": item.pupil_id,
                "name": item.name,
                "score": item.score,
                "ready": item.ready,
                "cells": [
                    {
                        "status": result.status.name,
                        "symbol": result.symbol,
                        "words": STATUS_WORDS[result.status],
                        "factor": result.factor.label,
                    }
                    for result in item.results
                ],
                "gaps": [{"factor": result.factor.label, "to_add": list(result.to_add)} for result in item.gaps],
                "not_needed": [{"factor": result.factor.label, "reason": result.reason} for result in item.not_needed],
            }
        )
    return rows


def _readiness_context(readiness: Sequence[PupilReadiness]) -> dict[str, Any]:
    return {
        "factors": [{"label": f.label, "title": f.title} for f in factors()],
        "rows": _readiness_rows(readiness),
        "legend": [{"status": s.name, "symbol": SYMBOLS[s], "words": STATUS_WORDS[s]} for s in Status],
    }


def render_readiness_section(readiness: Sequence[PupilReadiness]) -> str:
    """The readiness section of the report on its own (the report includes the same template)."""
    template = _environment().get_template("readiness.html.j2")
    return template.render(readiness=_readiness_context(readiness))


def render_cohort_report(
    cohort: Cohort,
    outcomes: Mapping[str, Mapping[str, Any]],
    staff_dir: Path,
    site_dir: Path,
    today: dt.date,
    parts: Mapping[str, PupilPart] | None = None,
    tidied: Sequence[str] = (),
    tidied_kept: bool = False,
) -> str:
    """The staff page. ``parts``: every readable pupil's part (see :func:`pupil_parts`), if the caller has them.

    ``tidied``: guides found in the published folder that belong to no pupil now (removed, or kept when asked).
    """
    school = cohort.school
    staff_dir, site_dir = Path(staff_dir).resolve(), Path(site_dir).resolve()
    words = Words.for_school(school) if school else Words()
    if parts is None:
        parts = pupil_parts(cohort, today)
    by_id = {record.id: record for record in cohort.pupils}
    readiness = [parts[pupil_id].readiness for pupil_id in sorted(by_id)]
    pupils: list[dict[str, Any]] = []
    for pupil_id in sorted({*by_id, *cohort.failed_ids}):
        record = by_id.get(pupil_id)
        outcome = _outcome(pupil_id, outcomes, cohort, site_dir)
        # A protected build publishes each pupil under an unguessable folder name.
        folder_name = str((outcomes.get(pupil_id) or {}).get("folder") or pupil_id)
        folder = site_dir / folder_name
        part = parts[pupil_id] if record else None
        warnings = list(part.warnings) if part else []
        pupils.append(
            {
                "id": pupil_id,
                "name": part.name if part else pupil_id,
                "status": outcome.status if outcome.status in BUILD_STATUSES else "not built",
                "status_text": outcome.status,
                "problems": list(outcome.problems),
                "warnings": warnings,
                "site": _link(folder / "index.html", staff_dir),
                "zip": _link(site_dir / f"{folder_name}.zip", staff_dir),
                # An open guide's booklets are published; a protected one's clear copies are in the staff folder.
                "booklet": _link(folder / "booklet.pdf", staff_dir)
                or _link(staff_dir / STAFF_COPIES / pupil_id / "booklet.pdf", staff_dir),
                "print": _link(folder / "booklet-print.pdf", staff_dir)
                or _link(staff_dir / STAFF_COPIES / pupil_id / "booklet-print.pdf", staff_dir),
                "readable": record is not None,
            }
        )
    entries = in_date_order(entry for part in parts.values() for entry in part.entries)
    calendar = [
        {
            "date": entry.date.isoformat(),
            "date_text": words.date(entry.date),
            "time": words.time_range(entry.start, entry.end) or ("all day" if entry.kind == "first-day" else ""),
            "pupil_id": entry.pupil_id,
            "pupil_name": entry.pupil_name,
            "what": entry.what,
            "details": entry.details,
            "location": entry.location,
            "past": entry.date < today,
        }
        for entry in entries
    ]
    statuses = {status: sum(pupil["status"] == status for pupil in pupils) for status in BUILD_STATUSES}
    template = _environment().get_template("report.html.j2")
    return template.render(
        school=school.name if school else "",
        today=words.date(today),
        today_iso=today.isoformat(),
        pupils=pupils,
        statuses=statuses,
        ready=sum(item.ready for item in readiness),
        readable=len(readiness),
        warning_count=sum(len(pupil["warnings"]) for pupil in pupils),
        readiness=_readiness_context(readiness),
        calendar=calendar,
        calendar_file=CALENDAR_FILE,
        legend=LEGEND,
        tidied=list(tidied),
        tidied_kept=tidied_kept,
        letters=(staff_dir / "letters" / "all-letters.pdf").is_file(),
    )


def write_cohort_report(
    cohort: Cohort,
    outcomes: Mapping[str, Mapping[str, Any]],
    staff_dir: Path,
    site_dir: Path,
    today: dt.date | None = None,
    *,
    cache_dir: Path | None = None,
    known_parts: Mapping[str, PupilPart] | None = None,
    tidied: Sequence[str] = (),
    tidied_kept: bool = False,
) -> Path:
    """Write ``staff_dir/index.html`` and ``staff_dir/cohort-calendar.ics``; return the page's path.

    ``outcomes`` maps a pupil id to ``{"status": "built" | "unchanged" | "failed", "problems": [str, ...]}``
    (see :func:`outcomes_from_result`). A pupil not in it (say, the run built only some pupils) shows as
    "unchanged" when their site is in ``site_dir``, else "not built". With ``cache_dir`` (the build's),
    each pupil's part of the page is kept there and reused while its inputs are unchanged.
    ``known_parts``: parts already worked out for ``today`` (see :func:`pupil_parts`).
    """
    today = today or dt.date.today()
    staff_dir = Path(staff_dir)
    site_dir = Path(site_dir)
    if staff_dir.resolve().is_relative_to(site_dir.resolve()):
        log.warning(
            "the staff report is inside the site folder (%s), so it would be published with the pupils' sites; "
            "use --staff-out to put it somewhere else",
            site_dir,
        )
    staff_dir.mkdir(parents=True, exist_ok=True)
    parts = pupil_parts(cohort, today, cache_dir / PARTS_FILE if cache_dir is not None else None, known_parts)
    page = render_cohort_report(cohort, outcomes, staff_dir, site_dir, today, parts, tidied, tidied_kept)
    entries = in_date_order(entry for part in parts.values() for entry in part.entries)
    school_name = cohort.school.name if cohort.school else ""
    write_atomic(staff_dir / CALENDAR_FILE, calendar_ics(entries, school_name, today), mode=PRIVATE)
    path = staff_dir / REPORT_FILE
    write_atomic(path, page, mode=PRIVATE)
    log.debug("wrote the staff report %s", path)
    return path
