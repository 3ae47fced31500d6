"""Saddle-stitch imposition: page order, padding, sheet size, determinism."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops, ImageStat

from tests.pdf_support import half_sheet_foot
from transition_booklets.booklet.imposition import (
    A4_LANDSCAPE,
    ImpositionError,
    impose_saddle_stitch,
    padded_page_count,
    saddle_stitch_order,
)

A5 = (419.528, 595.276)

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)


def numbered_pdf(count: int, size: tuple[float, float] = A5) -> bytes:
    """A PDF whose page ``n`` shows the number ``n`` near its bottom centre."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    )
    for number in range(1, count + 1):
        page = pdf.add_blank_page(page_size=size)
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        x = size[0] / 2 - 10
        page.Contents = pdf.make_stream(f"BT /F1 20 Tf {x:.1f} 20 Td ({number}) Tj ET".encode())
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True)
    return buffer.getvalue()


def test_saddle_stitch_order_for_eight_pages() -> None:
    assert saddle_stitch_order(8) == [(8, 1), (2, 7), (6, 3), (4, 5)]


def test_saddle_stitch_order_for_four_and_twelve_pages() -> None:
    assert saddle_stitch_order(4) == [(4, 1), (2, 3)]
    order = saddle_stitch_order(12)
    assert order[:2] == [(12, 1), (2, 11)]
    assert sorted(number for side in order for number in side) == list(range(1, 13))


@pytest.mark.parametrize("pages", [0, 2, 6, 10])
def test_saddle_stitch_order_needs_a_multiple_of_four(pages: int) -> None:
    with pytest.raises(ValueError, match="multiple of four"):
        saddle_stitch_order(pages)


@pytest.mark.parametrize(("pages", "padded"), [(1, 4), (3, 4), (4, 4), (5, 8), (8, 8), (9, 12), (33, 36)])
def test_padding_to_a_multiple_of_four(pages: int, padded: int) -> None:
    assert padded_page_count(pages) == padded


@pytest.mark.parametrize("count", [1, 5, 8, 9])
def test_sheet_sides_are_a4_landscape_and_counted(count: int) -> None:
    imposed = pikepdf.open(io.BytesIO(impose_saddle_stitch(numbered_pdf(count))))
    assert len(imposed.pages) == padded_page_count(count) // 2
    for page in imposed.pages:
        width, height = (float(value) for value in page.mediabox[2:])
        assert width == pytest.approx(A4_LANDSCAPE[0], abs=0.01)
        assert height == pytest.approx(A4_LANDSCAPE[1], abs=0.01)


@needs_poppler
@pytest.mark.parametrize("count", [5, 8, 10])
def test_pages_land_in_saddle_stitch_order(count: int, tmp_path: Path) -> None:
    target = tmp_path / "print.pdf"
    impose_saddle_stitch(numbered_pdf(count), target)
    total = padded_page_count(count)
    for side, (left, right) in enumerate(saddle_stitch_order(total), start=1):
        assert half_sheet_foot(target, side, left=True, strip=60) == (str(left) if left <= count else "")
        assert half_sheet_foot(target, side, left=False, strip=60) == (str(right) if right <= count else "")


@needs_poppler
def test_pages_drawn_from_several_content_streams_are_imposed_whole(tmp_path: Path) -> None:
    """Typst writes one compressed stream per page, which is reused as it is; other PDFs take the general path."""
    pdf = pikepdf.open(io.BytesIO(numbered_pdf(4)))
    for number, page in enumerate(pdf.pages, start=1):
        x = A5[0] / 2 - 10
        page.Contents = pikepdf.Array(
            [pdf.make_stream(f"BT /F1 20 Tf {x:.1f} 20 Td".encode()), pdf.make_stream(f"({number}) Tj ET".encode())]
        )
    source = io.BytesIO()
    pdf.save(source, compress_streams=False)
    target = tmp_path / "print.pdf"
    impose_saddle_stitch(source.getvalue(), target)
    for side, (left, right) in enumerate(saddle_stitch_order(4), start=1):
        assert half_sheet_foot(target, side, left=True, strip=60) == str(left)
        assert half_sheet_foot(target, side, left=False, strip=60) == str(right)


def placements(page: pikepdf.Page) -> list[tuple[float, float, float]]:
    """(scale, x, y) of every page drawn on a sheet side."""
    found = []
    for instruction in pikepdf.parse_content_stream(page):
        if isinstance(instruction, pikepdf.ContentStreamInstruction) and str(instruction.operator) == "cm":
            scale, _, _, _, x, y = (float(value) for value in instruction.operands)
            found.append((scale, x, y))
    return found


def test_pages_touch_the_fold() -> None:
    imposed = pikepdf.open(io.BytesIO(impose_saddle_stitch(numbered_pdf(4))))
    fold = A4_LANDSCAPE[0] / 2
    (left_scale, left_x, left_y), (right_scale, right_x, right_y) = placements(imposed.pages[0])
    assert left_scale == right_scale == 1
    assert left_x == pytest.approx(fold - A5[0], abs=0.01)
    assert right_x == pytest.approx(fold, abs=0.01)
    assert left_y == right_y == pytest.approx(0, abs=0.01)


def test_bigger_pages_are_scaled_down_to_half_a_sheet() -> None:
    a4_portrait = (595.276, 841.89)
    imposed = pikepdf.open(io.BytesIO(impose_saddle_stitch(numbered_pdf(4, a4_portrait))))
    assert len(imposed.pages) == 2
    scale = A4_LANDSCAPE[1] / a4_portrait[1]
    fold = A4_LANDSCAPE[0] / 2
    (left_scale, left_x, _), (right_scale, right_x, _) = placements(imposed.pages[0])
    assert left_scale == right_scale == pytest.approx(scale, abs=0.001)
    assert left_x == pytest.approx(fold - a4_portrait[0] * scale, abs=0.01)
    assert right_x == pytest.approx(fold, abs=0.01)


def test_imposition_is_deterministic() -> None:
    source = numbered_pdf(7)
    assert impose_saddle_stitch(source, title="x") == impose_saddle_stitch(source, title="x")


def test_title_language_and_duplex_hint() -> None:
    imposed = pikepdf.open(io.BytesIO(impose_saddle_stitch(numbered_pdf(3), title="Amy's booklet", language="en")))
    assert str(imposed.docinfo["/Title"]) == "Amy's booklet"
    assert str(imposed.Root.Lang) == "en"
    assert imposed.Root.ViewerPreferences.Duplex == pikepdf.Name.DuplexFlipShortEdge
    assert imposed.Root.ViewerPreferences.PrintScaling == pikepdf.Name.None_, "print at actual size"
    assert "/CreationDate" not in imposed.docinfo


def test_unreadable_input_is_an_imposition_error() -> None:
    with pytest.raises(ImpositionError, match="cannot read"):
        impose_saddle_stitch(b"this is not a pdf")


# ---------------------------------------------------------------------------
# Pages as Typst makes them (one compressed content stream each), one of them sideways
# ---------------------------------------------------------------------------

TYPST_PAGES = """
#set page(paper: "a5", margin: 1cm)
#let marks(n) = {
  place(top + left, rect(width: 30%, height: 18%, fill: rgb("#c62828")))
  place(bottom + right, circle(radius: 1.2cm, fill: rgb("#1565c0")))
  place(center + horizon, text(size: 90pt, weight: "bold", str(n)))
}
#for n in range(1, 7) {
  if n == 3 { page(flipped: true, marks(n)) } else { page(marks(n)) }
}
"""


@pytest.fixture(scope="module")
def typst_booklet() -> bytes:
    import typst

    return typst.Compiler().compile(input=TYPST_PAGES.encode())  # type: ignore[no-any-return]


def _render(pdf: bytes, page: int, folder: Path, name: str) -> Image.Image:
    source = folder / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "36",
            "-f",
            str(page),
            "-l",
            str(page),
            "-png",
            "-singlefile",
            str(source),
            str(folder / name),
        ],
        check=True,
    )
    return Image.open(folder / f"{name}.png").convert("L")


@needs_poppler
def test_each_half_sheet_shows_its_reading_page_as_it_is(typst_booklet: bytes, tmp_path: Path) -> None:
    """Every page of the reading copy appears whole and unchanged on its half of a sheet, against
    the fold; the sideways page a quarter turn anticlockwise (its top towards the left edge)."""
    imposed = impose_saddle_stitch(typst_booklet)
    sides = saddle_stitch_order(padded_page_count(6))
    for side, (left, right) in enumerate(sides, start=1):
        sheet = _render(imposed, side, tmp_path, f"sheet-{side}")
        half = sheet.width // 2
        for number, is_left in ((left, True), (right, False)):
            if number > 6:
                continue
            page = _render(typst_booklet, number, tmp_path, f"page-{number}")
            if number == 3:
                page = page.rotate(90, expand=True)  # anticlockwise
            top = (sheet.height - page.height) // 2
            x = half - page.width if is_left else half
            printed = sheet.crop((x, top, x + page.width, top + page.height))
            difference = ImageChops.difference(printed, page)
            assert ImageStat.Stat(difference).mean[0] < 3, f"page {number} on sheet side {side}"


def test_pages_as_typst_makes_them_are_not_recompressed(typst_booklet: bytes) -> None:
    """The imposition copies each page's compressed drawing as it is (most of its time went to
    decompressing and compressing again), and draws it with the page's own fonts."""
    reading = pikepdf.open(io.BytesIO(typst_booklet))
    imposed = pikepdf.open(io.BytesIO(impose_saddle_stitch(typst_booklet)))
    drawn = {
        bytes(xobject.read_raw_bytes())
        for side in imposed.pages
        for xobject in side.Resources.XObject.values()
        if xobject.get("/Subtype") == pikepdf.Name.Form
    }
    for page in reading.pages:
        assert bytes(page.obj.Contents.read_raw_bytes()) in drawn


def _sheet_pixels(pdf: bytes, side: int, folder: Path) -> Image.Image:
    return _render(pdf, side, folder, f"sides-{side}")


@needs_poppler
@pytest.mark.parametrize(
    "size",
    [(297.638, 419.528), (460.0, 560.0), (419.528, 595.276)],
    ids=["A6 (smaller than half a sheet)", "wider than half a sheet", "A5"],
)
def test_each_page_keeps_its_size_or_shrinks_to_fit_centred_against_the_fold(
    size: tuple[float, float], tmp_path: Path
) -> None:
    """A page that fits half a sheet is printed at its own size, never enlarged; one that does not
    is shrunk just enough; either way it touches the fold and is centred top to bottom."""
    imposed = pikepdf.open(io.BytesIO(impose_saddle_stitch(numbered_pdf(4, size))))
    (left_scale, left_x, left_y), (right_scale, right_x, right_y) = placements(imposed.pages[0])
    half, height = A4_LANDSCAPE[0] / 2, A4_LANDSCAPE[1]
    scale = min(1.0, half / size[0], height / size[1])
    assert left_scale == right_scale == pytest.approx(scale, abs=0.001)
    assert left_x == pytest.approx(half - size[0] * scale, abs=0.01) and right_x == pytest.approx(half, abs=0.01)
    assert left_y == right_y == pytest.approx((height - size[1] * scale) / 2, abs=0.01)


def _page_with(box: list[float], content: bytes, *, resources: bool = True, crop: list[float] | None = None) -> bytes:
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(box[2] - box[0], box[3] - box[1]))
    page.obj.MediaBox = pikepdf.Array(box)
    if crop:
        page.obj.CropBox = pikepdf.Array(crop)
    if resources:
        page.Resources = pikepdf.Dictionary()
    elif "/Resources" in page.obj:
        del page.obj.Resources
    page.Contents = pdf.make_stream(content)
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


@needs_poppler
def test_a_page_whose_box_does_not_start_at_zero_lands_whole(tmp_path: Path) -> None:
    """A PDF from another program may start its page at (100, 50): the page still fills its half."""
    box = [100.0, 50.0, 100 + A5[0], 50 + A5[1]]
    # A black square at the page's bottom-left corner and a grey one at its top-right.
    content = b"0 g 100 50 60 60 re f 0.5 g %.2f %.2f 60 60 re f" % (box[2] - 60, box[3] - 60)
    imposed = impose_saddle_stitch(_page_with(box, content))
    sheet = _sheet_pixels(imposed, 1, tmp_path)  # side 1: [4, 1], page 1 on the right
    scale = 36 / 72
    half = sheet.width // 2
    top = round((A4_LANDSCAPE[1] - A5[1]) / 2 * scale)
    inside = 10  # pixels in from each corner
    bottom_left = sheet.getpixel((half + inside, top + round(A5[1] * scale) - inside))
    top_right = sheet.getpixel((half + round(A5[0] * scale) - inside, top + inside))
    assert bottom_left == 0, "the page's bottom-left corner is at the fold, at the bottom"
    assert 100 < top_right < 160, "its top-right corner at the top of its half"  # type: ignore[operator]


@needs_poppler
def test_a_page_with_no_resources_or_a_crop_box_is_imposed(tmp_path: Path) -> None:
    """A page with no resources of its own (plain shapes) is drawn; a crop box shows only what it keeps."""
    plain = impose_saddle_stitch(_page_with([0, 0, *A5], b"0 g 0 0 60 60 re f", resources=False))
    assert _sheet_pixels(plain, 1, tmp_path).getextrema()[0] == 0, "the black square is printed"
    cropped = _page_with([0, 0, *A5], b"0 g 0 0 60 60 re f", crop=[100, 100, A5[0], A5[1]])
    sheet = _sheet_pixels(impose_saddle_stitch(cropped), 1, tmp_path)
    assert sheet.getextrema()[0] > 0, "the square outside the crop box is not printed"


def test_every_sheet_side_draws_only_its_two_pages() -> None:
    """A side's own drawing is save, place, draw the page, restore: nothing a strict printer could stumble on."""
    imposed = pikepdf.open(io.BytesIO(impose_saddle_stitch(numbered_pdf(6))))
    for side in imposed.pages:
        operators = [str(item.operator) for item in pikepdf.parse_content_stream(side)]
        assert operators in (["q", "cm", "Do", "Q"] * 2, ["q", "cm", "Do", "Q"]), operators


@needs_poppler
def test_uncompressed_pages_are_imposed_as_they_are(tmp_path: Path) -> None:
    """A reading copy from another program, its drawing not compressed: each half shows its page."""
    source = numbered_pdf(4)
    imposed = impose_saddle_stitch(source)
    for side, (left, right) in enumerate(saddle_stitch_order(4), start=1):
        sheet = _sheet_pixels(imposed, side, tmp_path)
        for number, is_left in ((left, True), (right, False)):
            page = _render(source, number, tmp_path, f"numbered-{number}")
            x = sheet.width // 2 - page.width if is_left else sheet.width // 2
            top = (sheet.height - page.height) // 2
            printed = sheet.crop((x, top, x + page.width, top + page.height))
            assert ImageStat.Stat(ImageChops.difference(printed, page)).mean[0] < 3, f"page {number}"


def test_the_print_copy_is_compressed_like_the_reading_copy(typst_booklet: bytes) -> None:
    """Two pages to a side, drawn from the reading copy's own streams: hardly bigger than it."""
    assert len(impose_saddle_stitch(typst_booklet)) < len(typst_booklet) * 1.2 + 2000
