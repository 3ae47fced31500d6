"""Print-room outputs: every pupil's print copy of a group in one PDF, one print job per class.

For each group (and one for every pupil) :func:`write_print_pack` joins the pupils' A4 print
copies (``booklet-print.pdf``, already imposed for folding) in pupil order into
``<group-id>.pdf``; each copy has an even number of pages, so each booklet starts on a new
sheet. A cover sheet, ``<group-id>-cover.pdf``, lists who is in the pack and on which pages.
The pack lives in the staff folder: it is never published.
"""

from __future__ import annotations

import json
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf

from transition_booklets.booklet.typeset import typst_compile
from transition_booklets.support import resources
from transition_booklets.support.files import PRIVATE, replacing, write_atomic

log = logging.getLogger(__name__)

COVER_TEMPLATE = resources.THEME / "booklet" / "print-cover.typ"


@dataclass(frozen=True)
class PackBooklet:
    name: str  # the pupil's name as the cover lists it
    pdf: Path  # their print copy


@dataclass(frozen=True)
class Pack:
    key: str  # the file name: the group id, or "all"
    title: str  # e.g. "Booklets to print: 7B"
    booklets: tuple[PackBooklet, ...]


def write_print_pack(
    packs: list[Pack], folder: Path, *, school: str, date: str, words: dict[str, Any], language: str
) -> list[Path]:
    """Write each pack and its cover sheet into ``folder`` (readable by its owner only); return the packs' paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for pack in packs:
        pages = _join(pack, folder / f"{pack.key}.pdf")
        cover = {
            "title": pack.title,
            "school": school,
            "date": date,
            "pupils": pages,
            "words": words,
            "language": language,
        }
        write_atomic(folder / f"{pack.key}-cover.pdf", _cover(cover), mode=PRIVATE)
        written.append(folder / f"{pack.key}.pdf")
    log.debug("wrote %d print packs into %s", len(written), folder)
    return written


def _join(pack: Pack, target: Path) -> list[dict[str, Any]]:
    listed = []
    with pikepdf.new() as joined:
        for booklet in pack.booklets:
            first = len(joined.pages) + 1
            with pikepdf.open(booklet.pdf) as source:
                joined.pages.extend(source.pages)
            listed.append({"name": booklet.name, "first": first, "last": len(joined.pages)})
        joined.docinfo["/Title"] = pack.title
        with replacing(target, mode=PRIVATE, suffix=".pdf") as partial:
            joined.save(partial, deterministic_id=True)
    return listed


def _cover(data: dict[str, Any]) -> bytes:
    with tempfile.TemporaryDirectory(prefix="tb-cover-") as root:
        (Path(root) / "data.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return typst_compile(COVER_TEMPLATE.read_bytes(), Path(root))
