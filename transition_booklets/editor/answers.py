"""What every page of the editor shares: the :class:`Editor` of one data folder, and the ways a
request is answered (a page under the editor's content policy, plain words, a redirect, a file)."""

from __future__ import annotations

import http.server
import logging
import threading
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default as default_policy
from http import HTTPStatus
from pathlib import Path
from typing import Any

from transition_booklets.data.starter import pupil_id_for
from transition_booklets.editor.forms import (
    CHOICE_LISTS,
    KEYED,
    Field,
    Section,
    fields_of,
    path_of,
)
from transition_booklets.support import resources
from transition_booklets.support.content_policy import with_content_policy

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


class Answers(http.server.BaseHTTPRequestHandler):
    """A request to the editor, and the ways it is answered."""

    server_version = "transition-booklets-editor"
    editor: Editor  # set on the class made for each server

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("editor: " + format, *args)

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

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)


CHANGED_MEANWHILE = (
    "{file} was changed on this computer since this page was opened (in a text editor?). Nothing was saved: "
    "the page now shows the file as it is; make the change again."
)
TOO_LARGE = "That photo is too large (over 25 MB); choose a smaller copy."

CONTENT_TYPES = {
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


def multipart_parts(content_type: str, body: bytes) -> dict[str, tuple[bytes, str]]:
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


def filled_in(form: Section, sent: dict[str, list[str]] | None, problems: dict[str, list[str]] | None) -> list[str]:
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
        target = closest_field(by_name, name)
        if grid is not None and name.split(".")[0] == "timetable":
            grid.problems += [f"{name.removeprefix('timetable.')}: {message}" for message in messages]
        elif target is not None:
            target.problems += messages
        else:
            unplaced += messages
    return unplaced


def with_added_item(working: Any, adding: str, sent: dict[str, list[str]]) -> Any:
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


def closest_field(fields: dict[str, Field], name: str) -> Field | None:
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
