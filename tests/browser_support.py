"""Helpers for the end-to-end tests in headless Chromium (tests/test_browser.py).

The browser is Debian's ``chromium`` package, driven by Playwright; no step downloads a
browser. Without ``/usr/bin/chromium`` the browser tests are skipped on a developer's
machine, but fail when the ``CI`` environment variable is set, so CI can never pass by
quietly running none of them.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib.util
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, Response

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # No host name resolves except the local test server's: a page that asks for another host fails
    # at once, and nothing leaves this machine even in the tests that do not watch the requests.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
WIDTHS = (390, 1280)  # a phone and a laptop
VIEWPORT_HEIGHT = 844
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PREFERENCES_KEY = "tb-preferences"

# WCAG 2.0, 2.1 and 2.2 A and AA. "best-practice" adds axe's landmark and heading-order rules,
# which no WCAG tag covers but which matter to a pupil using a screen reader.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_browser() -> None:
    """Skip the calling test when Chromium or the Python packages are missing; fail instead in CI."""
    missing = []
    if not CHROMIUM.is_file():
        missing.append(f"{CHROMIUM} (Debian's chromium package: apt-get install chromium)")
    for module, package in (("playwright", "playwright"), ("axe_playwright_python", "axe-playwright-python")):
        if importlib.util.find_spec(module) is None:
            missing.append(f"the Python package {package} (pip install -e '.[test]')")
    if not missing:
        return
    reason = "the browser tests need " + " and ".join(missing)
    if in_ci():
        pytest.fail(f"{reason}; CI is set, so a missing browser is a failure, not a skip", pytrace=False)
    pytest.skip(reason)


# ---- axe-core --------------------------------------------------------------------------------


@contextlib.contextmanager
def launched_chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, for as long as the ``with`` block (skips when it is missing)."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@functools.cache
def _axe_script() -> str:
    from axe_playwright_python.base import AXE_SCRIPT

    return str(AXE_SCRIPT)


def start_axe(page: Page) -> None:
    """Start axe-core on the page as it is now, without waiting: pages in other contexts run in
    other processes, so two pages can be checked at once on two cores."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_script())
    page.evaluate(
        """tags => { window.__tbAxe = axe.run(document,
            {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]}).then(results => results.violations); }""",
        AXE_TAGS,
    )


def finish_axe(page: Page) -> list[dict[str, Any]]:
    """The violations found by the run ``start_axe`` started on the page."""
    return list(page.evaluate("window.__tbAxe"))


def run_axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now."""
    start_axe(page)
    return finish_axe(page)


def describe_violations(violations: list[dict[str, Any]], limit: int = 4) -> str:
    """One paragraph per violated rule: what, why, and the first few elements with axe's advice."""
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        lines.append(f"  {violation['id']} ({violation['impact']}, {len(nodes)} element(s)): {violation['help']}")
        for node in nodes[:limit]:
            lines.append(f"    at {' > '.join(map(str, node['target']))}: {' '.join(node['html'].split())[:160]}")
            summary = " ".join(node.get("failureSummary", "").split())
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(nodes) > limit:
            lines.append(f"    … and {len(nodes) - limit} more")
    return "\n".join(lines)


def open_all_details(page: Page) -> None:
    """Open every <details> (preferences, timetable days, transcripts) so axe sees what they hide."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


# ---- pages -------------------------------------------------------------------------------------


def new_page(
    context_factory: Any, width: int, preferences: dict[str, str] | None = None, init_scripts: tuple[str, ...] = ()
) -> Page:
    """A page in a fresh browser context ``width`` CSS pixels wide, with saved reading preferences."""
    context: BrowserContext = context_factory(
        viewport={"width": width, "height": VIEWPORT_HEIGHT}, device_scale_factor=1, reduced_motion="reduce"
    )
    if preferences:
        value = json.dumps(json.dumps(preferences))
        context.add_init_script(f"try {{ localStorage.setItem({PREFERENCES_KEY!r}, {value}); }} catch (e) {{}}")
    for script in init_scripts:
        context.add_init_script(script)
    return context.new_page()


def settle(page: Page) -> None:
    """Scroll through the page so every image is requested, then wait for images and fonts."""
    page.evaluate(
        """async () => {
            const step = Math.max(200, window.innerHeight - 100);
            for (let y = 0; y < document.documentElement.scrollHeight; y += step) {
                window.scrollTo(0, y);
                await new Promise(requestAnimationFrame);
            }
            await Promise.all([...document.images].map(img => img.complete ? null :
                new Promise(done => { img.addEventListener("load", done); img.addEventListener("error", done); })));
            await document.fonts.ready;
            window.scrollTo(0, 0);
        }"""
    )


def page_problems(page: Page, font: str = "Atkinson Hyperlegible Next") -> list[str]:
    """Styles, the ``font``, images that did not load, and sideways scrolling (call ``settle`` first)."""
    return list(
        page.evaluate(
            """font => {
                const problems = [];
                const style = sel => { const el = document.querySelector(sel); return el ? getComputedStyle(el) : null; };
                const header = style(".md-header");
                if (!header || header.position !== "sticky")
                    problems.push("Material's stylesheet is not applied (the header is not sticky)");
                const toolbar = style(".tb-toolbar");
                if (!toolbar || toolbar.display !== "flex")
                    problems.push("transition.css is not applied (the toolbar is not laid out)");
                const faces = [...document.fonts].filter(face =>
                    face.family.replace(/["']/g, "") === font && face.status === "loaded");
                for (const weight of ["400", "700"])
                    if (!faces.some(face => face.weight === weight))
                        problems.push(`the font ${font} (weight ${weight}) did not load`);
                if (!document.fonts.check(`1em "${font}"`))
                    problems.push(`document.fonts.check says ${font} is not ready`);
                for (const img of document.images)
                    if (!img.complete || img.naturalWidth === 0)
                        problems.push(`image did not load: ${img.getAttribute("src")}`);
                if (document.documentElement.scrollWidth > document.documentElement.clientWidth + 1)
                    problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth}px wide ` +
                                  `on a ${document.documentElement.clientWidth}px screen`);
                return problems;
            }""",
            font,
        )
    )


def is_relative_link(href: str) -> bool:
    """``places.html#place-hub`` is; ``#top``, ``/x.html``, ``https://…``, ``mailto:…`` and ``tel:…`` are not."""
    href = href.strip()
    parts = urlsplit(href)
    return bool(href) and not href.startswith(("#", "/")) and not parts.scheme and not parts.netloc


# ---- requests ----------------------------------------------------------------------------------


@dataclass
class RequestLog:
    """Every request a page makes; requests outside the pupil's own folder are refused and reported."""

    prefix: str  # the pupil's folder: "file:///…/site/amy-jones/" or "http://127.0.0.1:port/amy-jones/"
    requests: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    bad_status: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # what the page's Content-Security-Policy stopped
    pending: set[Request] = field(default_factory=set)

    def is_own(self, url: str) -> bool:
        return url.startswith((self.prefix, "data:", "blob:", "about:"))

    def attach(self, page: Page) -> None:
        page.on("request", self._on_request)
        page.on("requestfailed", self._on_failed)
        page.on("requestfinished", self._on_finished)
        page.on("response", self._on_response)
        page.on("console", self._on_console)
        # Nothing leaves this machine, even when a page asks for it: the request is recorded, then refused.
        page.route(lambda url: not self.is_own(url), lambda route: route.abort("blockedbyclient"))

    def _on_request(self, request: Request) -> None:
        self.pending.add(request)
        self.requests.append(request.url)
        if not self.is_own(request.url):
            self.foreign.append(f"{request.resource_type} {request.url}")

    def _on_finished(self, request: Request) -> None:
        self.pending.discard(request)

    def _on_failed(self, request: Request) -> None:
        self.pending.discard(request)
        # Chromium cancels a page's late requests (the favicon) when the next page opens: net::ERR_ABORTED.
        # A missing file shows as HTTP 404 or net::ERR_FILE_NOT_FOUND instead.
        if self.is_own(request.url) and request.failure != "net::ERR_ABORTED":
            self.failed.append(f"{request.url}: {request.failure}")

    def _on_console(self, message: ConsoleMessage) -> None:
        # Chromium reports each thing a Content-Security-Policy stops as a console error.
        if message.type == "error" and "Content Security Policy" in message.text:
            self.refused.append(message.text)

    def _on_response(self, response: Response) -> None:
        if response.status >= 400:
            self.bad_status.append(f"{response.url}: HTTP {response.status}")

    def wait_until_idle(self, page: Page, timeout: float = 5.0) -> None:
        """Let every request that has started finish (or fail) before the problems are read."""
        for _ in range(int(timeout / 0.025)):
            if not self.pending:
                return
            page.wait_for_timeout(25)

    def problems(self) -> list[str]:
        return (
            [
                f"request outside {self.prefix} (another host or another pupil's folder): {entry}"
                for entry in self.foreign
            ]
            + [f"request failed: {entry}" for entry in self.failed]
            + [f"error response: {entry}" for entry in self.bad_status]
            + [f"stopped by the page's own policy: {entry}" for entry in self.refused]
        )

    def clear(self) -> None:
        self.requests.clear()
        self.foreign.clear()
        self.failed.clear()
        self.bad_status.clear()
        self.refused.clear()
        self.pending.clear()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 - the standard handler's own class attribute
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".webp": "image/webp",
        ".woff2": "font/woff2",
        ".ics": "text/calendar",
        ".ogg": "audio/ogg",
    }

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on 127.0.0.1 (a free port) from a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="browser-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# ---- keyboard ----------------------------------------------------------------------------------

# Marks every control that Tab should reach, in document order, and returns their descriptions.
MARK_TAB_STOPS = """() => {
    const describe = el => {
        const text = (el.getAttribute("aria-label") || el.innerText || el.value || "").trim().replace(/\\s+/g, " ");
        const href = el.getAttribute("href");
        const name = el.name ? `[name=${el.name}]` : "";
        return `${el.tagName.toLowerCase()}${name}${href ? `[href=${href}]` : ""} "${text.slice(0, 40)}"`;
    };
    const candidates = document.querySelectorAll(
        "a[href], button, summary, input, select, textarea, audio[controls], video[controls], [tabindex]");
    const stops = [];
    for (const el of candidates) {
        if (el.disabled || (el.hasAttribute("tabindex") && el.tabIndex < 0)) continue;
        if (el.tagName === "SUMMARY" && el.parentElement.tagName !== "DETAILS") continue;
        if (el.tagName === "SUMMARY" && el.parentElement.querySelector(":scope > summary") !== el) continue;
        if (!el.checkVisibility({visibilityProperty: true, opacityProperty: false})) continue;
        const box = el.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;
        if (el.type === "radio") {  // a radio group is one Tab stop: the checked radio
            const group = [...document.querySelectorAll(`input[type=radio][name="${el.name}"]`)]
                .filter(r => r.form === el.form);
            const stop = group.find(r => r.checked) || group[0];
            if (stop !== el) continue;
        }
        el.setAttribute("data-tb-tab-stop", String(stops.length));
        stops.push(describe(el));
    }
    const positive = [...document.querySelectorAll("[tabindex]")].filter(el => el.tabIndex > 0).map(describe);
    return {stops, positive};
}"""

# Describes document.activeElement: which stop it is, where it is, and how its focus is drawn.
FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const header = document.querySelector(".md-header");
    let pinned = false;  // inside the sticky header, the open menu or the skip link
    for (let node = el; node && node !== document.documentElement; node = node.parentElement) {
        const position = getComputedStyle(node).position;
        if (position === "fixed" || position === "sticky") { pinned = true; break; }
    }
    const text = (el.getAttribute("aria-label") || el.innerText || el.value || "").trim().replace(/\\s+/g, " ");
    return {
        stop: el.getAttribute("data-tb-tab-stop"),
        what: `${el.tagName.toLowerCase()}${el.getAttribute("href") ? `[href=${el.getAttribute("href")}]` : ""} "${text.slice(0, 40)}"`,
        left: box.left, right: box.right, top: box.top, bottom: box.bottom, width: box.width, height: box.height,
        viewportWidth: window.innerWidth, viewportHeight: window.innerHeight,
        headerBottom: header ? header.getBoundingClientRect().bottom : 0,
        pinned,
        outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
        outlineColor: style.outlineColor, boxShadow: style.boxShadow,
        visibility: style.visibility,
    };
}"""


def focus_problems(focused: dict[str, Any]) -> list[str]:
    """What is wrong with how the focused element is shown: no indicator, off screen, under the header."""
    problems = []
    what = focused["what"]
    transparent = focused["outlineColor"] in ("transparent", "rgba(0, 0, 0, 0)")
    outline = focused["outlineStyle"] != "none" and focused["outlineWidth"] >= 2 and not transparent
    if not outline and focused["boxShadow"] in ("", "none"):
        problems.append(f"{what} has no visible focus indicator (no outline of 2px or more, no box-shadow)")
    if focused["visibility"] != "visible" or focused["width"] < 1 or focused["height"] < 1:
        problems.append(f"{what} is focused but cannot be seen")
    if (
        focused["right"] <= 0
        or focused["left"] >= focused["viewportWidth"]
        or focused["left"] < -1
        or focused["right"] > focused["viewportWidth"] + 1
    ):
        problems.append(
            f"{what} is focused but (partly) off the screen sideways (x {focused['left']:.0f} to {focused['right']:.0f})"
        )
    if focused["top"] < -1 or focused["top"] >= focused["viewportHeight"]:
        problems.append(f"{what} is focused but scrolled out of view (y {focused['top']:.0f})")
    if not focused["pinned"] and focused["top"] < focused["headerBottom"] - 1:
        problems.append(
            f"{what} is focused but hidden under the sticky header (its top at y {focused['top']:.0f}, "
            f"the header's bottom at y {focused['headerBottom']:.0f}; WCAG 2.4.11)"
        )
    return problems


def walk_tab_order(page: Page, backwards: bool = False) -> tuple[list[str], list[str], list[str]]:
    """Press Tab (or Shift+Tab) through a freshly loaded page.

    Returns the stops expected (every visible control, in document order), the stops reached,
    and the problems seen on the way (no focus indicator, off screen, under the sticky header).
    """
    marked = page.evaluate(MARK_TAB_STOPS)
    expected: list[str] = marked["stops"]
    problems = [f"positive tabindex changes the reading order: {what}" for what in marked["positive"]]
    reached: list[str] = []
    first: str | None = None
    previous: str | None = None
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(len(expected) + 20):  # an <audio> player takes several presses
        page.keyboard.press(key)
        focused = page.evaluate(FOCUSED)
        if focused is None:
            break
        label = expected[int(focused["stop"])] if focused["stop"] is not None else f"(unexpected) {focused['what']}"
        problems.extend(focus_problems(focused))
        if focused["stop"] is not None and focused["stop"] == previous:
            continue  # the buttons inside an <audio> or <video> player: one element, several stops
        if focused["stop"] is not None and focused["stop"] == first:
            break  # round again
        previous = focused["stop"]
        first = first if first is not None else previous
        reached.append(label)
    if backwards:
        reached.reverse()
    return expected, reached, problems
