"""The pupil's mini-site (placeholder until the full pages land)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from .loader import Cohort, PupilRecord


def write_pupil_site(cohort: Cohort, record: PupilRecord, view: dict[str, Any], folder: Path, options: Any) -> None:
    title = html.escape(f"{view['called']} at {view['school']['name']}")
    (folder / "index.html").write_text(
        f'<!doctype html><html lang="en"><meta charset="utf-8"><title>{title}</title><h1>{title}</h1></html>\n',
        encoding="utf-8",
    )
