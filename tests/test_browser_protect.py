"""Protected guides in headless Chromium, opened straight from a folder (file://) as a family would.

Before the password nothing personal is in the page; the right password opens it, links open
the other pages and the booklet without asking again, pictures and sound load; a wrong
password says so; "Close my guide", or half an hour without use, closes it; a browser without
WebCrypto says why it cannot open the guide. Every page's Content-Security-Policy stops
nothing the guide needs (each ``RequestLog`` reports what it stops).
"""

from __future__ import annotations

import base64
import json
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
from transition_booklets.protect.encrypt import IDLE_MINUTES, decrypt_file, protect_folder, read_sealed

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
        BuildOptions(data_dir=EXAMPLE, out_dir=root / "site", staff_dir=root / "staff", only=list(PROTECTED))
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
    kept = json.loads(stored[0][1])
    assert len(base64.b64decode(kept["key"])) == 32 and set(kept) == {"key", "used"}
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
    stale = base64.b64encode(bytes(32)).decode()  # a key of the right form that opens nothing
    context.add_init_script(
        f"sessionStorage.setItem('tb-protect-key:{salt}', JSON.stringify({{key: '{stale}', used: Date.now()}}))"
    )
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


def kept_keys(page: Page) -> list[str]:
    return list(page.evaluate("() => Object.keys(sessionStorage).filter(k => k.startsWith('tb-protect-key:'))"))


def test_the_booklet_opens_with_the_key_already_given_and_saves_as_a_pdf(site: Path, context: BrowserContext) -> None:
    folder = site / "amy-jones"
    page, requests = watched(context, folder)
    page.goto((folder / "family.html").as_uri())
    unlock(page, PASSWORDS["amy-jones"])
    opened(page)
    page.locator('.md-content a[href="booklet.html"]').click()
    page.get_by_role("heading", name="Your booklet is ready").wait_for(timeout=WAIT_MS)
    assert not page.get_by_label("Password", exact=True).is_visible(), "no second password for the booklet"
    assert page.title() == "Protected booklet"
    opener = page.get_by_role("link", name="Open the booklet")
    assert opener.evaluate("a => a === document.activeElement"), "the focus goes to what comes next"
    assert opener.get_attribute("href").startswith("blob:") and opener.get_attribute("target") == "_blank"
    with page.expect_download() as download:
        page.get_by_role("link", name="Save the booklet").click()
    saved = Path(download.value.path()).read_bytes()
    name, content = decrypt_file((folder / "booklet.html").read_text(encoding="utf-8"), PASSWORDS["amy-jones"])
    assert download.value.suggested_filename == name == "booklet.pdf"
    assert saved == content and saved.startswith(b"%PDF-")
    violations = run_axe(page)
    assert not violations, describe_violations(violations)
    page.get_by_role("link", name="Back to my guide").click()
    opened(page)
    assert not requests.problems(), requests.problems()


def test_a_booklet_opened_first_asks_for_the_password(site: Path, context: BrowserContext) -> None:
    folder = site / "jordan-reid"
    page, requests = watched(context, folder)
    page.goto((folder / "booklet-print.html").as_uri())
    page.get_by_role("heading", name="Your booklet is protected").wait_for(timeout=WAIT_MS)
    page.get_by_label("Password", exact=True).fill(PASSWORDS["jordan-reid"])
    page.get_by_role("button", name="Open the booklet").click()
    page.get_by_role("heading", name="Your booklet is ready").wait_for(timeout=WAIT_MS)
    assert page.get_by_role("link", name="Save the booklet").get_attribute("download") == "booklet-print.pdf"
    # The same key opens the guide's pages: no second password.
    page.goto((folder / "index.html").as_uri())
    opened(page)
    assert not requests.problems(), requests.problems()


def test_close_my_guide_forgets_the_key_at_once(site: Path, context: BrowserContext) -> None:
    folder = site / "amy-jones"
    page, requests = watched(context, folder)
    page.goto((folder / "keyworker.html").as_uri())
    unlock(page, PASSWORDS["amy-jones"])
    opened(page)
    page.get_by_role("button", name="Close my guide").click()
    page.get_by_label("Password", exact=True).wait_for(state="visible", timeout=WAIT_MS)
    assert "Your guide is closed" in page.locator("#tb-protect-status").inner_text()
    assert kept_keys(page) == []
    assert "Ms Khan" not in page.evaluate("() => document.body.innerText")
    # Another page, or Back, asks for the password again: nothing is shown from the browser's memory.
    page.goto((folder / "places.html").as_uri())
    page.get_by_label("Password", exact=True).wait_for(state="visible", timeout=WAIT_MS)
    page.go_back()
    page.get_by_label("Password", exact=True).wait_for(state="visible", timeout=WAIT_MS)
    assert "Ms Khan" not in page.evaluate("() => document.body.innerText")
    assert "Your guide is closed" not in page.locator("#tb-protect-status").inner_text(), "said once"
    assert not requests.problems(), requests.problems()


def test_the_guide_closes_itself_after_half_an_hour_without_use(site: Path, context: BrowserContext) -> None:
    assert IDLE_MINUTES == 30
    folder = site / "amy-jones"
    page, requests = watched(context, folder)
    page.clock.install()
    page.goto((folder / "index.html").as_uri())
    unlock(page, PASSWORDS["amy-jones"])
    opened(page)
    # Twenty minutes, a key press, twenty more: still open, since it was used in the last half hour.
    page.clock.fast_forward("20:00")
    page.keyboard.press("Tab")
    page.clock.fast_forward("20:00")
    assert page.locator(".md-content").count() == 1 and kept_keys(page)
    # Then half an hour with nothing: it closes by itself and says why.
    page.clock.fast_forward("31:00")
    page.get_by_label("Password", exact=True).wait_for(state="visible", timeout=WAIT_MS)
    assert "closed by itself after 30 minutes" in page.locator("#tb-protect-status").inner_text()
    assert kept_keys(page) == []
    assert "Hello Amy" not in page.evaluate("() => document.body.innerText")
    assert not requests.problems(), requests.problems()


def test_a_key_kept_from_more_than_half_an_hour_ago_is_not_used(site: Path, context: BrowserContext) -> None:
    folder = site / "amy-jones"
    shell = (folder / "index.html").read_text(encoding="utf-8")
    salt = base64.b64encode(read_sealed(shell).salt).decode()
    page = context.new_page()
    page.goto((folder / "index.html").as_uri())
    unlock(page, PASSWORDS["amy-jones"])
    opened(page)
    # The tab was left: its kept key was last used 31 minutes ago.
    page.evaluate(
        """salt => { const name = 'tb-protect-key:' + salt; const kept = JSON.parse(sessionStorage.getItem(name));
                     kept.used = Date.now() - 31 * 60 * 1000; sessionStorage.setItem(name, JSON.stringify(kept)); }""",
        salt,
    )
    page.goto((folder / "about-me.html").as_uri())
    page.get_by_label("Password", exact=True).wait_for(state="visible", timeout=WAIT_MS)
    assert "closed by itself" in page.locator("#tb-protect-status").inner_text()
    assert kept_keys(page) == []
