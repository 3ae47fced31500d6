"""Every size a picture is made at, defined once: widths on the site and sizes in the booklet.

The page templates read :data:`WEB_WIDTHS` as ``widths`` (e.g. ``widths.photo``); the
shared photos are processed ahead of a build at the same sizes, so the pupils' pages find
them ready. Each web width is made at 1x and 2x.
"""

from __future__ import annotations

from typing import Final, NamedTuple

#: CSS pixels on the site, by the role a picture plays.
WEB_WIDTHS: Final = {
    "portrait_big": 240,  # the pupil and their keyworker at the top of a page
    "portrait": 160,  # a person in a list
    "photo": 480,  # a place
    "map": 800,  # the school map with the pupil's pins
}


class PrintSize(NamedTuple):
    width_mm: float
    square: bool  # cropped to a square (portraits)
    drawing: bool  # kept as a lossless PNG (the logo, the map)


#: Printed sizes in the booklet, at 300 dpi; the booklet never prints a picture wider than its
#: size here (a place photo 70 mm wide is printed at most 70 mm wide), so at 250 dpi or more.
PRINT_SIZES: Final = {
    "portrait": PrintSize(45.0, True, False),
    "photo": PrintSize(70.0, False, False),
    "logo": PrintSize(30.0, False, True),
    "map": PrintSize(128.0, False, True),
}
