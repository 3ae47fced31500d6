"""A build that is stopped, or whose worker dies, or whose disk fills up: nothing lost, nothing half-written."""

from __future__ import annotations

import errno
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, ROOT
from transition_booklets.build import workers
from transition_booklets.build.pipeline import build_cohort
from transition_booklets.build.settings import BuildOptions

DEAD_WORKER = """
import os, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from transition_booklets.build import workers
from transition_booklets.build.pipeline import build_cohort
from transition_booklets.build.settings import BuildOptions

original = workers.PupilBuilder.run
def run(self, index, unless=None):
    if self.cohort.pupils[index].id == "kai-morgan":
        os.kill(os.getpid(), 9)  # as the out-of-memory killer would
    return original(self, index, unless)
workers.PupilBuilder.run = run
result = build_cohort(BuildOptions(Path({data!r}), Path({out!r}), Path({staff!r}), pdf=False, jobs=2, force=True))
print("FAILED", sorted(result.failed))
print("BUILT", sorted(result.built))
for problem in result.problems:
    print("PROBLEM", problem)
"""


def test_a_worker_that_dies_fails_its_pupil_and_the_build_ends_with_its_report(tmp_path: Path) -> None:
    data, out, staff = tmp_path / "data", tmp_path / "out", tmp_path / "staff"
    shutil.copytree(EXAMPLE, data)
    assert build_cohort(BuildOptions(data, out, staff, pdf=False, jobs=1)).ok
    before = (out / "kai-morgan" / "index.html").read_bytes()
    script = DEAD_WORKER.format(root=str(ROOT), data=str(data), out=str(out), staff=str(staff))
    completed = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr
    assert "FAILED" in completed.stdout and "'kai-morgan'" in completed.stdout.split("FAILED", 1)[1].splitlines()[0]
    assert "stopped unexpectedly" in completed.stdout
    assert (out / "kai-morgan" / "index.html").read_bytes() == before, "the last good guide is kept"
    assert (staff / "index.html").is_file()


def test_a_full_disk_is_said_plainly_and_keeps_the_last_good_guide(
    example_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = BuildOptions(example_copy, tmp_path / "out", tmp_path / "staff", only=["kai-morgan"], pdf=False, jobs=1)
    assert build_cohort(options).ok
    before = (tmp_path / "out" / "kai-morgan" / "index.html").read_bytes()

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "staff" / ".staging" / "x"))

    monkeypatch.setattr(workers, "write_pupil_site", full)
    options.force = True
    result = build_cohort(options)
    assert result.failed == ["kai-morgan"]
    [message] = [str(problem) for problem in result.problems]
    assert "the disk is full; free some space" in message and "The last good guide is kept." in message
    assert (tmp_path / "out" / "kai-morgan" / "index.html").read_bytes() == before
    assert not [path for path in (tmp_path / "out").iterdir() if path.name.startswith(".")]


def test_sigterm_stops_the_workers_and_leaves_nothing_half_written(tmp_path: Path) -> None:
    data, out, staff = tmp_path / "data", tmp_path / "out", tmp_path / "staff"
    shutil.copytree(EXAMPLE, data)
    for number in range(60):  # enough pupils that the build is still running when it is stopped
        shutil.copy(data / "amy-jones.yaml", data / f"amy-copy-{number}.yaml")
    command = [sys.executable, str(ROOT / "build.py"), "--data", str(data), "--out", str(out), "--staff-out",
               str(staff), "-q", "--jobs", "2"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while not (staff / ".staging").exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    time.sleep(0.3)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert b"stopped" in stderr and b"Traceback" not in stderr
    time.sleep(0.5)
    left = subprocess.run(
        ["ps", "-o", "pid,stat,args", "--no-headers", "-g", str(process.pid)], capture_output=True, text=True
    )
    alive = [line for line in left.stdout.splitlines() if line.split()[1][0] != "Z"]
    assert alive == [], "no worker goes on building"
    for guide in (path for path in out.iterdir() if path.is_dir()):
        assert guide.name.startswith(".") or (guide / "index.html").is_file(), f"{guide.name} is half-written"
    assert not [path.name for path in out.iterdir() if ".incoming-" in path.name]
    published = [path for path in out.iterdir() if path.is_dir() and not path.name.startswith(".")]
    assert len(published) < 64, "the build stopped: the queued pupils were not built"
