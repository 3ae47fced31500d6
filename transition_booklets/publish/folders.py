"""The published folder: the only code that puts anything into ``--out`` or takes anything out.

A pupil is published in one call, :meth:`Publisher.publish`, which

1. makes a fresh staging folder beside the published one (``.<folder>.building-<pid>-<random>``),
2. has the caller fill it (the pages, pictures, booklets),
3. seals it when the build is protected (encrypts it in place, see :mod:`~transition_booklets.protect`),
4. swaps it in whole for the pupil's last folder (readers see the old folder or the new one),
5. writes the zip beside it, and
6. removes the copy under the pupil's other name, when the pupil switched between protected and open.

A step that fails leaves the last good folder in place and removes the staging folder.
Staging folders left by a build that was stopped (a crash, ``kill -9``) are removed by
:meth:`Publisher.remove_leftovers` once the process that made them has gone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from transition_booklets.data.problems import display_path
from transition_booklets.publish.archive import ArchiveTooLarge, write_zip

log = logging.getLogger(__name__)

_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?:building|old)-(?P<pid>\d+)-[0-9a-f]{8}$")


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


@dataclass(frozen=True)
class Publisher:
    """Publishes pupils' folders into ``out_dir``."""

    out_dir: Path

    def folder(self, name: str) -> Path:
        return self.out_dir / name

    def is_published(self, name: str) -> bool:
        """Whether a complete folder ``name`` is published (its front page is there)."""
        return (self.out_dir / name / "index.html").is_file()

    def publish(
        self,
        pupil_id: str,
        name: str,
        fill: Callable[[Path], None],
        *,
        seal: Callable[[Path], None] | None = None,
        shown: str = "",
    ) -> Path:
        """Publish one pupil's folder as ``name``: filled by ``fill``, sealed by ``seal``, swapped in, zipped.

        ``shown`` names the pupil's file in the warning about a folder too large to zip.
        Whatever ``fill`` or ``seal`` raise is raised again, with the last good folder kept.
        """
        self.out_dir.mkdir(parents=True, exist_ok=True)
        final = self.out_dir / name
        staging = self._fresh(name, "building")
        try:
            staging.mkdir()
            fill(staging)
            if seal is not None:
                seal(staging)
            self._swap_in(staging, final)
            self._zip(final, name, shown)
            self._remove_other_name(pupil_id, name)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        return final

    def remove_leftovers(self) -> list[Path]:
        """Remove staging and replaced folders left behind by builds that have stopped."""
        removed = []
        with contextlib.suppress(OSError):
            for path in self.out_dir.iterdir():
                match = _LEFTOVER.match(path.name)
                if match and not _running(int(match["pid"])):
                    shutil.rmtree(path, ignore_errors=True)
                    removed.append(path)
        if removed:
            log.info("removed %d unfinished folder(s) left by a build that was stopped", len(removed))
        return removed

    def _fresh(self, name: str, kind: str) -> Path:
        return self.out_dir / f".{name}.{kind}-{os.getpid()}-{uuid.uuid4().hex[:8]}"

    def _swap_in(self, staging: Path, final: Path) -> None:
        """Replace ``final`` with the complete ``staging`` folder, keeping the old one until the new is in place."""
        old = self._fresh(final.name, "old")
        if final.exists():
            final.rename(old)
        staging.rename(final)
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)

    def _zip(self, final: Path, name: str, shown: str) -> None:
        target = self.out_dir / f"{name}.zip"
        try:
            write_zip(final, target)
        except ArchiveTooLarge as error:
            target.unlink(missing_ok=True)
            log.warning(
                "%s: the site and booklets were built, but no zip: %s; a shorter or smaller welcome recording "
                "usually fixes this",
                shown or display_path(final),
                error,
            )

    def _remove_other_name(self, pupil_id: str, name: str) -> None:
        """A pupil switched between protected and open keeps no copy under the other name."""
        if name == pupil_id:
            return
        for leftover in (self.out_dir / pupil_id, self.out_dir / f"{pupil_id}.zip"):
            if leftover.is_dir():
                shutil.rmtree(leftover)
            elif leftover.exists():
                leftover.unlink()
