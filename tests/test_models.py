from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any, get_args

import pytest
from pydantic import BaseModel, ValidationError

from tests.conftest import ROOT
from transition_booklets.data import models
from transition_booklets.data.models import Pupil, School


def _all_models() -> list[type[BaseModel]]:
    return [
        value
        for value in vars(models).values()
        if isinstance(value, type) and issubclass(value, models.Model) and value.model_fields
    ]


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in get_args(annotation):
        yield from _models_in(argument)


def _holders() -> dict[type[BaseModel], set[tuple[type[BaseModel], str]]]:
    """For each model, the models that hold it and the key it is written under in each."""
    direct: dict[type[BaseModel], set[tuple[type[BaseModel], str]]] = {}
    for model in [*_all_models(), Pupil, School]:
        for name, info in model.model_fields.items():
            for nested in _models_in(info.annotation):
                direct.setdefault(nested, set()).add((model, info.alias or name))
    return direct


def _rows(reference: str) -> list[tuple[str, str]]:
    """Each table row of the reference: its first cell and the whole row."""
    return [(row.split("|")[1], row) for row in reference.splitlines() if row.startswith("| ") and row.count("|") >= 3]


def _sections(reference: str) -> list[tuple[str, str]]:
    """Each section of the reference: its heading line and its text up to the next heading."""
    prose = re.sub(r"^```.*?^```", "", reference, flags=re.M | re.S)  # a '# comment' in an example is no heading
    parts = re.split(r"^(#+ .*)$", prose, flags=re.M)
    return list(zip(parts[1::2], parts[2::2], strict=True))


FILE_SECTIONS = {"School": "`school.yaml`", "Pupil": "A pupil file", "GroupsFile": "`groups.yaml`"}


def _where_documented(model: type[BaseModel], sections: list[tuple[str, str]]) -> tuple[list[str], set[str]]:
    """The sections that explain ``model``'s keys, and the keys it is written under: the sections
    headed by its own key (``### `reviews` ``, ``### A place (under `places:`)``) or its file's;
    failing those, its holder's (the view of the pupil is explained under ``views``)."""
    holders = _holders()
    level: set[type[BaseModel]] = {model}
    seen: set[type[BaseModel]] = set()
    keys: set[str] = set()
    while level:
        marks = {FILE_SECTIONS[item.__name__] for item in level if item.__name__ in FILE_SECTIONS}
        above = {pair for item in level for pair in holders.get(item, set())}
        keys |= {key for _, key in above}
        marks |= {f"`{key}`" for _, key in above} | {f"`{key}:`" for _, key in above}
        found = [body for title, body in sections if any(mark in title for mark in marks)]
        if found:
            return found, keys
        seen |= level
        level = {holder for holder, _ in above} - seen
    return [], keys


@pytest.mark.parametrize("model", [*_all_models(), Pupil, School], ids=lambda model: model.__name__)
def test_every_field_is_documented_for_the_transition_lead(model: type[BaseModel]) -> None:
    """Each key is explained in docs/data-reference.md where a reader looks for it: in the section
    for what it belongs to, or in the row of the key it is written under (``photo``: ``file`` and
    ``consent``). A word in backticks somewhere else does not count."""
    reference = (ROOT / "docs" / "data-reference.md").read_text(encoding="utf-8")
    own, keys = _where_documented(model, _sections(reference))
    for name, info in model.model_fields.items():
        key = f"`{info.alias or name}`"
        in_own_section = any(key in body for body in own)
        in_parent_row = any(key in row and any(f"`{k}`" in first for k in keys) for first, row in _rows(reference))
        assert in_own_section or in_parent_row, (
            f"{model.__name__}.{info.alias or name} is not explained in docs/data-reference.md"
        )


def test_only_a_name_is_required() -> None:
    pupil = Pupil.model_validate({"name": "Kai Morgan"})
    assert pupil.called == "Kai"
    with pytest.raises(ValidationError):
        Pupil.model_validate({})


def test_preferred_name_is_used() -> None:
    assert Pupil.model_validate({"name": "Amelia Jones", "preferred_name": "Amy"}).called == "Amy"


def test_references_are_checked_against_the_school() -> None:
    school = School.model_validate({"name": "S", "places": {"hub": {"name": "Hub"}}})
    ok = Pupil.model_validate({"name": "A", "key_places": [{"place": "hub"}]}, context={"school": school})
    assert ok.key_places[0].place == "hub"
    with pytest.raises(ValidationError) as caught:
        Pupil.model_validate({"name": "A", "key_places": [{"place": "hbu"}]}, context={"school": school})
    assert "did you mean 'hub'?" in str(caught.value)


def test_times_parse_and_periods_must_end_after_they_start() -> None:
    school = School.model_validate(
        {"name": "S", "periods": [{"id": "p1", "name": "P1", "start": "9.00", "end": "10:00"}]}
    )
    assert school.periods[0].start == dt.time(9, 0)
    with pytest.raises(ValidationError):
        School.model_validate({"name": "S", "periods": [{"id": "p1", "name": "P1", "start": "10:00", "end": "9:00"}]})


def test_duplicate_period_ids_are_refused() -> None:
    period = {"id": "p1", "name": "P1", "start": "09:00", "end": "10:00"}
    with pytest.raises(ValidationError) as caught:
        School.model_validate({"name": "S", "periods": [period, period]})
    assert "used twice" in str(caught.value)


def test_unknown_icon_is_refused_with_a_suggestion() -> None:
    with pytest.raises(ValidationError) as caught:
        School.model_validate({"name": "S", "subjects": {"maths": {"name": "Maths", "icon": "material/calculater"}}})
    assert "did you mean 'material/calculator'?" in str(caught.value)


def test_colours_must_be_hex() -> None:
    with pytest.raises(ValidationError):
        School.model_validate({"name": "S", "colours": {"primary": "blue"}})
