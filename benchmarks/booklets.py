"""How fast the printed booklets are made: reading copy (Typst, PDF/UA-1) plus print copy (imposition).

    python benchmarks/booklets.py [--rounds 5] [--data pupils] [--processed]

Builds every pupil of the data folder ``--rounds`` times into a temporary folder and prints
booklets per second (one booklet = both PDFs), then a split of where the time goes:
payload (view → JSON, images copied), Typst, imposition. Each round gives every pupil a
slightly different name, so Typst cannot reuse a whole earlier layout: like a real cohort,
where no two pupils are the same. The first booklet of the run also
pays for starting the Typst compiler (fonts are read once per process); it is reported apart.
``--processed`` sends the pictures through the image pipeline (300 dpi JPEG/PNG, cached)
instead of using the data folder's files as they are.

This is a report, not a test: nothing fails.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pikepdf

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from transition_booklets.booklet.imposition import impose_saddle_stitch  # noqa: E402
from transition_booklets.booklet.typeset import (  # noqa: E402
    ImageResolver,
    build_payload,
    data_folder_images,
    processed_images,
    render_reading_copy,
    write_booklets,
)
from transition_booklets.data.loader import load_cohort  # noqa: E402
from transition_booklets.view.pupil_view import View, build_view  # noqa: E402


def resolver(data_dir: Path, cache: Path, pupil_id: str, processed: bool) -> ImageResolver:
    if not processed:
        return data_folder_images(data_dir)
    from transition_booklets.pictures.images import ImageProcessor

    return processed_images(ImageProcessor(data_dir, cache), pupil_file=f"{pupil_id}.yaml")


def variant(view: View, number: int) -> View:
    """The same pupil under a slightly different name (so no two booklets are the same)."""
    changed = copy.deepcopy(view)
    changed["called"] = f"{view['called']} {number}"
    changed["name"] = f"{view['name']} {number}"
    return changed


def split(view: View, data_dir: Path, work: Path, resolve: ImageResolver) -> tuple[float, float, float, int]:
    """Seconds for payload, Typst and imposition of one booklet, and its number of pages."""
    started = time.perf_counter()
    root = Path(tempfile.mkdtemp(dir=work))
    payload = build_payload(view, root, resolve)
    made = time.perf_counter()
    pdf = render_reading_copy(payload, root, shown=view["id"], created=None)
    typeset = time.perf_counter()
    impose_saddle_stitch(pdf, title="benchmark")
    imposed = time.perf_counter()
    with pikepdf.open(io.BytesIO(pdf)) as document:
        pages = len(document.pages)
    return made - started, typeset - made, imposed - typeset, pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="how many times to build every pupil (default 5)")
    parser.add_argument("--data", type=Path, default=ROOT / "pupils", help="the data folder (default: the example)")
    parser.add_argument("--processed", action="store_true", help="pictures through the image pipeline")
    args = parser.parse_args()

    cohort = load_cohort(args.data)
    if cohort.school is None:
        print("the data folder has no usable school.yaml", file=sys.stderr)
        return 1
    views = [build_view(cohort.school, record.pupil, record.id) for record in cohort.pupils]

    with tempfile.TemporaryDirectory(prefix="booklet-bench-") as temporary:
        work = Path(temporary)
        cache = work / "cache"
        first_started = time.perf_counter()
        write_booklets(
            views[0],
            work / "warm-up",
            data_dir=args.data,
            resolve_image=resolver(args.data, cache, views[0]["id"], args.processed),
        )
        first = time.perf_counter() - first_started

        timings: list[float] = []
        started = time.perf_counter()
        for round_number in range(args.rounds):
            for view in views:
                one = time.perf_counter()
                write_booklets(
                    variant(view, round_number),
                    work / f"round-{round_number}" / view["id"],
                    data_dir=args.data,
                    resolve_image=resolver(args.data, cache, view["id"], args.processed),
                )
                timings.append(time.perf_counter() - one)
        total = time.perf_counter() - started

        parts: dict[str, Any] = {}
        for view in views:
            payload, typst, imposition, pages = split(
                variant(view, args.rounds), args.data, work, resolver(args.data, cache, view["id"], args.processed)
            )
            parts[view["id"]] = {
                "pages": pages,
                "payload_ms": round(payload * 1000, 1),
                "typst_ms": round(typst * 1000, 1),
                "imposition_ms": round(imposition * 1000, 1),
            }

    count = len(timings)
    per_second = count / total if total else float("inf")
    print(f"booklets (reading + print copy): {count} in {total:.2f}s = {per_second:.1f} per second")
    print(f"  per booklet: median {statistics.median(timings) * 1000:.0f} ms, slowest {max(timings) * 1000:.0f} ms")
    print(f"  first booklet of the process (starts Typst, reads the fonts): {first * 1000:.0f} ms")
    print(f"  a cohort of 300 at this rate, one process: {300 / per_second:.0f}s")
    print()
    print(f"{'pupil':<22}{'pages':>6}{'payload ms':>12}{'typst ms':>10}{'impose ms':>11}")
    for pupil_id, row in parts.items():
        print(f"{pupil_id:<22}{row['pages']:>6}{row['payload_ms']:>12}{row['typst_ms']:>10}{row['imposition_ms']:>11}")
    print()
    print(
        json.dumps(
            {
                "booklets": count,
                "seconds": round(total, 3),
                "per_second": round(per_second, 2),
                "first_ms": round(first * 1000),
                "processed_images": args.processed,
                "parts": parts,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
