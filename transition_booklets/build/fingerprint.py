"""What a pupil's output depends on, as one hash, so an unchanged pupil is not rebuilt.

A pupil's fingerprint covers: the pupil's view (their file joined with every school fact
their pages show: staff, places, periods, subjects, contacts, colours, the map), the bytes
of every image and recording their pages or booklet use, the tool itself (its code,
templates, theme, strings, fonts, ``mkdocs.yml`` and version), the school's own theme folder (its
words, templates, stylesheet and booklet) and the build's switches.
Changing a staff photo or a place's description therefore rebuilds exactly the pupils
whose pages show it, and nobody else.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from transition_booklets.data.loader import GROUPS_FILE, SCHOOL_FILE, Cohort, PupilRecord
from transition_booklets.support.files import file_digest, write_atomic
from transition_booklets.support.resources import tool_digest
from transition_booklets.view.pupil_view import build_view
from transition_booklets.view.sections import PupilView


def _theme_digest(cohort: Cohort) -> str:
    """The school's own theme (templates, words, stylesheet, booklet), which shapes every pupil's output."""
    theme = cohort.school.theme if cohort.school else None
    return theme.digest() if theme else "no theme"


def _view_summary(cohort: Cohort, record: PupilRecord, view: PupilView | None = None) -> tuple[str, list[str]]:
    """The hash of the pupil's view (built here unless given) and the files it shows."""
    assert cohort.school is not None
    if view is None:
        view = build_view(cohort.school, record.pupil, record.id)
    text = json.dumps(view, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest(), list(view["files"])


class ViewCache:
    """The view summary of each pupil, reused while their file, ``school.yaml`` and the tool are unchanged."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def _key(self, cohort: Cohort, record: PupilRecord) -> str:
        school = file_digest(cohort.data_dir / SCHOOL_FILE)
        groups = file_digest(cohort.data_dir / GROUPS_FILE)
        theme = _theme_digest(cohort)
        pupil = file_digest(record.path)
        return hashlib.sha256(f"{tool_digest()}|{school}|{groups}|{theme}|{pupil}".encode()).hexdigest()

    def kept(self, cohort: Cohort, record: PupilRecord) -> tuple[str, list[str]] | None:
        """The summary kept from an earlier build, if its inputs are unchanged (nothing is built)."""
        if self.folder is None:
            return None
        try:
            stored = json.loads((self.folder / f"{record.id}.json").read_text(encoding="utf-8"))
            if stored["key"] == self._key(cohort, record):
                return str(stored["view"]), [str(source) for source in stored["sources"]]
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return None

    def summary(self, cohort: Cohort, record: PupilRecord, view: PupilView | None = None) -> tuple[str, list[str]]:
        """``view``: the pupil's view when the caller has built it already (saves building it twice)."""
        if self.folder is None:
            return _view_summary(cohort, record, view)
        found = self.kept(cohort, record)
        if found is not None:
            return found
        key = self._key(cohort, record)
        path = self.folder / f"{record.id}.json"
        view_hash, sources = _view_summary(cohort, record, view)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(path, json.dumps({"key": key, "view": view_hash, "sources": sources}))
        except OSError:
            pass
        return view_hash, sources


def pupil_fingerprint(
    cohort: Cohort,
    record: PupilRecord,
    *,
    pdf: bool,
    protect: str = "",
    views: ViewCache | None = None,
    view: PupilView | None = None,
) -> str:
    """``protect`` is empty for an open build, else a token that changes with the pupil's password.

    ``view`` is the pupil's view when the caller has built it already.
    """
    summary = (views or ViewCache(None)).summary(cohort, record, view)
    return _fingerprint(cohort, summary, pdf=pdf, protect=protect)


def kept_fingerprint(
    cohort: Cohort, record: PupilRecord, *, pdf: bool, protect: str = "", views: ViewCache
) -> str | None:
    """The pupil's fingerprint if it can be had without building their view, else None."""
    summary = views.kept(cohort, record)
    return None if summary is None else _fingerprint(cohort, summary, pdf=pdf, protect=protect)


def _fingerprint(cohort: Cohort, summary: tuple[str, list[str]], *, pdf: bool, protect: str) -> str:
    view_hash, sources = summary
    digest = hashlib.sha256(tool_digest().encode())
    digest.update(_theme_digest(cohort).encode())
    digest.update(view_hash.encode())
    digest.update(f"pdf={pdf} protect={protect}".encode())
    for source in sources:
        digest.update(source.encode())
        digest.update(file_digest(cohort.data_dir / source).encode())
    return digest.hexdigest()


class BuildStamps:
    """The fingerprint each pupil was last built from, one small file per pupil."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, pupil_id: str) -> Path:
        return self.folder / f"{pupil_id}.txt"

    def get(self, pupil_id: str) -> str | None:
        try:
            return self._path(pupil_id).read_text(encoding="utf-8").strip()
        except OSError:
            return None

    def put(self, pupil_id: str, fingerprint: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomic(self._path(pupil_id), fingerprint + "\n")

    def forget(self, pupil_id: str) -> None:
        self._path(pupil_id).unlink(missing_ok=True)
