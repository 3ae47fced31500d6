"""Readiness: how far each pupil's plan puts the reintegration guidance into practice.

Each factor of the guidance (``docs/guidance.md``) is
checked against one pupil's validated file and the school's facts, and comes out as

* **met** (✓): everything the factor needs is in the files;
* **missing** (✗): something is still to add, with an instruction that names the YAML
  key, e.g. ``add keyworker.where: where to find Ms Khan``;
* **not applicable** (–): the guidance does not ask for it for this pupil, with the
  reason, e.g. small-group provision for a pupil joining Year 7 from primary school.

Everything here is a pure function of the models: no files are read, nothing depends
on today's date (date-dependent advice is in :mod:`transition_booklets.staff.advice`).
The rules are written out for schools in ``docs/readiness.md``.
"""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from transition_booklets.data.loader import Cohort, PupilRecord
from transition_booklets.data.models import Pupil, School, SettingKind, SupportKind
from transition_booklets.data.timetables import full_timetable, timetable_of

log = logging.getLogger(__name__)

# Routine moves between mainstream schools, where break-time provision is "where necessary".
# A move between mainstream schools: break-time provision is only needed if breaks become hard. A
# managed move is a move between schools too, but one made because things went wrong: it is not here.
MAINSTREAM = (SettingKind.primary, SettingKind.secondary)
# Secondary age: the guidance asks for small-group provision "for secondary aged pupils".
FIRST_SECONDARY_YEAR = 7
# The report must fit a terminal about 120 characters wide.
MAX_WIDTH = 120
MAX_ID_WIDTH = 19
HEADER_WIDTH = 6


class Status(StrEnum):
    met = "met"
    missing = "missing"
    not_applicable = "not applicable"


SYMBOLS: dict[Status, str] = {Status.met: "✓", Status.missing: "✗", Status.not_applicable: "–"}
LEGEND = "✓ in the plan   ✗ something to add   – not needed for this pupil"


@dataclass(frozen=True)
class Factor:
    """One factor of the guidance: a short column header and what it means."""

    key: str
    header: str  # the column header in ``check`` (at most six letters)
    label: str  # the column header in the staff report
    title: str  # what the factor asks for


@dataclass(frozen=True)
class FactorResult:
    factor: Factor
    status: Status
    to_add: tuple[str, ...] = ()
    reason: str = ""

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.status]


@dataclass(frozen=True)
class PupilReadiness:
    pupil_id: str
    name: str
    called: str
    results: tuple[FactorResult, ...]

    @property
    def applicable(self) -> int:
        return sum(result.status is not Status.not_applicable for result in self.results)

    @property
    def met(self) -> int:
        return sum(result.status is Status.met for result in self.results)

    @property
    def ready(self) -> bool:
        return self.met == self.applicable

    @property
    def score(self) -> str:
        return f"{self.met}/{self.applicable}"

    @property
    def gaps(self) -> tuple[FactorResult, ...]:
        return tuple(result for result in self.results if result.status is Status.missing)

    @property
    def not_needed(self) -> tuple[FactorResult, ...]:
        return tuple(result for result in self.results if result.status is Status.not_applicable)

    def result(self, key: str) -> FactorResult:
        for result in self.results:
            if result.factor.key == key:
                return result
        raise KeyError(key)


class _Plan:
    """One pupil with the school, and the words the instructions use."""

    def __init__(self, school: School, pupil: Pupil) -> None:
        self.school = school
        self.pupil = pupil
        self.called = pupil.called

    def staff(self, staff_id: str | None) -> str:
        if staff_id is None:
            return ""
        member = self.school.staff.get(staff_id)
        return member.name if member else staff_id

    def place(self, place_id: str) -> str:
        place = self.school.places.get(place_id)
        return place.name if place else place_id

    def staff_photo(self, staff_id: str) -> str | None:
        member = self.school.staff.get(staff_id)
        if member is None or member.photo:
            return None
        return f"add a photo of {member.name} under staff.{staff_id}.photo in school.yaml"

    def place_photo(self, place_id: str) -> str | None:
        place = self.school.places.get(place_id)
        if place is None or place.photo:
            return None
        return f"add a photo of {place.name} under places.{place_id}.photo in school.yaml"


# A check returns the status's instructions (empty when met) or, for "not applicable", the reason.
_Outcome = tuple[Status, list[str], str]
_Check = Callable[[_Plan], _Outcome]


def _done(gaps: list[str]) -> _Outcome:
    return (Status.missing if gaps else Status.met), gaps, ""


def _visit(plan: _Plan) -> _Outcome:
    visit, name = plan.pupil.first_visit, plan.called
    if visit is None:
        return _done(
            [
                f"add first_visit: date, and the trusted_adult who comes with {name} and stays",
            ]
        )
    gaps: list[str] = []
    if visit.trusted_adult is None:
        gaps.append(f"add first_visit.trusted_adult: the trusted adult who comes with {name} and stays (name, role)")
    elif not visit.trusted_adult.stays:
        gaps.append(
            f"set first_visit.trusted_adult.stays: true, or choose a trusted adult who can stay with {name} "
            "for the whole visit"
        )
    keyworker = plan.pupil.keyworker
    if keyworker and keyworker.staff != visit.met_by and keyworker.staff not in visit.who_i_will_meet:
        gaps.append(
            f"add {keyworker.staff} to first_visit.who_i_will_meet, so {name} meets "
            f"{plan.staff(keyworker.staff)} (the keyworker) on the visit"
        )
    if not visit.places:
        gaps.append(f"add first_visit.places: the key places {name} will see on the visit")
    return _done(gaps)


def _keyworker(plan: _Plan) -> _Outcome:
    keyworker, name = plan.pupil.keyworker, plan.called
    if keyworker is None:
        return _done([f"add keyworker: staff (a staff id from school.yaml), where and when {name} can find them"])
    who = plan.staff(keyworker.staff)
    gaps: list[str] = []  # their photo is judged with the other photos (_photos)
    if keyworker.where is None:
        gaps.append(f"add keyworker.where: where to find {who} (a place id)")
    if not keyworker.when:
        gaps.append(f"add keyworker.when: when to find {who}, e.g. 'Every morning at 8:30'")
    return _done(gaps)


def _phases(plan: _Plan) -> _Outcome:
    phases = plan.pupil.phases
    if not phases:
        return _done(
            [f"add phases: the steps of {plan.called}'s start, e.g. week 1 mornings only, then the full timetable"]
        )
    if len(phases) == 1 and phases[0].to is None:
        return _done(
            [
                f"add a gentler first step before '{phases[0].name}' in phases, or give phases[0] an end date "
                "(to:) so the full timetable follows it"
            ]
        )
    return _done([])


def _timetables(plan: _Plan) -> _Outcome:
    pupil, name = plan.pupil, plan.called
    if not pupil.phases:
        if full_timetable(pupil, plan.school):
            return _done([])
        return _done([f"add timetable: {name}'s full timetable, so it can be shared before the first day"])
    without = [(index, phase.name) for index, phase in enumerate(pupil.phases) if not timetable_of(pupil, phase, plan.school)]
    if not without:
        return _done([])
    listed = ", ".join(f"phases[{index}] ('{phase}')" for index, phase in without)
    return _done([f"add timetable: {name}'s full timetable, or a timetable: for each phase without one: {listed}"])


def _places(plan: _Plan) -> _Outcome:
    if not plan.pupil.key_places:
        return _done(
            [f"add key_places: the places {plan.called} needs to know, e.g. reception, toilets, the worry place"]
        )
    return _done([])  # their photos are judged with the other photos (_photos)


def _photos(plan: _Plan) -> _Outcome:
    """Real photos of the keyworker and the key places: what the pupil looks for on the first day."""
    keyworker, places = plan.pupil.keyworker, plan.pupil.key_places
    if keyworker is None and not places:
        return (Status.not_applicable, [], "nothing to photograph yet: choose the keyworker and the key places first")
    gaps = [plan.staff_photo(keyworker.staff)] if keyworker else []
    gaps += [plan.place_photo(place) for place in dict.fromkeys(entry.place for entry in places)]
    return _done([gap for gap in gaps if gap])


def _worries(plan: _Plan) -> _Outcome:
    worries, name = plan.pupil.worries, plan.called
    gaps: list[str] = []
    if worries is None or not worries.people:
        gaps.append(f"add worries.people: who {name} can talk to about worries (staff ids)")
    if worries is None or worries.place is None:
        gaps.append(f"add worries.place: where {name} can go with a worry (a place id)")
    return _done(gaps)


def _support(plan: _Plan) -> _Outcome:
    buddy, name = plan.pupil.buddy, plan.called
    if buddy is None:
        return _done(
            [
                f"add buddy: a buddy, peer mentor or support adult for {name}'s first days (kind: buddy, "
                "peer-mentor or adult)"
            ]
        )
    if buddy.kind is SupportKind.adult and buddy.staff is None:
        return _done([f"add buddy.staff: the staff id of {buddy.name}, so {name} sees their photo"])
    return _done([])


def _small_group(plan: _Plan) -> _Outcome:
    pupil, name = plan.pupil, plan.called
    if pupil.small_group is not None:
        return _done([])
    if pupil.year is not None and pupil.year < FIRST_SECONDARY_YEAR:
        return Status.not_applicable, [], f"primary-age pupil (Year {pupil.year}); add small_group if {name} needs it"
    setting = pupil.previous_setting
    if pupil.year == FIRST_SECONDARY_YEAR and setting is not None and setting.kind is SettingKind.primary:
        return (
            Status.not_applicable,
            [],
            f"joining Year 7 from primary school with the whole year group; add small_group if {name} needs it",
        )
    gaps = [f"add small_group: the small-group, flexible provision where {name} can feel safe (name, place, when)"]
    if pupil.year is None:
        gaps.append("or add year: if this is a primary-age pupil, small-group provision is not needed")
    return _done(gaps)


def _breaks(plan: _Plan) -> _Outcome:
    pupil, name = plan.pupil, plan.called
    if pupil.break_times:
        return _done([])
    setting = pupil.previous_setting
    if setting is not None and setting.kind in MAINSTREAM:
        return (
            Status.not_applicable,
            [],
            f"a move from a {setting.kind.value} school; add break_times if break or lunch becomes hard for {name}",
        )
    gaps = [f"add break_times: what is planned for {name} at break and lunch (period, plan, place)"]
    if setting is None:
        gaps.append(
            "or add previous_setting (name, kind): for a move from a primary or secondary school this "
            "is only needed if break times become hard"
        )
    return _done(gaps)


def _mentoring(plan: _Plan) -> _Outcome:
    mentoring, name = plan.pupil.mentoring, plan.called
    if mentoring is None:
        return _done([f"add mentoring: mentor (a staff id) and when {name} meets them"])
    if not mentoring.when:
        return _done([f"add mentoring.when: when {plan.staff(mentoring.mentor)} meets {name}, e.g. 'Fridays at 8:40'"])
    return _done([])


def _reviews(plan: _Plan) -> _Outcome:
    if plan.pupil.reviews:
        return _done([])
    return _done([f"add reviews: at least one date to review how {plan.called} is getting on, with the family"])


def _family(plan: _Plan) -> _Outcome:
    liaison = plan.pupil.family_liaison
    if liaison is None:
        return _done(["add family_liaison: staff (who keeps in touch with the family), how and how_often"])
    who = plan.staff(liaison.staff)
    gaps: list[str] = []
    if not liaison.how:
        gaps.append(f"add family_liaison.how: how {who} keeps in touch, e.g. 'A phone call'")
    if not liaison.how_often:
        gaps.append(f"add family_liaison.how_often: how often {who} keeps in touch, e.g. 'Every Friday'")
    return _done(gaps)


def _agreed(plan: _Plan) -> _Outcome:
    agreed = plan.pupil.agreed
    if agreed is None:
        return _done(["add agreed: the plan, rewards and sanctions, who agreed them (agreed_by) and when (agreed_on)"])
    gaps: list[str] = []
    if not (agreed.plan or agreed.rewards or agreed.sanctions):
        gaps.append("add agreed.plan, agreed.rewards or agreed.sanctions: what was agreed")
    if not agreed.agreed_by:
        gaps.append(f"add agreed.agreed_by: who agreed, e.g. [{plan.called}, Mum, the keyworker]")
    if agreed.agreed_on is None:
        gaps.append("add agreed.agreed_on: the date it was agreed")
    return _done(gaps)


def _views(plan: _Plan) -> _Outcome:
    views, name = plan.pupil.views, plan.called
    setting = plan.pupil.previous_setting
    gaps: list[str] = []
    if views is None or views.pupil is None:
        gaps.append(f"add views.pupil: what {name} said about the move")
    if views is None or views.parent is None:
        gaps.append("add views.parent: what the parent or carer said")
    needs_setting = setting is None or setting.kind is not SettingKind.home
    if needs_setting and (views is None or views.setting is None):
        where = setting.name if setting else "the current setting"
        gaps.append(f"add views.setting: what {where} said")
    return _done(gaps)


def _interests(plan: _Plan) -> _Outcome:
    about = plan.pupil.about_me
    if about is not None and about.interests:
        return _done([])
    return _done([f"add about_me.interests: what {plan.called} enjoys, so the plan can reflect it"])


FACTORS: tuple[tuple[Factor, _Check], ...] = (
    (Factor("visit", "visit", "First visit", "planned, a trusted adult stays, meets keyworker"), _visit),
    (Factor("keyworker", "keywkr", "Keyworker", "keyworker: who, where and when"), _keyworker),
    (Factor("phases", "phase", "Phases", "a phased start"), _phases),
    (Factor("timetable", "ttable", "Timetable", "a timetable for every phase"), _timetables),
    (Factor("places", "place", "Places", "key places chosen"), _places),
    (Factor("photos", "pics", "Photos", "real photos of the keyworker and the key places"), _photos),
    (Factor("worries", "worry", "Worries", "worries plan: a person and a place"), _worries),
    (Factor("support", "buddy", "Buddy", "buddy, peer mentor or support adult"), _support),
    (Factor("small_group", "group", "Small group", "small-group provision (secondary age)"), _small_group),
    (Factor("break_times", "break", "Breaks", "break and lunch provision (where necessary)"), _breaks),
    (Factor("mentoring", "mentor", "Mentoring", "mentoring schedule"), _mentoring),
    (Factor("reviews", "revw", "Reviews", "review dates"), _reviews),
    (Factor("family", "family", "Family", "keeping in touch with the family"), _family),
    (Factor("agreed", "agree", "Agreed", "plan agreed: by whom and when"), _agreed),
    (Factor("views", "views", "Views", "views of pupil, parent and setting"), _views),
    (Factor("interests", "likes", "Interests", "interests (about_me.interests)"), _interests),
)


def factors() -> tuple[Factor, ...]:
    """The factors, in the order of the guidance (and of the report's columns)."""
    return tuple(factor for factor, _ in FACTORS)


def check_pupil(school: School, pupil: Pupil) -> tuple[FactorResult, ...]:
    """Every factor for one pupil."""
    plan = _Plan(school, pupil)
    results = []
    for factor, check in FACTORS:
        status, gaps, reason = check(plan)
        results.append(FactorResult(factor, status, tuple(gaps), reason))
    return tuple(results)


def pupil_readiness(school: School, record: PupilRecord) -> PupilReadiness:
    pupil = record.pupil
    return PupilReadiness(record.id, pupil.name, pupil.called, check_pupil(school, pupil))


def cohort_readiness(cohort: Cohort) -> list[PupilReadiness]:
    """Readiness of every pupil that could be read, in pupil-id order."""
    if cohort.school is None:
        return []
    school = cohort.school
    result = [pupil_readiness(school, record) for record in sorted(cohort.pupils, key=lambda record: record.id)]
    log.debug("readiness of %d pupils", len(result))
    return result


# ---------------------------------------------------------------------------
# The table for ``transition-booklets check``
# ---------------------------------------------------------------------------


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _key() -> list[str]:
    """The meaning of each column, in two columns."""
    entries = [f"{factor.header:<{HEADER_WIDTH}} {factor.title}" for factor in factors()]
    half = (len(entries) + 1) // 2
    width = max(len(entry) for entry in entries[:half]) + 3
    lines = []
    for index in range(half):
        right = entries[index + half] if index + half < len(entries) else ""
        lines.append(f"  {entries[index]:<{width}}{right}".rstrip())
    return ["Columns:", *lines]


def readiness_table(readiness: Sequence[PupilReadiness]) -> str:
    """One row per pupil, one column per factor, then the key to the columns."""
    headers = [factor.header for factor in factors()]
    id_width = max([len("pupil"), *(min(len(item.pupil_id), MAX_ID_WIDTH) for item in readiness)])
    score_width = max([len("ready"), *(len(item.score) for item in readiness)])
    lines = [
        " ".join([f"{'pupil':<{id_width}}", f"{'ready':>{score_width}}", *headers]).rstrip(),
    ]
    for item in readiness:
        cells = [result.symbol.center(len(header)) for result, header in zip(item.results, headers, strict=True)]
        row = [f"{_shorten(item.pupil_id, MAX_ID_WIDTH):<{id_width}}", f"{item.score:>{score_width}}", *cells]
        lines.append(" ".join(row).rstrip())
    lines.append("")
    lines.extend(_key())
    return "\n".join(lines)


def readiness_gaps(readiness: Sequence[PupilReadiness]) -> str:
    """What each pupil's plan still needs, in words, then what is not needed and why."""
    lines: list[str] = []
    for item in readiness:
        state = "ready" if item.ready else f"{item.met} of {item.applicable} ready"
        if lines:
            lines.append("")
        lines.append(f"{item.pupil_id} ({item.name}): {state}")
        for result in item.gaps:
            for number, gap in enumerate(result.to_add):
                label = (
                    f"{result.symbol} {result.factor.header}:" if number == 0 else " " * (len(result.factor.header) + 3)
                )
                lines.extend(
                    textwrap.wrap(
                        f"{label} {gap}",
                        width=MAX_WIDTH,
                        initial_indent="  ",
                        subsequent_indent="  " + " " * (len(result.factor.header) + 4),
                        break_on_hyphens=False,
                    )
                )
        for result in item.not_needed:
            lines.extend(
                textwrap.wrap(
                    f"{result.symbol} {result.factor.header}: not needed: {result.reason}",
                    width=MAX_WIDTH,
                    initial_indent="  ",
                    subsequent_indent="  " + " " * (len(result.factor.header) + 4),
                    break_on_hyphens=False,
                )
            )
    return "\n".join(lines)


def readiness_report(cohort: Cohort, readiness: list[PupilReadiness] | None = None) -> str:
    """The readiness section printed by ``transition-booklets check`` (``readiness``: already worked out)."""
    readiness = cohort_readiness(cohort) if readiness is None else readiness
    lines = [f"\nReadiness of each plan ({LEGEND})", ""]
    if readiness:
        lines.append(readiness_table(readiness))
        lines.extend(["", "What each plan still needs:", readiness_gaps(readiness)])
    else:
        lines.append("No pupil file could be read yet.")
    if cohort.failed_ids:
        failed = ", ".join(sorted(cohort.failed_ids))
        lines.extend(["", f"Not checked for readiness until their problems are fixed: {failed}"])
    return "\n".join(lines)
