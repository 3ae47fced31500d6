"""The printable booklet: an A5 reading copy and an A4 print copy, typeset with Typst.

The pupil's view reaches the template (``theme/booklet/booklet.typ``) as *data*: one
JSON document, never spliced into markup, so whatever a pupil file says is printed
literally. The document (``data.json``) and the images are put in a temporary folder
that is the only place the template may read files from (Typst's root); the images'
relative paths are added to the JSON.

The data goes in as a file rather than through Typst's ``sys.inputs`` for speed: each
process keeps one Typst compiler, which reuses the layout it did for earlier booklets,
and inputs are part of Typst's standard library, so changing them for every pupil threw
all of that away. Through a file, only what depends on what changed is typeset again.

Two files are written into the pupil's output folder:

``booklet.pdf``
    the reading copy: A5 portrait, pages in reading order, tagged PDF/UA-1 with alt
    text for every picture, the document title and language set;
``booklet-print.pdf``
    the print copy: A4 landscape, the reading pages padded with blank pages to a
    multiple of four and imposed two-up in saddle-stitch order (see
    :mod:`transition_booklets.booklet.imposition`). Print double-sided, flip on the short
    edge, fold and staple.

The same input gives byte-identical files: the creation date is taken from a date
passed in or from ``SOURCE_DATE_EPOCH``; without either no date is written at all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typst

from transition_booklets.booklet.imposition import ImpositionError, impose_saddle_stitch
from transition_booklets.data.problems import BuildError, Where, display_path
from transition_booklets.data.school_theme import SchoolTheme
from transition_booklets.pictures.school_map import layout_pins
from transition_booklets.pictures.sizes import PRINT_SIZES
from transition_booklets.support import resources
from transition_booklets.support.files import link_or_copy, write_atomic
from transition_booklets.support.fonts import PRINT_FONTS, drawn, emoji_fonts, has_emoji
from transition_booklets.support.icons import icon_path, icon_svg
from transition_booklets.view.sections import PupilView, Slot, Timetable
from transition_booklets.view.words import Words

if TYPE_CHECKING:
    from transition_booklets.pictures.images import ImageProcessor

log = logging.getLogger(__name__)

TEMPLATE = resources.BOOKLET_TEMPLATE
FONTS_DIR = PRINT_FONTS  # written by tools/fonts.py; see support/fonts.py

READING_NAME = "{stem}.pdf"
PRINT_NAME = "{stem}-print.pdf"

#: ``resolve_image(image, purpose)``: the file to show for a view image, or None for a placeholder.
#: ``purpose`` is one of :data:`PURPOSES`.
ImageResolver = Callable[[dict[str, Any], str], Path | None]
#: What the template reads as ``view``: a copy of the pupil's view made ready to print (days grouped,
#: only what is printed, each picture's file in Typst's root). Plain JSON, like the view.
BookletData = dict[str, Any]
PURPOSES = tuple(PRINT_SIZES)

#: Icons the template uses besides the place and subject icons found in the view.
UI_ICONS = (
    "material/account",
    "material/account-group",
    "material/account-heart",
    "material/bag-personal",
    "material/calendar",
    "material/calendar-check",
    "material/calendar-star",
    "material/chat-question",
    "material/check-circle",
    "material/clock-outline",
    "material/coffee",
    "material/email",
    "material/emoticon-happy-outline",
    "material/flag",
    "material/food-apple",
    "material/hand-heart",
    "material/hand-wave",
    "material/handshake",
    "material/heart",
    "material/home-heart",
    "material/information",
    "material/lightbulb-on",
    "material/map",
    "material/map-marker",
    "material/message-text",
    "material/pencil",
    "material/phone",
    "material/school",
    "material/scissors-cutting",
    "material/shoe-print",
    "material/silverware-fork-knife",
    "material/sprout",
    "material/stairs",
    "material/star",
    "material/timetable",
    "material/weather-sunny",
    "material/web",
)

#: Extensions Typst can show; anything else from a resolver is left out (placeholder drawn).
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}

_SPACE_BEFORE_PUNCTUATION = re.compile(r" ([!?.,;:])")


@dataclass(frozen=True)
class BookletFiles:
    """The two PDFs written for one pupil."""

    reading: Path
    print: Path


# ---------------------------------------------------------------------------
# Text: what the committed fonts cannot draw
# ---------------------------------------------------------------------------


def _is_emoji(code: int) -> bool:
    """Pictographic emoji and the joiners and modifiers that build emoji sequences.

    No colour emoji font is bundled (it would be large), so emoji are left out of the
    booklet rather than printed as empty boxes, and `check` warns where they are. Symbols
    such as ✓ ★ ☺ ♥ → stay: Noto Sans Symbols 2 and the fonts inside Typst draw them.
    """
    return (
        0x1F000 <= code <= 0x1FAFF  # emoticons, pictographs, transport, flags (regional indicators), …
        or 0xFE00 <= code <= 0xFE0F  # variation selectors (emoji / text presentation)
        or code in (0x200D, 0x20E3)  # zero-width joiner, combining keycap
        or 0xE0020 <= code <= 0xE007F  # tag characters (subdivision flags)
    )


_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200d\u20e3\ufe00-\ufe0f\U0001f000-\U0001faff\U000e0020-\U000e007f]"
)


def printable(text: str, *, emoji: bool = False) -> str:
    """``text`` without control characters and, unless ``emoji`` (a colour emoji font is there), without emoji,
    with spaces tidied where an emoji was."""
    if not _UNPRINTABLE.search(text):
        return text
    if emoji:
        return "".join(char for char in text if char in "\n\t" or not (ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0))
    cleaned = "".join(char for char in text if not _is_emoji(ord(char)) and (char in "\n\t" or ord(char) >= 0x20))
    cleaned = "".join(char for char in cleaned if not 0x7F <= ord(char) < 0xA0)
    lines = [_SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(line.split())) for line in cleaned.split("\n")]
    return "\n".join(lines).strip()


def _clean(value: Any, text: Callable[[str], str] = printable) -> Any:
    """A deep copy of a JSON-ready value with ``text`` applied to every string (default :func:`printable`)."""
    if isinstance(value, str):
        return text(value)
    if isinstance(value, dict):
        return {key: _clean(item, text) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item, text) for item in value]
    return value


#: Keys whose strings are names of things (files, icons, colours), not words to print.
_NOT_TEXT = frozenset(
    {"icon", "print_file", "source", "file", "field", "colour", "id", "kind", "weekday", "period_id", "type"}
)
_LONG_WORD = re.compile(r"\S{22,}")
_BREAK_AFTER = frozenset("@./_-:")
_ZERO_WIDTH_SPACE = "\u200b"


def _break_word(match: re.Match[str]) -> str:
    word = match.group(0)
    result: list[str] = []
    run = 0
    for index, char in enumerate(word):
        result.append(char)
        run += 1
        following = word[index + 1] if index + 1 < len(word) else ""
        if following and not unicodedata.combining(following) and (char in _BREAK_AFTER or run >= 18):
            result.append(_ZERO_WIDTH_SPACE)
            run = 0
    return "".join(result)


def breakable(text: str) -> str:
    """``text`` with invisible break points in words too long for a line (a 60-letter name, an e-mail address).

    Typst never breaks inside a word, so a very long one would run off the page. A
    zero-width space goes after ``@ . / _ - :`` and after every 18 characters of a word
    of 22 or more; shorter words are left alone.
    """
    if len(text) < 22 or not _LONG_WORD.search(text):
        return text
    return _LONG_WORD.sub(_break_word, text)


#: Text that :func:`printable` or :func:`breakable` would change; most text is left as it is.
_NEEDS_CHANGE = re.compile(f"{_UNPRINTABLE.pattern}|{_LONG_WORD.pattern}")


class EmojiFont:
    """The colour emoji font for one booklet: made ready (:func:`emoji_fonts`) only when its text has an emoji."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self.folder: Path | None = None
        self._asked = False

    def ready(self) -> bool:
        if not self._asked:
            self._asked = True
            self.folder = emoji_fonts(self.cache)
        return self.folder is not None


class _Prepared:
    """A copy of the view made ready to print, with what the booklet needs found on the way."""

    def __init__(self, view: BookletData, *, emoji: EmojiFont | None = None) -> None:
        self.images: list[dict[str, Any]] = []  # every view image, in document order
        self.icon_names: set[str] = set()
        self.emoji = emoji  # the colour emoji font, made ready at the first emoji: emoji are then printed
        self.view: BookletData = self._copy(view)

    def _printed(self, text: str) -> str:
        keep = self.emoji is not None and has_emoji(text) and self.emoji.ready()
        return breakable(printable(text, emoji=keep))

    def _copy(self, value: Any) -> Any:
        """:func:`printable` on every string, then :func:`breakable` on every word shown as text.

        One walk over the view does what used to be four: the timetables make it large.
        """
        if isinstance(value, str):
            return self._printed(value) if _NEEDS_CHANGE.search(value) else value
        if isinstance(value, dict):
            copied: dict[str, Any] = {}
            for key, item in value.items():
                if key in _NOT_TEXT:
                    copied[key] = item = _clean(item)
                    if key == "icon" and isinstance(item, str):
                        self.icon_names.add(item)
                else:
                    copied[key] = self._copy(item)
            if copied.get("type") == "image":
                self.images.append(copied)
            return copied
        if isinstance(value, list):
            return [self._copy(item) for item in value]
        return value


_MISSING_GLYPHS = re.compile(r'the text `"((?:[^"\\]|\\.)*)"` could not be displayed')
_TYPST_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]+)\}|\\(.)")


def _unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return chr(int(match.group(1), 16))
        return {"n": "\n", "t": "\t", "r": "\r"}.get(match.group(2), match.group(2))

    return _TYPST_ESCAPE.sub(replace, text)


def missing_glyphs(error: Exception) -> set[str]:
    """The characters Typst reported it has no font for (an error in PDF/UA mode)."""
    report = f"{getattr(error, 'message', '')}\n{getattr(error, 'diagnostic', '')}"
    return {char for match in _MISSING_GLYPHS.finditer(report) for char in _unescape(match.group(1))}


def _translator(table: dict[int, str]) -> Callable[[str], str]:
    def translate(text: str) -> str:
        return text.translate(table)

    return translate


MISSING_LETTER = "\u25a1"  # □, drawn by Noto Sans Symbols 2


def _stand_in(char: str) -> str:
    """What to print instead of a character no font has: nothing for a symbol, a box (□) for a letter.

    A box is what a reader knows as "this could not be shown"; a question mark would read as part of
    the name. `check`, every build and the staff report say where each such character is."""
    category = unicodedata.category(char)
    if category[0] in "SMC" or char.isspace():
        return ""
    return MISSING_LETTER


# ---------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------


def data_folder_images(data_dir: Path) -> ImageResolver:
    """The plain resolver: the image file of the data folder as it is, or None when there is none."""
    root = data_dir.resolve()

    def resolve(image: dict[str, Any], purpose: str) -> Path | None:
        source = image.get("source")
        if not source:
            return None
        path = (root / source).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            log.debug("no image file %s for %s", source, purpose)
            return None
        found: Path = path
        return found

    return resolve


def processed_images(processor: ImageProcessor, *, pupil_file: str, school_file: str = "school.yaml") -> ImageResolver:
    """A resolver that prints every picture through the image pipeline (300 dpi, no metadata).

    Placeholders stay vector drawings (None is returned when there is no source), and the
    map is the plain map: the template draws the numbered pins itself, crisp at any size.
    A picture that cannot be used raises the pipeline's BuildError, naming the YAML field.
    """

    def resolve(image: dict[str, Any], purpose: str) -> Path | None:
        source = image.get("source")
        if not source:
            return None
        width_mm, square, drawing = PRINT_SIZES[purpose]
        named_in = school_file if image.get("file") == "school" else pupil_file
        where = Where(named_in, str(image.get("field", "")))
        rendition = processor.print_image(str(source), width_mm=width_mm, square=square, drawing=drawing, where=where)
        return rendition.path

    return resolve


class _ImageFolder:
    """Puts resolved images into the Typst root, once per file, under neutral names.

    The names come from the file's path, so a root kept by a process for many booklets (see
    :func:`write_booklets`) holds each picture once; a name whose file has changed is linked again.
    """

    def __init__(self, root: Path, resolve_image: ImageResolver) -> None:
        self.root = root
        self.resolve_image = resolve_image
        self.folder = root / "img"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.copied: dict[Path, str] = {}
        self.resolved: dict[tuple[Any, ...], str | None] = {}

    def add(self, image: dict[str, Any], purpose: str) -> None:
        """Set ``image["print_file"]`` to the image's path inside the root, or None for a placeholder."""
        image["print_file"] = None
        if not image.get("alt"):
            image["alt"] = image.get("initials") or "Picture"
        key = (purpose, image.get("source"), image.get("initials"), image.get("colour"), image.get("icon"))
        if key in self.resolved:
            image["print_file"] = self.resolved[key]
            return
        self.resolved[key] = None
        found = self.resolve_image(image, purpose)
        if found is None:
            return
        found = Path(found)
        if found.suffix.lower() not in IMAGE_SUFFIXES or not found.is_file():
            log.warning("cannot show %s in the booklet; drawing a placeholder instead", found)
            return
        relative = self.copied.get(found)
        if relative is None:
            name = hashlib.sha256(str(found.resolve()).encode()).hexdigest()[:20]
            relative = f"img/{name}{found.suffix.lower()}"
            target = self.root / relative
            if not (target.exists() and target.samefile(found)):
                target.unlink(missing_ok=True)
                link_or_copy(found, target)
            self.copied[found] = relative
        image["print_file"] = self.resolved[key] = relative


def _add_images(view: BookletData, found: list[dict[str, Any]], images: _ImageFolder) -> None:
    """Resolve the school's logo and map and every image ``found`` in ``view`` (see :class:`_Prepared`)."""
    school = view["school"]
    images.add(school["logo"], "logo")
    if school.get("map"):
        map_image = {
            "file": "school",
            "field": "map.image",
            "source": school["map"]["source"],
            "alt": school["map"].get("description") or "",
            "initials": "",
            "colour": school["colours"]["primary"],
            "icon": "material/map",
        }
        images.add(map_image, "map")
        school["map"]["image"] = map_image
    for image in found:
        if "print_file" in image:
            continue
        images.add(image, "photo" if image.get("icon") else "portrait")


# ---------------------------------------------------------------------------
# Timetables: days that are the same are shown once
# ---------------------------------------------------------------------------


def _slim_slot(slot: Slot) -> dict[str, Any]:
    """A timetable slot as printed: of its place and teacher, only the name is shown."""
    slim: dict[str, Any] = dict(slot)
    for key in ("place", "teacher"):
        if slim.get(key):
            slim[key] = {"name": slim[key]["name"]}
    return slim


def _slim_timetable(timetable: Timetable | None) -> dict[str, Any] | None:
    if not timetable:
        return timetable
    days = [{**day, "slots": [_slim_slot(slot) for slot in day["slots"]]} for day in timetable["days"]]
    return {**timetable, "days": days}


def _printed_part(view: PupilView) -> BookletData:
    """The view without what the booklet never prints.

    Each timetable slot in the view carries its place's and teacher's whole record (photo,
    description, map position) for the site; the booklet prints their names. Leaving the rest
    out makes the data Typst reads about a third of the size, which it reads faster. The view
    itself is not changed.
    """
    slim: BookletData = dict(view)
    del slim["places"], slim["files"]  # the pages' links and the fingerprint's files: nothing printed
    slim["timetable"] = _slim_timetable(view.get("timetable"))
    slim["phases"] = [
        {**phase, "timetable": _slim_timetable(phase.get("timetable"))} for phase in view.get("phases", [])
    ]
    return slim


def _join_days(names: list[str], words: Words) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return str(words["booklet_days_pair"]).format(first=names[0], second=names[1])
    return str(words["booklet_days_range"]).format(first=names[0], last=names[-1])


def _group_days(timetable: dict[str, Any] | None, words: Words) -> None:
    """Add ``groups``: runs of consecutive school days with the same lessons, and ``days_off``."""
    if not timetable:
        return
    groups: list[dict[str, Any]] = []
    days_off: list[dict[str, Any]] = []
    for day in timetable["days"]:
        for slot in day["slots"]:
            start, end = (dt.time.fromisoformat(slot[key]) for key in ("start", "end"))
            slot["start_text"], slot["end_text"] = words.time(start), words.time(end)
        if not day["in_school"]:
            days_off.append(day)
            continue
        signature = json.dumps(day["slots"], sort_keys=True)
        previous = groups[-1] if groups else None
        if (
            previous is not None
            and previous["signature"] == signature
            and previous["last_index"] == day["weekday_index"] - 1
        ):
            previous["days"].append(day["name"])
            previous["last_index"] = day["weekday_index"]
        else:
            groups.append(
                {
                    "signature": signature,
                    "days": [day["name"]],
                    "last_index": day["weekday_index"],
                    "slots": day["slots"],
                }
            )
    timetable["groups"] = [
        {"label": _join_days(group["days"], words), "days": group["days"], "slots": group["slots"]} for group in groups
    ]
    # Days off in runs, as the day pages are labelled: "Tuesday to Friday", "Monday and Wednesday".
    runs: list[list[dict[str, Any]]] = []
    for day in days_off:
        if runs and runs[-1][-1]["weekday_index"] == day["weekday_index"] - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    labels = [_join_days([day["name"] for day in run], words) for run in runs]
    separator = str(words.get("booklet_days_list_join", ", "))
    timetable["days_off"] = labels[0] if len(labels) == 1 else separator.join(labels)


def _subjects_used(view: BookletData) -> list[dict[str, Any]]:
    """Every subject on the pupil's timetables, once, in the order they first appear."""
    timetables = [phase["timetable"] for phase in view.get("phases", []) if phase.get("own_timetable")]
    timetables.append(view.get("timetable"))
    seen: dict[str, dict[str, Any]] = {}
    for timetable in timetables:
        for day in (timetable or {}).get("days", []):
            for slot in day["slots"]:
                subject = slot.get("subject")
                if subject and subject["id"] not in seen:
                    seen[subject["id"]] = subject
    return list(seen.values())


# ---------------------------------------------------------------------------
# Icons
# ---------------------------------------------------------------------------


def _icons(used: set[str]) -> dict[str, str]:
    """The SVG markup of every icon the booklet draws: ``used`` and the template's own.

    Unknown names fall back to a map marker.
    """
    names = set(UI_ICONS) | used
    result: dict[str, str] = {}
    for name in sorted(names):
        if icon_path(name) is None:
            log.debug("no icon %s; using the map marker", name)
        result[name] = icon_svg(name)
    return result


# ---------------------------------------------------------------------------
# The payload
# ---------------------------------------------------------------------------


def creation_time(created: dt.datetime | dt.date | None = None) -> dt.datetime | None:
    """The date written into the PDFs: ``created``, else ``SOURCE_DATE_EPOCH``, else none at all."""
    if isinstance(created, dt.datetime):
        return created if created.tzinfo else created.replace(tzinfo=dt.UTC)
    if isinstance(created, dt.date):
        return dt.datetime(created.year, created.month, created.day, tzinfo=dt.UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        except (ValueError, OverflowError, OSError):
            log.warning("SOURCE_DATE_EPOCH=%r is not a number of seconds; writing no date", epoch)
    return None


def booklet_title(view: PupilView, words: Words | None = None) -> str:
    words = words or Words(view["school"]["locale"])
    return str(words["booklet_title"]).format(name=view["called"], school=view["school"]["name"])


def _map_pins(view: BookletData, root: Path) -> list[dict[str, Any]]:
    """The key places' pins where the site puts them (nudged apart, the same on every screen), with
    where each place is when its pin had to move (the template draws a line back to it)."""
    school_map = view["school"].get("map") or {}
    print_file = (school_map.get("image") or {}).get("print_file")
    if not print_file:
        return []
    from PIL import Image

    try:
        with Image.open(root / print_file) as picture:  # the header only
            width, height = picture.size
    except (OSError, ValueError):
        return []  # a picture that cannot be read: Typst says so, naming the file

    return [
        {"number": pin.number, "x": pin.x, "y": pin.y, "at_x": pin.at_x, "at_y": pin.at_y}
        for pin in layout_pins(view.get("key_places", []), width, height)
    ]


def build_payload(
    view: PupilView,
    root: Path,
    resolve_image: ImageResolver,
    created: dt.datetime | None = None,
    words: Words | None = None,
    *,
    emoji: EmojiFont | None = None,
    family: tuple[PupilView, Words] | None = None,
) -> dict[str, Any]:
    """The JSON document the template reads; images are copied into ``root`` on the way.

    ``words``: the school's words (default: the tool's, in the view's locale). ``emoji``: the colour
    emoji font, made ready at the first emoji, which is then printed (without it emoji are left out).
    ``family``: the view and words in the family's own language: the family's pages come first in it.
    """
    words = words or Words(view["school"]["locale"])
    walked = _Prepared(_printed_part(view), emoji=emoji)
    prepared = walked.view
    images = _ImageFolder(root, resolve_image)
    _add_images(prepared, walked.images, images)
    family_part = None
    if family is not None:
        theirs = _Prepared(_printed_part(family[0]), emoji=emoji)
        _add_images(theirs.view, theirs.images, images)
        walked.icon_names |= theirs.icon_names
        family_part = {"view": theirs.view, "words": family[1].all(), "language": family[1].language}
    prepared["map_pins"] = _map_pins(prepared, root)
    _group_days(prepared.get("timetable"), words)
    for phase in prepared.get("phases", []):
        if phase.get("own_timetable"):
            _group_days(phase.get("timetable"), words)
    prepared["booklet_subjects"] = _subjects_used(prepared)
    for timetable in [prepared.get("timetable"), *(phase.get("timetable") for phase in prepared.get("phases", []))]:
        if timetable:
            timetable.pop("days", None)  # the pages print the groups of days
    return {
        "view": prepared,
        "family": family_part,
        "words": words.all(),
        "icons": _icons(walked.icon_names),
        "meta": {
            "title": printable(booklet_title(view, words)),
            "language": view["school"]["language"],
            "date": (
                [created.year, created.month, created.day, created.hour, created.minute, created.second]
                if created
                else None
            ),
        },
    }


# ---------------------------------------------------------------------------
# Typst
# ---------------------------------------------------------------------------

_compile_lock = threading.Lock()


_compilers: dict[tuple[int, tuple[str, ...]], Any] = {}


def typst_started() -> bool:
    """Whether this process has a Typst compiler (whose threads a forked child would not have)."""
    return any(pid == os.getpid() for pid, _ in _compilers)


def _compiler(fonts: tuple[str, ...] = ()) -> Any:
    """One Typst compiler per process: the fonts are read once and layouts are cached between pupils.

    Keyed by process id, so a worker forked from a process that already compiled makes its own
    (Typst's worker threads do not survive a fork). Only system fonts are ignored: the fonts in
    ``theme/assets/fonts`` and the few that ship inside Typst are the same on every machine.
    """
    key = (os.getpid(), fonts)
    compiler = _compilers.get(key)
    if compiler is None:
        font_paths = [*fonts, str(FONTS_DIR)]  # a school's own fonts (theme/fonts) first
        compiler = _compilers[key] = typst.Compiler(font_paths=font_paths, ignore_system_fonts=True)
    return compiler


@functools.lru_cache(maxsize=1)
def _template(theme: SchoolTheme | None) -> bytes:
    """The booklet's template: the school's own (``theme/booklet/booklet.typ``) or the tool's."""
    override = theme.booklet_template if theme else None
    return (override or TEMPLATE).read_bytes()


def typst_compile(template: bytes, root: Path) -> bytes:
    """Typeset ``template`` with Typst's root ``root`` (holding its ``data.json``); the PDF's bytes."""
    with _compile_lock:
        result = _compiler().compile(input=template, root=str(root))
    if not isinstance(result, bytes):
        raise BuildError("Typst returned no PDF")
    return result


def _typst_message(error: Exception) -> str:
    message = str(getattr(error, "message", "") or error).strip()
    hints = [str(hint) for hint in getattr(error, "hints", None) or []]
    text = message.splitlines()[0] if message else "Typst failed"
    if hints:
        text += " (" + "; ".join(hints) + ")"
    return text


DATA_FILE = "data.json"  # in the Typst root; read by the template


def _compile(
    payload: dict[str, Any],
    root: Path,
    timestamp: int,
    theme: SchoolTheme | None = None,
    extra_fonts: tuple[str, ...] = (),
) -> tuple[Any, list[Any]]:
    fonts = ((str(theme.fonts),) if theme and theme.fonts else ()) + extra_fonts
    with _compile_lock:
        (root / DATA_FILE).write_text(json.dumps(payload, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        result, warnings = _compiler(fonts).compile_with_warnings(
            input=_template(theme),
            root=str(root),
            pdf_standards=["ua-1"],
            timestamp=timestamp,
        )
    return result, list(warnings)


def render_reading_copy(
    payload: dict[str, Any],
    root: Path,
    *,
    shown: str,
    created: dt.datetime | None,
    theme: SchoolTheme | None = None,
    extra_fonts: tuple[str, ...] = (),
) -> bytes:
    """Typeset the reading copy (tagged PDF/UA-1) and return its bytes.

    PDF/UA forbids text that no font can draw. When Typst reports such characters
    (a script no committed font covers, a symbol), they are left out (symbols) or
    shown as ``?`` (letters), with a warning, and the booklet is typeset again.
    """
    timestamp = int(created.timestamp()) if created else 0
    replaced: set[str] = set()
    while True:
        try:
            result, warnings = _compile(payload, root, timestamp, theme, extra_fonts)
            break
        except typst.TypstError as error:
            missing = missing_glyphs(error) - replaced
            if not missing:
                log.debug("typst diagnostic for %s:\n%s", shown, getattr(error, "diagnostic", ""))
                raise BuildError(f"{shown}: the booklet could not be made: {_typst_message(error)}") from error
            # `check`, every build and the staff report give a located warning for each of these
            # (staff.advice.drawing_warnings); one the bundled fonts should draw is a fault here.
            unexpected = sorted(char for char in missing if drawn(char))
            (log.warning if unexpected else log.debug)(
                "%s: no font in the booklet can print %s; left out (symbols) or shown as a box (letters)",
                shown,
                " ".join(sorted(missing)),
            )
            replaced |= missing
            icons = payload.pop("icons")
            payload = _clean(payload, _translator({ord(char): _stand_in(char) for char in missing}))
            payload["icons"] = icons
    for warning in warnings:
        log.debug("%s: typst warning: %s", shown, _typst_message(warning))
    if not isinstance(result, bytes):
        raise BuildError(f"{shown}: the booklet could not be made: Typst returned no PDF")
    return result


_TRAILER = re.compile(rb"trailer\s*<<(.*?)>>\s*startxref\s*(\d+)\s*%%EOF\s*$", re.S)


def with_bookmarks_shown(pdf: bytes) -> bytes:
    """The PDF opening with its bookmarks (the booklet's headings) shown beside the pages.

    Typst has no setting for it, so the catalog gets ``/PageMode /UseOutlines`` in an incremental
    update appended to the file (a new copy of that one object and a small cross-reference
    section): nothing else is rewritten, the tags stay as they are, and it costs microseconds.
    A PDF not laid out as expected is returned as it was.
    """
    trailer = _TRAILER.search(pdf[-2048:])
    root = re.search(rb"/Root (\d+) 0 R", trailer.group(1)) if trailer else None
    if trailer is None or root is None or b"/PageMode" in pdf:
        return pdf
    number = int(root.group(1))
    catalog = re.search(rb"\n%d 0 obj\s*<<(.*?)>>\s*endobj" % number, pdf, re.S)
    if catalog is None or b"stream" in catalog.group(1):
        return pdf
    at = len(pdf) + 1
    update = b"\n%d 0 obj\n<</PageMode/UseOutlines%s>>\nendobj\n" % (number, catalog.group(1))
    xref_at = at + len(update) - 1
    entries = b"xref\n%d 1\n%010d 00000 n \n" % (number, at)
    fields = trailer.group(1).replace(b"/Prev", b"/Old")  # there is one update: ours
    new_trailer = b"trailer\n<<%s/Prev %s>>\nstartxref\n%d\n%%%%EOF\n" % (fields, trailer.group(2), xref_at)
    return pdf + update + entries + new_trailer


def _pupil_file(data_dir: Path, pupil_id: str) -> str:
    for suffix in (".yaml", ".yml"):
        candidate = data_dir / f"{pupil_id}{suffix}"
        if candidate.exists():
            return display_path(candidate)
    return display_path(data_dir / f"{pupil_id}.yaml")


@contextlib.contextmanager
def _typst_root(folder: Path, work_dir: Path | None) -> Iterator[Path]:
    """The folder Typst may read: this process's own in ``work_dir``, else a temporary one.

    The temporary one sits beside the output, on the same disk, so the pictures can be
    hard-linked rather than copied.
    """
    if work_dir is not None:
        root = work_dir / f"typst-{os.getpid()}"
        root.mkdir(parents=True, exist_ok=True)
        yield root
        return
    with tempfile.TemporaryDirectory(prefix=".booklet-", dir=folder.parent) as temporary:
        yield Path(temporary)


def write_booklets(
    view: PupilView,
    folder: Path,
    *,
    data_dir: Path,
    resolve_image: ImageResolver | None = None,
    file_stem: str = "booklet",
    source_name: str | None = None,
    created: dt.datetime | dt.date | None = None,
    work_dir: Path | None = None,
    words: Words | None = None,
    theme: SchoolTheme | None = None,
    font_cache: Path | None = None,
    family: tuple[PupilView, Words] | None = None,
) -> BookletFiles:
    """Write the reading copy and the print copy of one pupil's booklet into ``folder``.

    ``resolve_image(image, purpose)`` gives the file to print for a view image (or None
    for a placeholder); by default the data folder's file is used as it is.
    ``source_name`` names the pupil file in error messages (default: the pupil's file
    in ``data_dir``). Raises :class:`BuildError` with a message for the user.

    Typst may read files only from one folder (its root), which gets the pictures and the
    data. By default that is a temporary folder beside ``folder``. With ``work_dir`` each
    process keeps one root in it for all the booklets it makes (the caller removes
    ``work_dir`` afterwards): the same pictures are not linked and removed again for every
    pupil, and on some disks making and removing files is much of a build's time.
    """
    shown = source_name or _pupil_file(data_dir, view["id"])
    when = creation_time(created)
    folder.mkdir(parents=True, exist_ok=True)
    reading = folder / READING_NAME.format(stem=file_stem)
    printed = folder / PRINT_NAME.format(stem=file_stem)
    # Colour emoji: with ``font_cache`` (where the emoji font is made ready once), when the text has any.
    emoji = EmojiFont(font_cache) if font_cache is not None else None
    with _typst_root(folder, work_dir) as root:
        payload = build_payload(
            view, root, resolve_image or data_folder_images(data_dir), when, words, emoji=emoji, family=family
        )
        extra = (str(emoji.folder),) if emoji is not None and emoji.folder is not None else ()
        pdf = with_bookmarks_shown(
            render_reading_copy(payload, root, shown=shown, created=when, theme=theme, extra_fonts=extra)
        )
    try:
        imposed = impose_saddle_stitch(pdf, title=payload["meta"]["title"], language=payload["meta"]["language"])
    except ImpositionError as error:
        raise BuildError(f"{shown}: the print copy of the booklet could not be made: {error}") from error
    write_atomic(reading, pdf)
    write_atomic(printed, imposed)
    log.debug("wrote %s and %s", reading, printed)
    return BookletFiles(reading=reading, print=printed)
