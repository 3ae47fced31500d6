"""Protected mode: once a pupil's folder is protected, nothing personal can be read from it without the password."""

from __future__ import annotations

import base64
import html
import io
import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
import yaml

from tests.conftest import EXAMPLE
from transition_booklets.build.pipeline import build_cohort
from transition_booklets.build.settings import BuildOptions
from transition_booklets.protect.encrypt import (
    MIN_ITERATIONS,
    ProtectError,
    WrongPassword,
    data_uri,
    decrypt_file,
    decrypt_page,
    derive_key,
    inline_personal_files,
    protect_folder,
    read_sealed,
    render_shell,
    seal,
)
from transition_booklets.support.content_policy import script_hash

PUPILS = sorted(path.stem for path in EXAMPLE.glob("*.yaml") if path.name != "school.yaml")
PASSWORDS = {pupil: f"otter-maple-{pupil.split('-')[0]}-lantern-7" for pupil in PUPILS}
DATA_URI = re.compile(r"data:[a-z0-9.+/-]+;base64,[A-Za-z0-9+/=]+")
# Outside the theme's assets/, no file may hold a picture or a recording in clear.
MAGIC = {
    "PNG": b"\x89PNG\r\n\x1a\n",
    "JPEG": b"\xff\xd8\xff\xe0\x00\x10JFIF",
    "JPEG (Exif)": b"Exif\x00\x00MM",
    "WebP": b"WEBPVP8",
    "Ogg": b"OggS\x00\x02",
    "GIF": b"GIF89a",
}
BASE64_MAGIC = {"PNG": "iVBORw0KGgo", "JPEG": "/9j/4AAQSkZJRg", "WebP": "UklGR", "Ogg": "T2dnUwAC", "GIF": "R0lGODlh"}
TEXT_SUFFIXES = {".html", ".htm", ".js", ".css", ".json", ".txt", ".svg", ".xml", ".ics", ".map", ".md"}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def personal_words() -> tuple[set[str], set[str]]:
    """Names of pupils, staff and the adults in pupils' files; and long sentences from pupils' files."""
    school = yaml.safe_load((EXAMPLE / "school.yaml").read_text(encoding="utf-8"))
    names: set[str] = set()
    for member in school["staff"].values():
        names.update(value for key, value in member.items() if key in ("name", "full_name") and value)
    sentences: set[str] = set()
    for pupil in PUPILS:
        data = yaml.safe_load((EXAMPLE / f"{pupil}.yaml").read_text(encoding="utf-8"))
        names.add(data["name"])
        names.update(data["name"].split())
        if data.get("preferred_name"):
            names.add(data["preferred_name"])
        for person in (data.get("first_visit") or {}).get("trusted_adult"), data.get("buddy"):
            if person and person.get("name"):
                names.add(person["name"])
        sentences.update(text.strip() for text in _strings(data) if len(text.strip()) >= 40)
    return names, sentences


NAMES, SENTENCES = personal_words()


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The example built once (clear), and a copy of it with every pupil's folder protected."""
    root = tmp_path_factory.mktemp("protect")
    result = build_cohort(BuildOptions(data_dir=EXAMPLE, out_dir=root / "clear", staff_dir=root / "staff"))
    assert result.ok, result.problems
    shutil.copytree(root / "clear", root / "protected", symlinks=False)
    for pupil in PUPILS:
        protect_folder(root / "protected" / pupil, PASSWORDS[pupil])
    return root / "clear", root / "protected"


def files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def name_pattern(name: str) -> re.Pattern[str]:
    # Not inside a run of base64 or of letters: "Amy" in a word or in ciphertext is chance, not a leak.
    return re.compile(r"(?<![A-Za-z0-9+/])" + re.escape(name) + r"(?![A-Za-z0-9+/=])", re.I)


def test_the_example_has_people_and_sentences_to_look_for() -> None:
    assert {"Amy", "Amelia Jones", "Jordan", "Ms Khan", "Ayesha Khan", "Mrs Patel", "Priya"} <= NAMES
    assert len(SENTENCES) > 20


def readable_without_the_password(folder: Path) -> list[str]:
    """Everything personal in ``folder`` that can be read without the password: names and sentences
    from the pupils' files, pictures, recordings, calendars and PDFs in clear."""
    patterns = [name_pattern(name) for name in sorted(NAMES)]
    found: list[str] = []
    for path in files(folder):
        rel = path.relative_to(folder).as_posix()
        for name in NAMES:
            if name.lower() in rel.lower():
                found.append(f"{rel}: the file name holds {name!r}")
        data = path.read_bytes()
        if path.suffix.lower() in TEXT_SUFFIXES:
            text = data.decode("utf-8")
            found += [f"{rel}: {pattern.pattern}" for pattern in patterns if pattern.search(text)]
            for sentence in SENTENCES:
                if sentence in text or html.escape(sentence) in text or sentence[:40] in text:
                    found.append(f"{rel}: the sentence {sentence[:40]!r}…")
        else:  # binary: only long names and sentences, so that chance bytes in ciphertext cannot match
            found += [f"{rel}: {name!r}" for name in NAMES if len(name) >= 6 and name.encode() in data]
            found += [f"{rel}: {sentence[:40]!r}…" for sentence in SENTENCES if sentence[:40].encode() in data]
        if b"BEGIN:VCALENDAR" in data:
            found.append(f"{rel}: a calendar in clear")
        if data.startswith(b"%PDF-") or b"%PDF-1." in data:
            found.append(f"{rel}: a PDF in clear")
        if rel.startswith("assets/"):
            continue
        found += [f"{rel}: a {kind} picture or sound in clear" for kind, magic in MAGIC.items() if magic in data]
        if path.suffix == ".html":
            text = data.decode("utf-8")
            found += [f"{rel}: a base64 {kind} in clear" for kind, magic in BASE64_MAGIC.items() if magic in text]
            found += [f"{rel}: a data: URI in clear" for _ in DATA_URI.finditer(text)]
    return found


@pytest.mark.parametrize("pupil", PUPILS)
def test_no_name_sentence_or_picture_is_left_in_clear(sites: tuple[Path, Path], pupil: str) -> None:
    _, protected = sites
    found = readable_without_the_password(protected / pupil)
    assert not found, "personal information readable without the password:\n" + "\n".join(found)


def test_a_protected_build_as_published_holds_nothing_in_clear(tmp_path: Path) -> None:
    """The real ``--protect`` build, its folders as the build leaves them (pictures and theme files
    hard-linked from the staff cache, not copied), and the zips beside them: nothing readable."""
    passwords = tmp_path / "passwords.csv"
    passwords.write_text("pupil_id,password\n" + "".join(f"{p},{w}\n" for p, w in PASSWORDS.items()), encoding="utf-8")
    site, staff = tmp_path / "site", tmp_path / "staff"
    clear = build_cohort(BuildOptions(EXAMPLE, tmp_path / "clear", staff, jobs=1))
    assert clear.ok, clear.problems
    linked = [path for path in files(tmp_path / "clear") if path.stat().st_nlink > 1]
    assert any(path.parent.name == "images" for path in linked), "a build hard-links its pictures from the cache"
    result = build_cohort(BuildOptions(EXAMPLE, site, staff, jobs=1, protect=True, passwords_file=passwords))
    assert result.ok, result.problems
    folders = [path for path in site.iterdir() if path.is_dir()]
    assert len(folders) == len(PUPILS)
    assert any(path.stat().st_nlink > 1 for folder in folders for path in files(folder)), "the shipped layout"
    found = [f"{folder.name}/{leak}" for folder in folders for leak in readable_without_the_password(folder)]
    for archive in sorted(site.glob("*.zip")):
        unpacked = tmp_path / "unzipped" / archive.stem
        with zipfile.ZipFile(archive) as opened:
            opened.extractall(unpacked)
        inside = [path for path in unpacked.iterdir()]
        assert [path.name for path in inside] == [archive.stem], "a zip holds the pupil's folder"
        found += [f"{archive.name}!{leak}" for leak in readable_without_the_password(inside[0])]
    assert len(list(site.glob("*.zip"))) == len(PUPILS)
    assert not found, "personal information readable without the password:\n" + "\n".join(found)


@pytest.mark.parametrize("pupil", PUPILS)
def test_only_unlock_pages_booklets_and_the_theme_are_left(sites: tuple[Path, Path], pupil: str) -> None:
    clear, protected = sites
    left = {path.relative_to(protected / pupil).as_posix() for path in files(protected / pupil)}
    assert not [rel for rel in left if rel.startswith(("images/", "media/"))]
    assert "calendar.ics" not in left
    outside_assets = {rel for rel in left if not rel.startswith("assets/")}
    pages = {rel for rel in outside_assets if rel.endswith(".html")}
    assert outside_assets - pages == {"robots.txt"}, "no booklet is published as a PDF"
    booklets = {"booklet.html", "booklet-print.html"}  # each booklet sealed in an unlock page of its own
    assert pages == {path.name for path in (clear / pupil).glob("*.html")} | booklets
    # The theme's files are untouched, byte for byte.
    for rel in sorted(rel for rel in left if rel.startswith("assets/")):
        assert (protected / pupil / rel).read_bytes() == (clear / pupil / rel).read_bytes(), rel


@pytest.mark.parametrize("pupil", PUPILS)
def test_each_page_opens_with_the_password_as_it_was_built(sites: tuple[Path, Path], pupil: str) -> None:
    clear, protected = sites
    # Every personal file of the clear build, by its data: URI, to put the original reference back.
    originals = {
        data_uri(path): path.relative_to(clear / pupil).as_posix()
        for path in files(clear / pupil)
        if path.relative_to(clear / pupil).parts[0] in ("images", "media") or path.name == "calendar.ics"
    }
    salts = set()
    nonces = set()
    for shell_path in sorted((protected / pupil).glob("*.html")):
        shell = shell_path.read_text(encoding="utf-8")
        sealed = read_sealed(shell)
        salts.add(sealed.salt)
        nonces.add(sealed.nonce)
        assert sealed.iterations >= MIN_ITERATIONS and len(sealed.salt) == 16 and len(sealed.nonce) == 12
        if sealed.kind == "file":  # a booklet: the same password opens it, byte for byte as built
            name, content = decrypt_file(shell, f" {PASSWORDS[pupil].upper()} ")
            assert content == (clear / pupil / name).read_bytes() and shell_path.stem == Path(name).stem
            with pytest.raises(WrongPassword):
                decrypt_file(shell, "otter-maple-wrong-lantern-7")
            continue
        opened = decrypt_page(shell, PASSWORDS[pupil])
        # Around its spaces, the password is the same (the browser trims them too).
        assert decrypt_page(shell, f"  {PASSWORDS[pupil]} ") == opened
        restored = DATA_URI.sub(lambda match: originals[match.group(0)], opened)
        restored = re.sub(r'href="(booklet(?:-print)?)\.html"', r'href="\1.pdf"', restored)
        assert restored == (clear / pupil / shell_path.name).read_text(encoding="utf-8"), shell_path.name
        assert not re.search(r"""["' ,](images/|media/|calendar\.ics)""", opened)
        with pytest.raises(WrongPassword):
            decrypt_page(shell, "otter-maple-wrong-lantern-7")
    assert len(salts) == 1, "one salt per pupil folder, so the key is derived once per visit"
    assert len(nonces) == len(list((protected / pupil).glob("*.html"))), "a fresh nonce per page"


def test_folders_have_their_own_salt_and_a_changed_page_does_not_open(sites: tuple[Path, Path]) -> None:
    _, protected = sites
    salts = {read_sealed((protected / pupil / "index.html").read_text(encoding="utf-8")).salt for pupil in PUPILS}
    assert len(salts) == len(PUPILS)
    shell = (protected / "amy-jones" / "index.html").read_text(encoding="utf-8")
    data = re.search(r'id="tb-protect-data">([^<]+)<', shell)
    assert data
    raw = bytearray(base64.b64decode(data.group(1)))
    raw[100] ^= 1
    tampered = shell.replace(data.group(1), base64.b64encode(bytes(raw)).decode())
    with pytest.raises(WrongPassword):
        decrypt_page(tampered, PASSWORDS["amy-jones"])
    with pytest.raises(WrongPassword):
        decrypt_page(shell, PASSWORDS["jordan-reid"])


def test_pictures_sound_and_the_calendar_are_inside_the_pages(sites: tuple[Path, Path]) -> None:
    _, protected = sites
    keyworker = decrypt_page(
        (protected / "jordan-reid" / "keyworker.html").read_text(encoding="utf-8"), PASSWORDS["jordan-reid"]
    )
    assert re.search(r'<audio[^>]+src="data:audio/ogg;base64,', keyworker)
    family = decrypt_page((protected / "amy-jones" / "family.html").read_text(encoding="utf-8"), PASSWORDS["amy-jones"])
    assert 'href="data:text/calendar;base64,' in family
    assert 'href="booklet.html"' in family and "booklet.pdf" not in family  # to the booklet's own unlock page
    places = decrypt_page((protected / "amy-jones" / "places.html").read_text(encoding="utf-8"), PASSWORDS["amy-jones"])
    assert re.search(
        r'srcset="data:image/webp;base64,[A-Za-z0-9+/=]+ 1x, data:image/webp;base64,[A-Za-z0-9+/=]+ 2x"', places
    )


@pytest.mark.parametrize("pupil", PUPILS)
def test_the_booklets_are_behind_the_same_key_as_the_pages(sites: tuple[Path, Path], pupil: str) -> None:
    clear, protected = sites
    assert not list((protected / pupil).rglob("*.pdf"))
    page_salt = read_sealed((protected / pupil / "index.html").read_text(encoding="utf-8")).salt
    for name in ("booklet.pdf", "booklet-print.pdf"):
        shell = (protected / pupil / name.replace(".pdf", ".html")).read_text(encoding="utf-8")
        sealed = read_sealed(shell)
        assert sealed.salt == page_salt and sealed.iterations >= MIN_ITERATIONS
        assert (sealed.kind, sealed.name, sealed.media_type) == ("file", name, "application/pdf")
        assert "<title>Protected booklet</title>" in shell and f'download="{name}"' in shell
        with pytest.raises(ProtectError, match="holds a file"):
            decrypt_page(shell, PASSWORDS[pupil])
        _, content = decrypt_file(shell, PASSWORDS[pupil])
        with pikepdf.open(io.BytesIO(content)) as pdf, pikepdf.open(clear / pupil / name) as original:
            assert not pdf.is_encrypted  # the family's own copy, once opened: tagged and printable as built
            assert len(pdf.pages) == len(original.pages)
            assert ("/StructTreeRoot" in pdf.Root) == ("/StructTreeRoot" in original.Root)


def test_the_unlock_page_is_generic_and_accessible(sites: tuple[Path, Path]) -> None:
    _, protected = sites
    shell = (protected / "amy-jones" / "timetable.html").read_text(encoding="utf-8")
    assert "<title>Protected guide</title>" in shell
    assert '<meta name="robots" content="noindex">' in shell
    assert '<meta name="referrer" content="no-referrer">' in shell
    assert '<html lang="en">' in shell
    assert '<label for="tb-protect-password">' in shell
    assert 'aria-live="assertive"' in shell and 'id="tb-protect-toggle"' in shell
    assert "onpaste" not in shell and "maxlength" not in shell
    params = json.loads(re.search(r'id="tb-protect-params">([^<]+)<', shell).group(1))  # type: ignore[union-attr]
    assert params["kdf"] == "PBKDF2-HMAC-SHA256" and params["cipher"] == "AES-256-GCM"
    # The same generic page for every page: only the sealed values differ.
    other = (protected / "jordan-reid" / "index.html").read_text(encoding="utf-8")
    strip = re.compile(r'(id="tb-protect-(?:params|data)">)[^<]*')
    assert strip.sub(r"\1", shell) == strip.sub(r"\1", other)


def test_school_words_replace_the_unlock_page_words() -> None:
    sealed = seal(b"<p>x</p>", bytes(32), bytes(16), MIN_ITERATIONS)
    shell = render_shell(sealed, lang="pl", words={"protect_title": "Chroniony przewodnik", "protect_label": "Hasło"})
    assert "<title>Chroniony przewodnik</title>" in shell and ">Hasło</label>" in shell and '<html lang="pl">' in shell
    assert "Show password" in shell  # a word not translated falls back to English


def test_references_in_every_form_are_inlined() -> None:
    files = {"images/a.webp": "data:image/webp;base64,QQ==", "media/hi there.ogg": "data:audio/ogg;base64,Qg=="}
    page = (
        '<img src="images/a.webp" srcset="images/a.webp 1x, ./images/a.webp 2x">'
        "<audio src='media/hi%20there.ogg'></audio><div style=\"background: url(images/a.webp)\"></div>"
        '<a href="images/a.webp#x">a</a><a href="https://example.org/images/a.webp">b</a><a href="other.html">c</a>'
    )
    out = inline_personal_files(page, "index.html", files.get)
    assert out == (
        '<img src="data:image/webp;base64,QQ==" srcset="data:image/webp;base64,QQ== 1x, data:image/webp;base64,QQ== 2x">'
        "<audio src='data:audio/ogg;base64,Qg=='></audio><div style=\"background: url(data:image/webp;base64,QQ==)\"></div>"
        '<a href="data:image/webp;base64,QQ==">a</a><a href="https://example.org/images/a.webp">b</a><a href="other.html">c</a>'
    )
    nested = inline_personal_files('<img src="../images/a.webp">', "sub/page.html", files.get)
    assert nested == '<img src="data:image/webp;base64,QQ==">'
    # In a <style> element each url() keeps its own quotes; in a style attribute, none that would close it.
    styled = inline_personal_files(
        "<style>.a{background:url('images/a.webp')} .b{background:url( \"images/a.webp\" )}</style>",
        "index.html",
        files.get,
    )
    assert styled == (
        "<style>.a{background:url('data:image/webp;base64,QQ==')} .b{background:url(\"data:image/webp;base64,QQ==\")}</style>"
    )


def test_a_folder_is_protected_once_and_only_with_enough_iterations(sites: tuple[Path, Path], tmp_path: Path) -> None:
    clear, protected = sites
    with pytest.raises(ProtectError, match="protected already"):
        protect_folder(protected / "kai-morgan", PASSWORDS["kai-morgan"])
    copy = tmp_path / "kai-morgan"
    shutil.copytree(clear / "kai-morgan", copy)
    with pytest.raises(ValueError, match="600,000"):
        protect_folder(copy, "x-y-z-w-2", iterations=1000)
    with pytest.raises(ValueError, match="empty"):
        protect_folder(copy, "   ")
    with pytest.raises(ProtectError, match=r"no index\.html"):
        protect_folder(tmp_path, "otter-maple-kai-lantern-7")


def test_protecting_a_build_in_place_leaves_the_shared_cache_alone(tmp_path: Path) -> None:
    """A build hard-links photos and theme files from the staff cache: protection must never write through those links."""
    options = BuildOptions(
        data_dir=EXAMPLE, out_dir=tmp_path / "site", staff_dir=tmp_path / "staff", only=["jordan-reid"], pdf=False
    )
    assert build_cohort(options).ok
    cache = {path: path.read_bytes() for path in files(options.cache_dir)}
    assert any(path.suffix == ".webp" for path in cache)
    protect_folder(tmp_path / "site" / "jordan-reid", PASSWORDS["jordan-reid"])
    assert {path: path.read_bytes() for path in files(options.cache_dir)} == cache


def test_a_protected_build_keeps_clear_booklets_for_staff_only(example_copy: Path, tmp_path: Path) -> None:
    """The booklets are published sealed; the copies staff print from are clear, in the staff folder, theirs only."""
    from transition_booklets.protect.passwords import folder_name, load_or_create_secret

    passwords = tmp_path / "passwords.csv"
    passwords.write_text("pupil_id,password\n" + "".join(f"{p},{w}\n" for p, w in PASSWORDS.items()), encoding="utf-8")
    site, staff = tmp_path / "site", tmp_path / "staff"
    options = BuildOptions(example_copy, site, staff, jobs=1, protect=True, passwords_file=passwords, print_pack=True)
    result = build_cohort(options)
    assert result.ok, result.problems
    secret = load_or_create_secret(staff / "folder-secret.key")
    assert not list(site.rglob("*.pdf"))
    report = (staff / "index.html").read_text(encoding="utf-8")
    total = 0
    for pupil in PUPILS:
        kept = staff / "booklets" / pupil
        assert kept.stat().st_mode & 0o777 == 0o700
        for name in ("booklet.pdf", "booklet-print.pdf"):
            assert (kept / name).stat().st_mode & 0o777 == 0o600
            shell = (site / folder_name(pupil, secret) / name.replace(".pdf", ".html")).read_text(encoding="utf-8")
            assert decrypt_file(shell, PASSWORDS[pupil]) == (name, (kept / name).read_bytes())
            assert f'href="booklets/{pupil}/{name}"' in report
        with pikepdf.open(kept / "booklet-print.pdf") as pdf:  # clear: no password
            total += len(pdf.pages)
    with pikepdf.open(staff / "print" / "all.pdf") as pack:
        assert len(pack.pages) == total, "the print pack is made from the staff copies"

    # A staff copy that went missing is made again, though nothing else changed.
    (staff / "booklets" / "kai-morgan" / "booklet.pdf").unlink()
    again = build_cohort(options)
    assert again.built == ["kai-morgan"] and (staff / "booklets" / "kai-morgan" / "booklet.pdf").is_file()

    # A pupil whose file is gone loses their staff copies too; an open build keeps none (its booklets are published).
    (example_copy / "jordan-reid.yaml").unlink()
    assert build_cohort(options).ok
    assert not (staff / "booklets" / "jordan-reid").exists()
    opened_up = BuildOptions(example_copy, site, staff, jobs=1)
    assert build_cohort(opened_up).ok
    assert not (staff / "booklets").exists() or not list((staff / "booklets").iterdir())
    assert 'href="../site/amy-jones/booklet.pdf"' in (staff / "index.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------
# Reading an unlock page, as unlock.js and staff checking a build read it
# ---------------------------------------------------------------------------


def unlock_page(params: dict[str, Any] | None, data: str | None, before: str = "") -> str:
    parts = [f"<!doctype html><html><body>{before}"]
    if params is not None:
        parts.append(f'<script id="tb-protect-params" type="application/json">{json.dumps(params)}</script>')
    if data is not None:
        parts.append(f'<script id="tb-protect-data" type="text/plain">{data}</script>')
    return "".join(parts) + "</body></html>"


SALT = bytes(range(16))
KEY = derive_key(PASSWORDS["amy-jones"], SALT, MIN_ITERATIONS)
SEALED = seal(b"<p>Bore da, Amy</p>", KEY, SALT, MIN_ITERATIONS)
PARAMS = {
    "v": 2,
    "iterations": MIN_ITERATIONS,
    "salt": base64.b64encode(SALT).decode(),
    "nonce": base64.b64encode(SEALED.nonce).decode(),
}
DATA = base64.b64encode(SEALED.ciphertext).decode()


def test_what_an_unlock_page_leaves_out_is_read_as_a_page_with_the_usual_idle_time() -> None:
    read = read_sealed(unlock_page(PARAMS, DATA))
    assert read == SEALED
    assert (read.kind, read.name, read.media_type, read.idle_minutes) == ("page", "", "", 30)


def test_an_unlock_page_says_what_it_holds_and_when_it_closes() -> None:
    sealed = seal(
        b"%PDF-1.7",
        KEY,
        SALT,
        MIN_ITERATIONS,
        kind="file",
        name="booklet.pdf",
        media_type="application/pdf",
        idle_minutes=5,
    )
    read = read_sealed(render_shell(sealed))
    assert read == sealed
    assert sealed.params()["idle"] == 300, "seconds, as unlock.js counts them"


def test_the_sealed_text_may_be_wrapped_over_lines_but_nothing_else_is_taken_in() -> None:
    wrapped = "\n".join(DATA[i : i + 16] for i in range(0, len(DATA), 16))
    assert read_sealed(unlock_page(PARAMS, f"\n  {wrapped}\n")).ciphertext == SEALED.ciphertext
    for damaged in (DATA[:-4] + "!" + DATA[-3:], DATA + "*", DATA[:-1]):
        with pytest.raises(ProtectError, match="this protected page is damaged"):
            read_sealed(unlock_page(PARAMS, damaged))


@pytest.mark.parametrize(
    ("params", "data", "message"),
    [
        (PARAMS, None, "this is not a protected page"),
        (None, DATA, "this is not a protected page"),
        ({**PARAMS, "v": 1}, DATA, "this protected page has format 1; this tool reads 2"),
        ({**PARAMS, "kind": "video"}, DATA, "this protected page holds 'video', which this tool does not know"),
        ({key: value for key, value in PARAMS.items() if key != "salt"}, DATA, "this protected page is damaged"),
        ({**PARAMS, "iterations": "many"}, DATA, "this protected page is damaged"),
    ],
    ids=["no sealed text", "no parameters", "another format", "something unknown", "no salt", "no number"],
)
def test_a_page_that_is_not_a_whole_unlock_page_is_refused_in_words(
    params: dict[str, Any] | None, data: str | None, message: str
) -> None:
    with pytest.raises(ProtectError, match=re.escape(message)):
        read_sealed(unlock_page(params, data))


def test_the_first_of_two_sealed_texts_is_the_one_read_as_in_the_browser() -> None:
    """``document.getElementById`` finds the first element with an id: so does the reader."""
    other = seal(b"<p>else</p>", KEY, SALT, MIN_ITERATIONS)
    page = unlock_page(PARAMS, DATA, before="") + unlock_page(
        {**PARAMS, "nonce": base64.b64encode(other.nonce).decode()}, base64.b64encode(other.ciphertext).decode()
    )
    read = read_sealed(page)
    assert (read.nonce, read.ciphertext) == (SEALED.nonce, SEALED.ciphertext)
    untouched = read_sealed(unlock_page(PARAMS, DATA, before='<script id="analytics">var x = 1;</script>'))
    assert untouched == SEALED


def test_an_unlock_page_opens_with_its_password_only_and_as_what_it_holds() -> None:
    page = render_shell(SEALED)
    assert decrypt_page(page, PASSWORDS["amy-jones"]) == "<p>Bore da, Amy</p>"
    with pytest.raises(WrongPassword, match=r"^the password does not open this page$"):
        decrypt_page(page, PASSWORDS["jordan-reid"])
    with pytest.raises(ProtectError, match=r"holds a page, not a file"):
        decrypt_file(page, PASSWORDS["amy-jones"])


# ---------------------------------------------------------------------------
# A small folder, protected in place (no build needed)
# ---------------------------------------------------------------------------


@pytest.fixture
def small_folder(tmp_path: Path) -> Path:
    """A pupil folder as a build leaves it, in miniature: two pages (one in a sub-folder, in Welsh),
    a picture, a recording, a calendar, a booklet, the theme's files and robots.txt."""
    folder = tmp_path / "amy-jones"
    for rel, content in {
        "index.html": '<html lang="cy"><body><img src="images/a.webp"><a href="booklet.pdf">Booklet</a>'
        '<a href="calendar.ics">Dates</a><link href="assets/site.css"></body></html>',
        "more/page.html": '<html lang="en"><body><audio src="../media/hello.ogg"></audio>'
        '<a href="../booklet.pdf">b</a><script>document.body.dataset.ready = "yes";</script></body></html>',
        "images/a.webp": "RIFF-picture-of-Amy",
        "images/unused.webp": "RIFF-a-picture-no-page-shows",
        "media/hello.ogg": "OggS-hello-Amy",
        "calendar.ics": "BEGIN:VCALENDAR Amy's first day",
        "booklet.pdf": "%PDF-1.7 Amy's booklet",
        "assets/site.css": "body{}",
        "assets/fonts/atkinson-hyperlegible-next-latin-400-normal.woff2": "font",
        "robots.txt": "User-agent: *",
    }.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(content, encoding="utf-8")
    return folder


def test_a_folder_protected_in_place_keeps_only_unlock_pages_and_the_theme(small_folder: Path) -> None:
    password = PASSWORDS["amy-jones"]
    protect_folder(small_folder, password, idle_minutes=5, words={"protect_heading": "Diogelwyd y canllaw hwn"})
    assert sorted(path.relative_to(small_folder).as_posix() for path in small_folder.rglob("*")) == [
        "assets",
        "assets/fonts",
        "assets/fonts/atkinson-hyperlegible-next-latin-400-normal.woff2",
        "assets/site.css",
        "booklet.html",
        "index.html",
        "more",
        "more/page.html",
        "robots.txt",
    ], "no picture, recording, calendar, booklet or empty folder is left"
    index = (small_folder / "index.html").read_text(encoding="utf-8")
    page = (small_folder / "more" / "page.html").read_text(encoding="utf-8")
    booklet = (small_folder / "booklet.html").read_text(encoding="utf-8")
    assert '<html lang="cy">' in index and '<html lang="en">' in page
    assert all("Diogelwyd y canllaw hwn" in text for text in (index, page)), "the school's own words"
    assert all("crypto.subtle" in text for text in (index, page, booklet)), "each page carries the script that opens it"
    assert '<html lang="cy">' in booklet, "the booklet's unlock page speaks the folder's language"
    assert 'href="assets/images/favicon.svg"' in index and 'href="../assets/images/favicon.svg"' in page
    assert "latin-400-normal.woff2" in index, "the unlock page uses the font the folder has"
    assert "latin-700-normal.woff2" not in index, "and no font it does not have"
    opened = decrypt_page(index, password)
    assert '<img src="data:image/webp;base64,' + base64.b64encode(b"RIFF-picture-of-Amy").decode() + '">' in opened
    assert '<a href="booklet.html">' in opened and 'href="data:text/calendar;base64,' in opened
    assert '<link href="assets/site.css">' in opened, "the theme is not personal: left as it is"
    # An opened page is shown in its unlock page's document: its own script is allowed there, by hash.
    allowed = script_hash('document.body.dataset.ready = "yes";')
    assert all(allowed in re.search(r"script-src [^;]*", text).group(0) for text in (index, page))  # type: ignore[union-attr]
    inner = decrypt_page(page, password)
    assert 'src="data:audio/ogg;base64,' in inner and '<a href="../booklet.html">' in inner
    assert decrypt_file(booklet, password) == ("booklet.pdf", b"%PDF-1.7 Amy's booklet")
    assert read_sealed(booklet).media_type == "application/pdf", "offered to open as a PDF"
    params = json.loads(re.search(r'id="tb-protect-params"[^>]*>([^<]+)<', index).group(1))  # type: ignore[union-attr]
    assert (params["v"], params["kdf"], params["cipher"], params["kind"]) == (
        2,
        "PBKDF2-HMAC-SHA256",
        "AES-256-GCM",
        "page",
    )
    sealed = [read_sealed(text) for text in (index, page, booklet)]
    assert {item.idle_minutes for item in sealed} == {5} and len({item.salt for item in sealed}) == 1
    assert len({item.nonce for item in sealed}) == 3


def test_a_reference_that_cannot_be_inlined_stops_protection_before_anything_changes(small_folder: Path) -> None:
    page = small_folder / "more" / "page.html"
    page.write_text('<script>var voice = "../media/hello.ogg";</script>', encoding="utf-8")
    before = {path: path.read_bytes() for path in small_folder.rglob("*") if path.is_file()}
    with pytest.raises(
        ProtectError, match=r"more/page.html: refers to media/hello.ogg in a way that cannot be inlined"
    ):
        protect_folder(small_folder, PASSWORDS["amy-jones"])
    assert {path: path.read_bytes() for path in small_folder.rglob("*") if path.is_file()} == before


def test_what_cannot_be_protected_is_named_with_the_folder(small_folder: Path) -> None:
    with pytest.raises(ValueError, match=r"^the password is empty$"):
        protect_folder(small_folder, " \t ")
    (small_folder / "index.html").unlink()
    with pytest.raises(ProtectError, match=r"amy-jones: no index\.html here, so this is not a built pupil folder"):
        protect_folder(small_folder, PASSWORDS["amy-jones"])


def test_a_folder_is_protected_only_once(small_folder: Path) -> None:
    protect_folder(small_folder, PASSWORDS["amy-jones"])
    protected = {path: path.read_bytes() for path in small_folder.rglob("*") if path.is_file()}
    with pytest.raises(ProtectError, match=r"amy-jones: this folder is protected already"):
        protect_folder(small_folder, PASSWORDS["amy-jones"])
    assert {path: path.read_bytes() for path in small_folder.rglob("*") if path.is_file()} == protected


def test_a_booklet_whose_unlock_page_would_replace_a_page_is_refused(small_folder: Path) -> None:
    (small_folder / "booklet.html").write_text("<p>a page of the site</p>", encoding="utf-8")
    with pytest.raises(ProtectError, match=r"a booklet's unlock page would replace the page booklet.html"):
        protect_folder(small_folder, PASSWORDS["amy-jones"])


@pytest.mark.parametrize(
    ("options", "message"),
    [({"iterations": MIN_ITERATIONS - 1}, "600,000"), ({"idle_minutes": 0}, "at least a minute")],
)
def test_too_few_iterations_or_no_idle_time_are_refused(
    small_folder: Path, options: dict[str, int], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        protect_folder(small_folder, PASSWORDS["amy-jones"], **options)  # type: ignore[arg-type]
    protect_folder(small_folder, PASSWORDS["amy-jones"], idle_minutes=1)  # one minute is allowed


@pytest.mark.parametrize(
    "url",
    [
        "",
        "#top",
        "/images/a.webp",
        "\\images\\a.webp",
        "https://example.org/images/a.webp",
        "//example.org/images/a.webp",
        "mailto:office@example.org",
        "?page=2",
        "../images/a.webp",
        "../../amy-jones/images/a.webp",
        "..",
    ],
)
def test_only_the_folder_s_own_files_are_inlined(url: str) -> None:
    """Links to other sites, to the page itself, to the site's root or out of the folder stay as written."""
    page = f'<a href="{url}">x</a><div style="background: url({url or "x"})"></div>'
    assert inline_personal_files(page, "index.html", {"images/a.webp": "data:image/webp;base64,QQ=="}.get) == page


def test_the_unlock_page_carries_its_words_and_settings_as_the_script_reads_them() -> None:
    """Words with <, > and & (a school's own, in Welsh) reach the script exactly, and cannot end its element;
    the idle time is said in minutes on the page and given in seconds to the script."""
    words = {"protect_wrong": "Nid yw'r cyfrinair <b>hwn</b> & </script><script>alert(1)</script> yn gweithio"}
    booklet = seal(
        b"%PDF",
        KEY,
        SALT,
        MIN_ITERATIONS,
        kind="file",
        name="llyfryn.pdf",
        media_type="application/pdf",
        idle_minutes=5,
    )
    shell = render_shell(booklet, words=words)
    assert shell.count("</script>") == 4, "the params, the words, the data and the script: nothing more"
    said = json.loads(re.search(r'id="tb-protect-words">([^<]*)</script>', shell).group(1))  # type: ignore[union-attr]
    assert said["wrong"] == words["protect_wrong"] and said["empty"] == "Please type the password first."
    params = json.loads(re.search(r'id="tb-protect-params">([^<]*)</script>', shell).group(1))  # type: ignore[union-attr]
    assert (params["idle"], params["type"], params["name"]) == (300, "application/pdf", "llyfryn.pdf")
    assert "closes by itself after 5 minutes without use" in shell
    assert "<title>Protected booklet</title>" in shell and 'download="llyfryn.pdf"' in shell
    assert '<html lang="en">' in shell and 'href="assets/images/favicon.svg"' in shell
    assert 'font-family: "Atkinson Hyperlegible Next", "Noto Sans"' in shell and "@font-face" in shell
    nested = render_shell(SEALED, lang="cy", prefix="../")
    assert '<html lang="cy">' in nested and 'href="../assets/images/favicon.svg"' in nested
    assert 'url("../assets/fonts/atkinson-hyperlegible-next-latin-400-normal.woff2")' in nested
    assert "<title>Protected guide</title>" in nested and "download=" not in nested


@pytest.mark.parametrize("text", ["</script>", "</SCRIPT >", "<!-- a comment"])
def test_nothing_that_could_end_the_script_element_is_put_in_it(text: str) -> None:
    from transition_booklets.protect.encrypt import _script_safe

    with pytest.raises(ValueError, match="must not contain"):
        _script_safe(f"var words = '{text}';")
