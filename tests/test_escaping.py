"""Whatever a school or a pupil file says is shown as written, everywhere, and never runs as markup."""

from __future__ import annotations

import html.parser
from pathlib import Path

from tests.pdf_support import pdf_text
from tests.site_checks import page_text
from transition_booklets.build.pipeline import build_cohort
from transition_booklets.build.settings import BuildOptions

MARKUP = '<img src=x onerror="alert(1)">'
AMP = "Tom & Jerry <3"


class _Tags(html.parser.HTMLParser):
    """Every element and its attributes, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def injected(path: Path) -> list[str]:
    """Elements that the data put there: an ``onerror`` handler or an image of ``x``."""
    parser = _Tags()
    parser.feed(path.read_text(encoding="utf-8"))
    return [
        f"{path.name}: <{tag} {attrs}>" for tag, attrs in parser.tags if "onerror" in attrs or attrs.get("src") == "x"
    ]


def test_markup_in_names_and_texts_is_shown_literally_and_never_runs(example_copy: Path, tmp_path: Path) -> None:
    school = example_copy / "school.yaml"
    text = school.read_text(encoding="utf-8")
    text = text.replace("name: Riverside Academy", f"name: 'Riverside {MARKUP}'", 1)
    text = text.replace("short_name: Riverside", f"short_name: '{AMP}'", 1)
    text = text.replace("    name: Ms Khan\n", f"    name: 'Ms Khan {MARKUP}'\n", 1)
    school.write_text(text, encoding="utf-8")
    pupil = example_copy / "amy-jones.yaml"
    text = pupil.read_text(encoding="utf-8")
    text = text.replace("preferred_name: Amy", f"preferred_name: 'Amy {MARKUP}'", 1)
    pupil.write_text(text, encoding="utf-8")
    assert MARKUP in school.read_text(encoding="utf-8") and MARKUP in pupil.read_text(encoding="utf-8")

    options = BuildOptions(example_copy, tmp_path / "site", tmp_path / "staff", only=["amy-jones"], jobs=1)
    result = build_cohort(options)
    assert result.ok, result.problems
    site = tmp_path / "site" / "amy-jones"
    found: list[str] = []
    for page in sorted(site.glob("*.html")):
        found += injected(page)
        shown = page_text(page)
        assert f"Amy {MARKUP}" in shown, f"{page.name}: the site name in the header, as written"
    assert found == [], "markup from the data became elements"
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "<title>" in index and "&lt;img" in index.split("<title>", 1)[1].split("</title>", 1)[0]
    assert AMP in page_text(site / "index.html"), "the site name in the header, with & and <, as written"
    assert injected(tmp_path / "staff" / "index.html") == []
    assert f"Riverside {MARKUP}" in page_text(tmp_path / "staff" / "index.html"), "the school's name, as written"
    assert MARKUP in (site / "calendar.ics").read_text(encoding="utf-8").replace("\r\n ", "")
    booklet = " ".join(pdf_text(site / "booklet.pdf").split())
    assert f"Amy {MARKUP}" in booklet

    protected = build_cohort(
        BuildOptions(example_copy, tmp_path / "psite", tmp_path / "pstaff", only=["amy-jones"], jobs=1, protect=True)
    )
    assert protected.ok, protected.problems
    letter = tmp_path / "pstaff" / "letters" / "amy-jones.html"
    assert injected(letter) == [] and MARKUP in page_text(letter)
