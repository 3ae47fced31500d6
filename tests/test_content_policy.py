"""Every page carries a Content-Security-Policy: its own scripts run, nothing injected does, nothing is fetched.

The browser tests (tests/test_browser.py, tests/test_browser_protect.py) show the policy stops an
injected script in Chromium and stops nothing the pages need; these check what is written.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE
from tests.test_escaping import MARKUP, injected
from transition_booklets.build.pipeline import build_cohort
from transition_booklets.build.settings import BuildOptions
from transition_booklets.data.loader import load_cohort
from transition_booklets.pictures.images import ImageProcessor
from transition_booklets.protect.encrypt import decrypt_page, protect_folder
from transition_booklets.site.pages import write_docs
from transition_booklets.support.content_policy import inline_script_hashes, script_hash, with_content_policy
from transition_booklets.view.pupil_view import build_view

POLICY = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')
PASSWORD = "otter-maple-brisk-lantern-7"


def directives(page_html: str) -> dict[str, list[str]]:
    match = POLICY.search(page_html)
    assert match, "the page has no Content-Security-Policy"
    found = {}
    for part in match.group(1).split(";"):
        name, *sources = part.split()
        found[name] = sources
    return found


def check_page(page_html: str, name: str, *, also: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    """The policy comes before anything it governs and allows exactly the page's inline scripts (and ``also``)."""
    head = page_html.split("</head>", 1)[0]
    policy_at = head.find('http-equiv="Content-Security-Policy"')
    assert 0 < policy_at < min(i for i in (head.find("<script"), head.find("<link"), head.find("<style")) if i > 0), (
        name
    )
    found = directives(page_html)
    scripts = set(found["script-src"]) - {"'self'"}
    assert scripts == set(inline_script_hashes(page_html)) | also, name
    assert not {"'unsafe-inline'", "'unsafe-eval'", "data:", "*"} & set(found["script-src"]), name
    assert found["default-src"] == ["'none'"] and found["connect-src"] == ["'none'"], name
    assert found["form-action"] == ["'none'"] and found["base-uri"] == ["'none'"], name
    assert found["object-src"] == ["'none'"] and found["frame-src"] == ["'none'"], name
    assert found["img-src"] == ["'self'", "data:"] and found["font-src"] == ["'self'"], name


def test_the_hash_is_the_one_browsers_compute() -> None:
    # The SHA-256 of nothing, as in the CSP specification's examples.
    assert script_hash("") == "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
    page = (
        '<html><head><meta charset="utf-8"><script>a()</script><script src="x.js"></script>'
        '<script type="application/json">{"a": 1}</script><script type="module">b()</script>'
        "<script>a()</script></head><body></body></html>"
    )
    assert inline_script_hashes(page) == [script_hash("a()"), script_hash("b()")]
    with_policy = with_content_policy(page)
    assert with_policy.startswith('<html><head><meta charset="utf-8">\n  <meta http-equiv="Content-Security-Policy"')
    assert with_content_policy(with_policy) == with_policy
    with pytest.raises(ValueError, match="no <head>"):
        with_content_policy("<p>no head</p>")


def test_every_built_page_allows_its_own_scripts_and_nothing_else(tmp_path: Path) -> None:
    options = BuildOptions(EXAMPLE, tmp_path / "site", tmp_path / "staff", only=["jordan-reid"], pdf=False, jobs=1)
    assert build_cohort(options).ok
    pages = sorted((tmp_path / "site" / "jordan-reid").glob("*.html"))
    assert len(pages) == 8
    for page in pages:
        text = page.read_text(encoding="utf-8")
        check_page(text, page.name)
        assert len(inline_script_hashes(text)) >= 2  # the theme's start-up script and the saved preferences


def test_a_protected_page_allows_its_unlock_script_and_the_opened_pages_scripts(tmp_path: Path) -> None:
    options = BuildOptions(EXAMPLE, tmp_path / "site", tmp_path / "staff", only=["kai-morgan"], pdf=False, jobs=1)
    assert build_cohort(options).ok
    folder = tmp_path / "site" / "kai-morgan"
    protect_folder(folder, PASSWORD)
    for page in sorted(folder.glob("*.html")):
        shell = page.read_text(encoding="utf-8")
        opened = decrypt_page(shell, PASSWORD)
        check_page(opened, f"{page.name}, opened")
        # The opened page is shown in the unlock page's document: the unlock page's policy lets its scripts run.
        check_page(shell, page.name, also=set(inline_script_hashes(opened)))
        assert len(inline_script_hashes(shell)) == 1  # the unlock script itself


def test_plain_mkdocs_build_escapes_titles_and_adds_the_policy(example_copy: Path, tmp_path: Path) -> None:
    """The docs folder exported for `mkdocs build` gets what the fast engine gives: escaped titles, the policy."""
    school = example_copy / "school.yaml"
    school.write_text(
        school.read_text(encoding="utf-8").replace("    name: Ms Khan\n", f"    name: 'Ms Khan {MARKUP}'\n", 1),
        encoding="utf-8",
    )
    pupil = example_copy / "amy-jones.yaml"
    text = pupil.read_text(encoding="utf-8").replace("preferred_name: Amy", f"preferred_name: 'Amy {MARKUP}'", 1)
    pupil.write_text(text, encoding="utf-8")
    strings = example_copy / "theme" / "strings" / "en.yaml"  # a school's own words: page titles among them
    strings.parent.mkdir(parents=True)
    strings.write_text(f"page_keyworker: 'My keyworker {MARKUP}'\n", encoding="utf-8")
    cohort = load_cohort(example_copy, ["amy-jones"])
    assert cohort.school is not None
    record = cohort.pupils[0]
    docs = tmp_path / "work" / "docs"
    view = build_view(cohort.school, record.pupil, record.id)
    write_docs(cohort, record, view, docs, processor=ImageProcessor(example_copy, tmp_path / "cache"))
    titles = [line for path in docs.glob("*.md") for line in path.read_text(encoding="utf-8").splitlines()[:3]]
    assert any("onerror" in line for line in titles if line.startswith("title:")), "a page title with markup"
    plain = tmp_path / "plain"
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(docs.parent / "mkdocs.yml"), "-d", str(plain)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    pages = sorted(plain.glob("*.html"))
    assert len(pages) == 9  # plain MkDocs adds a 404 page
    for page in pages:
        assert injected(page) == [], page.name
        check_page(page.read_text(encoding="utf-8"), page.name)
