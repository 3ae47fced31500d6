"""The school's page of the editor: photos of staff and places, and each place's pin on the map.

A pin is placed by clicking the map. The map is an image button of a form (``<input
type="image">``), so the browser itself sends where it was clicked, in pixels of the picture as
shown, and no script is needed: the page shows the map at a fixed width (one for wide screens,
one for phones, :data:`MAP_WIDTHS`), so the click turns into the same percentages a person
writes (``map: {x: 62, y: 91}``). The position can also be typed as two numbers, for keyboard
use. Photos go through the same checks and cleaning as a pupil's photo and are kept as
``images/staff/<id>.jpg`` and ``images/places/<id>.jpg``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from transition_booklets.data.models import School

MAP_WIDTHS = (720, 320)  # CSS pixels: the map as shown on a wide screen, and on a phone
PHOTO_FOLDERS = {"staff": "images/staff", "places": "images/places"}


@dataclass
class MapPicture:
    """The school map as the editor shows it: its file, and its height for each width shown."""

    file: str  # relative to the data folder
    heights: dict[int, int]


def map_picture(school: School, data_dir: Path) -> MapPicture | None:
    """The map, when the school has one whose size can be read (a picture, or an SVG with a viewBox)."""
    if school.map is None:
        return None
    path = data_dir / school.map.image
    size: tuple[float, float] | None = None
    if path.suffix.lower() == ".svg":
        found = re.search(
            r'viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)', path.read_text(errors="replace")
        )
        size = (float(found.group(1)), float(found.group(2))) if found else None
    else:
        try:
            with Image.open(path) as image:  # the header only: the school's own map, not decoded
                size = image.size
        except (OSError, ValueError):
            size = None
    if not size or not size[0]:
        return None
    return MapPicture(str(school.map.image), {width: round(width * size[1] / size[0]) for width in MAP_WIDTHS})


def pin_from_click(sent: dict[str, list[str]], picture: MapPicture) -> tuple[float, float] | None:
    """The percentages (x, y) of a click on the map as shown at one of :data:`MAP_WIDTHS`; None without one."""
    for width in MAP_WIDTHS:
        x, y = sent.get(f"map{width}.x"), sent.get(f"map{width}.y")
        if x and y:
            try:
                left, top = float(x[-1]), float(y[-1])
            except ValueError:
                return None
            return _percent(left / width), _percent(top / picture.heights[width])
    return None


def pin_from_numbers(sent: dict[str, list[str]]) -> tuple[float, float] | str | None:
    """The percentages typed in the two boxes; a message saying what is wrong when they are not numbers."""
    x, y = (sent.get(key, [""])[-1].strip().rstrip("%") for key in ("x", "y"))
    if not x and not y:
        return None
    try:
        left, top = float(x), float(y)
    except ValueError:
        return "type two numbers from 0 to 100: across from the left, and down from the top"
    if not (0 <= left <= 100 and 0 <= top <= 100):
        return "the numbers are percentages of the map: each from 0 to 100"
    return round(left, 1), round(top, 1)


def _percent(share: float) -> float:
    return round(min(max(share * 100, 0.0), 100.0), 1)


def written(number: float) -> float | int:
    """A percentage as a person writes it: ``62``, not ``62.0``."""
    return int(number) if float(number).is_integer() else number


def photo_file(kind: str, item_id: str) -> str:
    """Where an uploaded photo of a member of staff or a place is kept, relative to the data folder."""
    return f"{PHOTO_FOLDERS[kind]}/{item_id}.jpg"


def shown_files(school: School) -> set[str]:
    """The data folder's files the school page shows: the map and the photos school.yaml names."""
    files = {str(member.photo) for member in school.staff.values() if member.photo}
    files |= {str(place.photo) for place in school.places.values() if place.photo}
    if school.map is not None:
        files.add(str(school.map.image))
    return files
