"""Editor benchmark: how long a transition lead waits after pressing Save.

    python benchmarks/editor.py                  # 9 saves of each example pupil; medians
    python benchmarks/editor.py --repeat 15 --json results.json

A save, as the browser sends it: the form is read back, the file checked as ``check`` does,
written (only the changed line), the pupil's site preview rebuilt, and the form sent again.
Each save changes one value (the preferred name, on every page and in the booklet), so the
preview really rebuilds the pupil's pages and the booklet is really typeset again.
Measured over HTTP against a running editor on a copy of the example school, one pupil at a
time; the first save of each pupil (a cold preview) is reported apart from the rest. Also
timed: a save with nothing changed, and the booklet made on request.

The figures depend on the machine and its load (run it twice, side by side with any change
you compare), and on the pupil: the example pupils' files are 60 to 260 lines.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_editor import Browser, _sent_with, form_of  # noqa: E402
from transition_booklets.editor.server import running  # noqa: E402


def _timed(action: Callable[..., object], *arguments: object) -> float:
    start = time.perf_counter()
    action(*arguments)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=9, help="saves of each pupil (default 9)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    options = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as work:
        data = Path(work) / "school"
        shutil.copytree(ROOT / "pupils", data)
        pupils = sorted(path.stem for path in data.glob("*.yaml") if path.name != "school.yaml")
        with running(data) as editor:
            client = Browser(editor)
            for pupil in pupils:
                lines = len((data / f"{pupil}.yaml").read_text(encoding="utf-8").splitlines())
                saves: list[float] = []
                for number in range(options.repeat + 1):
                    page = client.get(f"/pupil/{pupil}")
                    sent = _sent_with(page, {"preferred_name": f"Sam {number}"})
                    saves.append(_timed(client.post, f"/pupil/{pupil}", sent))
                as_shown = form_of(client.get(f"/pupil/{pupil}")).sent
                unchanged = statistics.median(_timed(client.post, f"/pupil/{pupil}", as_shown) for _ in range(3))
                request = urllib.request.Request(f"{client.base}/booklet/{pupil}", data=b"")
                booklet = _timed(lambda: client.opener.open(request).read())  # noqa: B023 (used at once)
                results[pupil] = {
                    "lines": lines,
                    "first_save_s": round(saves[0], 3),
                    "save_median_s": round(statistics.median(saves[1:]), 3),
                    "save_max_s": round(max(saves[1:]), 3),
                    "unchanged_save_s": round(unchanged, 3),
                    "booklet_s": round(booklet, 3),
                }
    print(f"{'pupil':<20} {'lines':>5} {'first':>7} {'median':>7} {'max':>7} {'no change':>9} {'booklet':>8}")
    for pupil, row in results.items():
        print(
            f"{pupil:<20} {row['lines']:>5} {row['first_save_s']:>7} {row['save_median_s']:>7} "
            f"{row['save_max_s']:>7} {row['unchanged_save_s']:>9} {row['booklet_s']:>8}"
        )
    if options.json:
        options.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
