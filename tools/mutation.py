"""Mutation testing of the modules where a silent bug hurts a pupil, one module at a time.

    python tools/mutation.py imposition          # or: images, protect, yaml-reader, view, timetable, all
    python tools/mutation.py images --jobs 2
    python tools/mutation.py protect --again /tmp/mutation-protect-XXXX   # after adding tests

For each module, mutmut (``pip install mutmut``) changes its code one small way at a time (a
``<`` for a ``<=``, a constant, a dropped call) and runs the tests that guard that module; a
change no test notices "survives". The run happens in a copy of the repository's tracked files
(in a temporary folder, so the working tree is never touched), with ``[tool.mutmut]`` of
pyproject.toml narrowed to the one module and its tests. It prints the number killed (a test
failed) out of those tested (a change whose tests ran out of time counts as not killed), the
score, and each survivor or timeout by name: look at one with ``mutmut show NAME`` in the folder it
names, then kill it with a test or write down why it cannot change what a user sees
(CONTRIBUTING.md, "Mutation testing"). With ``--again FOLDER`` only the functions where mutants
survived in that earlier run are mutated again, which takes minutes where the whole module takes
up to an hour; the other functions keep their earlier (all killed) result.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# module name: (the file mutated, the tests that guard it)
MODULES: dict[str, tuple[str, list[str]]] = {
    "imposition": ("transition_booklets/booklet/imposition.py", ["tests/test_imposition.py"]),
    "images": (
        "transition_booklets/pictures/images.py",
        # test_privacy_end_to_end.py builds the school for each change (over an hour in all); the
        # unit tests hold the same photos, with and without a colour profile, JPEG and WebP.
        ["tests/test_images.py"],
    ),
    "protect": (
        "transition_booklets/protect/encrypt.py",
        # Without the tests that build the example school first: a whole build per mutant, and a
        # build done once in a module-scoped fixture is linked to the first test only.
        [
            "tests/test_protect.py",
            "-k",
            "not (no_name_sentence or only_unlock_pages_booklets or each_page_opens or own_salt or pictures_sound"
            " or behind_the_same_key or generic_and_accessible or protected_once or as_published"
            " or clear_booklets or shared_cache)",
        ],
    ),
    "yaml-reader": (
        "transition_booklets/data/yaml_source.py",
        ["tests/test_yaml_source.py", "tests/test_check_messages.py", "tests/test_unknown_keys.py"],
    ),
    "view": (
        "transition_booklets/view/pupil_view.py",
        ["tests/test_view_golden.py", "tests/test_pupil_view.py"],
    ),
    "timetable": (
        "transition_booklets/data/timetables.py",
        ["tests/test_timetable_by_day.py", "tests/test_groups.py", "tests/test_models.py"],
    ),
}


def _copy_of_the_repository(target: Path) -> None:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in tracked.decode().split("\0"):
        if name and (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)


def _narrow(pyproject: Path, module: str, tests: list[str]) -> None:
    text = pyproject.read_text(encoding="utf-8")
    text = re.sub(r"only_mutate = \[.*?\]", f"only_mutate = {json.dumps([module])}", text, count=1, flags=re.S)
    text = re.sub(
        r"pytest_add_cli_args_test_selection = \[.*?\]",
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}",
        text,
        count=1,
        flags=re.S,
    )
    pyproject.write_text(text, encoding="utf-8")


MUTMUT = [sys.executable, "-m", "mutmut"]
NOT_KILLED = ("survived", "timeout", "suspicious")  # a change whose tests ran out of time is not a caught bug
TESTED = ("killed", *NOT_KILLED)


def _statuses(folder: Path) -> dict[str, str]:
    """Each mutant of a run, by name, and what became of it ("killed", "survived", "no tests", …)."""
    listing = subprocess.run(
        [*MUTMUT, "results", "--all", "true"], cwd=folder, capture_output=True, text=True, check=False
    ).stdout
    found = (line.strip().rpartition(": ") for line in listing.splitlines() if ": " in line)
    return {mutant: status for mutant, _, status in found}


def _function(mutant: str) -> str:
    return mutant.rpartition("__mutmut_")[0]


def run(name: str, jobs: int, keep: bool, again: Path | None) -> None:
    """Mutate one module, or, with ``again``, only the functions where that earlier run's mutants survived."""
    module, tests = MODULES[name]
    folder = Path(tempfile.mkdtemp(prefix=f"mutation-{name}-"))
    _copy_of_the_repository(folder)
    _narrow(folder / "pyproject.toml", module, tests)
    earlier = _statuses(again) if again else {}
    functions = sorted({_function(mutant) for mutant, status in earlier.items() if status in NOT_KILLED})
    if again and not functions:
        print(f"{name}: nothing survived in {again}")
        return
    chosen = [f"{function}__mutmut_*" for function in functions]
    subprocess.run(
        [*MUTMUT, "run", "--max-children", str(jobs), *chosen], cwd=folder, check=False, stdout=subprocess.DEVNULL
    )
    now = _statuses(folder)
    if again:  # functions where every mutant was killed keep their earlier result: only tests were added
        now = {
            **{mutant: status for mutant, status in earlier.items() if _function(mutant) not in functions},
            **{mutant: status for mutant, status in now.items() if _function(mutant) in functions},
        }
    killed = sum(status == "killed" for status in now.values())
    tested = sum(status in TESTED for status in now.values())
    timeouts = sum(status == "timeout" for status in now.values())
    unreached = sum(status == "no tests" for status in now.values())
    survivors = sorted(mutant for mutant, status in now.items() if status in NOT_KILLED)
    score = 100 * killed / tested if tested else 0.0
    print(
        f"{name} ({module}): {killed} of {tested} killed, {score:.0f}%"
        f" ({timeouts} ran out of time, {unreached} not reached by its tests)"
    )
    for survivor in survivors:
        print(f"  {survivor}: {now[survivor]}")
    if keep or survivors:
        print(f"  (the mutated copy is in {folder}: 'python -m mutmut show NAME' there shows a change)")
    else:
        shutil.rmtree(folder)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("module", choices=[*MODULES, "all"])
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the mutated copy even when nothing survived")
    parser.add_argument(
        "--again",
        type=Path,
        metavar="FOLDER",
        help="after adding tests: test again only the functions whose mutants survived in the run kept in FOLDER",
    )
    args = parser.parse_args()
    if args.again and args.module == "all":
        parser.error("--again takes one module, the one FOLDER was made for")
    for name in MODULES if args.module == "all" else [args.module]:
        run(name, args.jobs, args.keep, args.again)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
