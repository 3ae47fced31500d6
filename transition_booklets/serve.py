"""``build.py serve PUPIL-ID``: a local preview of one pupil's site that rebuilds on change.

The server listens on 127.0.0.1 only, so nobody else on the network can see the pupil's
data. It watches the data folder and the templates and rebuilds the pupil when any of
them changes; a rebuild that fails leaves the last good preview in place and says why, in
the terminal and at the top of the page. The address opens on the pupil's own page, and
an open page reloads itself after each rebuild: the preview's pages get a small script
(``/__tb/reload.js``) that asks the server every second which build it is on. For that,
and only in this preview, their policy lets them ask this server (``connect-src 'self'``).
"""

from __future__ import annotations

import functools
import http.server
import json
import logging
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from transition_booklets.build.pipeline import build_cohort
from transition_booklets.build.settings import BuildOptions
from transition_booklets.data.problems import display_path
from transition_booklets.support import resources
from transition_booklets.support.live_preview import RELOAD_SCRIPT, previewed

log = logging.getLogger(__name__)

WATCHED_TOOL_FOLDERS = (resources.SITE_SRC, resources.THEME)


def snapshot(folders: list[Path]) -> dict[Path, tuple[int, int]]:
    """Modification time and size of every file below ``folders``."""
    found: dict[Path, tuple[int, int]] = {}
    for folder in folders:
        if not folder.exists():
            continue
        for path in folder.rglob("*"):
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts):
                stat = path.stat()
                found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


@dataclass
class BuildState:
    """Which build the preview is on, and what the last one said."""

    number: int = 0
    problems: list[str] = field(default_factory=list)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    state: BuildState  # set on the class made for each preview
    pupil: str

    def log_message(self, format: str, *args: object) -> None:
        log.debug(format, *args)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Robots-Tag", "noindex")
        super().end_headers()

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/":  # the pupil's own page, not a list of folders
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", f"/{self.pupil}/index.html")
            self.end_headers()
            return
        if path == "/__tb/build":
            state = {"build": self.state.number, "problems": self.state.problems}
            self._send(json.dumps(state).encode(), "application/json")
            return
        if path == "/__tb/reload.js":
            self._send(RELOAD_SCRIPT.encode(), "text/javascript; charset=utf-8")
            return
        if path.endswith(".html"):
            file = Path(self.translate_path(path))
            if file.is_file():
                self._send(
                    previewed(file.read_text(encoding="utf-8"), self.state.problems).encode(),
                    "text/html; charset=utf-8",
                )
                return
        super().do_GET()


def _build(data_dir: Path, pupil: str, out: Path, staff: Path, state: BuildState | None = None) -> bool:
    result = build_cohort(BuildOptions(data_dir=data_dir, out_dir=out, staff_dir=staff, only=[pupil], pdf=True, jobs=1))
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if result.ok:
        print(f"rebuilt {pupil} in {result.seconds:.1f}s", file=sys.stderr)
    if state is not None:
        state.problems = [str(problem) for problem in result.problems]
        state.number += 1
    return result.ok


def run_serve(data_dir: Path, pupil: str, port: int, out: Path | None, *, poll_seconds: float = 0.5) -> int:
    work = Path(tempfile.mkdtemp(prefix="tb-serve-"))
    out_dir = out or work / "site"
    staff_dir = work / "staff"
    try:
        state = BuildState()
        if not _build(data_dir, pupil, out_dir, staff_dir, state) and not (out_dir / pupil / "index.html").exists():
            print(f"{pupil} could not be built; fix the problems above and run serve again", file=sys.stderr)
            return 1
        kind = type("PreviewHandler", (_QuietHandler,), {"state": state, "pupil": pupil})
        handler = functools.partial(kind, directory=str(out_dir))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        address = f"http://127.0.0.1:{server.server_address[1]}/"
        print(f"Previewing {pupil} at {address}", flush=True)
        print(f"Watching {display_path(data_dir)}; press Ctrl+C to stop.", flush=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        watched = [data_dir, *WATCHED_TOOL_FOLDERS]
        before = snapshot(watched)
        try:
            while True:
                time.sleep(poll_seconds)
                now = snapshot(watched)
                if now != before:
                    before = now
                    _build(data_dir, pupil, out_dir, staff_dir, state)
        finally:
            server.shutdown()
            server.server_close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
