"""Where the numbered pins of a pupil's key places stand on the school map.

:func:`layout_pins` takes the pupil's key places (``view["key_places"]``: each has ``number``,
``name``, ``id`` and ``map``, which is ``{"x": percent, "y": percent}`` or None) and places a pin
for each place with a map position: at the position, kept inside the map and nudged apart
where two pins would overlap. The site lays real links over the map picture at these
positions (in percent, so they scale with it); the booklet's template draws the same pins
itself, crisp at any size. Neither draws a legend into a picture: the page and the booklet
list the places in real, accessible text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: The space a pin needs, as a share of the map's width: the site draws pins 30 CSS pixels wide on
#: a phone, where the map is 288 pixels wide on the narrowest screen (320); 2 pixels more keep two
#: pins from touching. So pins are never closer than 24 pixels (WCAG 2.5.8) on any screen, and the
#: positions are the same on every screen, in the booklet too.
PHONE_PIN_PX = 30
NARROWEST_MAP_PX = 288
PIN_DIAMETER = (PHONE_PIN_PX + 2) / NARROWEST_MAP_PX
#: A pin moved further than this (a share of the map's width) from its place gets a line back to it.
LEADER_AFTER = 0.02


@dataclass(frozen=True)
class Pin:
    """One pin: the centre of its disc in percent (3 decimals) of the image's width (``x``) and height
    (``y``); ``at_x`` and ``at_y``: where the place itself is, when the pin had to move away from it."""

    number: int
    place_id: str
    name: str
    x: float
    y: float
    at_x: float | None = None
    at_y: float | None = None

    @property
    def moved(self) -> bool:
        return self.at_x is not None


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
    starts = [tuple(point) for point in points]  # where the places are, before any pin moves

    def clamp(point: list[float]) -> None:
        point[0] = min(max(point[0], radius + 1), width - radius - 1)
        point[1] = min(max(point[1], radius + 1), height - radius - 1)

    for point in points:
        clamp(point)
    gap = 2 * radius
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
    pins = []
    for place, point, start in zip(chosen, points, starts, strict=True):
        moved = math.hypot(point[0] - start[0], point[1] - start[1]) > LEADER_AFTER * width
        pins.append(
            Pin(
                number=int(place["number"]),
                place_id=str(place.get("id", "")),
                name=str(place.get("name", "")),
                x=round(point[0] / width * 100, 3),
                y=round(point[1] / height * 100, 3),
                at_x=round(start[0] / width * 100, 3) if moved else None,
                at_y=round(start[1] / height * 100, 3) if moved else None,
            )
        )
    return tuple(pins)
