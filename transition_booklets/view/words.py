"""Interface words and dates in the school's language, from one strings file per language.

The strings live in ``site_src/strings/<language>.yaml``. A locale such as ``en-GB``
uses ``en.yaml``; words missing from a language fall back to English. Dates and times in
English follow the patterns of ``en.yaml``; in any other language they come from the
Unicode CLDR through Babel, unless its strings file gives patterns for the locale. A school's own
``theme/strings/<language>.yaml`` replaces the words it gives (see
:mod:`~transition_booklets.data.school_theme`).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import yaml

from transition_booklets.data.models import School
from transition_booklets.data.school_theme import SchoolTheme
from transition_booklets.support import resources

STRINGS_DIR = resources.STRINGS


@functools.lru_cache(maxsize=8)
def _load(language: str) -> dict[str, Any]:
    path = STRINGS_DIR / f"{language}.yaml"
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of words")
    return data


#: Languages written right to left: their parts of a page get ``dir="rtl"``.
RIGHT_TO_LEFT = frozenset({"ar", "ur", "fa", "ps", "he", "yi", "ckb", "sd", "ug"})


def available_languages() -> list[str]:
    """The languages the tool has words for (``site_src/strings/<language>.yaml``)."""
    return sorted(path.stem for path in STRINGS_DIR.glob("*.yaml"))


def has_words(locale: str, theme: SchoolTheme | None = None) -> bool:
    """Whether the tool, or the school's theme, has words in ``locale``'s language."""
    language = language_of(locale)
    return language in available_languages() or (theme is not None and bool(theme.words(language)))


def language_name(locale: str) -> str:
    """The language's name in itself, for a link to it: ``cy`` → ``Cymraeg``, ``en-GB`` → ``English``."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(language_of(locale)).get_display_name(language_of(locale)) or locale
    except (UnknownLocaleError, ValueError):
        return locale
    return name[:1].upper() + name[1:]


def language_of(locale: str) -> str:
    """``en-GB`` → ``en``."""
    return locale.replace("_", "-").split("-")[0].lower() or "en"


class Words:
    """The interface words and date formats for one locale."""

    def __init__(self, locale: str = "en-GB", theme: SchoolTheme | None = None) -> None:
        self.locale = locale
        self.language = language_of(locale)
        merged = dict(_load("en"))
        merged.update(_load(self.language))
        if theme is not None:
            merged.update(theme.words(self.language))
        self._words: dict[str, Any] = merged

    @property
    def direction(self) -> str:
        """``rtl`` for a language written right to left, else ``ltr``."""
        return "rtl" if self.language in RIGHT_TO_LEFT else "ltr"

    @classmethod
    def for_school(cls, school: School) -> Words:
        """The school's words: its locale, with its own theme's words where it gives them."""
        return cls(school.locale, school.theme)

    def __getitem__(self, key: str) -> Any:
        return self._words[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._words.get(key, default)

    def all(self) -> dict[str, Any]:
        return dict(self._words)

    def _pattern(self, name: str) -> str:
        by_locale: dict[str, str] = self._words.get("date_formats", {}).get(self.locale, {})
        default: dict[str, str] = self._words.get("date_formats", {}).get("default", {})
        return by_locale.get(name) or default[name]

    @functools.cached_property
    def _cldr(self) -> Any:
        """Babel's locale data for a language whose strings file gives no date patterns of its own, else None."""
        formats = self._words.get("date_formats", {})
        if self.locale in formats or self.language == "en":
            return None
        from babel import Locale, UnknownLocaleError

        for tag in (self.locale.replace("-", "_"), self.language):
            try:
                return Locale.parse(tag)
            except (UnknownLocaleError, ValueError):
                continue
        return None

    def date(self, value: dt.date | None) -> str:
        """``Tuesday 8 December 2026`` (en-GB); ``Dydd Mawrth, 8 Rhagfyr 2026`` (cy, from the CLDR through Babel)."""
        if value is None:
            return ""
        if self._cldr is not None:
            from babel.dates import format_date

            return str(format_date(value, format="full", locale=self._cldr))
        return self._pattern("long").format(
            weekday=self._words["weekdays"][value.weekday()],
            day=value.day,
            month=self._words["months"][value.month - 1],
            year=value.year,
        )

    def time(self, value: dt.time | None) -> str:
        """``9:30am`` (en-GB) or ``09:30`` where the strings file says so."""
        if value is None:
            return ""
        if self._cldr is not None:
            from babel.dates import format_time

            return str(format_time(value, format="short", locale=self._cldr))
        if self._pattern("clock") == "12h":
            hour = value.hour % 12 or 12
            suffix = self._words["am"] if value.hour < 12 else self._words["pm"]
            return f"{hour}:{value.minute:02d}{suffix}" if value.minute else f"{hour}{suffix}"
        return f"{value.hour:02d}:{value.minute:02d}"

    def time_range(self, start: dt.time | None, end: dt.time | None) -> str:
        if start and end:
            return str(self._words["time_range"]).format(start=self.time(start), end=self.time(end))
        return self.time(start or end)

    def date_range(self, start: dt.date | None, end: dt.date | None) -> str:
        if start and end and start != end:
            return str(self._words["date_range"]).format(start=self.date(start), end=self.date(end))
        if start and not end:
            return str(self._words["date_from"]).format(start=self.date(start))
        return self.date(start or end)
