"""Reference outputs of the view stage: each example pupil's view and the booklet's data, compared exactly.

They make any change to what the pages and the booklet receive visible in review, without
Typst or a browser. After an intended change: ``UPDATE_GOLDEN=1 .venv/bin/python -m pytest
tests/test_view_golden.py`` and read the diff of ``tests/golden/views`` and ``tests/golden/booklet-data``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE, check_golden
from transition_booklets.booklet.typeset import build_payload, data_folder_images
from transition_booklets.data.loader import load_cohort
from transition_booklets.view.pupil_view import build_view

COHORT = load_cohort(EXAMPLE)
PUPILS = [record.id for record in COHORT.pupils]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def _view(pupil_id: str) -> Any:
    assert COHORT.school is not None
    record = next(record for record in COHORT.pupils if record.id == pupil_id)
    return build_view(COHORT.school, record.pupil, record.id)


def _named_by_source(value: Any) -> Any:
    """Printed images are named by a hash of where the checkout is; name them by their source instead."""
    if isinstance(value, dict):
        copied = {key: _named_by_source(item) for key, item in value.items()}
        if copied.get("print_file"):
            copied["print_file"] = f"img/<{copied.get('source')}>"
        return copied
    if isinstance(value, list):
        return [_named_by_source(item) for item in value]
    return value


def test_the_example_school_has_four_pupils() -> None:
    assert PUPILS == ["amy-jones", "jordan-reid", "kai-morgan", "zofia-wisniewska"]


@pytest.mark.parametrize("pupil_id", PUPILS)
def test_view(pupil_id: str) -> None:
    check_golden(f"views/{pupil_id}.json", _json(_view(pupil_id)))


@pytest.mark.parametrize("pupil_id", PUPILS)
def test_booklet_data(pupil_id: str, tmp_path: Path) -> None:
    payload = build_payload(_view(pupil_id), tmp_path, data_folder_images(EXAMPLE))
    shown = {
        "view": _named_by_source(payload["view"]),
        "icons": sorted(payload["icons"]),  # the SVGs themselves are Material's
        "meta": payload["meta"],
        # payload["words"] is the strings file as it is (site_src/strings/en.yaml)
    }
    check_golden(f"booklet-data/{pupil_id}.json", _json(shown))
