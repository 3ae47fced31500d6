"""Laying out a pupil's docs folder as a site, with MkDocs and Material, fast.

``mkdocs build`` spends most of its second per pupil compiling Material's templates and
walking the theme's ~14,000 icon files, the same work for every pupil. :class:`SiteEngine`
does that once per process and then, per pupil, only reads the pupil's few pages and
renders them through the already compiled templates. The pages in the docs folder are
HTML written by ``site.py`` (Markdown passes raw HTML through unchanged), so the engine
uses them as they are instead of running them through Markdown again.

The docs folder stays an ordinary MkDocs docs folder: ``mkdocs build -f <work>/mkdocs.yml`` (the file
``site.write_docs`` writes beside it) builds it (a test checks both give the same pages), and any engine that
reads ``mkdocs.yml`` can take over when Material for MkDocs reaches end of life.

Files that are the same for every pupil (the theme's CSS and script, fonts) are copied
once into a store and hard-linked into each pupil's folder where the file system allows,
so each folder stays complete on its own while the disk holds one copy.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import html
import json
import logging
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from mkdocs.commands.build import _build_page
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, get_files
from mkdocs.structure.nav import get_navigation
from mkdocs.structure.toc import get_toc

from transition_booklets.data.problems import BuildError
from transition_booklets.site import mkdocs_hooks
from transition_booklets.site.mkdocs_hooks import escape_page_title
from transition_booklets.support import resources
from transition_booklets.support.files import link_or_copy, write_atomic

log = logging.getLogger(__name__)

MKDOCS_YML = resources.MKDOCS_YML
HOOKS = Path(mkdocs_hooks.__file__)
CUSTOM_DIR = resources.SITE_THEME
FONTS = resources.FONTS
# Every guide has these; the script fonts a pupil's pages need are added for each (site.pages._write_fonts).
WEB_FONTS = (
    "OpenDyslexic-Regular.woff2",
    "OpenDyslexic-Bold.woff2",
    "OpenDyslexic-LICENSE.txt",
)
# Shipped by the theme but unused by these sites: no search, no palette toggle, no Material
# script bundle (see theme/site/main.html), no source maps; 404 and sitemap are not built.
DEAD_WEIGHT = (
    "assets/javascripts/lunr/*",
    "assets/javascripts/workers/*",
    "assets/javascripts/bundle.*.js",
    "assets/stylesheets/palette.*.css",
    "*.map",
)
ROBOTS = "User-agent: *\nDisallow: /\n"


def _page_file(config: MkDocsConfig, name: str, text: str) -> File:
    """A page of the docs folder that exists only in memory."""
    file = File(name, src_dir=None, dest_dir=config.site_dir, use_directory_urls=config.use_directory_urls)
    file.content_string = text
    return file


def escaped(text: str) -> Markup:
    """``text`` made safe for a template that does not escape (Material's), and left alone by one that does."""
    return text if isinstance(text, Markup) else Markup(html.escape(text, quote=True))


def _escaped_words(words: dict[str, Any]) -> dict[str, Any]:
    return {key: escaped(value) if isinstance(value, str) else value for key, value in words.items()}


class _Warnings(logging.Handler):
    """Collects what MkDocs warns about while one site is laid out (for ``strict: true``)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _strict(config: MkDocsConfig, what: str) -> Iterator[None]:
    """With ``strict: true`` in ``mkdocs.yml``, a warning from MkDocs fails the site, as ``mkdocs build --strict`` does."""
    if not config.strict:
        yield
        return
    warnings = _Warnings()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(warnings)
    try:
        yield
    finally:
        logger.removeHandler(warnings)
    if warnings.messages:
        raise BuildError(f"{what}: the site could not be laid out: " + "; ".join(warnings.messages))


def _is_dead_weight(dest: str) -> bool:
    return any(fnmatch.fnmatch(dest, pattern) for pattern in DEAD_WEIGHT)


class SiteEngine:
    """Compiled theme templates and the theme's file list, kept for every pupil built by this process."""

    def __init__(self, store: Path) -> None:
        self._placeholder = Path(tempfile.mkdtemp(prefix="tb-engine-"))
        (self._placeholder / "docs").mkdir()
        self.config: MkDocsConfig = load_config(
            config_file=str(MKDOCS_YML),
            hooks=[str(HOOKS)],  # each page's Content-Security-Policy (site/mkdocs_hooks.py)
            docs_dir=str(self._placeholder / "docs"),
            site_dir=str(self._placeholder / "site"),
        )
        logging.getLogger("mkdocs").setLevel(logging.WARNING)
        self.tool_css: list[str] = list(self.config.extra_css)  # a school's own stylesheet comes after these
        self.env = self.config.theme.get_env()
        self.env.auto_reload = False  # the theme does not change while a build runs: no file check per page
        # Compiled templates are kept on disk too, so the next run skips compiling them.
        (store / "jinja").mkdir(parents=True, exist_ok=True)
        self.env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(store / "jinja"))
        shared = [(Path(source), dest) for source, dest in self._theme_files(store)]
        shared += [(FONTS / name, f"assets/fonts/{name}") for name in WEB_FONTS]
        shared += [(path, f"assets/fonts/licenses/{path.name}") for path in sorted((FONTS / "licenses").glob("*.txt"))]
        self.store = self._fill_store(store, shared)
        self.shared = [dest for _, dest in shared]
        # Every folder the shared files go in, parents first, so each is made once per pupil.
        self.shared_folders = sorted({str(Path(dest).parent) for dest in self.shared} - {"."})
        shutil.rmtree(self._placeholder, ignore_errors=True)

    def _theme_files(self, store: Path) -> list[tuple[str, str]]:
        """The theme's static files (source, destination), remembered between runs.

        Listing them walks the theme's ~14,000 icon files; the list only changes with the
        installed MkDocs or Material, or the files of ``theme/site``.
        """
        import material
        import mkdocs

        key = hashlib.sha256(f"{mkdocs.__version__}|{material.__version__}|{MKDOCS_YML.read_bytes()!r}".encode())
        for path in sorted(CUSTOM_DIR.rglob("*")):
            stat = path.stat()
            key.update(f"{path.relative_to(CUSTOM_DIR)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
        listing = store / f"theme-files-{key.hexdigest()[:16]}.json"
        try:
            found: list[tuple[str, str]] = [tuple(item) for item in json.loads(listing.read_text(encoding="utf-8"))]
            if all(Path(source).is_file() for source, _ in found):
                return found
        except (OSError, ValueError):
            pass
        theme_files = Files([])
        theme_files.add_files_from_theme(self.env, self.config)
        found = [(file.abs_src_path or "", file.dest_uri) for file in theme_files if not _is_dead_weight(file.dest_uri)]
        store.mkdir(parents=True, exist_ok=True)
        write_atomic(listing, json.dumps(found))
        return found

    @staticmethod
    def _fill_store(store: Path, shared: list[tuple[Path, str]]) -> Path:
        """Copy the shared files once into ``store/<digest>`` (the digest changes when any file does)."""
        digest = hashlib.sha256()
        for source, dest in sorted(shared, key=lambda item: item[1]):
            stat = source.stat()
            digest.update(f"{dest}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
        folder = store / digest.hexdigest()[:16]
        if not folder.is_dir():
            partial = Path(tempfile.mkdtemp(prefix=".static-", dir=store)) if store.is_dir() else None
            if partial is None:
                store.mkdir(parents=True, exist_ok=True)
                partial = Path(tempfile.mkdtemp(prefix=".static-", dir=store))
            for source, dest in shared:
                target = partial / dest
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
            (partial / "robots.txt").write_text(ROBOTS, encoding="utf-8")
            try:
                partial.rename(folder)
            except OSError:  # another process filled it first
                shutil.rmtree(partial, ignore_errors=True)
        return folder

    def build(
        self,
        docs: Path,
        site: Path,
        *,
        site_name: str,
        nav: list[dict[str, str]],
        extra: dict[str, Any],
        language: str,
        page_texts: dict[str, str] | None = None,
        extra_css: list[str] | None = None,
    ) -> None:
        """Lay out ``docs`` into ``site`` (which may not exist yet).

        With ``page_texts`` (each page's text by file name) the pages are taken from memory and only
        they are laid out: ``docs`` is then ``site`` itself, already holding the other files.
        """
        config = self.config
        config["docs_dir"] = str(docs)
        config["site_dir"] = str(site)
        # Material's templates print these without escaping: everything from a data file or a
        # school's words is escaped here, once (Markup, so Material's own "| e" leaves it as it is).
        config["site_name"] = escaped(site_name)
        config["nav"] = [{escaped(title): file for title, file in entry.items()} for entry in nav]
        config["extra"] = {**extra, "words": _escaped_words(extra.get("words", {}))}
        config["extra_css"] = [*self.tool_css, *(extra_css or [])]
        config.theme["language"] = language
        site.mkdir(parents=True, exist_ok=True)
        for folder in self.shared_folders:
            (site / folder).mkdir(parents=True, exist_ok=True)
        for dest in [*self.shared, "robots.txt"]:
            link_or_copy(self.store / dest, site / dest)
        if page_texts is not None:
            files = Files([_page_file(config, name, text) for name, text in page_texts.items()])
        else:
            files = get_files(config)
        with _strict(config, str(docs)):
            navigation = get_navigation(files, config)
            pages = files.documentation_pages()
            for file in pages:
                page = file.page
                assert page is not None
                page.read_source(config)
                escape_page_title(page)  # as the hooks do for plain `mkdocs build`
                page.content = page.markdown  # the pages are HTML already; see the module docstring
                page.toc = get_toc([])
            for file in files:
                if file.is_documentation_page() or page_texts is not None:
                    continue
                target = Path(file.abs_dest_path)
                target.parent.mkdir(parents=True, exist_ok=True)
                link_or_copy(file.abs_src_path or "", target)
            for file in pages:
                assert file.page is not None
                _build_page(file.page, config, pages, navigation, self.env)
