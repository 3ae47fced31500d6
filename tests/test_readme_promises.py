"""What the README promises and no other test held: each test is one promise, as a user would notice it.

- the welcome page counts down the days to the first visit and the first day;
- ``serve`` rebuilds after a change to ``school.yaml`` or to a photo, not only to the pupil's file;
- a change to the tool's templates or theme rebuilds pupils instead of reporting them unchanged;
- a mistyped command ends with exit code 2, having built nothing;
- ``new --id``, ``schema``, ``--jobs`` and ``-q`` do what the README's tables say.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from jsonschema import Draft202012Validator
from PIL import Image, ImageStat
from playwright.sync_api import Browser

from tests.browser_support import launched_chromium, require_browser
from tests.conftest import EXAMPLE, ROOT
from tests.test_loader import BAD_PUPIL
from transition_booklets.build.pipeline import build_cohort
from transition_booklets.build.settings import BuildOptions
from transition_booklets.support import resources


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """``python build.py ARGS`` as a user types it."""
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` by its path from there, leaving out the hidden ones (the build's cache)."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    }


# ---- serve: a change to school.yaml or a photo is rebuilt -----------------------------------------


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return bytes(response.read())


def _page(url: str) -> str:
    return _fetch(url).decode("utf-8")


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[Path, str], str]]:
    """``serve(data, pupil)`` starts ``build.py serve`` and returns the address of the pupil's page."""
    processes: list[subprocess.Popen[str]] = []

    def start(data: Path, pupil: str) -> str:
        log = (tmp_path / f"serve-{pupil}.log").open("w", encoding="utf-8")
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "serve", pupil, "--data", str(data), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        log.close()
        processes.append(process)
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith(f"Previewing {pupil} at http://127.0.0.1:"), line + _serve_log(tmp_path, pupil)
        return line.split(" at ", 1)[1].strip()

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def _serve_log(tmp_path: Path, pupil: str) -> str:
    path = tmp_path / f"serve-{pupil}.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _wait_for(check: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise AssertionError(what)


def test_serve_rebuilds_after_the_schools_name_changes_in_school_yaml(
    example_copy: Path, tmp_path: Path, serve: Callable[[Path, str], str]
) -> None:
    """The open preview shows the school's new name without restarting serve."""
    school = example_copy / "school.yaml"
    text = school.read_text(encoding="utf-8")
    old_name = yaml.safe_load(text)["name"]
    new_name = "Brookside Community College"
    url = serve(example_copy, "kai-morgan")
    assert old_name in _page(url) and new_name not in _page(url)
    changed = text.replace(f"\nname: {old_name}\n", f"\nname: {new_name}\n", 1)
    assert changed != text
    school.write_text(changed, encoding="utf-8")
    _wait_for(
        lambda: new_name in _page(url),
        "the preview was not rebuilt after school.yaml changed:\n" + _serve_log(tmp_path, "kai-morgan"),
    )
    assert old_name not in _page(url)


AVATAR = re.compile(r'<img class="tb-avatar tb-avatar--big" src="([^"]+)"')
MAGENTA = (255, 0, 255)


def _avatar(url: str) -> tuple[str, tuple[float, ...]]:
    """The address of the pupil's big photo on the welcome page, and its mean colour as served."""
    with urllib.request.urlopen(url, timeout=5) as response:  # the address redirects to the pupil's page
        page, address = response.read().decode("utf-8"), response.url
    found = AVATAR.search(page)
    assert found, "the welcome page has no photo of the pupil"
    with Image.open(io.BytesIO(_fetch(urllib.parse.urljoin(address, found.group(1))))) as picture:
        mean = ImageStat.Stat(picture.convert("RGB")).mean
    return found.group(1), tuple(mean)


def _near(colour: tuple[float, ...], target: tuple[int, ...]) -> bool:
    return all(abs(have - want) < 30 for have, want in zip(colour, target, strict=True))


def test_serve_rebuilds_after_the_pupils_photo_file_is_replaced(
    example_copy: Path, tmp_path: Path, serve: Callable[[Path, str], str]
) -> None:
    """Saving a new picture over Amy's photo (her file unchanged) shows the new picture on her open page."""
    url = serve(example_copy, "amy-jones")
    before, colour = _avatar(url)
    assert not _near(colour, MAGENTA)
    photo = (
        example_copy / yaml.safe_load((example_copy / "amy-jones.yaml").read_text(encoding="utf-8"))["photo"]["file"]
    )
    Image.new("RGB", (600, 600), MAGENTA).save(photo, "JPEG", quality=95)
    _wait_for(
        lambda: _avatar(url)[0] != before,
        "the preview was not rebuilt after the photo changed:\n" + _serve_log(tmp_path, "amy-jones"),
    )
    assert _near(_avatar(url)[1], MAGENTA), "the page shows a picture, but not the new one"


# ---- the tool's fingerprint: a template or theme change rebuilds ---------------------------------


@pytest.fixture
def tool_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the tool's templates (site_src/) and theme (theme/) that the build's fingerprint reads
    instead of the repository's own, which are never changed. The pages are still made from the real ones."""
    root = tmp_path / "tool"
    copies = {}
    for part in (resources.SITE_SRC, resources.THEME):
        copies[part] = root / part.name
        shutil.copytree(part, copies[part])
    monkeypatch.setattr(resources, "TOOL_PARTS", tuple(copies.get(part, part) for part in resources.TOOL_PARTS))
    resources.tool_digest.cache_clear()
    yield root
    resources.tool_digest.cache_clear()  # the next build hashes the real tool again


@pytest.mark.parametrize(
    "changed",
    ["site_src/pages/index.md.j2", "site_src/strings/en.yaml", "theme/site/assets/stylesheets/transition.css"],
)
def test_a_change_to_a_template_or_the_theme_rebuilds_the_pupils(
    example_copy: Path, tmp_path: Path, tool_copy: Path, changed: str
) -> None:
    """After an edit of the tool's own files, "1 built, 0 unchanged", not "0 built, 1 unchanged"."""
    options = BuildOptions(
        data_dir=example_copy,
        out_dir=tmp_path / "site",
        staff_dir=tmp_path / "staff",
        only=["kai-morgan"],
        pdf=False,
        jobs=1,  # in this process, which reads the copy: worker processes would hash the real tool
    )
    first = build_cohort(options).summary()
    assert first.startswith("1 built, 0 unchanged, 0 failed"), first
    again = build_cohort(options).summary()
    assert again.startswith("0 built, 1 unchanged, 0 failed"), f"nothing changed yet: {again}"
    edited = tool_copy / changed
    edited.write_text(edited.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    resources.tool_digest.cache_clear()  # as a new run of the command would
    after = build_cohort(options).summary()
    assert after.startswith("1 built, 0 unchanged, 0 failed"), f"{changed} was changed: {after}"


# ---- exit code 2: the command itself was mistyped --------------------------------------------------


@pytest.mark.parametrize(
    ("words", "said"),
    [
        (["amy-jonse"], "no pupil or command 'amy-jonse' in pupils (did you mean 'amy-jones'?)"),
        (["build", "kia-morgan"], "no pupil 'kia-morgan' in pupils (did you mean 'kai-morgan'?)"),
        (["biuld"], "did you mean 'build'?"),
        (["--no-pfd"], "unrecognized arguments: --no-pfd"),
        (["build", "--jobs", "two"], "argument --jobs/-j: 'two' is not a whole number"),
        (["build", "--jobs", "-3"], "argument --jobs/-j: -3 is below 0; give how many pupils to build at once"),
        (["build", "--shard", "abc"], "argument --shard: 'abc' should be K/N, e.g. 1/4"),
        (["build", "--shard", "5/4"], "argument --shard: '5/4': K must be between 1 and N"),
        (["new", "Amy Two", "--id", "Amy Two"], "'Amy Two' cannot be a pupil id"),
        (["--data", "pupils", "check", "amy-jones"], "'check' is a command, so it comes first: "),
        (["-q", "check"], " check -q --data pupils\n"),
    ],
)
def test_a_mistyped_command_exits_with_2_and_builds_nothing(
    example_copy: Path, words: list[str], said: str, tmp_path: Path
) -> None:
    """Not 1, which means a problem in the school's files: the user's own words were wrong."""
    before = files_of(example_copy)
    result = run(*words, "--data", "pupils", cwd=tmp_path)
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert said in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["pupils"], "nothing was built"
    assert files_of(example_copy) == before, "the data folder is untouched"


# ---- new --id, schema, --jobs and -q ----------------------------------------------------------------


def test_new_with_id_names_the_file_and_the_pupils_output_folder(example_copy: Path, tmp_path: Path) -> None:
    """A second Amelia Jones gets the file name the lead chose, and her site is built into a folder of that name."""
    made = run("new", "Amelia Jones", "--id", "amelia-jones-7c", "--data", str(example_copy))
    assert made.returncode == 0, made.stderr
    path = example_copy / "amelia-jones-7c.yaml"
    assert path.is_file() and not (example_copy / "amelia-jones.yaml").exists()
    assert "amelia-jones-7c.yaml" in made.stdout
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["name"] == "Amelia Jones"
    assert run("check", "--data", str(example_copy), "amelia-jones-7c").returncode == 0
    built = run(
        "--data", str(example_copy), "--out", str(tmp_path / "site"), "--staff-out", str(tmp_path / "staff"),
        "--no-pdf", "amelia-jones-7c",
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    assert "Amelia" in (tmp_path / "site" / "amelia-jones-7c" / "index.html").read_text(encoding="utf-8")


def _as_an_editor_reads_it(value: object) -> object:
    """Dates as text, as an editor checking YAML against a JSON Schema sees them."""
    if isinstance(value, dict):
        return {key: _as_an_editor_reads_it(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_an_editor_reads_it(item) for item in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def test_schema_writes_every_schema_as_json_naming_the_keys_of_the_files(example_copy: Path) -> None:
    """Run in a data folder, ``schema`` writes schema/ there: an editor finds every key the example school
    uses, and ``name`` is the one a pupil file must have."""
    assert not (example_copy / "schema").exists()
    result = run("schema", cwd=example_copy)
    assert result.returncode == 0, result.stderr
    written = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in (example_copy / "schema").iterdir()}
    assert sorted(written) == ["groups.schema.json", "pupil.schema.json", "school.schema.json"]
    for name in written:
        assert f"schema/{name}" in result.stdout
    for path in sorted(example_copy.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        schema = written["school.schema.json" if path.name == "school.yaml" else "pupil.schema.json"]
        assert set(data) <= set(schema["properties"]), f"{path.name}: keys the schema does not name"
        errors = [error.message for error in Draft202012Validator(schema).iter_errors(_as_an_editor_reads_it(data))]
        assert errors == [], f"an editor would mark {path.name} as wrong"
    assert written["pupil.schema.json"]["required"] == ["name"]
    assert "groups" in written["groups.schema.json"]["properties"]
    mistake = Draft202012Validator(written["pupil.schema.json"]).iter_errors({"name": "Amy", "prefered_name": "Amy"})
    assert any("prefered_name" in error.message for error in mistake), "a misspelt key is underlined"


def test_one_or_two_jobs_give_the_same_sites_and_booklets(example_copy: Path, tmp_path: Path) -> None:
    """``--jobs`` changes how many pupils are built at once, never what is built (booklets included)."""
    outputs = {}
    for jobs in ("1", "2"):
        out, staff = tmp_path / f"jobs-{jobs}" / "site", tmp_path / f"jobs-{jobs}" / "staff"
        result = run("--data", str(example_copy), "--out", str(out), "--staff-out", str(staff),
                     "--jobs", jobs, "amy-jones", "kai-morgan")  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "2 built, 0 unchanged, 0 failed" in result.stderr
        outputs[jobs] = (files_of(out), files_of(staff))
    site = outputs["1"][0]
    assert {"amy-jones/booklet.pdf", "kai-morgan/index.html", "amy-jones.zip"} <= set(site)
    assert outputs["1"] == outputs["2"]


PROGRESS = re.compile(r"^(built|unchanged|failed) [a-z0-9-]+$")


def _lines(stderr: str) -> list[str]:
    return [re.sub(r" in \d+\.\d+s$", "", line) for line in stderr.splitlines()]


def test_quiet_prints_only_the_problems_and_the_summary(example_copy: Path, tmp_path: Path) -> None:
    """``-q`` leaves out the line per pupil built, and nothing else: the problems and the summary stay."""
    shutil.copy(BAD_PUPIL, example_copy / "amy-copy.yaml")
    build = ("--data", str(example_copy), "--out", str(tmp_path / "site"), "--staff-out", str(tmp_path / "staff"),
             "--no-pdf", "kai-morgan", "amy-copy")  # fmt: skip
    normal = run(*build)
    quiet = run(*build, "--force", "-q")
    assert normal.returncode == quiet.returncode == 1
    assert normal.stdout == quiet.stdout == ""
    progress = [line for line in _lines(normal.stderr) if PROGRESS.match(line)]
    assert progress == ["built kai-morgan"]
    assert _lines(quiet.stderr) == [line for line in _lines(normal.stderr) if not PROGRESS.match(line)]
    assert "amy-copy.yaml:4:13 start_date:" in quiet.stderr
    assert "1 built, 0 unchanged, 1 failed" in quiet.stderr and "failed: amy-copy" in quiet.stderr


# ---- the welcome page's countdown (headless Chromium) -------------------------------------------------

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(scope="module")
def amy_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Amy's site, built once for the countdown tests, before the browser starts (a build may fork)."""
    require_browser()
    root = tmp_path_factory.mktemp("countdown")
    options = BuildOptions(
        data_dir=EXAMPLE, out_dir=root / "site", staff_dir=root / "staff", only=["amy-jones"], pdf=False, jobs=1
    )
    result = build_cohort(options)
    assert result.ok and result.built == ["amy-jones"], result.problems
    return root / "site"


@pytest.fixture(scope="module")
def browser(amy_site: Path) -> Iterator[Browser]:
    with launched_chromium() as launched:
        yield launched


def _amys_dates() -> tuple[dt.date, dt.date]:
    amy = yaml.safe_load((EXAMPLE / "amy-jones.yaml").read_text(encoding="utf-8"))
    visit, start = amy["first_visit"]["date"], amy["start_date"]
    assert isinstance(visit, dt.date) and isinstance(start, dt.date)
    assert (start - visit).days > 2, "the cases below need the first day well after the visit"
    return visit, start


def _expected(today: dt.date) -> list[str]:
    """What the welcome page should say on ``today``: in days, then 'tomorrow', 'today', then nothing."""
    visit, start = _amys_dates()
    said = []
    for when, what in ((visit, "first visit"), (start, "first day")):
        days = (when - today).days
        if days > 1:
            said.append(f"{days} days until your {what}")
        elif days == 1:
            said.append(f"Your {what} is tomorrow")
        elif days == 0:
            said.append(f"Your {what} is today")
    return said


VISIT, START = _amys_dates()
COUNTDOWN_CLOCKS = [
    # The evening of a day months before, across the change to summer time: counted in days, not in 24 hours.
    dt.datetime(2026, 12, 1, 20, 0),
    dt.datetime.combine(VISIT - dt.timedelta(days=1), dt.time(10, 0)),
    dt.datetime.combine(VISIT, dt.time(8, 0)),
    dt.datetime.combine(VISIT + dt.timedelta(days=1), dt.time(10, 0)),
    dt.datetime.combine(START - dt.timedelta(days=1), dt.time(23, 30)),
    dt.datetime.combine(START, dt.time(7, 0)),
    dt.datetime.combine(START + dt.timedelta(days=1), dt.time(10, 0)),
]


@pytest.mark.browser
@pytest.mark.parametrize("clock", COUNTDOWN_CLOCKS, ids=lambda clock: clock.strftime("%Y-%m-%d-%H%M"))
def test_the_welcome_page_counts_down_to_the_first_visit_and_the_first_day(
    amy_site: Path, browser: Browser, clock: dt.datetime
) -> None:
    """With the device's clock fixed (in the UK's time zone), Amy's welcome page shows the days left."""
    context = browser.new_context(timezone_id="Europe/London")
    try:
        page = context.new_page()
        page.clock.set_fixed_time(clock.replace(tzinfo=LONDON))
        page.goto((amy_site / "amy-jones" / "index.html").as_uri())
        shown = page.evaluate(
            "() => [...document.querySelectorAll('.tb-countdown')]"
            ".filter(element => element.checkVisibility()).map(element => element.innerText.trim())"
        )
    finally:
        context.close()
    assert shown == _expected(clock.date())
