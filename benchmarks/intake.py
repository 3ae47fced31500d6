"""A realistic Year 7 intake, made as a school would have it, for the cohort benchmark and by hand.

    python benchmarks/intake.py FOLDER [-n 300] [--groups 10]

It copies the example school's ``school.yaml`` and pictures (no pupils), writes a records
system's pupil list (``pupils.csv``, with the header variants such exports use and columns
the guides must not keep) and a long-form timetable export (``timetable.csv``, a distinct
week for each tutor group), and imports both with the real ``import`` command. Then about one
pupil in six gets a personal plan (phases with a mornings-only start, worries, about me, a
photo), in varied wording so the booklets really differ; the rest have only their group's
data, as most of an intake does.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FIRST = ["Aaliyah", "Alfie", "Amara", "Arlo", "Bea", "Caio", "Cerys", "Dara", "Eliza", "Emre", "Ffion", "Freddie",
         "Gethin", "Hana", "Ibrahim", "Iris", "Jac", "Kayden", "Leah", "Lowri", "Mali", "Mateo", "Mei", "Nadia",
         "Noor", "Osian", "Pippa", "Reuben", "Rosa", "Sami", "Seren", "Tariq", "Tegan", "Wiktor", "Yusuf", "Zofia"]  # fmt: skip
LAST = ["Ahmed", "Bennett", "Chowdhury", "Davies", "Edwards", "Fernandes", "Griffiths", "Hussain", "Ivanova", "Jenkins",
        "Kowalski", "Llewellyn", "Mensah", "Nguyen", "Okafor", "Parry", "Quinn", "Rahman", "Santos", "Thomas",
        "Uddin", "Vaughan", "Wright", "Yilmaz", "Zhang"]  # fmt: skip
LESSON_SUBJECTS = ["english", "maths", "science", "history", "geography", "art", "music", "pe", "computing"]
ROOMS = ["a-block", "science-lab", "library", "sports-hall", "the-hub"]
TEACHERS = ["mr-evans", "mrs-okafor", "mr-nowak", "mr-hughes", "ms-lewis", "miss-adeyemi"]
INTERESTS = ["football", "drawing dragons", "Minecraft", "baking with Nan", "swimming", "K-pop", "fixing bikes",
             "reading manga", "the drums", "horse riding", "coding games", "dancing", "fishing", "chess", "guitar"]  # fmt: skip
WORRIES = ["getting lost between lessons", "the noise in the canteen", "not knowing anyone", "changing for PE",
           "being late", "the big corridors", "homework", "the bus"]  # fmt: skip
CALMING = ["counting to ten slowly", "squeezing a stress ball", "drawing for five minutes", "a walk to the library",
           "listening to music", "a drink of water", "breathing in for four and out for six"]  # fmt: skip
# fmt: off
HEADER_VARIANTS = [
    [
        "UPN",
        "Legal Forename",
        "Preferred Forename",
        "Legal Surname",
        "Reg Group",
        "NC Year",
        "DOB",
        "Admission Date",
        "Address Line 1",
        "Postcode",
    ],
    ["Forename", "Known As", "Surname", "Tutor Group", "Year Group", "Date of Birth", "Start Date", "Home Address"],
]
# fmt: on


def _tool(*args: str, cwd: Path) -> None:
    completed = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{completed.stdout}\n{completed.stderr}")


def _timetable_rows(groups: list[str], rng: random.Random) -> list[list[str]]:
    rows = []
    periods = ["Period 1", "Period 2", "Period 3", "Period 4", "Period 5"]
    for group in groups:
        tutor = rng.choice(TEACHERS)
        for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
            rows.append([group, day, "Registration", "tutor", "a-block", tutor])
            for period in periods:
                subject = rng.choice(LESSON_SUBJECTS)
                room = (
                    "science-lab"
                    if subject == "science"
                    else "sports-hall"
                    if subject == "pe"
                    else rng.choice(ROOMS[:3])
                )
                rows.append([group, day, period, subject, room, rng.choice(TEACHERS)])
    return rows


def _plan(first: str, rng: random.Random) -> str:
    """A personal plan in varied words: phases, worries, about me."""
    interests = rng.sample(INTERESTS, 3)
    worries = rng.sample(WORRIES, 2)
    calming = rng.sample(CALMING, 2)
    hub_weeks = rng.choice([1, 2, 3])
    return (
        f"phases:\n"
        f'  - name: "Week{"s" if hub_weeks > 1 else ""} 1{"-" + str(hub_weeks) if hub_weeks > 1 else ""}: mornings, '
        f'with time in the Hub"\n'
        f"    from: 2027-09-06\n    to: 2027-09-{6 + 7 * hub_weeks - 3:02d}\n"
        f"    summary: {first} comes in for the mornings and has {rng.choice(['a', 'one', 'a quiet'])} lesson in the "
        f"Hub each day.\n"
        f"    timetable_changes:\n      every day:\n        p4: not in school\n        p5: not in school\n"
        f"  - name: Then the full timetable\n    from: 2027-09-{6 + 7 * hub_weeks:02d}\n"
        f"worries:\n  people:\n    - staff: ms-khan\n      note: {rng.choice(['any time', 'at break', 'before school'])}\n"
        f"  place: the-hub\n  what_to_do:\n    - Tell a teacher you need a break, or show your help card.\n"
        f'    - "If {worries[0]} worries you, ask Ms Khan to walk with you."\n'
        f"  calming_ideas: [{calming[0]}, {calming[1]}]\n"
        f"about_me:\n  interests: [{', '.join(interests)}]\n"
        f'  support_me:\n    - "I worry about {worries[1]}: {rng.choice(["tell me what comes next", "give me time", "check in with me quietly"])}."\n'
    )


def make_intake(folder: Path, count: int = 300, groups: int = 10, seed: int = 11) -> list[str]:
    """Make the intake in ``folder`` (which must not exist); returns the pupil ids."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    folder.mkdir(parents=True)
    shutil.copyfile(ROOT / "pupils" / "school.yaml", folder / "school.yaml")
    shutil.copytree(ROOT / "pupils" / "images", folder / "images")
    shutil.copytree(ROOT / "pupils" / "media", folder / "media")
    exports = folder.parent / f"{folder.name}-exports"
    exports.mkdir(exist_ok=True)
    names = [f"7{chr(ord('A') + index)}" for index in range(groups)]
    with (exports / "timetable.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Class", "Day", "Period", "Subject", "Room", "Teacher"])
        writer.writerows(_timetable_rows(names, rng))
    header = HEADER_VARIANTS[seed % len(HEADER_VARIANTS)]
    people = sorted({(rng.choice(FIRST), rng.choice(LAST), rng.choice(LAST)) for _ in range(count * 3)})[:count]
    rng.shuffle(people)
    with (exports / "pupils.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for index, (first, last, second) in enumerate(people):
            surname = f"{last}-{second}" if index % 5 == 0 else last
            values = {
                "upn": f"Z{index:012d}", "forename": first, "known": first, "surname": surname,
                "group": names[index % groups], "year": "7", "dob": "12/03/2016", "start": "06/09/2027",
                "address": f"{index} Somewhere Street", "postcode": "AB1 2CD",
            }  # fmt: skip
            keys = {"UPN": "upn", "Legal Forename": "forename", "Forename": "forename", "Preferred Forename": "known",
                    "Known As": "known", "Legal Surname": "surname", "Surname": "surname", "Reg Group": "group",
                    "Tutor Group": "group", "NC Year": "year", "Year Group": "year", "DOB": "dob",
                    "Date of Birth": "dob", "Admission Date": "start", "Start Date": "start",
                    "Address Line 1": "address", "Home Address": "address", "Postcode": "postcode"}  # fmt: skip
            writer.writerow([values[keys[column]] for column in header])
    _tool("import", str(exports / "timetable.csv"), "--data", str(folder), cwd=folder.parent)
    _tool("import", str(exports / "pupils.csv"), "--data", str(folder), cwd=folder.parent)
    ids = sorted(path.stem for path in folder.glob("*.yaml") if path.stem not in ("school", "groups"))
    photos = folder / "images" / "pupils"
    for index, pupil_id in enumerate(ids):
        if index % 6:
            continue
        path = folder / f"{pupil_id}.yaml"
        text = path.read_text(encoding="utf-8")
        first = text.split('name: "', 1)[1].split()[0]
        image = Image.new("RGB", (480, 480), tuple(rng.randrange(120, 255) for _ in range(3)))  # type: ignore[arg-type]
        ImageDraw.Draw(image).ellipse((120, 80, 360, 340), fill=tuple(rng.randrange(60, 200) for _ in range(3)))  # type: ignore[arg-type]
        image.save(photos / f"{pupil_id}.jpg", quality=80)
        text += f"photo:\n  file: images/pupils/{pupil_id}.jpg\n  consent: true\n" + _plan(first, rng)
        path.write_text(text, encoding="utf-8")
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("-n", "--pupils", type=int, default=300)
    parser.add_argument("--groups", type=int, default=10)
    args = parser.parse_args()
    ids = make_intake(args.folder, args.pupils, args.groups)
    print(f"made {len(ids)} pupils in {args.folder}, {args.groups} groups; exports in {args.folder}-exports")


if __name__ == "__main__":
    main()
