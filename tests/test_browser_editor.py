"""The editor in headless Chromium, used with the keyboard only, as a transition lead would."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser_support import describe_violations, launched_chromium, require_browser, run_axe
from tests.conftest import EXAMPLE
from transition_booklets.data.loader import load_pupil, load_school
from transition_booklets.editor.server import Editor, running

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
    tab_to(page, "#f-preferred_name")
    page.keyboard.type("Ty")
    tab_to(page, "#s-first_visit > summary")  # open by default: the first things to fill in
    tab_to(page, "#f-first_visit-date")
    page.locator("#f-first_visit-date").fill("2027-07-01")  # typed in the order of the browser's own language
    tab_to(page, "#f-keyworker-staff")
    page.locator("#f-keyworker-staff").select_option(label="Ms Khan")  # a <select>: as the arrow keys would
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Saved").wait_for()
    written = (data / "tyler-brooks.yaml").read_text(encoding="utf-8")
    assert re.search(r"^preferred_name: Ty\b", written, re.M) and "date: 2027-07-01" in written
    assert "staff: ms-khan" in written
    assert written.startswith("# yaml-language-server: $schema=")
    school, _ = load_school(data)
    assert not isinstance(load_pupil(data / "tyler-brooks.yaml", school, data), list), "check passes"


@pytest.mark.parametrize("width", [390, 1280])
def test_the_editor_is_accessible(browser: Browser, editor: tuple[Editor, Path], width: int) -> None:
    running_editor, _ = editor
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(running_editor.address)
    violations = run_axe(page)
    assert not violations, describe_violations(violations)
    page.goto(f"http://127.0.0.1:{running_editor.port}/pupil/amy-jones")
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    violations = run_axe(page)
    assert not violations, describe_violations(violations)
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
