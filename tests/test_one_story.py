"""The site and the booklet tell one story: the same sections, the same words for the same data.

The example school is built once, site and booklet. For every example pupil, every section
heading of the site's pages is found in the booklet (but for the parts only a screen can have,
listed in ``SCREEN_ONLY``, and a section the site shows as "not planned yet", which the booklet
leaves out), and every sentence of the pupil's own plan that both show (the help card, the
first day's story, what to do when worried, what people said, the reviews) reads the same in
both. Defaults never name what the plan does not have.
"""

from __future__ import annotations

import html
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLE
from transition_booklets.build.pipeline import build_cohort
from transition_booklets.build.settings import BuildOptions

PUPILS = sorted(path.stem for path in EXAMPLE.glob("*.yaml") if path.name != "school.yaml")
# Parts a screen has and paper cannot: the booklet download itself, a recorded welcome.
SCREEN_ONLY = {"The booklet", "Książeczka", "Listen to my welcome"}


def _flat(text: str) -> str:
    return " ".join(html.unescape(text).replace("\u00ad", "").split())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("one-story")
    result = build_cohort(BuildOptions(EXAMPLE, out / "site", out / "staff", pdf=True, jobs=1))
    assert not result.problems, result.problems
    yield out / "site"


def _booklet_text(site: Path, pupil: str) -> str:
    text = subprocess.run(
        ["pdftotext", str(site / pupil / "booklet.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    return _flat(text)


def _sections(page: str) -> list[tuple[str, str]]:
    """Each h2 of a page with the text under it, up to the next h2."""
    parts = re.split(r"<h2[^>]*>(.*?)</h2>", page, flags=re.S)
    return [
        (_flat(re.sub(r"<[^>]+>", "", parts[index])), _flat(re.sub(r"<[^>]+>", " ", parts[index + 1])))
        for index in range(1, len(parts) - 1, 2)
    ]


@pytest.mark.parametrize("pupil", PUPILS)
def test_every_section_of_the_site_is_in_the_booklet(built: Path, pupil: str) -> None:
    booklet = _booklet_text(built, pupil)
    data = yaml.safe_load((EXAMPLE / f"{pupil}.yaml").read_text(encoding="utf-8"))
    key_places = {place["place"] for place in data.get("key_places") or []}
    missing = []
    for page in sorted((built / pupil).glob("*.html")):
        for heading, body in _sections(page.read_text(encoding="utf-8")):
            if heading in SCREEN_ONLY or heading in booklet or body.startswith("Not planned yet"):
                continue
            if page.name == "places.html" and not any(
                place.replace("-", " ") in heading.lower() for place in key_places
            ):
                continue  # a place a page links to, with a card for the link to land on: not one of the pupil's places
            missing.append(f"{page.name}: {heading}")
    assert not missing, f"on {pupil}'s site but not in the booklet: {missing}"


@pytest.mark.parametrize("pupil", PUPILS)
def test_the_plans_own_words_read_the_same_on_both(built: Path, pupil: str) -> None:
    data = yaml.safe_load((EXAMPLE / f"{pupil}.yaml").read_text(encoding="utf-8"))
    booklet = _booklet_text(built, pupil)
    site = _flat(
        " ".join(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")) for page in (built / pupil).glob("*.html"))
    )
    worries = data.get("worries") or {}
    views = data.get("views") or {}
    sentences = [
        *(data.get("first_day_story") or []),
        *(worries.get("what_to_do") or []),
        *(worries.get("calming_ideas") or []),
        *(view["text"] for view in views.values() if isinstance(view, dict) and view.get("text")),
        *(review["what"] for review in data.get("reviews") or [] if review.get("what")),
    ]
    if worries.get("help_card"):
        sentences.append(worries["help_card"])
    for sentence in sentences:
        words = _flat(sentence)
        assert words in site, f"{pupil}: not on the site: {words}"
        assert words in booklet, f"{pupil}: not in the booklet: {words}"


def test_a_pupil_without_a_keyworker_gets_a_help_card_that_names_none(built: Path) -> None:
    """Kai has no keyworker and no worries plan: both the site and the booklet have his help card,
    with the same words, and neither asks for a keyworker he does not have."""
    worries = (built / "kai-morgan" / "worries.html").read_text(encoding="utf-8")
    card = re.search(r'<p class="tb-help-card__words">(.*?)</p>', worries, re.S)
    assert card and _flat(card.group(1)) == "I need some help, please."
    assert "I need some help, please." in _booklet_text(built, "kai-morgan")
    assert "keyworker" not in _flat(card.group(1)).lower()


def test_words_that_fit_the_pupil(built: Path) -> None:
    about = (built / "jordan-reid" / "about-me.html").read_text(encoding="utf-8")
    assert "What Northgate Learning Centre said" in about and "What my last school said" not in about
    assert "What Northgate Learning Centre said" in _booklet_text(built, "jordan-reid")
    # Dates to remember (the visit, the first day) are not called review dates; reviews are.
    for pupil in PUPILS:
        family = (built / pupil / "family.html").read_text(encoding="utf-8")
        headings = [heading for heading, _ in _sections(family)]
        data = yaml.safe_load((EXAMPLE / f"{pupil}.yaml").read_text(encoding="utf-8"))
        assert ("Review dates" in headings) == bool(data.get("reviews")), pupil
        assert ("Dates to remember" in headings) == bool(data.get("first_visit") or data.get("start_date")), pupil
    # The school's website, as the data reference says, on the family page.
    family = (built / "amy-jones" / "family.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="https://riverside\.example"[^>]*>riverside\.example</a>', family)
    # A staff member's role and the plan's note for the pupil are two things, read as two.
    worries = (built / "jordan-reid" / "worries.html").read_text(encoding="utf-8")
    assert re.search(
        r'<span class="tb-person__role"[^>]*>[^<]+</span><span class="tb-person__note"[^>]*>'
        r'<span class="tb-hidden-text">\. </span>',
        worries,
    )


def test_families_are_told_how_to_use_the_guide_with_their_child(built: Path, tmp_path: Path) -> None:
    for pupil in PUPILS:
        family = _flat(re.sub(r"<[^>]+>", " ", (built / pupil / "family.html").read_text(encoding="utf-8")))
        assert "How to use this guide together" in family and "Find the places on the map." in family, pupil
        assert "How to use this guide together" in _booklet_text(built, pupil), pupil
    polish = (built / "zofia-wisniewska" / "family.html").read_text(encoding="utf-8")
    assert "Jak korzystać z tego przewodnika razem" in polish, "in the family's language first"
    # In the school's own words when it gives them.
    import shutil

    data = tmp_path / "data"
    shutil.copytree(EXAMPLE, data)
    school = data / "school.yaml"
    school.write_text(
        school.read_text(encoding="utf-8") + "how_to_use:\n  - Read it with your child at bedtime.\n", encoding="utf-8"
    )
    result = build_cohort(
        BuildOptions(data, tmp_path / "site", tmp_path / "staff", only=["kai-morgan"], pdf=True, jobs=1)
    )
    assert result.ok, result.problems
    page = (tmp_path / "site" / "kai-morgan" / "family.html").read_text(encoding="utf-8")
    assert "Read it with your child at bedtime." in page and "Find the places on the map." not in page
    assert "Read it with your child at bedtime." in _booklet_text(tmp_path / "site", "kai-morgan")


def test_a_face_beside_a_printed_name_does_not_say_the_name_twice(built: Path) -> None:
    worries = (built / "jordan-reid" / "worries.html").read_text(encoding="utf-8")
    people = re.findall(r'<div class="tb-person">\s*(<(?:img|span)[^>]*>)', worries)
    assert people, "people with their pictures"
    for picture in people:
        assert 'alt=""' in picture or 'aria-hidden="true"' in picture, picture


def test_pictures_say_what_a_pupil_needs_to_recognise(built: Path) -> None:
    places = (built / "amy-jones" / "places.html").read_text(encoding="utf-8")
    assert 'alt="Glass doors, and a long desk with a bell on it."' in places, (
        "photo_description, not 'Photo of Reception'"
    )
    school_map = re.search(r'<div class="tb-map">\s*<img[^>]*alt="([^"]*)"', places)
    assert school_map and "Numbered on the map: 1 Reception" in html.unescape(school_map.group(1))
