"""Rebuild the bundled fonts from Fontsource's npm packages (all under the SIL Open Font License).

    python tools/fonts.py                 # runs `npm pack` for each package into a temporary folder
    python tools/fonts.py --packs DIR     # or uses the tarballs already in DIR

Writes, under ``theme/assets/fonts/``:

* ``web/``: each family's WOFF2 files, split by script as Fontsource splits them, and
  ``faces.json`` listing each file with its family, weight and the characters it covers
  (CSS ``unicode-range``). A pupil's site carries only the files its text needs
  (``transition_booklets/site/fonts.py``), so an English guide loads one small file per weight.
* ``print/``: one TrueType file per family and weight, the script files joined, for Typst
  (which reads TrueType and OpenType, not WOFF2), with clean family and style names.
* ``emoji/NotoColorEmoji.woff2``: colour emoji for the booklet (Noto Color Emoji, SVG glyphs),
  made into TrueType for Typst once, when a booklet first has an emoji
  (``transition_booklets/support/fonts.py``). Pages use the reader's own emoji.
* ``coverage.json``: every character some bundled font draws, as ranges; ``check`` warns about
  any other character in a school's or a pupil's text (``transition_booklets/data/characters.py``).
* ``licenses/``: each family's licence.

Run it after changing :data:`FAMILIES`, and commit what it writes. Needs ``fonttools`` and
``brotli`` (``pip install fonttools brotli``) and, without ``--packs``, ``npm``.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "theme" / "assets" / "fonts"


@dataclass(frozen=True)
class Family:
    package: str  # the npm package, without @fontsource/
    version: str
    name: str  # the family name the site and the booklet use
    weights: tuple[int, ...]
    subsets: str  # a regular expression: the Fontsource subsets to keep
    covers: str  # what it is for, for the licence file and the docs


FAMILIES = (
    Family("atkinson-hyperlegible-next", "5.3.0", "Atkinson Hyperlegible Next", (400, 700), r"latin|latin-ext",
           "Latin: English, Welsh, Irish, Polish, Romanian, Turkish and most European languages"),
    Family("noto-sans", "5.3.0", "Noto Sans", (400, 700),
           r"latin|latin-ext|greek|greek-ext|cyrillic|cyrillic-ext|vietnamese",
           "Greek, Cyrillic (Ukrainian, Russian, Bulgarian), Vietnamese, and Latin letters Atkinson lacks"),
    Family("noto-sans-arabic", "5.3.0", "Noto Sans Arabic", (400, 700), r"arabic", "Arabic, Urdu, Persian, Pashto"),
    Family("noto-sans-hebrew", "5.3.0", "Noto Sans Hebrew", (400, 700), r"hebrew", "Hebrew, Yiddish"),
    Family("noto-sans-devanagari", "5.3.0", "Noto Sans Devanagari", (400, 700), r"devanagari", "Hindi, Marathi, Nepali"),
    Family("noto-sans-bengali", "5.3.0", "Noto Sans Bengali", (400, 700), r"bengali", "Bengali, Sylheti written in Bengali"),
    Family("noto-sans-gurmukhi", "5.3.0", "Noto Sans Gurmukhi", (400, 700), r"gurmukhi", "Punjabi (Gurmukhi)"),
    Family("noto-sans-gujarati", "5.3.0", "Noto Sans Gujarati", (400, 700), r"gujarati", "Gujarati"),
    Family("noto-sans-tamil", "5.3.0", "Noto Sans Tamil", (400, 700), r"tamil", "Tamil"),
    Family("noto-sans-symbols-2", "5.3.0", "Noto Sans Symbols 2", (400,), r"symbols", "ticks, arrows, stars, shapes"),
    # Chinese: regular only (bold is drawn from it), to keep the package small.
    Family("noto-sans-sc", "5.3.0", "Noto Sans SC", (400,), r"\d+", "Chinese (simplified, and most traditional)"),
)  # fmt: skip

EMOJI = Family("noto-color-emoji", "5.3.2", "Noto Color Emoji", (400,), r"emoji", "colour emoji, in the booklet")

_FACE = re.compile(r"@font-face\s*{(?P<body>[^}]*)}", re.S)
_SRC = re.compile(r"url\(\./files/(?P<file>[^)]+\.woff2)\)")
_RANGE = re.compile(r"unicode-range:\s*(?P<ranges>[^;]+);")


def _ranges(text: str) -> list[list[int]]:
    ranges = []
    for part in text.split(","):
        part = part.strip().removeprefix("U+")
        low, _, high = part.partition("-")
        ranges.append([int(low, 16), int(high or low, 16)])
    return ranges


def _packs(folder: Path | None, work: Path) -> Path:
    if folder is not None:
        return folder
    for family in (*FAMILIES, EMOJI):
        spec = f"@fontsource/{family.package}@{family.version}"
        subprocess.run(["npm", "pack", "--silent", spec], cwd=work, check=True, stdout=subprocess.DEVNULL)
    return work


def _names(font: object, family: str, weight: int) -> None:
    """One family name and a plain style, so Typst and the browser find each file by family and weight."""
    style = "Bold" if weight >= 700 else "Regular"
    name = font["name"]  # type: ignore[index]
    for record in list(name.names):
        if record.nameID in (1, 2, 3, 4, 6, 16, 17, 21, 22, 25):
            name.removeNames(nameID=record.nameID)
    full = f"{family} {style}" if style != "Regular" else family
    postscript = f"{family.replace(' ', '')}-{style}"
    for name_id, value in ((1, family), (2, style), (3, postscript), (4, full), (6, postscript)):
        name.setName(value, name_id, 3, 1, 0x409)
    font["OS/2"].usWeightClass = weight  # type: ignore[index]
    font["OS/2"].fsSelection = (font["OS/2"].fsSelection & ~0b1100001) | (0b100000 if weight >= 700 else 0b1000000)  # type: ignore[index]
    font["head"].macStyle = 1 if weight >= 700 else 0  # type: ignore[index]


def main() -> int:
    from fontTools.merge import Merger
    from fontTools.ttLib import TTFont

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packs", type=Path, help="a folder with the npm tarballs (default: npm pack them)")
    args = parser.parse_args()
    web, print_dir, licenses = FONTS / "web", FONTS / "print", FONTS / "licenses"
    for folder in (web, print_dir, licenses):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    faces: list[dict[str, object]] = []
    covered: set[int] = set()
    with tempfile.TemporaryDirectory() as temporary:
        packs = _packs(args.packs, Path(temporary))
        for family in FAMILIES:
            tarball = packs / f"fontsource-{family.package}-{family.version}.tgz"
            with tarfile.open(tarball) as archive:
                read = lambda member: archive.extractfile(f"package/{member}").read()  # noqa: E731
                (licenses / f"{family.package}-OFL.txt").write_bytes(
                    f"{family.name}: {family.covers}.\nFrom the npm package @fontsource/{family.package} "
                    f"{family.version}.\n\n".encode()
                    + read("LICENSE")
                )
                for weight in family.weights:
                    css = read(f"{weight}.css").decode()
                    parts = []
                    for face in _FACE.finditer(css):
                        body = face.group("body")
                        src, ranges = _SRC.search(body), _RANGE.search(body)
                        if not src or not ranges:
                            continue
                        file = src.group("file")
                        subset = file.removeprefix(f"{family.package}-").removesuffix(f"-{weight}-normal.woff2")
                        if not re.fullmatch(family.subsets, subset):
                            continue
                        data = read(f"files/{file}")
                        (web / file).write_bytes(data)
                        faces.append({"family": family.name, "weight": weight, "file": file,
                                      "ranges": _ranges(ranges.group("ranges"))})  # fmt: skip
                        font = TTFont(io.BytesIO(data))
                        font.flavor = None
                        plain = io.BytesIO()
                        font.save(plain)
                        parts.append(plain)
                        covered.update(font.getBestCmap())
                    joined = Merger().merge(parts) if len(parts) > 1 else TTFont(parts[0])
                    _names(joined, family.name, weight)
                    # The same files on every run, so that only real changes show in git.
                    joined.recalcTimestamp = False
                    parts[0].seek(0)
                    made = TTFont(parts[0])["head"].created  # the family's own date, not today's
                    joined["head"].created = joined["head"].modified = made
                    style = "Bold" if weight >= 700 else "Regular"
                    joined.save(print_dir / f"{family.name.replace(' ', '')}-{style}.ttf")
                    print(f"{family.name} {weight}: {len(parts)} files", file=sys.stderr)
        # Colour emoji: the whole font in one file (its "emoji" subset holds every emoji), for the booklet only.
        emoji = FONTS / "emoji"
        shutil.rmtree(emoji, ignore_errors=True)
        emoji.mkdir()
        with tarfile.open(packs / f"fontsource-{EMOJI.package}-{EMOJI.version}.tgz") as archive:
            data = archive.extractfile(f"package/files/{EMOJI.package}-emoji-400-normal.woff2").read()  # type: ignore[union-attr]
            licence = archive.extractfile("package/LICENSE").read()  # type: ignore[union-attr]
        (emoji / "NotoColorEmoji.woff2").write_bytes(data)
        (licenses / f"{EMOJI.package}-OFL.txt").write_bytes(
            f"{EMOJI.name}: {EMOJI.covers}.\nFrom the npm package @fontsource/{EMOJI.package} {EMOJI.version}.\n\n".encode()
            + licence
        )
        covered.update(TTFont(io.BytesIO(data)).getBestCmap())
    (web / "faces.json").write_text(json.dumps(faces, indent=0) + "\n", encoding="utf-8")
    ranges: list[list[int]] = []
    for code in sorted(covered):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    (FONTS / "coverage.json").write_text(json.dumps(ranges) + "\n", encoding="utf-8")
    print(f"{len(faces)} web files, {len(covered)} characters", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
