from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import ROOT


def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode("utf-8"))


def test_serve_previews_on_localhost_and_rebuilds_on_change(example_copy: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "serve", "kai-morgan", "--data", str(example_copy), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("Previewing kai-morgan at http://127.0.0.1:"), line
        url = line.split(" at ", 1)[1].strip()
        assert "Hello Kai!" in _fetch(url)
        (example_copy / "kai-morgan.yaml").write_text("name: Kai Morgan\npreferred_name: KJ\n", encoding="utf-8")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if "Hello KJ!" in _fetch(url):
                break
            time.sleep(0.3)
        else:
            raise AssertionError("the preview was not rebuilt after the pupil file changed")
        page = _fetch(url)
        assert '<script src="/__tb/reload.js"></script>' in page and "connect-src 'self'" in page
        base = url.split("/", 3)[:3]
        build_url = "/".join(base) + "/__tb/build"
        number = __import__("json").loads(_fetch(build_url))["build"]
        # A mistake: the last good page stays, with the problem on top, and the build number moves on.
        (example_copy / "kai-morgan.yaml").write_text("name: Kai Morgan\nyear: eleven\n", encoding="utf-8")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            page = _fetch(url)
            if "could not be built" in page:
                break
            time.sleep(0.3)
        else:
            raise AssertionError("the build's problem is not shown in the page")
        assert "Hello KJ!" in page and "kai-morgan.yaml:2" in page
        assert __import__("json").loads(_fetch(build_url))["build"] > number
    finally:
        process.terminate()
        process.wait(timeout=10)
