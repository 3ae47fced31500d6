"""The staff-only cohort report and its calendar file."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import icalendar

from tests.conftest import check_golden
from tests.test_readiness import fixture_cohort
from transition_booklets.data.loader import Cohort, load_cohort
from transition_booklets.data.problems import BuildError, Problem
from transition_booklets.staff.readiness import cohort_readiness
from transition_booklets.staff.report import (
    CALENDAR_FILE,
    cohort_calendar,
    outcomes_from_result,
    render_readiness_section,
    write_cohort_report,
)

TODAY = dt.date(2026, 11, 27)


def built_site(tmp_path: Path, ids: dict[str, tuple[str, ...]]) -> Path:
    site = tmp_path / "out" / "site"
    for pupil_id, files in ids.items():
        (site / pupil_id).mkdir(parents=True)
        for name in files:
            (site / pupil_id / name).write_bytes(b"x")
    return site


def write(tmp_path: Path, cohort: Cohort, outcomes: dict[str, dict[str, Any]] | None = None) -> tuple[Path, str]:
    site = built_site(
        tmp_path,
        {"ada-complete": ("index.html", "booklet.pdf", "booklet-print.pdf"), "ben-returning": ("index.html",)},
    )
    (site / "ada-complete.zip").write_bytes(b"zip")
    path = write_cohort_report(cohort, outcomes or {}, tmp_path / "out" / "staff", site, TODAY)
    return path, path.read_text(encoding="utf-8")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = _Collector()
    collector.feed(html)
    return collector.tags


def test_readiness_section_golden(tmp_path: Path) -> None:
    section = render_readiness_section(cohort_readiness(fixture_cohort(tmp_path)))
    check_golden("readiness/report-readiness.html", section)


def test_report_is_private_self_contained_and_accessible(tmp_path: Path) -> None:
    path, html = write(tmp_path, fixture_cohort(tmp_path))
    assert path == tmp_path / "out" / "staff" / "index.html"
    found = tags(html)
    assert ("meta", {"name": "robots", "content": "noindex, nofollow"}) in found
    assert found[0][0] == "html" and found[0][1].get("lang") == "en"
    for tag, attrs in found:
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert not re.match(r"^(https?:)?//", value), (tag, attrs)
        assert tag not in ("script", "link", "img", "iframe")
    assert all(attrs.get("scope") in ("col", "row") for tag, attrs in found if tag == "th")
    assert "<caption" in html


def test_links_are_relative_and_missing_outputs_say_so(tmp_path: Path) -> None:
    _, html = write(tmp_path, fixture_cohort(tmp_path))
    hrefs = [attrs.get("href") or "" for tag, attrs in tags(html) if tag == "a"]
    assert "../site/ada-complete/index.html" in hrefs
    assert "../site/ada-complete/booklet.pdf" in hrefs
    assert "../site/ada-complete/booklet-print.pdf" in hrefs
    assert "../site/ben-returning/index.html" in hrefs
    assert "../site/ada-complete.zip" in hrefs
    assert "../site/ben-returning.zip" not in hrefs
    assert "../site/ben-returning/booklet.pdf" not in hrefs
    assert not any(href.startswith("/") for href in hrefs)
    assert "not built" in html
    assert CALENDAR_FILE in hrefs


def test_build_outcomes_and_failed_pupils(tmp_path: Path) -> None:
    cohort = fixture_cohort(tmp_path)
    (cohort.data_dir / "zed-broken.yaml").write_text("name: Zed\nyear: twelve\n", encoding="utf-8")
    cohort = load_cohort(cohort.data_dir)
    outcomes = {
        "ada-complete": {"status": "built", "problems": []},
        "ben-returning": {"status": "unchanged", "problems": []},
        "cara-partial": {"status": "failed", "problems": ["cara-partial.yaml:3:1 photo: <b>too big</b>"]},
    }
    _, html = write(tmp_path, cohort, outcomes)
    assert 'class="status failed">failed' in html
    assert 'class="status unchanged">unchanged' in html
    assert "&lt;b&gt;too big&lt;/b&gt;" in html and "<b>too big" not in html
    # A pupil whose file could not be read is listed, with its own problems.
    assert 'id="pupil-zed-broken"' in html
    assert "zed-broken.yaml:2:7 year: &#39;twelve&#39; should be a whole number" in html
    assert "Build: 1 built, 1 unchanged, 2 failed, 3 not built." in html
    # Without an outcome, a pupil whose site is there shows as unchanged.
    _, html = write(tmp_path / "again", cohort, {})
    assert "Build: 0 built, 2 unchanged, 1 failed, 4 not built." in html


def test_data_is_escaped(tmp_path: Path) -> None:
    cohort = fixture_cohort(tmp_path)
    path = cohort.data_dir / "dev-minimal.yaml"
    path.write_text('name: "<script>alert(1)</script> Dev"\n', encoding="utf-8")
    _, html = write(tmp_path, load_cohort(cohort.data_dir))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Dev" in html


def test_warnings_are_listed_per_pupil(tmp_path: Path) -> None:
    _, html = write(tmp_path, fixture_cohort(tmp_path))
    # Ben's keyworker, Mr Hughes, has no photo; the Library (one of his key places) has none either.
    ben = html[html.index('id="pupil-ben-returning"') :]
    ben = ben[: ben.index('<div class="pupil"')]
    assert "staff.mr-hughes.photo" in ben
    assert "places.library.photo" in ben


def test_calendar_is_sorted_and_deterministic(tmp_path: Path) -> None:
    cohort = fixture_cohort(tmp_path)
    entries = cohort_calendar(cohort)
    assert [entry.sort_key for entry in entries] == sorted(entry.sort_key for entry in entries)
    kinds = {(entry.pupil_id, entry.kind) for entry in entries}
    assert {("ada-complete", "first-visit"), ("ada-complete", "first-day"), ("ada-complete", "review")} <= kinds
    path, html = write(tmp_path, cohort)
    ics = (path.parent / CALENDAR_FILE).read_bytes()
    path.unlink()
    path, _ = write(tmp_path / "again", cohort)
    assert (path.parent / CALENDAR_FILE).read_bytes() == ics
    calendar = icalendar.Calendar.from_ical(ics)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == len(entries)
    uids = [str(event["UID"]) for event in events]
    assert len(set(uids)) == len(uids)
    assert "ada-complete-first-visit@staff.transition-booklets" in uids
    assert "ben-returning-review-1@staff.transition-booklets" in uids
    assert {event.decoded("DTSTAMP") for event in events} == {dt.datetime(2026, 11, 27, tzinfo=dt.UTC)}
    visit = next(event for event in events if str(event["UID"]).startswith("ada-complete-first-visit"))
    assert visit.decoded("DTSTART") == dt.datetime(2027, 7, 1, 9, 30)
    assert visit.decoded("DTEND") == dt.datetime(2027, 7, 1, 12, 0)
    first_day = next(event for event in events if str(event["UID"]).startswith("ada-complete-first-day"))
    assert first_day.decoded("DTSTART") == dt.date(2027, 9, 2)
    # The page's table is in the same order.
    dates = re.findall(r'<time datetime="([0-9-]+)">', html)
    assert dates == sorted(dates) and len(dates) == len(entries)


def test_outcomes_from_a_build_result() -> None:
    @dataclass
    class Result:
        built: list[str] = field(default_factory=lambda: ["amy"])
        unchanged: list[str] = field(default_factory=lambda: ["ben"])
        failed: list[str] = field(default_factory=lambda: ["cara", "dev"])
        problems: list[Problem | BuildError] = field(
            default_factory=lambda: [
                Problem("pupils/cara.yaml", 3, 1, "photo", "no file"),
                BuildError("dev: the booklet could not be made"),
            ]
        )

    outcomes = outcomes_from_result(Result())
    assert outcomes["amy"] == {"status": "built", "problems": []}
    assert outcomes["ben"]["status"] == "unchanged"
    assert outcomes["cara"] == {"status": "failed", "problems": ["pupils/cara.yaml:3:1 photo: no file"]}
    assert outcomes["dev"]["problems"] == ["dev: the booklet could not be made"]


def test_staff_folder_inside_site_is_warned(tmp_path: Path, caplog: Any) -> None:
    cohort = fixture_cohort(tmp_path)
    site = tmp_path / "site"
    site.mkdir()
    write_cohort_report(cohort, {}, site / "staff", site, TODAY)
    assert "would be published" in caplog.text


def test_kept_pupil_parts_follow_edits_to_the_pupil_the_school_and_the_day(tmp_path: Path) -> None:
    """Each pupil's part of the page is kept between builds, yet the page always reads as if made afresh."""
    cohort = fixture_cohort(tmp_path)
    data, site, cache = cohort.data_dir, built_site(tmp_path, {}), tmp_path / "cache"

    def kept_and_fresh(today: dt.date = TODAY) -> tuple[str, str]:
        write_cohort_report(load_cohort(data), {}, tmp_path / "kept", site, today, cache_dir=cache)
        write_cohort_report(load_cohort(data), {}, tmp_path / "fresh", site, today)
        pages = [(tmp_path / name / "index.html").read_text(encoding="utf-8") for name in ("kept", "fresh")]
        assert pages[0] == pages[1]
        return pages[0], pages[1]

    first, _ = kept_and_fresh()
    assert "Mr Hughes has no photo" in first
    pupil_file = data / "ada-complete.yaml"
    name = load_cohort(data).pupils[0].pupil.name
    pupil_file.write_text(pupil_file.read_text(encoding="utf-8").replace(name, "Adaeze Renamed"), encoding="utf-8")
    page, _ = kept_and_fresh()
    assert "Adaeze Renamed" in page and name not in page
    school = data / "school.yaml"
    school.write_text(school.read_text(encoding="utf-8").replace("Mr Hughes", "Mr Hughes-Bell"), encoding="utf-8")
    page, _ = kept_and_fresh()
    assert "Mr Hughes-Bell has no photo" in page
    kept_and_fresh(TODAY + dt.timedelta(days=400))  # warnings that depend on the day
