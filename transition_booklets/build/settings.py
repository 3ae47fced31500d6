"""A build's options, as the command line gives them, and the settings they are checked into once.

:class:`BuildOptions` holds what the user asked for. :func:`settle` checks it all before
anything is read or written (the shard, the folders, the number of workers) and gives one
:class:`Settings`; a mistake is a :class:`~transition_booklets.data.problems.BuildError`
worded for the user. The build only ever reads a ``Settings``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from transition_booklets.data.problems import BuildError, display_path
from transition_booklets.support.parallel import cores


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
    passwords_file: Path | None = None
    address: str | None = None
    print_pack: bool = False
    keep_unknown: bool = False

    @property
    def cache_dir(self) -> Path:
        """Processed images, the theme store and build stamps: staff-side, never in the published folder."""
        return self.staff_dir / ".cache"


@dataclass(frozen=True)
class Shard:
    """Slice ``index`` of ``count`` (from 1): a pupil stays in its slice whatever other pupils come and go."""

    index: int
    count: int

    def holds(self, pupil_id: str) -> bool:
        digest = int.from_bytes(hashlib.sha256(pupil_id.encode("utf-8")).digest()[:8], "big")
        return digest % self.count == self.index - 1


@dataclass(frozen=True)
class Settings:
    """A build's checked settings: every stage reads these, never the raw options."""

    data_dir: Path
    out_dir: Path
    staff_dir: Path
    only: tuple[str, ...]
    jobs: int
    force: bool
    shard: Shard | None
    protect: bool  # asked for on the command line; ``protect: true`` in school.yaml also protects
    pdf: bool
    passwords_file: Path | None
    address: str | None
    print_pack: bool
    keep_unknown: bool  # list published guides that belong to no pupil instead of removing them

    @property
    def cache_dir(self) -> Path:
        """Processed images, the theme store and build stamps: staff-side, never in the published folder."""
        return self.staff_dir / ".cache"


class ShardError(BuildError, ValueError):
    """``--shard`` is not written K/N with 1 ≤ K ≤ N."""


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
    return Shard(index, count).holds(pupil_id)


def _inside(inner: Path, outer: Path) -> bool:
    return inner.resolve().is_relative_to(outer.resolve())


#: The three folders a build uses, by the option that names them.
_FOLDERS = (
    ("--data", "the data folder", "data_dir"),
    ("--out", "the output folder", "out_dir"),
    ("--staff-out", "the staff folder", "staff_dir"),
)


def _check_folders(options: BuildOptions) -> None:
    """No folder may be, or be inside, another: a build replaces its outputs and must never touch the data."""
    if _inside(options.staff_dir, options.out_dir):
        raise BuildError(
            f"--staff-out {display_path(options.staff_dir)} is inside the published folder "
            f"{display_path(options.out_dir)}; staff-only files must be kept apart, so choose another folder"
        )
    for index, (option, name, attribute) in enumerate(_FOLDERS):
        for other_option, other_name, other_attribute in _FOLDERS[index + 1 :]:
            first, second = getattr(options, attribute), getattr(options, other_attribute)
            if _inside(first, second) or _inside(second, first):
                same = first.resolve() == second.resolve()
                relation = "is the same folder as" if same else ("is inside" if _inside(first, second) else "holds")
                raise BuildError(
                    f"{option} {display_path(first)} {relation} {other_option} {display_path(second)}: "
                    f"{name} and {other_name} must be separate folders, neither inside the other "
                    f"(by default the outputs go beside the data folder); choose another {option if attribute != 'data_dir' else other_option}"
                )


def settle(options: BuildOptions) -> Settings:
    """Check ``options`` once; raises :class:`BuildError` with what to change."""
    shard = Shard(*parse_shard(options.shard)) if options.shard else None
    _check_folders(options)
    return Settings(
        data_dir=options.data_dir,
        out_dir=options.out_dir,
        staff_dir=options.staff_dir,
        only=tuple(options.only),
        jobs=options.jobs if options.jobs > 0 else cores(),
        force=options.force,
        shard=shard,
        protect=options.protect,
        pdf=options.pdf,
        passwords_file=options.passwords_file,
        address=options.address,
        print_pack=options.print_pack and options.pdf,
        keep_unknown=options.keep_unknown,
    )
