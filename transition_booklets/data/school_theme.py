"""A school's own look and words: the optional ``theme/`` folder of a data folder.

Like Material's ``custom_dir``, each file a school puts there replaces or adds to the tool's
own, and everything else stays as the tool has it:

====================================  =========================================================
``theme/strings/<language>.yaml``     interface words: only the keys given replace the tool's
``theme/pages/<page>.md.j2``          a page template (or ``macros.html.j2``, ``page.md.j2``)
``theme/pages/school-band.html.j2``   a band shown at the top of every page (the tool has none)
``theme/extra.css``                   a stylesheet added after the tool's, on every page
``theme/booklet/booklet.typ``         the booklet's template (its colours, fonts and layout)
``theme/fonts/``                      fonts for the booklet (``.ttf``, ``.otf``)
====================================  =========================================================

Overrides are checked like the data: a strings file that is not valid YAML or names a word
the tool does not have, or a template Jinja cannot read, is a located problem.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml

from transition_booklets.data.problems import Problem, display_path
from transition_booklets.data.suggest import did_you_mean
from transition_booklets.data.yaml_source import YamlProblem, read_yaml
from transition_booklets.support import resources

THEME_FOLDER = "theme"


@dataclass(frozen=True)
class SchoolTheme:
    """What a data folder's ``theme/`` overrides (each None or empty when it does not)."""

    folder: Path

    @property
    def strings(self) -> Path:
        return self.folder / "strings"

    @property
    def pages(self) -> Path | None:
        folder = self.folder / "pages"
        return folder if folder.is_dir() else None

    @property
    def extra_css(self) -> Path | None:
        path = self.folder / "extra.css"
        return path if path.is_file() else None

    @property
    def booklet_template(self) -> Path | None:
        path = self.folder / "booklet" / "booklet.typ"
        return path if path.is_file() else None

    @property
    def fonts(self) -> Path | None:
        folder = self.folder / "fonts"
        return folder if folder.is_dir() else None

    @functools.cached_property
    def _digest(self) -> str:
        return _digest(str(self.folder), _stamp(self.folder))

    def digest(self) -> str:
        """A hash of every file of the theme: a change rebuilds every pupil.

        Worked out once per loaded school (every pupil's fingerprint asks for it); a build loads
        the school afresh, so an edited theme is seen by the next build.
        """
        return self._digest

    def words(self, language: str) -> dict[str, Any]:
        """The school's words for ``language`` (empty when it gives none); check them with :func:`theme_problems`."""
        path = self.strings / f"{language}.yaml"
        try:
            stat = path.stat()
        except OSError:
            return {}
        return dict(_words(str(path), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=16)
def _words(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    """A strings file read once while it is unchanged (each pupil's pages, booklet and letter ask for it)."""
    try:
        data, _ = read_yaml(Path(path))
    except (OSError, YamlProblem):
        return {}
    return data if isinstance(data, dict) else {}


def school_theme(data_dir: Path) -> SchoolTheme | None:
    """The data folder's theme, or None when it has no ``theme/`` folder."""
    folder = data_dir / THEME_FOLDER
    return SchoolTheme(folder) if folder.is_dir() else None


def _stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            found.append((path.relative_to(folder).as_posix(), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


@functools.lru_cache(maxsize=8)
def _digest(folder: str, stamp: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for name, _, _ in stamp:
        digest.update(name.encode())
        digest.update(hashlib.sha256((Path(folder) / name).read_bytes()).digest())
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def _tool_words() -> dict[str, Any]:
    """Every word the tool has, in any language (cy.yaml also names the unlock page's and the letter's)."""
    words: dict[str, Any] = {}
    for path in sorted(resources.STRINGS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            words.update({key: value for key, value in data.items() if key not in words})
    return words


def theme_problems(theme: SchoolTheme) -> list[Problem]:
    """Every problem in the theme's strings files and templates, located."""
    problems: list[Problem] = []
    known = _tool_words()
    if theme.strings.is_dir():
        for path in sorted(theme.strings.glob("*.yaml")):
            shown = display_path(path)
            try:
                data, positions = read_yaml(path)
            except YamlProblem as problem:
                problems.append(Problem(shown, problem.line, problem.column, "", problem.message))
                continue
            if data is None:
                continue
            if not isinstance(data, dict):
                problems.append(Problem(shown, 1, 1, "", "a strings file is a list of 'key: words' lines"))
                continue
            for key, value in data.items():
                line, column = positions.of((key,), key=True)
                if key not in known:
                    hint = did_you_mean(str(key), known)
                    problems.append(
                        Problem(shown, line, column, str(key), f"the tool has no word '{key}'{hint}; check the key")
                    )
                elif isinstance(known[key], str) and not isinstance(value, str):
                    problems.append(Problem(shown, line, column, str(key), "write the words as text, on one line"))
    if theme.pages is not None:
        environment = jinja2.Environment(autoescape=True)
        for path in sorted(theme.pages.glob("*.j2")):
            try:
                environment.parse(path.read_text(encoding="utf-8"), path.name, str(path))
            except jinja2.TemplateSyntaxError as error:
                problems.append(Problem(display_path(path), error.lineno or 1, 1, "", f"template: {error.message}"))
    return problems
