"""Faults that must lose nothing and leak nothing: a protected build killed at any moment, a worker that dies.

The fault-injection test kills protected builds of the example school with SIGKILL at random
(seeded) moments, then scans everything under ``--out`` (hidden folders and zips included) for a
name, a sentence, a picture, a recording, a calendar or a booklet that opens without the
password. The next build must complete, and its pages decrypt to the same text as a clean
build's. docs/privacy.md reports the numbers.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from tests.conftest import EXAMPLE, ROOT
from tests.test_protect import MAGIC, NAMES, PASSWORDS, PUPILS, SENTENCES, TEXT_SUFFIXES, name_pattern
from transition_booklets.protect.encrypt import decrypt_page, read_sealed
from transition_booklets.protect.passwords import folder_name, load_or_create_secret

KILLS = 20
SEED = 20261201
PATTERNS = [name_pattern(name) for name in sorted(NAMES)]


def _leaks_in(name: str, data: bytes) -> list[str]:
    found = []
    suffix = Path(name).suffix.lower()
    if "/assets/" in f"/{name}":
        return found  # the theme's own files, the same for every school
    if suffix in TEXT_SUFFIXES:
        text = data.decode("utf-8", errors="replace")
        found += [f"{name}: {pattern.pattern}" for pattern in PATTERNS if pattern.search(text)]
        found += [f"{name}: {sentence[:40]!r}" for sentence in SENTENCES if sentence[:40] in text]
        if suffix == ".ics":
            found.append(f"{name}: a calendar in clear")
    else:
        found += [f"{name}: {kind} in clear" for kind, magic in MAGIC.items() if magic in data]
        found += [f"{name}: {n!r}" for n in NAMES if len(n) >= 6 and n.encode() in data]
    if suffix == ".pdf" or data.startswith(b"%PDF"):
        found.append(f"{name}: a booklet published as a PDF (a protected booklet is sealed in an unlock page)")
    return found


def scan(out: Path) -> list[str]:
    """Everything readable without a password under ``out``, hidden folders and zips included."""
    found: list[str] = []
    if not out.exists():
        return found
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(out).as_posix()
        data = path.read_bytes()
        if path.suffix == ".zip":
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    for entry in archive.namelist():
                        found += _leaks_in(f"{rel}!{entry}", archive.read(entry))
            except (zipfile.BadZipFile, OSError, EOFError):
                pass  # a zip cut short holds no readable file
            continue
        found += _leaks_in(rel, data)
    return found


def build(data: Path, out: Path, staff: Path, passwords: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, str(ROOT / "build.py"), "--data", str(data), "--out", str(out), "--staff-out",
               str(staff), "--protect", "--passwords", str(passwords), "-q", "--jobs", "2"]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def pages(out: Path, staff: Path) -> dict[tuple[str, str], str]:
    """Every pupil's pages, decrypted with their password, by pupil and page."""
    secret = load_or_create_secret(staff / "folder-secret.key")
    opened = {}
    for pupil in PUPILS:
        for page in sorted((out / folder_name(pupil, secret)).glob("*.html")):
            shell = page.read_text(encoding="utf-8")
            if read_sealed(shell).kind == "file":  # a booklet: its text is not compared
                continue
            text = decrypt_page(shell, PASSWORDS[pupil])
            opened[(pupil, page.name)] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))
    return opened


def test_a_protected_build_killed_at_any_moment_leaves_nothing_readable(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(EXAMPLE, data)
    passwords = tmp_path / "passwords.csv"
    passwords.write_text("pupil_id,password\n" + "".join(f"{p},{w}\n" for p, w in PASSWORDS.items()), encoding="utf-8")
    out, staff = tmp_path / "out", tmp_path / "staff"
    original = (data / "school.yaml").read_text(encoding="utf-8")
    assert "website: " in original

    started = time.perf_counter()
    assert build(data, out, staff, passwords).wait(timeout=300) == 0
    full = time.perf_counter() - started
    assert scan(out) == []
    rng = random.Random(SEED)
    for kill in range(KILLS):
        # Each pupil is built again: a changed file makes everyone's fingerprint new.
        school = data / "school.yaml"
        school.write_text(original.replace("website: ", f"website: https://example.org/{kill}#", 1), encoding="utf-8")
        process = build(data, out, staff, passwords)
        time.sleep(rng.uniform(0.05, full))
        with contextlib.suppress(ProcessLookupError):  # a build that already ended
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        leaks = scan(out)
        assert leaks == [], f"after kill {kill + 1}: readable without the password:\n" + "\n".join(leaks)

    assert build(data, out, staff, passwords).wait(timeout=300) == 0
    assert not [path.name for path in out.iterdir() if path.name.startswith(".")], "every leftover was removed"
    assert not (staff / ".staging").exists() or not list((staff / ".staging").iterdir())
    clean_out, clean_staff = tmp_path / "clean-out", tmp_path / "clean-staff"
    assert build(data, clean_out, clean_staff, passwords).wait(timeout=300) == 0
    assert pages(out, staff) == pages(clean_out, clean_staff)


def test_the_published_folder_keeps_only_current_pupils_guides(example_copy: Path, tmp_path: Path) -> None:
    from transition_booklets.build.pipeline import build_cohort
    from transition_booklets.build.settings import BuildOptions

    def options(**changes: object) -> BuildOptions:
        settings = BuildOptions(example_copy, tmp_path / "out", tmp_path / "staff", pdf=False, jobs=1)
        for key, value in changes.items():
            setattr(settings, key, value)
        return settings

    own = tmp_path / "out" / "notes-for-the-web-team.txt"
    assert build_cohort(options()).ok
    own.write_text("not a guide", encoding="utf-8")
    # Kai leaves; Zosia's file gets a mistake just as the school switches to protected guides.
    (example_copy / "kai-morgan.yaml").unlink()
    zosia = example_copy / "zofia-wisniewska.yaml"
    zosia.write_text(zosia.read_text(encoding="utf-8") + "favourite_colour: blue\n", encoding="utf-8")
    kept = build_cohort(options(keep_unknown=True, protect=True))
    assert "kai-morgan" in kept.tidied and (tmp_path / "out" / "kai-morgan").is_dir(), "--keep-unknown lists only"
    report = (tmp_path / "staff" / "index.html").read_text(encoding="utf-8")
    assert "kept, as asked with --keep-unknown" in report and "kai-morgan" in report
    result = build_cohort(options(protect=True))
    assert {"kai-morgan", "kai-morgan.zip", "zofia-wisniewska", "zofia-wisniewska.zip"} <= set(result.tidied)
    left = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert not [name for name in left if name.startswith(("kai-morgan", "zofia-wisniewska", "amy-jones"))], left
    assert own.is_file(), "files that are not guides are left alone"
    assert "Removed from the published folder" in (tmp_path / "staff" / "index.html").read_text(encoding="utf-8")


def test_the_staff_folder_is_its_owners_only_and_its_cache_is_never_unpickled_unsigned(
    example_copy: Path, tmp_path: Path
) -> None:
    import pickle
    import stat

    from transition_booklets.build.pipeline import build_cohort
    from transition_booklets.build.settings import BuildOptions

    options = BuildOptions(example_copy, tmp_path / "out", tmp_path / "staff", pdf=False, jobs=1)
    assert build_cohort(options).ok
    staff = tmp_path / "staff"
    assert stat.S_IMODE(staff.stat().st_mode) & 0o077 == 0
    for name in ("index.html", "cohort-calendar.ics"):
        assert stat.S_IMODE((staff / name).stat().st_mode) & 0o077 == 0, name

    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (marker.write_text, ("a file put in the cache ran code",))

    for cached in [*(staff / ".cache" / "read").glob("*.pickle"), staff / ".cache" / "report-parts.pickle"]:
        cached.write_bytes(pickle.dumps(Evil()))
    (example_copy / "kai-morgan.yaml").write_text("name: Kai Morgan\npreferred_name: KJ\n", encoding="utf-8")
    result = build_cohort(options)
    assert result.ok and not marker.exists(), "unsigned data in the cache is never unpickled"
    assert "KJ" in (tmp_path / "out" / "kai-morgan" / "index.html").read_text(encoding="utf-8")
