"""Readiness: the factors of the guidance, their not-applicable rules, and the ``check`` table.

The golden files are in ``tests/golden/readiness/``; after an intended change, rewrite them with
``UPDATE_GOLDEN=1 python -m pytest tests/test_readiness.py tests/test_report.py`` and review the diff.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.conftest import EXAMPLE, ROOT, check_golden
from transition_booklets.cli import main
from transition_booklets.data.loader import Cohort, load_cohort
from transition_booklets.data.models import Pupil, School
from transition_booklets.staff.readiness import (
    MAX_WIDTH,
    PupilReadiness,
    Status,
    check_pupil,
    cohort_readiness,
    factors,
    readiness_report,
)

FIXTURE = ROOT / "tests" / "golden" / "readiness" / "data"


def fixture_cohort(tmp_path: Path) -> Cohort:
    """The readiness fixture school (one pupil in each state), with tiny images made for it."""
    folder = tmp_path / "data"
    shutil.copytree(FIXTURE, folder)
    for name in sorted(set(re.findall(r"images/[\w./-]+", (folder / "school.yaml").read_text(encoding="utf-8")))):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (4, 4), "#88aacc").save(path)
    cohort = load_cohort(folder)
    assert not cohort.problems, [str(problem) for problem in cohort.problems]
    return cohort


def by_id(cohort: Cohort) -> dict[str, PupilReadiness]:
    return {item.pupil_id: item for item in cohort_readiness(cohort)}


def statuses(item: PupilReadiness) -> dict[str, Status]:
    return {result.factor.key: result.status for result in item.results}


SCHOOL = School.model_validate(
    {
        "name": "Test School",
        "places": {"hub": {"name": "The Hub"}, "reception": {"name": "Reception", "photo": "r.jpg"}},
        "staff": {"ms-khan": {"name": "Ms Khan", "photo": "k.jpg"}, "mr-lee": {"name": "Mr Lee"}},
    }
)


def pupil(**data: Any) -> Pupil:
    return Pupil.model_validate({"name": "Sam Test", **data})


def result(key: str, **data: Any) -> tuple[Status, tuple[str, ...], str]:
    for found in check_pupil(SCHOOL, pupil(**data)):
        if found.factor.key == key:
            return found.status, found.to_add, found.reason
    raise KeyError(key)


# ---------------------------------------------------------------------------
# Golden files
# ---------------------------------------------------------------------------


def test_check_table_golden(tmp_path: Path) -> None:
    check_golden("readiness/check.txt", readiness_report(fixture_cohort(tmp_path)) + "\n")


def test_check_table_fits_120_columns(tmp_path: Path) -> None:
    for line in readiness_report(fixture_cohort(tmp_path)).splitlines():
        assert len(line) <= MAX_WIDTH, line


def test_fixture_covers_each_state(tmp_path: Path) -> None:
    found = by_id(fixture_cohort(tmp_path))
    assert found["ada-complete"].ready
    assert found["ada-complete"].score == "16/16"
    assert found["dev-minimal"].met == 0
    assert not found["ben-returning"].ready and found["ben-returning"].met > 0
    assert not found["cara-partial"].ready and found["cara-partial"].met > 0
    assert statuses(found["eli-primary"])["small_group"] is Status.not_applicable
    assert statuses(found["eli-primary"])["break_times"] is Status.not_applicable
    assert statuses(found["fay-home"])["small_group"] is Status.not_applicable
    assert statuses(found["fay-home"])["views"] is Status.met
    assert statuses(found["cara-partial"])["break_times"] is Status.not_applicable


# ---------------------------------------------------------------------------
# The example data folder and the check command
# ---------------------------------------------------------------------------


def test_example_pupils() -> None:
    cohort = load_cohort(EXAMPLE)
    found = by_id(cohort)
    assert sorted(found) == sorted(record.id for record in cohort.pupils)
    assert found["kai-morgan"].met == 0
    report = readiness_report(cohort)
    for pupil_id in found:
        assert pupil_id in report
    assert all(len(line) <= MAX_WIDTH for line in report.splitlines())


def test_check_command_prints_the_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cohort = fixture_cohort(tmp_path)
    main(["check", "--data", str(cohort.data_dir)])
    out = capsys.readouterr().out
    assert "pupil" in out and "ready" in out
    assert "dev-minimal (Dev Minimal): 0 of 15 ready" in out  # Photos is not needed: nothing to photograph


def test_unreadable_pupils_are_listed(tmp_path: Path) -> None:
    cohort = fixture_cohort(tmp_path)
    (cohort.data_dir / "zed-broken.yaml").write_text("name: Zed\nyear: twelve\n", encoding="utf-8")
    report = readiness_report(load_cohort(cohort.data_dir))
    assert "Not checked for readiness until their problems are fixed: zed-broken" in report


def test_report_is_sorted_and_deterministic(tmp_path: Path) -> None:
    cohort = fixture_cohort(tmp_path)
    cohort.pupils.reverse()
    first = readiness_report(cohort)
    assert first == readiness_report(cohort)
    ids = sorted(record.id for record in cohort.pupils)
    rows = [first.index(f"\n{pupil_id} ") for pupil_id in ids]
    assert rows == sorted(rows)


# ---------------------------------------------------------------------------
# Factor rules
# ---------------------------------------------------------------------------


def test_factor_order_and_headers() -> None:
    keys = [factor.key for factor in factors()]
    assert keys[:3] == ["visit", "keyworker", "phases"]
    assert len(set(keys)) == len(keys) == 16
    assert all(len(factor.header) <= 6 for factor in factors())


def test_visit_needs_trusted_adult_who_stays_and_keyworker() -> None:
    status, to_add, _ = result("visit")
    assert status is Status.missing and "first_visit" in to_add[0]
    visit = {"date": "2027-01-06", "places": ["hub"]}
    status, to_add, _ = result("visit", first_visit=visit)
    assert status is Status.missing and any("first_visit.trusted_adult" in line for line in to_add)
    status, to_add, _ = result("visit", first_visit={**visit, "trusted_adult": {"name": "Dan", "stays": False}})
    assert any("stays: true" in line for line in to_add)
    keyworker = {"staff": "ms-khan", "where": "hub", "when": "Mornings"}
    adult = {"name": "Dan"}
    status, to_add, _ = result("visit", first_visit={**visit, "trusted_adult": adult}, keyworker=keyworker)
    assert to_add == ("add ms-khan to first_visit.who_i_will_meet, so Sam meets Ms Khan (the keyworker) on the visit",)
    met = {**visit, "trusted_adult": adult, "who_i_will_meet": ["ms-khan"]}
    assert result("visit", first_visit=met, keyworker=keyworker)[0] is Status.met
    assert (
        result("visit", first_visit={**visit, "trusted_adult": adult, "met_by": "ms-khan"}, keyworker=keyworker)[0]
        is Status.met
    )


def test_keyworker_needs_where_and_when_and_their_photo_is_judged_apart() -> None:
    status, to_add, _ = result("keyworker", keyworker={"staff": "mr-lee"})
    assert status is Status.missing
    assert to_add == (
        "add keyworker.where: where to find Mr Lee (a place id)",
        "add keyworker.when: when to find Mr Lee, e.g. 'Every morning at 8:30'",
    )
    assert result("keyworker", keyworker={"staff": "ms-khan", "where": "hub", "when": "Mornings"})[0] is Status.met
    # Mr Lee has no photo: the keyworker is still in the plan; the photo is what is missing.
    assert result("keyworker", keyworker={"staff": "mr-lee", "where": "hub", "when": "Mornings"})[0] is Status.met
    status, to_add, _ = result("photos", keyworker={"staff": "mr-lee", "where": "hub", "when": "Mornings"})
    assert status is Status.missing and to_add == ("add a photo of Mr Lee under staff.mr-lee.photo in school.yaml",)


def test_phases_need_a_gentler_start() -> None:
    assert result("phases")[0] is Status.missing
    assert result("phases", phases=[{"name": "Full", "from": "2027-01-05"}])[0] is Status.missing
    assert result("phases", phases=[{"name": "Two weeks", "from": "2027-01-05", "to": "2027-01-15"}])[0] is Status.met
    two = [{"name": "Mornings", "from": "2027-01-05"}, {"name": "Full", "from": "2027-01-11"}]
    assert result("phases", phases=two)[0] is Status.met


def test_timetable_for_each_phase() -> None:
    own = {"monday": {"p1": {"note": "Hub"}}}
    phases = [{"name": "Mornings", "from": "2027-01-05", "timetable": own}, {"name": "Full", "from": "2027-01-11"}]
    status, to_add, _ = result("timetable", phases=phases)
    assert status is Status.missing and "phases[1] ('Full')" in to_add[0]
    assert result("timetable", phases=phases, timetable=own)[0] is Status.met
    assert result("timetable")[0] is Status.missing
    assert result("timetable", timetable=own)[0] is Status.met


def test_places_are_chosen_and_their_photos_judged_under_photos() -> None:
    assert result("places")[0] is Status.missing
    places = [{"place": "reception"}, {"place": "hub"}]
    assert result("places", key_places=places)[0] is Status.met
    status, to_add, _ = result("photos", key_places=places)
    assert status is Status.missing and to_add == ("add a photo of The Hub under places.hub.photo in school.yaml",)
    assert result("photos", key_places=[{"place": "reception"}])[0] is Status.met
    assert result("photos")[0] is Status.not_applicable, "nothing to photograph before a keyworker or places"


def test_a_managed_move_needs_break_time_provision() -> None:
    status, to_add, _ = result("break_times", previous_setting={"name": "Northgate High", "kind": "managed-move"})
    assert status is Status.missing and "break_times" in to_add[0]
    moved = result("break_times", previous_setting={"name": "Northgate High", "kind": "secondary"})
    assert moved[0] is Status.not_applicable


def test_worries_need_person_and_place() -> None:
    status, to_add, _ = result("worries", worries={"place": "hub"})
    assert status is Status.missing and len(to_add) == 1 and "worries.people" in to_add[0]
    assert result("worries", worries={"place": "hub", "people": [{"staff": "ms-khan"}]})[0] is Status.met


def test_support_adult_needs_staff() -> None:
    assert result("support")[0] is Status.missing
    assert result("support", buddy={"name": "Priya"})[0] is Status.met
    assert result("support", buddy={"name": "Mr Lee", "kind": "adult"})[0] is Status.missing
    assert result("support", buddy={"name": "Mr Lee", "kind": "adult", "staff": "mr-lee"})[0] is Status.met


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, Status.missing),
        ({"year": 3}, Status.not_applicable),
        ({"year": 7, "previous_setting": {"name": "Oak", "kind": "primary"}}, Status.not_applicable),
        ({"year": 7, "previous_setting": {"name": "Hill", "kind": "secondary"}}, Status.missing),
        ({"year": 9, "previous_setting": {"name": "Northgate", "kind": "alternative-provision"}}, Status.missing),
        ({"year": 3, "small_group": {"name": "Nurture group"}}, Status.met),
    ],
)
def test_small_group_rules(data: dict[str, Any], expected: Status) -> None:
    status, to_add, reason = result("small_group", **data)
    assert status is expected
    assert bool(reason) == (expected is Status.not_applicable)
    assert bool(to_add) == (expected is Status.missing)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, Status.missing),
        ({"previous_setting": {"name": "Oak", "kind": "primary"}}, Status.not_applicable),
        ({"previous_setting": {"name": "Hill", "kind": "secondary"}}, Status.not_applicable),
        ({"previous_setting": {"name": "Northgate", "kind": "alternative-provision"}}, Status.missing),
        ({"previous_setting": {"name": "Home", "kind": "home"}}, Status.missing),
        ({"break_times": [{"period": "lunch", "plan": "Lego club"}]}, Status.met),
    ],
)
def test_break_time_rules(data: dict[str, Any], expected: Status) -> None:
    assert result("break_times", **data)[0] is expected


def test_mentoring_reviews_family_agreed() -> None:
    assert result("mentoring", mentoring={"mentor": "ms-khan"})[0] is Status.missing
    assert result("mentoring", mentoring={"mentor": "ms-khan", "when": "Fridays"})[0] is Status.met
    assert result("reviews")[0] is Status.missing
    assert result("reviews", reviews=[{"date": "2027-01-15"}])[0] is Status.met
    status, to_add, _ = result("family", family_liaison={"staff": "ms-khan", "how": "Phone"})
    assert status is Status.missing and to_add[0].startswith("add family_liaison.how_often")
    status, to_add, _ = result("agreed", agreed={"plan": ["A"], "agreed_by": ["Sam"]})
    assert to_add == ("add agreed.agreed_on: the date it was agreed",)
    agreed = {"rewards": ["A"], "agreed_by": ["Sam"], "agreed_on": "2027-01-01"}
    assert result("agreed", agreed=agreed)[0] is Status.met


def test_views_of_pupil_parent_and_setting() -> None:
    status, to_add, _ = result("views", views={"pupil": {"text": "Hi"}, "parent": {"text": "Hi"}})
    assert status is Status.missing and to_add == ("add views.setting: what the current setting said",)
    setting = {"name": "Oak Primary", "kind": "primary"}
    _, to_add, _ = result("views", previous_setting=setting, views={"pupil": {"text": "Hi"}})
    assert to_add == ("add views.parent: what the parent or carer said", "add views.setting: what Oak Primary said")
    home = {"name": "Home", "kind": "home"}
    views = {"pupil": {"text": "Hi"}, "parent": {"text": "Hi"}}
    assert result("views", previous_setting=home, views=views)[0] is Status.met


def test_interests() -> None:
    assert result("interests", about_me={"strengths": ["Maths"]})[0] is Status.missing
    assert result("interests", about_me={"interests": ["Chess"]})[0] is Status.met
