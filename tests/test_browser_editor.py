"""The editor in headless Chromium, used with the keyboard only, as a transition lead would."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

from tests.browser_support import describe_violations, launched_chromium, require_browser, run_axe
from tests.conftest import EXAMPLE
from transition_booklets.data.loader import load_pupil, load_school
from transition_booklets.editor.answers import Editor
from transition_booklets.editor.server import running

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_chromium() as launched:
        yield launched


@pytest.fixture
def editor(tmp_path: Path) -> Iterator[tuple[Editor, Path]]:
    require_browser()
    data = tmp_path / "data"
    shutil.copytree(EXAMPLE, data)
    with running(data) as running_editor:
        yield running_editor, data


def tab_to(page: Page, selector: str, limit: int = 200) -> None:
    """Press Tab until the element ``selector`` has the focus."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_a_pupil_added_and_filled_in_with_the_keyboard_only(browser: Browser, editor: tuple[Editor, Path]) -> None:
    running_editor, data = editor
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page.goto(running_editor.address)
    tab_to(page, "#new-name")
    page.keyboard.type("Tyler Brooks")
    page.keyboard.press("Enter")
    page.wait_for_url("**/pupil/tyler-brooks")
    starter = yaml.safe_load((data / "tyler-brooks.yaml").read_text(encoding="utf-8"))
    tab_to(page, "#f-preferred_name")
    page.keyboard.type("Ty")
    tab_to(page, "#s-first_visit > summary")  # open by default: the first things to fill in
    tab_to(page, "#f-first_visit-date")
    page.locator("#f-first_visit-date").fill("2027-07-01")  # typed in the order of the browser's own language
    tab_to(page, "#f-keyworker-staff")
    page.locator("#f-keyworker-staff").select_option(label="Ms Khan")  # a <select>: as the arrow keys would
    tab_to(page, "#s-timetable > summary")
    page.keyboard.press("Enter")  # the week, folded until wanted
    tab_to(page, "[name='tt.monday.p1.subject']")
    page.locator("[name='tt.monday.p1.subject']").select_option(label="Maths")
    tab_to(page, "[name='tt.monday.p1.place']")
    page.locator("[name='tt.monday.p1.place']").select_option(label="A block classrooms")
    tab_to(page, "#tt-tuesday-mode")
    page.locator("#tt-tuesday-mode").select_option(label="Same as Monday")
    tab_to(page, "#f-preferred_name", limit=400)
    page.keyboard.press("Enter")  # Enter in a field saves (it does not add an item to a list)
    page.get_by_role("status").filter(has_text="Saved").wait_for()
    written = (data / "tyler-brooks.yaml").read_text(encoding="utf-8")
    assert re.search(r"^preferred_name: Ty\b", written, re.M) and "date: 2027-07-01" in written
    assert "staff: ms-khan" in written
    assert "timetable:\n  monday:\n    p1: {subject: maths, place: a-block}\n  tuesday: same as monday\n" in written
    assert written.startswith("# yaml-language-server: $schema=")
    starter_notes = [line for line in (data / "tyler-brooks.yaml").read_text().splitlines() if line.startswith("# ")]
    assert len(starter_notes) > 10, "the starter file's notes are still there"
    school, _ = load_school(data)
    assert not isinstance(load_pupil(data / "tyler-brooks.yaml", school, data), list), "check passes"
    # The file holds exactly what was filled in, and nothing else changed.
    saved = yaml.safe_load(written)
    assert saved == {
        **starter,
        "preferred_name": "Ty",
        "first_visit": {**(starter.get("first_visit") or {}), "date": dt.date(2027, 7, 1)},
        "keyworker": {**(starter.get("keyworker") or {}), "staff": "ms-khan"},
        "timetable": {"monday": {"p1": {"subject": "maths", "place": "a-block"}}, "tuesday": "same as monday"},
    }
    # The preview shows the new text; nobody without the key gets in.
    page.goto(f"http://127.0.0.1:{running_editor.port}/preview/tyler-brooks/index.html")
    assert page.locator("h1").inner_text().strip() == "Hello Ty!"
    stranger = browser.new_context()
    answer = stranger.request.get(f"http://127.0.0.1:{running_editor.port}/pupil/tyler-brooks")
    assert answer.status == 403
    stranger.close()


def test_photo_pin_and_preview_in_the_editor(browser: Browser, editor: tuple[Editor, Path], tmp_path: Path) -> None:
    """The rest of a plan: a photo by upload, a place's pin by a click on the map, and the preview updating itself."""
    from PIL import Image

    running_editor, data = editor
    photo = tmp_path / "phone photo.jpg"
    Image.new("RGB", (600, 800), (90, 140, 60)).save(photo, "JPEG")
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page.goto(running_editor.address)
    page.goto(f"http://127.0.0.1:{running_editor.port}/pupil/kai-morgan")
    page.locator("#s-photo > summary").click()
    page.locator("#photo-file").set_input_files(photo)
    page.get_by_label("The family agreed that this photo may be used").check()
    page.get_by_role("button", name="Keep this photo").click()
    page.get_by_role("status").filter(has_text="images/pupils/kai-morgan.jpg").wait_for()
    assert "photo:\n  file: images/pupils/kai-morgan.jpg\n  consent: true" in (data / "kai-morgan.yaml").read_text()
    # The preview, open in its own tab, shows each save by itself.
    with page.expect_popup() as opened:
        page.get_by_role("link", name=re.compile("See .* site as it is saved")).click()
    preview = opened.value
    preview.wait_for_load_state()
    assert preview.get_by_text("Kai").count() > 0
    page.locator("#f-preferred_name").fill("Kaiden")
    page.get_by_role("button", name="Save", exact=True).last.click()
    page.get_by_role("status").filter(has_text="Saved").wait_for()
    preview.get_by_text("Kaiden").first.wait_for(timeout=15000)
    # A pin placed by clicking the school map, where the Library should be.
    page.goto(f"http://127.0.0.1:{running_editor.port}/school")
    page.get_by_label("Which place").select_option("library")
    school_map = page.locator("input[name=map720]")
    box = school_map.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.5)
    page.get_by_role("status").filter(has_text="Library's pin is at").wait_for()
    written = (data / "school.yaml").read_text(encoding="utf-8")
    found = re.search(r"  library:\n(?:    .*\n)*?    map: \{x: ([\d.]+), y: ([\d.]+)\}", written)
    assert found and abs(float(found.group(1)) - 25) < 1 and abs(float(found.group(2)) - 50) < 1, written
    school, problems = load_school(data)
    assert school is not None, problems


@pytest.mark.parametrize("width", [390, 1280])
def test_the_editor_is_accessible(browser: Browser, editor: tuple[Editor, Path], width: int) -> None:
    running_editor, data = editor
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(running_editor.address)
    violations = run_axe(page)
    assert not violations, describe_violations(violations)
    (data / "groups.yaml").write_text("groups:\n  7b:\n    name: 7B\n", encoding="utf-8")
    for address in ("/pupil/amy-jones", "/school", "/school/settings", "/group/7b"):
        page.goto(f"http://127.0.0.1:{running_editor.port}{address}")
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        violations = run_axe(page)
        assert not violations, f"{address}: {describe_violations(violations)}"
        assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
