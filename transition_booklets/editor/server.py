"""``transition-booklets edit``: a school's data folder as forms in the browser, on this computer only.

Safe by construction:

* it listens on 127.0.0.1 only, on the port given or a free one;
* every request needs the editor's random token: in the address it prints (``?token=…``), which
  sets a ``SameSite=Strict``, ``HttpOnly`` cookie and leads on without the token in the address;
* the ``Host`` header must be this address (a web page elsewhere cannot reach it by a DNS trick);
* no CORS headers, a strict Content-Security-Policy on every page, no script at all;
* it reads and writes only pupil files of the data folder (``<pupil-id>.yaml``), by id.

Pages: the school's pupils with their readiness, "Add a pupil" (the same starter file as
``new``), and one pupil's form (:mod:`~transition_booklets.editor.forms`). Saving checks the file
as ``check`` does before writing: problems are shown beside their fields and nothing is
written; a file changed on disk since it was opened is never overwritten
(:mod:`~transition_booklets.editor.saving`).
"""

from __future__ import annotations

import contextlib
import http.server
import json
import logging
import secrets
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default as default_policy
from http import HTTPStatus
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from transition_booklets.data.loader import (
    GROUPS_FILE,
    PUPIL_ID,
    SCHOOL_FILE,
    load_groups,
    load_pupil,
    load_school,
    pupil_files,
)
from transition_booklets.data.models import Place, StaffMember
from transition_booklets.data.problems import display_path
from transition_booklets.data.schema import pupil_schema_line
from transition_booklets.data.starter import pupil_id_for, render_starter
from transition_booklets.editor.forms import (
    CHOICE_LISTS,
    FACTOR_SECTIONS,
    KEYED,
    Field,
    Section,
    fields_of,
    path_of,
    pupil_form,
    school_form,
    values_from_form,
    with_sent_items,
    with_values,
)
from transition_booklets.editor.saving import ChangedOnDisk, changed_text, digest, save
from transition_booklets.editor.school import (
    MAP_WIDTHS,
    map_picture,
    photo_file,
    pin_from_click,
    pin_from_numbers,
    shown_files,
    written,
)
from transition_booklets.editor.timetable import grid_of, same_week, sends_grid, timetable_from_form
from transition_booklets.pictures.images import photo_upload
from transition_booklets.staff.readiness import pupil_readiness
from transition_booklets.support import resources
from transition_booklets.support.content_policy import with_content_policy
from transition_booklets.support.files import write_atomic
from transition_booklets.support.live_preview import RELOAD_SCRIPT, previewed
from transition_booklets.support.templating import template

log = logging.getLogger(__name__)

COOKIE = "tb-editor"
MAX_FORM_BYTES = 1_000_000  # a pupil file's form is a few kilobytes
MAX_PHOTO_BYTES = 25_000_000  # a phone's photo is a few megabytes
EDITOR_TEMPLATES = resources.SITE_SRC / "editor"


@dataclass
class Editor:
    """The editor of one data folder: its token and address."""

    data_dir: Path
    token: str
    host: str = "127.0.0.1"
    port: int = 0
    preview_dir: Path | None = None  # where each pupil's site is built to be looked at (private, temporary)
    building: threading.Lock = field(default_factory=threading.Lock)
    builds: int = 0  # how many previews were built: an open preview page reloads when it changes
    problems: dict[str, list[str]] = field(default_factory=dict)  # what stopped each pupil's last preview

    def preview(self, pupil_id: str, *, booklet: bool = False) -> list[str]:
        """Build the pupil's site (and, when asked, the booklet) into the preview folder; the problems,
        if it could not be built (the last good preview then stays)."""
        from transition_booklets.build.pipeline import build_cohort
        from transition_booklets.build.settings import BuildOptions

        assert self.preview_dir is not None
        with self.building:
            options = BuildOptions(
                self.data_dir,
                self.preview_dir / "site",
                self.preview_dir / "staff",
                only=[pupil_id],
                pdf=booklet,
                jobs=1,
            )
            result = build_cohort(options)
            self.problems[pupil_id] = [str(problem) for problem in result.problems]
            self.builds += 1
        return self.problems[pupil_id]

    @property
    def address(self) -> str:
        return f"http://{self.host}:{self.port}/?token={self.token}"

    def allowed_hosts(self) -> set[str]:
        return {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}


class _Handler(http.server.BaseHTTPRequestHandler):
    server_version = "transition-booklets-editor"
    editor: Editor  # set on the class made for each server

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("editor: " + format, *args)

    # ---- the gate -----------------------------------------------------------------------------

    def _allowed(self) -> bool:
        if self.headers.get("Host", "") not in self.editor.allowed_hosts():
            self._plain(HTTPStatus.FORBIDDEN, "This address is not the editor's.")
            return False
        query = parse_qs(urlsplit(self.path).query)
        if query.get("token", [""])[0] == self.editor.token:
            target = urlsplit(self.path).path or "/"
            self.send_response(HTTPStatus.SEE_OTHER)
            self.send_header("Location", target)
            self.send_header("Set-Cookie", f"{COOKIE}={self.editor.token}; HttpOnly; SameSite=Strict; Path=/")
            self.end_headers()
            return False
        cookies = SimpleCookie(self.headers.get("Cookie", ""))
        sent = cookies.get(COOKIE)
        if sent is None or not secrets.compare_digest(sent.value, self.editor.token):
            self._plain(HTTPStatus.FORBIDDEN, "Open the editor with the address it printed (it has the key in it).")
            return False
        return True

    def _plain(self, status: HTTPStatus, text: str) -> None:
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _page(self, text: str, status: HTTPStatus = HTTPStatus.OK) -> None:
        body = with_content_policy(text, form_action="'self'").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, target: str) -> None:
        self.send_response(HTTPStatus.SEE_OTHER)
        self.send_header("Location", target)
        self.end_headers()

    # ---- routes -------------------------------------------------------------------------------

    def handle_one_request(self) -> None:
        """One request; a fault in the editor is said plainly, and the editor goes on."""
        try:
            super().handle_one_request()
        except Exception:  # a bug: the person sees a message, the details go to the log
            log.exception("editor: could not answer %s", getattr(self, "path", ""))
            with contextlib.suppress(OSError):
                self._plain(HTTPStatus.INTERNAL_SERVER_ERROR, "Something went wrong in the editor; nothing was saved.")

    def do_GET(self) -> None:
        if not self._allowed():
            return
        path = urlsplit(self.path).path
        if path == "/favicon.ico":
            self.send_response(HTTPStatus.NO_CONTENT)
            self.end_headers()
        elif path == "/":
            self._page(self._home())
        elif path == "/school":
            self._page(self._school_page())
        elif path == "/school/settings":
            self._page(self._settings())
        elif path.startswith("/group/"):
            self._group_page(path[len("/group/") :])
        elif path.startswith("/file/"):
            self._data_file(path[len("/file/") :])
        elif path == "/__tb/build":
            self._send(json.dumps({"build": self.editor.builds}).encode(), "application/json")
        elif path == "/__tb/reload.js":
            self._send(RELOAD_SCRIPT.encode(), "text/javascript; charset=utf-8")
        elif path.startswith("/preview/"):
            self._preview(path[len("/preview/") :])
        elif path.startswith("/pupil/") and self._pupil_path(path[len("/pupil/") :]) is not None:
            pupil_path = self._pupil_path(path[len("/pupil/") :])
            assert pupil_path is not None
            self._page(self._form(pupil_path))
        else:
            self._plain(HTTPStatus.NOT_FOUND, "No such page.")

    def do_POST(self) -> None:
        if not self._allowed():
            return
        length = int(self.headers.get("Content-Length") or 0)
        path = urlsplit(self.path).path
        if path.startswith("/photo/"):
            self._photo(path[len("/photo/") :], length)
            return
        if path.startswith("/school/photo/"):
            self._school_photo(path[len("/school/photo/") :], length)
            return
        if length > MAX_FORM_BYTES:
            self._plain(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "That is too much for one form.")
            return
        sent = parse_qs(self.rfile.read(length).decode("utf-8", errors="replace"), keep_blank_values=True)
        if path == "/new":
            self._new(sent)
        elif path.startswith("/group/"):
            self._group_save(path[len("/group/") :], sent)
        elif path.startswith("/booklet/"):
            self._booklet(path[len("/booklet/") :])
        elif path == "/school/settings":
            self._settings_save(sent)
        elif path == "/school/pin":
            self._pin(sent)
        elif path.startswith("/pupil/") and self._pupil_path(path[len("/pupil/") :]) is not None:
            pupil_path = self._pupil_path(path[len("/pupil/") :])
            assert pupil_path is not None
            self._save(pupil_path, sent)
        else:
            self._plain(HTTPStatus.NOT_FOUND, "No such page.")

    def do_OPTIONS(self) -> None:  # no CORS: nothing is offered to other sites
        self._plain(HTTPStatus.FORBIDDEN, "Not here.")

    # ---- a pupil's photo ----------------------------------------------------------------------

    def _photo(self, pupil_id: str, length: int) -> None:
        """A photo of the pupil, uploaded with the family's consent: checked, cleaned, kept, named in the file."""
        path = self._pupil_path(pupil_id)
        if path is None:
            self._plain(HTTPStatus.NOT_FOUND, "No such pupil.")
            return
        if length > MAX_PHOTO_BYTES:
            self.rfile.read(length)  # read and thrown away, so the browser gets the answer
            self._page(
                self._form(path, notice="That photo is too large (over 25 MB); choose a smaller copy."),
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            )
            return
        parts = _multipart(self.headers.get("Content-Type", ""), self.rfile.read(length))
        if parts.get("consent", (b"",))[0].decode(errors="replace") != "yes":
            self._page(
                self._form(path, notice="Not kept: tick that the family agreed the photo may be used."),
                HTTPStatus.BAD_REQUEST,
            )
            return
        data = parts.get("photo", (b"",))[0]
        name = parts.get("photo", (b"", "photo"))[1] or "photo"
        if not data:
            self._page(self._form(path, notice="Choose a photo first."), HTTPStatus.BAD_REQUEST)
            return
        try:
            clean = photo_upload(name, data)
        except ValueError as error:
            self._page(self._form(path, notice=f"Not kept: {error}."), HTTPStatus.BAD_REQUEST)
            return
        relative = f"images/pupils/{pupil_id}.jpg"
        target = self.editor.data_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, clean)
        text = path.read_text(encoding="utf-8")
        write_atomic(path, changed_text(text, {("photo", "file"): relative, ("photo", "consent"): True}))
        self._page(self._form(path, notice=f"The photo is kept as {relative}, with the family's consent noted."))

    # ---- the school: map pins, photos of places and staff ---------------------------------

    def _school_page(self, notice: str = "", *, problem: bool = False, chosen: str = "") -> str:
        data_dir = self.editor.data_dir
        school_file = data_dir / SCHOOL_FILE
        school, problems = load_school(data_dir)
        if school is None:
            return template(EDITOR_TEMPLATES, "home.html.j2").render(
                school=display_path(data_dir), pupils=[], message="; ".join(str(item) for item in problems)
            )
        places = [(number, place_id, place) for number, (place_id, place) in enumerate(school.places.items(), 1)]
        staff = [(number, staff_id, member) for number, (staff_id, member) in enumerate(school.staff.items(), 1)]
        unpinned = [place_id for _, place_id, place in places if place.map is None]
        return template(EDITOR_TEMPLATES, "school.html.j2").render(
            school=school,
            file=display_path(school_file),
            digest=digest(school_file.read_text(encoding="utf-8")),
            picture=map_picture(school, data_dir),
            widths=MAP_WIDTHS,
            places=places,
            staff=staff,
            chosen=chosen or (unpinned[0] if unpinned else ""),
            notice=notice,
            problem=problem,
        )

    def _change_school(self, opened: str, values: dict[tuple[str | int, ...], Any]) -> bool:
        """Write ``values`` into school.yaml unless it changed since the page was opened (then False)."""
        path = self.editor.data_dir / SCHOOL_FILE
        text = path.read_text(encoding="utf-8")
        if not secrets.compare_digest(digest(text), opened):
            return False
        new = changed_text(text, values)
        if new != text:
            write_atomic(path, new)
        return True

    def _pin(self, sent: dict[str, list[str]]) -> None:
        school, _ = load_school(self.editor.data_dir)
        place_id = sent.get("place", [""])[-1]
        if school is None or place_id not in school.places:
            self._page(self._school_page("Choose a place first.", problem=True), HTTPStatus.BAD_REQUEST)
            return
        picture = map_picture(school, self.editor.data_dir)
        clicked = pin_from_click(sent, picture) if picture is not None else None
        where = clicked if clicked not in (None, (0.0, 0.0)) else pin_from_numbers(sent)
        if clicked == (0.0, 0.0) and where is None:  # the map "pressed" with a key: no point was chosen
            where = "click the map with the mouse or a finger, or type the position in the two boxes below it"
        if where is None or isinstance(where, str):
            message = f"The pin was not moved: {where or 'click the map where the place is, or type its position'}."
            self._page(self._school_page(message, problem=True, chosen=place_id), HTTPStatus.BAD_REQUEST)
            return
        x, y = where
        values: dict[tuple[str | int, ...], Any] = {
            ("places", place_id, "map", "x"): written(x),
            ("places", place_id, "map", "y"): written(y),
        }
        if not self._change_school(sent.get("tb-digest", [""])[-1], values):
            self._page(self._school_page(_CHANGED.format(file=SCHOOL_FILE), problem=True), HTTPStatus.CONFLICT)
            return
        name = school.places[place_id].name
        notice = f"{name}'s pin is at {written(x)}% across, {written(y)}% down. Saved in {SCHOOL_FILE}."
        self._page(self._school_page(notice, chosen=place_id))

    def _school_photo(self, rest: str, length: int) -> None:
        """A photo of a member of staff or a place: checked, cleaned, kept, named in school.yaml."""
        kind, _, item_id = rest.partition("/")
        school, _ = load_school(self.editor.data_dir)
        items: dict[str, dict[str, Place | StaffMember]] = (
            {"staff": dict(school.staff), "places": dict(school.places)} if school is not None else {}
        )
        if kind not in items or item_id not in items[kind]:
            self.rfile.read(length)
            self._plain(HTTPStatus.NOT_FOUND, "No such place or member of staff.")
            return
        name = items[kind][item_id].name
        if length > MAX_PHOTO_BYTES:
            self.rfile.read(length)
            self._page(self._school_page(_TOO_LARGE, problem=True), HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return
        parts = _multipart(self.headers.get("Content-Type", ""), self.rfile.read(length))
        data, file_name = parts.get("photo", (b"", ""))
        if not data:
            self._page(self._school_page(f"Choose a photo of {name} first.", problem=True), HTTPStatus.BAD_REQUEST)
            return
        try:
            clean = photo_upload(file_name or "photo", data)
        except ValueError as error:
            self._page(self._school_page(f"Not kept: {error}.", problem=True), HTTPStatus.BAD_REQUEST)
            return
        relative = photo_file(kind, item_id)
        opened = parts.get("tb-digest", (b"", ""))[0].decode(errors="replace")
        school_text = (self.editor.data_dir / SCHOOL_FILE).read_text(encoding="utf-8")
        if not secrets.compare_digest(digest(school_text), opened):
            self._page(self._school_page(_CHANGED.format(file=SCHOOL_FILE), problem=True), HTTPStatus.CONFLICT)
            return
        target = self.editor.data_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, clean)
        self._change_school(opened, {(kind, item_id, "photo"): relative})
        self._page(self._school_page(f"The photo of {name} is kept as {relative}."))

    # ---- a group's timetable (groups.yaml) ------------------------------------------------

    def _group_page(
        self, group_id: str, notice: str = "", *, problem: bool = False, sent: dict[str, list[str]] | None = None
    ) -> None:
        school, _ = load_school(self.editor.data_dir)
        path = self.editor.data_dir / GROUPS_FILE
        if school is None or group_id not in school.groups:
            self._plain(HTTPStatus.NOT_FOUND, "No such group.")
            return
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
        where = ("groups", group_id, "timetable")
        if sent is not None:  # shown again as it was chosen
            data = {"groups": {group_id: {"timetable": timetable_from_form(school, sent)}}}
        self._page(
            template(EDITOR_TEMPLATES, "group.html.j2").render(
                group_id=group_id,
                group_name=school.groups[group_id].name,
                file=display_path(path),
                digest=digest(text),
                grid=grid_of(data, where, school, with_groups=False),
                notice=notice,
                problem=problem,
            ),
            HTTPStatus.OK if not problem else HTTPStatus.CONFLICT,
        )

    def _group_save(self, group_id: str, sent: dict[str, list[str]]) -> None:
        school, _ = load_school(self.editor.data_dir)
        path = self.editor.data_dir / GROUPS_FILE
        if school is None or group_id not in school.groups:
            self._plain(HTTPStatus.NOT_FOUND, "No such group.")
            return
        text = path.read_text(encoding="utf-8")
        if not secrets.compare_digest(digest(text), sent.get("tb-digest", [""])[-1]):
            self._group_page(group_id, _CHANGED.format(file=GROUPS_FILE), problem=True)
            return
        where = ("groups", group_id, "timetable")
        week = timetable_from_form(school, sent)
        written_week = ((yaml.safe_load(text) or {}).get("groups") or {}).get(group_id, {}).get("timetable")
        if same_week(written_week, week):
            self._group_page(group_id, "Nothing had changed, so the file was left as it was.")
            return
        new = changed_text(text, {}, structures={where: week})
        with tempfile.TemporaryDirectory(prefix="tb-editor-") as work:  # checked as check would, before writing
            (Path(work) / GROUPS_FILE).write_text(new, encoding="utf-8")
            checked = load_groups(Path(work), school)
        if isinstance(checked, list):
            problems = "; ".join(f"{problem.field}: {problem.message}" for problem in checked)
            self._group_page(group_id, f"Not saved: {problems}", problem=True, sent=sent)
            return
        write_atomic(path, new)
        self._group_page(group_id, f"Saved {display_path(path)}.")

    # ---- the school's own settings (school.yaml) as a form -----------------------------------

    def _settings(
        self, *, sent: dict[str, list[str]] | None = None, problems: dict[str, list[str]] | None = None,
        notice: str = "", opened: str | None = None, working: Any = None,
    ) -> str:  # fmt: skip
        path = self.editor.data_dir / SCHOOL_FILE
        text = path.read_text(encoding="utf-8")
        data = working if working is not None else (yaml.safe_load(text) or {})
        school, _ = load_school(self.editor.data_dir)
        form = school_form(data, school)
        unplaced = _filled_in(form, sent, problems)
        return template(EDITOR_TEMPLATES, "settings.html.j2").render(
            school_name=str(data.get("name") or "The school") if isinstance(data, dict) else "The school",
            file=display_path(path),
            form=form,
            digest=opened or digest(text),
            notice=notice,
            unplaced=unplaced,
        )

    def _settings_save(self, sent: dict[str, list[str]]) -> None:
        path = self.editor.data_dir / SCHOOL_FILE
        opened = sent.get("tb-digest", [""])[-1]
        school, _ = load_school(self.editor.data_dir)
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        form = school_form(with_sent_items(data, list(sent)), school)
        values = values_from_form(form, sent)
        adding = sent.get("tb-add", [""])[-1]
        if adding:
            working = _added(with_values(data, values), adding, sent)
            self._page(self._settings(working=working, opened=opened, notice="Fill in the new one, then save."))
            return
        removed = tuple(path_of(name) for name in sent.get("tb-remove", []) if name)
        moving = sent.get("tb-up", [""])[-1]
        try:
            new, changed = save(path, opened, values, removed, moved_up=path_of(moving) if moving else None)
        except ChangedOnDisk:
            self._page(self._settings(notice=_CHANGED.format(file=SCHOOL_FILE)), HTTPStatus.CONFLICT)
            return
        if not changed:
            self._page(self._settings(notice="Nothing had changed, so the file was left as it was."))
            return
        with tempfile.TemporaryDirectory(prefix="tb-editor-") as work:  # checked as check would, before writing
            trial = Path(work) / SCHOOL_FILE
            trial.write_text(new, encoding="utf-8")
            _, found = load_school(self.editor.data_dir, path=trial)
        if found:
            problems: dict[str, list[str]] = {}
            for problem in found:
                problems.setdefault(problem.field, []).append(problem.message)
            working = with_values(data, values)
            notice = "Not saved yet: please look at the fields marked below."
            self._page(self._settings(sent=sent, problems=problems, notice=notice, opened=opened, working=working))
            return
        write_atomic(path, new)
        self._page(self._settings(notice=f"Saved {display_path(path)}."))

    def _data_file(self, relative: str) -> None:
        """A picture the school page shows (the map, a photo named in school.yaml); no other file."""
        school, _ = load_school(self.editor.data_dir)
        root = self.editor.data_dir.resolve()
        target = (root / relative).resolve()
        if school is None or relative not in shown_files(school) or not target.is_relative_to(root):
            self._plain(HTTPStatus.NOT_FOUND, "No such picture.")
            return
        if not target.is_file():
            self._plain(HTTPStatus.NOT_FOUND, "That picture is not in the data folder.")
            return
        self._send(target.read_bytes(), _TYPES.get(target.suffix.lower(), "application/octet-stream"))

    # ---- the preview --------------------------------------------------------------------------

    def _preview(self, rest: str) -> None:
        """A file of a pupil's preview site: /preview/<pupil-id>/<file>, built on the first look."""
        pupil_id, _, name = rest.partition("/")
        if self._pupil_path(pupil_id) is None or self.editor.preview_dir is None:
            self._plain(HTTPStatus.NOT_FOUND, "No such pupil.")
            return
        site = (self.editor.preview_dir / "site" / pupil_id).resolve()
        if not (site / "index.html").is_file():
            problems = self.editor.preview(pupil_id)
            if problems:
                self._plain(HTTPStatus.OK, "The site could not be built yet:\n" + "\n".join(problems))
                return
        target = (site / (name or "index.html")).resolve()
        if not target.is_relative_to(site) or not target.is_file():  # nothing outside the pupil's preview
            self._plain(HTTPStatus.NOT_FOUND, "No such page.")
            return
        body = target.read_bytes()
        if target.suffix == ".html":  # reloads itself after each save; says when the last change could not be built
            body = previewed(body.decode("utf-8"), self.editor.problems.get(pupil_id, [])).encode("utf-8")
        self._send(body, _TYPES.get(target.suffix.lower(), "application/octet-stream"))

    def _booklet(self, pupil_id: str) -> None:
        """The pupil's booklet, made on request (a few seconds) and opened as a PDF."""
        if self._pupil_path(pupil_id) is None or self.editor.preview_dir is None:
            self._plain(HTTPStatus.NOT_FOUND, "No such pupil.")
            return
        problems = self.editor.preview(pupil_id, booklet=True)
        if problems or not (self.editor.preview_dir / "site" / pupil_id / "booklet.pdf").is_file():
            self._plain(HTTPStatus.OK, "The booklet could not be made:\n" + "\n".join(problems))
            return
        self._redirect(f"/preview/{pupil_id}/booklet.pdf")

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    # ---- pages --------------------------------------------------------------------------------

    def _pupil_path(self, pupil_id: str) -> Path | None:
        """The pupil file for ``pupil_id``: only a pupil file of the data folder, never another path."""
        if not PUPIL_ID.match(pupil_id):
            return None
        for path in pupil_files(self.editor.data_dir):
            if path.stem == pupil_id:
                return path
        return None

    def _home(self, message: str = "") -> str:
        data_dir = self.editor.data_dir
        school, _ = load_school(data_dir)
        pupils = []
        for path in pupil_files(data_dir):
            record = load_pupil(path, school, data_dir)
            if isinstance(record, list):
                pupils.append({"id": path.stem, "name": path.stem, "ready": None, "problems": len(record)})
                continue
            readiness = pupil_readiness(school, record) if school is not None else None
            pupils.append(
                {
                    "id": record.id,
                    "name": record.pupil.name,
                    "ready": f"{readiness.met} of {readiness.applicable}" if readiness else None,
                    "problems": 0,
                }
            )
        groups = [(group_id, group.name) for group_id, group in school.groups.items()] if school else []
        return template(EDITOR_TEMPLATES, "home.html.j2").render(
            school=school.name if school else display_path(data_dir), pupils=pupils, message=message, groups=groups
        )

    def _form(
        self, path: Path, *, sent: dict[str, list[str]] | None = None, problems: dict[str, list[str]] | None = None,
        notice: str = "", opened: str | None = None, working: Any = None,
    ) -> str:  # fmt: skip
        school, _ = load_school(self.editor.data_dir)
        text = path.read_text(encoding="utf-8")
        data = working if working is not None else (yaml.safe_load(text) or {})
        form = pupil_form(data, school)
        unplaced = _filled_in(form, sent, problems)
        readiness = None
        record = load_pupil(path, school, self.editor.data_dir)
        if school is not None and not isinstance(record, list):
            readiness = pupil_readiness(school, record)
        return template(EDITOR_TEMPLATES, "pupil.html.j2").render(
            pupil_id=path.stem,
            pupil_name=str(data.get("name") or path.stem) if isinstance(data, dict) else path.stem,
            file=display_path(path),
            form=form,
            digest=opened or digest(text),
            notice=notice,
            unplaced=unplaced,
            readiness=readiness,
            sections=FACTOR_SECTIONS,
        )

    def _new(self, sent: dict[str, list[str]]) -> None:
        name = (sent.get("name", [""])[-1]).strip()
        if not name:
            self._page(self._home("Type the pupil's full name first."), HTTPStatus.BAD_REQUEST)
            return
        pupil_id = pupil_id_for(name)
        path = self.editor.data_dir / f"{pupil_id}.yaml"
        if path.exists():
            self._page(
                self._home(f"There is a file for {pupil_id} already: open it from the list."), HTTPStatus.CONFLICT
            )
            return
        school, _ = load_school(self.editor.data_dir)
        check = f"transition-booklets check --data {display_path(self.editor.data_dir)}"
        starter = render_starter(name, pupil_id, school, pupil_schema_line(self.editor.data_dir), check)
        write_atomic(path, starter)
        self._redirect(f"/pupil/{pupil_id}")

    def _save(self, path: Path, sent: dict[str, list[str]]) -> None:
        opened = sent.get("tb-digest", [""])[-1]
        school, _ = load_school(self.editor.data_dir)
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        form = pupil_form(with_sent_items(data, list(sent)), school)  # items added in the form too
        values = values_from_form(form, sent)
        structures: dict[tuple[str, ...], Any] = {}
        week = data.get("timetable")
        if school is not None and sends_grid(sent):
            week = timetable_from_form(school, sent)
            if not same_week(data.get("timetable"), week):
                structures[("timetable",)] = week
        adding = sent.get("tb-add", [""])[-1]
        if adding:  # "Add one": the form again, as typed, with a new empty item; nothing is saved yet
            working = with_values(data, values)
            working["timetable"] = week
            _added(working, adding, sent)
            self._page(self._form(path, working=working, opened=opened, notice="Fill in the new one, then save."))
            return
        removed = tuple(path_of(name) for name in sent.get("tb-remove", []) if name)
        try:
            moving = sent.get("tb-up", [""])[-1]
            new, changed = save(path, opened, values, removed, structures, path_of(moving) if moving else None)
        except ChangedOnDisk:
            notice = (
                f"{display_path(path)} was changed on this computer since you opened it (in a text editor?). "
                "Nothing was saved. Reload the page to see the file as it is now, then make your changes again."
            )
            self._page(
                self._form(path, sent=sent, notice=notice, opened=opened, working=_typed_week(data, week)),
                HTTPStatus.CONFLICT,
            )
            return
        if not changed:
            self._page(self._form(path, notice="Nothing had changed, so the file was left as it was."))
            return
        problems = _check(path, new, self.editor.data_dir)
        if problems:
            notice = "Not saved yet: please look at the fields marked below."
            self._page(
                self._form(
                    path, sent=sent, problems=problems, notice=notice, opened=opened, working=_typed_week(data, week)
                )
            )
            return
        write_atomic(path, new)
        notice = f"Saved {display_path(path)}."
        if self.editor.preview_dir is not None:
            unbuilt = self.editor.preview(path.stem)
            notice += " The site preview is up to date." if not unbuilt else " The site preview could not be built."
        self._page(self._form(path, notice=notice))


_CHANGED = (
    "{file} was changed on this computer since this page was opened (in a text editor?). Nothing was saved: "
    "the page now shows the file as it is; make the change again."
)
_TOO_LARGE = "That photo is too large (over 25 MB); choose a smaller copy."

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".woff2": "font/woff2",
    ".ics": "text/calendar; charset=utf-8",
    ".ogg": "audio/ogg",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".mp4": "video/mp4",
    ".txt": "text/plain; charset=utf-8",
    ".pdf": "application/pdf",
}


def _filled_in(form: Section, sent: dict[str, list[str]] | None, problems: dict[str, list[str]] | None) -> list[str]:
    """``form`` showing what was typed (``sent``) and each problem beside its field; the problems that
    belong to no field."""
    if sent is not None:
        for field in fields_of(form):  # what was typed stays in the form
            raw = sent.get(field.name, [])
            field.value = (
                [value for value in raw if value]
                if field.kind in CHOICE_LISTS
                else ((raw[-1].splitlines() if field.kind == "lines" else raw[-1]) if raw else None)
            )
    unplaced = []
    by_name = {field.name: field for field in fields_of(form)}
    grid = next((part.grid for part in form.fields if isinstance(part, Section) and part.grid), None)
    for name, messages in (problems or {}).items():
        target = _closest(by_name, name)
        if grid is not None and name.split(".")[0] == "timetable":
            grid.problems += [f"{name.removeprefix('timetable.')}: {message}" for message in messages]
        elif target is not None:
            target.problems += messages
        else:
            unplaced += messages
    return unplaced


def _added(working: Any, adding: str, sent: dict[str, list[str]]) -> Any:
    """``working`` with a new, empty item where "Add one" was pressed (``adding``: its list's name); in a
    group of keys under ids (places, staff, subjects) the new one is named as typed, its id made from that."""
    items = working
    for part in path_of(adding)[:-1]:
        items = items.setdefault(part, {}) if isinstance(items, dict) else items[int(part)]
    key = path_of(adding)[-1]
    if not isinstance(items, dict):
        return working
    if adding in KEYED:
        name = sent.get(f"tb-new.{adding}", [""])[-1].strip()
        group = items.setdefault(key, {})
        if name and isinstance(group, dict):
            item_id, number = pupil_id_for(name), 2
            while item_id in group:
                item_id, number = f"{pupil_id_for(name)}-{number}", number + 1
            group[item_id] = {"name": name}
        return working
    items.setdefault(key, [])
    if isinstance(items[key], list):
        items[key].append({})
    return working


def _typed_week(data: Any, week: Any) -> Any:
    """The file's values with the week as the grid sent it (to show the form again as it was typed)."""
    return {**data, "timetable": week} if isinstance(data, dict) else data


def _multipart(content_type: str, body: bytes) -> dict[str, tuple[bytes, str]]:
    """The parts of a ``multipart/form-data`` body: each field's bytes and file name."""
    message = BytesParser(policy=default_policy).parsebytes(
        f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode() + body
    )
    parts: dict[str, tuple[bytes, str]] = {}
    if not message.is_multipart():
        return parts
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            payload = part.get_payload(decode=True)
            parts[name] = (payload if isinstance(payload, bytes) else b"", part.get_filename() or "")
    return parts


def _closest(fields: dict[str, Field], name: str) -> Field | None:
    """The field a problem at ``name`` (``first_visit.date``, ``reviews[0].what``) belongs beside."""
    dotted = name.replace("[", ".").replace("]", "")
    while dotted:
        if dotted in fields:
            return fields[dotted]
        prefix = [key for key in fields if key.startswith(dotted + ".")]
        if prefix:
            return fields[prefix[0]]
        dotted = dotted.rpartition(".")[0]
    return None


def _check(path: Path, text: str, data_dir: Path) -> dict[str, list[str]]:
    """The problems ``check`` would find in ``text`` as the file ``path``, by the key they concern."""
    school, _ = load_school(data_dir)
    with tempfile.TemporaryDirectory(prefix="tb-editor-") as work:
        trial = Path(work) / path.name
        trial.write_text(text, encoding="utf-8")
        result = load_pupil(trial, school, data_dir)
    problems: dict[str, list[str]] = {}
    if isinstance(result, list):
        for problem in result:
            problems.setdefault(problem.field, []).append(problem.message)
    return problems


@contextmanager
def running(data_dir: Path, *, port: int = 0, token: str | None = None) -> Iterator[Editor]:
    """The editor serving ``data_dir`` from a thread, for as long as the ``with`` block."""
    preview = Path(tempfile.mkdtemp(prefix="tb-editor-preview-"))  # readable by this user only
    editor = Editor(Path(data_dir), token or secrets.token_urlsafe(24), preview_dir=preview)
    handler = type("Handler", (_Handler,), {"editor": editor})
    server = http.server.ThreadingHTTPServer((editor.host, port), handler)
    editor.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield editor
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(preview, ignore_errors=True)


def run_edit(data_dir: Path, *, port: int = 0, browser: bool = True) -> int:
    """The ``edit`` command: serve until Ctrl+C."""
    if not (data_dir / "school.yaml").is_file():
        print(f"{display_path(data_dir)}: no school.yaml here; give your school's folder with --data", file=sys.stderr)
        return 1
    with running(data_dir, port=port) as editor:
        print(f"The editor is at {editor.address}")
        print("Only this computer can open it. Press Ctrl+C to stop.")
        if browser:
            import webbrowser

            webbrowser.open(editor.address)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("\nStopped.")
    return 0
