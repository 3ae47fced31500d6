"""Reading built pages the way the tests need: links, resources and text."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")
CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'");\s]+)""")


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []  # <a href>
        self.resources: list[str] = []  # src, srcset, link href, style url()
        self.ids: set[str] = set()
        self.text: list[str] = []
        self.meta: dict[str, str] = {}
        self.images_without_alt: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "href" in values:
            self.links.append(values["href"])
        if tag == "link" and "href" in values:
            self.resources.append(values["href"])
        for name in ("src", "poster", "data"):
            if name in values and tag != "a":
                self.resources.append(values[name])
        if "srcset" in values:
            self.resources.extend(part.strip().split(" ")[0] for part in values["srcset"].split(",") if part.strip())
        if "style" in values:
            self.resources.extend(CSS_URL.findall(values["style"]))
        if tag == "meta" and "name" in values:
            self.meta[values["name"]] = values.get("content", "")
        if tag == "img" and "alt" not in values:
            self.images_without_alt.append(values.get("src", ""))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if self._skip:
            if "url(" in data or "@import" in data:
                self.resources.extend(CSS_URL.findall(data))
                self.resources.extend(CSS_IMPORT.findall(data))
            return
        self.text.append(data)


def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def page_text(path: Path) -> str:
    return " ".join(" ".join(parse_page(path).text).split())


def css_resources(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return CSS_URL.findall(text) + CSS_IMPORT.findall(text)


def is_external(url: str) -> bool:
    url = url.strip()
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url, re.IGNORECASE)) or url.lower().startswith(
        ("http:", "https:", "ftp:")
    )
