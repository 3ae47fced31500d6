"""Icons for subjects and places, taken from the icon set that ships with Material for MkDocs.

Icons are inlined as SVG in pages and drawn in the booklet, so nothing is fetched.
"""

from __future__ import annotations

import functools
from pathlib import Path

import material

ICON_ROOT = Path(material.__file__).resolve().parent / "templates" / ".icons"

PLACE_KIND_ICONS = {
    "entrance": "material/door-open",
    "reception": "material/door-open",
    "toilets": "material/human-male-female",
    "small-group-base": "material/sofa",
    "worry-place": "material/heart",
    "library": "material/bookshelf",
    "canteen": "material/silverware-fork-knife",
    "playground": "material/tree",
    "classroom": "material/google-classroom",
    "office": "material/desk",
    "hall": "material/theater",
    "sports": "material/basketball",
    "medical": "material/medical-bag",
    "other": "material/map-marker",
}


def icon_path(name: str) -> Path | None:
    """The SVG file of an icon such as ``material/calculator``, or None if there is none."""
    if not name or ".." in name or name.startswith("/"):
        return None
    path = ICON_ROOT / f"{name}.svg"
    return path if path.is_file() else None


@functools.lru_cache(maxsize=512)
def icon_svg(name: str) -> str:
    """The SVG markup of an icon (a fallback marker when it does not exist)."""
    path = icon_path(name) or icon_path("material/map-marker")
    assert path is not None
    return path.read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def icon_names(set_name: str = "material") -> list[str]:
    return sorted(f"{set_name}/{path.stem}" for path in (ICON_ROOT / set_name).glob("*.svg"))
