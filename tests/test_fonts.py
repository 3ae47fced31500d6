"""Every name and text a school types is drawn, in the pages and in the booklet; what cannot be is said where it is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.pdf_support import pdf_text
from tests.site_checks import page_text
from transition_booklets.build.pipeline import BuildResult, build_cohort
from transition_booklets.build.settings import BuildOptions
from transition_booklets.data.loader import load_cohort
from transition_booklets.staff.advice import cohort_warnings
from transition_booklets.support.fonts import ALWAYS, WEB_FONTS, faces, faces_for, undrawable

# What UK schools meet: each script in a few words.
SAMPLES = {
    "Welsh": "Grŵp ŷ ẁ, Siân",
    "Irish": "Seán Ó Briain",
    "Polish": "Zażółć gęślą jaźń",
    "Romanian": "Ștefan Țurcanu",
    "Turkish": "İyi ğ ş ı",
    "Vietnamese": "Chào mừng Nguyễn",
    "Greek": "Καλώς ήρθες",
    "Ukrainian": "Ласкаво просимо",
    "Arabic": "مرحبا بك",
    "Urdu": "خوش آمدید",
    "Persian": "خوش آمدی",
    "Hebrew": "ברוכים הבאים",
    "Hindi": "स्वागत है",
    "Bengali": "স্বাগতম",
    "Punjabi": "ਜੀ ਆਇਆਂ ਨੂੰ",
    "Gujarati": "સ્વાગત છે",
    "Tamil": "வரவேற்கிறோம்",
    "Chinese": "李伟 欢迎你",
    "Symbols": "✓ ★ → ♥ ⚽",
}
LONG_NAME = "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaft"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} has no {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def every_script(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    """The example school, Amy's file written in every script, built."""
    import shutil

    from tests.conftest import EXAMPLE

    root = tmp_path_factory.mktemp("scripts")
    data = root / "data"
    shutil.copytree(EXAMPLE, data)
    story = " ".join(f"{script}: {text}." for script, text in SAMPLES.items())
    pupil = data / "amy-jones.yaml"
    _edit(pupil, "name: Amelia Jones", f"name: Siân Ŵyn {LONG_NAME}")
    _edit(pupil, "  - When I arrive, Ms Khan meets me at Reception.", f'  - "{story}"')
    result = build_cohort(BuildOptions(data, root / "site", root / "staff", only=["amy-jones"], jobs=1))
    assert result.ok, result.problems
    return root, result


def test_every_script_is_drawn_with_no_warning(every_script: tuple[Path, BuildResult]) -> None:
    root, result = every_script
    assert result.warnings == [], [str(warning) for warning in result.warnings]
    assert "no font" not in (root / "staff" / "index.html").read_text(encoding="utf-8")
    booklet = pdf_text(root / "site" / "amy-jones" / "booklet.pdf")
    page = page_text(root / "site" / "amy-jones" / "first-days.html")
    for script, text in SAMPLES.items():
        assert text in page, f"{script} on the page"
        # Text extraction reorders right-to-left runs and repeats letters of ligatures: every letter must be there.
        assert set(text) - {" "} <= set(booklet), f"{script} in the booklet: {sorted(set(text) - set(booklet))}"


def test_only_the_scripts_a_guide_uses_are_in_it(every_script: tuple[Path, BuildResult], tmp_path: Path) -> None:
    root, _ = every_script
    fonts = root / "site" / "amy-jones" / "assets" / "fonts"
    css = (fonts / "fonts.css").read_text(encoding="utf-8")
    for family in ("Noto Sans Arabic", "Noto Sans Hebrew", "Noto Sans Tamil", "Noto Sans SC", "Noto Sans Gurmukhi"):
        assert f'"{family}"' in css
    for face in re.findall(r'url\("([^"]+)"\)', css):
        assert (fonts / face).is_file(), face
    # An English guide: the main font's two Latin files and nothing else.
    assert [face.file for face in faces_for(["Hello Amy! Your first day is on 2 September."])] == list(ALWAYS)
    assert "atkinson-hyperlegible-next-latin-ext-400-normal.woff2" in {face.file for face in faces_for(["Grŵp"])}
    chinese = {face.file for face in faces_for(["李伟"])}
    assert chinese - set(ALWAYS) and all(name.startswith("noto-sans-sc-") for name in chinese - set(ALWAYS))
    assert all((WEB_FONTS / face.file).is_file() for face in faces())


def test_long_names_break_by_layout_with_no_invisible_characters(every_script: tuple[Path, BuildResult]) -> None:
    root, _ = every_script
    booklet = pdf_text(root / "site" / "amy-jones" / "booklet.pdf")
    assert "\u200b" not in booklet
    # A line break may fall inside the name; no other character does.
    assert LONG_NAME in re.sub(r"\s+", "", booklet)


def test_a_character_no_font_has_is_a_located_warning_everywhere(example_copy: Path, tmp_path: Path) -> None:
    pupil = example_copy / "kai-morgan.yaml"
    lines = pupil.read_text(encoding="utf-8").splitlines()
    line = next(number for number, text in enumerate(lines, 1) if text.startswith("name:"))
    _edit(pupil, "name: Kai Morgan", "name: 'Kai \U00013000 🙂 Morgan'")
    assert undrawable("Kai \U00013000 🙂") == ["\U00013000"], "an emoji is drawn (in colour, in the booklet)"

    warnings = [str(problem) for problem in cohort_warnings(load_cohort(example_copy))]
    found = [warning for warning in warnings if "no font" in warning]
    assert len(found) == 1, warnings
    assert found[0].startswith(f"{pupil.relative_to(Path.cwd()) if pupil.is_relative_to(Path.cwd()) else pupil}:")
    assert f":{line}:" in found[0] and " name:" in found[0] and "U+13000" in found[0] and "U+1F642" not in found[0]

    result = build_cohort(
        BuildOptions(example_copy, tmp_path / "site", tmp_path / "staff", only=["kai-morgan"], jobs=1)
    )
    assert [str(warning) for warning in result.warnings] == found, "said on every build"
    again = build_cohort(BuildOptions(example_copy, tmp_path / "site", tmp_path / "staff", only=["kai-morgan"], jobs=1))
    assert again.unchanged == ["kai-morgan"] and [str(warning) for warning in again.warnings] == found
    report = page_text(tmp_path / "staff" / "index.html")
    assert "no font in the guide or booklet can draw" in report and "U+13000" in report
    booklet = " ".join(pdf_text(tmp_path / "site" / "kai-morgan" / "booklet.pdf").split())
    assert "Kai □" in booklet and "Kai ?" not in booklet and "\U00013000" not in booklet


def test_emoji_are_printed_in_colour_when_the_emoji_font_is_ready(tmp_path: Path) -> None:
    import pikepdf

    from tests.conftest import EXAMPLE
    from transition_booklets.booklet.typeset import write_booklets
    from transition_booklets.data.loader import load_cohort
    from transition_booklets.view.pupil_view import build_view

    cohort = load_cohort(EXAMPLE, ["kai-morgan"])
    assert cohort.school is not None
    record = cohort.pupils[0]
    pupil = record.pupil.model_copy(update={"preferred_name": "Kai 🙂"})
    view = build_view(cohort.school, pupil, record.id)

    def colour_glyphs(pdf_path: Path) -> int:
        with pikepdf.open(pdf_path) as pdf:
            fonts = [font for page in pdf.pages for font in (page.Resources.get("/Font") or {}).values()]
            return sum(1 for font in fonts if font.get("/Subtype") == "/Type3")

    coloured = write_booklets(view, tmp_path / "colour", data_dir=EXAMPLE, font_cache=tmp_path / "fonts")
    assert colour_glyphs(coloured.reading) > 0, "the emoji is drawn from the colour emoji font"
    assert list((tmp_path / "fonts").glob("emoji-*/NotoColorEmoji.ttf")), "made ready once, in the cache"
    plain = write_booklets(view, tmp_path / "plain", data_dir=EXAMPLE)
    assert colour_glyphs(plain.reading) == 0
    assert "Kai!" in " ".join(pdf_text(plain.reading).split()), "without the font it is left out, with no stray space"
