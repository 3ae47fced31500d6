"""Protected mode: a built pupil folder turned, in place, into one that shows nothing without the password.

:func:`protect_folder` takes a complete pupil folder (before it is published) and:

* inlines every personal file a page refers to (photos, the map, the recorded welcome, the
  calendar file) into that page as a ``data:`` URI, since a page opened from a folder
  (``file://``) cannot fetch files with script;
* encrypts every HTML page **whole** with AES-256-GCM under one key per folder
  (PBKDF2-HMAC-SHA256 of the password, at least 600,000 iterations, one random 16-byte
  salt per folder, a fresh 12-byte nonce per page) and replaces it with a small unlock
  page of the same name: a generic title, an accessible password form, the ciphertext and
  ``site_src/protect/unlock.js`` inlined, so it works from ``file://``;
* seals each booklet (PDF) the same way, under the same key, into an unlock page of its own
  (``booklet.pdf`` becomes ``booklet.html``, and every link to it follows): once opened, the
  script offers the PDF to open or save, made in the browser, offline. A booklet is never
  published as a PDF, so opening it costs an attacker the same 600,000 rounds per guess as
  a page (a PDF's own password check costs far fewer);
* gives every unlock page a Content-Security-Policy that allows its own script and the
  opened pages' scripts, by hash (:mod:`~transition_booklets.support.content_policy`);
* deletes every other file except the theme's own (``assets/``) and ``robots.txt``.

In the browser the derived key is kept for this tab only, and forgotten after
:data:`IDLE_MINUTES` without use or when "Close my guide" is pressed.

:func:`decrypt_page` and :func:`decrypt_file` mirror the browser's script, for tests and for
staff to check a build.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import html
import json
import logging
import mimetypes
import os
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from markupsafe import Markup

from transition_booklets.data.problems import BuildError, display_path
from transition_booklets.protect.passwords import normalise_password
from transition_booklets.support import resources
from transition_booklets.support.content_policy import inline_script_hashes, with_content_policy
from transition_booklets.support.files import write_atomic
from transition_booklets.support.fonts import ALWAYS, FAMILIES, Face, faces_for, font_css
from transition_booklets.support.templating import template

log = logging.getLogger(__name__)

PROTECT_SRC = resources.PROTECT_TEMPLATES
MIN_ITERATIONS = 600_000
SALT_BYTES = 16
NONCE_BYTES = 12
KEY_BYTES = 32
FORMAT_VERSION = 2
IDLE_MINUTES = 30  # the browser forgets the key after this long without a tap, key press or scroll
PARAMS_ID = "tb-protect-params"
DATA_ID = "tb-protect-data"
KEPT_FILES = ("robots.txt",)
KEPT_FOLDERS = ("assets",)
BOOKLET_SUFFIXES = (".pdf",)
PAGE, FILE = "page", "file"  # what a sealed unlock page holds
PAGE_SUFFIXES = (".html", ".htm")
LARGE_PAGE_BYTES = 20 * 1024 * 1024

# The unlock page's words, in English; a school's strings file may override each as ``protect_<key>``.
DEFAULT_WORDS: dict[str, str] = {
    "title": "Protected guide",
    "heading": "This guide is protected",
    "intro": "Type the password from your letter from school to open it.",
    "label": "Password",
    "hint": "Type the words and the number on the letter. Capital letters, and spaces or dashes between the words, do not matter.",
    "show": "Show password",
    "hide": "Hide password",
    "submit": "Open the guide",
    "working": "Opening the guide…",
    "empty": "Please type the password first.",
    "wrong": "That password did not open the guide. Check each word and the number, then try again.",
    "failed": "The guide could not be opened in this browser. Please try another browser.",
    "no_crypto": (
        "This browser cannot open protected guides from here. Open the guide from an address that starts with "
        "https://, or from the folder on your computer, in an up-to-date browser."
    ),
    "no_script": "This guide needs JavaScript to open. Please turn JavaScript on, or use another browser.",
    "shared_computer": (
        "On a shared computer, press “Close my guide” when you have finished. "
        "The guide also closes by itself after {minutes} minutes without use."
    ),
    "closed": "Your guide is closed. Type the password to open it again.",
    "idle_closed": "Your guide closed by itself after {minutes} minutes without use. Type the password to open it again.",
    "close": "Close my guide",
    "file_title": "Protected booklet",
    "file_heading": "Your booklet is protected",
    "file_intro": "Type the password from your letter from school to open your booklet.",
    "file_submit": "Open the booklet",
    "file_ready": "Your booklet is ready",
    "file_open": "Open the booklet",
    "file_save": "Save the booklet",
    "back": "Back to my guide",
}
# Words the unlock script needs (the others are in the page itself).
SCRIPT_WORDS = ("show", "hide", "working", "empty", "wrong", "failed", "closed", "idle_closed", "file_ready")

MIME_TYPES = {
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".ics": "text/calendar",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".wav": "audio/wav",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
    ".mov": "video/quicktime",
    ".vtt": "text/vtt",
}
URL_ATTRIBUTES = ("src", "href", "srcset", "poster", "data")  # attributes whose value is a URL (or, for srcset, URLs)
_ATTRIBUTE = re.compile(
    r"""(?<=[\s"'])(?P<name>""" + "|".join(URL_ATTRIBUTES) + r""")(?P<eq>\s*=\s*)(?P<q>["'])(?P<value>.*?)(?P=q)""",
    re.I | re.S,
)
_CSS_URL = re.compile(r"""url\(\s*(?P<q>["']?)(?P<value>[^"')\s]+)(?P=q)\s*\)""", re.I)
_SRCSET_URL = re.compile(r"(^|,)(\s*)([^\s,][^\s]*)")
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)", re.I)


class ProtectError(BuildError):
    """Protection could not be completed; the folder must not be published."""


class WrongPassword(ProtectError):
    """The password does not open this page (or the page was changed)."""


# ---------------------------------------------------------------------------
# Keys and sealing
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def derive_key(password: str, salt: bytes, iterations: int) -> bytes:
    """The 32-byte AES key: PBKDF2-HMAC-SHA256 of the NFC-normalised, trimmed password (as the browser does)."""
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, iterations=iterations)
    return kdf.derive(normalise_password(password).encode("utf-8"))


@dataclass(frozen=True)
class Sealed:
    """What an unlock page carries: the key's salt and iterations, the page's nonce and its ciphertext."""

    salt: bytes
    iterations: int
    nonce: bytes
    ciphertext: bytes
    kind: str = PAGE  # PAGE: an HTML page shown in place; FILE: a file offered to open or save
    name: str = ""  # a file's name when saved
    media_type: str = ""  # a file's media type
    idle_minutes: int = IDLE_MINUTES

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "v": FORMAT_VERSION,
            "kdf": "PBKDF2-HMAC-SHA256",
            "iterations": self.iterations,
            "salt": base64.b64encode(self.salt).decode("ascii"),
            "cipher": "AES-256-GCM",
            "nonce": base64.b64encode(self.nonce).decode("ascii"),
            "kind": self.kind,
            "idle": self.idle_minutes * 60,
        }
        if self.kind == FILE:
            params.update(name=self.name, type=self.media_type)
        return params


def seal(plaintext: bytes, key: bytes, salt: bytes, iterations: int, **about: Any) -> Sealed:
    """``plaintext`` encrypted under ``key`` with a fresh nonce; ``about`` sets :class:`Sealed`'s other fields."""
    nonce = os.urandom(NONCE_BYTES)
    return Sealed(salt, iterations, nonce, AESGCM(key).encrypt(nonce, plaintext, None), **about)


# ---------------------------------------------------------------------------
# The unlock page
# ---------------------------------------------------------------------------


def _script_safe(text: str) -> Markup:
    """Text for inside a <script> element: never closes it, never opens a comment."""
    if re.search(r"</script|<!--", text, re.I):
        raise ValueError("text for a <script> element must not contain '</script' or '<!--'")
    return Markup(text)  # checked above; script content is not HTML-decoded


def _json_for_script(value: Any) -> Markup:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return _script_safe(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


@functools.lru_cache(maxsize=1)
def _unlock_script() -> Markup:
    return _script_safe((PROTECT_SRC / "unlock.js").read_text(encoding="utf-8"))


def shell_words(words: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The unlock page's words: ``protect_<key>`` from ``words`` (a school's strings) over the English defaults."""
    chosen = dict(DEFAULT_WORDS)
    for key in DEFAULT_WORDS:
        value = (words or {}).get(f"protect_{key}")
        if isinstance(value, str) and value.strip():
            chosen[key] = value
    return chosen


def render_shell(
    sealed: Sealed,
    *,
    lang: str = "en",
    prefix: str = "",
    words: Mapping[str, Any] | None = None,
    allow_scripts: tuple[str, ...] = (),
    available: frozenset[str] | None = None,
) -> str:
    """The unlock page for one sealed page or file; ``prefix`` leads from it to the folder (``""`` or ``"../"``).

    ``allow_scripts`` are the inline-script hashes of the opened pages, added to the unlock
    page's Content-Security-Policy (an opened page is shown in the same document).
    ``available`` are the font files in the folder's ``assets/fonts`` (default: the main font's).
    """
    chosen = {key: value.replace("{minutes}", str(sealed.idle_minutes)) for key, value in shell_words(words).items()}
    shell = template(PROTECT_SRC, "unlock.html.j2").render(
        lang=lang,
        prefix=prefix,
        words=chosen,
        font_css=Markup(font_css(_shell_faces(chosen, available), url_prefix=f"{prefix}assets/fonts/")),
        font_stack=Markup(", ".join(f'"{family}"' for family in FAMILIES)),
        kind=sealed.kind,
        file_name=sealed.name,
        params=_json_for_script(sealed.params()),
        script_words=_json_for_script({key: chosen[key] for key in SCRIPT_WORDS}),
        data=Markup(base64.b64encode(sealed.ciphertext).decode("ascii")),  # base64 only
        script=_unlock_script(),
    )
    return with_content_policy(shell, also_allow=allow_scripts)


def _shell_faces(words: Mapping[str, str], available: frozenset[str] | None) -> list[Face]:
    """The font files the unlock page's words need, of those the folder has."""
    chosen = faces_for(words.values())
    return [face for face in chosen if face.file in (available if available is not None else ALWAYS)]


class _ScriptText(HTMLParser):
    """The text of the <script> elements with the ids wanted: what ``textContent`` gives the browser."""

    def __init__(self, wanted: tuple[str, ...]) -> None:
        super().__init__(convert_charrefs=False)
        self.wanted = wanted
        self.found: dict[str, str] = {}
        self._current: str | None = None
        self._parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            element_id = dict(attrs).get("id")
            if element_id in self.wanted and element_id not in self.found:
                self._current = element_id
                self._parts = []

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._parts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._current is not None:
            self.found[self._current] = "".join(self._parts)
            self._current = None


def read_sealed(shell_html: str) -> Sealed:
    """The sealed page inside an unlock page, read as ``unlock.js`` reads it."""
    parser = _ScriptText((PARAMS_ID, DATA_ID))
    parser.feed(shell_html)
    parser.close()
    if PARAMS_ID not in parser.found or DATA_ID not in parser.found:
        raise ProtectError("this is not a protected page (no encrypted content in it)")
    try:
        params = json.loads(parser.found[PARAMS_ID])
        if params.get("v") != FORMAT_VERSION:
            raise ProtectError(f"this protected page has format {params.get('v')!r}; this tool reads {FORMAT_VERSION}")

        def b64(text: str) -> bytes:
            return base64.b64decode(re.sub(r"\s+", "", text), validate=True)

        kind = params.get("kind", PAGE)
        if kind not in (PAGE, FILE):
            raise ProtectError(f"this protected page holds {kind!r}, which this tool does not know")
        return Sealed(
            b64(params["salt"]),
            int(params["iterations"]),
            b64(params["nonce"]),
            b64(parser.found[DATA_ID]),
            kind=kind,
            name=str(params.get("name", "")),
            media_type=str(params.get("type", "")),
            idle_minutes=int(params.get("idle", IDLE_MINUTES * 60)) // 60,
        )
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        raise ProtectError(f"this protected page is damaged ({error})") from None


def _opened(sealed: Sealed, password: str) -> bytes:
    key = derive_key(password, sealed.salt, sealed.iterations)
    try:
        return AESGCM(key).decrypt(sealed.nonce, sealed.ciphertext, None)
    except InvalidTag:
        raise WrongPassword("the password does not open this page") from None


def decrypt_page(shell_html: str, password: str) -> str:
    """The original page inside an unlock page; :class:`WrongPassword` if ``password`` does not open it."""
    sealed = read_sealed(shell_html)
    if sealed.kind != PAGE:
        raise ProtectError(f"this unlock page holds a file ({sealed.name}), not a page")
    return _opened(sealed, password).decode("utf-8")


def decrypt_file(shell_html: str, password: str) -> tuple[str, bytes]:
    """The file inside a file's unlock page: its name and its bytes, as the browser offers them."""
    sealed = read_sealed(shell_html)
    if sealed.kind != FILE:
        raise ProtectError("this unlock page holds a page, not a file")
    return sealed.name, _opened(sealed, password)


def is_protected_page(text: str) -> bool:
    return f'id="{PARAMS_ID}"' in text


# ---------------------------------------------------------------------------
# Inlining personal files
# ---------------------------------------------------------------------------


def data_uri(path: Path) -> str:
    """The file as a ``data:`` URI (base64), with its media type."""
    suffix = path.suffix.lower()
    mime = MIME_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _resolve(url: str, page: str) -> str | None:
    """The folder-relative path ``url`` (as written in ``page``) points to, or ``None`` for other links."""
    url = html.unescape(url).strip()
    if not url or url.startswith(("#", "/", "\\")):
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
    return None if target.startswith("../") or target == ".." else target


def inline_personal_files(page_html: str, page: str, lookup: Callable[[str], str | None]) -> str:
    """``page_html`` with every reference to a personal file (src, href, srcset, poster, data, CSS url())
    replaced by that file's data URI. ``lookup(path)`` gives the URI of a personal file, else ``None``."""

    def swap(url: str) -> str:
        target = _resolve(url, page)
        uri = lookup(target) if target is not None else None
        return uri if uri is not None else url

    def attribute(match: re.Match[str]) -> str:
        value = match.group("value")
        if match.group("name").lower() == "srcset":
            new = _SRCSET_URL.sub(lambda m: m.group(1) + m.group(2) + swap(m.group(3)), value)
        else:
            new = swap(value)
        if new == value:
            return match.group(0)
        return f"{match.group('name')}{match.group('eq')}{match.group('q')}{new}{match.group('q')}"

    def css_url(match: re.Match[str]) -> str:
        new = swap(match.group("value"))
        quote = match.group("q")  # kept: a style="…" attribute is closed by a new double quote
        return match.group(0) if new == match.group("value") else f"url({quote}{new}{quote})"

    return _CSS_URL.sub(css_url, _ATTRIBUTE.sub(attribute, page_html))


def _left_references(page_html: str, personal: list[str]) -> list[str]:
    """Personal files still named in a page after inlining: a reference protect could not rewrite."""
    left = []
    for rel in personal:
        pattern = re.compile(r"""(?:["'(=]|,\s*)(?:\.\.?/)*""" + re.escape(rel) + r"""(?=["')#?\s,])""")
        if pattern.search(page_html):
            left.append(rel)
    return left


# ---------------------------------------------------------------------------
# Booklets
# ---------------------------------------------------------------------------


def booklet_page(rel: str) -> str:
    """The unlock page that holds the booklet ``rel``: ``booklet.pdf`` → ``booklet.html``."""
    return posixpath.splitext(rel)[0] + ".html"


# ---------------------------------------------------------------------------
# A whole folder
# ---------------------------------------------------------------------------


@dataclass
class _Contents:
    pages: list[str]
    booklets: list[str]
    personal: list[str]


def _survey(folder: Path) -> _Contents:
    contents = _Contents([], [], [])
    for path in sorted(folder.rglob("*")):
        if path.is_dir():
            continue
        rel = path.relative_to(folder).as_posix()
        if ("/" in rel and rel.split("/", 1)[0] in KEPT_FOLDERS) or rel in KEPT_FILES:
            continue
        suffix = path.suffix.lower()
        if suffix in PAGE_SUFFIXES:
            contents.pages.append(rel)
        elif suffix in BOOKLET_SUFFIXES:
            contents.booklets.append(rel)
        else:
            contents.personal.append(rel)
    return contents


def _page_lang(page_html: str) -> str:
    match = _HTML_LANG.search(page_html[:4096])
    return match.group(1) if match else "en"


def protect_folder(
    folder: Path,
    password: str,
    *,
    iterations: int = MIN_ITERATIONS,
    words: Mapping[str, Any] | None = None,
    idle_minutes: int = IDLE_MINUTES,
) -> None:
    """Protect a complete, not yet published pupil folder in place (see the module's docstring).

    ``words`` are the school's interface words (e.g. ``Words(locale).all()``); the unlock
    page uses their ``protect_*`` keys where present. Raises :class:`ProtectError` when the
    folder cannot be protected completely: the folder must then not be published.
    """
    folder = Path(folder)
    if iterations < MIN_ITERATIONS:
        raise ValueError(f"iterations must be at least {MIN_ITERATIONS:,}")
    if idle_minutes < 1:
        raise ValueError("the idle time must be at least a minute")
    if not normalise_password(password):
        raise ValueError("the password is empty")
    where = display_path(folder)
    if not (folder / "index.html").is_file():
        raise ProtectError(f"{where}: no index.html here, so this is not a built pupil folder")
    if is_protected_page((folder / "index.html").read_text(encoding="utf-8", errors="replace")):
        raise ProtectError(f"{where}: this folder is protected already")

    contents = _survey(folder)
    personal = set(contents.personal)
    booklets = {rel: booklet_page(rel) for rel in contents.booklets}
    clashes = sorted(set(booklets.values()) & set(contents.pages))
    if clashes:
        raise ProtectError(f"{where}: a booklet's unlock page would replace the page {clashes[0]}")
    uris: dict[str, str] = {}
    used: set[str] = set()

    def lookup(rel: str, page: str) -> str | None:
        if rel in booklets:  # a link to a booklet leads to its unlock page
            return posixpath.relpath(booklets[rel], posixpath.dirname(page) or ".")
        if rel not in personal:
            return None
        used.add(rel)
        if rel not in uris:
            uris[rel] = data_uri(folder / rel)
        return uris[rel]

    salt = os.urandom(SALT_BYTES)
    key = derive_key(password, salt, iterations)
    opened: dict[str, tuple[str, bytes]] = {}  # each page's language and its content, inlined
    for rel in contents.pages:
        original = (folder / rel).read_text(encoding="utf-8")
        inlined = inline_personal_files(original, rel, functools.partial(lookup, page=rel))
        left = _left_references(inlined, [*contents.personal, *contents.booklets])
        if left:
            raise ProtectError(
                f"{where}/{rel}: refers to {', '.join(left)} in a way that cannot be inlined; "
                "this is a bug in the page templates, please report it"
            )
        plaintext = inlined.encode("utf-8")
        if len(plaintext) > LARGE_PAGE_BYTES:
            log.warning(
                "%s/%s: %d MB once its pictures and sound are inside it; it may open slowly on a phone",
                where,
                rel,
                len(plaintext) // (1024 * 1024),
            )
        opened[rel] = (_page_lang(original), plaintext)
    # An opened page is shown in its unlock page's document, where both policies apply.
    allow = tuple(sorted({source for _, text in opened.values() for source in inline_script_hashes(text.decode())}))
    lang = opened.get("index.html", ("en", b""))[0]
    fonts = frozenset(path.name for path in (folder / "assets" / "fonts").glob("*.woff2"))

    def shell(rel: str, sealed: Sealed, page_lang: str) -> None:
        depth = rel.count("/")
        text = render_shell(
            sealed, lang=page_lang, prefix="../" * depth, words=words, allow_scripts=allow, available=fonts
        )
        write_atomic(folder / rel, text)  # a new file: never written through a hard link

    for rel, (page_lang, plaintext) in opened.items():
        shell(rel, seal(plaintext, key, salt, iterations, idle_minutes=idle_minutes), page_lang)
    for rel, page in booklets.items():
        pdf = folder / rel
        sealed = seal(
            pdf.read_bytes(),
            key,
            salt,
            iterations,
            kind=FILE,
            name=posixpath.basename(rel),
            media_type="application/pdf",
            idle_minutes=idle_minutes,
        )
        shell(page, sealed, lang)
        pdf.unlink()
    for rel in contents.personal:
        if rel not in used:
            log.debug("%s: %s is not used by any page; removed", where, rel)  # pragma: no mutate
        (folder / rel).unlink()
    for path in sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            path.rmdir()  # only empty folders go
    left_over = _survey(folder)
    if left_over.personal or left_over.booklets:
        raise ProtectError(f"{where}: could not remove {', '.join(left_over.personal + left_over.booklets)}")
    log.debug(
        "%s: protected %d pages and %d booklets", where, len(contents.pages), len(contents.booklets)
    )  # pragma: no mutate
