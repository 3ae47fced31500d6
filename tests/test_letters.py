from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
import segno

from transition_booklets.protect.letters import LetterEntry, render_letter, write_family_letters
from transition_booklets.protect.passwords import PasswordFileError

ADDRESS = "https://guides.riverside.example/k3v5qzq7b2m4xw6yd8c1f9gh2j/"
AMY = LetterEntry("amy-jones", "Amelia Jones", "Amy", ADDRESS, "otter-maple-brisk-lantern-7")
KAI = {
    "pupil_id": "kai-morgan",
    "name": "Kai Morgan",
    "preferred_name": "",
    "address": "kai/index.html",
    "password": "lamp-nest-sky-zebra-4",
}


def qr_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules of a segno SVG: its ``qrline`` path draws each run of them as ``h`` strokes on row y-0.5."""
    path = re.search(r'<path[^>]*class="qrline"[^>]*\sd="([^"]+)"', svg) or re.search(
        r'<path[^>]*\sd="([^"]+)"[^>]*class="qrline"', svg
    )
    assert path, "no QR code path in the SVG"
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    for command, args in re.findall(r"([MmHhVvZz])([^MmHhVvZz]*)", path.group(1)):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", args)]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        elif command == "h":
            for step in range(int(numbers[0])):
                dark.add((int(x) + step, int(y - 0.5)))
            x += numbers[0]
        else:
            raise AssertionError(f"unexpected path command {command}")
    return dark


def expected_modules(address: str, border: int = 4) -> set[tuple[int, int]]:
    matrix = segno.make(address, error="m", micro=False).matrix
    return {(col + border, row + border) for row, line in enumerate(matrix) for col, bit in enumerate(line) if bit}


def test_a_letter_has_the_address_a_qr_code_of_it_and_the_password(tmp_path: Path) -> None:
    staff, out = tmp_path / "staff", tmp_path / "site"
    out.mkdir()
    written = write_family_letters([AMY, KAI], staff, "Riverside Academy", out_dir=out)
    assert written == [staff / "letters" / "amy-jones.html", staff / "letters" / "kai-morgan.html"]
    letter = written[0].read_text(encoding="utf-8")
    assert ADDRESS in letter
    assert '<p class="password" translate="no" dir="ltr">otter-maple-brisk-lantern-7</p>' in letter
    assert "Amy&#39;s guide to Riverside Academy" in letter and "Dear parent or carer of Amelia Jones," in letter
    assert "Keep this letter safe" in letter and "delete the guide" in letter
    svg = re.search(r"<svg .*?</svg>", letter, re.S)
    assert svg and 'role="img"' in svg.group(0)
    assert qr_modules(svg.group(0)) == expected_modules(ADDRESS)
    # Self-contained: the font is inside, nothing is fetched.
    assert "data:font/woff2;base64," in letter
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", letter)
    assert "@page { size: A4" in letter
    # Staff-only: readable by its owner only, and nothing of it in the publishable folder.
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((staff / "letters").stat().st_mode) == 0o700
    assert list(out.rglob("*")) == []


def test_a_folder_path_gets_no_qr_code_and_says_where_to_open_it() -> None:
    letter = render_letter(LetterEntry(**KAI), "Riverside Academy")
    assert "<svg" not in letter
    assert "Open this file from the folder or USB stick the school gave you:" in letter
    assert "kai/index.html" in letter and "Kai Morgan&#39;s guide" in letter  # no preferred name: the full name


def test_the_school_can_reword_a_letter() -> None:
    letter = render_letter(
        AMY, "Szkoła", {"letter_heading": "Przewodnik dla {preferred}", "letter_dear": "{nope}"}, lang="pl"
    )
    assert "<h1>Przewodnik dla Amy</h1>" in letter and '<html lang="pl">' in letter
    assert "Dear parent or carer of Amelia Jones," in letter  # a broken translation falls back to English


def test_names_are_escaped(tmp_path: Path) -> None:
    entry = LetterEntry("x-y", "<script>alert(1)</script>", "A&B", ADDRESS, "otter-maple-brisk-lantern-7")
    letter = render_letter(entry, "School <b>")
    assert "<script>alert" not in letter and "&lt;script&gt;" in letter and "School &lt;b&gt;" in letter


def test_letters_are_never_written_into_the_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with pytest.raises(PasswordFileError, match="inside the output folder"):
        write_family_letters([AMY], out / "staff", "Riverside Academy", out_dir=out)
    assert not out.exists()
    with pytest.raises(ValueError):
        write_family_letters(
            [LetterEntry("../escape", "A", "A", ADDRESS, "otter-maple-brisk-lantern-7")], tmp_path, "S"
        )


def test_a_protected_build_writes_letters_a_parent_can_act_on(tmp_path: Path) -> None:
    import pikepdf

    from tests.conftest import EXAMPLE
    from tests.pdf_support import pdf_text
    from transition_booklets.build.pipeline import build_cohort
    from transition_booklets.build.settings import BuildOptions

    options = BuildOptions(EXAMPLE, tmp_path / "site", tmp_path / "staff", protect=True, pdf=False, jobs=1)
    options.address = "https://guides.riverside.example"
    assert build_cohort(options).ok
    letter = (tmp_path / "staff" / "letters" / "amy-jones.html").read_text(encoding="utf-8")
    for expected in ("data:image/png;base64,", "keyworker is Ms Khan", "01234 567890", "office@riverside.example",
                     "With best wishes,", "Riverside Academy"):  # fmt: skip
        assert expected in letter, expected
    every = tmp_path / "staff" / "letters" / "all-letters.pdf"
    with pikepdf.open(every) as pdf:
        # One letter per page, one page per family, and one more in Polish for Zosia's family (family_language: pl).
        assert len(pdf.pages) == 5
    text = " ".join(pdf_text(every).split())
    assert "Dear parent or carer of Amelia Jones" in text and "office@riverside.example" in text
    assert every.stat().st_mode & 0o077 == 0
    assert 'href="letters/all-letters.pdf"' in (tmp_path / "staff" / "index.html").read_text(encoding="utf-8")
