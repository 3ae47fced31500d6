"""Building one pupil, in this process or in worker processes.

A :class:`PupilBuilder` holds what one process keeps for every pupil it builds (the loaded
cohort, the compiled theme, the image cache) and builds a pupil through every stage: the
view, the fingerprint, the pages and site, the booklet, then hands the folder to the
:class:`~transition_booklets.publish.folders.Publisher`, which seals it when the build is
protected and swaps it in.

Worker processes receive their builder through the pool's initializer (:func:`pupil_pool`);
nothing is planted in a module global before the fork.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import hmac
import logging
import multiprocessing
import signal
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from transition_booklets.build.fingerprint import ViewCache, pupil_fingerprint
from transition_booklets.build.settings import Settings
from transition_booklets.data.loader import SCHOOL_FILE, Cohort, PupilRecord, school_positions
from transition_booklets.data.problems import BuildError, display_path
from transition_booklets.data.yaml_source import Positions
from transition_booklets.pictures.images import ImageProcessor
from transition_booklets.protect.passwords import NORMALISATION, folder_name
from transition_booklets.publish.folders import Publisher
from transition_booklets.site.engine import SiteEngine
from transition_booklets.site.pages import page_environment, write_pupil_site
from transition_booklets.support.parallel import can_fork, fork_pool, one_typst_thread
from transition_booklets.view.pupil_view import build_view, family_view
from transition_booklets.view.words import Words

log = logging.getLogger(__name__)


@dataclass
class Protection:
    """For a protected build: the school's secret for folder names and each pupil's password."""

    secret: bytes
    passwords: dict[str, str]

    def folder(self, pupil_id: str) -> str:
        return folder_name(pupil_id, self.secret)

    def token(self, pupil_id: str) -> str:
        """Changes when the pupil's password does, without revealing it in the build records."""
        sealed_with = f"{NORMALISATION}|{self.passwords[pupil_id]}".encode()  # a new normalisation seals again
        return hmac.new(self.secret, sealed_with, hashlib.sha256).hexdigest()


@dataclass
class PupilBuilder:
    """What one process keeps for every pupil it builds, and the building of one pupil."""

    cohort: Cohort
    settings: Settings
    processor: ImageProcessor
    engine: SiteEngine
    protection: Protection | None = None
    today: dt.date = field(default_factory=dt.date.today)  # for the staff page's part of each pupil
    typst_work: Path | None = None  # this run's folder for Typst roots (see booklet.typeset.write_booklets)

    @classmethod
    def start(
        cls,
        cohort: Cohort,
        settings: Settings,
        protection: Protection | None = None,
        today: dt.date | None = None,
        typst_work: Path | None = None,
    ) -> PupilBuilder:
        engine = SiteEngine(settings.cache_dir / "static")
        bytecode = jinja2.FileSystemBytecodeCache(str(settings.cache_dir / "static" / "jinja"))
        page_environment(cohort.school.theme if cohort.school else None).bytecode_cache = bytecode
        processor = ImageProcessor(settings.data_dir, settings.cache_dir / "images")
        return cls(cohort, settings, processor, engine, protection, today or dt.date.today(), typst_work)

    def folder(self, pupil_id: str) -> str:
        """The pupil's folder name in the published output."""
        return self.protection.folder(pupil_id) if self.protection else pupil_id

    @property
    def staff_copies(self) -> tuple[str, ...]:
        """The files staff keep a clear copy of: a protected guide's booklets (published sealed)."""
        return staff_copies(self.settings, self.protection)

    def build(self, record: PupilRecord, *, unless: str | None = None) -> tuple[str, bool]:
        """Build one pupil's folder completely and publish it; return the fingerprint and whether it was built.

        The fingerprint is taken from the same view, before anything is written, so a file changed
        during the build makes the next run build the pupil again. When it equals ``unless`` (the
        fingerprint of the pupil's last build, which the main process could not check without
        building the view), the folder is up to date and nothing is written. Raises BuildError for
        the user.
        """
        cohort, settings = self.cohort, self.settings
        assert cohort.school is not None
        school = cohort.school
        pupil_file = display_path(record.path)
        school_file = display_path(cohort.data_dir / "school.yaml")
        view = build_view(school, record.pupil, record.id)
        fingerprint = pupil_fingerprint(
            cohort,
            record,
            pdf=settings.pdf,
            protect=self.protection.token(record.id) if self.protection else "",
            views=ViewCache(settings.cache_dir / "views"),
            view=view,
        )
        if fingerprint == unless:
            return fingerprint, False

        add_booklets: Callable[[Path], dict[str, str]] | None = None
        if settings.pdf:
            from transition_booklets.booklet.typeset import processed_images, write_booklets

            def add_booklets(docs: Path) -> dict[str, str]:
                files = write_booklets(
                    view,
                    docs,
                    data_dir=cohort.data_dir,
                    resolve_image=processed_images(self.processor, pupil_file=pupil_file, school_file=school_file),
                    source_name=pupil_file,
                    work_dir=self.typst_work,
                    words=Words.for_school(school),
                    theme=school.theme,
                    font_cache=settings.cache_dir / "fonts",
                    family=family_view(school, record.pupil, record.id, cohort.data_dir, besides=school.locale),
                )
                return {"reading": files.reading.name, "print": files.print.name}

        def fill(staging: Path) -> None:
            write_pupil_site(
                cohort, record, view, staging, processor=self.processor, engine=self.engine, add_booklets=add_booklets
            )

        seal: Callable[[Path], None] | None = None
        if self.protection is not None:
            password = self.protection.passwords[record.id]

            def seal(staging: Path) -> None:
                from transition_booklets.protect.encrypt import protect_folder  # needs the cryptography library

                protect_folder(staging, password, words=Words.for_school(school).all())

        Publisher(settings.out_dir, settings.staff_dir).publish(
            record.id, self.folder(record.id), fill, seal=seal, staff_copies=self.staff_copies, shown=pupil_file
        )
        return fingerprint, True

    def run(self, index: int, unless: str | None = None) -> dict[str, Any]:
        """Build the cohort's pupil ``index`` (see :meth:`build` for ``unless``) and say how it went."""
        record = self.cohort.pupils[index]
        started = time.perf_counter()
        try:
            fingerprint, built = self.build(record, unless=unless)
        except BuildError as error:
            return {
                "id": record.id,
                "status": "failed",
                "problems": [str(error.located(self._positions(record)))],
                "seconds": time.perf_counter() - started,
            }
        except OSError as error:  # a full disk, a folder that cannot be written
            return {
                "id": record.id,
                "status": "failed",
                "problems": [_not_written(record, error)],
                "seconds": time.perf_counter() - started,
            }
        except Exception as error:  # a bug must not stop the other pupils; say so plainly
            log.debug("internal error building %s:\n%s", record.id, traceback.format_exc())
            message = (
                f"{display_path(record.path)}: internal error while building this pupil ({type(error).__name__}: {error}); "
                "the other pupils were built. Please report this with the pupil file."
            )
            return {
                "id": record.id,
                "status": "failed",
                "problems": [message],
                "seconds": time.perf_counter() - started,
            }
        return {
            "id": record.id,
            "status": "built" if built else "unchanged",
            "problems": [],
            "seconds": time.perf_counter() - started,
            "fingerprint": fingerprint,
            "part": self._report_part(record),
        }

    def _positions(self, record: PupilRecord) -> Callable[[str], Positions | None]:
        """Where each value of the pupil's file and of ``school.yaml`` is, to locate a build error."""
        pupil_file = display_path(record.path)
        school_file = display_path(self.cohort.data_dir / SCHOOL_FILE)

        def positions(file: str) -> Positions | None:
            if file == pupil_file:
                return record.positions
            if file == school_file:
                return school_positions(self.cohort.data_dir)
            return None

        return positions

    def _report_part(self, record: PupilRecord) -> Any:
        """The pupil's part of the staff page, worked out here while the pupil is in memory (or None)."""
        from transition_booklets.staff.report import pupil_part

        try:
            return pupil_part(self.cohort, record, self.today)
        except Exception:  # the staff page works it out again and reports any problem there
            log.debug("no staff page part for %s:\n%s", record.id, traceback.format_exc())
            return None


def staff_copies(settings: Settings, protection: Protection | None) -> tuple[str, ...]:
    """The files of a pupil's guide that staff keep a clear copy of (in ``<staff>/booklets/<pupil-id>/``)."""
    if protection is None or not settings.pdf:
        return ()
    from transition_booklets.booklet.typeset import PRINT_NAME, READING_NAME  # Typst is loaded only with booklets

    return (READING_NAME.format(stem="booklet"), PRINT_NAME.format(stem="booklet"))


#: In a worker process: the builder its pool's initializer made or was given.
_builder: PupilBuilder | None = None


def _adopt(builder: PupilBuilder) -> None:
    """In a forked worker: build with the parent's builder (the theme and caches it prepared)."""
    global _builder
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # stopped by the parent: at once (see stop_workers)
    one_typst_thread()
    _builder = builder


def _start(
    cohort: Cohort, settings: Settings, protection: Protection | None, today: dt.date, typst_work: Path | None
) -> None:
    """In a worker started from a fork server: prepare a builder of its own."""
    global _builder
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    one_typst_thread()
    _builder = PupilBuilder.start(cohort, settings, protection, today, typst_work)


def _not_written(record: PupilRecord, error: OSError) -> str:
    where = f" ({error.filename})" if error.filename else ""
    if error.errno == errno.ENOSPC:
        reason = "the disk is full; free some space (or choose --out and --staff-out on another disk) and build again"
    elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "a folder cannot be written to; check that the output and staff folders are yours to write in"
    else:
        reason = f"{error.strerror or error}; build again"
    return f"{display_path(record.path)}: the guide could not be written{where}: {reason}. The last good guide is kept."


def run_in_worker(index: int, unless: str | None) -> dict[str, Any]:
    """What a worker process runs for one pupil."""
    assert _builder is not None, "run_in_worker runs only in a pool from pupil_pool"
    return _builder.run(index, unless)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Stop every worker at once (the build was stopped): nothing queued starts, nothing running goes on.

    A guide a worker was building stays in the staging folder, never half in the published one;
    the next build removes it.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())  # CPython keeps them here; no public way
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, AttributeError, ValueError):
            process.terminate()


def pupil_pool(builder: PupilBuilder, jobs: int) -> AbstractContextManager[ProcessPoolExecutor]:
    """Worker processes for the pupils; submit :func:`run_in_worker` to it.

    Forked workers start with everything this process has prepared (the compiled theme, the
    theme's file list, the warm image cache, the loaded cohort). Typst's thread pool does not
    survive a fork, so a process that has already typeset a booklet (a long-lived preview, a
    test run) starts clean workers from a fork server instead, each preparing its own.
    """
    if can_fork():
        return fork_pool(jobs, _adopt, (builder,))
    return ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context("forkserver"),
        initializer=_start,
        initargs=(builder.cohort, builder.settings, builder.protection, builder.today, builder.typst_work),
    )
