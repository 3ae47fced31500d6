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
        texts["calendar.ics"] = (pupil / "calendar.ics").read_bytes().decode("utf-8").replace("\r\n ", "")
        for name, text in texts.items():
            found += [f"{pupil.name}/{name}: {piece!r}" for piece in sorted(pieces) if piece in text]
    assert found == [], "English interface words in a Welsh guide:\n" + "\n".join(found)


def test_welsh_dates_and_words(welsh: Path) -> None:
    index = page_text(welsh / "site" / "zofia-wisniewska" / "index.html")
    assert "Helo Zosia!" in index and "Dydd Mercher, 6 Ionawr 2027" in index
    assert '<html lang="cy"' in (welsh / "site" / "zofia-wisniewska" / "index.html").read_text(encoding="utf-8")
    booklet = " ".join(pdf_text(welsh / "site" / "zofia-wisniewska" / "booklet.pdf").split())
    assert "Fy llyfryn" in booklet and "Dydd Llun, 11 Ionawr 2027" in booklet
    calendar = (welsh / "site" / "amy-jones" / "calendar.ics").read_bytes().decode("utf-8").replace("\r\n ", "")
    assert "Amy: ymweliad cyntaf â Riverside Academy" in calendar


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


# ---- the family's own language ----------------------------------------------------------------

FAMILY_LANGUAGES = ("pl", "ro", "ur", "ar", "bn", "pa", "so", "pt", "uk", "cy")


def family_keys() -> set[str]:
    """Every word the family page, the calendar and the letter use."""
    template = (resources.SITE_SRC / "pages" / "family.md.j2").read_text(encoding="utf-8")
    keys = set(re.findall(r"words\.([a-z_]+)", template)) - {"family_school_language"}
    keys |= {
        "plan",
        "rewards",
        "sanctions",
        "photo_of",
        "page_keyworker",
        "booklet_contacts_title",
        "booklet_agreed_title",
    }
    keys |= set(CALENDAR_WORDS) | {f"letter_{key}" for key in LETTER_WORDS}
    return keys


@pytest.mark.parametrize("language", FAMILY_LANGUAGES)
def test_each_family_language_has_every_family_word(language: str) -> None:
    en, theirs = english(), strings(language)
    missing = sorted(family_keys() - set(theirs))
    assert missing == [], f"{language}.yaml lacks {missing}"
    for key in family_keys():
        assert sorted(PLACEHOLDER.findall(str(en[key]))) == sorted(PLACEHOLDER.findall(str(theirs[key]))), key
        assert theirs[key] != en[key] or key in ("calendar_review", "mentoring", "plan"), f"{key} is not translated"
    header = (resources.STRINGS / f"{language}.yaml").read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert "fluent" in header and "review" in header


@pytest.fixture(scope="module")
def families(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example (Zosia's family reads Polish), with Amy's family reading Urdu, built and protected."""
    root = tmp_path_factory.mktemp("families")
    data = root / "data"
    shutil.copytree(EXAMPLE, data)
    amy = data / "amy-jones.yaml"
    amy.write_text(
        amy.read_text(encoding="utf-8").replace("name: Amelia Jones", "name: Amelia Jones\nfamily_language: ur", 1),
        encoding="utf-8",
    )
    assert build_cohort(BuildOptions(data, root / "site", root / "staff", jobs=2)).ok
    assert build_cohort(BuildOptions(data, root / "psite", root / "pstaff", jobs=2, protect=True)).ok
    return root


def test_the_family_page_comes_in_the_familys_language_first(families: Path) -> None:
    page = (families / "site" / "zofia-wisniewska" / "family.html").read_text(encoding="utf-8")
    polish, english_part = page.split('id="tb-school-language"', 1)
    assert '<div class="tb-family-language" lang="pl" dir="ltr">' in polish
    assert "Dla mojej rodziny" in polish and "Z kim się kontaktować" in polish
    assert "środa, 6 stycznia 2027" in polish, "the date in Polish"
    # What the school wrote: in Polish where the school gave a translation (translations/pl.yaml), else as written.
    assert "E-mail (mamie łatwiej go przetłumaczyć)" in polish and "Sekretariat szkoły" in polish
    assert "SEND team (Mrs Okafor)" in polish
    assert "Email (Mum can translate it more easily)" in english_part and "School office" in english_part
    assert "In English" in english_part and "Who to contact" in english_part
    assert "Wednesday 6 January 2027" in english_part
    # The other pages stay in the school's language.
    assert "Dla mojej" not in page_text(families / "site" / "zofia-wisniewska" / "index.html")
    calendar = (families / "site" / "zofia-wisniewska" / "calendar.ics").read_bytes().decode("utf-8")
    calendar = calendar.replace("\r\n ", "")
    assert "Zosia: pierwsza wizyta w Riverside Academy · Zosia: first visit to Riverside Academy" in calendar


def test_an_urdu_family_page_runs_right_to_left(families: Path) -> None:
    page = (families / "site" / "amy-jones" / "family.html").read_text(encoding="utf-8")
    assert '<div class="tb-family-language" lang="ur" dir="rtl">' in page
    assert "میرے خاندان کے لیے" in page
    # What the school wrote keeps its own direction; phone numbers and e-mail addresses run left to right.
    assert '<p dir="auto">Absence, lateness, lost property and anything else.</p>' in page
    assert 'href="tel:01234567890" dir="ltr"' in page


def test_the_letter_comes_in_the_familys_language_then_the_schools(families: Path) -> None:
    letter = (families / "pstaff" / "letters" / "amy-jones.html").read_text(encoding="utf-8")
    urdu, english_letter = letter.split('<section class="letter" lang="en" dir="ltr">', 1)
    assert '<section class="letter" lang="ur" dir="rtl">' in urdu and "پاس ورڈ لکھیں" in urdu
    assert "Type the password" in english_letter
    assert urdu.count('class="password"') == english_letter.count('class="password"') == 1
    import pikepdf

    with pikepdf.open(families / "pstaff" / "letters" / "all-letters.pdf") as pdf:
        assert len(pdf.pages) == 4 + 2, "each family's letter, and one more for each family language"
    text = pdf_text(families / "pstaff" / "letters" / "all-letters.pdf")
    assert "Drodzy Rodzice lub Opiekunowie Zofia Wiśniewska" in " ".join(text.split())


def test_a_family_language_without_words_is_a_located_warning(example_copy: Path) -> None:
    from transition_booklets.data.loader import load_cohort
    from transition_booklets.staff.advice import cohort_warnings

    kai = example_copy / "kai-morgan.yaml"
    kai.write_text(kai.read_text(encoding="utf-8") + "family_language: tlh\n", encoding="utf-8")
    line = len(kai.read_text(encoding="utf-8").splitlines())
    warnings = cohort_warnings(load_cohort(example_copy))
    found = [str(problem) for problem in warnings if problem.field == "family_language"]
    assert len(found) == 1 and f"kai-morgan.yaml:{line}:" in found[0] and "no words in 'tlh'" in found[0]


# ---- a bilingual school ----------------------------------------------------------------------------


def test_a_bilingual_school_gets_every_guide_in_both_languages(welsh: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(welsh / "data", data)
    school = data / "school.yaml"
    school.write_text(
        school.read_text(encoding="utf-8").replace("locale: cy-GB", "locale: cy-GB\nsecond_locale: en-GB")
    )
    result = build_cohort(BuildOptions(data, tmp_path / "site", tmp_path / "staff", only=["amy-jones"], jobs=1))
    assert result.ok, result.problems
    folder = tmp_path / "site" / "amy-jones"
    welsh_pages = sorted(path.name for path in folder.glob("*.html"))
    assert sorted(path.name for path in (folder / "en").glob("*.html")) == welsh_pages
    for name in welsh_pages:
        cymraeg, english_page = (
            (folder / name).read_text(encoding="utf-8"),
            (folder / "en" / name).read_text(encoding="utf-8"),
        )
        assert '<html lang="cy"' in cymraeg and '<html lang="en"' in english_page
        assert f'<a href="en/{name}" lang="en" hreflang="en">English</a>' in cymraeg
        assert f'<a href="../{name}" lang="cy" hreflang="cy">Cymraeg</a>' in english_page
    assert "Hello Amy!" in page_text(folder / "en" / "index.html") and "Helo Amy!" in page_text(folder / "index.html")
    assert "Thursday 1 July 2027" in page_text(folder / "en" / "index.html")
    # One booklet, in the first language; the English pages link to it.
    assert not list((folder / "en").glob("*.pdf")) and (folder / "booklet.pdf").is_file()
    assert 'href="../booklet.pdf"' in (folder / "en" / "family.html").read_text(encoding="utf-8")
    assert "Fy llyfryn" in " ".join(pdf_text(folder / "booklet.pdf").split())

    protected = build_cohort(
        BuildOptions(data, tmp_path / "psite", tmp_path / "pstaff", only=["amy-jones"], jobs=1, protect=True)
    )
    assert protected.ok, protected.problems
    password = (tmp_path / "pstaff" / "passwords.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[1]
    sealed = next(path for path in (tmp_path / "psite").iterdir() if path.is_dir())
    family = decrypt_page((sealed / "en" / "family.html").read_text(encoding="utf-8"), password)
    assert "For my family" in family and 'href="../booklet.html"' in family
    assert not [path for path in sealed.rglob("*") if path.suffix in (".pdf", ".webp", ".ics")]


def test_the_welsh_example_school_builds_in_welsh_and_english(tmp_path: Path) -> None:
    """examples/ysgol-glan-y-mor: a Welsh-medium school, its guides in Welsh and again in English."""
    from tests.conftest import ROOT

    data = ROOT / "examples" / "ysgol-glan-y-mor"
    result = build_cohort(BuildOptions(data, tmp_path / "site", tmp_path / "staff", jobs=1))
    assert result.ok and result.warnings == [], (result.problems, result.warnings)
    folder = tmp_path / "site" / "sian-wyn-ap-dafydd"
    assert "Helo Siân!" in page_text(folder / "index.html") and "Hello Siân!" in page_text(folder / "en" / "index.html")
    booklet = " ".join(pdf_text(folder / "booklet.pdf").split())
    assert "Siân Ŵyn ap Dafydd" in booklet and "Fy llyfryn" in booklet


def test_a_changed_translation_rebuilds_only_the_pupils_whose_family_reads_it(
    example_copy: Path, tmp_path: Path
) -> None:
    options = BuildOptions(example_copy, tmp_path / "site", tmp_path / "staff", pdf=False, jobs=1)
    assert build_cohort(options).ok
    table = example_copy / "translations" / "pl.yaml"
    table.write_text(
        table.read_text(encoding="utf-8").replace("Co dwa tygodnie", "Raz na dwa tygodnie"), encoding="utf-8"
    )
    again = build_cohort(options)
    assert again.built == ["zofia-wisniewska"], again.built
    assert "Raz na dwa tygodnie" in (tmp_path / "site" / "zofia-wisniewska" / "family.html").read_text(encoding="utf-8")
    # A translation written wrongly: the pupil is not built, with the file and line to change.
    table.write_text("School office: [Sekretariat]\n", encoding="utf-8")
    broken = build_cohort(options)
    assert broken.failed == ["zofia-wisniewska"]
    assert any("translations/pl.yaml:1:1" in str(problem) for problem in broken.problems), broken.problems


def test_the_booklet_has_the_familys_pages_in_their_language_first(families: Path) -> None:
    zosia = " ".join(pdf_text(families / "site" / "zofia-wisniewska" / "booklet.pdf").split())
    assert "Kontakty dla mojej rodziny" in zosia and "Sekretariat szkoły" in zosia
    assert zosia.index("Kontakty dla mojej rodziny") < zosia.index("Contacts for my family")
    amy = pdf_text(families / "site" / "amy-jones" / "booklet.pdf")
    # Text extraction reorders right-to-left runs: every letter of the Urdu title is there, and the
    # phone number reads in its own order.
    assert set("میرے خاندان کے لیے رابطے") - {" "} <= set(amy)
    assert "01234 567890" in amy
