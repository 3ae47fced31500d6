"""Protected guides in headless Chromium, opened straight from a folder (file://) as a family would.

Before the password nothing personal is in the page; the right password opens it, links open
the other pages without asking again, pictures and sound load; a wrong password says so; a
browser without WebCrypto says why it cannot open the guide.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser_support import (
    RequestLog,
    describe_violations,
    launched_chromium,
    require_browser,
    run_axe,
    serve_folder,
    settle,
)
from tests.conftest import EXAMPLE
from tests.test_protect import NAMES, name_pattern
from transition_booklets.build.pipeline import build_cohort
from transition_booklets.build.settings import BuildOptions
from transition_booklets.protect.encrypt import protect_folder, read_sealed

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser

PROTECTED = ("amy-jones", "jordan-reid")
PASSWORDS = {"amy-jones": "otter-maple-brisk-lantern-7", "jordan-reid": "acorn-harbour-kite-meadow-3"}
WAIT_MS = 15_000


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_browser()
    root = tmp_path_factory.mktemp("browser-protect")
    result = build_cohort(
        BuildOptions(data_dir=EXAMPLE, out_dir=root / "site", staff_dir=root / "staff", only=list(PROTECTED), pdf=False)
    )
    assert result.ok, result.problems
    for pupil in PROTECTED:
        protect_folder(root / "site" / pupil, PASSWORDS[pupil])
    return root / "site"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_chromium() as launched:
        yield launched


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport={"width": 390, "height": 844}, reduced_motion="reduce")
    yield made
    made.close()


def watched(context: BrowserContext, folder: Path) -> tuple[Page, RequestLog]:
    page = context.new_page()
    requests = RequestLog(folder.as_uri() + "/")
    requests.attach(page)
    return page, requests


def unlock(page: Page, password: str) -> None:
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Open the guide").click()


def opened(page: Page) -> None:
    """Wait until the guide's own page has replaced the unlock page, with its styles and its script run
    (the theme's script gives the menu button ``aria-controls``)."""
    page.wait_for_function(
        """() => !!document.querySelector('.md-content') && document.readyState === 'complete'
            && getComputedStyle(document.querySelector('.md-header')).position === 'sticky'
            && !!document.querySelector('.md-header [aria-controls]')""",
        timeout=WAIT_MS,
    )


def images_not_loaded(page: Page) -> list[str]:
    settle(page)
    return list(
        page.evaluate(
            "() => [...document.images].filter(img => !img.complete || img.naturalWidth === 0)"
            ".map(img => (img.getAttribute('src') || '').slice(0, 40))"
        )
    )


def test_nothing_personal_before_the_password(site: Path, context: BrowserContext) -> None:
    for pupil in PROTECTED:
        page, requests = watched(context, site / pupil)
        for name in ("index", "keyworker", "places"):
            page.goto((site / pupil / f"{name}.html").as_uri())
            page.get_by_label("Password", exact=True).wait_for()
            text = page.evaluate("() => document.body.innerText")
            markup = page.content()
            assert page.title() == "Protected guide"
            leaks = [n for n in NAMES if name_pattern(n).search(text) or name_pattern(n).search(markup)]
            assert not leaks, f"{pupil}/{name}.html shows {leaks} before the password"
            assert page.evaluate("() => document.images.length") == 0
        assert not requests.problems(), requests.problems()


def test_the_right_password_opens_every_page_once(site: Path, context: BrowserContext) -> None:
    folder = site / "amy-jones"
    page, requests = watched(context, folder)
    page.goto((folder / "index.html").as_uri())
    unlock(page, PASSWORDS["amy-jones"].replace("-", " ").capitalize())  # as a phone types it: Otter maple …
    opened(page)
    assert "Hello Amy!" in page.evaluate("() => document.body.innerText")
    assert page.title() != "Protected guide"
    assert images_not_loaded(page) == []
    # The derived key is kept for this visit, never the password.
    stored = page.evaluate("() => Object.entries(sessionStorage)")
    salt = read_sealed((folder / "index.html").read_text(encoding="utf-8")).salt
    assert [key for key, _ in stored] == [f"tb-protect-key:{base64.b64encode(salt).decode()}"]
    assert len(base64.b64decode(stored[0][1])) == 32
    assert all(PASSWORDS["amy-jones"] not in value for _, value in stored)
    # A link to another page: it opens without a second prompt, with its pictures.
    page.locator('.md-content a[href="places.html"]').first.click()
    page.wait_for_url("**/places.html")
    opened(page)
    assert page.locator("#tb-protect-password").count() == 0
    assert "The Hub" in page.evaluate("() => document.body.innerText")
    assert images_not_loaded(page) == []
    # A link to a place on a page goes to that place once the page is open.
    page.goto((folder / "timetable.html").as_uri())
    opened(page)
    page.locator('a[href^="places.html#place-"]').first.click()
    opened(page)
    target = page.evaluate("() => decodeURIComponent(location.hash.slice(1))")
    assert target.startswith("place-")
    top = page.evaluate(f"() => document.getElementById({target!r}).getBoundingClientRect().top")
    assert 0 <= top < 844
    # Back goes back, and the page opens again by itself.
    page.go_back()
    opened(page)
    assert page.url.endswith("timetable.html")
    assert not requests.problems(), requests.problems()


def test_the_recorded_welcome_plays_from_inside_the_page(site: Path, context: BrowserContext) -> None:
    folder = site / "jordan-reid"
    page, requests = watched(context, folder)
    page.goto((folder / "keyworker.html").as_uri())
    unlock(page, PASSWORDS["jordan-reid"])
    opened(page)
    page.wait_for_function(
        "() => { const a = document.querySelector('audio'); return a && a.readyState >= 1 && a.duration > 0; }",
        timeout=WAIT_MS,
    )
    assert images_not_loaded(page) == []
    assert not requests.problems(), requests.problems()


def test_a_wrong_password_says_so_and_lets_you_try_again(site: Path, context: BrowserContext) -> None:
    page = context.new_page()
    page.goto((site / "amy-jones" / "index.html").as_uri())
    unlock(page, "otter-maple-brisk-lantern-8")
    message = page.locator("#tb-protect-message")
    message.filter(has_text="did not open").wait_for(timeout=WAIT_MS)
    assert message.get_attribute("aria-live") == "assertive"
    assert page.get_by_label("Password", exact=True).get_attribute("aria-invalid") == "true"
    assert page.evaluate("() => Object.keys(sessionStorage).length") == 0
    # The show-password button shows what was typed.
    page.get_by_role("button", name="Show password").click()
    assert page.get_by_label("Password", exact=True).get_attribute("type") == "text"
    page.get_by_role("button", name="Hide password").click()
    assert page.get_by_label("Password", exact=True).get_attribute("type") == "password"
    unlock(page, PASSWORDS["amy-jones"])
    opened(page)


def test_a_kept_key_that_no_longer_fits_asks_again(site: Path, context: BrowserContext) -> None:
    folder = site / "amy-jones"
    salt = base64.b64encode(read_sealed((folder / "index.html").read_text(encoding="utf-8")).salt).decode()
    stale = base64.b64encode(bytes(32)).decode()
    context.add_init_script(f"sessionStorage.setItem('tb-protect-key:{salt}', '{stale}')")
    page = context.new_page()
    page.goto((folder / "index.html").as_uri())
    page.get_by_label("Password", exact=True).wait_for(state="visible", timeout=WAIT_MS)
    assert page.evaluate(f"() => sessionStorage.getItem('tb-protect-key:{salt}')") is None


def test_without_webcrypto_the_page_says_why(site: Path, context: BrowserContext) -> None:
    context.add_init_script("Object.defineProperty(window.crypto, 'subtle', {get: () => undefined});")
    page = context.new_page()
    page.goto((site / "amy-jones" / "index.html").as_uri())
    notice = page.locator("#tb-protect-no-crypto")
    notice.wait_for(state="visible", timeout=WAIT_MS)
    assert "https://" in notice.inner_text()
    assert not page.locator("#tb-protect-form").is_visible()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_unlock_page_is_accessible(site: Path, browser: Browser, width: int) -> None:
    made = browser.new_context(viewport={"width": width, "height": 844})
    try:
        page = made.new_page()
        page.goto((site / "amy-jones" / "index.html").as_uri())
        page.get_by_label("Password", exact=True).wait_for()
        unlock(page, "wrong-password-here-2")
        page.locator("#tb-protect-message").filter(has_text="did not open").wait_for(timeout=WAIT_MS)
        violations = run_axe(page)
        assert not violations, describe_violations(violations)
        assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    finally:
        made.close()


def test_it_opens_over_http_on_localhost_too(site: Path, context: BrowserContext) -> None:
    with serve_folder(site) as base:
        page = context.new_page()
        requests = RequestLog(f"{base}/amy-jones/")
        requests.attach(page)
        page.goto(f"{base}/amy-jones/index.html")
        unlock(page, PASSWORDS["amy-jones"])
        opened(page)
        page.goto(f"{base}/amy-jones/about-me.html")
        opened(page)
        assert "My cat, Biscuit." in page.evaluate("() => document.body.innerText")
        assert images_not_loaded(page) == []
        assert not requests.problems(), requests.problems()
