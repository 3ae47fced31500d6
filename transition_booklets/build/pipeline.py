"""The build, stage by stage: load → resolve → images → pages → site → booklet → report.

* **Parallel**: pupils are built in worker processes (``--jobs``, default one per core),
  each keeping the compiled theme, the theme's file list and the image cache for every
  pupil it builds. Shared photos are processed once, before the workers start.
* **Incremental**: a pupil whose inputs are unchanged (see :mod:`fingerprint`) is not
  rebuilt; changing something shared rebuilds exactly the pupils whose pages show it.
* **Atomic**: each pupil is built into a fresh folder beside the output and swapped in
  only when complete, so a pupil that fails keeps its last good output and never stops
  the others.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import logging
import multiprocessing
import os
import shutil
import sys
import time
import traceback
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from transition_booklets.build.fingerprint import BuildStamps, ViewCache, kept_fingerprint, pupil_fingerprint
from transition_booklets.data.loader import Cohort, PupilRecord, load_cohort, pupil_files
from transition_booklets.data.problems import BuildError, Problem, display_path
from transition_booklets.pictures.images import ImageProcessor
from transition_booklets.protect.letters import LetterEntry, write_family_letters
from transition_booklets.protect.passwords import folder_name, load_or_create_secret, load_passwords, passwords_for
from transition_booklets.publish.archive import ArchiveTooLarge, write_zip
from transition_booklets.site.engine import SiteEngine
from transition_booklets.site.pages import page_environment, warm_shared_images, write_pupil_site
from transition_booklets.support.files import file_digest
from transition_booklets.support.parallel import can_fork, cores, fork_pool, one_typst_thread
from transition_booklets.support.resources import tool_digest
from transition_booklets.view.pupil_view import build_view
from transition_booklets.view.words import Words

log = logging.getLogger(__name__)

TYPST_WORK = "typst"  # in the cache folder: one folder per run for the workers' Typst roots, removed after it


@dataclass
class BuildOptions:
    data_dir: Path = Path("pupils")
    out_dir: Path = Path("site")
    staff_dir: Path = Path("staff")
    only: list[str] = field(default_factory=list)
    jobs: int = 0
    force: bool = False
    shard: str | None = None
    protect: bool = False
    pdf: bool = True
    quiet: bool = False
    progress: bool = False
    passwords_file: Path | None = None
    address: str | None = None

    @property
    def cache_dir(self) -> Path:
        """Processed images, the theme store and build stamps: staff-side, never in the published folder."""
        return self.staff_dir / ".cache"


@dataclass
class BuildResult:
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    problems: list[Problem | BuildError] = field(default_factory=list)
    outcomes: dict[str, dict[str, Any]] = field(default_factory=dict)
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


class ShardError(ValueError):
    pass


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` → ``(2, 4)``."""
    try:
        part, _, total = text.partition("/")
        index, count = int(part), int(total)
    except ValueError:
        raise ShardError(f"--shard '{text}' should be K/N, e.g. 1/4") from None
    if not 1 <= index <= count:
        raise ShardError(f"--shard '{text}': K must be between 1 and N")
    return index, count


def in_shard(pupil_id: str, index: int, count: int) -> bool:
    """A stable slice: a pupil stays in its shard whatever other pupils come and go."""
    digest = int.from_bytes(hashlib.sha256(pupil_id.encode("utf-8")).digest()[:8], "big")
    return digest % count == index - 1


def swap_in(staging: Path, final: Path) -> None:
    """Replace ``final`` with the complete ``staging`` folder, keeping the old one until the new is in place."""
    old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
    if final.exists():
        final.rename(old)
    staging.rename(final)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------------------
# One pupil
# ---------------------------------------------------------------------------


@dataclass
class Protection:
    """For a protected build: the school's secret for folder names and each pupil's password."""

    secret: bytes
    passwords: dict[str, str]

    def folder(self, pupil_id: str) -> str:
        return folder_name(pupil_id, self.secret)

    def token(self, pupil_id: str) -> str:
        """Changes when the pupil's password does, without revealing it in the build records."""
        return hmac.new(self.secret, self.passwords[pupil_id].encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass
class Worker:
    """What one process keeps for every pupil it builds."""

    cohort: Cohort
    options: BuildOptions
    processor: ImageProcessor
    engine: SiteEngine
    protection: Protection | None = None
    today: dt.date = field(default_factory=dt.date.today)  # for the staff page's part of each pupil
    typst_work: Path | None = None  # this run's folder for Typst roots (see booklet.write_booklets)

    def folder(self, pupil_id: str) -> str:
        """The pupil's folder name in the published output."""
        return self.protection.folder(pupil_id) if self.protection else pupil_id


_worker: Worker | None = None


def make_worker(
    cohort: Cohort,
    options: BuildOptions,
    protection: Protection | None = None,
    today: dt.date | None = None,
    typst_work: Path | None = None,
) -> Worker:
    engine = SiteEngine(options.cache_dir / "static")
    page_environment().bytecode_cache = jinja2.FileSystemBytecodeCache(str(options.cache_dir / "static" / "jinja"))
    processor = ImageProcessor(options.data_dir, options.cache_dir / "images")
    return Worker(cohort, options, processor, engine, protection, today or dt.date.today(), typst_work)


def build_pupil(worker: Worker, record: PupilRecord, *, unless: str | None = None) -> tuple[str, bool]:
    """Build one pupil's folder completely, then swap it in; return the fingerprint and whether it was built.

    The fingerprint is taken from the same view, before anything is written, so a file changed
    during the build makes the next run build the pupil again. When it equals ``unless`` (the
    fingerprint of the pupil's last build, which the main process could not check without
    building the view), the folder is up to date and nothing is written. Raises BuildError for
    the user.
    """
    cohort, options = worker.cohort, worker.options
    assert cohort.school is not None
    pupil_file = display_path(record.path)
    school_file = display_path(cohort.data_dir / "school.yaml")
    view = build_view(cohort.school, record.pupil, record.id)
    fingerprint = pupil_fingerprint(
        cohort,
        record,
        pdf=options.pdf,
        protect=worker.protection.token(record.id) if worker.protection else "",
        views=ViewCache(options.cache_dir / "views"),
        view=view,
    )
    if fingerprint == unless:
        return fingerprint, False
    options.out_dir.mkdir(parents=True, exist_ok=True)
    name = worker.folder(record.id)
    final = options.out_dir / name
    staging = options.out_dir / f".{name}.building-{uuid.uuid4().hex[:8]}"
    try:
        staging.mkdir()
        add_booklets = None
        if options.pdf:
            from transition_booklets.booklet.typeset import processed_images, write_booklets

            def add_booklets(docs: Path) -> dict[str, str]:
                files = write_booklets(
                    view,
                    docs,
                    data_dir=cohort.data_dir,
                    resolve_image=processed_images(worker.processor, pupil_file=pupil_file, school_file=school_file),
                    source_name=pupil_file,
                    work_dir=worker.typst_work,
                )
                return {"reading": files.reading.name, "print": files.print.name}

        write_pupil_site(
            cohort,
            record,
            view,
            staging,
            processor=worker.processor,
            engine=worker.engine,
            add_booklets=add_booklets,
        )
        if worker.protection is not None:
            assert cohort.school is not None
            from transition_booklets.protect.encrypt import (
                protect_folder,  # only protected builds need the cryptography library
            )

            protect_folder(staging, worker.protection.passwords[record.id], words=Words(cohort.school.locale).all())
        swap_in(staging, final)
        try:
            write_zip(final, options.out_dir / f"{name}.zip")
        except ArchiveTooLarge as error:
            (options.out_dir / f"{name}.zip").unlink(missing_ok=True)
            log.warning(
                "%s: the site and booklets were built, but no zip: %s; a shorter or smaller welcome recording "
                "usually fixes this",
                pupil_file,
                error,
            )
        _remove_other_mode(options.out_dir, record.id, name)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return fingerprint, True


def _typst_work(parent: Path, stale_after: float = 6 * 3600) -> Path:
    """A new folder for this run's Typst roots under ``parent``; folders of runs long stopped are removed."""
    with contextlib.suppress(OSError):
        for old in parent.iterdir():
            with contextlib.suppress(OSError):
                if time.time() - old.stat().st_mtime > stale_after:
                    shutil.rmtree(old, ignore_errors=True)
    return parent / f"run-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _remove_other_mode(out_dir: Path, pupil_id: str, name: str) -> None:
    """A pupil switched between protected and open keeps no copy under the other name."""
    if name == pupil_id:
        return
    for leftover in (out_dir / pupil_id, out_dir / f"{pupil_id}.zip"):
        if leftover.is_dir():
            shutil.rmtree(leftover)
        elif leftover.exists():
            leftover.unlink()


def _run_one(worker: Worker, index: int, unless: str | None = None) -> dict[str, Any]:
    """Build one pupil (see :func:`build_pupil` for ``unless``) and say how it went."""
    record = worker.cohort.pupils[index]
    started = time.perf_counter()
    try:
        fingerprint, built = build_pupil(worker, record, unless=unless)
    except BuildError as error:
        return {"id": record.id, "status": "failed", "problems": [str(error)], "seconds": time.perf_counter() - started}
    except Exception as error:  # a bug must not stop the other pupils; say so plainly
        log.debug("internal error building %s:\n%s", record.id, traceback.format_exc())
        message = (
            f"{display_path(record.path)}: internal error while building this pupil ({type(error).__name__}: {error}); "
            "the other pupils were built. Please report this with the pupil file."
        )
        return {"id": record.id, "status": "failed", "problems": [message], "seconds": time.perf_counter() - started}
    return {
        "id": record.id,
        "status": "built" if built else "unchanged",
        "problems": [],
        "seconds": time.perf_counter() - started,
        "fingerprint": fingerprint,
        "part": _report_part(worker, record),
    }


def _report_part(worker: Worker, record: PupilRecord) -> Any:
    """The pupil's part of the staff page, worked out here while the pupil is in memory (or None)."""
    from transition_booklets.staff.report import pupil_part

    try:
        return pupil_part(worker.cohort, record, worker.today)
    except Exception:  # the staff page works it out again and reports any problem there
        log.debug("no staff page part for %s:\n%s", record.id, traceback.format_exc())
        return None


def _init_process(
    cohort: Cohort, options: BuildOptions, protection: Protection | None, today: dt.date, typst_work: Path | None
) -> None:
    global _worker
    one_typst_thread()
    _worker = make_worker(cohort, options, protection, today, typst_work)


def _worker_pool(worker: Worker, jobs: int) -> AbstractContextManager[ProcessPoolExecutor]:
    """Worker processes for the pupils.

    Forked workers start with everything this process has prepared (the compiled theme, the
    theme's file list, the warm image cache, the loaded cohort). Typst's thread pool does not
    survive a fork, so a process that has already typeset a booklet (a long-lived preview, a
    test run) starts clean workers from a fork server instead, each preparing its own.
    """
    global _worker
    if can_fork():
        _worker = worker
        return fork_pool(jobs, initializer=one_typst_thread)
    return ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context("forkserver"),
        initializer=_init_process,
        initargs=(worker.cohort, worker.options, worker.protection, worker.today, worker.typst_work),
    )


def _run_in_process(index: int, unless: str | None) -> dict[str, Any]:
    assert _worker is not None
    return _run_one(_worker, index, unless)


# ---------------------------------------------------------------------------
# The cohort
# ---------------------------------------------------------------------------


class Progress:
    """A one-line progress bar on a terminal, plain lines elsewhere."""

    def __init__(self, total: int, enabled: bool, quiet: bool) -> None:
        self.total = total
        self.done = 0
        self.bar = enabled and sys.stderr.isatty()
        self.quiet = quiet

    def step(self, pupil_id: str, status: str) -> None:
        self.done += 1
        if self.bar:
            width = 30
            filled = round(width * self.done / max(self.total, 1))
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {pupil_id:<30.30}")
            sys.stderr.flush()
            if self.done == self.total:
                sys.stderr.write("\n")
        elif not self.quiet:
            log.info("%s %s", status, pupil_id)


def _select(options: BuildOptions) -> list[str] | None:
    if not options.shard:
        return options.only or None
    index, count = parse_shard(options.shard)
    candidates = options.only or [path.stem for path in pupil_files(options.data_dir)]
    return [pupil_id for pupil_id in candidates if in_shard(pupil_id, index, count)]


def build_cohort(options: BuildOptions) -> BuildResult:
    started = time.perf_counter()
    today = dt.date.today()
    result = BuildResult()
    try:
        selected = _select(options)
    except (ShardError, OSError) as error:
        result.problems.append(BuildError(str(error)))
        return result
    if selected == []:
        result.seconds = time.perf_counter() - started
        return result
    jobs = options.jobs if options.jobs > 0 else cores()
    cohort = load_cohort(options.data_dir, selected, cache_dir=options.cache_dir / "read", jobs=jobs)
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

    if options.staff_dir.resolve().is_relative_to(options.out_dir.resolve()):
        result.problems.append(
            BuildError(
                f"--staff-out {display_path(options.staff_dir)} is inside the published folder "
                f"{display_path(options.out_dir)}; staff-only files must be kept apart, so choose another folder"
            )
        )
        result.seconds = time.perf_counter() - started
        return result
    protection: Protection | None = None
    if options.protect or cohort.school.protect:
        try:
            protection = _protection(cohort, options)
        except BuildError as error:
            result.problems.append(error)
            result.seconds = time.perf_counter() - started
            return result

    stamps = BuildStamps(options.cache_dir / "builds")
    views = ViewCache(options.cache_dir / "views")
    fingerprints: dict[str, str] = {}
    # (pupil index, the fingerprint of their last build if only their view can tell whether it is
    # still good): a worker builds the view, checks, and builds only when something changed.
    to_build: list[tuple[int, str | None]] = []
    for index, record in enumerate(cohort.pupils):
        name = protection.folder(record.id) if protection else record.id
        stamp = None if options.force else stamps.get(record.id)
        if stamp is None or not (options.out_dir / name / "index.html").is_file():
            # Built whatever its fingerprint: the worker takes it from the view it builds anyway.
            to_build.append((index, None))
            continue
        token = protection.token(record.id) if protection else ""
        fingerprint = kept_fingerprint(cohort, record, pdf=options.pdf, protect=token, views=views)
        if fingerprint is None:  # school.yaml, the pupil's file or the tool changed: the view must be built
            to_build.append((index, stamp))
            continue
        fingerprints[record.id] = fingerprint
        if stamp == fingerprint:
            result.unchanged.append(record.id)
            result.outcomes[record.id] = {"status": "unchanged", "problems": [], "folder": name}
        else:
            to_build.append((index, None))

    progress = Progress(len(to_build), options.progress, options.quiet)
    outcomes: list[dict[str, Any]] = []
    parts: dict[str, Any] = {}
    typst_work = _typst_work(options.cache_dir / TYPST_WORK)
    try:
        if to_build:
            worker = make_worker(cohort, options, protection, today, typst_work)
            warm_shared_images(worker.processor, cohort, jobs=jobs)
            jobs = min(jobs, len(to_build))
            if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
                for index, unless in to_build:
                    outcome = _run_one(worker, index, unless)
                    outcomes.append(outcome)
                    progress.step(outcome["id"], outcome["status"])
            else:
                with _worker_pool(worker, jobs) as pool:
                    futures = [pool.submit(_run_in_process, index, unless) for index, unless in to_build]
                    for future in as_completed(futures):
                        outcome = future.result()
                        outcomes.append(outcome)
                        progress.step(outcome["id"], outcome["status"])
    finally:
        shutil.rmtree(typst_work, ignore_errors=True)

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
    if protection is not None:
        _write_letters(cohort, protection, options, result)
    _write_report(cohort, result, options, fingerprints, today=today, parts=parts)
    result.seconds = time.perf_counter() - started
    return result


def _protection(cohort: Cohort, options: BuildOptions) -> Protection:
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


def _write_letters(cohort: Cohort, protection: Protection, options: BuildOptions, result: BuildResult) -> None:
    assert cohort.school is not None
    address = options.address or cohort.school.site_address
    entries = []
    for record in cohort.pupils:
        name = protection.folder(record.id)
        entries.append(
            LetterEntry(
                pupil_id=record.id,
                name=record.pupil.name,
                preferred_name=record.pupil.called,
                address=f"{address.rstrip('/')}/{name}/" if address else f"{name}/index.html",
                password=protection.passwords[record.id],
            )
        )
    words = Words(cohort.school.locale)
    try:
        write_family_letters(
            entries, options.staff_dir, cohort.school.name, words.all(), out_dir=options.out_dir, lang=words.language
        )
    except (OSError, BuildError) as error:
        result.problems.append(BuildError(f"the family letters could not be written: {error}"))


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
    return digest.hexdigest()


def _write_report(
    cohort: Cohort,
    result: BuildResult,
    options: BuildOptions,
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
        )
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(key, encoding="utf-8")
    except OSError as error:
        result.problems.append(
            BuildError(f"{display_path(options.staff_dir)}: the staff report could not be written ({error})")
        )
