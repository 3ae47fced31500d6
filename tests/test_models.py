from __future__ import annotations

import datetime as dt
import re

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


@pytest.mark.parametrize("model", _all_models(), ids=lambda model: model.__name__)
def test_every_field_is_documented_for_the_transition_lead(model: type[BaseModel]) -> None:
    reference = (ROOT / "docs" / "data-reference.md").read_text(encoding="utf-8")
    for name, info in model.model_fields.items():
        key = info.alias or name
        assert re.search(rf"`{re.escape(key)}`", reference), f"{model.__name__}.{key} is not in docs/data-reference.md"


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
