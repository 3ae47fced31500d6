"""Mutation testing of the modules where a silent bug hurts a pupil, one module at a time.

    python tools/mutation.py imposition          # or: images, protect, yaml-reader, view, timetable, all
    python tools/mutation.py images --jobs 2

For each module, mutmut (``pip install mutmut``) changes its code one small way at a time (a
``<`` for a ``<=``, a constant, a dropped call) and runs the tests that guard that module; a
change no test notices "survives". The run happens in a copy of the repository's tracked files
(in a temporary folder, so the working tree is never touched), with ``[tool.mutmut]`` of
pyproject.toml narrowed to the one module and its tests. It prints the number killed (a test
failed) out of those tested (a change whose tests ran out of time counts as not killed), the
score, and each survivor or timeout by name: look at one with ``mutmut show NAME`` in the folder it names, then kill it with a test or
write down why it cannot change what a user sees (CONTRIBUTING.md, "Mutation testing").
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
    "protect": ("transition_booklets/protect/encrypt.py", ["tests/test_protect.py"]),
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


def run(name: str, jobs: int, keep: bool) -> None:
    module, tests = MODULES[name]
    folder = Path(tempfile.mkdtemp(prefix=f"mutation-{name}-"))
    _copy_of_the_repository(folder)
    _narrow(folder / "pyproject.toml", module, tests)
    mutmut = [sys.executable, "-m", "mutmut"]
    subprocess.run([*mutmut, "run", "--max-children", str(jobs)], cwd=folder, check=False, stdout=subprocess.DEVNULL)
    subprocess.run([*mutmut, "export-cicd-stats"], cwd=folder, check=True, stdout=subprocess.DEVNULL)
    stats: dict[str, int] = json.loads((folder / "mutants" / "mutmut-cicd-stats.json").read_text(encoding="utf-8"))
    results = subprocess.run([*mutmut, "results"], cwd=folder, capture_output=True, text=True, check=False).stdout
    survivors = [
        line.strip() for line in results.splitlines() if line.strip().endswith(("survived", "timeout", "suspicious"))
    ]
    # A mutant whose tests ran out of time is counted as not killed: a slow test is not a caught bug.
    killed = stats["killed"]
    tested = killed + stats["timeout"] + stats["survived"] + stats["suspicious"]
    score = 100 * killed / tested if tested else 0.0
    print(
        f"{name} ({module}): {killed} of {tested} killed, {score:.0f}%"
        f" ({stats['timeout']} ran out of time, {stats['no_tests']} not reached by its tests)"
    )
    for survivor in survivors:
        print(f"  {survivor}")
    if keep or survivors:
        print(f"  (the mutated copy is in {folder}: 'python -m mutmut show NAME' there shows a change)")
    else:
        shutil.rmtree(folder)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("module", choices=[*MODULES, "all"])
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the mutated copy even when nothing survived")
    args = parser.parse_args()
    for name in MODULES if args.module == "all" else [args.module]:
        run(name, args.jobs, args.keep)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
