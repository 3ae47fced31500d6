"""Read a school's data folder: ``school.yaml`` plus one ``<pupil-id>.yaml`` per pupil.

Every file is read and every problem in every file is collected before anything is
built, so the transition lead sees the whole list at once. A pupil with problems is
left out of the build; the other pupils are still built.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from transition_booklets.data.models import Group, GroupsFile, Pupil, School
from transition_booklets.data.problems import Problem, display_path, problems_from_validation
from transition_booklets.data.school_theme import school_theme, theme_problems
from transition_booklets.data.yaml_source import Positions, YamlProblem, read_yaml
from transition_booklets.support.files import PRIVATE, cache_key, signed, verified, write_atomic

log = logging.getLogger(__name__)

SCHOOL_FILE = "school.yaml"
GROUPS_FILE = "groups.yaml"  # the school's groups and their timetables (optional)
PUPIL_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class PupilRecord:
    """One pupil as read from its file.

    A record taken from the build's read cache holds the checked pupil still pickled and
    unpickles it the first time ``pupil`` or ``positions`` is used. Rebuilding after one
    edit then never unpickles the pupils it does not build (their fingerprints and report
    rows are kept too), and a worker process unpickles only the pupils it builds.
    """

    __slots__ = ("_content", "_stored", "id", "path")

    def __init__(
        self,
        id: str,
        path: Path,
        pupil: Pupil | None = None,
        positions: Positions | None = None,
        *,
        stored: bytes | None = None,
    ) -> None:
        self.id = id
        self.path = path
        self._content: tuple[Pupil, Positions] | None = None
        self._stored = stored
        if stored is None:
            if pupil is None or positions is None:
                raise ValueError("a pupil record needs the pupil and its positions, or the stored form of both")
            self._content = (pupil, positions)

    def _loaded(self) -> tuple[Pupil, Positions]:
        if self._content is None:
            assert self._stored is not None
            self._content = pickle.loads(self._stored)
        assert self._content is not None
        return self._content

    @property
    def pupil(self) -> Pupil:
        return self._loaded()[0]

    @property
    def positions(self) -> Positions:
        return self._loaded()[1]

    def stored(self) -> bytes:
        """The pupil and positions pickled, as kept in the read cache."""
        if self._stored is None:
            self._stored = pickle.dumps(self._loaded(), protocol=pickle.HIGHEST_PROTOCOL)
        return self._stored

    def __repr__(self) -> str:
        return f"PupilRecord({self.id!r}, {self.path!r})"


@dataclass
class Cohort:
    """Everything read from one data folder."""

    data_dir: Path
    school: School | None
    pupils: list[PupilRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    failed_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.school is not None and not self.problems


def pupil_files(data_dir: Path) -> list[Path]:
    """The pupil files of a data folder, in name order."""
    return sorted(
        path
        for path in data_dir.iterdir()
        if path.suffix in (".yaml", ".yml")
        and path.name not in (SCHOOL_FILE, "school.yml", GROUPS_FILE, "groups.yml")
        and not path.name.startswith(".")
    )


def _read(path: Path, shown: str) -> tuple[Any, Positions] | Problem:
    try:
        return read_yaml(path)
    except YamlProblem as problem:
        return Problem(shown, problem.line, problem.column, "", problem.message)


def load_school(data_dir: Path, *, path: Path | None = None) -> tuple[School | None, list[Problem]]:
    """The school of ``data_dir``, or its problems; ``path``: read school.yaml from there instead
    (a file about to be saved, checked with the data folder's pictures and groups)."""
    path = path or data_dir / SCHOOL_FILE
    shown = display_path(path)
    if not path.is_file():
        return None, [
            Problem(
                shown,
                1,
                1,
                "",
                f"there is no {SCHOOL_FILE} in {display_path(data_dir)}; is this your school's data folder? "
                "A new one is made with: transition-booklets init DIR",
            )
        ]
    result = _read(path, shown)
    if isinstance(result, Problem):
        return None, [result]
    data, positions = result
    if not isinstance(data, dict):
        return None, [Problem(shown, 1, 1, "", "the file should start with 'name:' and the school's other facts")]
    try:
        school = School.model_validate(data, context={"data_dir": data_dir})
    except ValidationError as error:
        return None, problems_from_validation(error, School, shown, positions)
    groups = load_groups(data_dir, school)
    if isinstance(groups, list):
        return None, groups
    school._groups = groups
    theme = school_theme(data_dir)
    if theme is not None:
        problems = theme_problems(theme)
        if problems:
            return None, problems
        school._theme = theme
    return school, []


def load_groups(data_dir: Path, school: School) -> dict[str, Group] | list[Problem]:
    """The school's groups from ``groups.yaml`` (none when there is no such file), or its problems."""
    path = data_dir / GROUPS_FILE
    if not path.is_file():
        return {}
    shown = display_path(path)
    result = _read(path, shown)
    if isinstance(result, Problem):
        return [result]
    data, positions = result
    if data is None:
        return {}
    if not isinstance(data, dict):
        return [Problem(shown, 1, 1, "", "the file should start with 'groups:' and then each group's id")]
    try:
        return dict(GroupsFile.model_validate(data, context={"school": school, "data_dir": data_dir}).groups)
    except ValidationError as error:
        return problems_from_validation(error, GroupsFile, shown, positions)


def load_pupil(path: Path, school: School | None, data_dir: Path) -> PupilRecord | list[Problem]:
    shown = display_path(path)
    pupil_id = path.stem
    if not PUPIL_ID.match(pupil_id):
        return [
            Problem(
                shown,
                1,
                1,
                "",
                f"the file name '{path.name}' cannot be a pupil id; use lower-case letters, digits and dashes, "
                "e.g. 'amy-jones.yaml'",
            )
        ]
    result = _read(path, shown)
    if isinstance(result, Problem):
        return [result]
    data, positions = result
    if not isinstance(data, dict):
        return [Problem(shown, 1, 1, "", "the file should start with 'name:' and the pupil's full name")]
    try:
        pupil = Pupil.model_validate(data, context={"school": school, "data_dir": data_dir})
    except ValidationError as error:
        return problems_from_validation(error, Pupil, shown, positions)
    return PupilRecord(pupil_id, path, pupil, positions)


_CODE = (
    "data/timetables.py",
    "data/models.py",
    "data/loader.py",
    "data/yaml_source.py",
    "data/problems.py",
    "data/suggest.py",
    "support/icons.py",
)


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    folder = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for name in _CODE:
        digest.update((folder / name).read_bytes())
    return digest.hexdigest()


class _ReadCache:
    """Pupil files already read and checked, kept by the build so an unchanged file is not parsed again.

    An entry is used only when the pupil file, ``school.yaml`` and this code are all unchanged.
    """

    def __init__(self, folder: Path, data_dir: Path) -> None:
        self.folder = folder
        school = data_dir / SCHOOL_FILE
        try:
            stat = school.stat()
            school_part = f"{stat.st_size}|{stat.st_mtime_ns}|{hashlib.sha256(school.read_bytes()).hexdigest()}"
        except OSError:
            school_part = "none"
        groups = data_dir / GROUPS_FILE
        groups_part = hashlib.sha256(groups.read_bytes()).hexdigest() if groups.is_file() else "none"
        self.base = f"{_code_digest()}|{data_dir.resolve()}|{school_part}|{groups_part}"
        try:  # made here, before any worker process starts, so that they all sign with the same key
            self.secret: bytes | None = cache_key(folder)
        except OSError:
            self.secret = None

    def _key(self, path: Path) -> str:
        stat = path.stat()
        return hashlib.sha256(f"{self.base}|{path.name}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()

    def get(self, path: Path) -> PupilRecord | list[Problem] | None:
        """What the last build read from ``path``, if it is unchanged; a record stays pickled until used."""
        try:
            payload = verified(self.secret, (self.folder / f"{path.stem}.pickle").read_bytes())
            if payload is None:  # not written by this tool: never unpickled
                return None
            key, kind, value = pickle.loads(payload)
            if key != self._key(path):
                return None
            if kind == "record":
                return PupilRecord(path.stem, path, stored=value)
            return list(pickle.loads(value))
        except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError, TypeError):
            return None

    def put(self, path: Path, value: PupilRecord | list[Problem]) -> None:
        if isinstance(value, PupilRecord):
            stored = ("record", value.stored())
        else:
            stored = ("problems", pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            payload = pickle.dumps((self._key(path), *stored), protocol=pickle.HIGHEST_PROTOCOL)
            if self.secret is not None:
                write_atomic(self.folder / f"{path.stem}.pickle", signed(self.secret, payload), mode=PRIVATE)
        except OSError:
            log.debug("could not keep %s in the read cache", path)


#: In a reading worker process: what its pool's initializer was given (see :func:`_read_all`).
_reading: tuple[School | None, Path, _ReadCache | None] | None = None
PARALLEL_READ_FROM = 24  # fewer files to read than this are read in this process


def _read_one(
    path: Path, school: School | None, data_dir: Path, cache: _ReadCache | None
) -> PupilRecord | list[Problem]:
    loaded = load_pupil(path, school, data_dir)
    if cache:
        cache.put(path, loaded)
    return loaded


def _start_reader(school: School | None, data_dir: Path, cache: _ReadCache | None) -> None:
    """In a new reading worker: keep what every file is read with."""
    global _reading
    _reading = (school, data_dir, cache)


def _read_stored(path: Path) -> tuple[str, bytes]:
    """Read and check one pupil file in a worker process; the result goes back pickled."""
    assert _reading is not None
    loaded = _read_one(path, *_reading)
    if isinstance(loaded, list):
        return "problems", pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL)
    return "record", loaded.stored()


def _read_all(
    paths: list[Path], school: School | None, data_dir: Path, cache: _ReadCache | None, jobs: int
) -> list[PupilRecord | list[Problem]]:
    """Read and check ``paths``, in worker processes when there are many and it is safe."""
    from transition_booklets.support.parallel import can_fork, fork_pool

    if jobs <= 1 or len(paths) < PARALLEL_READ_FROM or not can_fork():
        return [_read_one(path, school, data_dir, cache) for path in paths]
    with fork_pool(jobs, _start_reader, (school, data_dir, cache)) as pool:
        stored = list(pool.map(_read_stored, paths, chunksize=max(1, len(paths) // (jobs * 8))))
    return [
        PupilRecord(path.stem, path, stored=value) if kind == "record" else list(pickle.loads(value))
        for path, (kind, value) in zip(paths, stored, strict=True)
    ]


def load_cohort(
    data_dir: Path, only: list[str] | None = None, *, cache_dir: Path | None = None, jobs: int = 1
) -> Cohort:
    """Read and validate the school and every pupil (or only the named pupils).

    With ``cache_dir`` (the build's), unchanged pupil files are taken from what the last build read.
    With ``jobs`` above one, many files still to be read are read by that many worker processes.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return Cohort(
            data_dir,
            None,
            problems=[
                Problem(display_path(data_dir), 1, 1, "", "this data folder does not exist; check the --data option")
            ],
        )
    school, problems = load_school(data_dir)
    cohort = Cohort(data_dir, school, problems=list(problems))
    files = pupil_files(data_dir)
    stems: dict[str, list[Path]] = {}
    for path in files:
        stems.setdefault(path.stem, []).append(path)
    for stem, paths in stems.items():
        if len(paths) > 1 and (not only or stem in only):
            names = " and ".join(path.name for path in paths)
            for path in paths:
                cohort.problems.append(
                    Problem(
                        display_path(path),
                        1,
                        1,
                        "",
                        f"there are two files for the pupil '{stem}' ({names}); a pupil has one file: "
                        "remove or rename the other",
                    )
                )
            cohort.failed_ids.append(stem)
    files = [path for path in files if len(stems[path.stem]) == 1]
    if only:
        by_id = {path.stem: path for path in files}
        for wanted in only:
            if wanted not in by_id:
                from transition_booklets.data.suggest import did_you_mean

                hint = did_you_mean(wanted, by_id)
                cohort.problems.append(
                    Problem(display_path(data_dir), 1, 1, "", f"no pupil file '{wanted}.yaml'{hint}")
                )
        files = [by_id[wanted] for wanted in only if wanted in by_id]
    cache = _ReadCache(cache_dir, data_dir) if cache_dir is not None and school is not None else None
    found = {path: cache.get(path) for path in files} if cache else {}
    unread = [path for path in files if found.get(path) is None]
    found.update(zip(unread, _read_all(unread, school, data_dir, cache, jobs), strict=True))
    for path in files:
        loaded = found[path]
        assert loaded is not None
        if isinstance(loaded, list):
            cohort.problems.extend(loaded)
            cohort.failed_ids.append(path.stem)
        else:
            cohort.pupils.append(loaded)
    log.debug("read %d pupils with %d problems", len(cohort.pupils), len(cohort.problems))
    return cohort


@functools.lru_cache(maxsize=16)
def _school_positions_cached(path: str, mtime_ns: int, size: int) -> Positions:
    try:
        _, positions = read_yaml(Path(path))
    except YamlProblem:
        return Positions()
    return positions


def school_positions(data_dir: Path) -> Positions:
    """Where each value of ``school.yaml`` is (re-read only when the file changes)."""
    path = data_dir / SCHOOL_FILE
    try:
        stat = path.stat()
    except OSError:
        return Positions()
    return _school_positions_cached(str(path), stat.st_mtime_ns, stat.st_size)
