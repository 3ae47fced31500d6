"""What each command does, apart from parsing its words (that is ``cli``)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from transition_booklets.data.loader import load_cohort, load_school
from transition_booklets.data.problems import display_path
from transition_booklets.data.starter import pupil_id_for, render_starter
from transition_booklets.support import resources
from transition_booklets.support.parallel import cores

log = logging.getLogger(__name__)


def _print_problems(problems: list[object]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def run_check(data_dir: Path, only: list[str]) -> int:
    from transition_booklets.staff.advice import cohort_warnings
    from transition_booklets.staff.readiness import readiness_report

    cohort = load_cohort(data_dir, only or None, jobs=cores())  # `check` always reads every file afresh
    _print_problems(list(cohort.problems))
    if cohort.school is not None and cohort.pupils:
        # Warnings are things a pupil or parent would notice; they do not fail the check.
        _print_problems(list(cohort_warnings(cohort)))
        print(readiness_report(cohort))
    total = len(cohort.pupils) + len(cohort.failed_ids)
    if cohort.problems:
        count = len(cohort.problems)
        print(
            f"\n{count} problem{'s' if count != 1 else ''} found; "
            f"{len(cohort.pupils)} of {total} pupil file{'s' if total != 1 else ''} are fine.",
            file=sys.stderr,
        )
        return 1
    print(f"All good: school.yaml and {total} pupil file{'s' if total != 1 else ''} checked.")
    return 0


def run_new(data_dir: Path, name: str, pupil_id: str | None) -> int:
    name = name.strip()
    if not name:
        print('Give the pupil\'s full name in quotes, e.g. python build.py new "Amelia Jones"', file=sys.stderr)
        return 2
    pupil_id = pupil_id or pupil_id_for(name)
    from transition_booklets.data.loader import PUPIL_ID

    if not PUPIL_ID.match(pupil_id):
        print(f"'{pupil_id}' cannot be a pupil id; use lower-case letters, digits and dashes", file=sys.stderr)
        return 2
    if not data_dir.is_dir():
        print(f"{display_path(data_dir)}: this data folder does not exist; check the --data option", file=sys.stderr)
        return 1
    path = data_dir / f"{pupil_id}.yaml"
    if path.exists():
        print(
            f"{display_path(path)} already exists; choose another file name with --id, e.g. --id {pupil_id}-2",
            file=sys.stderr,
        )
        return 1
    school, _ = load_school(data_dir)
    schema = _relative_schema(data_dir)
    path.write_text(render_starter(name, pupil_id, school, schema), encoding="utf-8")
    print(f"wrote {display_path(path)}: fill it in, then run: python build.py check")
    return 0


def _relative_schema(data_dir: Path) -> str:
    schema = resources.SCHEMAS / "pupil.schema.json"
    try:
        return Path(os.path.relpath(schema, data_dir.resolve())).as_posix()
    except ValueError:
        return schema.as_uri()


class Progress:
    """A one-line progress bar on a terminal, plain lines elsewhere (none with ``-q``)."""

    def __init__(self, quiet: bool) -> None:
        self.done = 0
        self.bar = not quiet and sys.stderr.isatty()
        self.quiet = quiet

    def __call__(self, pupil_id: str, status: str, total: int) -> None:
        self.done += 1
        if self.bar:
            width = 30
            filled = round(width * self.done / total)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{total} {pupil_id:<30.30}")
            sys.stderr.flush()
            if self.done == total:
                sys.stderr.write("\n")
        elif not self.quiet:
            log.info("%s %s", status, pupil_id)


def run_build(args: argparse.Namespace) -> int:
    from transition_booklets.build.pipeline import build_cohort
    from transition_booklets.build.settings import BuildOptions

    options = BuildOptions(
        data_dir=args.data,
        out_dir=args.out,
        staff_dir=args.staff_out,
        only=list(args.pupils),
        jobs=args.jobs,
        force=args.force,
        shard=args.shard,
        protect=args.protect,
        passwords_file=args.passwords,
        address=args.address,
        pdf=not args.no_pdf,
    )
    result = build_cohort(options, progress=Progress(args.quiet))
    _print_problems(list(result.problems))
    print(result.summary(), file=sys.stderr)
    return 0 if result.ok else 1
