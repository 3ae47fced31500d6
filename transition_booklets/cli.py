"""The command line: ``build`` (the default), ``check``, ``new``, ``init``, ``import``, ``edit``, ``serve`` and ``schema``.

This module and :mod:`~transition_booklets.commands` are the only ones that print. Bad input
ends with exit code 1 and a list of problems, never a traceback; a usage mistake ends with
exit code 2. Every message names the program as the user ran it (``transition-booklets``,
``python build.py`` or ``python -m transition_booklets``), so a next step can be typed as shown.
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from transition_booklets import __version__

log = logging.getLogger(__name__)

COMMANDS = ("build", "check", "new", "init", "import", "edit", "serve", "schema")
DEFAULT_DATA = Path("pupils")

DESCRIPTION = """\
Turn a school's data folder (school.yaml plus one YAML file per pupil) into a
personalised mini-site and a printable booklet for every pupil.

commands:
  build   build every pupil (the default: '{prog}' is '{prog} build')
  check   check every file and show what each pupil's plan still needs; builds nothing
  new     write a starter pupil file to fill in
  init    make a new data folder for your school (--example: a copy of the example school)
  import  make and update pupil files from your records system's pupil list (CSV or XLSX),
          or the groups' timetables from a timetable export
  edit    fill in pupils' plans in forms in your browser, on this computer only
  serve   preview one pupil's site on this computer while you edit their file
  schema  write the JSON Schemas that editors use to check files as you type

Start with: {prog} init my-school
Run '{prog} COMMAND --help' for the options of one command.
"""


def program_name(argv0: str | None = None) -> str:
    """The program as the user ran it, to show in messages and usage lines."""
    name = Path(sys.argv[0] if argv0 is None else argv0).name
    if name == "build.py":
        return "python build.py"
    if name in ("__main__.py", "-m"):
        return "python -m transition_booklets"
    return "transition-booklets"


def _data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"the school's data folder with school.yaml and the pupil files (default: {DEFAULT_DATA})",
    )


def _jobs(text: str) -> int:
    """``--jobs``: a whole number, 0 (the default) for one pupil per processor core."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if number < 0:
        raise argparse.ArgumentTypeError(
            f"{number} is below 0; give how many pupils to build at once (0: one per core)"
        )
    return number


def _shard(text: str) -> str:
    """``--shard K/N``, checked as it is read so that a mistyped one is a mistyped command (exit 2)."""
    from transition_booklets.build.settings import ShardError, parse_shard

    try:
        parse_shard(text)
    except ShardError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix("--shard ")) from None
    return text


def make_parser(prog: str = "transition-booklets") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description=DESCRIPTION.format(prog=prog), formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = commands.add_parser(
        "build",
        help="build every pupil's site and booklet",
        description="Build every pupil's mini-site and booklets (or only the pupils named).",
    )
    _data_option(build)
    build.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="where the pupils' sites go, one folder per pupil (default: DATA-site beside the data folder)",
    )
    build.add_argument(
        "--staff-out",
        type=Path,
        default=None,
        metavar="DIR",
        help="where staff-only outputs go: reports, passwords, letters (default: DATA-staff beside the data folder)",
    )
    build.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=0,
        metavar="N",
        help="how many pupils to build at once (default: one per processor core)",
    )
    build.add_argument("--force", action="store_true", help="rebuild every pupil even if nothing changed")
    build.add_argument(
        "--shard",
        metavar="K/N",
        type=_shard,
        default=None,
        help="build only slice K of N (e.g. 1/4), to spread a large build over machines",
    )
    build.add_argument("--protect", action="store_true", help="encrypt every pupil's site and booklets with a password")
    build.add_argument(
        "--passwords",
        type=Path,
        default=None,
        metavar="FILE",
        help="with --protect: a CSV of pupil-id,password kept outside the data folder "
        "(default: generate memorable passwords and keep them in the staff folder)",
    )
    build.add_argument(
        "--address",
        default=None,
        metavar="URL",
        help="the web address the site folder is published at, for the family letters",
    )
    build.add_argument("--no-pdf", action="store_true", help="skip the booklets (faster while editing)")
    build.add_argument(
        "--keep-unknown",
        action="store_true",
        help="list guides in the output folder that belong to no pupil now, instead of removing them",
    )
    build.add_argument(
        "--print-pack",
        action="store_true",
        help="also join the print copies into one PDF per group (and one of everyone) in the staff folder's print/",
    )
    build.add_argument("-q", "--quiet", action="store_true", help="print only problems and the summary")
    build.add_argument(
        "pupils", nargs="*", metavar="PUPIL-ID", help="build only these pupils (file names without .yaml)"
    )

    check = commands.add_parser(
        "check",
        help="check the data folder and show readiness; builds nothing",
        description="Check school.yaml and every pupil file. Lists every problem with its file and line, "
        "then how ready each pupil's plan is. Exit code 1 when there is a problem.",
    )
    _data_option(check)
    check.add_argument("pupils", nargs="*", metavar="PUPIL-ID", help="check only these pupils")
    check.add_argument(
        "--no-style",
        dest="style",
        action="store_false",
        help="leave out the Easy Read warnings (long sentences, abbreviations, passive and double negatives)",
    )

    new = commands.add_parser(
        "new",
        help="write a starter pupil file",
        description="Write a commented starter pupil file named after the pupil, ready to fill in.",
    )
    _data_option(new)
    new.add_argument("name", help='the pupil\'s full name in quotes, e.g. "Amelia Jones"')
    new.add_argument("--id", dest="pupil_id", default=None, help="the file name to use (default: from the name)")

    init = commands.add_parser(
        "init",
        help="make a new data folder for your school",
        description="Make a data folder for your school: a commented school.yaml to fill in, an images "
        "folder, the schemas editors use, and START-HERE.md. With --example, a copy of the example school.",
    )
    init.add_argument("folder", type=Path, metavar="DIR", help="the folder to make, e.g. my-school")
    init.add_argument(
        "--example", action="store_true", help="copy the example school (Riverside Academy) to try the tool"
    )

    intake = commands.add_parser(
        "import",
        help="make and update pupil files (or groups' timetables) from a records system's export",
        description="Read a pupil list (name, preferred name, group, year, start date) or a timetable export "
        "(group, day, period, subject, room, teacher) as CSV or XLSX. Pupil files are made from the starter, or "
        "only their imported facts are changed, keeping everything else a person wrote. Columns the guides do not "
        "need (dates of birth, UPNs, addresses) are never read.",
    )
    _data_option(intake)
    intake.add_argument("file", type=Path, metavar="FILE", help="the export: a .csv or .xlsx file")
    intake.add_argument("--dry-run", action="store_true", help="say what would change, and change nothing")

    edit = commands.add_parser(
        "edit",
        help="fill in pupils' plans in forms in your browser",
        description="Open the school's pupils as forms in your browser. The files stay the same YAML files, "
        "comments and all. Only this computer can reach the editor, with the address it prints.",
    )
    _data_option(edit)
    edit.add_argument("--port", type=int, default=0, help="the port to listen on (default: a free one)")
    edit.add_argument("--no-browser", action="store_true", help="only print the address; do not open a browser")

    serve = commands.add_parser(
        "serve",
        help="preview one pupil's site while you edit",
        description="Build one pupil and serve their site on http://127.0.0.1:PORT, rebuilding when their file "
        "or the school's data changes. Only this computer can see it.",
    )
    _data_option(serve)
    serve.add_argument("pupil", metavar="PUPIL-ID")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--out", type=Path, default=None, metavar="DIR", help="where to build the preview (default: a temporary folder)"
    )

    schema = commands.add_parser("schema", help="write the JSON Schemas for school and pupil files")
    schema.add_argument("--out", type=Path, default=Path("schema"), metavar="DIR")
    return parser


def _with_default_command(argv: list[str]) -> list[str]:
    """``build.py --data x`` means ``build.py build --data x``: a command, when given, comes first."""
    if argv and (argv[0] in COMMANDS or argv[0] in ("-h", "--help", "--version")):
        return argv
    return ["build", *argv]


def _setup_logging(quiet: bool = False) -> None:
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="%(message)s", stream=sys.stderr)


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    prog = prog or program_name()
    parser = make_parser(prog)
    implicit_build = not args_list or args_list[0] not in (*COMMANDS, "-h", "--help", "--version")
    args = parser.parse_args(_with_default_command(args_list))
    _setup_logging(getattr(args, "quiet", False))
    data_given = getattr(args, "data", None) is not None
    if hasattr(args, "data") and args.data is None:
        args.data = DEFAULT_DATA
    try:
        if args.command == "check":
            from transition_booklets.commands import run_check

            return run_check(args.data, args.pupils, style=args.style)
        if args.command == "new":
            from transition_booklets.commands import run_new

            return run_new(args.data, args.name, args.pupil_id, prog=prog, data_given=data_given)
        if args.command == "import":
            from transition_booklets.commands import run_import

            return run_import(args.data, args.file, dry_run=args.dry_run, prog=prog, data_given=data_given)
        if args.command == "init":
            from transition_booklets.commands import run_init

            return run_init(args.folder, example=args.example, prog=prog)
        if args.command == "edit":
            from transition_booklets.editor.server import run_edit

            return run_edit(args.data, port=args.port, browser=not args.no_browser)
        if args.command == "serve":
            from transition_booklets.serve import run_serve

            served: int = run_serve(args.data, args.pupil, args.port, args.out)
            return served
        if args.command == "schema":
            from transition_booklets.data.schema import write_schemas

            for path in write_schemas(args.out):
                print(f"wrote {path}")
            return 0
        from transition_booklets.commands import run_build, unknown_words

        misplaced = next((word for word in args.pupils if word in COMMANDS), None) if implicit_build else None
        if misplaced is not None:  # "--data my-school check": the command after an option
            rest = list(args_list)
            rest.remove(misplaced)
            print(
                f"{prog}: '{misplaced}' is a command, so it comes first: {shlex.join([prog, misplaced, *rest])}",
                file=sys.stderr,
            )
            return 2
        unknown = unknown_words(args.data, args.pupils, commands=COMMANDS if implicit_build else ())
        if unknown:
            print(f"{prog}: {unknown}", file=sys.stderr)
            return 2
        return run_build(args, prog)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())


def run() -> NoReturn:
    """The command line: :func:`main`, then end the process at once.

    By the time ``main`` returns every file is written and closed, so the interpreter's own
    clean-up (freeing the theme, the pupils and the compiled templates, about a tenth of a
    second after a build) is skipped: a rebuild after one edit is that much quicker.
    """
    try:
        code = main()
    except SystemExit as leaving:  # argparse's --help and usage errors
        if leaving.code is None or isinstance(leaving.code, int):
            code = leaving.code or 0
        else:
            print(leaving.code, file=sys.stderr)
            code = 1
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
