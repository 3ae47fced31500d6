from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE
from tests.site_checks import css_resources, is_external, page_text, parse_page
from transition_booklets.build.pipeline import build_cohort
from transition_booklets.build.settings import BuildOptions
from transition_booklets.data.loader import load_cohort
from transition_booklets.site.pages import PAGES

PUPILS = ["amy-jones", "jordan-reid", "kai-morgan", "zofia-wisniewska"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("built")
    result = build_cohort(BuildOptions(data_dir=EXAMPLE, out_dir=root / "site", staff_dir=root / "staff", pdf=False))
    assert result.ok, result.problems
    assert sorted(result.built) == PUPILS
    yield root / "site"


def html_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


@pytest.mark.parametrize("pupil", PUPILS)
def test_every_page_exists(built: Path, pupil: str) -> None:
    for page in PAGES:
        assert (built / pupil / page.file).is_file(), page.file


def test_amys_pages_show_her_plan(built: Path) -> None:
    folder = built / "amy-jones"
    assert "Hello Amy!" in page_text(folder / "index.html")
    assert "Your first visit: Thursday 1 July 2027" in page_text(folder / "index.html")
    keyworker = page_text(folder / "keyworker.html")
    assert "Ms Khan is your keyworker." in keyworker
    assert "I love drawing too" in keyworker
    assert "Every morning at 8:30 before registration" in keyworker
    first_days = page_text(folder / "first-days.html")
    assert "Mrs Patel comes with you and stays with you." in first_days
    assert "When I arrive, Ms Khan meets me at Reception." in first_days
    timetable = page_text(folder / "timetable.html")
    assert "Science lab S2" in timetable and "Mr Hughes" in timetable and "Art club in the library" in timetable
    assert "9am to 10am" in timetable
    places = page_text(folder / "places.html")
    for place in ("Reception", "The Hub", "A block toilets", "The Nest", "Canteen", "Library"):
        assert place in places
    worries = page_text(folder / "worries.html")
    assert "I need a short break. Please let me go to the Nest." in worries
    about = page_text(folder / "about-me.html")
    assert "My cat, Biscuit." in about and "Mrs Patel, Oakfield Primary" in about
    family = page_text(folder / "family.html")
    assert "01234 567890" in family and "Agreed by Amy, Mum, Ms Khan, Mrs Okafor on Sunday 20 June 2027." in family
    assert "PE kit on Tuesdays and Fridays" in family


def test_jordans_phased_return_is_visible(built: Path) -> None:
    folder = built / "jordan-reid"
    assert "Your first visit: Tuesday 8 December 2026" in page_text(folder / "index.html")
    first_days = page_text(folder / "first-days.html")
    assert "Dan comes with you and stays with you." in first_days
    assert "Week 1: mornings in the Hub" in first_days and "Weeks 3 and 4: most lessons" in first_days
    timetable = page_text(folder / "timetable.html")
    assert "Timetable: Week 1: mornings in the Hub" in timetable
    assert "Timetable: Week 2: add science and lunch" in timetable
    keyworker = parse_page(folder / "keyworker.html")
    assert "media/welcome.ogg" in keyworker.resources
    assert (folder / "media" / "welcome.ogg").is_file()
    assert "I'll meet you at Reception on your first morning" in page_text(folder / "keyworker.html")


def test_a_minimal_pupil_still_gets_a_friendly_site(built: Path) -> None:
    folder = built / "kai-morgan"
    assert "Hello Kai!" in page_text(folder / "index.html")
    assert "Not planned yet. We will tell you soon." in page_text(folder / "keyworker.html")
    assert "Your timetable is not ready yet." in page_text(folder / "timetable.html")
    # Everyone still sees the places that matter most: reception, toilets, the calm places.
    places = page_text(folder / "places.html")
    assert "Reception" in places and "A block toilets" in places and "The Nest" in places


def _all_resources(folder: Path) -> list[tuple[Path, str]]:
    found = []
    for page in html_files(folder):
        found += [(page, url) for url in parse_page(page).resources]
    for sheet in folder.rglob("*.css"):
        found += [(sheet, url) for url in css_resources(sheet)]
    return found


@pytest.mark.parametrize("pupil", PUPILS)
def test_no_resource_comes_from_another_host(built: Path, pupil: str) -> None:
    external = [(str(path.relative_to(built)), url) for path, url in _all_resources(built / pupil) if is_external(url)]
    assert external == []


@pytest.mark.parametrize("pupil", PUPILS)
def test_every_internal_link_and_resource_resolves(built: Path, pupil: str) -> None:
    folder = built / pupil
    broken = []
    for page in html_files(folder):
        parsed = parse_page(page)
        for url in parsed.links + parsed.resources:
            if is_external(url) or url.startswith(("mailto:", "tel:", "data:")):
                continue
            target, _, fragment = url.partition("#")
            path = (page.parent / target).resolve() if target else page
            if not path.is_file():
                broken.append((page.name, url, "no such file"))
                continue
            assert not target.endswith("/"), f"{page.name} links to a folder: {url}"
            if fragment and path.suffix == ".html" and fragment not in parse_page(path).ids:
                broken.append((page.name, url, "no such anchor"))
    for sheet in folder.rglob("*.css"):
        for url in css_resources(sheet):
            if not url.startswith("data:") and not (sheet.parent / url.split("#")[0]).resolve().is_file():
                broken.append((sheet.name, url, "no such file"))
    assert broken == []


@pytest.mark.parametrize("pupil", PUPILS)
def test_no_folder_holds_another_pupils_data(built: Path, pupil: str) -> None:
    cohort = load_cohort(EXAMPLE)
    others = [record.pupil for record in cohort.pupils if record.id != pupil]
    names = {name for other in others for name in (other.name, other.called) if len(name) > 3}
    leaks = []
    for path in (built / pupil).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            leaks += [(path.name, name) for name in names if name.encode() in data]
    with zipfile.ZipFile(built / f"{pupil}.zip") as archive:
        for info in archive.infolist():
            data = archive.read(info)
            leaks += [(info.filename, name) for name in names if name.encode() in data]
    assert leaks == []


@pytest.mark.parametrize("pupil", PUPILS)
def test_folder_is_small_without_photos_and_pdfs(built: Path, pupil: str) -> None:
    folder = built / pupil
    size = sum(
        path.stat().st_size
        for path in folder.rglob("*")
        if path.is_file() and path.suffix != ".pdf" and "images" not in path.parts and "media" not in path.parts
    )
    assert size < 1_000_000, f"{size:,} bytes"


@pytest.mark.parametrize("pupil", PUPILS)
def test_pages_ask_not_to_be_indexed_and_send_no_referrer(built: Path, pupil: str) -> None:
    folder = built / pupil
    for page in html_files(folder):
        meta = parse_page(page).meta
        assert "noindex" in meta.get("robots", ""), page.name
        assert meta.get("referrer") == "no-referrer", page.name
        assert "generator" not in meta, page.name
    assert (folder / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nDisallow: /\n"
    assert not list(folder.rglob("*.map")), "source maps are dead weight"
    assert not (folder / "assets" / "javascripts" / "lunr").exists()


@pytest.mark.parametrize("pupil", PUPILS)
def test_every_image_has_alt_text(built: Path, pupil: str) -> None:
    for page in html_files(built / pupil):
        assert parse_page(page).images_without_alt == [], page.name


def test_map_pins_are_links_to_place_cards(built: Path) -> None:
    places = parse_page(built / "amy-jones" / "places.html")
    pins = [link for link in places.links if link.startswith("#place-")]
    assert "#place-reception" in pins and "#place-the-nest" in pins
    assert all(pin[1:] in places.ids for pin in pins)


def test_zip_holds_the_whole_folder(built: Path) -> None:
    with zipfile.ZipFile(built / "amy-jones.zip") as archive:
        names = set(archive.namelist())
    files = {
        f"amy-jones/{path.relative_to(built / 'amy-jones').as_posix()}"
        for path in (built / "amy-jones").rglob("*")
        if path.is_file()
    }
    assert names == files


def test_calendar_has_the_visit_first_day_and_reviews(built: Path) -> None:
    text = (built / "jordan-reid" / "calendar.ics").read_text(encoding="utf-8")
    assert text.count("BEGIN:VEVENT") == 5
    assert "DTSTART:20261208T133000" in text
    assert "SUMMARY:Jordan: first day at Riverside Academy" in text


def test_text_from_a_pupil_file_is_shown_literally(example_copy: Path, tmp_path: Path) -> None:
    (example_copy / "tricky.yaml").write_text(
        'name: "<script>alert(1)</script> {{ 7*7 }}"\npreferred_name: "<b>Bo</b>"\n'
        "worries:\n  help_card: '# not a heading *not bold* [x](https://evil.example)'\n",
        encoding="utf-8",
    )
    result = build_cohort(
        BuildOptions(
            data_dir=example_copy, out_dir=tmp_path / "site", staff_dir=tmp_path / "staff", only=["tricky"], pdf=False
        )
    )
    assert result.ok, result.problems
    folder = tmp_path / "site" / "tricky"
    html = (folder / "worries.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in html
    assert "# not a heading *not bold* [x](https://evil.example)" in page_text(folder / "worries.html")
    assert "Hello <b>Bo</b>!" in page_text(folder / "index.html")
    assert not any(is_external(url) for url in parse_page(folder / "worries.html").links if "evil" in url)


def test_a_failed_rebuild_keeps_the_last_good_site(example_copy: Path, tmp_path: Path) -> None:
    options = BuildOptions(data_dir=example_copy, out_dir=tmp_path / "site", staff_dir=tmp_path / "staff", pdf=False)
    assert build_cohort(options).ok
    good = (tmp_path / "site" / "amy-jones" / "index.html").read_text(encoding="utf-8")
    photo = example_copy / "images" / "pupils" / "amy.jpg"
    photo.write_bytes(photo.read_bytes()[:300])  # cut short: no longer a whole image
    (example_copy / "zofia-wisniewska.yaml").write_text(
        (example_copy / "zofia-wisniewska.yaml").read_text(encoding="utf-8").replace("Zosia", "Zosia-Z")
    )
    result = build_cohort(options)
    assert result.failed == ["amy-jones"]
    assert any("amy-jones.yaml" in str(problem) and "amy.jpg" in str(problem) for problem in result.problems)
    assert (tmp_path / "site" / "amy-jones" / "index.html").read_text(encoding="utf-8") == good
    assert "Zosia-Z" in page_text(tmp_path / "site" / "zofia-wisniewska" / "index.html")
    leftovers = [path.name for path in (tmp_path / "site").iterdir() if path.name.startswith(".")]
    assert leftovers == []


def test_site_is_rebuilt_cleanly_over_an_old_one(tmp_path: Path, example_copy: Path) -> None:
    options = BuildOptions(
        data_dir=example_copy, out_dir=tmp_path / "site", staff_dir=tmp_path / "staff", only=["kai-morgan"], pdf=False
    )
    assert build_cohort(options).ok
    (tmp_path / "site" / "kai-morgan" / "stale.html").write_text("old", encoding="utf-8")
    options.force = True
    assert build_cohort(options).ok
    assert not (tmp_path / "site" / "kai-morgan" / "stale.html").exists()
    shutil.rmtree(tmp_path / "site")
