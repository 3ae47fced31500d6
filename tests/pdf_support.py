"""Reading text back from the PDFs the tests make (needs poppler's ``pdftotext``)."""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pikepdf

from transition_booklets.booklet.imposition import A4_LANDSCAPE


def pdf_text(pdf: Path, *args: str) -> str:
    """The text of ``pdf`` (``args`` go to ``pdftotext``), without the invisible break points."""
    result = subprocess.run(["pdftotext", *args, str(pdf), "-"], capture_output=True, text=True, check=True)
    return result.stdout.replace("\u200b", "")


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """The width and height of each page, in points."""
    with pikepdf.open(pdf) as document:
        return [
            (float(page.mediabox[2]) - float(page.mediabox[0]), float(page.mediabox[3]) - float(page.mediabox[1]))
            for page in document.pages
        ]


def words_on(pdf: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """Each word of one page with its box (x min, y min, x max, y max) in points, from the top left."""
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [
        (html.unescape(word), float(x0), float(y0), float(x1), float(y1))
        for x0, y0, x1, y1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', out
        )
    ]


def half_sheet_turned_foot(pdf: Path, side: int, left: bool, strip: int = 48) -> str:
    """The text in the ``strip`` points along the right of one half of a sheet side: where the foot
    of a page printed sideways (turned a quarter turn anticlockwise) lands."""
    width, height = A4_LANDSCAPE
    x = (round(width / 2) - strip) if left else (round(width) - strip)
    crop = ["-x", str(x), "-y", "0", "-W", str(strip), "-H", str(round(height))]
    return pdf_text(pdf, "-r", "72", "-f", str(side), "-l", str(side), *crop, "-layout").strip()


def half_sheet_foot(pdf: Path, side: int, left: bool, strip: int = 48) -> str:
    """The text in the bottom ``strip`` points of the left or right half of one print-copy sheet side (1-based)."""
    width, height = A4_LANDSCAPE
    x = 0 if left else round(width / 2) + 1
    crop = ["-x", str(x), "-y", str(round(height) - strip), "-W", str(round(width / 2) - 1), "-H", str(strip)]
    return pdf_text(pdf, "-r", "72", "-f", str(side), "-l", str(side), *crop, "-layout").strip()
