"""The pupil's mini-site: pages rendered from ``site_src/`` into a docs folder, built by MkDocs.

The pages are rendered here, by Jinja with autoescaping, into plain Markdown files
holding HTML; MkDocs with Material (``mkdocs.yml`` plus the overrides in
``theme/site``) only lays them out. No custom MkDocs plugin is involved, so another
engine that reads ``mkdocs.yml`` can build the same docs folder.
"""

from __future__ import annotations

import contextlib
import functools
import html
import json
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markupsafe import Markup

from transition_booklets.data.loader import Cohort, PupilRecord
from transition_booklets.data.models import data_path_problem
from transition_booklets.data.problems import BuildError, Where, display_path
from transition_booklets.data.school_theme import SchoolTheme
from transition_booklets.pictures.colours import readable_on_white, text_colour_for
from transition_booklets.pictures.images import ImageProcessor
from transition_booklets.pictures.recordings import strip_recording
from transition_booklets.pictures.school_map import layout_pins
from transition_booklets.pictures.sizes import PRINT_SIZES, WEB_WIDTHS
from transition_booklets.site.calendar import write_pupil_calendar
from transition_booklets.site.engine import HOOKS, SiteEngine
from transition_booklets.support import resources
from transition_booklets.support.files import link_or_copy
from transition_booklets.support.fonts import WEB_FONTS, faces_for, font_css
from transition_booklets.support.icons import icon_svg
from transition_booklets.support.parallel import can_fork, fork_pool
from transition_booklets.support.templating import DataEnvironment
from transition_booklets.view.sections import Place, PupilView
from transition_booklets.view.pupil_view import build_view, family_view
from transition_booklets.view.words import Words, language_name

log = logging.getLogger(__name__)

SITE_SRC = resources.SITE_SRC
MKDOCS_YML = resources.MKDOCS_YML
MEDIA_KINDS = {
    ".mp3": "audio",
    ".m4a": "audio",
    ".ogg": "audio",
    ".oga": "audio",
    ".wav": "audio",
    ".mp4": "video",
    ".webm": "video",
    ".ogv": "video",
    ".mov": "video",
}


@dataclass(frozen=True)
class Page:
    name: str
    title_key: str
    icon: str

    @property
    def file(self) -> str:
        return f"{self.name}.html"


PAGES = (
    Page("index", "page_welcome", "material/home-heart"),
    Page("keyworker", "page_keyworker", "material/account-heart"),
    Page("first-days", "page_first_days", "material/calendar-star"),
    Page("timetable", "page_timetable", "material/timetable"),
    Page("places", "page_places", "material/map-marker-radius"),
    Page("worries", "page_worries", "material/hand-heart"),
    Page("about-me", "page_about_me", "material/star-face"),
    Page("family", "page_family", "material/home-account"),
)


def _svg(name: str) -> Markup:
    markup = icon_svg(name).replace("<svg ", '<svg class="tb-icon" aria-hidden="true" focusable="false" ', 1)
    return Markup(markup)


def page_environment(theme: SchoolTheme | None = None) -> jinja2.Environment:
    """The Jinja environment for the pages; compiled templates are kept for every pupil of a run.

    A school's own templates (``theme/pages/`` in its data folder) come before the tool's.
    """
    return _page_environment(str(theme.pages) if theme and theme.pages else None)


@functools.lru_cache(maxsize=4)
def _page_environment(school_pages: str | None) -> jinja2.Environment:
    folders = [str(SITE_SRC), str(SITE_SRC / "pages")]
    env = DataEnvironment(
        loader=jinja2.FileSystemLoader([school_pages, *folders] if school_pages else folders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,  # a build's templates do not change while it runs: no file check per page
    )
    env.globals["svg"] = _svg
    env.globals["icon"] = _svg
    env.globals["widths"] = WEB_WIDTHS
    return env


class SiteImages:
    """Turns the view's image dicts into files in the docs folder, via the shared image processor."""

    def __init__(self, processor: ImageProcessor, docs: Path, pupil_file: str, school_file: str) -> None:
        self.processor = processor
        self.folder = docs / "images"
        self.files = {"pupil": pupil_file, "school": school_file}
        self.copied: set[str] = set()

    def where(self, image: dict[str, Any]) -> Where:
        return Where(self.files.get(image.get("file", "pupil"), ""), image.get("field", ""))

    def copy(self, path: Path) -> str:
        if path.name not in self.copied:
            self.folder.mkdir(exist_ok=True)
            target = self.folder / path.name
            link_or_copy(path, target)
            self.copied.add(path.name)
        return f"images/{path.name}"

    def __call__(self, image: dict[str, Any] | None, width: int, kind: str = "photo") -> dict[str, Any] | None:
        """The picture's files in the site, or None: the page then shows the person's initials as text on their
        colour (crisp at any size, in any script, in the reader's chosen font), or the place's icon."""
        if not image or not image.get("source"):
            return None
        web = self.processor.web(str(image["source"]), width=width, square=kind == "portrait", where=self.where(image))
        src = self.copy(web.x1.path)
        for rendition in web.renditions:
            self.copy(rendition.path)
        return {"src": src, "srcset": web.srcset("images/"), "width": web.x1.width, "height": web.x1.height}


def _site_colours(school_colours: dict[str, str]) -> dict[str, str]:
    primary = school_colours["primary"]
    dark = readable_on_white(primary)
    return {
        "primary": primary,
        "primary_dark": dark,
        "accent": school_colours["accent"],
        "on_primary": text_colour_for(dark),
    }


def _media(cohort: Cohort, view: PupilView, docs: Path, pupil_file: str) -> dict[str, Any] | None:
    keyworker = view["keyworker"]
    recording = keyworker["recording"] if keyworker else None
    if not recording:
        return None
    where = Where(pupil_file, "keyworker.welcome_recording.file")
    # Checked again now, not only when the file was read: it may have become a link out of the data folder since.
    outside = data_path_problem(cohort.data_dir, recording["file"])
    if outside:
        raise BuildError.at(where, outside)
    source = cohort.data_dir / recording["file"]
    kind = MEDIA_KINDS.get(source.suffix.lower())
    if kind is None:
        raise BuildError.at(
            where,
            f"'{recording['file']}' is not an audio or video file this site can play; "
            f"use one of: {', '.join(sorted(MEDIA_KINDS))}",
        )
    media = docs / "media"
    media.mkdir(exist_ok=True)
    target = media / f"welcome{source.suffix.lower()}"
    shutil.copyfile(source, target)  # a copy of its own: the data folder's file is never changed
    strip_recording(target)  # where and on what it was recorded, and any tags, are not published
    return {"kind": kind, "src": f"media/{target.name}"}


def render_pages(
    view: PupilView,
    images: Callable[..., dict[str, Any] | None],
    words: Words,
    *,
    school_map: dict[str, Any] | None,
    recording: dict[str, Any] | None,
    booklets: dict[str, str] | None,
    other_places: list[Place],
    theme: SchoolTheme | None = None,
    family: tuple[PupilView, Words] | None = None,
    switch: dict[str, str] | None = None,
) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The navigation, and every page's text by file name (e.g. ``index.md``).

    ``family``: the pupil's view and the words in the family's own language (``family_language``),
    for the family page, which then comes in that language first.
    """
    env = page_environment(theme)
    word_map = words.all()
    family_part = None
    if family is not None:
        family_view, family_words = family
        family_map = family_words.all()
        family_part = {
            "pupil": family_view,
            "words": family_map,
            "m": env.get_template("macros.html.j2").make_module({"images": images, "words": family_map}),
            "lang": family_words.language,
            "dir": family_words.direction,
        }
    pages = [
        {"name": page.name, "file": page.file, "icon": page.icon, "title": word_map[page.title_key]} for page in PAGES
    ]
    macros = env.get_template("macros.html.j2").make_module({"images": images, "words": word_map})
    texts: dict[str, str] = {}
    for page, entry in zip(PAGES, pages, strict=True):
        template = env.get_template(f"{page.name}.md.j2")
        text = template.render(
            pupil=view,
            words=word_map,
            title=entry["title"],
            pages=pages,
            m=macros,
            images=images,
            school_map=school_map,
            recording=recording,
            booklets=booklets,
            other_places=other_places,
            family=family_part if page.name == "family" else None,
            lang=words.language,
            dir=words.direction,
            switch=dict(switch, href=f"{switch['prefix']}{page.name}.html") if switch else None,
        )
        texts[f"{page.name}.md"] = text
    return [{entry["title"]: f"{entry['name']}.md"} for entry in pages], texts


@functools.lru_cache(maxsize=8)
def _language(locale: str) -> str:
    """Material's interface language for ``locale`` (English where Material has none)."""
    import material

    language = Words(locale).language
    languages = Path(material.__file__).resolve().parent / "templates" / "partials" / "languages"
    return language if (languages / f"{language}.html").is_file() else "en"


@dataclass(frozen=True)
class DocsFolder:
    """A pupil's docs folder and the settings that lay it out (beside it as ``mkdocs.yml``)."""

    docs: Path
    site_name: str
    nav: list[dict[str, str]]
    extra: dict[str, Any]
    language: str
    pages: dict[str, str]  # each page's text by file name, also written into ``docs`` unless kept in memory
    extra_css: list[str]  # stylesheets after the tool's: the school's own (theme/extra.css), if any


def write_docs(
    cohort: Cohort,
    record: PupilRecord,
    view: PupilView,
    docs: Path,
    *,
    processor: ImageProcessor,
    booklets: dict[str, str] | None = None,
    pages_in_memory: bool = False,
    words: Words | None = None,
    switch: dict[str, str] | None = None,
) -> DocsFolder:
    """Render one pupil's pages, images, recording and calendar into ``docs``.

    Also writes ``mkdocs.yml`` beside ``docs`` (inheriting the project's), so the folder can
    be built by ``mkdocs build -f`` or any engine that reads ``mkdocs.yml``.

    With ``pages_in_memory`` the pages are only returned (for :class:`SiteEngine`), and no
    ``mkdocs.yml`` is written: ``docs`` is then the pupil's output folder itself, and its
    pictures, recording and calendar are already where the site needs them.
    """
    assert cohort.school is not None
    words = words or Words.for_school(cohort.school)
    pupil_file = display_path(record.path)
    docs.mkdir(parents=True, exist_ok=True)
    images = SiteImages(processor, docs, pupil_file, display_path(cohort.data_dir / "school.yaml"))
    recording = _media(cohort, view, docs, pupil_file)
    used = {place["id"] for place in view["key_places"]}
    other_places = [place for place in view["places"] if place["id"] not in used]
    site_map = None
    if cohort.school.map is not None:
        # One shared picture of the map for every pupil; this pupil's pins are links laid over it,
        # numbered like their places, so they stay sharp, readable and clickable at any size.
        web = processor.web(
            cohort.school.map.image,
            width=WEB_WIDTHS["map"],
            drawing=True,
            where=Where(display_path(cohort.data_dir / "school.yaml"), "map.image"),
        )
        for rendition in web.renditions:
            images.copy(rendition.path)
        map_part = view["school"]["map"]
        site_map = {
            "src": f"images/{web.x1.name}",
            "srcset": web.srcset("images/"),
            "width": web.x1.width,
            "height": web.x1.height,
            # The map's description, and the numbered places the pins show (a pupil will use them).
            "alt": " ".join(
                part
                for part in (
                    (map_part["description"] if map_part else "") or str(words["map_title"]),
                    str(words["map_shows"]).format(
                        places=", ".join(f"{place['number']} {place['name']}" for place in view["key_places"] if place["map"])
                    )
                    if any(place["map"] for place in view["key_places"])
                    else "",
                )
                if part
            ),
            "pins": [
                {
                    "id": pin.place_id,
                    "number": pin.number,
                    "name": pin.name,
                    "x": round(pin.x, 2),
                    "y": round(pin.y, 2),
                    "at_x": round(pin.at_x, 2) if pin.at_x is not None else None,
                    "at_y": round(pin.at_y, 2) if pin.at_y is not None else None,
                }
                for pin in layout_pins(view["key_places"], web.x1.width, web.x1.height)
            ],
        }
    family = family_view(cohort.school, record.pupil, record.id, cohort.data_dir, besides=words.locale)
    nav, pages = render_pages(
        view,
        images,
        words,
        school_map=site_map,
        recording=recording,
        booklets=booklets,
        other_places=other_places,
        theme=cohort.school.theme,
        family=family,
        switch=switch,
    )
    write_pupil_calendar(view, docs / "calendar.ics", words.all(), family)
    _write_fonts(docs, [*pages.values(), view["called"], view["school"]["short_name"]])
    extra_css = []
    school_css = cohort.school.theme.extra_css if cohort.school.theme else None
    if school_css is not None:
        target = docs / SCHOOL_CSS
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(school_css, target)
        extra_css.append(SCHOOL_CSS)
    folder = DocsFolder(
        docs=docs,
        site_name=f"{view['called']} · {view['school']['short_name']}",
        nav=nav,
        extra={"generator": False, "colours": _site_colours(view["school"]["colours"]), "words": words.all()},
        language=_language(words.locale),
        pages=pages,
        extra_css=extra_css,
    )
    if not pages_in_memory:
        for name, text in pages.items():
            (docs / name).write_text(text, encoding="utf-8")
        _write_mkdocs_yml(folder)
    return folder


SCHOOL_CSS = "assets/stylesheets/school.css"  # a school's theme/extra.css, in each pupil's site
FONTS_CSS = "assets/fonts/fonts.css"  # listed in mkdocs.yml: the fonts this pupil's pages need


def _write_fonts(docs: Path, texts: list[str]) -> None:
    """The web font files the pupil's pages need (one small Latin file per weight for English), and their CSS."""
    chosen = faces_for(texts)
    folder = docs / Path(FONTS_CSS).parent
    folder.mkdir(parents=True, exist_ok=True)
    for face in chosen:
        link_or_copy(WEB_FONTS / face.file, folder / face.file)
    (docs / FONTS_CSS).write_text(font_css(chosen), encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _tool_css() -> list[str]:
    settings = yaml.safe_load(MKDOCS_YML.read_text(encoding="utf-8"))
    return list(settings.get("extra_css", []))


def _write_mkdocs_yml(folder: DocsFolder) -> None:
    # Material prints these without escaping: escaped here, as the fast engine does.
    words = {key: html.escape(value) if isinstance(value, str) else value for key, value in folder.extra["words"].items()}
    settings = {
        "INHERIT": str(MKDOCS_YML),
        "docs_dir": folder.docs.name,
        "site_name": html.escape(folder.site_name),
        "nav": [{html.escape(title): file for title, file in entry.items()} for entry in folder.nav],
        "extra": {**folder.extra, "words": words},
        "theme": {"name": "material", "custom_dir": str(resources.SITE_THEME), "language": folder.language},
        "hooks": [str(HOOKS)],  # escaped page titles and each page's Content-Security-Policy, as the engine does
    }
    if folder.extra_css:  # a list in mkdocs.yml replaces the inherited one
        settings["extra_css"] = [*_tool_css(), *folder.extra_css]
    # JSON is YAML; it keeps every string from a pupil file quoted and literal.
    (folder.docs.parent / "mkdocs.yml").write_text(json.dumps(settings, ensure_ascii=False, indent=1), encoding="utf-8")


def write_pupil_site(
    cohort: Cohort,
    record: PupilRecord,
    view: PupilView,
    folder: Path,
    *,
    processor: ImageProcessor,
    engine: SiteEngine,
    add_booklets: Callable[[Path], dict[str, str]] | None = None,
) -> None:
    """Build one pupil's complete site into ``folder``: booklets, pictures and pages, then the layout.

    ``add_booklets(folder)`` writes the booklets into ``folder`` and returns their file names.
    """
    # The pages go from memory straight to the layout; pictures, the recording, the calendar and
    # the booklets are written where the site needs them. No docs folder is written and deleted
    # for every pupil: on some disks making and removing files is much of a build's time.
    folder.mkdir(parents=True, exist_ok=True)
    booklets = add_booklets(folder) if add_booklets else None
    assert cohort.school is not None
    school = cohort.school
    # A bilingual school's second language: the whole guide again in <language>/, a link between them on every page.
    first = Words.for_school(school)
    second = Words(school.second_locale, school.theme) if school.second_locale else None
    if second is not None and second.language == first.language:
        second = None
    first_switch = {"prefix": f"{second.language}/", "lang": second.language, "name": language_name(second.locale)} if second else None
    laid_out = write_docs(
        cohort, record, view, folder, processor=processor, booklets=booklets, pages_in_memory=True, switch=first_switch
    )
    _lay_out(engine, folder, laid_out)
    if second is not None:
        back = {"prefix": "../", "lang": first.language, "name": language_name(first.locale)}
        other = folder / second.language
        laid_out = write_docs(
            cohort,
            record,
            build_view(school, record.pupil, record.id, locale=second.locale),
            other,
            processor=processor,
            booklets={key: f"../{name}" for key, name in booklets.items()} if booklets else None,
            pages_in_memory=True,
            words=second,
            switch=back,
        )
        _lay_out(engine, other, laid_out)


def _lay_out(engine: SiteEngine, folder: Path, laid_out: DocsFolder) -> None:
    engine.build(
        folder,
        folder,
        site_name=laid_out.site_name,
        nav=laid_out.nav,
        extra=laid_out.extra,
        language=laid_out.language,
        page_texts=laid_out.pages,
        extra_css=laid_out.extra_css,
    )




#: In a worker process of :func:`warm_shared_images`: the work its pool's initializer was given.
_warming: list[Callable[[], object]] | None = None


def _start_warming(work: list[Callable[[], object]]) -> None:
    global _warming
    _warming = work


def _warm_map(processor: ImageProcessor, image: str, print_mm: float) -> None:
    processor.web(image, width=WEB_WIDTHS["map"], drawing=True)
    processor.print_image(image, width_mm=print_mm, drawing=True)


def _warm_photo(processor: ImageProcessor, source: str, square: bool, widths: list[int], print_mm: float) -> None:
    for width in widths:
        processor.web(source, width=width, square=square)
    processor.print_image(source, width_mm=print_mm, square=square)


def _warm_one(work: Callable[[], object]) -> None:
    with contextlib.suppress(BuildError):  # a broken photo: the pupils that show it report it
        work()


def _warm(index: int) -> None:
    assert _warming is not None
    _warm_one(_warming[index])


def warm_shared_images(processor: ImageProcessor, cohort: Cohort, *, jobs: int = 1) -> None:
    """Process the school's shared photos once, before pupils are built in parallel.

    Every worker then finds them in the cache, so a keyworker photo shared by 300 pupils is
    processed once. A broken photo is skipped here; the pupils that show it report it. With
    ``jobs`` above one the photos are shared out between that many worker processes (they
    write to the same cache on disk).
    """

    school = cohort.school
    if school is None:
        return
    photos: list[tuple[str, bool, list[int], float]] = []
    photos += [
        (member.photo, True, [WEB_WIDTHS["portrait_big"], WEB_WIDTHS["portrait"]], PRINT_SIZES["portrait"].width_mm)
        for member in school.staff.values()
        if member.photo
    ]
    photos += [
        (place.photo, False, [WEB_WIDTHS["photo"]], PRINT_SIZES["photo"].width_mm) for place in school.places.values() if place.photo
    ]
    # One piece of work per picture (its renditions share one decoding), the biggest first.
    work: list[Callable[[], object]] = []
    if school.map is not None:
        work.append(functools.partial(_warm_map, processor, school.map.image, PRINT_SIZES["map"].width_mm))
    for source, square, widths, print_mm in photos:
        work.append(functools.partial(_warm_photo, processor, source, square, widths, print_mm))
    if jobs > 1 and len(work) > 1 and can_fork():
        with fork_pool(min(jobs, len(work)), _start_warming, (work,)) as pool:
            list(pool.map(_warm, range(len(work))))
    else:
        for item in work:
            _warm_one(item)
