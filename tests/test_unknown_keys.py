"""A key the tool does not know is reported wherever it is written, however deep.

For every mapping in the example school's ``school.yaml`` and in the fullest example plan
(Jordan's), one copy of the file gets an extra key inside that mapping, and reading it must
report that key, on its line, instead of quietly leaving it out (a misspelt ``note`` inside a
timetable slot would otherwise be a note nobody sees).
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import EXAMPLE
from transition_booklets.data.loader import load_pupil, load_school

SURPRISE = "zz_surprise"


def mappings(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path to every mapping in a YAML document, the document itself first."""
    if isinstance(value, dict):
        yield path
        for key, item in value.items():
            yield from mappings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from mappings(item, (*path, index))


def with_surprise(document: Any, path: tuple[Any, ...]) -> Any:
    changed = copy.deepcopy(document)
    node = changed
    for step in path:
        node = node[step]
    node[SURPRISE] = "a word the tool does not know"
    return changed


def _dump(document: Any) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=1000)


def _line_of_surprise(text: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), start=1) if SURPRISE in line)


SCHOOL = yaml.safe_load((EXAMPLE / "school.yaml").read_text(encoding="utf-8"))
JORDAN = yaml.safe_load((EXAMPLE / "jordan-reid.yaml").read_text(encoding="utf-8"))


def test_the_files_have_mappings_at_many_depths() -> None:
    depths = {len(path) for path in mappings(SCHOOL)} | {len(path) for path in mappings(JORDAN)}
    assert max(depths) >= 4, "timetable slots, phases' timetables, contacts…"
    assert len(list(mappings(JORDAN))) > 30


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("unknown") / "pupils"
    shutil.copytree(EXAMPLE, target)
    return target


@pytest.mark.parametrize("path", list(mappings(SCHOOL)), ids=lambda path: ".".join(map(str, path)) or "top")
def test_an_unknown_key_anywhere_in_school_yaml_is_reported(folder: Path, path: tuple[Any, ...]) -> None:
    text = _dump(with_surprise(SCHOOL, path))
    target = folder / f"school-{abs(hash(path))}.yaml"
    target.write_text(text, encoding="utf-8")
    try:
        _, problems = load_school(folder, path=target)
    finally:
        target.unlink()
    named = [problem for problem in problems if SURPRISE in str(problem)]
    assert named, f"{'.'.join(map(str, path)) or 'the top'}: {SURPRISE} was accepted silently"
    assert f":{_line_of_surprise(text)}:" in str(named[0]), str(named[0])


@pytest.mark.parametrize("path", list(mappings(JORDAN)), ids=lambda path: ".".join(map(str, path)) or "top")
def test_an_unknown_key_anywhere_in_a_pupil_file_is_reported(folder: Path, path: tuple[Any, ...]) -> None:
    school, problems = load_school(folder)
    assert school is not None and not problems
    text = _dump(with_surprise(JORDAN, path))
    target = folder / "jordan-surprise.yaml"
    target.write_text(text, encoding="utf-8")
    outcome = load_pupil(target, school, folder)
    target.unlink()
    assert isinstance(outcome, list), f"{'.'.join(map(str, path)) or 'the top'}: {SURPRISE} was accepted silently"
    named = [problem for problem in outcome if SURPRISE in str(problem)]
    assert named, [str(problem) for problem in outcome]
    assert f":{_line_of_surprise(text)}:" in str(named[0]), str(named[0])
