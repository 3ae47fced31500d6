"""The bundled fonts: which files draw which characters, for pages, letters and booklets.

``theme/assets/fonts/`` is written by ``tools/fonts.py`` from Fontsource's packages (OFL):

* ``web/``: WOFF2 files split by script, listed in ``web/faces.json`` with the characters
  each covers. :func:`faces_for` picks the files a text needs and :func:`font_css` writes
  their ``@font-face`` rules with ``unicode-range``, so a page only carries and loads the
  scripts it uses: an English guide gets two small Latin files;
* ``print/``: one TrueType file per family and weight, for Typst (:data:`PRINT_FONTS`);
* ``emoji/``: Noto Color Emoji for the booklet (:func:`emoji_fonts`); pages use the reader's own;
* ``coverage.json``: every character some bundled font draws (:func:`undrawable`).

Every text is set in :data:`FAMILIES`, in order: Atkinson Hyperlegible Next first (designed
for readers with low vision), then Noto for every other script.
"""

from __future__ import annotations

import bisect
import functools
import json
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from transition_booklets.support import resources
from transition_booklets.support.files import file_digest, replacing

log = logging.getLogger(__name__)

WEB_FONTS = resources.FONTS / "web"
PRINT_FONTS = resources.FONTS / "print"
COVERAGE = resources.FONTS / "coverage.json"

#: The font stack of every page, letter and booklet.
FAMILIES = (
    "Atkinson Hyperlegible Next",
    "Noto Sans",
    "Noto Sans Arabic",
    "Noto Sans Hebrew",
    "Noto Sans Devanagari",
    "Noto Sans Bengali",
    "Noto Sans Gurmukhi",
    "Noto Sans Gujarati",
    "Noto Sans Tamil",
    "Noto Sans SC",
    "Noto Sans Symbols 2",
)
#: The main font's Latin files: in every guide (the unlock page uses them too).
ALWAYS = ("atkinson-hyperlegible-next-latin-400-normal.woff2", "atkinson-hyperlegible-next-latin-700-normal.woff2")


@dataclass(frozen=True)
class Face:
    family: str
    weight: int
    file: str  # in WEB_FONTS
    ranges: tuple[tuple[int, int], ...]

    def covers_any(self, codes: list[int]) -> bool:
        """Whether any of ``codes`` (sorted) falls in this face's ranges."""
        for low, high in self.ranges:
            at = bisect.bisect_left(codes, low)
            if at < len(codes) and codes[at] <= high:
                return True
        return False

    @property
    def unicode_range(self) -> str:
        return ",".join(f"U+{low:X}" if low == high else f"U+{low:X}-{high:X}" for low, high in self.ranges)


@functools.cache
def faces() -> tuple[Face, ...]:
    listed = json.loads((WEB_FONTS / "faces.json").read_text(encoding="utf-8"))
    return tuple(
        Face(item["family"], int(item["weight"]), item["file"], tuple((low, high) for low, high in item["ranges"]))
        for item in listed
    )


def faces_for(texts: Iterable[str]) -> list[Face]:
    """The web font files these texts need, as a browser picks them.

    For each character, the first family of :data:`FAMILIES` with a file whose range holds it
    draws it (in every weight that family has); the main font's Latin files are always in.
    """
    chars = {char for char in set("".join(texts)) if ord(char) > 0x7F}
    chosen = set(ALWAYS)
    for char in chars:
        chosen.update(_files_for(ord(char)))
    return [face for face in faces() if face.file in chosen]


@functools.lru_cache(maxsize=8192)
def _files_for(code: int) -> tuple[str, ...]:
    """The files of the first family (in :data:`FAMILIES` order) that draws ``code``, every weight."""
    order = {family: index for index, family in enumerate(FAMILIES)}
    holding = [face for face in faces() if face.covers_any([code])]
    if not holding:
        return ()
    first = min(order.get(face.family, len(order)) for face in holding)
    return tuple(face.file for face in holding if order.get(face.family, len(order)) == first)


def font_css(chosen: Iterable[Face], *, url_prefix: str = "") -> str:
    """``@font-face`` rules for ``chosen``, their files at ``url_prefix + file``."""
    rules = [
        f'@font-face {{ font-family: "{face.family}"; font-style: normal; font-weight: {face.weight}; '
        f'font-display: swap; src: url("{url_prefix}{face.file}") format("woff2"); '
        f"unicode-range: {face.unicode_range}; }}"
        for face in chosen
    ]
    return (
        "/* The guide's fonts (SIL Open Font License): only the scripts its pages use. */\n" + "\n".join(rules) + "\n"
    )


@functools.cache
def _coverage() -> tuple[list[int], list[int]]:
    ranges = json.loads(COVERAGE.read_text(encoding="utf-8"))
    return [low for low, _ in ranges], [high for _, high in ranges]


@functools.lru_cache(maxsize=8192)
def drawn(char: str) -> bool:
    """Whether a bundled font draws ``char`` (spaces, line breaks and invisible format characters need no drawing)."""
    code = ord(char)
    if char in "\n\t\r" or unicodedata.category(char) in ("Zs", "Cf") or 0xFE00 <= code <= 0xFE0F:
        return True  # spaces, invisible joiners and variation selectors draw nothing themselves
    lows, highs = _coverage()
    at = bisect.bisect_right(lows, code) - 1
    return at >= 0 and code <= highs[at]


def undrawable(text: str) -> list[str]:
    """The characters of ``text`` that no bundled font draws, each once, in order."""
    missing = {char for char in set(text) if not drawn(char)}
    if not missing:
        return []
    return [char for char in dict.fromkeys(text) if char in missing]


# ---------------------------------------------------------------------------
# Colour emoji for the booklet
# ---------------------------------------------------------------------------

EMOJI_WOFF2 = resources.FONTS / "emoji" / "NotoColorEmoji.woff2"
_EMOJI = re.compile("[\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff]")


def has_emoji(text: str) -> bool:
    """Whether ``text`` holds an emoji (or a symbol that comes in colour)."""
    return bool(_EMOJI.search(text))


def emoji_fonts(cache: Path) -> Path | None:
    """A folder holding Noto Color Emoji as TrueType for Typst, made once in ``cache`` (about 25 MB); None if it cannot be.

    The font is shipped compressed (WOFF2, which Typst does not read) and made into TrueType
    the first time a booklet has an emoji; every later booklet uses the same file.
    """
    folder = cache / f"emoji-{file_digest(EMOJI_WOFF2)[:12]}"
    target = folder / "NotoColorEmoji.ttf"
    if target.is_file():
        return folder
    try:
        from fontTools.ttLib import TTFont

        font = TTFont(str(EMOJI_WOFF2))
        font.flavor = None
        folder.mkdir(parents=True, exist_ok=True)
        with replacing(target, suffix=".ttf") as partial:
            font.save(str(partial))
    except (ImportError, OSError) as error:
        log.warning("colour emoji are left out of the booklets: the emoji font could not be prepared (%s)", error)
        return None
    return folder
