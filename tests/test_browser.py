"""End-to-end tests of the pupils' sites in headless Chromium, as a pupil or a parent uses them.

The example school is built once per session; one browser serves every test. The checks:
axe-core finds no WCAG 2.2 AA violation on any page, at a phone's and a laptop's width and in
every colour scheme; every control is reached by Tab in order and visibly focused, never
under the sticky header; the reading preferences and read-aloud work by keyboard and the
preferences are remembered; from a folder on disk (file://) every page has its styles, fonts,
images and working links; served over HTTP no request goes anywhere else or fails. Full-page
screenshots of every page go to test-artifacts/screenshots/<pupil>/<page>-<width>.png.

They need Debian's chromium at /usr/bin/chromium (no browser is ever downloaded): without it they
are skipped, except when the CI environment variable is set, where that is a failure.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin

import pytest

from tests.browser_support import (
    FOCUSED,
    PREFERENCES_KEY,
    SCREENSHOTS,
    WIDTHS,
    RequestLog,
    describe_violations,
    finish_axe,
    focus_problems,
    is_relative_link,
    launched_chromium,
    new_page,
    open_all_details,
    page_problems,
    require_browser,
    run_axe,
    serve_folder,
    settle,
    start_axe,
    walk_tab_order,
)
from tests.conftest import EXAMPLE
from transition_booklets.build.pipeline import build_cohort
from transition_booklets.build.settings import BuildOptions
from transition_booklets.site.pages import PAGES

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser

PUPILS = sorted(path.stem for path in EXAMPLE.glob("*.yaml") if path.name != "school.yaml")
PAGE_NAMES = [page.name for page in PAGES]
OpenPage = Callable[..., "Page"]


# ---- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example school's sites, built once for every browser test."""
    require_browser()
    root = tmp_path_factory.mktemp("browser")
    result = build_cohort(BuildOptions(data_dir=EXAMPLE, out_dir=root / "site", staff_dir=root / "staff", pdf=False))
    assert result.ok, result.problems
    assert sorted(result.built) == PUPILS
    return root / "site"


# The browser and the server live as long as this module, not the session: Playwright's sync API
# cannot run twice at once in one process (tests/test_browser_protect.py starts its own), and the
# build forks its workers, which is safest with no browser threads about.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def server(built_site: Path) -> Iterator[str]:
    with serve_folder(built_site) as base:
        yield base


@pytest.fixture
def open_page(browser: Browser) -> Iterator[OpenPage]:
    """``open_page(width, preferences=None, init_scripts=())``: a page in a fresh context, closed afterwards."""
    contexts: list[BrowserContext] = []

    def factory(**options: Any) -> BrowserContext:
        context = browser.new_context(**options)
        contexts.append(context)
        return context

    def make(width: int, preferences: dict[str, str] | None = None, init_scripts: tuple[str, ...] = ()) -> Page:
        return new_page(factory, width, preferences, init_scripts)

    yield make
    for context in contexts:
        context.close()


def url(site: Path, pupil: str, name: str) -> str:
    return (site / pupil / f"{name}.html").as_uri()


# ---- accessibility: axe-core -------------------------------------------------------------------


def check_axe(
    pages: tuple[Page, Page], site: Path, pupil: str, label: str, font: str = "Atkinson Hyperlegible Next"
) -> None:
    """axe on every page with every <details> open (the preferences, the timetable's days), so that what
    they hide is checked too; the first page is also checked as it loads, with the preferences closed.
    Two pages are checked at once, one in each context."""
    failures: list[str] = []
    running: dict[int, tuple[str, list[dict[str, Any]]]] = {}

    def collect(slot: int) -> None:
        name, violations = running.pop(slot)
        violations = violations + finish_axe(pages[slot])
        if violations:
            failures.append(f"{pupil}/{name}.html ({label}):\n{describe_violations(violations)}")
        failures.extend(f"{pupil}/{name}.html ({label}): {problem}" for problem in page_problems(pages[slot], font))

    for number, name in enumerate(PAGE_NAMES):
        slot = number % len(pages)
        if slot in running:
            collect(slot)
        page = pages[slot]
        page.goto(url(site, pupil, name))
        settle(page)
        as_loaded = run_axe(page) if name == "index" else []
        open_all_details(page)
        start_axe(page)
        running[slot] = (name, as_loaded)
    for slot in sorted(running):
        collect(slot)
    assert not failures, "axe-core found accessibility problems:\n" + "\n".join(failures)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("pupil", PUPILS)
def test_axe_finds_no_violations(built_site: Path, open_page: OpenPage, pupil: str, width: int) -> None:
    pages = (open_page(width), open_page(width))
    check_axe(pages, built_site, pupil, f"{width}px, standard colours")


# The cream scheme is checked with the other preferences at their largest too: the biggest text,
# wide spacing and the dyslexia-friendly font must still fit a phone, with big enough targets.
SCHEMES = {
    "cream": {"scheme": "cream", "size": "larger", "spacing": "wide", "font": "dyslexic"},
    "dark": {"scheme": "dark"},
}


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("pupil", PUPILS)
def test_axe_finds_no_violations_in_every_colour_scheme(
    built_site: Path, open_page: OpenPage, pupil: str, scheme: str
) -> None:
    preferences = SCHEMES[scheme]
    pages = (open_page(390, preferences=preferences), open_page(390, preferences=preferences))
    font = "OpenDyslexic" if preferences.get("font") == "dyslexic" else "Atkinson Hyperlegible Next"
    check_axe(pages, built_site, pupil, f"390px, {', '.join(preferences.values())}", font)


# ---- keyboard ----------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("pupil", PUPILS)
def test_every_control_is_reached_by_tab_in_order_and_visibly_focused(
    built_site: Path, open_page: OpenPage, pupil: str, width: int
) -> None:
    page = open_page(width)
    failures = []
    for name in PAGE_NAMES:
        for backwards in (False, True) if width == min(WIDTHS) else (False,):
            page.goto(url(built_site, pupil, name))
            expected, reached, problems = walk_tab_order(page, backwards=backwards)
            direction = "Shift+Tab" if backwards else "Tab"
            if reached != expected:
                missing = [stop for stop in expected if stop not in reached]
                failures.append(
                    f"{pupil}/{name}.html at {width}px, {direction}: the focus order is not the page order\n"
                    f"    expected: {expected}\n    reached:  {reached}\n    never reached: {missing}"
                )
            failures.extend(
                f"{pupil}/{name}.html at {width}px, {direction}: {problem}" for problem in dict.fromkeys(problems)
            )
    assert not failures, "\n".join(failures)


def tab_to(page: Page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching ``selector`` has the focus, checking each stop on the way."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("sel => document.activeElement && document.activeElement.matches(sel)", selector):
            assert_visibly_focused(page)
            return
    raise AssertionError(f"Tab never reached {selector}")


def assert_visibly_focused(page: Page) -> None:
    focused = page.evaluate(FOCUSED)
    assert focused is not None, "nothing has the focus"
    problems = focus_problems(focused)
    assert not problems, problems


def html_attributes(page: Page) -> dict[str, str | None]:
    return dict(
        page.evaluate(
            "() => Object.fromEntries(['size', 'spacing', 'font', 'scheme'].map("
            "k => [k, document.documentElement.getAttribute('data-tb-' + k)]))"
        )
    )


def saved_preferences(page: Page) -> dict[str, str]:
    return dict(json.loads(page.evaluate(f"localStorage.getItem({PREFERENCES_KEY!r}) || '{{}}'")))


CHOSEN = {"size": "large", "spacing": "wide", "scheme": "dark", "font": "dyslexic"}


def test_reading_preferences_work_by_keyboard_and_are_remembered(built_site: Path, open_page: OpenPage) -> None:
    page = open_page(390)
    page.goto(url(built_site, "amy-jones", "index"))
    assert html_attributes(page) == dict.fromkeys(CHOSEN)

    tab_to(page, "summary.tb-button")
    page.keyboard.press("Enter")
    assert page.evaluate("document.querySelector('details.tb-prefs').open"), (
        "Enter did not open the reading preferences"
    )
    page.keyboard.press("Tab")  # the text size: A, A+, A++ (arrow keys move within a radio group)
    assert page.evaluate("document.activeElement.name") == "size"
    assert_visibly_focused(page)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")  # spacing
    assert page.evaluate("document.activeElement.name") == "spacing"
    assert_visibly_focused(page)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")  # colours: standard, cream, dark
    assert page.evaluate("document.activeElement.name") == "scheme"
    assert_visibly_focused(page)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")  # the dyslexia-friendly font
    assert page.evaluate("document.activeElement.name") == "font"
    assert_visibly_focused(page)
    page.keyboard.press("Space")

    assert html_attributes(page) == CHOSEN
    assert saved_preferences(page) == CHOSEN
    looks = page.evaluate(
        "() => [getComputedStyle(document.documentElement).fontSize, getComputedStyle(document.body).fontFamily,"
        " getComputedStyle(document.body).backgroundColor]"
    )
    assert looks[0] == "23.2px", f"text size A+ should make the root font 145% of 16px, not {looks[0]}"
    assert looks[1].startswith("OpenDyslexic"), looks[1]
    assert looks[2] == "rgb(21, 25, 29)", f"the dark scheme's background is {looks[2]}"

    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.matches('summary.tb-button')")
    page.keyboard.press("Enter")
    assert not page.evaluate("document.querySelector('details.tb-prefs').open"), "Enter did not close the preferences"

    # Another page, opened with the keyboard from a tile: the choices carry over, and the form shows them.
    tab_to(page, "a.tb-tile[href='places.html']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/places.html")
    assert html_attributes(page) == CHOSEN
    checked = page.evaluate(
        "() => [...document.querySelectorAll('[data-tb-preferences] input:checked')].map(i => i.name + '=' + i.value)"
    )
    assert sorted(checked) == ["font=dyslexic", "scheme=dark", "size=large", "spacing=wide"]

    page.reload()
    assert html_attributes(page) == CHOSEN

    # The small script in the page's head applies them before anything is drawn, even without transition.js.
    page.route("**/transition.js", lambda route: route.abort())
    page.goto(url(built_site, "amy-jones", "family"))
    assert html_attributes(page) == CHOSEN
    page.unroute("**/transition.js")

    # Back to the standard settings, by keyboard again.
    page.goto(url(built_site, "amy-jones", "index"))
    tab_to(page, "summary.tb-button")
    page.keyboard.press("Enter")
    for group, presses in (("size", 1), ("spacing", 1), ("scheme", 1)):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.name") == group
        for _ in range(presses):
            page.keyboard.press("ArrowLeft" if group != "scheme" else "ArrowRight")  # dark → (wraps to) standard
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert html_attributes(page) == dict.fromkeys(CHOSEN)
    assert saved_preferences(page) == {"size": "normal", "spacing": "normal", "scheme": "default", "font": "normal"}


SPEECH_STUB = """
(() => {
    window.__spoken = [];
    window.__cancelled = 0;
    const synth = {
        speaking: false, pending: false, paused: false,
        speak(utterance) { window.__spoken.push(utterance.text); window.__utterance = utterance; this.speaking = true; },
        cancel() { window.__cancelled += 1; this.speaking = false; },
        pause() {}, resume() {}, getVoices() { return []; },
        addEventListener() {}, removeEventListener() {},
    };
    Object.defineProperty(window, "speechSynthesis", {value: synth, configurable: true});
    if (typeof window.SpeechSynthesisUtterance === "undefined") {
        window.SpeechSynthesisUtterance = function (text) { this.text = text; };
    }
})();
"""
NO_SPEECH = "delete window.speechSynthesis; delete Window.prototype.speechSynthesis;"


def test_read_aloud_is_offered_only_where_the_browser_can_speak(built_site: Path, open_page: OpenPage) -> None:
    page = open_page(390, init_scripts=(NO_SPEECH,))
    page.goto(url(built_site, "amy-jones", "index"))
    assert not page.evaluate("'speechSynthesis' in window")
    assert page.locator("[data-tb-read-aloud]").is_hidden(), "the read-aloud button shows where nothing can speak"
    marked = page.evaluate("[...document.querySelectorAll('[data-tb-read-aloud]')].map(b => b.checkVisibility())")
    assert marked == [False]


def test_read_aloud_speaks_the_page_by_keyboard(built_site: Path, open_page: OpenPage) -> None:
    page = open_page(390, init_scripts=(SPEECH_STUB,))
    page.goto(url(built_site, "amy-jones", "index"))
    button = page.locator("[data-tb-read-aloud]")
    assert button.is_visible()
    # Announced once: one name, and a pressed state while it reads (not a second, changing name).
    name = "Read this page aloud"
    assert page.get_by_role("button", name=name, exact=True, pressed=False).count() == 1

    tab_to(page, "[data-tb-read-aloud]")
    page.keyboard.press("Enter")
    assert page.evaluate("window.__spoken") == ["Hello Amy!"], "one part at a time, the page's first first"
    assert page.get_by_role("button", name=name, exact=True, pressed=True).count() == 1
    marked = page.evaluate("() => [...CSS.highlights.get('tb-reading')].map(range => range.toString())")
    assert marked == ["Hello Amy!"], "the sentence being read is marked"
    assert_visibly_focused(page)
    page.evaluate("window.__utterance.onend()")  # the first part is read: the next one follows

    page.keyboard.press("Space")  # pause
    assert page.evaluate("window.__cancelled") == 1
    assert button.get_attribute("aria-pressed") == "false"
    assert page.evaluate("() => CSS.highlights.has('tb-reading')") is False, "no mark while paused"
    paused_at = len(page.evaluate("window.__spoken"))

    page.keyboard.press("Enter")  # go on from where it paused, not from the top
    spoken = read_to_the_end(page)
    assert spoken[paused_at] == spoken[paused_at - 1] and "Hello Amy!" not in spoken[paused_at:]
    text = " ".join(spoken)
    assert "Riverside Academy" in text and "Reading preferences" not in text, "the toolbar is not read out"
    assert button.get_attribute("aria-pressed") == "false", "at the end it stops by itself"


def read_to_the_end(page: Page) -> list[str]:
    """Let the stub speech finish each part until the reading ends; every part that was spoken."""
    return list(
        page.evaluate(
            """() => { const button = document.querySelector('[data-tb-read-aloud]');
                for (let guard = 0; button.getAttribute('aria-pressed') === 'true' && guard < 5000; guard += 1)
                    window.__utterance.onend();
                return window.__spoken; }"""
        )
    )


@pytest.mark.parametrize("pupil", PUPILS)
def test_read_aloud_reads_the_page_as_it_is_shown(built_site: Path, open_page: OpenPage, pupil: str) -> None:
    """Golden texts (tests/golden/read-aloud/): what is handed to speech for each page, one line a part.
    No hidden words ("Today" on another day), nothing joined across blocks, pins with their places."""
    import datetime as dt

    from tests.conftest import check_golden

    page = open_page(390, init_scripts=(SPEECH_STUB,))
    page.clock.set_fixed_time(dt.datetime(2026, 12, 1, 10, 0))  # the countdowns say the same every run
    for name in PAGE_NAMES:
        page.goto(url(built_site, pupil, name))
        hidden = page.evaluate(
            "() => [...document.querySelectorAll('.md-content [hidden]')].map(e => e.textContent.trim()).filter(Boolean)"
        )
        seen = page.evaluate("() => document.querySelector('.md-content__inner').innerText")
        page.locator("[data-tb-read-aloud]").click()
        spoken = read_to_the_end(page)
        page.evaluate("window.__spoken = []")
        for words in hidden:
            if words not in seen:  # words only a hidden element has ("Today" on another day)
                assert not any(words in line for line in spoken), f"{name}: hidden '{words}' was read"
        check_golden(f"read-aloud/{pupil}/{name}.txt", "\n".join(spoken) + "\n")


def test_menu_opens_and_closes_by_keyboard_on_a_phone(built_site: Path, open_page: OpenPage) -> None:
    page = open_page(390)
    page.goto(url(built_site, "jordan-reid", "timetable"))
    menu = "button.tb-menu-button"
    assert page.locator(".md-sidebar--primary a.md-nav__link").first.is_hidden(), (
        "the closed menu's links can be reached"
    )
    tab_to(page, menu)
    assert page.get_attribute(menu, "aria-expanded") == "false"
    assert page.get_attribute(menu, "aria-label")
    page.keyboard.press("Enter")
    assert page.get_attribute(menu, "aria-expanded") == "true"
    page.wait_for_function("document.activeElement.matches('.md-nav__link--active')")
    page.wait_for_timeout(300)  # the drawer slides in
    assert_visibly_focused(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "places.html"
    assert_visibly_focused(page)
    page.keyboard.press("Escape")
    assert page.get_attribute(menu, "aria-expanded") == "false"
    assert page.evaluate(f"document.activeElement.matches({menu!r})")
    page.keyboard.press("Space")
    page.wait_for_function("document.activeElement.matches('.md-nav__link--active')")
    with page.expect_navigation():
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Enter")
    assert page.url.endswith("/first-days.html")


def test_a_linked_place_is_not_hidden_under_the_header(built_site: Path, open_page: OpenPage) -> None:
    for width in WIDTHS:
        page = open_page(width)
        page.goto(url(built_site, "amy-jones", "timetable"))
        with page.expect_navigation():
            page.locator("a[href^='places.html#place-']").first.click()
        page.wait_for_load_state()
        fragment = page.url.split("#", 1)[1]
        tops = page.evaluate(
            "id => [document.getElementById(id).getBoundingClientRect().top,"
            " document.querySelector('.md-header').getBoundingClientRect().bottom]",
            fragment,
        )
        assert tops[0] >= tops[1] - 1, f"at {width}px the place's card starts under the header: {tops}"


# ---- from a folder on disk (file://) ------------------------------------------------------------


@pytest.mark.parametrize("pupil", PUPILS)
def test_every_page_works_from_a_folder(built_site: Path, open_page: OpenPage, pupil: str) -> None:
    from playwright.sync_api import Error as PlaywrightError

    folder = built_site / pupil
    page = open_page(390)
    log = RequestLog(prefix=folder.as_uri() + "/")
    log.attach(page)
    failures: list[str] = []
    links: dict[str, set[str]] = {}  # target file URL → fragments linked to, from which pages
    for name in PAGE_NAMES:
        address = url(built_site, pupil, name)
        log.clear()
        page.goto(address)
        settle(page)
        log.wait_until_idle(page)
        failures += [f"{name}.html: {problem}" for problem in page_problems(page) + log.problems()]
        hrefs: list[str] = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
        ids = set(page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)"))
        for href in hrefs:
            if href.startswith("#") and href[1:] not in ids:
                failures.append(f"{name}.html: the link {href!r} points to no element on the page")
            if is_relative_link(href):
                target, fragment = urldefrag(urljoin(address, href))
                links.setdefault(target, set()).add(f"{fragment}|{name}.html|{href}")

    # Follow every relative link once: the target opens (a page of this site, or a file to download).
    follower = open_page(390)
    for target, uses in sorted(links.items()):
        sources = sorted({use.split("|")[1] for use in uses})
        hrefs = sorted({use.split("|")[2] for use in uses})
        path = Path(target.removeprefix("file://"))
        where = f"the link {hrefs[0]!r} on {', '.join(sources)}"
        if not target.startswith(folder.as_uri() + "/"):
            failures.append(f"{where} leaves the pupil's folder")
            continue
        if target.endswith("/") or path.is_dir():
            failures.append(
                f"{where} points to a folder, which opens a file listing (or nothing) on disk; link the .html file"
            )
            continue
        if not target.endswith(".html"):
            if not path.is_file():
                failures.append(f"{where} points to a missing file: {path.relative_to(folder)}")
            continue
        try:
            follower.goto(target)
        except PlaywrightError as error:  # net::ERR_FILE_NOT_FOUND and the like
            failures.append(f"{where} does not open: {str(error).splitlines()[0]}")
            continue
        if not follower.locator("article.md-content__inner h1").count():
            failures.append(f"{where} opens a page with no heading")
        ids = set(follower.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)"))
        for use in sorted(uses):
            fragment, source, href = use.split("|")
            if fragment and fragment not in ids:
                failures.append(f"the link {href!r} on {source}: no element with id {fragment!r} on {path.name}")
    assert not failures, f"{pupil}, opened from a folder:\n" + "\n".join(failures)


@pytest.fixture(scope="module")
def urdu_family_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Amy's guide, her family reading Urdu: the family page comes right to left first."""
    import shutil

    root = tmp_path_factory.mktemp("urdu")
    shutil.copytree(EXAMPLE, root / "data")
    amy = root / "data" / "amy-jones.yaml"
    text = amy.read_text(encoding="utf-8").replace("name: Amelia Jones", "name: Amelia Jones\nfamily_language: ur", 1)
    amy.write_text(text, encoding="utf-8")
    options = BuildOptions(root / "data", root / "site", root / "staff", only=["amy-jones"], pdf=False, jobs=1)
    assert build_cohort(options).ok
    return root / "site"


@pytest.mark.parametrize("width", WIDTHS)
def test_a_right_to_left_family_page_is_accessible(urdu_family_site: Path, open_page: OpenPage, width: int) -> None:
    page = open_page(width)
    log = RequestLog(prefix=(urdu_family_site / "amy-jones").as_uri() + "/")
    log.attach(page)
    page.goto(url(urdu_family_site, "amy-jones", "family"))
    settle(page)
    part = page.locator(".tb-family-language")
    assert part.get_attribute("dir") == "rtl" and part.get_attribute("lang") == "ur"
    assert part.evaluate("element => getComputedStyle(element).direction") == "rtl"
    heading = part.locator("h1")
    box, content = heading.bounding_box(), page.locator(".md-content").bounding_box()
    assert box and content and box["x"] + box["width"] > content["x"] + content["width"] - 40, "set from the right"
    phone = part.locator('a[href^="tel:"]').first
    assert phone.evaluate("element => getComputedStyle(element).direction") == "ltr"
    assert page_problems(page) == [] and not log.problems(), log.problems()
    violations = run_axe(page)  # after the log is read: axe reads the stylesheets itself, which the policy stops
    assert not violations, describe_violations(violations)


# The two font files an English guide loaded before the fonts of other scripts came in
# (Atkinson Hyperlegible 1.0, regular and bold WOFF2): an English page must not weigh more.
ENGLISH_FONT_BYTES_BEFORE = 23_148 + 23_752


def test_an_english_page_loads_no_more_font_bytes_than_before(server: str, open_page: OpenPage) -> None:
    page = open_page(1280)
    page.goto(f"{server}/amy-jones/index.html")
    settle(page)
    loaded = page.evaluate(
        """() => performance.getEntriesByType('resource')
            .filter(entry => entry.name.endsWith('.woff2'))
            .map(entry => [entry.name.split('/').pop(), entry.encodedBodySize])"""
    )
    assert {name for name, _ in loaded} <= {
        "atkinson-hyperlegible-next-latin-400-normal.woff2",
        "atkinson-hyperlegible-next-latin-700-normal.woff2",
    }, loaded
    assert 0 < sum(size for _, size in loaded) <= ENGLISH_FONT_BYTES_BEFORE, loaded


def test_a_script_slipped_into_a_page_does_not_run(
    built_site: Path, open_page: OpenPage, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Each page's Content-Security-Policy: the page's own scripts run, one added to the page does not."""
    import shutil

    folder = tmp_path_factory.mktemp("policy") / "kai-morgan"
    shutil.copytree(built_site / "kai-morgan", folder)
    page_file = folder / "index.html"
    slipped = (
        '<script>window.tbSlipped = "inline";</script>'
        '<img src="x" alt="" onerror="window.tbSlipped = \'handler\'">'
        '<script src="data:text/javascript,window.tbSlipped=%22data%22"></script>'
    )
    page_file.write_text(
        page_file.read_text(encoding="utf-8").replace("</body>", slipped + "</body>"), encoding="utf-8"
    )
    page = open_page(390, preferences={"size": "large"})
    log = RequestLog(prefix=folder.as_uri() + "/")
    log.attach(page)
    page.goto(page_file.as_uri())
    settle(page)
    assert page.evaluate("() => window.tbSlipped === undefined"), "a slipped-in script ran"
    assert len(log.refused) >= 3, log.refused  # each of the three was stopped, and said so
    # The page's own scripts ran: the saved text size (inline, by hash) and the theme's script (from the folder).
    assert html_attributes(page)["size"] == "large"
    assert page.locator(".md-header [aria-controls]").count() == 1


# ---- over HTTP: nothing goes anywhere else -------------------------------------------------------


@pytest.mark.parametrize("pupil", PUPILS)
def test_no_request_leaves_the_pupils_folder_or_fails(server: str, open_page: OpenPage, pupil: str) -> None:
    page = open_page(1280)
    log = RequestLog(prefix=f"{server}/{pupil}/")
    log.attach(page)
    failures = []
    for name in PAGE_NAMES:
        log.clear()
        response = page.goto(f"{server}/{pupil}/{name}.html")
        assert response is not None and response.ok, f"{name}.html: {response.status if response else 'no response'}"
        open_all_details(page)  # anything inside a closed <details> loads too
        settle(page)
        log.wait_until_idle(page)
        failures += [f"{name}.html: {problem}" for problem in log.problems()]
        assert len(log.requests) > 3, f"{name}.html: too few requests recorded ({log.requests}); is the log attached?"
    assert not failures, f"{pupil}, served over HTTP:\n" + "\n".join(failures)


# ---- screenshots --------------------------------------------------------------------------------


@pytest.mark.parametrize("pupil", PUPILS)
def test_screenshots_of_every_page(built_site: Path, open_page: OpenPage, pupil: str) -> None:
    """Full-page screenshots for people to look at; each page must also fit the screen's width."""
    failures = []
    folder = SCREENSHOTS / pupil
    folder.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page = open_page(width)
        for name in PAGE_NAMES:
            page.goto(url(built_site, pupil, name))
            settle(page)
            failures += [f"{name}.html at {width}px: {problem}" for problem in page_problems(page)]
            page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_staff_report_fits_its_width(built_site: Path, open_page: OpenPage, width: int) -> None:
    """The wide readiness table scrolls in its own region; the page itself never scrolls sideways
    (the table's hidden words for each mark once pushed it to about 1,300 px)."""
    page = open_page(width)
    page.goto((built_site.parent / "staff" / "index.html").as_uri())
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    violations = run_axe(page)
    assert not violations, describe_violations(violations)


@pytest.fixture(scope="module")
def crowded_map_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Jordan's five key places moved into one corner of the school map, a few steps apart."""
    import shutil

    root = tmp_path_factory.mktemp("crowded")
    shutil.copytree(EXAMPLE, root / "data")
    school = root / "data" / "school.yaml"
    text = school.read_text(encoding="utf-8")
    for number, place_id in enumerate(("reception", "the-hub", "the-nest", "toilets-a", "science-lab")):
        text = re.sub(
            rf"(\n  {place_id}:\n(?:    .*\n)*?    map: )\{{x: [\d.]+, y: [\d.]+\}}",
            lambda match, number=number: f"{match.group(1)}{{x: {40 + number}, y: {50 + (number % 2)}}}",
            text,
            count=1,
        )
    school.write_text(text, encoding="utf-8")
    options = BuildOptions(root / "data", root / "site", root / "staff", only=["jordan-reid"], pdf=False, jobs=1)
    assert build_cohort(options).ok
    return root / "site"


@pytest.mark.parametrize("width", [320, 390])
def test_crowded_map_pins_stay_apart_on_a_phone(crowded_map_site: Path, open_page: OpenPage, width: int) -> None:
    page = open_page(width)
    page.goto(url(crowded_map_site, "jordan-reid", "places"))
    settle(page)
    centres = page.evaluate(
        "() => [...document.querySelectorAll('.tb-map a.tb-pin')].map(a => { const r = a.getBoundingClientRect();"
        " return [r.x + r.width / 2, r.y + r.height / 2, r.width]; })"
    )
    assert len(centres) == 5
    for index, (x, y, size) in enumerate(centres):
        for other_x, other_y, _ in centres[index + 1 :]:
            assert math.hypot(x - other_x, y - other_y) >= size, "no pin covers another"
    assert page.locator(".tb-map__leaders line").count() > 0, "moved pins have lines back to their places"
    violations = run_axe(page)
    assert not violations, describe_violations(violations)


def test_the_focus_ring_is_strong_on_white(built_site: Path, open_page: OpenPage) -> None:
    """The ring around what has the focus contrasts 3:1 or more with the white page (WCAG 1.4.11)."""
    from transition_booklets.pictures.colours import contrast

    page = open_page(390)
    page.goto(url(built_site, "amy-jones", "index"))
    page.keyboard.press("Tab")
    colour = page.evaluate("() => getComputedStyle(document.activeElement).outlineColor")
    red, green, blue = (int(part) for part in re.findall(r"\d+", colour)[:3])
    assert contrast(f"#{red:02x}{green:02x}{blue:02x}", "#ffffff") >= 3, colour


TODAY_CASES = [
    # (pupil, the date on the pupil's device, the timetable section whose day is "today" or None, the weekday)
    ("jordan-reid", "2026-12-01", None, None),  # before the first day: no day is today
    ("jordan-reid", "2027-01-06", "phase-1", "Wednesday"),  # week 1
    ("jordan-reid", "2027-01-08", "phase-1", "Friday"),  # week 1's last day
    ("jordan-reid", "2027-01-13", "phase-2", "Wednesday"),  # week 2
    ("jordan-reid", "2027-01-20", "full-timetable", "Wednesday"),  # weeks 3 and 4 use the full timetable
    ("amy-jones", "2027-09-01", None, None),  # the day before Amy starts
    ("amy-jones", "2027-09-06", "full-timetable", "Monday"),  # no phases: the one timetable
]


@pytest.mark.parametrize(("pupil", "date", "section", "weekday"), TODAY_CASES)
def test_today_is_marked_only_on_the_right_day(
    built_site: Path, open_page: OpenPage, pupil: str, date: str, section: str | None, weekday: str | None
) -> None:
    import datetime as dt

    page = open_page(390)
    page.clock.set_fixed_time(dt.datetime.fromisoformat(f"{date}T10:00:00"))
    page.goto(url(built_site, pupil, "timetable"))
    settle(page)
    marked = page.evaluate(
        "() => [...document.querySelectorAll('[data-tb-today-badge]')].filter(b => !b.hidden)"
        ".map(b => [b.closest('section') ? b.closest('section').id : '', b.closest('summary').innerText])"
    )
    if section is None:
        assert marked == [], f"no day is today on {date}: {marked}"
        countdown = page.locator(".tb-countdown").first
        assert countdown.is_visible() and "first day" in countdown.inner_text()
    else:
        assert len(marked) == 1, marked
        assert marked[0][0] == section and marked[0][1].startswith(weekday or ""), marked


def test_no_empty_landmark_and_text_sizes_named_for_what_they_do(built_site: Path, open_page: OpenPage) -> None:
    page = open_page(1000)  # between 960 and 1220 px Material kept an empty 12rem column for the contents
    page.goto(url(built_site, "amy-jones", "index"))
    empty = page.evaluate(
        "() => [...document.querySelectorAll('nav, aside, [role=navigation], [role=region]')]"
        ".filter(landmark => !landmark.textContent.trim()).map(landmark => landmark.outerHTML.slice(0, 80))"
    )
    assert empty == [], empty
    assert page.locator(".md-sidebar--secondary").count() == 0
    page.locator(".tb-prefs > summary").click()
    for name in ("Standard text", "Large text", "Largest text"):
        assert page.get_by_role("radio", name=name, exact=True).count() == 1, name


# Every combination of the reading preferences that change the layout (text size, spacing, font),
# on the narrowest phone (issue: "for every combination"; about a minute in CI).
FIT_PREFERENCES = [
    {"size": size, "spacing": spacing, "font": font}
    for size in ("normal", "large", "larger")
    for spacing in ("normal", "wide")
    for font in ("normal", "dyslexic")
]
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth, found = [];
  for (const element of document.querySelectorAll("body *")) {
    if (element.closest(".md-sidebar, .md-dialog") || element.classList.contains("tb-hidden-text")) continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0) continue;
    if (box.right > width + 1 || box.left < -1) found.push(`${element.tagName}.${element.className} runs off the screen`);
    const style = getComputedStyle(element);
    if (element.scrollWidth > element.clientWidth + 1 && ["hidden", "clip"].includes(style.overflowX) && element.clientWidth > 0)
      found.push(`${element.tagName}.${element.className} is cut off`);
  }
  return [document.documentElement.scrollWidth, found.slice(0, 5)];
}"""


@pytest.mark.parametrize("preferences", FIT_PREFERENCES, ids=lambda prefs: "-".join(prefs.values()))
def test_every_reading_preference_fits_a_320_pixel_phone(
    built_site: Path, open_page: OpenPage, preferences: dict[str, str]
) -> None:
    page = open_page(320, preferences)
    problems = []
    for pupil in PUPILS:
        for name in PAGE_NAMES:
            page.goto(url(built_site, pupil, name))
            settle(page)
            scroll_width, found = page.evaluate(OVERFLOW)
            if scroll_width > 320 or found:
                problems.append(f"{pupil}/{name}: {scroll_width} px wide; {found}")
    assert not problems, "\n".join(problems)
