"""A school's own words and look without forking the tool: the data folder's ``theme/``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.pdf_support import pdf_text
from tests.site_checks import page_text
from transition_booklets.build.pipeline import build_cohort
from transition_booklets.build.settings import BuildOptions
from transition_booklets.data.loader import load_cohort

BAND = """<div class="school-band"><img src="images/band-logo.svg" alt="">{{ words.school_motto }}</div>"""


def options(data: Path, tmp_path: Path, **changes: object) -> BuildOptions:
    settings = BuildOptions(data_dir=data, out_dir=tmp_path / "site", staff_dir=tmp_path / "staff", jobs=1)
    for key, value in changes.items():
        setattr(settings, key, value)
    return settings


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def themed(example_copy: Path) -> Path:
    """The worked example of docs/school-theme.md: the school's own words for the worries page, and a logo band."""
    theme = example_copy / "theme"
    write(theme / "strings" / "en.yaml", 'page_worries: "When I feel worried"\n')
    write(
        theme / "pages" / "school-band.html.j2",
        BAND.replace("{{ words.school_motto }}", "Riverside: learning together"),
    )
    write(theme / "extra.css", ".school-band { background: #123456; color: #fff; padding: 0.5rem; }\n")
    return example_copy


def test_a_school_override_of_one_string_and_one_template_changes_the_built_pages(themed: Path, tmp_path: Path) -> None:
    result = build_cohort(options(themed, tmp_path, only=["kai-morgan"], pdf=False))
    assert result.ok, result.problems
    site = tmp_path / "site" / "kai-morgan"
    worries = (site / "worries.html").read_text(encoding="utf-8")
    assert "When I feel worried" in page_text(site / "worries.html")
    assert "If I'm worried" not in page_text(site / "worries.html")
    assert "When I feel worried" in page_text(site / "index.html"), "the navigation uses the school's words too"
    for page in ("index.html", "worries.html", "family.html"):
        html = (site / page).read_text(encoding="utf-8")
        assert '<div class="school-band">' in html and "Riverside: learning together" in html, page
    assert 'href="assets/stylesheets/school.css"' in worries
    assert (site / "assets" / "stylesheets" / "school.css").read_text(encoding="utf-8").startswith(".school-band")


def test_without_a_theme_the_pages_have_no_band_and_the_tools_words(example_copy: Path, tmp_path: Path) -> None:
    result = build_cohort(options(example_copy, tmp_path, only=["kai-morgan"], pdf=False))
    assert result.ok
    html = (tmp_path / "site" / "kai-morgan" / "worries.html").read_text(encoding="utf-8")
    assert "school-band" not in html and "school.css" not in html
    assert "If I'm worried" in page_text(tmp_path / "site" / "kai-morgan" / "worries.html")


def test_the_booklet_uses_the_schools_words(themed: Path, tmp_path: Path) -> None:
    result = build_cohort(options(themed, tmp_path, only=["amy-jones"]))
    assert result.ok, result.problems
    text = pdf_text(tmp_path / "site" / "amy-jones" / "booklet.pdf")
    assert "When I feel worried" in text and "If I'm worried" not in text


def test_changing_the_theme_rebuilds_every_pupil(themed: Path, tmp_path: Path) -> None:
    first = build_cohort(options(themed, tmp_path, pdf=False))
    assert first.ok and len(first.built) == 4
    assert build_cohort(options(themed, tmp_path, pdf=False)).built == []
    write(themed / "theme" / "strings" / "en.yaml", 'page_worries: "If something worries me"\n')
    again = build_cohort(options(themed, tmp_path, pdf=False))
    assert sorted(again.built) == sorted(first.built)
    assert "If something worries me" in page_text(tmp_path / "site" / "amy-jones" / "worries.html")


def test_a_misspelt_word_in_the_schools_strings_is_a_located_problem(example_copy: Path) -> None:
    write(
        example_copy / "theme" / "strings" / "en.yaml",
        '# our words\npage_worries: "When I feel worried"\npage_wories: x\n',
    )
    cohort = load_cohort(example_copy)
    problems = [str(problem) for problem in cohort.problems]
    assert any(
        problem.endswith(
            "en.yaml:3:1 page_wories: the tool has no word 'page_wories' (did you mean 'page_worries'?); check the key"
        )
        for problem in problems
    ), problems


def test_a_broken_template_override_is_a_located_problem_and_builds_nobody(example_copy: Path, tmp_path: Path) -> None:
    write(
        example_copy / "theme" / "pages" / "worries.md.j2", '{% extends "page.md.j2" %}\n{% block body %}\n{% if %}\n'
    )
    result = build_cohort(options(example_copy, tmp_path, pdf=False))
    problems = [str(problem) for problem in result.problems]
    assert any("theme/pages/worries.md.j2:3:1 template: " in problem for problem in problems), problems
    assert not result.ok and result.built == []


def test_a_schools_own_booklet_template_is_used(example_copy: Path, tmp_path: Path) -> None:
    tool_template = (ROOT / "theme" / "booklet" / "booklet.typ").read_text(encoding="utf-8")
    marked = tool_template.replace('w("booklet_my_booklet")', '"Our own booklet"', 1)
    assert marked != tool_template
    write(example_copy / "theme" / "booklet" / "booklet.typ", marked)
    result = build_cohort(options(example_copy, tmp_path, only=["kai-morgan"]))
    assert result.ok, result.problems
    text = pdf_text(tmp_path / "site" / "kai-morgan" / "booklet.pdf")
    assert "Our own booklet" in text and "My booklet" not in text
