"""The school map with this pupil's numbered pins, for the site and the booklet.

:func:`draw_map` takes the map image from ``school.yaml`` and the pupil's key places
(``view["key_places"]``: each has ``number``, ``name``, ``id`` and ``map``, which is
``{"x": percent, "y": percent}`` or None) and draws a numbered pin for each place that has a
map position: a large, high-contrast disc with the number, a white outline and a thin dark
rim, so it reads on a phone, on pale and dark parts of the map, and on paper.

It returns a :class:`SchoolMapImages`:

* ``web``: WebP at 1x and 2x (for ``srcset``), ``print``: a PNG at 300 dpi for the booklet;
* ``pins``: where each pin was drawn, in percent of the image's width and height (the centre
  of the disc; a pin is nudged only when it would overlap another pin or the edge), for the
  site to lay real links (``<a>`` absolutely positioned in percent) over the picture and
  ``pin_width_percent`` / ``pin_height_percent`` for their size;
* ``legend``: every numbered place in order with ``on_map``, for the numbered list beside the
  map on the page and in the booklet. No legend is drawn into the image: the page and the
  booklet list the places in real, accessible text.

Places without a map position are not pinned (``on_map`` is False). A school without a map
image gets ``None``. Drawing goes through the :class:`~transition_booklets.pictures.images.ImageProcessor`,
so the map is checked and cleaned like every other image, and pupils with the same pins share
one cached file.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

from transition_booklets.pictures.images import (
    ImageProcessor,
    Rendition,
    WebImage,
    _hex_to_rgb,
    contrast_ratio,
    draw_centred_text,
    font,
)

log = logging.getLogger(__name__)

#: The pin's diameter as a share of the map's width: about 26 CSS pixels on a 340-pixel phone screen.
PIN_DIAMETER = 0.075
#: The pin colour: white text on it has a contrast ratio of 6.5:1.
PIN_COLOUR = "#b3261e"
PIN_RIM = (26, 26, 26)
PIN_STYLE_VERSION = 1
#: How wide the map is shown on the site (CSS pixels) and in the booklet (millimetres).
WEB_WIDTH = 800
PRINT_WIDTH_MM = 128.0
_SUPERSAMPLE = 4


@dataclass(frozen=True)
class Pin:
    """One drawn pin: the centre of its disc in percent (3 decimals) of the image's width (``x``) and height (``y``)."""

    number: int
    place_id: str
    name: str
    x: float
    y: float


@dataclass(frozen=True)
class LegendEntry:
    number: int
    place_id: str
    name: str
    on_map: bool


@dataclass(frozen=True)
class SchoolMapImages:
    web: WebImage
    print: Rendition
    pins: tuple[Pin, ...]
    legend: tuple[LegendEntry, ...]
    pin_width_percent: float  # the pin's diameter in percent of the image width
    pin_height_percent: float  # … and of its height

    def pin_data(self) -> list[dict[str, Any]]:
        """The pins as plain dicts (for Jinja and the booklet's JSON)."""
        return [
            {"number": pin.number, "id": pin.place_id, "name": pin.name, "x": pin.x, "y": pin.y} for pin in self.pins
        ]


@dataclass(frozen=True)
class _PinOverlay:
    """Draws pins at percent positions on an image of any size (the overlay of the image pipeline)."""

    pins: tuple[Pin, ...]
    colour: tuple[int, int, int]
    diameter: float = PIN_DIAMETER

    @property
    def key(self) -> str:
        return json.dumps(
            {
                "style": PIN_STYLE_VERSION,
                "colour": self.colour,
                "diameter": self.diameter,
                "pins": [(pin.number, round(pin.x, 4), round(pin.y, 4)) for pin in self.pins],
            },
            sort_keys=True,
        )

    def draw(self, image: Image.Image) -> Image.Image:
        canvas = image if image.mode in ("RGB", "RGBA") else image.convert("RGB")
        diameter = self.diameter * canvas.width
        for pin in self.pins:
            badge = _badge(pin.number, diameter, self.colour)
            left = round(pin.x / 100 * canvas.width - badge.width / 2)
            top = round(pin.y / 100 * canvas.height - badge.height / 2)
            if canvas.mode == "RGBA":
                canvas.alpha_composite(badge, (left, top))
            else:
                canvas.paste(badge, (left, top), badge)  # blend through the pin's own transparency
        return canvas


@functools.lru_cache(maxsize=256)
def _badge(number: int, diameter: float, colour: tuple[int, int, int]) -> Image.Image:
    """One pin, drawn large and shrunk for smooth edges: dark rim, white ring, coloured disc, white number.

    Cached: the same pin is drawn once for every pupil (callers must not change the image).
    """
    side = math.ceil(diameter) + 2
    big = side * _SUPERSAMPLE
    scale = diameter * _SUPERSAMPLE
    layer = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    centre = big / 2

    def disc(radius: float, fill: tuple[int, ...]) -> None:
        draw.ellipse((centre - radius, centre - radius, centre + radius, centre + radius), fill=fill)

    disc(scale / 2, (*PIN_RIM, 255))
    disc(scale / 2 - scale * 0.035, (255, 255, 255, 255))
    disc(scale / 2 - scale * 0.12, (*colour, 255))
    text = str(number)
    size = round(scale * (0.5 if len(text) == 1 else 0.42 if len(text) == 2 else 0.32))
    draw_centred_text(draw, (centre, centre), text, font(size), (255, 255, 255, 255))
    return layer.resize((side, side), Image.Resampling.LANCZOS)


def _position(place: Mapping[str, Any]) -> tuple[float, float] | None:
    where = place.get("map")
    if not isinstance(where, Mapping):
        return None
    try:
        x, y = float(where["x"]), float(where["y"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (0 <= x <= 100 and 0 <= y <= 100):
        return None
    return x, y


def layout_pins(
    places: Sequence[Mapping[str, Any]], width: int, height: int, diameter: float = PIN_DIAMETER
) -> tuple[Pin, ...]:
    """Pins at the places' positions, kept inside the image and nudged apart where they would overlap.

    ``width`` and ``height`` are the map's size (only its shape matters).
    """
    radius = diameter * width / 2
    points: list[list[float]] = []
    chosen: list[Mapping[str, Any]] = []
    for place in places:
        position = _position(place)
        if position is None or place.get("number") is None:
            continue
        chosen.append(place)
        points.append([position[0] / 100 * width, position[1] / 100 * height])

    def clamp(point: list[float]) -> None:
        point[0] = min(max(point[0], radius + 1), width - radius - 1)
        point[1] = min(max(point[1], radius + 1), height - radius - 1)

    for point in points:
        clamp(point)
    gap = 2 * radius * 1.08
    for _ in range(60):
        moved = False
        for i in range(len(points)):
            for j in range(i + 1, len(points)):
                dx = points[j][0] - points[i][0]
                dy = points[j][1] - points[i][1]
                distance = math.hypot(dx, dy)
                if distance >= gap:
                    continue
                if distance < 1e-6:
                    dx, dy, distance = 1.0, 0.0, 1.0
                push = (gap - distance) / 2
                ux, uy = dx / distance, dy / distance
                points[i][0] -= ux * push
                points[i][1] -= uy * push
                points[j][0] += ux * push
                points[j][1] += uy * push
                clamp(points[i])
                clamp(points[j])
                moved = True
        if not moved:
            break
    return tuple(
        Pin(
            number=int(place["number"]),
            place_id=str(place.get("id", "")),
            name=str(place.get("name", "")),
            x=round(point[0] / width * 100, 3),
            y=round(point[1] / height * 100, 3),
        )
        for place, point in zip(chosen, points, strict=True)
    )


def _pin_colour(colour: str) -> tuple[int, int, int]:
    """``colour`` when white numbers read well on it (4.5:1), else the default pin colour."""
    try:
        rgb = _hex_to_rgb(colour)
    except ValueError:
        rgb = _hex_to_rgb(PIN_COLOUR)
    if contrast_ratio(rgb, (255, 255, 255)) < 4.5:
        log.debug("pin colour %s is too light for white numbers; using %s", colour, PIN_COLOUR)
        return _hex_to_rgb(PIN_COLOUR)
    return rgb


def draw_map(
    processor: ImageProcessor,
    map_source: str | None,
    places: Sequence[Mapping[str, Any]],
    *,
    web_width: int = WEB_WIDTH,
    print_width_mm: float = PRINT_WIDTH_MM,
    colour: str = PIN_COLOUR,
    where: str = "",
) -> SchoolMapImages | None:
    """The map with numbered pins for ``places`` (``view["key_places"]``), or None without a map image.

    ``where`` names the YAML field for messages, e.g. ``"school.yaml map.image"``.
    Raises :class:`~transition_booklets.data.problems.BuildError` for a map that is not a usable image.
    """
    if not map_source:
        return None
    width, height = processor.source_size(map_source, where=where)
    pins = layout_pins(places, width, height)
    overlay = _PinOverlay(pins, _pin_colour(colour))
    web, printed = processor.web_and_print(
        map_source, width=web_width, width_mm=print_width_mm, drawing=True, where=where, overlay=overlay
    )
    pinned = {pin.number for pin in pins}
    legend = tuple(
        LegendEntry(
            int(place["number"]), str(place.get("id", "")), str(place.get("name", "")), int(place["number"]) in pinned
        )
        for place in places
        if place.get("number") is not None
    )
    return SchoolMapImages(
        web=web,
        print=printed,
        pins=pins,
        legend=legend,
        pin_width_percent=PIN_DIAMETER * 100,
        pin_height_percent=PIN_DIAMETER * width / height * 100,
    )
