"""A pupil list from the school's records system, turned into pupil files.

The import *owns* five facts of a pupil file: ``name``, ``preferred_name``, ``year``,
``start_date`` and the pupil's group from the list (``groups``). It creates a file (from the
same starter as ``new``) for a pupil who has none, changes only those facts in a file that
exists, and leaves everything a person wrote (comments, key order, every other key, other
groups such as a nurture group) as it was. A file whose facts are unchanged is not written, so
running the same import twice changes nothing the second time.

Headers are matched by meaning, whatever the records system calls them (see
:data:`HEADERS`); a school can name its own in ``import-headers.yaml``. Columns the guides do not
need (dates of birth, UPNs, addresses…) are never read, and the summary lists them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transition_booklets.data.loader import PUPIL_ID, load_school, pupil_files
from transition_booklets.data.models import School
from transition_booklets.data.problems import display_path
from transition_booklets.data.schema import pupil_schema_line
from transition_booklets.data.starter import pupil_id_for, render_starter
from transition_booklets.data.suggest import did_you_mean
from transition_booklets.intake import yaml_files
from transition_booklets.intake.spreadsheets import Cell, Sheet, fold, parse_date, read_sheet
from transition_booklets.support.files import write_atomic

#: What each column means, by the folded headers records systems use for it (SIMS, Arbor, Bromcom, …).
HEADERS: Mapping[str, tuple[str, ...]] = {
    "forename": ("legalforename", "forename", "firstname", "legalfirstname", "givenname", "pupilforename"),
    "preferred": ("preferredforename", "preferredfirstname", "preferredname", "knownas", "chosenname"),
    "surname": ("legalsurname", "surname", "lastname", "familyname", "pupilsurname", "preferredsurname"),
    "name": ("name", "fullname", "pupilname", "studentname", "childsname", "legalname"),
    "group": ("reggroup", "registrationgroup", "regform", "form", "formgroup", "tutorgroup", "class", "regclass"),
    "year": ("year", "yeargroup", "ncyear", "ncy", "nationalcurriculumyear", "curriculumyear", "yr"),
    "start_date": ("admissiondate", "dateofadmission", "startdate", "entrydate", "admdate", "dateofentry"),
}
HEADERS_FILE = "import-headers.yaml"  # a school's own header names: `group: "Class 2027"`


@dataclass
class ImportReport:
    """What an import did, or would do with ``--dry-run``."""

    created: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)  # pupil id: the facts changed
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "pupils.csv:17: what is wrong and what to do"
    ignored_columns: list[str] = field(default_factory=list)
    used_columns: dict[str, str] = field(default_factory=dict)  # fact: the column it came from

    @property
    def ok(self) -> bool:
        return not self.skipped


@dataclass(frozen=True)
class _Facts:
    name: str
    preferred: str | None
    year: int | None
    start_date: dt.date | None
    group: str | None


def _columns(sheet: Sheet, own: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The folded column for each fact, and the headers that are not used (never read)."""
    folded = {fold(header): header for header in sheet.headers if header}
    chosen: dict[str, str] = {}
    for fact, aliases in HEADERS.items():
        wanted = [fold(own[fact])] if fact in own else list(aliases)
        for alias in wanted:
            if alias in folded:
                chosen[fact] = alias
                break
    used = set(chosen.values())
    ignored = [header for key, header in folded.items() if key not in used]
    return chosen, ignored


def _original(sheet: Sheet, folded_name: str) -> str:
    return next((header for header in sheet.headers if fold(header) == folded_name), folded_name)


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    return cell.isoformat() if isinstance(cell, dt.date) else " ".join(str(cell).split())


def _year(cell: Cell) -> int | None:
    text = _text(cell).lower().replace("year", "").replace("yr", "").replace("y", "").strip()
    if not text:
        return None
    if text in ("r", "rec", "reception"):
        return 0
    if text.isdigit() and 0 <= int(text) <= 14:
        return int(text)
    raise ValueError(f"'{_text(cell)}' is not a year group; write it as a number, e.g. 7 (or R for Reception)")


def _group_id(text: str, school: School) -> str:
    wanted = fold(text)
    for group_id, group in school.groups.items():
        if fold(group_id) == wanted or fold(group.name) == wanted:
            return group_id
    known = [group.name for group in school.groups.values()]
    hint = did_you_mean(text, known)
    where = f"; the groups are: {', '.join(known)}" if known and not hint else ""
    raise ValueError(
        f"no group '{text}' in groups.yaml{hint}{where}; add it there (or import the timetable first), then import again"
    )


def _facts(cells: Mapping[str, Cell], columns: Mapping[str, str], school: School) -> _Facts:
    def cell(fact: str) -> Cell:
        return cells.get(columns[fact]) if fact in columns else None

    forename, surname = _text(cell("forename")), _text(cell("surname"))
    name = f"{forename} {surname}".strip() if forename or surname else _text(cell("name"))
    if "," in name and not forename:  # "Surname, Forename" as some exports write it
        last, _, first = name.partition(",")
        name = f"{first.strip()} {last.strip()}".strip()
    if not name:
        raise ValueError("no name: every pupil needs a forename and surname (or a name)")
    preferred = _text(cell("preferred")) or None
    first_word = name.split()[0]
    if preferred and preferred == first_word:
        preferred = None
    start = cell("start_date")
    start_date = parse_date(start) if _text(start) else None
    group_text = _text(cell("group"))
    group = _group_id(group_text, school) if group_text else None
    return _Facts(name, preferred, _year(cell("year")), start_date, group)


def own_headers(data_dir: Path) -> dict[str, str]:
    """The school's own header names from ``import-headers.yaml`` (none when there is no such file)."""
    path = data_dir / HEADERS_FILE
    if not path.is_file():
        return {}
    data = yaml_files.load(path)
    unknown = [str(key) for key in data if key not in HEADERS]
    if unknown:
        hint = did_you_mean(unknown[0], list(HEADERS))
        raise ValueError(
            f"{display_path(path)}: '{unknown[0]}' is not a fact the import reads{hint}; use {', '.join(HEADERS)}"
        )
    return {str(key): str(value) for key, value in data.items()}


def import_pupils(
    data_dir: Path, source: Path, *, dry_run: bool = False, check: str = "transition-booklets check"
) -> ImportReport:
    """Create and update pupil files from the pupil list ``source``; with ``dry_run`` nothing is written.

    Raises ValueError (with words for the user) when the list or the school cannot be read at all.
    """
    school, problems = load_school(data_dir)
    if school is None:
        raise ValueError("\n".join(str(problem) for problem in problems) + "\nput school.yaml right first")
    sheet = read_sheet(source)
    columns, ignored = _columns(sheet, own_headers(data_dir))
    if not ({"forename", "surname"} & columns.keys() or "name" in columns):
        raise ValueError(
            f"{display_path(source)}: no column of names; the list needs forename and surname columns "
            f"(or name). Its columns are: {', '.join(sheet.headers)}. Name yours in {HEADERS_FILE}, e.g. "
            "forename: Child first name"
        )
    report = ImportReport(
        ignored_columns=ignored, used_columns={fact: _original(sheet, column) for fact, column in columns.items()}
    )
    files = pupil_files(data_dir)
    existing: dict[str, list[Path]] = {}  # name → files of that name, in id order (two pupils may share a name)
    for path in files:
        existing.setdefault(_file_name(path), []).append(path)
    taken = {path.stem for path in files}
    listed_groups: set[str] = set()
    rows: list[tuple[int, _Facts]] = []
    for number, cells in sheet.rows:
        try:
            facts = _facts(cells, columns, school)
        except ValueError as error:
            report.skipped.append(f"{display_path(source)}:{number}: {error}")
            continue
        rows.append((number, facts))
        if facts.group:
            listed_groups.add(facts.group)
    for number, facts in rows:
        same_name = existing.get(fold(facts.name), [])
        found: Path | None = same_name.pop(0) if same_name else None  # the n-th row of a name is the n-th file of it
        if found is None:
            pupil_id = _unique_id(facts.name, taken)
            if not PUPIL_ID.match(pupil_id):
                report.skipped.append(f"{display_path(source)}:{number}: '{facts.name}' gives no usable file name")
                continue
            taken.add(pupil_id)
            starter = render_starter(facts.name, pupil_id, school, pupil_schema_line(data_dir), check)
            text, _ = _with_facts(starter, facts, set())
            if not dry_run:
                write_atomic(data_dir / f"{pupil_id}.yaml", text)
            report.created.append(pupil_id)
            continue
        text, changed = _with_facts(found.read_text(encoding="utf-8"), facts, listed_groups)
        if changed:
            if not dry_run:
                write_atomic(found, text)
            report.updated[found.stem] = changed
        else:
            report.unchanged.append(found.stem)
    return report


def _file_name(path: Path) -> str:
    """The folded ``name:`` of an existing pupil file, to find a pupil again on the next import."""
    try:
        data = yaml_files.load(path)
    except Exception:  # a file with a YAML mistake: `check` reports it; the import treats it as not there
        return f"unreadable:{path.stem}"
    return fold(str(data.get("name", ""))) or f"unnamed:{path.stem}"


def _unique_id(name: str, taken: set[str]) -> str:
    base = pupil_id_for(name)
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


_STARTER_LINE = "# {key}:"


def _with_facts(text: str, facts: _Facts, listed_groups: set[str]) -> tuple[str, list[str]]:
    """``text`` with the facts the import owns; the facts that changed.

    In a starter file the commented example line of a fact (``# year: 7 …``) gives way to the
    real one, so the facts stay at the top, where a person looks for them.
    """
    current = yaml_files.parse(text)
    wanted: list[tuple[str, Any]] = [("name", facts.name)]
    if facts.preferred:
        wanted.append(("preferred_name", facts.preferred))
    if facts.year is not None:
        wanted.append(("year", facts.year))
    if facts.start_date is not None:
        wanted.append(("start_date", facts.start_date))
    if facts.group:
        kept = [str(group) for group in current.get("groups", []) if str(group) not in listed_groups | {facts.group}]
        wanted.append(("groups", yaml_files.flow_list([facts.group, *kept])))
    changed = []
    order = [key for key, _ in wanted]
    for index, (key, value) in enumerate(wanted):
        if key not in current:
            text = _drop_example(text, key)
        text, did = yaml_files.set_top_level(text, key, value, after=tuple(reversed(order[:index])))
        if did:
            changed.append(key)
    return text, changed


def _drop_example(text: str, key: str) -> str:
    """Remove the starter's commented example line for ``key`` (``# year: 7  # year group…``)."""
    lines = text.splitlines(keepends=True)
    prefix = _STARTER_LINE.format(key=key)
    for index, line in enumerate(lines):
        if line.startswith(prefix):
            del lines[index]
            break
    return "".join(lines)
