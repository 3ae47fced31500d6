from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE
from tests.site_checks import page_text
from transition_booklets.data.loader import load_cohort
from transition_booklets.data.problems import BuildError
from transition_booklets.pictures.images import ImageProcessor
from transition_booklets.site.engine import SiteEngine
from transition_booklets.site.pages import PAGES, DocsFolder, write_docs
from transition_booklets.view.pupil_view import build_view


def _normalised(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


def _docs_folder(pupil_id: str, docs: Path, cache: Path) -> DocsFolder:
    """One example pupil's docs folder, as ``write_docs`` lays it out for MkDocs."""
    cohort = load_cohort(EXAMPLE, [pupil_id])
    assert cohort.school is not None
    record = cohort.pupils[0]
    view = build_view(cohort.school, record.pupil, record.id)
    return write_docs(cohort, record, view, docs, processor=ImageProcessor(EXAMPLE, cache))


def test_the_docs_folder_builds_the_same_with_plain_mkdocs(tmp_path: Path) -> None:
    """The fast engine is only a faster way to run MkDocs: plain `mkdocs build` gives the same pages."""
    docs = tmp_path / "work" / "docs"
    laid_out = _docs_folder("jordan-reid", docs, tmp_path / "cache")

    engine = SiteEngine(tmp_path / "store")
    engine.build(
        docs,
        tmp_path / "fast",
        site_name=laid_out.site_name,
        nav=laid_out.nav,
        extra=laid_out.extra,
        language=laid_out.language,
    )
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "-q",
            "-f",
            str(docs.parent / "mkdocs.yml"),
            "-d",
            str(tmp_path / "plain"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    for page in PAGES:
        fast = (tmp_path / "fast" / page.file).read_text(encoding="utf-8")
        plain = (tmp_path / "plain" / page.file).read_text(encoding="utf-8")
        # Markdown may re-indent the raw HTML; what a reader sees must be identical.
        assert page_text(tmp_path / "fast" / page.file) == page_text(tmp_path / "plain" / page.file), page.file
        assert _normalised(re.sub(r"<[^>]+>", " ", fast)) == _normalised(re.sub(r"<[^>]+>", " ", plain)), page.file
    assert (tmp_path / "plain" / "media" / "welcome.ogg").is_file()
    assert (tmp_path / "fast" / "media" / "welcome.ogg").is_file()


def test_strict_in_mkdocs_yml_fails_a_site_mkdocs_warns_about(tmp_path: Path) -> None:
    """``strict: true`` is honoured by the fast engine as by ``mkdocs build``: a nav entry with no page fails."""
    docs = tmp_path / "work" / "docs"
    laid_out = _docs_folder("kai-morgan", docs, tmp_path / "cache")
    engine = SiteEngine(tmp_path / "store")
    assert engine.config.strict, "mkdocs.yml sets strict: true"
    settings = {"site_name": laid_out.site_name, "extra": laid_out.extra, "language": laid_out.language}
    with pytest.raises(BuildError, match=r"'missing\.md' is included in the 'nav'"):
        engine.build(docs, tmp_path / "broken", nav=[*laid_out.nav, {"Missing": "missing.md"}], **settings)
    engine.build(docs, tmp_path / "fine", nav=laid_out.nav, **settings)
    assert (tmp_path / "fine" / "index.html").is_file()
