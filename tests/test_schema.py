from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import EXAMPLE, ROOT
from transition_booklets.data.schema import SCHEMAS, render_schema
from transition_booklets.data.yaml_source import read_yaml

SCHEMA_DIR = ROOT / "schema"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_committed_schema_is_up_to_date(name: str) -> None:
    committed = (SCHEMA_DIR / name).read_text(encoding="utf-8")
    assert committed == render_schema(SCHEMAS[name]), f"schema/{name} is stale; run: python build.py schema"


def _as_editor_sees_it(value: Any) -> Any:
    """Editors treat dates as text, as JSON has no date type."""
    if isinstance(value, dict):
        return {key: _as_editor_sees_it(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_editor_sees_it(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


EXAMPLE_FILES = sorted([*EXAMPLE.glob("*.yaml"), *(ROOT / "examples").glob("*/*.yaml")])


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_example_file_validates_against_its_schema(path: Path) -> None:
    schema_name = "school.schema.json" if path.name == "school.yaml" else "pupil.schema.json"
    schema = json.loads((SCHEMA_DIR / schema_name).read_text(encoding="utf-8"))
    data, _ = read_yaml(path)
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(_as_editor_sees_it(data)))
    assert errors == []


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_example_file_points_editors_at_its_schema(path: Path) -> None:
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    schema_name = "school.schema.json" if path.name == "school.yaml" else "pupil.schema.json"
    schema = f"{'../' * len(path.parent.relative_to(ROOT).parts)}schema/{schema_name}"
    assert first_line == f"# yaml-language-server: $schema={schema}"
    assert (path.parent / schema).resolve().is_file()


def test_schema_rejects_a_misspelt_key() -> None:
    schema = json.loads((SCHEMA_DIR / "pupil.schema.json").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"name": "Amy", "prefered_name": "Amy"}, schema)


def test_an_editor_accepts_the_short_ways_of_writing_days() -> None:
    """What the tool reads, an editor checking against the schema does not mark as wrong."""
    schema = json.loads((SCHEMA_DIR / "pupil.schema.json").read_text(encoding="utf-8"))
    week = {
        "monday to thursday": {"p1": {"subject": "maths"}},
        "friday": "same as monday",
        "wednesday": "not in school",
    }
    jsonschema.validate({"name": "Amy", "timetable": week}, schema)
    jsonschema.validate({"name": "Amy", "timetable": {"every day": {"p1": {"subject": "maths"}}}}, schema)
    for wrong in ({"funday": {"p1": {"subject": "maths"}}}, {"friday": "like monday"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"name": "Amy", "timetable": wrong}, schema)
