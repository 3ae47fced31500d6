"""The build, stage by stage: load → resolve → images → pages → site → booklet → report.

Each pupil is built into a fresh folder beside the output and swapped in only when
complete, so a pupil that fails keeps its last good output and never stops the others.
"""

from __future__ import annotations

import logging
import shutil
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .loader import Cohort, PupilRecord, load_cohort
from .problems import BuildError, Problem, display_path
from .colours import readable_on_white
from .images import ImageProcessor
from .school_map import draw_map
from .site import write_pupil_site
from .view import build_view

log = logging.getLogger(__name__)


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


@dataclass
class BuildResult:
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    problems: list[Problem | BuildError] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed and not self.problems

    def summary(self) -> str:
        parts = [f"{len(self.built)} built"]
        if self.unchanged:
            parts.append(f"{len(self.unchanged)} unchanged")
        parts.append(f"{len(self.failed)} failed")
        text = ", ".join(parts) + f" in {self.seconds:.1f}s"
        if self.failed:
            text += "\nfailed: " + ", ".join(sorted(self.failed))
        return text


def swap_in(staging: Path, final: Path) -> None:
    """Replace ``final`` with the complete ``staging`` folder, keeping the old one until the new is in place."""
    old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
    if final.exists():
        final.rename(old)
    staging.rename(final)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def write_zip(folder: Path, target: Path) -> Path:
    """A zip of one pupil's folder, for email or a USB stick; the same folder gives the same bytes."""
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}", ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, path.read_bytes())
    partial.replace(target)
    return target


def default_cache_dir(options: BuildOptions) -> Path:
    """Processed images and build records live beside the staff outputs, never in the published folder."""
    return options.staff_dir / ".cache"


def build_pupil(cohort: Cohort, record: PupilRecord, options: BuildOptions, processor: ImageProcessor) -> None:
    """Build one pupil's folder completely, then swap it in. Raises BuildError for the user."""
    assert cohort.school is not None
    school = cohort.school
    view = build_view(school, record.pupil, record.id)
    school_map = None
    if school.map is not None:
        school_map = draw_map(
            processor,
            school.map.image,
            view["key_places"],
            colour=readable_on_white(school.colours.primary),
            where=f"{display_path(cohort.data_dir / 'school.yaml')} map.image",
        )
    options.out_dir.mkdir(parents=True, exist_ok=True)
    final = options.out_dir / record.id
    staging = options.out_dir / f".{record.id}.building-{uuid.uuid4().hex[:8]}"
    try:
        staging.mkdir()
        write_pupil_site(cohort, record, view, staging, options, processor=processor, school_map=school_map)
        swap_in(staging, final)
        write_zip(final, options.out_dir / f"{record.id}.zip")
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def build_cohort(options: BuildOptions) -> BuildResult:
    started = time.perf_counter()
    result = BuildResult()
    cohort = load_cohort(options.data_dir, options.only or None)
    result.problems.extend(cohort.problems)
    result.failed.extend(cohort.failed_ids)
    if cohort.school is None:
        result.seconds = time.perf_counter() - started
        return result
    processor = ImageProcessor(options.data_dir, default_cache_dir(options))
    for record in cohort.pupils:
        try:
            build_pupil(cohort, record, options, processor)
        except BuildError as error:
            result.failed.append(record.id)
            result.problems.append(error)
        else:
            result.built.append(record.id)
            if not options.quiet:
                log.info("built %s", display_path(options.out_dir / record.id))
    result.seconds = time.perf_counter() - started
    return result
