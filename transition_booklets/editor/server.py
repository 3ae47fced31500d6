"""``transition-booklets edit``: a school's data folder as forms in the browser, on this computer only.

Safe by construction:

* it listens on 127.0.0.1 only, on the port given or a free one;
* every request needs the editor's random token: in the address it prints (``?token=…``), which
  sets a ``SameSite=Strict``, ``HttpOnly`` cookie and leads on without the token in the address;
* the ``Host`` header must be this address (a web page elsewhere cannot reach it by a DNS trick);
* no CORS headers, a strict Content-Security-Policy on every page; the editor's pages have no
  script at all (the map is an image button), only the preview's reload script;
* it reads and writes only the data folder's own files, by name: pupil files (by id),
  ``school.yaml``, ``groups.yaml``, and the photos it keeps under ``images/``; it shows only the
  pictures ``school.yaml`` names.

Pages (:mod:`~transition_booklets.editor.pupil_pages`): the school's pupils with their readiness,
"Add a pupil" (the same starter file as ``new``), a pupil's form
(:mod:`~transition_booklets.editor.forms`, with the week as a grid,
:mod:`~transition_booklets.editor.timetable`), their photo, the preview of their site and their
booklet. The school's pages (:mod:`~transition_booklets.editor.school_pages`): map pins and
photos (:mod:`~transition_booklets.editor.pins_and_photos`), the school's settings as a form, a
group's timetable. Saving checks the file as ``check`` does before writing: problems are shown
beside their fields and nothing is written; a file changed on disk since it was opened is never
overwritten (:mod:`~transition_booklets.editor.saving`).
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
from http import HTTPStatus
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from transition_booklets.data.problems import display_path
from transition_booklets.editor.answers import COOKIE, MAX_FORM_BYTES, Editor
from transition_booklets.editor.pupil_pages import PupilPages
from transition_booklets.editor.school_pages import SchoolPages
from transition_booklets.support.live_preview import RELOAD_SCRIPT

log = logging.getLogger(__name__)


class _Handler(PupilPages, SchoolPages):
    """The editor's requests: each checked at the gate, then sent to its page."""

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
