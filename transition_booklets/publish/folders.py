"""The published folder: the only code that puts anything into ``--out`` or takes anything out.

The published folder only ever receives finished guides. A pupil is published in one call,
:meth:`Publisher.publish`, which

1. makes a fresh work folder in the **staff** folder (``<staff>/.staging/``, readable by its
   owner only), never in the published one;
2. has the caller fill it (the pages, pictures, booklets);
3. seals it when the build is protected (encrypts it in place, see :mod:`~transition_booklets.protect`),
   first setting aside the clear files staff still need (the booklets to print) for the staff
   folder (``<staff>/booklets/<pupil-id>/``, readable by its owner only);
4. writes the zip there too;
5. moves the finished folder and zip into the published folder, each with one rename
   (the old folder is renamed aside first and removed after), so a reader, a sync tool or a
   crash sees the old guide or the new one, and a protected pupil's clear pages, pictures,
   recording and booklets are never under ``--out``, not even for an instant. (When the staff
   and published folders are on different disks, the sealed folder is copied next to its
   place first and then renamed in.)
6. removes the copy under the pupil's other name, when the pupil switched between protected
   and open, and moves the staff copies into place (or removes old ones, for an open build,
   whose booklets are in the published folder).

A step that fails leaves the last good guide in place. :meth:`Publisher.remove_leftovers`
removes what stopped builds left behind; :meth:`Publisher.tidy` removes (or only lists)
guides in the published folder that belong to no pupil now.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import shutil
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from transition_booklets.data.problems import display_path
from transition_booklets.publish.archive import ArchiveTooLarge, write_zip
from transition_booklets.staff.report import STAFF_COPIES

log = logging.getLogger(__name__)

STAGING = ".staging"  # in the staff folder
_OURS = re.compile(r"^\.(?P<name>.+)\.(?:old|incoming|building)-(?P<pid>\d+)(?:-[0-9a-f]{8})?$")
_OLD_STYLE = re.compile(r"^\.(?:.+)\.(?:building-[0-9a-f]{8}|zip\.[0-9a-f]{8})$")  # earlier versions' leftovers
_WORK = re.compile(r"^(?P<name>.+)\.(?P<pid>\d+)-[0-9a-f]{8}$")


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def looks_like_a_guide(path: Path) -> bool:
    """Whether ``path`` is a pupil's guide this tool published (a folder or its zip)."""
    if path.is_dir():
        return (path / "index.html").is_file() and (path / "assets").is_dir() and (path / "robots.txt").is_file()
    if path.suffix == ".zip" and path.is_file():
        try:
            with zipfile.ZipFile(path) as archive:
                return f"{path.stem}/index.html" in archive.namelist()
        except (OSError, zipfile.BadZipFile):
            return False
    return False


@dataclass(frozen=True)
class Publisher:
    """Publishes pupils' guides into ``out_dir``, building them in ``staff_dir``'s staging folder."""

    out_dir: Path
    staff_dir: Path

    @property
    def staging(self) -> Path:
        return self.staff_dir / STAGING

    def staff_copies(self, pupil_id: str) -> Path:
        """Where a protected build keeps a pupil's clear booklets for staff."""
        return self.staff_dir / STAFF_COPIES / pupil_id

    def is_published(self, name: str, *, staff_copies: tuple[str, ...] = (), pupil_id: str = "") -> bool:
        """Whether a complete guide ``name`` is published (its front page is there), with its staff copies."""
        if not (self.out_dir / name / "index.html").is_file():
            return False
        return all((self.staff_copies(pupil_id) / copy).is_file() for copy in staff_copies)

    def publish(
        self,
        pupil_id: str,
        name: str,
        fill: Callable[[Path], None],
        *,
        seal: Callable[[Path], None] | None = None,
        staff_copies: tuple[str, ...] = (),
        shown: str = "",
    ) -> Path:
        """Publish one pupil's guide as ``name``: filled by ``fill``, sealed by ``seal``, zipped, moved in.

        ``staff_copies`` are files of the filled guide (before sealing) that staff keep a clear
        copy of; the ones there are moved into :meth:`staff_copies` with the guide. ``shown``
        names the pupil's file in the warning about a guide too large to zip. Whatever ``fill``
        or ``seal`` raise is raised again, with the last good guide kept.
        """
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.staging.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            self.staging.chmod(0o700)
        work = self.staging / f"{name}.{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            work.mkdir()
            site = work / name  # named as published: the zip's entries sit under it
            site.mkdir()
            fill(site)
            kept = work / STAFF_COPIES
            kept.mkdir(mode=0o700)
            for copy in staff_copies:
                if (site / copy).is_file():
                    shutil.copyfile(site / copy, kept / copy)  # a new file: sealing the guide leaves it clear
                    (kept / copy).chmod(0o600)
            if seal is not None:
                seal(site)
            archive = self._zip(site, work / f"{name}.zip", shown)
            final = self.out_dir / name
            self._move_in(site, final)
            if archive is not None:
                self._move_in(archive, self.out_dir / f"{name}.zip")
            else:
                (self.out_dir / f"{name}.zip").unlink(missing_ok=True)
            self._remove_other_name(pupil_id, name)
            self._keep_staff_copies(pupil_id, kept if staff_copies else None)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return final

    def remove_leftovers(self) -> list[Path]:
        """Remove what builds that were stopped (a crash, ``kill -9``) left in the published and staging folders."""
        removed = []
        for folder, pattern in ((self.out_dir, _OURS), (self.staging, _WORK), (self.staff_dir / STAFF_COPIES, _OURS)):
            with contextlib.suppress(OSError):
                for path in folder.iterdir():
                    match = pattern.match(path.name)
                    stale = (match and not _running(int(match["pid"]))) or (
                        folder == self.out_dir and _OLD_STYLE.match(path.name)
                    )
                    if stale:
                        _remove(path)
                        removed.append(path)
        if removed:
            log.info("removed %d unfinished folder(s) left by a build that was stopped", len(removed))
        return removed

    def tidy(self, expected: set[str], *, remove: bool = True) -> list[str]:
        """The published guides (folders and zips) that belong to no name in ``expected``; removed unless told not to."""
        found = []
        with contextlib.suppress(OSError):
            for path in sorted(self.out_dir.iterdir()):
                if path.name.startswith("."):
                    continue
                stem = path.name[: -len(".zip")] if path.name.endswith(".zip") else path.name
                if stem in expected or not looks_like_a_guide(path):
                    continue
                found.append(path.name)
                if remove:
                    _remove(path)
        if found:
            what = "removed" if remove else "found (kept, as asked)"
            log.info("%s %d guide(s) in %s that belong to no pupil now", what, len(found), display_path(self.out_dir))
        return found

    def _zip(self, site: Path, target: Path, shown: str) -> Path | None:
        try:
            return write_zip(site, target)
        except ArchiveTooLarge as error:
            log.warning(
                "%s: the site and booklets were built, but no zip: %s; a shorter or smaller welcome recording "
                "usually fixes this",
                shown or display_path(site),
                error,
            )
            return None

    def _move_in(self, source: Path, final: Path) -> None:
        """Replace ``final`` with the finished ``source`` (a folder or a file), each step one rename."""
        token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        incoming = final.with_name(f".{final.name}.incoming-{token}")
        try:
            source.rename(incoming)
        except OSError as error:
            if error.errno != errno.EXDEV:
                raise
            # Another disk: copy the finished (and, when protected, already sealed) guide beside its place.
            if source.is_dir():
                shutil.copytree(source, incoming, symlinks=False)
            else:
                shutil.copy2(source, incoming)
        if incoming.is_file():
            incoming.replace(final)
            return
        old = final.with_name(f".{final.name}.old-{token}")
        if final.exists():
            final.rename(old)
        incoming.rename(final)
        if old.exists():
            _remove(old)

    def _keep_staff_copies(self, pupil_id: str, kept: Path | None) -> None:
        """Replace the pupil's staff copies with ``kept`` (or remove them: an open guide's booklets are published)."""
        target = self.staff_copies(pupil_id)
        if kept is None or not any(kept.iterdir()):
            _remove(target)
            return
        target.parent.mkdir(mode=0o700, exist_ok=True)
        self._move_in(kept, target)

    def tidy_staff_copies(self, pupil_ids: set[str]) -> None:
        """Remove the staff copies of pupils who have no file now."""
        with contextlib.suppress(OSError):
            for path in (self.staff_dir / STAFF_COPIES).iterdir():
                if path.name not in pupil_ids and not path.name.startswith("."):
                    _remove(path)

    def _remove_other_name(self, pupil_id: str, name: str) -> None:
        """A pupil switched between protected and open keeps no copy under the other name."""
        if name == pupil_id:
            return
        for leftover in (self.out_dir / pupil_id, self.out_dir / f"{pupil_id}.zip"):
            _remove(leftover)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
