"""The school map: numbered pins where school.yaml says, and data for links and the legend."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from transition_booklets.data.loader import load_cohort
from transition_booklets.data.problems import BuildError
from transition_booklets.pictures.images import ImageProcessor
from transition_booklets.pictures.school_map import PIN_COLOUR, PIN_DIAMETER, draw_map
from transition_booklets.view.pupil_view import build_view

ROOT = Path(__file__).resolve().parent.parent
PIN_RGB = tuple(int(PIN_COLOUR[i : i + 2], 16) for i in (1, 3, 5))
BACKGROUND = (230, 240, 225)


def place(number: int, place_id: str, x: float | None, y: float | None) -> dict[str, Any]:
    return {
        "number": number,
        "id": place_id,
        "name": place_id.replace("-", " ").title(),
        "map": None if x is None else {"x": x, "y": y},
    }


@pytest.fixture
def plain_map(tmp_path: Path) -> tuple[Path, str]:
    data = tmp_path / "data"
    data.mkdir()
    Image.new("RGB", (1000, 600), BACKGROUND).save(data / "map.png")
    return data, "map.png"


def near(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 30) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=False))


def pixel(path: Path, x: float, y: float) -> tuple[int, ...]:
    with Image.open(path) as image:
        value = image.convert("RGB").getpixel((round(x), round(y)))
    assert isinstance(value, tuple)
    return value


def check_pin(path: Path, x_percent: float, y_percent: float) -> None:
    """A pin disc (pin colour, white ring) centred at the given percent position of the image at ``path``."""
    with Image.open(path) as image:
        width, height = image.size
    cx, cy = x_percent / 100 * width, y_percent / 100 * height
    d = PIN_DIAMETER * width
    for dy in (-0.32 * d, 0.32 * d):  # above and below the number, inside the coloured disc
        assert near(pixel(path, cx, cy + dy), PIN_RGB), (path.name, x_percent, y_percent)
    assert near(pixel(path, cx, cy - 0.43 * d), (255, 255, 255), 40), "a white outline"
    assert near(pixel(path, cx, cy - 0.62 * d), BACKGROUND, 12), "the map shows around the pin"


def test_pins_are_drawn_where_school_yaml_puts_them(tmp_path: Path, plain_map: tuple[Path, str]) -> None:
    data, source = plain_map
    processor = ImageProcessor(data, tmp_path / "cache")
    places = [place(1, "reception", 50, 80), place(2, "the-hub", 20, 30), place(3, "library", 80, 40)]
    result = draw_map(processor, source, places, web_width=500, print_width_mm=80, where="school.yaml map.image")
    assert result is not None
    assert [(pin.number, pin.place_id, pin.x, pin.y) for pin in result.pins] == [
        (1, "reception", 50, 80),
        (2, "the-hub", 20, 30),
        (3, "library", 80, 40),
    ]
    assert (result.web.x1.width, result.web.x1.height) == (500, 300)
    assert (result.web.x2.width, result.print.width) == (1000, 945)
    assert result.print.media_type == "image/png" and result.web.x1.media_type == "image/webp"
    for rendition in (result.web.x1, result.web.x2, result.print):
        for pin in result.pins:
            check_pin(rendition.path, pin.x, pin.y)
    assert near(pixel(result.web.x2.path, 700, 100), BACKGROUND, 6), "no pin where there is no place"
    assert result.pin_width_percent == pytest.approx(7.5)
    assert result.pin_height_percent == pytest.approx(7.5 * 1000 / 600)
    assert result.pin_data()[0] == {"number": 1, "id": "reception", "name": "Reception", "x": 50, "y": 80}


def test_places_without_a_position_are_listed_but_not_pinned(tmp_path: Path, plain_map: tuple[Path, str]) -> None:
    data, source = plain_map
    processor = ImageProcessor(data, tmp_path / "cache")
    result = draw_map(processor, source, [place(1, "reception", 50, 50), place(2, "field", None, None)])
    assert result is not None
    assert [pin.number for pin in result.pins] == [1]
    assert [(entry.number, entry.name, entry.on_map) for entry in result.legend] == [
        (1, "Reception", True),
        (2, "Field", False),
    ]


def test_no_map_image_gives_none(tmp_path: Path) -> None:
    processor = ImageProcessor(tmp_path, tmp_path / "cache")
    assert draw_map(processor, None, [place(1, "reception", 50, 50)]) is None
    assert processor.processed == 0


def test_pins_that_would_overlap_or_leave_the_map_are_nudged_into_view(
    tmp_path: Path, plain_map: tuple[Path, str]
) -> None:
    data, source = plain_map
    processor = ImageProcessor(data, tmp_path / "cache")
    places = [place(1, "a", 40, 50), place(2, "b", 40.5, 50.5), place(3, "corner", 100, 0)]
    result = draw_map(processor, source, places)
    assert result is not None
    first, second, corner = result.pins
    distance = math.hypot((first.x - second.x) * 10, (first.y - second.y) * 6)  # in pixels of the 1000×600 map
    assert distance >= PIN_DIAMETER * 1000, "two pins never cover each other"
    assert abs(first.x - 40) < 5 and abs(second.x - 40.5) < 5, "but stay near their places"
    radius_x, radius_y = PIN_DIAMETER * 50, PIN_DIAMETER * 50 * 1000 / 600
    assert 100 - radius_x > corner.x > 90 and radius_y < corner.y < 10
    for pin in result.pins:
        check_pin(result.web.x2.path, pin.x, pin.y)


def test_pupils_with_the_same_pins_share_one_drawing(tmp_path: Path, plain_map: tuple[Path, str]) -> None:
    data, source = plain_map
    cache = tmp_path / "cache"
    processor = ImageProcessor(data, cache)
    places = [place(1, "reception", 50, 80), place(2, "the-hub", 20, 30)]
    first = draw_map(processor, source, places)
    second = draw_map(processor, source, [dict(p) for p in places])
    assert first is not None and second is not None
    assert processor.processed == 3 and second.print.path == first.print.path
    different = draw_map(processor, source, [place(1, "the-hub", 20, 30)])
    assert different is not None and different.print.path != first.print.path
    rebuild = ImageProcessor(data, cache)
    assert draw_map(rebuild, source, places) == first
    assert rebuild.processed == 0


def test_a_light_school_colour_is_not_used_for_pins(tmp_path: Path, plain_map: tuple[Path, str]) -> None:
    data, source = plain_map
    result = draw_map(ImageProcessor(data, tmp_path / "cache"), source, [place(1, "a", 50, 50)], colour="#f2f200")
    assert result is not None
    check_pin(result.print.path, 50, 50)  # drawn in the default, high-contrast colour


def test_a_broken_map_image_names_the_field(tmp_path: Path) -> None:
    (tmp_path / "map.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    with pytest.raises(BuildError, match=r"^school.yaml map.image: 'map.png' is not a picture that can be used"):
        draw_map(ImageProcessor(tmp_path, tmp_path / "cache"), "map.png", [], where="school.yaml map.image")


def test_the_example_school_pins_every_key_place_with_the_view_numbers(tmp_path: Path) -> None:
    cohort = load_cohort(ROOT / "pupils")
    assert cohort.school is not None and cohort.school.map is not None
    processor = ImageProcessor(cohort.data_dir, tmp_path / "cache")
    for record in cohort.pupils:
        view = build_view(cohort.school, record.pupil, record.id)
        result = draw_map(processor, view["school"]["map"]["source"], view["key_places"])
        assert result is not None
        expected = [(p["number"], p["id"], p["map"]["x"], p["map"]["y"]) for p in view["key_places"] if p["map"]]
        assert [(pin.number, pin.place_id, pin.x, pin.y) for pin in result.pins] == expected
        for pin in result.pins:
            check_pin_colour_only(result.print.path, pin.x, pin.y)


def check_pin_colour_only(path: Path, x_percent: float, y_percent: float) -> None:
    with Image.open(path) as image:
        width, height = image.size
    d = PIN_DIAMETER * width
    assert near(pixel(path, x_percent / 100 * width, y_percent / 100 * height - 0.32 * d), PIN_RGB)
