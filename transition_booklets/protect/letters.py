"""Printable letters for families: the guide's address, a QR code of it, and the password.

One self-contained HTML file per pupil (inline CSS, the readable font inside it, A4 print
styles), written to the **staff-only** ``staff/letters/<pupil-id>.html`` with mode 0600:
a letter holds a password, so it is printed or sent to one family, never published. The
words are short sentences for parents who may read little English; a school's strings file
may replace each one as ``letter_<key>``.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

from transition_booklets.protect.passwords import refuse_inside, write_private
from transition_booklets.support import resources
from transition_booklets.support.files import PRIVATE, write_atomic
from transition_booklets.support.fonts import FAMILIES, WEB_FONTS, faces_for, font_css
from transition_booklets.support.templating import template
from transition_booklets.view.words import RIGHT_TO_LEFT, language_of

log = logging.getLogger(__name__)

PROTECT_SRC = resources.PROTECT_TEMPLATES

# {name}: the pupil's full name; {preferred}: the name they like to be called; {school}: the school.
DEFAULT_WORDS: dict[str, str] = {
    "title": "Letter for the family of {name}",
    "heading": "{preferred}'s guide to {school}",
    "dear": "Dear parent or carer of {name},",
    "about": (
        "We made a guide for {preferred}. It has photos of the people and places at {school}. "
        "It shows the plan for the first days. You can look at it together at home."
    ),
    "step_open": "1. Open the guide",
    "address_intro": "Type this address into the internet browser on your phone or computer:",
    "path_intro": "Open this file from the folder or USB stick the school gave you:",
    "scan": "Or point the camera of your phone at the square code.",
    "step_password": "2. Type the password",
    "type_exactly": "Capital letters do not matter, and spaces between the words are fine.",
    "booklets": "The booklet in the guide opens with the same password; you can save it or print it.",
    "step_safe": "3. Keep this letter safe",
    "keep_safe": "The password keeps {preferred}'s information private. Do not share it online.",
    "delete": "We will delete the guide after {preferred} has settled in at school.",
    "questions": "Do you have a question? Please contact the school.",
    "contact_us": "Do you have a question? Contact us:",
    "keyworker": "{preferred}'s keyworker is {keyworker}. They will help {preferred} in the first days.",
    "sign_off": "With best wishes,",
}


@dataclass(frozen=True)
class LetterSchool:
    """What every family's letter says about the school: its logo, the date and whom to contact."""

    name: str
    date: str = ""
    logo: Path | None = None  # a PNG or JPEG, put inside the letter
    contacts: tuple[str, ...] = ()  # one line each: "School office: 01234 567890, office@school.org"


@dataclass(frozen=True)
class LetterEntry:
    """One family's letter: who it is for, where the guide is, and its password."""

    pupil_id: str
    name: str
    preferred_name: str
    address: str
    password: str
    keyworker: str = ""  # the keyworker's name, when the pupil has one
    # The family's own language (the pupil file's family_language): its locale, its words and the
    # date in it. The letter then comes in that language first, then in the school's.
    family_locale: str = ""
    family_words: Mapping[str, Any] | None = None
    family_date: str = ""


def _entry(value: LetterEntry | Mapping[str, str]) -> LetterEntry:
    if isinstance(value, LetterEntry):
        return value
    return LetterEntry(
        pupil_id=value["pupil_id"],
        name=value["name"],
        preferred_name=value.get("preferred_name") or value["name"],
        address=value["address"],
        password=value["password"],
    )


def is_web_address(address: str) -> bool:
    parts = urlsplit(address)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def qr_svg(address: str, label: str) -> str:
    """An inline SVG QR code of ``address`` (error correction M, a 4-module quiet zone), sized by CSS."""
    import segno

    code = segno.make(address, error="m", micro=False)
    svg: str = code.svg_inline(
        scale=1, border=4, dark="#000", light="#fff", omitsize=True, title=label, svgclass="tb-qr"
    )
    return svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" ', 1)


@functools.lru_cache(maxsize=64)
def _font_uri(file: str) -> str:
    return "data:font/woff2;base64," + base64.b64encode((WEB_FONTS / file).read_bytes()).decode("ascii")


def _font_css(texts: list[str]) -> Markup:
    """The fonts this letter's words need, inside the letter (it is a single file)."""
    chosen = faces_for(texts)
    css = font_css(chosen)
    for face in chosen:
        css = css.replace(f'url("{face.file}")', f'url("{_font_uri(face.file)}")')
    return Markup(css)  # our own rules; names of files and fonts only


def letter_words(words: Mapping[str, Any] | None, entry: LetterEntry, school_name: str) -> dict[str, str]:
    """The letter's words for one family: ``letter_<key>`` from ``words`` over the English defaults, filled in."""
    values = {
        "name": entry.name,
        "preferred": entry.preferred_name or entry.name,
        "school": school_name,
        "keyworker": entry.keyworker,
    }
    chosen: dict[str, str] = {}
    for key, default in DEFAULT_WORDS.items():
        override = (words or {}).get(f"letter_{key}")
        template = override if isinstance(override, str) and override.strip() else default
        try:
            chosen[key] = template.format(**values)
        except (KeyError, IndexError, ValueError):
            chosen[key] = default.format(**values)
    return chosen


def render_letter(
    entry: LetterEntry,
    school: LetterSchool | str,
    words: Mapping[str, Any] | None = None,
    *,
    lang: str = "en",
) -> str:
    """One family's letter as a self-contained HTML page."""
    school = school if isinstance(school, LetterSchool) else LetterSchool(school)
    web = is_web_address(entry.address)
    letters: list[dict[str, Any]] = []
    texts: list[str] = [school.name, entry.address]
    for own_words, own_lang, date in _languages(entry, words, lang, school.date):
        chosen = letter_words(own_words, entry, school.name)
        if not web:
            chosen["address_intro"] = chosen["path_intro"]
        letters.append({"words": chosen, "lang": own_lang, "dir": _direction(own_lang), "date": date})
        texts += [*chosen.values(), date]
    # chosen: the school's language, last; the page's title and the QR code's label are in it
    return template(PROTECT_SRC, "letter.html.j2").render(
        lang=lang,
        letters=letters,
        words=chosen,
        address=entry.address,
        password=entry.password,
        qr=Markup(qr_svg(entry.address, chosen["scan"])) if web else None,  # segno's SVG; the label is escaped
        font_css=_font_css(texts),
        font_stack=Markup(", ".join(f'"{family}"' for family in FAMILIES)),
        school=school,
        logo=_data_uri(school.logo),
        keyworker=bool(entry.keyworker),
    )


def _languages(
    entry: LetterEntry, words: Mapping[str, Any] | None, lang: str, date: str
) -> list[tuple[Mapping[str, Any] | None, str, str]]:
    """The letter's languages, each with its words and the date in it: the family's first, then the school's."""
    chosen: list[tuple[Mapping[str, Any] | None, str, str]] = []
    if entry.family_words is not None and entry.family_locale and language_of(entry.family_locale) != language_of(lang):
        chosen.append((entry.family_words, language_of(entry.family_locale), entry.family_date or date))
    chosen.append((words, lang, date))
    return chosen


def _direction(lang: str) -> str:
    return "rtl" if language_of(lang) in RIGHT_TO_LEFT else "ltr"


def _data_uri(path: Path | None) -> str | None:
    if path is None or not path.is_file():
        return None
    kind = "image/png" if path.suffix.lower() == ".png" else "image/jpeg"
    return f"data:{kind};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def write_family_letters(
    entries: Iterable[LetterEntry | Mapping[str, str]],
    staff_dir: Path,
    school_name: str | LetterSchool,
    words: Mapping[str, Any] | None = None,
    *,
    out_dir: Path | None = None,
    lang: str = "en",
) -> list[Path]:
    """Write ``staff_dir/letters/<pupil-id>.html`` for each entry (mode 0600); return the files written.

    ``entries`` are :class:`LetterEntry` objects or mappings with the same keys. Refuses a
    ``staff_dir`` inside ``out_dir`` (the publishable folder).
    """
    folder = Path(staff_dir) / "letters"
    refuse_inside(folder, "letters folder", {"output folder": out_dir})
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    written = []
    for value in entries:
        entry = _entry(value)
        if not entry.pupil_id or "/" in entry.pupil_id or "\\" in entry.pupil_id or entry.pupil_id.startswith("."):
            raise ValueError(f"{entry.pupil_id!r} cannot be a file name")
        path = folder / f"{entry.pupil_id}.html"
        write_private(path, render_letter(entry, school_name, words, lang=lang))
        written.append(path)
    log.debug("wrote %d family letters into %s", len(written), folder)
    return written


ALL_LETTERS = "all-letters.pdf"  # in the staff folder's letters/: every family's letter, one per page


def write_letters_pdf(
    entries: Iterable[LetterEntry],
    folder: Path,
    school: LetterSchool,
    words: Mapping[str, Any] | None,
    *,
    lang: str,
    typeset: Callable[[bytes, Path], bytes],
) -> Path:
    """Every family's letter in one print-ready PDF, ``folder/all-letters.pdf`` (mode 0600).

    ``typeset(template, root)`` makes the PDF from the template and the folder holding its data.
    """
    import segno

    with tempfile.TemporaryDirectory(prefix="tb-letters-") as work:
        root = Path(work)
        logo = None
        if school.logo is not None and school.logo.is_file():
            logo = f"logo{school.logo.suffix.lower()}"
            shutil.copyfile(school.logo, root / logo)
        letters = []
        for number, entry in enumerate(entries):
            qr = None
            if is_web_address(entry.address):
                qr = f"qr-{number}.svg"
                segno.make(entry.address, error="m", micro=False).save(str(root / qr), kind="svg", border=4)
            for own_words, own_lang, date in _languages(entry, words, lang, school.date):
                chosen = letter_words(own_words, entry, school.name)
                if qr is None:
                    chosen["address_intro"] = chosen["path_intro"]
                letters.append(
                    {
                        "words": chosen,
                        "lang": own_lang,
                        "date": date,
                        "address": entry.address,
                        "password": entry.password,
                        "qr": qr,
                        "keyworker": bool(entry.keyworker),
                    }
                )
        data = {
            "title": f"{school.name}: letters for families",
            "language": lang,
            "school": {"name": school.name, "date": school.date, "logo": logo, "contacts": list(school.contacts)},
            "letters": letters,
        }
        (root / "data.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        pdf = typeset((PROTECT_SRC / "letters.typ").read_bytes(), root)
    path = folder / ALL_LETTERS
    write_atomic(path, pdf, mode=PRIVATE)
    return path
