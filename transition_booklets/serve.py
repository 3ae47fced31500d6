"""``build.py serve PUPIL-ID``: a local preview of one pupil's site that rebuilds on change.

The server listens on 127.0.0.1 only, so nobody else on the network can see the pupil's
data. It watches the data folder and the templates and rebuilds the pupil when any of
them changes; a rebuild that fails leaves the last good preview in place and prints why.
"""

from __future__ import annotations

import functools
import http.server
import logging
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from transition_booklets.build.pipeline import build_cohort
from transition_booklets.build.settings import BuildOptions
from transition_booklets.data.problems import display_path
from transition_booklets.support import resources

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


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        log.debug(format, *args)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Robots-Tag", "noindex")
        super().end_headers()


def _build(data_dir: Path, pupil: str, out: Path, staff: Path) -> bool:
    result = build_cohort(BuildOptions(data_dir=data_dir, out_dir=out, staff_dir=staff, only=[pupil], pdf=True, jobs=1))
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if result.ok:
        print(f"rebuilt {pupil} in {result.seconds:.1f}s", file=sys.stderr)
    return result.ok


def run_serve(data_dir: Path, pupil: str, port: int, out: Path | None, *, poll_seconds: float = 0.5) -> int:
    work = Path(tempfile.mkdtemp(prefix="tb-serve-"))
    out_dir = out or work / "site"
    staff_dir = work / "staff"
    try:
        if not _build(data_dir, pupil, out_dir, staff_dir) and not (out_dir / pupil / "index.html").exists():
            print(f"{pupil} could not be built; fix the problems above and run serve again", file=sys.stderr)
            return 1
        handler = functools.partial(_QuietHandler, directory=str(out_dir))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        address = f"http://127.0.0.1:{server.server_address[1]}/{pupil}/index.html"
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
                    _build(data_dir, pupil, out_dir, staff_dir)
        finally:
            server.shutdown()
            server.server_close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
