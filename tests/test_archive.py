"""The zip beside each pupil's folder: complete, readable by any unzip tool, the same bytes each time."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from transition_booklets.publish import archive
from transition_booklets.publish.archive import ArchiveTooLarge, write_zip


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "zofia-wiśniewska"
    (folder / "assets" / "fonts").mkdir(parents=True)
    (folder / "index.html").write_text("<h1>Cześć Zofia</h1>" * 200, encoding="utf-8")
    (folder / "assets" / "fonts" / "a.woff2").write_bytes(os.urandom(5000))
    (folder / "booklet.pdf").write_bytes(b"%PDF-1.7 " + os.urandom(3000))
    (folder / "mapa żółć.txt").write_text("plan", encoding="utf-8")
    return folder


def _contents(archive: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(archive) as opened:
        assert opened.testzip() is None
        return {info.filename: opened.read(info) for info in opened.infolist()}


def test_every_file_is_in_the_zip_under_the_folder_name(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    contents = _contents(write_zip(folder, tmp_path / "out.zip"))
    on_disk = {
        f"{folder.name}/{path.relative_to(folder).as_posix()}": path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }
    assert contents == on_disk
    with zipfile.ZipFile(tmp_path / "out.zip") as opened:
        kinds = {info.filename.rsplit(".", 1)[-1]: info.compress_type for info in opened.infolist()}
        assert opened.getinfo(f"{folder.name}/index.html").compress_size < 500  # deflated
    assert kinds["pdf"] == kinds["woff2"] == zipfile.ZIP_STORED
    assert kinds["html"] == kinds["txt"] == zipfile.ZIP_DEFLATED


def test_the_same_folder_gives_the_same_bytes(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    first = write_zip(folder, tmp_path / "one.zip").read_bytes()
    os.utime(folder / "index.html", (0, 0))  # dates on disk do not reach the zip
    assert write_zip(folder, tmp_path / "two.zip").read_bytes() == first


def test_a_shared_file_that_changes_is_zipped_as_it_is_now(tmp_path: Path) -> None:
    """Hard-linked theme files are compressed once per process; a changed file must not reuse that."""
    folder = _folder(tmp_path)
    shared = tmp_path / "shared.css"
    shared.write_text("body { color: red }\n" * 100, encoding="utf-8")
    os.link(shared, folder / "assets" / "main.css")
    write_zip(folder, tmp_path / "one.zip")
    shared.unlink()
    shared.write_text("body { color: blue }\n" * 100, encoding="utf-8")
    (folder / "assets" / "main.css").unlink()
    os.link(shared, folder / "assets" / "main.css")
    contents = _contents(write_zip(folder, tmp_path / "two.zip"))
    assert contents[f"{folder.name}/assets/main.css"] == shared.read_bytes()


def test_a_folder_too_large_for_a_zip_is_refused_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path)
    target = tmp_path / "out.zip"
    monkeypatch.setattr(archive, "_LIMIT", 4000)  # a zip without ZIP64 stops at 4 GB; a small stand-in
    with pytest.raises(ArchiveTooLarge, match="larger than a zip file can hold"):
        write_zip(folder, target)
    assert not target.exists()
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []
