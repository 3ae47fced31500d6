"""Importing an intake from the school's records: pupil lists and group timetables, CSV and XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from tests.site_checks import page_text

FIRST = ["Aisha", "Ben", "Chloe", "Dylan", "Efa", "Femi", "Grace", "Harri", "Isla", "Jack", "Kacper", "Lily"]
LAST = ["Jones", "Williams", "Khan", "Evans", "Nowak", "Davies", "Patel", "Hughes", "Smith", "Lewis"]
SIMS_HEADERS = ["UPN", "Legal Forename", "Preferred Forename", "Legal Surname", "Reg Group", "NC Year", "DOB",
                "Admission Date", "Address Line 1"]  # fmt: skip


def tool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "transition_booklets", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def pupil_rows(count: int = 60) -> list[list[str]]:
    rows = []
    for index in range(count):
        first, last = FIRST[index % len(FIRST)], LAST[index % len(LAST)]
        preferred = "Kaz" if first == "Kacper" else first
        rows.append([f"K8{index:08d}", first, preferred, f"{last}-{index}", "7A" if index % 2 else "7B", "Year 7",
                     "14/02/2015", "03/09/2027", f"{index} Long Road"])  # fmt: skip
    return rows


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def timetable_rows() -> list[list[str]]:
    rows = []
    for group, first_lesson in (("7A", "Maths"), ("7B", "English")):
        second = "English" if first_lesson == "Maths" else "Maths"
        for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
            rows += [[group, day, "Registration", "", "Reception", "Ms Example"],
                     [group, day, "Period 1", first_lesson, "Reception", "Ms Example"],
                     [group, day, "Period 2", second, "reception", "ms-example"]]  # fmt: skip
    return rows


@pytest.fixture
def school(tmp_path: Path) -> Path:
    assert tool("init", "school", cwd=tmp_path).returncode == 0
    write_csv(tmp_path / "timetable.csv", ["Class", "Day", "Period", "Subject", "Room", "Teacher"], timetable_rows())
    result = tool("import", "timetable.csv", "--data", "school", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "groups made: 7a, 7b" in result.stdout
    return tmp_path / "school"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_records_system_export_imports_into_a_fresh_folder(school: Path, tmp_path: Path) -> None:
    write_csv(tmp_path / "pupils.csv", SIMS_HEADERS, pupil_rows())
    result = tool("import", "pupils.csv", "--data", "school", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "60 pupil file(s) made" in result.stdout
    assert "columns not read (the guides do not need them): UPN, DOB, Address Line 1" in result.stdout
    assert tool("check", "--data", "school", cwd=tmp_path).returncode == 0
    everything = b"".join(snapshot(school).values())
    for private in (b"K800000001", b"14/02/2015", b"2015-02-14", b"Long Road"):
        assert private not in everything, "nothing the guides do not need is stored"
    kacper = (school / "kacper-jones-10.yaml").read_text(encoding="utf-8")
    for line in ('name: "Kacper Jones-10"', "preferred_name: Kaz", "year: 7", "start_date: 2027-09-03", "groups: [7b]"):
        assert line in kacper.splitlines(), line
    assert kacper.index("groups: [7b]") < kacper.index("# pronouns:"), "the imported facts are at the top"

    # A personal change over the group's timetable, shown on the pupil's timetable page.
    aisha = school / "aisha-jones-0.yaml"
    aisha.write_text(
        aisha.read_text(encoding="utf-8")
        + "timetable:\n  monday:\n    p2: {place: reception, note: Reading with Ms Example}\n",
        encoding="utf-8",
    )
    built = tool("--data", "school", "--no-pdf", "aisha-jones-0", "ben-williams-1", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    aisha_page = page_text(tmp_path / "school-site" / "aisha-jones-0" / "timetable.html")
    ben_page = page_text(tmp_path / "school-site" / "ben-williams-1" / "timetable.html")
    assert "English" in aisha_page and "Reading with Ms Example" in aisha_page  # 7B: English first
    assert "Maths" in ben_page and "Reading with Ms Example" not in ben_page  # 7A


def test_importing_the_same_list_again_changes_no_byte(school: Path, tmp_path: Path) -> None:
    write_csv(tmp_path / "pupils.csv", SIMS_HEADERS, pupil_rows())
    assert tool("import", "pupils.csv", "--data", "school", cwd=tmp_path).returncode == 0
    before = snapshot(school)
    again = tool("import", "pupils.csv", "--data", "school", cwd=tmp_path)
    assert again.returncode == 0 and "60 unchanged" in again.stdout
    assert snapshot(school) == before
    timetable = tool("import", "timetable.csv", "--data", "school", cwd=tmp_path)
    assert "unchanged: 2" in timetable.stdout and snapshot(school) == before


def test_a_re_import_updates_a_start_date_and_keeps_what_a_person_wrote(school: Path, tmp_path: Path) -> None:
    rows = pupil_rows(4)
    write_csv(tmp_path / "pupils.csv", SIMS_HEADERS, rows)
    assert tool("import", "pupils.csv", "--data", "school", cwd=tmp_path).returncode == 0
    path = school / "ben-williams-1.yaml"
    written = (
        path.read_text(encoding="utf-8").replace(
            "start_date: 2027-09-03\n", "start_date: 2027-09-03   # agreed with mum\n"
        )
        + "# Ben loves trains: mention them on the first visit\nabout_me:\n  interests: [Trains, Lego]\n"
    )
    path.write_text(written, encoding="utf-8")
    rows[1][7] = "10/09/2027"
    write_csv(tmp_path / "pupils.csv", SIMS_HEADERS, rows)
    result = tool("import", "pupils.csv", "--data", "school", cwd=tmp_path)
    assert "ben-williams-1 (start_date)" in result.stdout
    after = path.read_text(encoding="utf-8")
    assert after == written.replace("start_date: 2027-09-03   # agreed", "start_date: 2027-09-10   # agreed")


def test_a_row_with_an_impossible_date_is_reported_and_the_others_imported(school: Path, tmp_path: Path) -> None:
    rows = pupil_rows()
    rows[15][7] = "31/02/2027"
    write_csv(tmp_path / "pupils.csv", SIMS_HEADERS, rows)
    result = tool("import", "pupils.csv", "--data", "school", cwd=tmp_path)
    assert result.returncode == 1
    assert "pupils.csv:17: '31/02/2027' is not a real date" in result.stderr
    assert "59 pupil file(s) made" in result.stdout
    assert "Traceback" not in result.stderr


def test_an_unknown_group_and_a_missing_name_are_reported_by_row(school: Path, tmp_path: Path) -> None:
    rows = pupil_rows(3)
    rows[0][4] = "7C"
    rows[2][1] = rows[2][3] = ""
    write_csv(tmp_path / "pupils.csv", SIMS_HEADERS, rows)
    result = tool("import", "pupils.csv", "--dry-run", "--data", "school", cwd=tmp_path)
    assert result.returncode == 1
    assert "pupils.csv:2: no group '7C' in groups.yaml (did you mean '7A'?" in result.stderr or (
        "pupils.csv:2: no group '7C'" in result.stderr
    )
    assert "pupils.csv:4: no name" in result.stderr
    assert "1 pupil file(s) would be made" in result.stdout
    assert sorted(path.name for path in school.glob("*.yaml")) == ["groups.yaml", "school.yaml"], "--dry-run"


def test_an_xlsx_export_with_date_cells_and_other_header_names(school: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Forename", "Surname", "Known As", "Tutor Group", "Year Group", "Start Date", "Date of Birth"])
    sheet.append(["Siân", "Ap Rhys", "Sîan", "7a", 7, dt.datetime(2027, 9, 3), dt.datetime(2015, 5, 1)])
    sheet.append(["Li", "Wei", None, "7B", "R", "2027-09-04", None])
    book.save(tmp_path / "intake.xlsx")
    result = tool("import", "intake.xlsx", "--data", "school", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    sian = (school / "sian-ap-rhys.yaml").read_text(encoding="utf-8")
    assert 'name: "Siân Ap Rhys"' in sian and "preferred_name: Sîan" in sian and "start_date: 2027-09-03" in sian
    li = (school / "li-wei.yaml").read_text(encoding="utf-8")
    assert "year: 0" in li and "groups: [7b]" in li and "2015" not in sian


def test_a_school_names_its_own_headers(school: Path, tmp_path: Path) -> None:
    (school / "import-headers.yaml").write_text('forename: "Child first name"\ngroup: "Class 2027"\n', encoding="utf-8")
    write_csv(tmp_path / "pupils.csv", ["Child first name", "Surname", "Class 2027"], [["Ola", "Nordmann", "7B"]])
    result = tool("import", "pupils.csv", "--data", "school", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "groups: [7b]" in (school / "ola-nordmann.yaml").read_text(encoding="utf-8")
