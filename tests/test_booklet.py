"""The printed booklet: the A5 reading copy (tagged PDF/UA-1) and the imposed A4 print copy."""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from tests.pdf_support import half_sheet_foot, half_sheet_turned_foot, page_sizes, pdf_text, words_on
from transition_booklets.booklet.imposition import A4_LANDSCAPE, padded_page_count, saddle_stitch_order
from transition_booklets.booklet.typeset import (
    PURPOSES,
    BookletFiles,
    breakable,
    build_payload,
    data_folder_images,
    printable,
    write_booklets,
)
from transition_booklets.data.loader import load_cohort
from transition_booklets.data.models import Pupil, School
from transition_booklets.data.problems import BuildError
from transition_booklets.view.pupil_view import build_view
from transition_booklets.view.sections import PupilView

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "pupils"
A5 = (419.53, 595.28)
MM = 72 / 25.4
EXAMPLES = ["amy-jones", "jordan-reid", "kai-morgan", "zofia-wisniewska"]
INJECTION = "#set page(width: 1pt) ] $ <b>x</b> {{ 7*7 }}"

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
    reason="poppler-utils (pdftotext, pdffonts) is not installed",
)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def flat(text: str) -> str:
    """Text with all runs of white space made single spaces (lines wrap anywhere)."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def cohort_views() -> dict[str, tuple[School, PupilView]]:
    cohort = load_cohort(DATA)
    assert cohort.school is not None
    return {record.id: (cohort.school, build_view(cohort.school, record.pupil, record.id)) for record in cohort.pupils}


@pytest.fixture(scope="module")
def booklets(
    cohort_views: dict[str, tuple[School, PupilView]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, BookletFiles]:
    out = tmp_path_factory.mktemp("booklets")
    return {
        pupil_id: write_booklets(view, out / pupil_id, data_dir=DATA) for pupil_id, (_, view) in cohort_views.items()
    }


def view_for(school: School, pupil: dict[str, Any], pupil_id: str = "test-pupil") -> PupilView:
    return build_view(school, Pupil.model_validate(pupil, context={"school": school}), pupil_id)


# ---------------------------------------------------------------------------
# The example pupils
# ---------------------------------------------------------------------------


def test_every_example_pupil_gets_both_files(booklets: dict[str, BookletFiles]) -> None:
    assert sorted(booklets) == EXAMPLES
    for files in booklets.values():
        assert files.reading.name == "booklet.pdf"
        assert files.print.name == "booklet-print.pdf"
        assert files.reading.read_bytes().startswith(b"%PDF-")
        assert files.print.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize("pupil_id", EXAMPLES)
def test_reading_copy_is_a5_portrait(booklets: dict[str, BookletFiles], pupil_id: str) -> None:
    """Every page A5 upright, but for the week on one page (the full timetable after the first weeks' own), sideways."""
    reading = booklets[pupil_id].reading
    sizes = page_sizes(reading)
    assert len(sizes) >= 3  # cover, contacts and questions at the very least
    for number, (width, height) in enumerate(sizes, start=1):
        if width > height:
            assert (width, height) == (pytest.approx(A5[1], abs=0.01), pytest.approx(A5[0], abs=0.01))
            page = flat(pdf_text(reading, "-f", str(number), "-l", str(number)))
            assert page.startswith("My full timetable"), f"page {number} is sideways: {page[:60]}"
        else:
            assert (width, height) == (pytest.approx(A5[0], abs=0.01), pytest.approx(A5[1], abs=0.01))


@pytest.mark.parametrize("pupil_id", EXAMPLES)
def test_print_copy_is_a4_landscape_padded_to_a_multiple_of_four(
    booklets: dict[str, BookletFiles], pupil_id: str
) -> None:
    reading = len(page_sizes(booklets[pupil_id].reading))
    sides = page_sizes(booklets[pupil_id].print)
    assert len(sides) * 2 == math.ceil(reading / 4) * 4 == padded_page_count(reading)
    for width, height in sides:
        assert width == pytest.approx(A4_LANDSCAPE[0], abs=0.01)
        assert height == pytest.approx(A4_LANDSCAPE[1], abs=0.01)


@pytest.mark.parametrize("pupil_id", ["amy-jones", "kai-morgan"])
def test_reading_pages_carry_their_numbers(booklets: dict[str, BookletFiles], pupil_id: str) -> None:
    reading = booklets[pupil_id].reading
    for number in range(1, len(page_sizes(reading)) + 1):
        foot = pdf_text(
            reading, "-r", "72", "-f", str(number), "-l", str(number), "-x", "0", "-y", "547", "-W", "420", "-H", "48"
        ).strip()
        assert foot == str(number)


@pytest.mark.parametrize("pupil_id", EXAMPLES)
def test_print_copy_is_in_saddle_stitch_order(booklets: dict[str, BookletFiles], pupil_id: str) -> None:
    files = booklets[pupil_id]
    sizes = page_sizes(files.reading)
    reading = len(sizes)
    for side, (left, right) in enumerate(saddle_stitch_order(padded_page_count(reading)), start=1):
        for number, is_left in ((left, True), (right, False)):
            if number <= reading and sizes[number - 1][0] > sizes[number - 1][1]:
                # A page printed sideways: its foot (the page number) runs up the right of its half.
                assert half_sheet_turned_foot(files.print, side, left=is_left) == str(number)
            else:
                assert half_sheet_foot(files.print, side, left=is_left) == (str(number) if number <= reading else "")


def test_the_pupil_keyworker_and_places_are_in_the_text(
    booklets: dict[str, BookletFiles], cohort_views: dict[str, tuple[School, PupilView]]
) -> None:
    for pupil_id, (_, view) in cohort_views.items():
        text = flat(pdf_text(booklets[pupil_id].reading))
        assert view["called"] in text
        assert view["name"] in text
        assert view["school"]["name"] in text
        if view["keyworker"]:
            assert view["keyworker"]["person"]["name"] in text
        for place in view["key_places"]:
            assert place["name"] in text, f"{pupil_id}: {place['name']}"
        for contact in view["school"]["contacts"]:
            assert contact["name"] in text


def test_amy_booklet_has_every_section(booklets: dict[str, BookletFiles]) -> None:
    text = flat(pdf_text(booklets["amy-jones"].reading))
    for words in [
        "Hello from Ms Khan",
        "My first days",
        "My first visit",
        "Mrs Patel comes with you and stays with you.",
        "Step by step",
        "My first day",
        "My timetable",
        "My full timetable",
        "Monday",
        "Friday",
        "Art club in the library",
        "Map of the school",
        "My places on the map",
        "If I'm worried",
        "My help card",
        "I need a short break. Please let me go to the Nest.",
        "My name is Amy (Amelia Jones).",
        "About me",
        "Contacts for my family",
        "What we agreed together",
        "What to bring",
        "My questions",
    ]:
        assert words in text, words


def test_the_timetable_opens_with_a_key_to_every_subject(booklets: dict[str, BookletFiles]) -> None:
    """Before the day pages, each subject's colour and picture once, so a pupil can read the days."""
    pages = pdf_text(booklets["amy-jones"].reading).split("\f")
    first = next(index for index, page in enumerate(pages) if "My timetable" in page)
    key = flat(pages[first])
    for subject in ("Tutor time", "English", "Maths", "Science", "Computing", "Hub time"):
        assert subject in key
    assert "At break and lunch" in key


def test_phase_timetables_share_a_page_for_identical_days(booklets: dict[str, BookletFiles]) -> None:
    text = flat(pdf_text(booklets["jordan-reid"].reading))
    assert "Timetable: Week 1: mornings in the Hub" in text
    assert "Tuesday to Friday" in text
    assert "Not in school on Monday." in text
    assert "Monday to Friday" in text  # week 2: the same every day


def test_minimal_pupil_still_gets_a_booklet(booklets: dict[str, BookletFiles]) -> None:
    text = flat(pdf_text(booklets["kai-morgan"].reading))
    assert "Kai" in text
    assert "Contacts for my family" in text
    assert "My questions" in text
    # Sections without data are left out.
    assert "My timetable" not in text
    assert "If I'm worried" not in text
    # Every pupil has a help card, as on the site; Kai has no keyworker, so the card names none.
    assert "My help card" in text and "I need some help, please." in text
    assert "keyworker" not in text.split("My help card", 1)[1].lower()


def test_every_font_is_embedded(booklets: dict[str, BookletFiles]) -> None:
    for files in booklets.values():
        for pdf in (files.reading, files.print):
            listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
            rows = listing.splitlines()[2:]
            assert rows, "no fonts at all"
            for row in rows:
                assert re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", row), row
                embedded = row.split()[-5]
                assert embedded == "yes", row
            assert "AtkinsonHyperlegibleNext" in listing


def test_reading_copy_is_tagged_pdf_ua(booklets: dict[str, BookletFiles]) -> None:
    with pikepdf.open(booklets["amy-jones"].reading) as pdf:
        assert "/StructTreeRoot" in pdf.Root
        assert bool(pdf.Root.MarkInfo.Marked)
        assert str(pdf.Root.Lang) == "en"
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
        assert str(pdf.docinfo["/Title"]) == "Amy's booklet for Riverside Academy"
        metadata = pdf.Root.Metadata.read_bytes().decode("utf-8")
    assert "pdfuaid:part>1<" in metadata.replace(" ", "") or "<pdfuaid:part>1</pdfuaid:part>" in metadata
    assert "booklet for Riverside Academy</rdf:li>" in metadata


def test_every_picture_has_alt_text(booklets: dict[str, BookletFiles]) -> None:
    with pikepdf.open(booklets["amy-jones"].reading) as pdf:
        figures = []
        stack = [pdf.Root.StructTreeRoot]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Dictionary):
                if node.get("/S") == pikepdf.Name.Figure:
                    figures.append(str(node.get("/Alt", "")))
                kids = node.get("/K")
                if kids is not None:
                    stack.extend(kids if isinstance(kids, pikepdf.Array) else [kids])
    assert figures, "the booklet has photos, so it has figures"
    assert all(alt.strip() for alt in figures)
    assert "Photo of Ms Khan" in figures
    assert any("drawing of the school" in alt for alt in figures)  # the map's description


def test_same_input_gives_byte_identical_files(
    cohort_views: dict[str, tuple[School, PupilView]], tmp_path: Path
) -> None:
    _, view = cohort_views["jordan-reid"]
    first = write_booklets(view, tmp_path / "one", data_dir=DATA)
    second = write_booklets(view, tmp_path / "two", data_dir=DATA)
    assert first.reading.read_bytes() == second.reading.read_bytes()
    assert first.print.read_bytes() == second.print.read_bytes()


def test_booklets_typeset_one_after_another_never_mix_pupils(
    cohort_views: dict[str, tuple[School, PupilView]], tmp_path: Path
) -> None:
    """One Typst compiler serves every pupil in a process and reuses its layouts: nothing may carry over."""
    _, view = cohort_views["amy-jones"]

    def booklet_for(called: str, folder: str) -> BookletFiles:
        return write_booklets({**view, "called": called}, tmp_path / folder, data_dir=DATA)

    booklet_for("Ada", "ada")
    after_ada = booklet_for("Bea", "bea-1")
    booklet_for("Cat", "cat")
    after_cat = booklet_for("Bea", "bea-2")
    assert after_ada.reading.read_bytes() == after_cat.reading.read_bytes()
    text = flat(pdf_text(after_cat.reading))
    assert "Bea" in text and "Ada" not in text and "Cat" not in text
    with pikepdf.open(after_cat.reading) as pdf:
        assert str(pdf.docinfo["/Title"]) == "Bea's booklet for Riverside Academy"


def test_creation_date_from_source_date_epoch(
    cohort_views: dict[str, tuple[School, PupilView]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, view = cohort_views["kai-morgan"]
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    undated = write_booklets(view, tmp_path / "undated", data_dir=DATA)
    with pikepdf.open(undated.reading) as pdf:
        assert "/CreationDate" not in pdf.docinfo
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1788220800")  # 2026-09-01 00:00 UTC
    dated = write_booklets(view, tmp_path / "dated", data_dir=DATA)
    with pikepdf.open(dated.reading) as pdf:
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20260901")
    passed = write_booklets(view, tmp_path / "passed", data_dir=DATA, created=dt.date(2026, 9, 1))
    assert passed.reading.read_bytes() == dated.reading.read_bytes()


# ---------------------------------------------------------------------------
# Awkward input
# ---------------------------------------------------------------------------


def test_markup_in_a_pupil_file_is_printed_literally(
    cohort_views: dict[str, tuple[School, PupilView]], tmp_path: Path
) -> None:
    school, _ = cohort_views["kai-morgan"]
    view = view_for(
        school,
        {
            "name": INJECTION,
            "keyworker": {"staff": "ms-khan", "message": "#set text(size: 1pt) #{ 1 + 1 } <script>alert(1)</script>"},
            "first_day_story": ["*not bold* _not italic_ `raw` @label <label> = heading \\"],
        },
    )
    files = write_booklets(view, tmp_path, data_dir=DATA)
    text = flat(pdf_text(files.reading))
    assert INJECTION in text
    assert "{{ 7*7 }}" in text and "49" not in text
    assert "#set text(size: 1pt) #{ 1 + 1 } <script>alert(1)</script>" in text
    assert "*not bold* _not italic_ `raw` @label <label> = heading \\" in text
    for width, height in page_sizes(files.reading):
        assert (width, height) == pytest.approx(A5, abs=0.01)


def test_long_names_polish_and_arabic_do_not_break_the_booklet(
    cohort_views: dict[str, tuple[School, PupilView]], tmp_path: Path
) -> None:
    school, _ = cohort_views["kai-morgan"]
    long_word = "Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaft"
    view = view_for(
        school,
        {
            "name": f"Zofia Wiśniewska-Brzęczyszczykiewicz {long_word}",
            "preferred_name": "زينب",
            "keyworker": {"staff": "ms-lewis", "message": "Cześć! Żółć, gęślą jaźń. مرحبا بك في مدرستنا."},
            "buddy": {"name": "Łucja Kowalczyk-Szczepańska", "about": "Année, garçon, Ærø, Øresund, İstanbul"},
            "worries": {"place": "the-nest", "help_card": "Proszę, potrzebuję przerwy. " * 12},
            "first_visit": {"date": "2027-01-06", "trusted_adult": {"name": "Mama (Katarzyna Wiśniewska)"}},
        },
    )
    files = write_booklets(view, tmp_path, data_dir=DATA)
    text = flat(pdf_text(files.reading))
    assert "Wiśniewska-Brzęczyszczykiewicz" in text
    assert long_word in text.replace(" ", "")
    assert "Łucja Kowalczyk-Szczepańska" in text
    assert "Żółć, gęślą jaźń." in text
    assert "Année,garçon,Ærø,Øresund,İstanbul" in text.replace(" ", "")
    assert re.search(r"[\u0600-\u06FF\uFB50-\uFEFF]", text), "the Arabic name should be in the text"
    with pikepdf.open(files.reading) as pdf:
        assert len(pdf.pages) >= 5
    listing = subprocess.run(["pdffonts", str(files.reading)], capture_output=True, text=True, check=True).stdout
    assert "NotoSansArabic" in listing


def test_emoji_are_left_out_not_printed_as_boxes(
    cohort_views: dict[str, tuple[School, PupilView]], tmp_path: Path
) -> None:
    school, _ = cohort_views["kai-morgan"]
    view = view_for(school, {"name": "Kai Morgan 😀", "about_me": {"interests": ["Football ⚽️", "Flags 🇵🇱 👍🏽!"]}})
    files = write_booklets(view, tmp_path, data_dir=DATA)
    text = flat(pdf_text(files.reading))
    assert "Football ⚽" in text, "a symbol a bundled font draws (Noto Sans Symbols 2) is printed, in black"
    assert "Flags!" in text, "a colour-only emoji is left out, with no stray space"
    assert not re.search("[\U0001f000-\U0001faff]", text)


def test_characters_no_font_has_are_replaced_not_fatal(
    cohort_views: dict[str, tuple[School, PupilView]], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    school, _ = cohort_views["kai-morgan"]
    # Egyptian hieroglyphs: no bundled font has them (check warns about them, see tests/test_fonts.py).
    view = view_for(school, {"name": "Kai \U00013000\U00013001 Morgan", "what_to_bring": ["A ball ⚽ and a snowman ☃"]})
    files = write_booklets(view, tmp_path, data_dir=DATA)
    text = flat(pdf_text(files.reading))
    assert "Kai □□ Morgan" in text and "?" not in text.split("Morgan")[0][-6:]
    assert "A ball ⚽ and a snowman ☃" in text
    # Said once, where it is (check, the build and the staff report give the file and line), not here again.
    assert "no font in the booklet can print" not in caplog.text


def test_long_words_get_invisible_break_points() -> None:
    assert breakable("Amy Jones") == "Amy Jones"
    assert breakable("office@riverside.example") == "office@\u200briverside.\u200bexample"
    broken = breakable("A" * 40)
    assert broken.replace("\u200b", "") == "A" * 40
    assert all(len(part) <= 18 for part in broken.split("\u200b"))
    decomposed = "e\u0301" * 30  # é written as e + combining accent: never split between them
    assert "\u200b\u0301" not in breakable(decomposed)


def test_printable_drops_emoji_and_control_characters() -> None:
    assert printable("Hello 😀!") == "Hello!"
    assert printable("Thumbs 👍🏽 up") == "Thumbs up"
    assert printable("Flag 🇵🇱 and ❤️ heart") == "Flag and ❤ heart"
    assert printable("bell\x07 and tab\tok") == "bell and tab ok"
    assert printable("plain, unchanged: ✓ ★ → £") == "plain, unchanged: ✓ ★ → £"


# ---------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------


def test_images_are_resolved_per_purpose(cohort_views: dict[str, tuple[School, PupilView]], tmp_path: Path) -> None:
    _, view = cohort_views["amy-jones"]
    seen: list[tuple[str, str | None]] = []
    plain = data_folder_images(DATA)

    def resolve(image: dict[str, Any], purpose: str) -> Path | None:
        seen.append((purpose, image.get("source")))
        return plain(image, purpose)

    payload = build_payload(view, tmp_path, resolve)
    purposes = {purpose for purpose, _ in seen}
    assert purposes == set(PURPOSES)
    assert ("map", view["school"]["map"]["source"]) in seen
    assert ("logo", "images/logo.png") in seen
    assert ("portrait", "images/staff/ms-khan.jpg") in seen
    assert ("photo", "images/places/hub.jpg") in seen
    # Each file is copied once into the Typst root, under a neutral name.
    copied = sorted(path.name for path in (tmp_path / "img").iterdir())
    assert len(copied) == len({source for _, source in seen if source})
    assert payload["view"]["keyworker"]["person"]["photo"]["print_file"].startswith("img/")


def test_placeholders_when_no_image_is_available(
    cohort_views: dict[str, tuple[School, PupilView]], tmp_path: Path
) -> None:
    """No picture can be had: every person is drawn as their initials on their colour, and the
    booklet is still whole (tagged, every section), with no picture in it at all."""
    _, view = cohort_views["amy-jones"]
    files = write_booklets(view, tmp_path, data_dir=DATA, resolve_image=lambda image, purpose: None)
    listing = subprocess.run(["pdfimages", "-list", str(files.reading)], capture_output=True, text=True, check=True)
    assert listing.stdout.splitlines()[2:] == [], "no picture: placeholders only"
    pages = pdf_text(files.reading).split("\f")
    keyworker = view["keyworker"]["person"]
    hello = next(page for page in pages if "Hello from Ms Khan" in page)
    assert keyworker["photo"]["initials"] == "AK" and "\nAK\n" in hello, "Ms Khan's initials where her photo would be"
    photos = write_booklets(view, tmp_path / "photos", data_dir=DATA).reading
    with_photos = subprocess.run(["pdfimages", "-list", str(photos)], capture_output=True, text=True, check=True)
    hello_with_photo = next(page for page in pdf_text(photos).split("\f") if "Hello from Ms Khan" in page)
    assert "\nAK\n" not in hello_with_photo, "with her photo, no initials"
    assert len(with_photos.stdout.splitlines()[2:]) > 5, "the same booklet with its photos has pictures"
    with pikepdf.open(files.reading) as pdf:
        assert "/StructTreeRoot" in pdf.Root


def test_a_pupil_without_a_photo_has_their_initials_beside_their_name(
    cohort_views: dict[str, tuple[School, PupilView]], tmp_path: Path
) -> None:
    _, view = cohort_views["zofia-wisniewska"]
    assert not view["photo"]["source"] and view["photo"]["initials"] == "ZW"
    files = write_booklets(view, tmp_path, data_dir=DATA)
    pages = pdf_text(files.reading).split("\f")
    about = next(page for page in pages if "In my own words" in page)
    assert "ZW" in about and "Zosia" in about


def test_a_broken_image_names_the_pupil_file(cohort_views: dict[str, tuple[School, PupilView]], tmp_path: Path) -> None:
    _, view = cohort_views["amy-jones"]
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n this is not really a picture")
    resolve: Callable[[dict[str, Any], str], Path | None] = lambda image, purpose: broken  # noqa: E731
    with pytest.raises(BuildError) as raised:
        write_booklets(view, tmp_path / "out", data_dir=DATA, resolve_image=resolve)
    message = str(raised.value)
    assert message.startswith("pupils/amy-jones.yaml: the booklet could not be made: ") or message.startswith(
        f"{DATA / 'amy-jones.yaml'}: the booklet could not be made: "
    )
    assert not (tmp_path / "out" / "booklet.pdf").exists()


def test_pictures_can_come_from_the_image_pipeline(
    cohort_views: dict[str, tuple[School, PupilView]], tmp_path: Path
) -> None:
    from transition_booklets.booklet.typeset import processed_images
    from transition_booklets.pictures.images import ImageProcessor

    _, view = cohort_views["amy-jones"]
    processor = ImageProcessor(DATA, tmp_path / "cache")
    files = write_booklets(
        view,
        tmp_path / "out",
        data_dir=DATA,
        resolve_image=processed_images(processor, pupil_file="pupils/amy-jones.yaml"),
    )
    assert "Ms Khan" in flat(pdf_text(files.reading))
    assert any((tmp_path / "cache").rglob("*.jpeg"))
    with pikepdf.open(files.reading) as pdf:
        pictures = sum(len(page.get_images()) for page in pdf.pages)
    assert pictures > 0


def test_a_long_school_name_fits_the_back_of_the_help_card(example_copy: Path, tmp_path: Path) -> None:
    """A 40-letter name with no short_name: it is set smaller until it fits the card's coloured band."""
    name = "Ysgol Gyfun Gymraeg Bro Morgannwg Llanfa"
    assert len(name) == 40
    school_file = example_copy / "school.yaml"
    text = re.sub(r"^name: .*$", f"name: {name}", school_file.read_text(encoding="utf-8"), count=1, flags=re.M)
    school_file.write_text(re.sub(r"^short_name: .*\n", "", text, flags=re.M), encoding="utf-8")
    cohort = load_cohort(example_copy, ["jordan-reid"])
    assert cohort.school is not None and not cohort.problems
    record = cohort.pupils[0]
    files = write_booklets(build_view(cohort.school, record.pupil, record.id), tmp_path / "out", data_dir=example_copy)
    with pikepdf.open(files.reading) as pdf:
        pages = len(pdf.pages)
    card_page = next(
        page
        for page in range(1, pages + 1)
        if "My help card" in pdf_text(files.reading, "-f", str(page), "-l", str(page))
    )
    words = words_on(files.reading, card_page)
    named = [word for word in words if word[0] in name.split()]
    assert {word[0] for word in named} == set(name.split()), "the whole name is on the card"
    top, bottom = min(word[2] for word in named), max(word[4] for word in named)
    assert bottom - top <= 24, "within the card's 24-point band (at most two lines)"
    # The back is printed upside down under the front (it is folded behind it): its band is at
    # the foot of the page's card, below the back's words, and never over them.
    keyworker = next(word for word in words if word[0] == "keyworker")
    assert top >= keyworker[4], "beyond the back's text (its top once folded), not over it"
    front = next(word for word in words if word[0] == "Jordan")
    assert front[4] < keyworker[2] < top, "the front's words above the fold, the back's below"


def test_every_photo_prints_at_250_dpi_or_more(booklets: dict[str, BookletFiles]) -> None:
    """``pdfimages -list`` gives each picture's resolution at the size it is printed."""
    for pupil, files in booklets.items():
        listing = subprocess.run(["pdfimages", "-list", str(files.reading)], capture_output=True, text=True, check=True)
        for row in listing.stdout.splitlines()[2:]:
            cells = row.split()
            if cells[2] != "image":
                continue  # a soft mask: the same picture's transparency
            width, height, x_ppi, y_ppi = int(cells[3]), int(cells[4]), int(cells[12]), int(cells[13])
            if width < 64 or height < 64:
                continue  # an icon drawn as a small picture, not a photo
            assert min(x_ppi, y_ppi) >= 250, f"{pupil}: a {width}×{height} picture printed at {x_ppi} dpi"


def test_the_cover_greeting_is_the_first_heading(booklets: dict[str, BookletFiles]) -> None:
    """The booklet's outline (bookmarks) and tags start on the cover, with the greeting."""
    with pikepdf.open(booklets["amy-jones"].reading, attempt_recovery=False) as pdf:
        assert pdf.Root.PageMode == pikepdf.Name.UseOutlines, "it opens with its bookmarks shown"
        first = pdf.Root.Outlines.First
        assert str(first.Title) == "Hello Amy!"
        assert first.Dest[0].objgen == pdf.pages[0].obj.objgen, "it points at the cover"


def test_the_fullest_plan_fits_24_pages_with_its_week_on_one(booklets: dict[str, BookletFiles]) -> None:
    """Easy Read keeps a booklet to about 24 pages: Jordan's (three phases, five different days) fits,
    his full week on one sideways page after the first weeks' own pages, a day to a page."""
    jordan = booklets["jordan-reid"].reading
    sizes = page_sizes(jordan)
    assert len(sizes) <= 24
    sideways = [number for number, (width, height) in enumerate(sizes, start=1) if width > height]
    assert len(sideways) == 1
    week = flat(pdf_text(jordan, "-f", str(sideways[0]), "-l", str(sideways[0])))
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Computing", "Geography", "Music"):
        assert day in week
    before = flat(pdf_text(jordan, "-l", str(sideways[0] - 1)))
    assert "Timetable: Week 1" in before and "Tuesday to Friday" in before, "the first weeks day by day"
    # Amy has no first weeks of her own: her full timetable stays a page a day, with each lesson's place.
    amy = booklets["amy-jones"].reading
    assert all(width < height for width, height in page_sizes(amy))


def test_no_page_is_less_than_a_third_full_but_a_sections_last(booklets: dict[str, BookletFiles]) -> None:
    """Easy Read: no page with a line or a card alone on it, except where a section ends (the next
    page starts a section of the booklet's outline) and on the sideways week."""
    top, text_height = 14 * MM, A5[1] - (14 + 18) * MM  # the page's top margin and its text area's height
    for pupil, files in booklets.items():
        with pikepdf.open(files.reading) as pdf:
            numbers = {page.objgen: index for index, page in enumerate(pdf.pages, start=1)}
            with pdf.open_outline() as outline:
                starts = {numbers[item.destination[0].objgen] for item in outline.root if item.destination is not None}
        sizes = page_sizes(files.reading)
        for number in range(1, len(sizes)):
            if number + 1 in starts or sizes[number - 1][0] > sizes[number - 1][1]:
                continue
            lowest = max(y1 for *_, y1 in words_on(files.reading, number) if y1 < top + text_height)
            assert lowest - top >= text_height / 3, f"{pupil}: page {number} is less than a third full"
