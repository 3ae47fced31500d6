"""Cohort benchmark: how long a whole intake takes to build, rebuild and edit.

    python benchmarks/cohort.py                       # a realistic intake of 300 pupils
    python benchmarks/cohort.py --repeat 3            # three times over; medians and ranges
    python benchmarks/cohort.py --cohort synthetic    # the earlier case: copies of the example pupils
    python benchmarks/cohort.py -n 60 --naive-sample 3

Two cohorts. ``realistic`` (the default, ``benchmarks/intake.py``): an intake imported from a
records system's CSV with 10 tutor groups, each with its own timetable; about one pupil in six
with a personal plan in varied words, the rest with their group's data only. ``synthetic``:
the example school plus N pupils with distinct names and photos, made from the four example
pupils (so most booklet pages repeat an earlier pupil's). Each is measured through the real
command (``python build.py``, a fresh process, as a transition lead runs it):

* a cold build (total and per pupil), site and both PDFs;
* a rebuild with nothing changed; one pupil edited; one shared staff photo replaced; with the
  realistic cohort, one lesson of one group's timetable changed (only that group rebuilds);
* peak memory (the build process plus its largest worker, times the number of workers);
* bytes per pupil folder (as listed, and on disk, where hard links share the theme);
* on a sample, the naive loop: one ``mkdocs build`` process per pupil on the same docs
  folder plus one booklet process per pupil, extrapolated to N, and the ratio.

Results are printed as a table and as JSON (``--json FILE`` to keep them).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST = [
    "Ava",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Finn",
    "Grace",
    "Harry",
    "Isla",
    "Jack",
    "Keira",
    "Leo",
    "Maya",
    "Noah",
    "Olivia",
    "Priya",
    "Quinn",
    "Ruby",
    "Sami",
    "Theo",
    "Uma",
    "Vik",
    "Willow",
    "Xander",
    "Yara",
    "Zak",
]
LAST = [
    "Adams",
    "Baker",
    "Clarke",
    "Davies",
    "Evans",
    "Fisher",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nowak",
    "Owen",
    "Patel",
    "Quinn",
    "Roberts",
    "Smith",
    "Taylor",
    "Usman",
    "Vaughan",
    "Walker",
    "Young",
    "Zielinski",
]
TEMPLATES = ["amy-jones", "jordan-reid", "zofia-wisniewska", "kai-morgan"]


def make_cohort(folder: Path, count: int, seed: int = 7) -> list[str]:
    """The example school plus ``count`` pupils with distinct names and photos; returns their ids."""
    from PIL import Image, ImageDraw

    shutil.copytree(ROOT / "pupils", folder)
    for template in TEMPLATES:
        (folder / f"{template}.yaml").rename(folder / f".{template}.template")
    rng = random.Random(seed)
    names: set[str] = set()
    while len(names) < count:
        names.add(f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)}")
    ids = []
    photos = folder / "images" / "pupils"
    for number, name in enumerate(sorted(names)):
        template = TEMPLATES[number % len(TEMPLATES)]
        text = (folder / f".{template}.template").read_text(encoding="utf-8")
        source = {
            "amy-jones": ("Amelia Jones", "Amy"),
            "jordan-reid": ("Jordan Reid", "Jordan"),
            "zofia-wisniewska": ("Zofia Wiśniewska", "Zosia"),
            "kai-morgan": ("Kai Morgan", "Kai"),
        }[template]
        first = name.split()[0]
        text = text.replace(source[0], name).replace(f"preferred_name: {source[1]}", f"preferred_name: {first}")
        pupil_id = f"p{number:04d}-" + "-".join(name.lower().split())
        photo = photos / f"{pupil_id}.jpg"
        image = Image.new("RGB", (480, 480), tuple(rng.randrange(120, 255) for _ in range(3)))  # type: ignore[arg-type]
        draw = ImageDraw.Draw(image)
        draw.ellipse((120, 80, 360, 340), fill=tuple(rng.randrange(60, 200) for _ in range(3)))  # type: ignore[arg-type]
        draw.rectangle((100, 340, 380, 480), fill=tuple(rng.randrange(0, 120) for _ in range(3)))  # type: ignore[arg-type]
        image.save(photo, quality=80)
        for old in ("images/pupils/amy.jpg", "images/pupils/jordan.jpg"):
            text = text.replace(old, f"images/pupils/{photo.name}")
        (folder / f"{pupil_id}.yaml").write_text(text, encoding="utf-8")
        ids.append(pupil_id)
    return ids


def run_build(data: Path, out: Path, *extra: str) -> dict[str, Any]:
    """Run ``build.py`` in a fresh process; wall time, peak memory and its summary line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    completed = subprocess.run(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "--data",
            str(data),
            "--out",
            str(out / "site"),
            "--staff-out",
            str(out / "staff"),
            "-q",
            *extra,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    summary = next((line for line in completed.stderr.splitlines() if " built, " in line), "")
    if completed.returncode != 0:
        raise SystemExit(f"build failed:\n{completed.stderr[-3000:]}")
    return {"seconds": seconds, "summary": summary, "max_rss_mib": max(peak_kib, before) / 1024}


def folder_bytes(site: Path, ids: list[str]) -> tuple[float, float]:
    """Average bytes per pupil folder: as listed, and counting each hard-linked file once."""
    listed = 0
    inodes: dict[int, int] = {}
    for pupil_id in ids:
        for path in (site / pupil_id).rglob("*"):
            if path.is_file():
                stat = path.stat()
                listed += stat.st_size
                inodes[stat.st_ino] = stat.st_size
    return listed / len(ids), sum(inodes.values()) / len(ids)


NAIVE_BOOKLET = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from transition_booklets.booklet.typeset import write_booklets
from transition_booklets.data.loader import load_cohort
from transition_booklets.view.pupil_view import build_view
cohort = load_cohort(Path({data!r}), [{pupil!r}])
record = cohort.pupils[0]
view = build_view(cohort.school, record.pupil, record.id)
write_booklets(view, Path({out!r}), data_dir=Path({data!r}))
"""


def naive_loop(data: Path, work: Path, sample: list[str]) -> float:
    """Seconds per pupil for one ``mkdocs build`` process plus one booklet process per pupil.

    The docs folders are written first (not timed): the naive loop builds the same pages.
    """
    from transition_booklets.data.loader import load_cohort
    from transition_booklets.pictures.images import ImageProcessor
    from transition_booklets.site.pages import write_docs
    from transition_booklets.view.pupil_view import build_view

    cohort = load_cohort(data, sample)
    assert cohort.school is not None
    processor = ImageProcessor(data, work / "naive-cache")
    total = 0.0
    for record in cohort.pupils:
        docs = work / f"naive-{record.id}" / "docs"
        view = build_view(cohort.school, record.pupil, record.id)
        write_docs(cohort, record, view, docs, processor=processor)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(docs.parent / "mkdocs.yml")],
            check=True,
            capture_output=True,
            cwd=docs.parent,
        )
        subprocess.run(
            [
                sys.executable,
                "-c",
                NAIVE_BOOKLET.format(root=str(ROOT), data=str(data), pupil=record.id, out=str(docs.parent / "site")),
            ],
            check=True,
            capture_output=True,
        )
        total += time.perf_counter() - started
    return total / len(cohort.pupils)


def measure(args: argparse.Namespace, parent: Path) -> dict[str, Any]:
    """One complete measurement in a fresh folder inside ``parent``."""
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []

    work = Path(tempfile.mkdtemp(prefix="run-", dir=parent))
    data = work / "data"
    if args.cohort == "realistic":
        from benchmarks.intake import make_intake

        ids = make_intake(data, args.pupils)
    else:
        ids = make_cohort(data, args.pupils)
    out = work / "out"
    results: dict[str, Any] = {"pupils": args.pupils, "cores": os.cpu_count(), "cohort": args.cohort}

    cold = run_build(data, out, *jobs)
    results["cold_build_s"] = cold["seconds"]
    results["cold_ms_per_pupil"] = cold["seconds"] / args.pupils * 1000
    results["cold_summary"] = cold["summary"]
    nochange = run_build(data, out, *jobs)
    results["no_change_rebuild_s"] = nochange["seconds"]
    results["no_change_summary"] = nochange["summary"]

    edited = data / f"{ids[len(ids) // 2]}.yaml"
    text = edited.read_text(encoding="utf-8")
    if re.search(r"^preferred_name: ", text, re.M):
        edited.write_text(re.sub(r"^preferred_name: ", "preferred_name: Little ", text, count=1, flags=re.M))
    else:
        edited.write_text(re.sub(r"^name: ", "preferred_name: Little\nname: ", text, count=1, flags=re.M))
    one = run_build(data, out, *jobs)
    results["one_pupil_edit_s"] = one["seconds"]
    results["one_pupil_summary"] = one["summary"]

    photo = data / "images" / "staff" / "mr-nowak.jpg"
    shutil.copyfile(data / "images" / "staff" / "mr-evans.jpg", photo)
    shared = run_build(data, out, *jobs)
    results["shared_photo_edit_s"] = shared["seconds"]
    results["shared_photo_summary"] = shared["summary"]
    if args.cohort == "realistic":
        groups = data / "groups.yaml"
        text = groups.read_text(encoding="utf-8")
        start = text.index("  7c:")
        lesson = text.index("p1: {subject: ", start)
        end = text.index(",", lesson)
        changed = "p1: {subject: music" if text[lesson:end] != "p1: {subject: music" else "p1: {subject: art"
        groups.write_text(text[:lesson] + changed + text[end:], encoding="utf-8")
        group = run_build(data, out, *jobs)
        results["one_group_edit_s"] = group["seconds"]
        results["one_group_summary"] = group["summary"]

    results["peak_rss_largest_process_mib"] = max(cold["max_rss_mib"], shared["max_rss_mib"])
    workers = args.jobs or os.cpu_count() or 1
    results["peak_memory_estimate_mib"] = results["peak_rss_largest_process_mib"] * (workers + 1)
    listed, on_disk = folder_bytes(out / "site", ids)
    results["bytes_per_pupil_listed"] = round(listed)
    results["bytes_per_pupil_on_disk"] = round(on_disk)

    sample = ids[: args.naive_sample]
    per_pupil = naive_loop(data, work, sample)
    results["naive_s_per_pupil"] = per_pupil
    results["naive_extrapolated_s"] = per_pupil * args.pupils
    results["speedup"] = results["naive_extrapolated_s"] / results["cold_build_s"]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--pupils", type=int, default=300)
    parser.add_argument("--naive-sample", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--cohort", choices=("realistic", "synthetic"), default="realistic")
    parser.add_argument(
        "--repeat", type=int, default=1, help="measure this many times, each in a fresh folder, and report the medians"
    )
    args = parser.parse_args()
    # Every run's files are removed only at the end: on some file systems, making files just
    # after many were removed is several times slower, which would charge one run for the
    # clean-up of the one before (a school's build does not start by removing thousands of files).
    with tempfile.TemporaryDirectory(prefix="tb-bench-") as parent:
        runs = [measure(args, Path(parent)) for _ in range(max(1, args.repeat))]
    results = dict(runs[-1])
    for key, value in runs[-1].items():
        if isinstance(value, float):
            results[key] = statistics.median(run[key] for run in runs)
    results["speedup"] = results["naive_extrapolated_s"] / results["cold_build_s"]
    if len(runs) > 1:
        results["runs"] = len(runs)
        for key in ("cold_build_s", "one_pupil_edit_s", "no_change_rebuild_s", "naive_s_per_pupil", "speedup"):
            results[f"{key}_range"] = [min(run[key] for run in runs), max(run[key] for run in runs)]

    rows = [
        ("pupils", f"{results['pupils']} ({results['cohort']} cohort) on {results['cores']} cores"),
        ("cold build", f"{results['cold_build_s']:.1f} s ({results['cold_ms_per_pupil']:.0f} ms per pupil)"),
        ("no-change rebuild", f"{results['no_change_rebuild_s']:.2f} s  [{results['no_change_summary']}]"),
        ("one pupil edited", f"{results['one_pupil_edit_s']:.2f} s  [{results['one_pupil_summary']}]"),
        ("one shared photo", f"{results['shared_photo_edit_s']:.2f} s  [{results['shared_photo_summary']}]"),
        *(
            [("one group's lesson", f"{results['one_group_edit_s']:.2f} s  [{results['one_group_summary']}]")]
            if "one_group_edit_s" in results
            else []
        ),
        (
            "peak memory",
            f"{results['peak_rss_largest_process_mib']:.0f} MiB largest process, "
            f"≤ {results['peak_memory_estimate_mib']:.0f} MiB all processes",
        ),
        (
            "bytes per pupil",
            f"{results['bytes_per_pupil_listed'] / 1e6:.2f} MB listed, "
            f"{results['bytes_per_pupil_on_disk'] / 1e6:.2f} MB on disk",
        ),
        (
            "naive loop",
            f"{results['naive_s_per_pupil']:.2f} s per pupil → {results['naive_extrapolated_s']:.0f} s "
            f"for {results['pupils']}",
        ),
        ("speed-up", f"{results['speedup']:.1f}×"),
    ]
    if "runs" in results:

        def spread(key: str, unit: str = "s", digits: int = 2) -> str:
            low, high = results[f"{key}_range"]
            return f"{low:.{digits}f}–{high:.{digits}f}{unit}"

        rows.insert(0, ("runs", f"{results['runs']}, each in a fresh folder; medians, with the range"))
        rows += [
            ("cold build range", spread("cold_build_s", " s", 1)),
            ("one edit range", spread("one_pupil_edit_s", " s")),
            ("no-change range", spread("no_change_rebuild_s", " s")),
            ("naive range", spread("naive_s_per_pupil", " s per pupil")),
            ("speed-up range", spread("speedup", "×", 1)),
        ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
