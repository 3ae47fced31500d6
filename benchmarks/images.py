"""How fast the image pipeline is, and proof that shared photos are processed once.

    python benchmarks/images.py [--pupils 300] [--staff 10]

Everything happens in a temporary folder: generated photo-like JPEGs (gradients, shapes and
noise, so they compress like photos), then

1. one 12-megapixel phone photo (4000×3000): a square portrait for the web (1x and 2x) and
   for print, cold (nothing cached) and warm (a new processor on the same cache folder);
2. a cohort: every pupil has their own photo (2000×1500) and a keyworker plus two other
   staff members out of ``--staff`` shared 12-megapixel staff photos, and the school map (made
   once) with their own numbered pins laid over it. Cold, then warm (a rebuild: a new processor on the same cache).

Prints a table, then the same numbers as JSON. This is a report, not a test: nothing fails.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from transition_booklets.pictures.images import ImageProcessor  # noqa: E402
from transition_booklets.pictures.school_map import layout_pins  # noqa: E402
from transition_booklets.pictures.sizes import PRINT_SIZES, WEB_WIDTHS  # noqa: E402

PORTRAIT_CSS_PX = 160
PORTRAIT_MM = 30.0
MAP_PLACES = 11


@functools.lru_cache(maxsize=2)
def _noise(size: tuple[int, int]) -> Image.Image:
    return Image.merge("RGB", [Image.effect_noise(size, 40) for _ in range(3)])


def photo_like(size: tuple[int, int], seed: int) -> Image.Image:
    """A picture that compresses like a photo: soft shapes on a gradient, with sensor-like noise."""
    rng = random.Random(seed)
    small = (max(1, size[0] // 8), max(1, size[1] // 8))
    base = Image.linear_gradient("L").resize(small).rotate(rng.uniform(0, 360), expand=False)
    colour = Image.merge(
        "RGB",
        (
            base.point(lambda v: v * 0.6 + 60),
            base.transpose(Image.Transpose.FLIP_LEFT_RIGHT).point(lambda v: v * 0.5 + 80),
            base.point(lambda v: 200 - v * 0.5),
        ),
    )
    draw = ImageDraw.Draw(colour)
    for _ in range(12):
        x, y = rng.randrange(small[0]), rng.randrange(small[1])
        r = rng.randrange(4, max(5, small[0] // 4))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    colour = colour.filter(ImageFilter.GaussianBlur(2)).resize(size, Image.Resampling.BICUBIC)
    return Image.blend(colour, _noise(size), 0.2)


def timed(action: Any) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def portrait(processor: ImageProcessor, source: str, where: str) -> None:
    processor.web(source, width=PORTRAIT_CSS_PX, square=True, where=where)
    processor.print_image(source, width_mm=PORTRAIT_MM, square=True, where=where)


def school_map(processor: ImageProcessor, key_places: list[dict[str, object]]) -> None:
    """What a build does for one pupil's map: the shared map picture, and the pupil's pins laid out over it."""
    processor.web("map.png", width=WEB_WIDTHS["map"], drawing=True, where="school.yaml map.image")
    processor.print_image("map.png", width_mm=PRINT_SIZES["map"].width_mm, drawing=True, where="school.yaml map.image")
    layout_pins(key_places, 1000, 700)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=300)
    parser.add_argument("--staff", type=int, default=10)
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []

    with tempfile.TemporaryDirectory(prefix="images-benchmark-") as folder:
        data = Path(folder) / "data"
        (data / "images").mkdir(parents=True)
        print("generating test photos…", file=sys.stderr)

        # 1. One 12-megapixel photo.
        photo_like((4000, 3000), 1).save(data / "images" / "phone.jpg", quality=90)
        cache = Path(folder) / "cache-one"
        for label in ("cold", "warm"):
            processor = ImageProcessor(data, cache)
            seconds = timed(lambda p=processor: portrait(p, "images/phone.jpg", "bench"))
            rows.append(
                {
                    "case": f"12 MP photo, {label}",
                    "images": 1,
                    "processed": processor.processed,
                    "reused": processor.reused,
                    "seconds": round(seconds, 3),
                }
            )

        # 2. A cohort sharing staff photos.
        staff = [f"images/staff-{n}.jpg" for n in range(args.staff)]
        for n, source in enumerate(staff):
            photo_like((4000, 3000), 100 + n).save(data / source, quality=90)
        pupils = [f"images/pupil-{n}.jpg" for n in range(args.pupils)]
        for n, source in enumerate(pupils):
            photo_like((2000, 1500), 1000 + n).save(data / source, quality=88)
        Image.open(ROOT / "pupils" / "images" / "map.png").save(data / "map.png")
        rng = random.Random(7)
        places = [(f"place-{n}", rng.uniform(5, 95), rng.uniform(5, 95)) for n in range(MAP_PLACES)]
        plans = []
        for n in range(args.pupils):
            people = rng.sample(staff, k=min(3, len(staff)))
            chosen = rng.sample(places, k=rng.randint(4, 6))
            key_places = [
                {"number": i + 1, "id": pid, "name": pid, "map": {"x": round(x), "y": round(y)}}
                for i, (pid, x, y) in enumerate(chosen)
            ]
            plans.append((pupils[n], people, key_places))
        distinct_maps = len({json.dumps(p[2]) for p in plans})

        cache = Path(folder) / "cache-cohort"
        for label in ("cold", "warm"):
            processor = ImageProcessor(data, cache)
            started = time.perf_counter()
            staff_processed = 0
            map_seconds = 0.0
            for n, (own, people, key_places) in enumerate(plans):
                where = f"pupils/pupil-{n}.yaml"
                portrait(processor, own, f"{where} photo.file")
                before = processor.processed
                for person in people:
                    portrait(processor, person, "school.yaml staff")
                staff_processed += processor.processed - before
                map_seconds += timed(lambda p=processor, k=key_places: school_map(p, k))
            seconds = time.perf_counter() - started
            rows.append(
                {
                    "case": f"cohort of {args.pupils}, {label}",
                    "images": args.pupils + args.staff + 1,
                    "processed": processor.processed,
                    "reused": processor.reused,
                    "staff_processed": staff_processed,
                    "staff_photos": args.staff,
                    "distinct_maps": distinct_maps,
                    "seconds": round(seconds, 3),
                    "of_which_maps_seconds": round(map_seconds, 3),
                }
            )

    print(
        f"{'case':<26} {'images':>6} {'processed':>9} {'reused':>6} {'staff processed':>17} {'maps':>5} "
        f"{'seconds':>7} {'(maps)':>7}"
    )
    for row in rows:
        staff_text = f"{row['staff_processed']} ({row['staff_photos']} photos)" if "staff_processed" in row else ""
        maps = f"{row['of_which_maps_seconds']:.2f}" if "of_which_maps_seconds" in row else ""
        print(
            f"{row['case']:<26} {row['images']:>6} {row['processed']:>9} {row['reused']:>6} {staff_text:>17} "
            f"{row.get('distinct_maps', ''):>5} {row['seconds']:>7.2f} {maps:>7}"
        )
    print("Each photo makes 3 renditions (web 1x, web 2x, print); the map 3 once; the pins are laid out per pupil.")
    print(json.dumps({"benchmark": "images", "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
