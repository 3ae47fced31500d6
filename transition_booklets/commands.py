"""What each command does, apart from parsing its words (that is ``cli``)."""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import signal
import sys
from pathlib import Path

from transition_booklets.data.loader import load_cohort, load_school
from transition_booklets.data.problems import BuildError, display_path
from transition_booklets.data.schema import DATA_FOLDER_SCHEMAS, pupil_schema_line, refresh_data_schemas, write_schemas
from transition_booklets.data.starter import pupil_id_for, render_starter
from transition_booklets.support import resources
from transition_booklets.support.parallel import cores

log = logging.getLogger(__name__)


def _print_problems(problems: list[object]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def run_check(data_dir: Path, only: list[str], *, style: bool = True) -> int:
    """``check``: problems, warnings (with ``style``, the Easy Read ones too) and readiness."""
    from transition_booklets.staff.advice import cohort_warnings
    from transition_booklets.staff.easy_read import easy_read_warnings
    from transition_booklets.staff.readiness import cohort_readiness, readiness_report

    cohort = load_cohort(data_dir, only or None, jobs=cores())  # `check` always reads every file afresh
    _print_problems(list(cohort.problems))
    ready = 0
    if cohort.school is not None and cohort.pupils:
        # Warnings are things a pupil or parent would notice; they do not fail the check.
        _print_problems(list(cohort_warnings(cohort)))
        if style:
            for record in sorted(cohort.pupils, key=lambda record: record.id):
                found = sorted(easy_read_warnings(record, cohort.school), key=lambda found: (found.line, found.column))
                _print_problems(list(found))
        readiness = cohort_readiness(cohort)
        print(readiness_report(cohort, readiness))
        ready = sum(plan.ready for plan in readiness)
    summary = check_summary(
        pupil_files=len(cohort.pupils) + len(cohort.failed_ids),
        problems=len(cohort.problems),
        files_with_problems=len({problem.file for problem in cohort.problems}),
        plans_checked=len(cohort.pupils),
        plans_ready=ready,
    )
    print(f"\n{summary}", file=sys.stderr if cohort.problems else sys.stdout)
    return 1 if cohort.problems else 0


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else (many or one + 's')}"


def check_summary(
    *, pupil_files: int, problems: int, files_with_problems: int, plans_checked: int, plans_ready: int
) -> str:
    """The last line of ``check``: what was read, what must be put right, and how many plans are ready."""
    read = f"school.yaml and {_count(pupil_files, 'pupil file')} read"
    parts = [read]
    if problems:
        parts.append(
            f"{_count(problems, 'problem')} to put right in {_count(files_with_problems, 'file')} (listed above, "
            "each with its line)"
        )
    else:
        parts.append("no problems")
    if plans_checked:
        need = plans_checked - plans_ready
        if need == 0:
            parts.append(f"{_count(plans_ready, 'plan')} ready")
        else:
            ready_words = f"{_count(plans_ready, 'plan')} ready" if plans_ready else "no plan ready yet"
            parts.append(
                f'{ready_words}, {need} {"needs" if need == 1 else "need"} more (see "What each plan still needs")'
            )
    unchecked = pupil_files - plans_checked
    if unchecked:
        parts.append(
            f"{unchecked} not checked for readiness until {'its' if unchecked == 1 else 'their'} problems are put right"
        )
    return "; ".join(parts) + "."


def _data_words(data_dir: Path, data_given: bool) -> str:
    """`` --data DIR`` as the user would type it again, or nothing for the default folder."""
    return f" --data {_quoted(display_path(data_dir))}" if data_given else ""


def _quoted(text: str) -> str:
    return f'"{text}"' if any(char in text for char in " '\"&;|<>()$`\\") else text


def run_new(data_dir: Path, name: str, pupil_id: str | None, *, prog: str, data_given: bool) -> int:
    name = name.strip()
    if not name:
        print(f'Give the pupil\'s full name in quotes, e.g. {prog} new "Amelia Jones"', file=sys.stderr)
        return 2
    pupil_id = pupil_id or pupil_id_for(name)
    from transition_booklets.data.loader import PUPIL_ID

    if not PUPIL_ID.match(pupil_id):
        print(f"'{pupil_id}' cannot be a pupil id; use lower-case letters, digits and dashes", file=sys.stderr)
        return 2
    if not data_dir.is_dir():
        print(_no_data_folder(data_dir, prog), file=sys.stderr)
        return 1
    path = data_dir / f"{pupil_id}.yaml"
    if path.exists():
        print(
            f"{display_path(path)} already exists; choose another file name with --id, e.g. --id {pupil_id}-2",
            file=sys.stderr,
        )
        return 1
    school, _ = load_school(data_dir)
    check = f"{prog} check{_data_words(data_dir, data_given)}"
    path.write_text(render_starter(name, pupil_id, school, pupil_schema_line(data_dir), check), encoding="utf-8")
    print(f"wrote {display_path(path)}: fill it in, then run: {check}")
    return 0


def _no_data_folder(data_dir: Path, prog: str) -> str:
    return (
        f"{display_path(data_dir)}: this data folder does not exist; give your school's folder with --data, "
        f"or make one with: {prog} init my-school"
    )


def run_init(folder: Path, *, example: bool, prog: str) -> int:
    """Make a data folder: the starter ``school.yaml``, ``images/``, the schemas and START-HERE.md (or the example)."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        print(
            f"{display_path(folder)} already exists and is not empty; choose a new folder name, "
            f"e.g. {prog} init {_quoted(display_path(folder))}-2",
            file=sys.stderr,
        )
        return 1
    if example:
        shutil.copytree(resources.EXAMPLE, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("schema"))
        for path in folder.glob("*.yaml"):
            text = path.read_text(encoding="utf-8")
            path.write_text(_REPOSITORY_SCHEMA.sub(r"$schema=schema/\1", text, count=1), encoding="utf-8")
    else:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(resources.STARTER / "school.yaml", folder / "school.yaml")
        (folder / "images").mkdir()
    write_schemas(folder / DATA_FOLDER_SCHEMAS)
    data = f" --data {_quoted(display_path(folder))}"
    site, staff = default_outputs(folder)
    start_here = (resources.STARTER / "START-HERE.md").read_text(encoding="utf-8")
    (folder / "START-HERE.md").write_text(
        start_here.format(prog=prog, data=data, site=display_path(site), staff=display_path(staff)), encoding="utf-8"
    )
    what = "a copy of the example school" if example else "a new data folder"
    print(f"made {display_path(folder)}: {what}. Read {display_path(folder / 'START-HERE.md')}, then run:")
    print(f"  {prog} check{data}" if not example else f"  {prog}{data}")
    return 0


_REPOSITORY_SCHEMA = re.compile(r"\$schema=\.\./schema/([a-z]+\.schema\.json)")


def default_outputs(data_dir: Path) -> tuple[Path, Path]:
    """Where a build puts the pupils' sites and the staff outputs by default.

    Beside the data folder and named after it (``my-school`` → ``my-school-site`` and
    ``my-school-staff``), so two schools' folders side by side never share an output.
    """
    folder = Path(os.path.abspath(data_dir))  # noqa: PTH100  # "." and ".." resolved, links kept as named
    return _shown_path(folder.with_name(f"{folder.name}-site")), _shown_path(folder.with_name(f"{folder.name}-staff"))


def _shown_path(path: Path) -> Path:
    """``path`` relative to the working folder when it is inside it (as the user would type it)."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def unknown_words(data_dir: Path, words: list[str], *, commands: tuple[str, ...]) -> str | None:
    """A message for a word that is no pupil of the data folder (nor a command), or None when all are known."""
    if not words:
        return None
    from transition_booklets.data.loader import pupil_files
    from transition_booklets.data.suggest import did_you_mean

    known = [path.stem for path in pupil_files(data_dir)] if data_dir.is_dir() else []
    for word in words:
        if word not in known:
            what = "no pupil or command" if commands else "no pupil"
            hint = did_you_mean(word, [*commands, *known])
            return f"{what} '{word}' in {display_path(data_dir)}{hint}"
    return None


def run_import(data_dir: Path, source: Path, *, dry_run: bool, prog: str, data_given: bool) -> int:
    """``import FILE``: a pupil list or a timetable export; a summary of what changed (or would)."""
    from transition_booklets.intake.pupils import import_pupils
    from transition_booklets.intake.spreadsheets import SheetProblem, read_sheet
    from transition_booklets.intake.timetables import import_timetable, looks_like_a_timetable

    if not data_dir.is_dir():
        print(_no_data_folder(data_dir, prog), file=sys.stderr)
        return 1
    if not source.is_file():
        print(f"{display_path(source)}: no such file; give the path of the export (.csv or .xlsx)", file=sys.stderr)
        return 1
    would = "would be " if dry_run else ""
    try:
        if looks_like_a_timetable(read_sheet(source).headers):
            timetables = import_timetable(data_dir, source, dry_run=dry_run)
            _print_problems(list(timetables.skipped))
            print(f"groups {would}made: {', '.join(timetables.created) or 'none'}")
            print(f"groups' timetables {would}updated: {', '.join(timetables.updated) or 'none'}")
            print(f"unchanged: {len(timetables.unchanged)}; rows skipped: {len(timetables.skipped)}")
            ok = timetables.ok
        else:
            check = f"{prog} check{_data_words(data_dir, data_given)}"
            pupils = import_pupils(data_dir, source, dry_run=dry_run, check=check)
            _print_problems(list(pupils.skipped))
            print(f"{len(pupils.created)} pupil file(s) {would}made: {', '.join(pupils.created) or 'none'}")
            updated = [f"{pupil_id} ({', '.join(fields)})" for pupil_id, fields in pupils.updated.items()]
            print(f"{len(updated)} {would}updated: {', '.join(updated) or 'none'}")
            print(f"{len(pupils.unchanged)} unchanged; {len(pupils.skipped)} row(s) skipped")
            used = ", ".join(f"{fact} ← '{column}'" for fact, column in pupils.used_columns.items())
            print(f"columns read: {used}")
            if pupils.ignored_columns:
                print(f"columns not read (the guides do not need them): {', '.join(pupils.ignored_columns)}")
            ok = pupils.ok
    except (SheetProblem, ValueError) as error:
        print(error, file=sys.stderr)
        return 1
    if not dry_run:
        print(f"next: {prog} check{_data_words(data_dir, data_given)}")
    return 0 if ok else 1


def _stop(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


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


def run_build(args: argparse.Namespace, prog: str = "transition-booklets") -> int:
    from transition_booklets.build.pipeline import build_cohort
    from transition_booklets.build.settings import BuildOptions, settle

    site, staff = default_outputs(args.data)
    options = BuildOptions(
        data_dir=args.data,
        out_dir=args.out or site,
        staff_dir=args.staff_out or staff,
        only=list(args.pupils),
        jobs=args.jobs,
        force=args.force,
        shard=args.shard,
        protect=args.protect,
        passwords_file=args.passwords,
        address=args.address,
        pdf=not args.no_pdf,
        print_pack=args.print_pack,
        keep_unknown=args.keep_unknown,
    )
    if not options.data_dir.is_dir():
        print(_no_data_folder(options.data_dir, prog), file=sys.stderr)
        return 1
    try:
        settings = settle(options)  # the folders and switches, checked before anything is written
    except BuildError as error:
        print(error, file=sys.stderr)
        return 1
    refresh_data_schemas(options.data_dir)
    signal.signal(signal.SIGTERM, _stop)  # stopped by the system: as Ctrl-C, workers stop and nothing is half-written
    result = build_cohort(settings, progress=Progress(args.quiet))
    _print_problems([*result.warnings, *result.problems])
    print(result.summary(), file=sys.stderr)
    if result.built or result.unchanged:
        print(f"pupils' sites: {display_path(options.out_dir)}", file=sys.stderr)
        print(f"staff report (never publish it): {display_path(options.staff_dir / 'index.html')}", file=sys.stderr)
    return 0 if result.ok else 1
