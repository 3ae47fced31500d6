"""Where the map's numbered pins stand: at the places' positions, inside the map, never on top of each other.

The site lays its pin links at these positions and the booklet's template draws the same pins
(the pages' and the booklet's pins themselves are checked in test_site.py, test_browser.py and
test_booklet.py).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from transition_booklets.data.loader import load_cohort
from transition_booklets.pictures.school_map import PHONE_PIN_PX, PIN_DIAMETER, layout_pins
from transition_booklets.view.pupil_view import build_view

ROOT = Path(__file__).resolve().parent.parent


def place(number: int | None, place_id: str, x: float | None, y: float | None) -> dict[str, Any]:
    return {
        "number": number,
        "id": place_id,
        "name": place_id.replace("-", " ").title(),
        "map": None if x is None else {"x": x, "y": y},
    }


def test_pins_stand_where_school_yaml_puts_them() -> None:
    pins = layout_pins([place(1, "reception", 20, 30), place(2, "the-hub", 70, 60)], 1000, 600)
    assert [(pin.number, pin.place_id, pin.name, pin.x, pin.y) for pin in pins] == [
        (1, "reception", "Reception", 20.0, 30.0),
        (2, "the-hub", "The Hub", 70.0, 60.0),
    ]


def test_places_without_a_position_or_a_number_are_not_pinned() -> None:
    places = [place(1, "reception", 50, 50), place(2, "field", None, None), place(None, "loose", 10, 10)]
    places.append({"number": 3, "id": "odd", "name": "Odd", "map": {"x": 150, "y": 20}})  # off the map
    assert [pin.place_id for pin in layout_pins(places, 1000, 600)] == ["reception"]


def test_pins_that_would_overlap_or_leave_the_map_are_nudged_into_view() -> None:
    places = [place(1, "a", 40, 50), place(2, "b", 40.5, 50.5), place(3, "corner", 100, 0)]
    first, second, corner = layout_pins(places, 1000, 600)
    distance = math.hypot((first.x - second.x) * 10, (first.y - second.y) * 6)  # in pixels of the 1000×600 map
    assert distance >= PIN_DIAMETER * 1000, "two pins never cover each other"
    assert abs(first.x - 40) < 5 and abs(second.x - 40.5) < 5, "but stay near their places"
    radius_x, radius_y = PIN_DIAMETER * 50, PIN_DIAMETER * 50 * 1000 / 600
    assert 100 - radius_x > corner.x > 90 and radius_y < corner.y < 10


def test_the_example_school_pins_every_key_place_with_the_view_numbers() -> None:
    cohort = load_cohort(ROOT / "pupils")
    assert cohort.school is not None and cohort.school.map is not None
    for record in cohort.pupils:
        view = build_view(cohort.school, record.pupil, record.id)
        pins = layout_pins(view["key_places"], 1000, 700)
        expected = [(p["number"], p["id"]) for p in view["key_places"] if p["map"]]
        assert expected, record.id
        assert [(pin.number, pin.place_id) for pin in pins] == expected


def test_a_crowded_corner_keeps_every_pin_apart_on_the_narrowest_phone_with_lines_to_their_places() -> None:
    """Six places in one building: on a 288-pixel map (a 320-pixel phone) no two 30-pixel pins
    touch, so each is a target of its own (WCAG 2.5.8), and a pin that moved has a line back."""
    places = [place(number, f"room-{number}", 30 + number * 0.8, 40 + (number % 2) * 0.8) for number in range(1, 7)]
    pins = layout_pins(places, 1200, 800)
    shown = 288 / 1200  # pixels of the phone's map per pixel of the picture
    for index, pin in enumerate(pins):
        for other in pins[index + 1 :]:
            apart = math.hypot((pin.x - other.x) * 12, (pin.y - other.y) * 8) * shown
            assert apart >= PHONE_PIN_PX, f"pins {pin.number} and {other.number} are {apart:.1f} px apart"
    moved = [pin for pin in pins if pin.moved]
    assert moved, "in a crowd some pins move"
    for pin in moved:
        assert pin.at_x is not None and pin.at_y is not None
        assert abs(pin.at_x - (30 + pin.number * 0.8)) < 0.01, "the line starts at the place itself"
