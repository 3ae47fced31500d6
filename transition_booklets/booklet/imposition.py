"""Saddle-stitch imposition: A5 reading pages two-up on A4 landscape sheets.

The reading pages are padded with blank pages to a multiple of four. Each sheet has
two sides; sheet ``i`` (from 0) carries, left then right::

    side 1: [n - 2i, 2i + 1]        side 2: [2i + 2, n - 2i - 1]

so for 8 pages: [8, 1], [2, 7], [6, 3], [4, 5]. Printed double-sided (flip on the short
edge), stacked in order, folded in half and stapled on the fold, the sheets make the
booklet. Each page is drawn as a form XObject, touching the fold, at its own size
(scaled down only if it is bigger than half a sheet).
"""

from __future__ import annotations

import io
import logging
import math
from pathlib import Path

# pikepdf announces itself at INFO when first imported; a transition lead need not see that.
logging.getLogger("pikepdf._core").setLevel(logging.WARNING)

import pikepdf  # noqa: E402
from pikepdf import Name  # noqa: E402

log = logging.getLogger(__name__)

MM = 72 / 25.4
A4_LANDSCAPE = (297 * MM, 210 * MM)


class ImpositionError(Exception):
    """The reading copy could not be imposed (for example it is not a readable PDF)."""


def padded_page_count(pages: int) -> int:
    """The number of booklet pages: ``pages`` rounded up to a multiple of four (at least four)."""
    return max(4, math.ceil(pages / 4) * 4)


def saddle_stitch_order(pages: int) -> list[tuple[int, int]]:
    """The (left, right) page numbers of every sheet side, in printing order, for a padded count."""
    if pages <= 0 or pages % 4:
        raise ValueError(f"a saddle-stitched booklet needs a multiple of four pages, not {pages}")
    sides: list[tuple[int, int]] = []
    for sheet in range(pages // 4):
        sides.append((pages - 2 * sheet, 2 * sheet + 1))
        sides.append((2 * sheet + 2, pages - 2 * sheet - 1))
    return sides


def _box(box: pikepdf.Object) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(value) for value in box)
    return min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0)


def _form(output: pikepdf.Pdf, reader: pikepdf.Pdf, page: pikepdf.Page) -> pikepdf.Object:
    """The page as a form XObject in ``output``.

    A page with one content stream (as Typst writes them) keeps its compressed bytes as
    they are: no decompressing and compressing again, which was most of an imposition's
    time. Anything else goes through qpdf's general conversion.
    """
    contents = page.obj.get("/Contents")
    simple = (
        isinstance(contents, pikepdf.Stream)
        and contents.get("/Filter") == Name.FlateDecode
        and "/DecodeParms" not in contents
        and "/Rotate" not in page.obj
    )
    if simple:
        assert isinstance(contents, pikepdf.Stream)
        box = page.obj.get("/CropBox", page.mediabox)
        form = pikepdf.Stream(output, b"")
        form.write(contents.read_raw_bytes(), filter=Name.FlateDecode)
        form.Type = Name.XObject
        form.Subtype = Name.Form
        form.BBox = pikepdf.Array([float(value) for value in box])
        resources = page.obj.get("/Resources", pikepdf.Dictionary())
        if not resources.is_indirect:
            resources = reader.make_indirect(resources)
        form.Resources = output.copy_foreign(resources)
        return form
    return output.copy_foreign(page.as_form_xobject())


def _placement(form: pikepdf.Object, half: float, sheet_height: float, is_left: bool) -> str:
    """The matrix that puts a page on its half of the sheet, touching the fold.

    A page wider than it is tall (the week's timetable, printed sideways) is turned a quarter
    turn anticlockwise: its top lies along the outer edge of a left-hand page and along the
    fold of a right-hand one, so the booklet is turned clockwise to read it, as printed books do.
    """
    box_x, box_y, width, height = _box(form.BBox)
    turned = width > height
    placed_width, placed_height = (height, width) if turned else (width, height)
    scale = min(1.0, half / placed_width, sheet_height / placed_height)
    if scale > 0.999:  # A5 on half of A4: the same size, give or take rounding
        scale = 1.0
    x0 = half - placed_width * scale if is_left else half
    y0 = (sheet_height - placed_height * scale) / 2
    if turned:
        # (x, y) -> (x0 + s * (box_y + height - y), y0 + s * (x - box_x))
        return f"0 {scale:.6f} {-scale:.6f} 0 {x0 + scale * (box_y + height):.4f} {y0 - scale * box_x:.4f}"
    return f"{scale:.6f} 0 0 {scale:.6f} {x0 - box_x * scale:.4f} {y0 - box_y * scale:.4f}"


def impose_saddle_stitch(
    source: bytes | Path,
    target: Path | None = None,
    *,
    sheet_size: tuple[float, float] = A4_LANDSCAPE,
    title: str | None = None,
    language: str | None = None,
) -> bytes:
    """Impose the pages of ``source`` for a saddle-stitched booklet; return the PDF (and write ``target``).

    The output is deterministic: no dates, fixed resource names and a document id
    derived from the content. Pages are expected upright (no ``/Rotate``).
    """
    try:
        reader = pikepdf.open(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (pikepdf.PdfError, OSError) as error:
        raise ImpositionError(f"cannot read the reading copy: {error}") from error
    with reader, pikepdf.new() as output:
        pages = list(reader.pages)
        if not pages:
            raise ImpositionError("the reading copy has no pages")
        total = padded_page_count(len(pages))
        sheet_width, sheet_height = sheet_size
        half = sheet_width / 2
        forms: dict[int, pikepdf.Object] = {}
        for left, right in saddle_stitch_order(total):
            side = output.add_blank_page(page_size=(sheet_width, sheet_height))
            xobjects = pikepdf.Dictionary()
            operators: list[str] = []
            for number, is_left in ((left, True), (right, False)):
                if number > len(pages):
                    continue  # a blank page of the padding
                if number not in forms:
                    forms[number] = _form(output, reader, pages[number - 1])
                form = forms[number]
                name = f"/Page{number}"
                xobjects[name] = form
                operators.append(f"q {_placement(form, half, sheet_height, is_left)} cm {name} Do Q")
            side.Resources = pikepdf.Dictionary(XObject=xobjects)
            side.Contents = output.make_stream("\n".join(operators).encode("ascii"))
        output.Root.ViewerPreferences = pikepdf.Dictionary(Duplex=Name.DuplexFlipShortEdge, PrintScaling=Name.None_)
        if language:
            output.Root.Lang = pikepdf.String(language)
        if title:
            output.docinfo[Name.Title] = title
        buffer = io.BytesIO()
        output.save(
            buffer,
            deterministic_id=True,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
    data = buffer.getvalue()
    if target is not None:
        target.write_bytes(data)
    log.debug("imposed %d pages on %d sheet sides", len(pages), total // 2)  # pragma: no mutate
    return data
