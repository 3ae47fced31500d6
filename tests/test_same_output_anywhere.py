"""The same data gives the same published files, byte for byte, whenever and wherever it is built.

Two builds of the example, each in a process of its own, started from different working folders
and with the computer's clock set to different days (months apart, one in summer time), with no
cache shared between them: every file of the published folder (pages, pictures, booklets, zips)
must be identical. Only the staff report may differ (it says how each plan stands today).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLE, ROOT

# Runs the command line with the clock moved to the given day: time.time and the datetime module's
# today()/now() answer from that day, before the tool is imported.
WITH_CLOCK = """
import datetime, sys, time
day = datetime.datetime.fromisoformat(sys.argv[1])
shift = day.timestamp() - time.time()
real_time, real_time_ns = time.time, time.time_ns
time.time = lambda: real_time() + shift
time.time_ns = lambda: real_time_ns() + int(shift * 1e9)

class Date(datetime.date):
    @classmethod
    def today(cls):
        return cls.fromtimestamp(time.time())

class DateTime(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return cls.fromtimestamp(time.time(), tz)

    @classmethod
    def today(cls):
        return cls.fromtimestamp(time.time())

datetime.date, datetime.datetime = Date, DateTime
sys.path.insert(0, sys.argv[2])
from transition_booklets.cli import main
sys.exit(main(sys.argv[3:]))
"""


def _build(workdir: Path, clock: str) -> dict[str, bytes]:
    workdir.mkdir(parents=True)
    site = workdir / "published"
    result = subprocess.run(
        [sys.executable, "-c", WITH_CLOCK, clock, str(ROOT), "build", "--data", str(EXAMPLE), "--out", str(site),
         "--staff-out", str(workdir / "staff"), "-q", "amy-jones", "jordan-reid"],
        cwd=workdir, capture_output=True, text=True, check=False, env={"PATH": "/usr/bin:/bin", "TZ": "Europe/London"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def test_two_builds_at_different_times_and_places_publish_the_same_bytes(tmp_path: Path) -> None:
    winter = _build(tmp_path / "one", "2026-12-01T09:30:00")
    summer = _build(tmp_path / "two" / "deeper", "2027-06-21T23:59:30")
    assert len(winter) > 50 and any(name.endswith("booklet.pdf") for name in winter)
    assert sorted(winter) == sorted(summer)
    differ = [name for name in winter if winter[name] != summer[name]]
    assert not differ, f"these differ between the two builds: {differ}"


def test_the_clock_really_moves_in_the_build(tmp_path: Path) -> None:
    """The staff report says how each plan stands today: it changes with the clock (so the clock was moved)."""
    _build(tmp_path / "before", "2026-11-01T10:00:00")
    _build(tmp_path / "after", "2027-09-01T10:00:00")
    before = (tmp_path / "before" / "staff" / "index.html").read_text(encoding="utf-8")
    after = (tmp_path / "after" / "staff" / "index.html").read_text(encoding="utf-8")
    assert before != after
