"""The editor (``transition-booklets edit``): forms that write the same YAML a person writes, safely.

The forms are read as a browser would submit them (every input, select and textarea of the
page, with what it holds), so a test saves exactly what a person who changed nothing, or one
field, would send.
"""

from __future__ import annotations

import html
import html.parser
import http.cookiejar
import json
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE
from transition_booklets.data.loader import load_pupil, load_school
from transition_booklets.editor.answers import Editor
from transition_booklets.editor.server import running

PUPILS = sorted(path.stem for path in EXAMPLE.glob("*.yaml") if path.name != "school.yaml")


class _Form(html.parser.HTMLParser):
    """What a browser sends for the page's form: each field's name and value, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sent: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []
        self.invalid: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        name = attributes.get("name", "")
        if attributes.get("aria-invalid") == "true":
            self.invalid.append(name)
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind == "checkbox":
                if "checked" in attributes:
                    self.sent.append((name, attributes.get("value", "on")))
            else:
                self.sent.append((name, attributes.get("value", "")))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select is not None and "selected" in attributes:
            self.sent.append((self._select, attributes.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.sent.append((self._textarea, "".join(self._text)))
            self._textarea = None


def form_of(page: str) -> _Form:
    parser = _Form()
    parser.feed(page)
    return parser


class Browser:
    """A cookie-keeping client of one editor."""

    def __init__(self, editor: Editor) -> None:
        self.editor = editor
        self.base = f"http://127.0.0.1:{editor.port}"
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.opener.open(editor.address).read()

    def get(self, path: str) -> str:
        return str(self.opener.open(self.base + path).read().decode("utf-8"))

    def post(self, path: str, fields: list[tuple[str, str]]) -> tuple[int, str]:
        data = urllib.parse.urlencode(fields).encode()
        try:
            response = self.opener.open(self.base + path, data=data)
            return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")


@pytest.fixture
def data(example_copy: Path) -> Path:
    return example_copy


@pytest.fixture
def editor(data: Path) -> Iterator[Editor]:
    with running(data) as running_editor:
        yield running_editor


def _status(url: str, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {})
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    try:
        return int(opener.open(request).status)
    except urllib.error.HTTPError as error:
        return error.code


def test_only_the_printed_address_opens_the_editor(editor: Editor) -> None:
    base = f"http://127.0.0.1:{editor.port}"
    assert editor.address.startswith(base + "/?token=") and len(editor.token) >= 24
    assert _status(base + "/") == 403, "no token"
    assert _status(base + "/?token=wrong") == 403
    assert _status(editor.address, {"Host": f"evil.example:{editor.port}"}) == 403, "another Host (DNS rebinding)"
    assert _status(editor.address) == 200
    # The token becomes a cookie only this site sends, and leaves the address.
    request = urllib.request.Request(editor.address)
    no_redirect = urllib.request.build_opener(
        type("Keep", (urllib.request.HTTPRedirectHandler,), {"redirect_request": lambda *a: None})
    )
    with pytest.raises(urllib.error.HTTPError) as answer:
        no_redirect.open(request)
    assert answer.value.code == 303 and answer.value.headers["Location"] == "/"
    cookie = answer.value.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert _status(base + "/pupil/..%2Fschool") in (403, 404)


WELSH = EXAMPLE.parent / "examples" / "ysgol-glan-y-mor"


@pytest.mark.parametrize("folder", [WELSH], ids=["ysgol-glan-y-mor"])
def test_a_welsh_schools_files_saved_unchanged_stay_byte_for_byte(tmp_path: Path, folder: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(folder, data)
    before = {path.name: path.read_bytes() for path in data.glob("*.yaml")}
    with running(data) as running_editor:
        client = Browser(running_editor)
        for name in before:
            address = "/school/settings" if name == "school.yaml" else f"/pupil/{Path(name).stem}"
            status, answer = client.post(address, form_of(client.get(address)).sent)
            assert status == 200 and "Nothing had changed" in answer, (name, answer[:2000])
    assert {path.name: path.read_bytes() for path in data.glob("*.yaml")} == before


@pytest.mark.parametrize("pupil", PUPILS)
def test_a_file_saved_with_nothing_changed_stays_byte_for_byte(editor: Editor, data: Path, pupil: str) -> None:
    before = (data / f"{pupil}.yaml").read_bytes()
    client = Browser(editor)
    page = client.get(f"/pupil/{pupil}")
    status, answer = client.post(f"/pupil/{pupil}", form_of(page).sent)
    assert status == 200 and "Nothing had changed" in answer
    assert (data / f"{pupil}.yaml").read_bytes() == before


def test_changed_fields_are_written_and_every_note_is_kept(editor: Editor, data: Path) -> None:
    path = data / "kai-morgan.yaml"
    before = path.read_text(encoding="utf-8")
    client = Browser(editor)
    page = client.get("/pupil/kai-morgan")
    assert 'name="keyworker.staff"' in page and ">Ms Khan</option>" in page, "staff chosen by name"
    amy = client.get("/pupil/amy-jones")
    assert re.search(
        r'name="break_times.0.period"[^>]*>.*?<option value="break" selected>Break \(11:00\)</option>', amy, re.S
    )
    sent = [(name, value) for name, value in form_of(page).sent if name not in ("preferred_name", "keyworker.staff")]
    sent += [("preferred_name", "Kai"), ("keyworker.staff", "ms-khan"), ("first_visit.date", "2027-07-02")]
    status, answer = client.post("/pupil/kai-morgan", sent)
    assert status == 200 and "Saved" in answer, answer[:2000]
    after = path.read_text(encoding="utf-8")
    assert [line for line in before.splitlines() if line.startswith("#")] == [
        line for line in after.splitlines() if line.startswith("#")
    ], "every comment kept"
    assert after.splitlines()[0] == before.splitlines()[0], "the $schema line stays first"
    assert "preferred_name: Kai" in after and "keyworker:\n  staff: ms-khan" in after
    assert "first_visit:\n  date: 2027-07-02" in after
    school, _ = load_school(data)
    record = load_pupil(path, school, data)
    assert not isinstance(record, list), record
    assert record.pupil.keyworker is not None and record.pupil.keyworker.staff == "ms-khan"


def test_a_mistake_is_shown_beside_its_field_and_nothing_is_written(editor: Editor, data: Path) -> None:
    path = data / "amy-jones.yaml"
    before = path.read_bytes()
    client = Browser(editor)
    sent = [(name, value) for name, value in form_of(client.get("/pupil/amy-jones")).sent if name != "first_visit.date"]
    sent.append(("first_visit.date", "2027-02-30"))
    status, answer = client.post("/pupil/amy-jones", sent)
    assert status == 200 and "Not saved yet" in answer
    assert "first_visit.date" in form_of(answer).invalid
    assert re.search(r'id="f-first_visit-date-problem">[^<]+<', answer)
    assert path.read_bytes() == before
    assert 'value="2027-02-30"' in answer, "what was typed stays in the form"


def test_a_file_changed_in_a_text_editor_meanwhile_is_never_overwritten(editor: Editor, data: Path) -> None:
    path = data / "jordan-reid.yaml"
    client = Browser(editor)
    sent = form_of(client.get("/pupil/jordan-reid")).sent
    path.write_text(path.read_text(encoding="utf-8") + "# added in a text editor\n", encoding="utf-8")
    edited = path.read_bytes()
    status, answer = client.post("/pupil/jordan-reid", [*sent, ("pronouns", "they/them")])
    assert status == 409 and "changed on this computer since you opened it" in answer
    assert path.read_bytes() == edited


def test_adding_a_pupil_writes_the_starter_file_and_opens_its_form(editor: Editor, data: Path) -> None:
    client = Browser(editor)
    home = client.get("/")
    assert "Amelia Jones" in home and "Add a pupil" in home
    status, answer = client.post("/new", [("name", "Tyler Brooks")])
    assert status == 200 and "Tyler Brooks" in answer and 'name="preferred_name"' in answer
    written = (data / "tyler-brooks.yaml").read_text(encoding="utf-8")
    assert written.startswith("# yaml-language-server: $schema=") and re.search(
        r'^name: "?Tyler Brooks"?$', written, re.M
    )
    status, _ = client.post("/new", [("name", "Tyler Brooks")])
    assert status == 409, "a second pupil of the same name does not overwrite the first"


def test_every_editor_page_has_a_policy_and_no_script(editor: Editor) -> None:
    client = Browser(editor)
    for page in (client.get("/"), client.get("/pupil/amy-jones")):
        assert "<script" not in page
        policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
        assert policy and "form-action 'self'" in policy.group(1) and "connect-src 'none'" in policy.group(1)


def test_the_preview_shows_the_saved_plan_and_nothing_else(editor: Editor, data: Path) -> None:
    client = Browser(editor)
    sent = [(name, value) for name, value in form_of(client.get("/pupil/kai-morgan")).sent if name != "preferred_name"]
    status, answer = client.post("/pupil/kai-morgan", [*sent, ("preferred_name", "Kaikai")])
    assert status == 200 and "The site preview is up to date" in answer
    assert "Hello Kaikai!" in client.get("/preview/kai-morgan/index.html")
    assert "Content-Security-Policy" in client.get("/preview/kai-morgan/places.html")
    for outside in ("/preview/kai-morgan/..%2F..%2Fstaff%2Findex.html", "/preview/kai-morgan/../amy-jones/index.html"):
        with pytest.raises(urllib.error.HTTPError) as answer_error:
            client.get(outside)
        assert answer_error.value.code == 404


def test_items_of_a_list_are_added_and_taken_out(editor: Editor, data: Path) -> None:
    path = data / "amy-jones.yaml"
    before = path.read_text(encoding="utf-8")
    count = before.count("  - date: ")
    client = Browser(editor)
    sent = form_of(client.get("/pupil/amy-jones")).sent
    status, answer = client.post("/pupil/amy-jones", [*sent, ("tb-add", "reviews")])
    assert status == 200 and f'name="reviews.{count}.date"' in answer, "an empty review to fill in"
    assert path.read_text(encoding="utf-8") == before, "nothing is saved by adding a row"
    fields = [(name, value) for name, value in form_of(answer).sent if not name.startswith(f"reviews.{count}.")]
    fields += [(f"reviews.{count}.date", "2027-11-19"), (f"reviews.{count}.what", "End of term review")]
    status, answer = client.post("/pupil/amy-jones", fields)
    assert status == 200 and "Saved" in answer, answer[:3000]
    after = path.read_text(encoding="utf-8")
    assert "End of term review" in after and after.count("  - date: ") == count + 1
    assert [line for line in before.splitlines() if line.startswith("#")] == [
        line for line in after.splitlines() if line.startswith("#")
    ]
    # Take the first review out.
    first = before.split("reviews:", 1)[1].split("what: ", 1)[1].splitlines()[0]
    sent = form_of(client.get("/pupil/amy-jones")).sent
    status, answer = client.post("/pupil/amy-jones", [*sent, ("tb-remove", "reviews.0")])
    assert status == 200 and "Saved" in answer
    final = path.read_text(encoding="utf-8")
    assert first not in final and "End of term review" in final and final.count("  - date: ") == count


def test_what_the_plan_still_needs_links_to_where_it_is_filled_in(editor: Editor) -> None:
    page = Browser(editor).get("/pupil/kai-morgan")  # a plan only just started
    links = re.findall(r'<li><a href="#(s-[a-z_]+)">', page)
    assert "s-keyworker" in links and "s-reviews" in links
    for target in links:
        assert f'id="{target}"' in page, f"{target}: the link leads nowhere"
    assert "(guidance: a worries plan)" in page, "a folded section says what it is for"


def test_a_new_key_takes_the_place_of_its_example_line(editor: Editor, data: Path) -> None:
    client = Browser(editor)
    page = client.post("/new", [("name", "Tyler Brooks")])[1]
    starter = (data / "tyler-brooks.yaml").read_text(encoding="utf-8")
    assert re.search(r"^# preferred_name: ", starter, re.M)
    sent = [(name, value) for name, value in form_of(page).sent if name != "preferred_name"]
    status, answer = client.post("/pupil/tyler-brooks", [*sent, ("preferred_name", "Ty")])
    assert status == 200 and "Saved" in answer
    written = (data / "tyler-brooks.yaml").read_text(encoding="utf-8")
    line = next(line for line in written.splitlines() if line.startswith("preferred_name:"))
    assert line.startswith("preferred_name: Ty ") and "# what they like to be called" in line
    assert written.index("preferred_name: Ty") < written.index("# pronouns:"), "where the example was, not at the end"
    assert not re.search(r"^# preferred_name: ", written, re.M)


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = "tb-test-boundary"
    body = b""
    for name, value in fields.items():
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    for name, (filename, data) in files.items():
        body += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _upload(
    client: Browser, pupil: str, fields: dict[str, str], files: dict[str, tuple[str, bytes]], *, to: str = ""
) -> tuple[int, str]:
    body, kind = _multipart(fields, files)
    address = f"{client.base}{to or f'/photo/{pupil}'}"
    request = urllib.request.Request(address, data=body, headers={"Content-Type": kind})
    try:
        response = client.opener.open(request)
        return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def test_a_pupil_photo_is_uploaded_with_consent_and_kept_clean(editor: Editor, data: Path) -> None:
    import io

    from PIL import Image

    picture = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # the camera's maker: hidden data that must not be kept
    Image.new("RGB", (400, 300), (30, 120, 200)).save(picture, "JPEG", exif=exif)
    client = Browser(editor)
    status, answer = _upload(client, "kai-morgan", {}, {"photo": ("kai.jpg", picture.getvalue())})
    assert status == 400 and "family agreed" in answer and not (data / "images" / "pupils" / "kai-morgan.jpg").exists()
    status, answer = _upload(client, "kai-morgan", {"consent": "yes"}, {"photo": ("notes.txt", b"not a picture")})
    assert status == 400 and "not a picture that can be used" in answer
    status, answer = _upload(client, "kai-morgan", {"consent": "yes"}, {"photo": ("kai.jpg", picture.getvalue())})
    assert status == 200 and "images/pupils/kai-morgan.jpg" in answer
    kept = data / "images" / "pupils" / "kai-morgan.jpg"
    with Image.open(kept) as image:
        assert image.format == "JPEG" and image.size == (400, 300) and not image.getexif()
    written = (data / "kai-morgan.yaml").read_text(encoding="utf-8")
    assert "photo:\n  file: images/pupils/kai-morgan.jpg\n  consent: true" in written
    school, _ = load_school(data)
    assert not isinstance(load_pupil(data / "kai-morgan.yaml", school, data), list)


def _sent_with(page: str, changes: dict[str, str]) -> list[tuple[str, str]]:
    """What the browser sends after the person changed ``changes`` (name → new value) in the page."""
    return [(name, value) for name, value in form_of(page).sent if name not in changes] + list(changes.items())


def test_a_lesson_changed_in_the_timetable_grid_changes_only_its_line(editor: Editor, data: Path) -> None:
    path = data / "amy-jones.yaml"
    before = path.read_text(encoding="utf-8")
    client = Browser(editor)
    page = client.get("/pupil/amy-jones")
    assert 'aria-label="Monday, Period 4: subject"' in page, "each cell is named by its day and period"
    status, answer = client.post("/pupil/amy-jones", _sent_with(page, {"tt.monday.p4.subject": "maths"}))
    assert status == 200 and "Saved" in answer, answer[:2000]
    after = path.read_text(encoding="utf-8")
    changed = [(old, new) for old, new in zip(before.splitlines(), after.splitlines(), strict=True) if old != new]
    assert changed == [("    p4: {subject: history, place: a-block}", "    p4: {subject: maths, place: a-block}")], (
        changed
    )


def test_a_day_like_monday_and_a_period_away_are_written_in_words(editor: Editor, data: Path) -> None:
    path = data / "amy-jones.yaml"
    client = Browser(editor)
    page = client.get("/pupil/amy-jones")
    sent = _sent_with(page, {"tt.friday.mode": "monday", "tt.thursday.p5.subject": "@absent"})
    status, answer = client.post("/pupil/amy-jones", sent)
    assert status == 200 and "Saved" in answer, answer[:2000]
    after = path.read_text(encoding="utf-8")
    assert "  friday: same as monday\n" in after and "    p5: not in school\n" in after
    school, _ = load_school(data)
    record = load_pupil(path, school, data)
    assert not isinstance(record, list), record
    assert record.pupil.timetable is not None
    week = {day.value: slots for day, slots in record.pupil.timetable.items()}
    assert week["friday"] == week["monday"] and week["thursday"]["p5"].absent
    again = client.get("/pupil/amy-jones")
    assert re.search(r'<option value="monday" selected>Same as Monday</option>', again), "shown as it was chosen"
    status, answer = client.post("/pupil/amy-jones", form_of(again).sent)
    assert "Nothing had changed" in answer and path.read_text(encoding="utf-8") == after


def test_a_pupil_in_a_group_writes_only_what_differs_from_the_groups_week(editor: Editor, data: Path) -> None:
    (data / "groups.yaml").write_text(
        "groups:\n  7b:\n    name: 7B\n    timetable:\n      every day:\n"
        "        p1: {subject: maths, place: a-block, teacher: mr-nowak}\n",
        encoding="utf-8",
    )
    path = data / "kai-morgan.yaml"
    client = Browser(editor)
    page = client.get("/pupil/kai-morgan")
    assert 'name="groups" value="7b"' in page, "the school's groups to tick"
    status, answer = client.post("/pupil/kai-morgan", _sent_with(page, {"groups": "7b"}))
    assert status == 200 and "Saved" in answer, answer[:2000]
    page = client.get("/pupil/kai-morgan")
    assert ">As 7B: Maths</option>" in page, "an empty period shows the group's lesson"
    status, answer = client.post("/pupil/kai-morgan", _sent_with(page, {"tt.tuesday.p1.subject": "english"}))
    assert status == 200 and "Saved" in answer, answer[:2000]
    after = path.read_text(encoding="utf-8")
    assert "groups: [7b]" in after or "groups:\n  - 7b" in after
    assert "timetable:\n  tuesday:\n    p1: {subject: english}\n" in after, "only the one lesson that differs"
    school, _ = load_school(data)
    record = load_pupil(path, school, data)
    assert not isinstance(record, list), record


def test_an_item_moved_up_changes_places_with_the_one_before(editor: Editor, data: Path) -> None:
    path = data / "amy-jones.yaml"
    client = Browser(editor)
    page = client.get("/pupil/amy-jones")
    places = re.findall(r"^  - place: (\S+)", path.read_text(encoding="utf-8"), re.M)
    assert len(places) >= 2 and 'name="tb-up" value="key_places.1"' in page
    status, answer = client.post("/pupil/amy-jones", _sent_with(page, {"tb-up": "key_places.1"}))
    assert status == 200 and "Saved" in answer, answer[:2000]
    after = re.findall(r"^  - place: (\S+)", path.read_text(encoding="utf-8"), re.M)
    assert after == [places[1], places[0], *places[2:]]


def _school_digest(page: str) -> str:
    found = re.search(r'name="tb-digest" value="([0-9a-f]+)"', page)
    assert found
    return found.group(1)


def test_a_pin_placed_by_clicking_the_map_is_written_as_percentages(editor: Editor, data: Path) -> None:
    school_file = data / "school.yaml"
    before = school_file.read_text(encoding="utf-8")
    client = Browser(editor)
    page = client.get("/school")
    shown = re.search(r'<input type="image" name="map720" src="([^"]+)" width="720" height="(\d+)"', page)
    assert shown, "the map as an image button, at a width the click is measured against"
    height = int(shown.group(2))
    assert client.opener.open(client.base + shown.group(1)).read().startswith(b"\x89PNG"), "the map is served"
    # A click half-way across and a quarter down the map as shown on a wide screen:
    sent = [
        ("tb-digest", _school_digest(page)),
        ("place", "library"),
        ("map720.x", "360"),
        ("map720.y", f"{height / 4}"),
    ]
    status, answer = client.post("/school/pin", sent)
    assert status == 200 and "Library's pin is at 50% across, 25% down" in html.unescape(answer), answer[:3000]
    after = school_file.read_text(encoding="utf-8")
    changed = [(old, new) for old, new in zip(before.splitlines(), after.splitlines(), strict=True) if old != new]
    assert changed == [("    map: {x: 57, y: 49}", "    map: {x: 50, y: 25}")]
    # Typed instead, for the keyboard; a place with no pin yet gets one.
    page = client.get("/school")
    sent = [("tb-digest", _school_digest(page)), ("place", "library"), ("x", "12.5"), ("y", "40")]
    status, answer = client.post("/school/pin", sent)
    assert status == 200 and "    map: {x: 12.5, y: 40}" in school_file.read_text(encoding="utf-8")
    # The map "pressed" with a key sends the corner (0, 0): not a place anyone chose.
    page = client.get("/school")
    kept = school_file.read_bytes()
    sent = [("tb-digest", _school_digest(page)), ("place", "library"), ("map320.x", "0"), ("map320.y", "0")]
    status, answer = client.post("/school/pin", sent)
    assert status == 400 and "The pin was not moved" in answer and school_file.read_bytes() == kept
    school, problems = load_school(data)
    assert school is not None and school.places["library"].map is not None, problems


def test_a_pin_is_never_saved_over_a_change_made_in_a_text_editor(editor: Editor, data: Path) -> None:
    school_file = data / "school.yaml"
    client = Browser(editor)
    page = client.get("/school")
    school_file.write_text(school_file.read_text(encoding="utf-8") + "# a note added meanwhile\n", encoding="utf-8")
    edited = school_file.read_bytes()
    sent = [("tb-digest", _school_digest(page)), ("place", "library"), ("x", "10"), ("y", "10")]
    status, answer = client.post("/school/pin", sent)
    assert status == 409 and "changed on this computer" in answer and school_file.read_bytes() == edited


def test_photos_of_staff_and_places_are_uploaded_clean_and_named_in_school_yaml(editor: Editor, data: Path) -> None:
    import io

    from PIL import Image

    picture = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    Image.new("RGB", (300, 400), (200, 120, 30)).save(picture, "JPEG", exif=exif)
    client = Browser(editor)
    opened = _school_digest(client.get("/school"))
    status, answer = _upload(
        client,
        "",
        {"tb-digest": opened},
        {"photo": ("me.jpg", picture.getvalue())},
        to="/school/photo/staff/miss-adeyemi",
    )
    assert status == 200 and "images/staff/miss-adeyemi.jpg" in answer, answer[:3000]
    with Image.open(data / "images" / "staff" / "miss-adeyemi.jpg") as image:
        assert image.format == "JPEG" and not image.getexif()
    text = (data / "school.yaml").read_text(encoding="utf-8")
    assert "    role: PE teacher\n    # No photo yet: pages show her initials instead.\n" in text, "her note kept"
    assert "    photo: images/staff/miss-adeyemi.jpg\n" in text
    assert client.opener.open(client.base + "/file/images/staff/miss-adeyemi.jpg").read().startswith(b"\xff\xd8")
    opened = _school_digest(client.get("/school"))
    status, answer = _upload(
        client, "", {"tb-digest": opened}, {"photo": ("x.txt", b"not a picture")}, to="/school/photo/places/library"
    )
    assert status == 400 and "Not kept" in answer
    school, problems = load_school(data)
    assert school is not None and school.staff["miss-adeyemi"].photo == "images/staff/miss-adeyemi.jpg", problems


@pytest.mark.parametrize(
    "asked", ["/file/school.yaml", "/file/amy-jones.yaml", "/file/../../etc/passwd", "/file/%2e%2e/x"]
)
def test_the_editor_shows_only_the_pictures_school_yaml_names(editor: Editor, asked: str) -> None:
    client = Browser(editor)
    with pytest.raises(urllib.error.HTTPError) as answer:
        client.opener.open(client.base + asked)
    assert answer.value.code == 404


def test_the_preview_reloads_itself_after_a_save_and_the_booklet_comes_on_request(editor: Editor, data: Path) -> None:
    client = Browser(editor)
    shown = client.get("/preview/kai-morgan/index.html")
    assert '<script src="/__tb/reload.js"></script>' in shown and "connect-src 'self'" in shown
    first = json.loads(client.get("/__tb/build"))["build"]
    page = client.get("/pupil/kai-morgan")
    status, answer = client.post("/pupil/kai-morgan", _sent_with(page, {"pronouns": "he/him"}))
    assert status == 200 and "The site preview is up to date" in answer
    assert json.loads(client.get("/__tb/build"))["build"] > first, "an open preview sees a new build and reloads"
    booklet = client.opener.open(urllib.request.Request(client.base + "/booklet/kai-morgan", data=b""))
    assert booklet.url.endswith("/preview/kai-morgan/booklet.pdf") and booklet.read().startswith(b"%PDF-")


def test_a_groups_timetable_is_edited_in_the_same_grid(editor: Editor, data: Path) -> None:
    groups = data / "groups.yaml"
    groups.write_text(
        "# The school's groups\ngroups:\n  7b:\n    name: 7B  # tutor group\n    timetable:\n      every day:\n"
        "        p1: {subject: maths, place: a-block}\n",
        encoding="utf-8",
    )
    client = Browser(editor)
    assert 'href="/group/7b"' in client.get("/"), "the groups are listed on the home page"
    page = client.get("/group/7b")
    status, answer = client.post("/group/7b", form_of(page).sent)
    assert "Nothing had changed" in answer and "every day:" in groups.read_text(encoding="utf-8")
    status, answer = client.post("/group/7b", _sent_with(page, {"tt.wednesday.p2.subject": "art"}))
    assert status == 200 and "Saved" in answer, answer[:3000]
    text = groups.read_text(encoding="utf-8")
    assert text.startswith("# The school's groups\n") and "name: 7B  # tutor group" in text
    school, problems = load_school(data)
    assert school is not None, problems
    week = school.groups["7b"].timetable
    assert week is not None
    wednesday = {
        period: slot.subject for period, slot in week[next(day for day in week if day.value == "wednesday")].items()
    }
    assert wednesday == {"p1": "maths", "p2": "art"}
    assert all(slots["p1"].subject == "maths" for slots in week.values()), "every day keeps its lesson"


def test_the_schools_settings_are_a_form_too(editor: Editor, data: Path) -> None:
    path = data / "school.yaml"
    before = path.read_text(encoding="utf-8")
    client = Browser(editor)
    page = client.get("/school/settings")
    assert 'name="school_days" value="monday"' in page, "the school days to tick"
    assert '<option value="library" selected>Library</option>' in page, "a place's kind chosen from the list"
    status, answer = client.post("/school/settings", form_of(page).sent)
    assert "Nothing had changed" in answer and path.read_text(encoding="utf-8") == before
    # A new place, added by its name (its id made from it), and a member of staff's role changed.
    added = {"tb-add": "places", "tb-new.places": "Music room", "staff.miss-adeyemi.role": "PE and dance teacher"}
    status, answer = client.post("/school/settings", _sent_with(page, added))
    assert status == 200 and re.search(r'name="places.music-room.name"[^>]*value="Music room"', answer)
    assert path.read_text(encoding="utf-8") == before, "nothing written until Save"
    status, answer = client.post("/school/settings", _sent_with(answer, {"places.music-room.kind": "classroom"}))
    assert status == 200 and "Saved" in answer, answer[:3000]
    after = path.read_text(encoding="utf-8")
    assert "  music-room:\n    name: Music room\n    kind: classroom\n" in after
    parted = re.compile(r"\n\n([a-z_]+):")
    assert parted.findall(after) == parted.findall(before), "the blank lines between the file's parts stay"
    assert "    role: PE and dance teacher\n    # No photo yet: pages show her initials instead.\n" in after
    assert [line for line in before.splitlines() if "#" in line] == [line for line in after.splitlines() if "#" in line]
    school, problems = load_school(data)
    assert school is not None and "music-room" in school.places, problems


def test_a_mistake_in_the_schools_settings_is_shown_beside_it_and_not_saved(editor: Editor, data: Path) -> None:
    path = data / "school.yaml"
    before = path.read_bytes()
    client = Browser(editor)
    page = client.get("/school/settings")
    status, answer = client.post("/school/settings", _sent_with(page, {"colours.primary": "blue-ish"}))
    assert status == 200 and "Not saved yet" in answer
    assert "colours.primary" in form_of(answer).invalid and 'value="blue-ish"' in answer
    assert path.read_bytes() == before


def test_a_new_item_after_a_commented_one_keeps_the_blank_line_before_the_next_part() -> None:
    from transition_booklets.editor.saving import changed_text

    text = (
        "places:\n  reception:\n    name: Reception\n    # photo: images/places/reception.jpg\n\n"
        "staff:  # the adults\n  ms-example:\n    name: Ms Example\n"
    )
    after = changed_text(text, {("places", "quiet-room", "name"): "Quiet room"})
    assert "\n\nstaff:  # the adults\n" in after and "    # photo: images/places/reception.jpg\n" in after
    assert "  quiet-room:\n    name: Quiet room\n" in after


def test_the_readiness_list_sends_missing_photos_to_the_school_page(editor: Editor, data: Path) -> None:
    """Miss Adeyemi has no photo: Pip's keyworker is in the plan (its item links to its section),
    and the Photos item links to where photos are uploaded, the school page."""
    (data / "pip-test.yaml").write_text(
        "name: Pip Test\nkeyworker: {staff: miss-adeyemi, where: the-hub, when: Every morning}\n", encoding="utf-8"
    )
    page = Browser(editor).get("/pupil/pip-test")
    assert '<a href="/school#places">Photos</a>: add a photo of Miss Adeyemi' in page
    assert '<a href="#s-keyworker">Keyworker</a>' not in page, "the keyworker itself is in the plan"
