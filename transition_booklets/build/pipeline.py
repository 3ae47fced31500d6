"""The build of a cohort, stage by stage: settle → read → plan → build each pupil → letters → staff report.

* **Checked first**: the options are settled into one :class:`~transition_booklets.build.settings.Settings`
  before anything is read or written.
* **Parallel**: pupils are built in worker processes (``--jobs``, default one per core),
  each keeping the compiled theme, the theme's file list and the image cache for every
  pupil it builds (:mod:`~transition_booklets.build.workers`). Shared photos are processed
  once, before the workers start.
* **Incremental**: a pupil whose inputs are unchanged (see :mod:`~transition_booklets.build.fingerprint`)
  is not rebuilt; changing something shared rebuilds exactly the pupils whose pages show it.
* **Atomic**: each pupil is published whole by :class:`~transition_booklets.publish.folders.Publisher`,
  so a pupil that fails keeps its last good output and never stops the others.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import time
import uuid
from collections.abc import Callable
from concurrent.futures import as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transition_booklets.build.fingerprint import BuildStamps, ViewCache, kept_fingerprint
from transition_booklets.build.settings import BuildOptions, Settings, settle
from transition_booklets.build.workers import (
    Protection,
    PupilBuilder,
    pupil_pool,
    run_in_worker,
    staff_copies,
    stop_workers,
)
from transition_booklets.data.loader import Cohort, PupilRecord, load_cohort, pupil_files
from transition_booklets.data.models import School
from transition_booklets.data.problems import BuildError, Problem, display_path
from transition_booklets.protect.letters import LetterEntry, write_family_letters
from transition_booklets.protect.passwords import load_or_create_secret, load_passwords, passwords_for
from transition_booklets.publish.folders import Publisher
from transition_booklets.site.pages import warm_shared_images
from transition_booklets.support.files import file_digest, write_atomic
from transition_booklets.support.resources import tool_digest
from transition_booklets.view.pupil_view import family_words
from transition_booklets.view.words import Words

log = logging.getLogger(__name__)

TYPST_WORK = "typst"  # in the cache folder: one folder per run for the workers' Typst roots, removed after it

#: Told of every pupil as their build ends: their id, "built", "unchanged" or "failed", and how many are being built.
ProgressCallback = Callable[[str, str, int], None]


@dataclass
class BuildResult:
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    problems: list[Problem | BuildError] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # said on every build; they do not fail it
    outcomes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tidied: list[str] = field(default_factory=list)  # published guides of no pupil now (removed unless kept)
    kept_unknown: bool = False  # ... kept, with --keep-unknown
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed and not self.problems

    def summary(self) -> str:
        text = (
            f"{len(self.built)} built, {len(self.unchanged)} unchanged, {len(self.failed)} failed "
            f"in {self.seconds:.1f}s"
        )
        if self.failed:
            text += "\nfailed: " + ", ".join(sorted(self.failed))
        return text


def _typst_work(parent: Path, stale_after: float = 6 * 3600) -> Path:
    """A new folder for this run's Typst roots under ``parent``; folders of runs long stopped are removed."""
    with contextlib.suppress(OSError):
        for old in parent.iterdir():
            with contextlib.suppress(OSError):
                if time.time() - old.stat().st_mtime > stale_after:
                    shutil.rmtree(old, ignore_errors=True)
    return parent / f"run-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _by_surname(record: PupilRecord) -> tuple[str, str]:
    """Class-list order, for the letters and the print packs: by the last word of the name, then the name."""
    return record.pupil.name.split()[-1].lower(), record.pupil.name


def _private_folder(folder: Path) -> None:
    """The staff folder holds every pupil's plan and, when protected, the passwords: its owner's only."""
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        folder.chmod(0o700)


def _stopped(record: PupilRecord) -> dict[str, Any]:
    """The outcome of a pupil whose worker process died (killed, or out of memory)."""
    message = (
        f"{display_path(record.path)}: the process building this pupil stopped unexpectedly (the computer may have "
        "run out of memory); the last good guide is kept; build again, with --jobs 1 if it happens again"
    )
    return {"id": record.id, "status": "failed", "problems": [message], "seconds": 0.0}


def _every_pupil_id(settings: Settings) -> list[str]:
    """Every pupil of the data folder, readable or not, whatever this build was asked to build."""
    return [path.stem for path in pupil_files(settings.data_dir)]


def _select(settings: Settings) -> list[str] | None:
    if settings.shard is None:
        return list(settings.only) or None
    candidates = list(settings.only) or [path.stem for path in pupil_files(settings.data_dir)]
    return [pupil_id for pupil_id in candidates if settings.shard.holds(pupil_id)]


def build_cohort(options: BuildOptions | Settings, progress: ProgressCallback | None = None) -> BuildResult:
    """Build every pupil that needs it, then the family letters (when protected) and the staff report.

    ``options`` are checked here, unless the caller has settled them already.
    """
    started = time.perf_counter()
    today = dt.date.today()
    result = BuildResult()
    try:
        settings = options if isinstance(options, Settings) else settle(options)
        selected = _select(settings)
    except BuildError as error:
        result.problems.append(error)
        return result
    except OSError as error:
        result.problems.append(BuildError(str(error)))
        return result
    if selected == []:
        result.seconds = time.perf_counter() - started
        return result
    _private_folder(settings.staff_dir)
    cohort = load_cohort(settings.data_dir, selected, cache_dir=settings.cache_dir / "read", jobs=settings.jobs)
    result.problems.extend(cohort.problems)
    result.failed.extend(cohort.failed_ids)
    for pupil_id in cohort.failed_ids:
        result.outcomes[pupil_id] = {"status": "failed", "problems": []}
    for problem in cohort.problems:
        pupil_id = Path(problem.file).stem
        if pupil_id in result.outcomes:
            result.outcomes[pupil_id]["problems"].append(str(problem))
    if cohort.school is None:
        result.seconds = time.perf_counter() - started
        return result

    protection: Protection | None = None
    if settings.protect or cohort.school.protect:
        try:
            protection = _protection(cohort, settings)
        except BuildError as error:
            result.problems.append(error)
            result.seconds = time.perf_counter() - started
            return result

    publisher = Publisher(settings.out_dir, settings.staff_dir)
    publisher.remove_leftovers()
    stamps = BuildStamps(settings.cache_dir / "builds")
    fingerprints, to_build = _plan(cohort, settings, protection, publisher, stamps, result)
    outcomes = _run(cohort, settings, protection, today, to_build, progress)

    parts: dict[str, Any] = {}
    for outcome in sorted(outcomes, key=lambda item: str(item["id"])):
        pupil_id = outcome["id"]
        result.outcomes[pupil_id] = {
            "status": outcome["status"],
            "problems": outcome["problems"],
            "folder": protection.folder(pupil_id) if protection else pupil_id,
        }
        if outcome["status"] in ("built", "unchanged"):
            if outcome.get("part") is not None:
                parts[pupil_id] = outcome["part"]
            fingerprints[pupil_id] = outcome["fingerprint"]
            if outcome["status"] == "built":
                result.built.append(pupil_id)
                stamps.put(pupil_id, outcome["fingerprint"])
            else:
                result.unchanged.append(pupil_id)
        else:
            result.failed.append(pupil_id)
            stamps.forget(pupil_id)
            result.problems.extend(BuildError(message) for message in outcome["problems"])
    from transition_booklets.staff.advice import cohort_drawing_warnings

    result.warnings = cohort_drawing_warnings(cohort)
    expected = {protection.folder(stem) if protection else stem for stem in _every_pupil_id(settings)}
    result.tidied = publisher.tidy(expected, remove=not settings.keep_unknown)
    publisher.tidy_staff_copies(set(_every_pupil_id(settings)))
    result.kept_unknown = settings.keep_unknown
    if protection is not None:
        _write_letters(cohort, protection, settings, result)
    if settings.print_pack:
        _write_print_pack(cohort, protection, settings, result)
    _write_report(cohort, result, settings, fingerprints, today=today, parts=parts)
    result.seconds = time.perf_counter() - started
    return result


def _plan(
    cohort: Cohort,
    settings: Settings,
    protection: Protection | None,
    publisher: Publisher,
    stamps: BuildStamps,
    result: BuildResult,
) -> tuple[dict[str, str], list[tuple[int, str | None]]]:
    """Who needs building: (pupil index, the fingerprint of their last build when only their view can tell).

    A pupil whose last build is known good is recorded in ``result`` as unchanged here; for a
    pupil given with a fingerprint, a worker builds the view, checks, and builds only when
    something changed.
    """
    views = ViewCache(settings.cache_dir / "views")
    fingerprints: dict[str, str] = {}
    to_build: list[tuple[int, str | None]] = []
    copies = staff_copies(settings, protection)
    for index, record in enumerate(cohort.pupils):
        name = protection.folder(record.id) if protection else record.id
        stamp = None if settings.force else stamps.get(record.id)
        if stamp is None or not publisher.is_published(name, staff_copies=copies, pupil_id=record.id):
            # Built whatever its fingerprint: the worker takes it from the view it builds anyway.
            to_build.append((index, None))
            continue
        token = protection.token(record.id) if protection else ""
        fingerprint = kept_fingerprint(cohort, record, pdf=settings.pdf, protect=token, views=views)
        if fingerprint is None:  # school.yaml, the pupil's file or the tool changed: the view must be built
            to_build.append((index, stamp))
            continue
        fingerprints[record.id] = fingerprint
        if stamp == fingerprint:
            result.unchanged.append(record.id)
            result.outcomes[record.id] = {"status": "unchanged", "problems": [], "folder": name}
        else:
            to_build.append((index, None))
    return fingerprints, to_build


def _run(
    cohort: Cohort,
    settings: Settings,
    protection: Protection | None,
    today: dt.date,
    to_build: list[tuple[int, str | None]],
    progress: ProgressCallback | None,
) -> list[dict[str, Any]]:
    """Build the planned pupils, in worker processes when there is more than one to build."""
    outcomes: list[dict[str, Any]] = []
    if not to_build:
        return outcomes

    def done(outcome: dict[str, Any]) -> None:
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome["id"], outcome["status"], len(to_build))

    typst_work = _typst_work(settings.cache_dir / TYPST_WORK)
    try:
        builder = PupilBuilder.start(cohort, settings, protection, today, typst_work)
        warm_shared_images(builder.processor, cohort, jobs=settings.jobs)
        jobs = min(settings.jobs, len(to_build))
        if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            for index, unless in to_build:
                done(builder.run(index, unless))
        else:
            with pupil_pool(builder, jobs) as pool:
                futures = {pool.submit(run_in_worker, index, unless): index for index, unless in to_build}
                try:
                    for future in as_completed(futures):
                        try:
                            done(future.result())
                        except BrokenProcessPool:
                            done(_stopped(cohort.pupils[futures[future]]))
                except BaseException:  # stopped (Ctrl-C, SIGTERM): no worker goes on building
                    stop_workers(pool)
                    raise
    finally:
        shutil.rmtree(typst_work, ignore_errors=True)
    return outcomes


def _protection(cohort: Cohort, options: Settings) -> Protection:
    """The folder secret and passwords, kept in the staff folder and never in the published one."""
    secret = load_or_create_secret(options.staff_dir / "folder-secret.key", out_dir=options.out_dir)
    supplied = (
        load_passwords(options.passwords_file, data_dir=options.data_dir, out_dir=options.out_dir)
        if options.passwords_file
        else {}
    )
    passwords = passwords_for(
        [record.id for record in cohort.pupils], supplied, options.staff_dir / "passwords.csv", out_dir=options.out_dir
    )
    return Protection(secret, passwords)


def _family_letter(record: PupilRecord, school: School) -> dict[str, Any]:
    """The family's own language for their letter (the pupil file's ``family_language``), if any."""
    theirs = family_words(school, record.pupil, besides=school.locale)
    if theirs is None:
        return {}
    return {"family_locale": theirs.locale, "family_words": theirs.all(), "family_date": theirs.date(dt.date.today())}


def _write_letters(cohort: Cohort, protection: Protection, options: Settings, result: BuildResult) -> None:
    """Each family's letter (HTML), and all of them in one PDF to print, in the staff folder's letters/."""
    from transition_booklets.booklet.typeset import typst_compile
    from transition_booklets.pictures.images import ImageProcessor
    from transition_booklets.pictures.sizes import PRINT_SIZES
    from transition_booklets.protect.letters import LetterSchool, write_letters_pdf

    assert cohort.school is not None
    school = cohort.school
    address = options.address or school.site_address
    entries = []
    for record in sorted(cohort.pupils, key=_by_surname):
        name = protection.folder(record.id)
        keyworker = record.pupil.keyworker
        member = school.staff.get(keyworker.staff) if keyworker else None
        entries.append(
            LetterEntry(
                pupil_id=record.id,
                name=record.pupil.name,
                preferred_name=record.pupil.called,
                address=f"{address.rstrip('/')}/{name}/" if address else f"{name}/index.html",
                password=protection.passwords[record.id],
                keyworker=member.name if member else "",
                **_family_letter(record, school),
            )
        )
    words = Words.for_school(school)
    logo = None
    if school.logo:
        size = PRINT_SIZES["logo"]
        processor = ImageProcessor(options.data_dir, options.cache_dir / "images")
        with contextlib.suppress(BuildError):  # a broken logo: the pupils' builds report it
            logo = processor.print_image(school.logo, width_mm=size.width_mm, drawing=True).path
    contacts = tuple(
        ", ".join(part for part in (contact.name, contact.phone, contact.email, contact.hours) if part)
        for contact in school.contacts
    )
    letter_school = LetterSchool(school.name, words.date(dt.date.today()), logo, contacts)
    try:
        write_family_letters(
            entries, options.staff_dir, letter_school, words.all(), out_dir=options.out_dir, lang=words.language
        )
        write_letters_pdf(
            entries,
            options.staff_dir / "letters",
            letter_school,
            words.all(),
            lang=words.language,
            typeset=typst_compile,
        )
    except (OSError, BuildError) as error:
        result.problems.append(BuildError(f"the family letters could not be written: {error}"))


PRINT_FOLDER = "print"  # in the staff folder: the print room's packs


def _write_print_pack(cohort: Cohort, protection: Protection | None, settings: Settings, result: BuildResult) -> None:
    """One PDF of print copies per group, and one of every pupil, in the staff folder."""
    from transition_booklets.booklet.print_pack import Pack, PackBooklet, write_print_pack

    assert cohort.school is not None
    school = cohort.school
    words = Words.for_school(school)
    booklets: dict[str, PackBooklet] = {}
    publisher = Publisher(settings.out_dir, settings.staff_dir)
    for record in sorted(cohort.pupils, key=_by_surname):
        # A protected guide's booklets are sealed; staff have the clear print copy in the staff folder.
        folder = publisher.staff_copies(record.id) if protection else settings.out_dir / record.id
        pdf = folder / "booklet-print.pdf"
        if not pdf.is_file():
            result.problems.append(
                BuildError(f"{display_path(record.path)}: not in the print pack: there is no booklet yet")
            )
            continue
        booklets[record.id] = PackBooklet(record.pupil.name, pdf)
    groups_of = {record.id: record.pupil.groups for record in cohort.pupils}
    packs = [
        Pack(
            group_id,
            str(words["print_pack_title"]).format(group=group.name),
            tuple(booklet for pupil_id, booklet in booklets.items() if group_id in groups_of[pupil_id]),
        )
        for group_id, group in school.groups.items()
    ]
    packs = [pack for pack in packs if pack.booklets]
    packs.append(
        Pack("all", str(words["print_pack_title"]).format(group=words["print_pack_all"]), tuple(booklets.values()))
    )
    try:
        write_print_pack(
            packs,
            settings.staff_dir / PRINT_FOLDER,
            school=school.name,
            date=words.date(dt.date.today()),
            words=words.all(),
            language=words.language,
        )
    except (OSError, BuildError, ValueError) as error:
        result.problems.append(BuildError(f"the print pack could not be written: {error}"))


def _report_key(cohort: Cohort, result: BuildResult, fingerprints: dict[str, str]) -> str:
    """Everything the staff report shows, as one hash: it is rewritten only when this changes."""
    digest = hashlib.sha256(tool_digest().encode())
    digest.update(dt.date.today().isoformat().encode())
    digest.update(file_digest(cohort.data_dir / "school.yaml").encode())
    for record in cohort.pupils:
        digest.update(f"{record.id}|{file_digest(record.path)}|{fingerprints.get(record.id, '')}".encode())
    # Built or unchanged makes no difference to the report; failures and their problems do.
    shown = {
        pupil_id: {**outcome, "status": "failed" if outcome.get("status") == "failed" else "ok"}
        for pupil_id, outcome in result.outcomes.items()
    }
    digest.update(json.dumps(shown, sort_keys=True, default=str).encode())
    digest.update(json.dumps([result.tidied, result.kept_unknown]).encode())
    return digest.hexdigest()


def _write_report(
    cohort: Cohort,
    result: BuildResult,
    options: Settings,
    fingerprints: dict[str, str] | None = None,
    *,
    today: dt.date | None = None,
    parts: dict[str, Any] | None = None,
) -> None:
    from transition_booklets.staff.report import write_cohort_report

    stamp = options.cache_dir / "report.txt"
    key = _report_key(cohort, result, fingerprints or {})
    if (options.staff_dir / "index.html").is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == key:
        return
    try:
        write_cohort_report(
            cohort,
            result.outcomes,
            options.staff_dir,
            options.out_dir,
            today,
            cache_dir=options.cache_dir,
            known_parts=parts,
            tidied=result.tidied,
            tidied_kept=result.kept_unknown,
        )
        stamp.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(stamp, key)
    except OSError as error:
        result.problems.append(
            BuildError(f"{display_path(options.staff_dir)}: the staff report could not be written ({error})")
        )
