"""Guides in the school's language: Welsh throughout, with nothing of the English interface left."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLE
from tests.pdf_support import pdf_text
from tests.site_checks import page_text
from transition_booklets.build.pipeline import build_cohort
from transition_booklets.build.settings import BuildOptions
from transition_booklets.protect.encrypt import DEFAULT_WORDS as UNLOCK_WORDS
from transition_booklets.protect.encrypt import decrypt_page
from transition_booklets.protect.letters import DEFAULT_WORDS as LETTER_WORDS
from transition_booklets.site.calendar import ENGLISH as CALENDAR_WORDS
from transition_booklets.support import resources

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def strings(language: str) -> dict[str, object]:
    return dict(yaml.safe_load((resources.STRINGS / f"{language}.yaml").read_text(encoding="utf-8")))


def english() -> dict[str, object]:
    """Every word a family or pupil can read, in English: the strings file and the unlock page's and letter's."""
    words = strings("en")
    words.update({f"protect_{key}": value for key, value in UNLOCK_WORDS.items()})
    words.update({f"letter_{key}": value for key, value in LETTER_WORDS.items()})
    words.update(CALENDAR_WORDS)
    return words


def test_the_welsh_strings_are_complete_and_keep_every_placeholder() -> None:
    en, cy = english(), strings("cy")
    missing = sorted(key for key in en if key not in cy and key != "date_formats")
    assert missing == [], f"cy.yaml lacks {missing}"
    assert sorted(key for key in cy if key not in en) == []
    for key, value in en.items():
        if isinstance(value, str):
            assert sorted(PLACEHOLDER.findall(value)) == sorted(PLACEHOLDER.findall(str(cy[key]))), key
    assert len(cy["weekdays"]) == 7 and len(cy["months"]) == 12  # type: ignore[arg-type]
    header = (resources.STRINGS / "cy.yaml").read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert "fluent" in header and "review" in header, "the file says how it was made and that it needs a review"


def _interface_pieces(data_text: str) -> set[str]:
    """The fixed parts of every English word that differ in Welsh (and are not in the school's own data)."""
    en, cy = english(), strings("cy")
    pieces = set()
    for key, value in en.items():
        values = value if isinstance(value, list) else [value]
        welsh = cy.get(key)
        welsh_values = welsh if isinstance(welsh, list) else [welsh]
        for item in values:
            if not isinstance(item, str) or item in welsh_values:
                continue
            for part in PLACEHOLDER.split(item):
                part = part.strip(" .,:;!?()")
                shown = (" " in part and len(part) >= 6) or key in ("weekdays", "months")
                if shown and part not in data_text:
                    pieces.add(part)
    return pieces


@pytest.fixture(scope="module")
def welsh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("welsh")
    data = root / "data"
    shutil.copytree(EXAMPLE, data)
    school = data / "school.yaml"
    school.write_text(school.read_text(encoding="utf-8").replace("locale: en-GB", "locale: cy-GB"), encoding="utf-8")
    result = build_cohort(BuildOptions(data, root / "site", root / "staff", jobs=2))
    assert result.ok, result.problems
    return root


def test_a_welsh_guide_has_no_english_interface_words(welsh: Path) -> None:
    data_text = " ".join(path.read_text(encoding="utf-8") for path in (welsh / "data").glob("*.yaml"))
    pieces = _interface_pieces(data_text)
    assert len(pieces) > 150
    found = []
    for pupil in sorted(path for path in (welsh / "site").iterdir() if path.is_dir()):
        texts = {page.name: page_text(page) for page in pupil.glob("*.html")}
        texts["booklet.pdf"] = " ".join(pdf_text(pupil / "booklet.pdf").split())
        texts["calendar.ics"] = (pupil / "calendar.ics").read_text(encoding="utf-8").replace("\r\n ", "")
        for name, text in texts.items():
            found += [f"{pupil.name}/{name}: {piece!r}" for piece in sorted(pieces) if piece in text]
    assert found == [], "English interface words in a Welsh guide:\n" + "\n".join(found)


def test_welsh_dates_and_words(welsh: Path) -> None:
    index = page_text(welsh / "site" / "zofia-wisniewska" / "index.html")
    assert "Helo Zosia!" in index and "Dydd Mercher, 6 Ionawr 2027" in index
    assert '<html lang="cy"' in (welsh / "site" / "zofia-wisniewska" / "index.html").read_text(encoding="utf-8")
    booklet = " ".join(pdf_text(welsh / "site" / "zofia-wisniewska" / "booklet.pdf").split())
    assert "Fy llyfryn" in booklet and "Dydd Llun, 11 Ionawr 2027" in booklet
    assert "Zosia: ymweliad cyntaf â Riverside Academy" in (
        welsh / "site" / "zofia-wisniewska" / "calendar.ics"
    ).read_text(encoding="utf-8").replace("\r\n ", "")


def test_a_protected_welsh_guide_asks_and_writes_in_welsh(welsh: Path) -> None:
    root = welsh
    result = build_cohort(
        BuildOptions(root / "data", root / "psite", root / "pstaff", only=["kai-morgan"], jobs=1, protect=True)
    )
    assert result.ok, result.problems
    letter = page_text(root / "pstaff" / "letters" / "kai-morgan.html")
    assert "Annwyl riant neu ofalwr Kai Morgan" in letter and "Teipiwch y cyfrinair" in letter
    password = (root / "pstaff" / "passwords.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[1]
    folder = next(path for path in (root / "psite").iterdir() if path.is_dir())
    shell = (folder / "index.html").read_text(encoding="utf-8")
    assert "Mae'r canllaw hwn wedi'i ddiogelu" in shell.replace("&#39;", "'") and '<html lang="cy"' in shell
    assert "Helo Kai!" in decrypt_page(shell, password)
