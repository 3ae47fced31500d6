"""Take the screenshots of docs/editor.md: the editor on a copy of the example school, in Chromium.

    python tools/editor_screenshots.py

Needs the test extra (Playwright) and a Chromium from the system (``apt-get install chromium``).
Writes ``docs/editor/*.png``; the bundled example (``pupils/``) is never changed.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser_support import launched_chromium  # noqa: E402
from transition_booklets.editor.server import running  # noqa: E402

OUT = ROOT / "docs" / "editor"


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        os.chdir(work)  # the pages name files as from the folder the editor was started in
        data = Path("my-school")
        shutil.copytree(ROOT / "pupils", data)
        with running(data) as editor, launched_chromium() as browser:
            page = browser.new_page(viewport={"width": 1100, "height": 800}, locale="en-GB")
            base = f"http://127.0.0.1:{editor.port}"
            page.goto(editor.address)
            page.locator("#new-name").fill("Tyler Brooks")
            page.screenshot(path=OUT / "1-pupils.png", full_page=True)
            page.get_by_role("button", name="Add the pupil").click()
            page.wait_for_url("**/pupil/tyler-brooks")
            page.screenshot(path=OUT / "2-new-pupil.png")
            page.locator("#f-preferred_name").fill("Ty")
            page.locator("#f-first_visit-date").fill("2027-07-01")
            page.locator("#f-keyworker-staff").select_option("ms-khan")
            page.locator("#s-keyworker").screenshot(path=OUT / "3-keyworker.png")
            page.locator("#s-timetable > summary").click()
            page.locator("[name='tt.monday.p1.subject']").select_option("maths")
            page.locator("[name='tt.monday.p1.place']").select_option("a-block")
            page.locator("[name='tt.monday.p1.teacher']").select_option("mr-nowak")
            page.locator("#tt-tuesday-mode").select_option("monday")
            page.locator("#tt-wednesday-mode").select_option("absent")
            page.set_viewport_size({"width": 1280, "height": 800})
            page.evaluate("document.querySelector('.sticky').style.position = 'static'")
            page.locator("#s-timetable").screenshot(path=OUT / "5-timetable.png")
            page.get_by_role("button", name="Save", exact=True).last.click()
            page.get_by_role("status").filter(has_text="Saved").wait_for()
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=OUT / "4-saved.png")
            page.goto(base + "/school")
            page.get_by_label("Which place").select_option("library")
            page.locator("form[action='/school/pin']").screenshot(path=OUT / "6-map-pin.png")
            page.goto(base + "/school#staff")
            page.locator("#photo-staff-miss-adeyemi > summary").click()
            page.locator("#photo-staff-miss-adeyemi").screenshot(path=OUT / "7-staff-photo.png")
    print(f"Written: {', '.join(sorted(path.name for path in OUT.glob('*.png')))}")


if __name__ == "__main__":
    main()
